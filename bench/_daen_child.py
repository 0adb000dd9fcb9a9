"""Run ``daen translate`` in this process with the benchmark's forced decode lengths.

Usage: ``python bench/_daen_child.py RESULT.json daen-arguments...``

A random-weight model never emits ``</s>``, so each engine call is made to decode exactly
:func:`decode_length` of its longest source, as in every other row of ``bench/translate.py``:
``ctranslate2.Translator.translate_batch`` (and, for ``--backend torch``,
``MarianMTModel.generate``) get the forced lengths from a thin wrapper, and the hypotheses end
in ``</s>`` as a real model's would, so the pipeline caches them as complete translations.

Writes RESULT.json: seconds inside ``Translator.translate_texts`` (the pipeline's own work and
the model's), wall seconds, sentences, the engine, and this process's peak RSS (the CTranslate2
conversion runs in a child process and is reported apart).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _marian_random import decode_length

STARTED = time.perf_counter()


class _Hypothesis:
    def __init__(self, hypotheses: list[list[str]], scores: list[float]) -> None:
        self.hypotheses = hypotheses
        self.scores = scores


def force_ct2_lengths() -> None:
    import ctranslate2

    real = ctranslate2.Translator

    class ForcedLengthTranslator:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._inner = real(*args, **kwargs)

        def translate_batch(self, source: list[list[str]], **options: Any) -> Any:
            length = decode_length(max(map(len, source)))
            options.update(min_decoding_length=length, max_decoding_length=length)
            results = self._inner.translate_batch(source, **options)
            if not options.get("return_end_token"):
                return results
            return [
                _Hypothesis([[*h, "</s>"] for h in r.hypotheses], list(r.scores)) for r in results
            ]

        def __getattr__(self, name: str) -> Any:
            return getattr(self._inner, name)

    ctranslate2.Translator = ForcedLengthTranslator  # type: ignore[misc]


def force_torch_lengths() -> None:
    from transformers import MarianMTModel

    real_generate = MarianMTModel.generate

    def generate(self: Any, *args: Any, **kwargs: Any) -> Any:
        ids = kwargs.get("input_ids", args[0] if args else None)
        length = decode_length(int(ids.shape[1]))
        kwargs.update(min_new_tokens=length, max_new_tokens=length)
        return real_generate(self, *args, **kwargs)

    MarianMTModel.generate = generate  # type: ignore[method-assign]


def time_translate_texts(timer: dict[str, float]) -> None:
    from pipeline.translate.translator import Translator

    real = Translator.translate_texts

    def timed(self: Translator, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(self, *args, **kwargs)
        finally:
            timer["translate_s"] += time.perf_counter() - started
            timer["sentences"] += len(args[0]) if args else 0
            timer["backend"] = self.backend.name  # type: ignore[assignment]
            timer["compute_type"] = self.backend.compute_type  # type: ignore[assignment]
            timer["model_calls"] += self.stats.get("model_calls", 0)
            for name in ("inter_threads", "intra_threads"):
                timer[name] = getattr(self.backend, name, None)  # type: ignore[assignment]

    Translator.translate_texts = timed  # type: ignore[method-assign]


def _backend(arguments: list[str]) -> str:
    from pipeline.translate.backends import ct2_backend

    chosen = arguments[arguments.index("--backend") + 1] if "--backend" in arguments else "auto"
    if chosen == "auto":
        return "ct2" if ct2_backend.is_available() else "torch"
    return chosen


def main() -> None:
    result_path = Path(sys.argv[1])
    arguments = sys.argv[2:]
    timer: dict[str, Any] = {"translate_s": 0.0, "sentences": 0, "model_calls": 0}
    # Only the engine in use is wrapped: transformers' model classes would import torch.
    if _backend(arguments) == "ct2":
        force_ct2_lengths()
    else:
        force_torch_lengths()
    time_translate_texts(timer)
    from pipeline.cli import main as daen

    sys.argv = ["daen", *arguments]
    code: Any = 0
    try:
        daen()
    except SystemExit as exc:
        code = exc.code
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    timer.update(
        exit_code=code or 0,
        wall_s=time.perf_counter() - STARTED,
        peak_rss_mib=round(own, 1),
        children_peak_rss_mib=round(children, 1),
    )
    result_path.write_text(json.dumps(timer))


if __name__ == "__main__":
    main()
