"""CTranslate2 backend: the same Marian model, converted once, run in int8 on the CPU.

On a small CPU, CTranslate2 int8 translates the opus-mt architecture about five times faster
than transformers fp32 at beam 4, in a third less memory. This backend gives the same outputs
as the torch backend, so the :class:`~pipeline.translate.translator.Translator` around it does
not care:

* tokens come from the same Marian tokenizer (``</s>`` included), and texts are decoded the
  same way (``skip_special_tokens``);
* the decoder may produce up to ``2 × longest input + 16`` tokens, within the model's positions;
* the score is the mean log-probability of the generated tokens, ``</s>`` included — what
  CTranslate2 returns with ``length_penalty=1`` — and ``complete`` is False when the decoder
  stopped at its length limit instead of at ``</s>``.

Conversion happens once per model and quantization (:func:`ensure_converted`): the Hugging Face
folder goes through ``TransformersConverter`` with its tokenizer files copied unmodified, into a
temporary folder inside the conversion cache that is renamed into place only when complete, so
a half-written conversion is never used. The cache folder is named after the model's weight hash
(its :attr:`~pipeline.translate.model.ResolvedModel.revision`) and the quantization. The
converter loads
torch and the fp32 weights (about 800 MiB for opus-mt), so it runs in a child process and the
translating process never holds that memory.

Threads (:func:`thread_split`): on the CPU, each call is split between ``inter_threads``
single-threaded workers that run in parallel. On 2 cores that beat one batch on both cores
(intra_threads=2) in every interleaved measurement; ``CT2_USE_MKL=1`` was about 8× slower on
the AMD CPU it was measured on, so CTranslate2's default (oneDNN there) is left alone.

ctranslate2 is imported only when a backend is loaded; :func:`is_available` only looks for it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import ModelUnavailableError
from pipeline.translate.backends.base import (
    CT2_COMPUTE_TYPES,
    DEFAULT_MAX_POSITIONS,
    BackendOutput,
    load_tokenizer,
    output_length_limit,
)

if TYPE_CHECKING:
    from pipeline.translate.model import ResolvedModel

CONVERSION_FORMAT = 1  # bump when the conversion itself changes (files copied, options)
# Copied next to model.bin unmodified, so a converted folder is complete on its own.
TOKENIZER_FILES = (
    "source.spm",
    "target.spm",
    "vocab.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "generation_config.json",
)
# Small files whose content decides the converted model besides the weights.
KEY_FILES = ("config.json", "vocab.json", "source.spm", "target.spm")
STALE_PARTIAL_SECONDS = 3600  # a leftover temporary folder older than this is removed
# On the CPU, each call is split into this many sub-batches at most, translated in parallel
# by single-threaded workers (inter_threads); measured faster than one batch on all cores.
MAX_PARALLEL_BATCHES = 4

# --precision values and the CTranslate2 compute type each means on (cpu, cuda).
PRECISIONS: dict[str, tuple[str | None, str]] = {
    "auto": ("int8", "int8_float16"),
    "int8": ("int8", "int8_float16"),
    "fp32": ("float32", "float32"),
    "fp16": (None, "float16"),
}
# CTranslate2's own names are accepted as they are.
COMPUTE_TYPES = CT2_COMPUTE_TYPES


def is_available() -> bool:
    """True when the ``ctranslate2`` package is installed (``pip install 'daen[fast]'``)."""
    return importlib.util.find_spec("ctranslate2") is not None


def conversion_cache_dir() -> Path:
    """``ct2/`` next to the translation cache (``$DAEN_CACHE_DIR`` or ``~/.cache/daen``)."""
    from pipeline.translate.cache import default_cache_path

    return default_cache_path().parent / "ct2"


# -- device and compute type ---------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where the model runs and in which numeric format."""

    device: str  # "cpu" | "cuda"
    device_index: int
    compute_type: str


def pick_placement(device: str = "auto", precision: str = "auto") -> Placement:
    """Resolve ``--device`` and ``--precision`` for CTranslate2.

    ``auto`` picks CUDA when CTranslate2 sees a GPU, else the CPU; the default precision is
    int8 on the CPU and int8_float16 on CUDA.
    """
    import ctranslate2

    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    kind, _, index_text = device.partition(":")
    if kind not in ("cpu", "cuda") or (index_text and not index_text.isdigit()):
        raise ValueError(f"the ct2 backend runs on cpu or cuda[:N], not {device}")
    if kind == "cuda" and ctranslate2.get_cuda_device_count() == 0:
        raise ModelUnavailableError(f"--device {device}: CTranslate2 sees no CUDA GPU here")
    if precision in PRECISIONS:
        compute_type = PRECISIONS[precision][0 if kind == "cpu" else 1]
        if compute_type is None:
            raise ValueError(f"precision {precision} needs a GPU; use int8 or fp32 on the CPU")
    elif precision in COMPUTE_TYPES:
        compute_type = precision
    else:
        known = ", ".join([*PRECISIONS, *COMPUTE_TYPES])
        raise ValueError(f"precision must be one of {known}, not {precision}")
    return Placement(kind, int(index_text or 0), compute_type)


# -- conversion ----------------------------------------------------------------------------------


def conversion_key(resolved: ResolvedModel, quantization: str) -> str:
    """Folder name for one converted model: weight hash, quantization, and a digest of the
    files and format that also shape the conversion."""
    digest = hashlib.sha256(f"{CONVERSION_FORMAT}\0{resolved.revision}\0".encode())
    for name in KEY_FILES:
        path = resolved.path / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"-")
    weights = resolved.revision.removeprefix("sha256:")[:16]
    safe = "".join(c if c.isalnum() else "-" for c in weights)
    return f"{safe}-{quantization}-{digest.hexdigest()[:8]}"


def ensure_converted(
    resolved: ResolvedModel, quantization: str, cache_dir: Path | None = None
) -> Path:
    """The converted model folder, converting first when the cache does not have it."""
    root = cache_dir if cache_dir is not None else conversion_cache_dir()
    key = conversion_key(resolved, quantization)
    target = root / key
    if is_converted(target):
        return target
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelUnavailableError(f"cannot create the conversion cache {root}: {exc}") from None
    remove_stale_partials(root)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}.partial-", dir=root))
    try:
        started = time.perf_counter()
        convert_in_child(resolved.path, staging / "model", quantization)
        note = {
            "model": resolved.name,
            "revision": resolved.revision,
            "quantization": quantization,
            "format": CONVERSION_FORMAT,
            "seconds": round(time.perf_counter() - started, 2),
        }
        (staging / "model" / "daen-conversion.json").write_text(json.dumps(note, indent=1))
        if target.exists() and not is_converted(target):
            shutil.rmtree(target, ignore_errors=True)  # not ours to trust: never renamed in
        try:
            os.replace(staging / "model", target)
        except OSError:
            if not is_converted(target):  # another process won the race with a complete one
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def is_converted(folder: Path) -> bool:
    return (folder / "model.bin").is_file() and (folder / "daen-conversion.json").is_file()


def remove_stale_partials(root: Path) -> None:
    """Remove temporary folders of conversions that died long ago."""
    now = time.time()
    for leftover in root.glob(".*.partial-*"):
        try:
            if now - leftover.stat().st_mtime > STALE_PARTIAL_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            continue


# Runs in a child process: imports only ctranslate2 (which imports torch and transformers).
_CONVERT_SCRIPT = """
import sys
from ctranslate2.converters import TransformersConverter
source, output, quantization, *files = sys.argv[1:]
TransformersConverter(source, copy_files=files).convert(output, quantization=quantization)
"""


def convert_in_child(source: Path, output: Path, quantization: str) -> None:
    """Convert the Hugging Face folder ``source`` to ``output`` in a separate process."""
    files = [name for name in TOKENIZER_FILES if (source / name).is_file()]
    command = [sys.executable, "-c", _CONVERT_SCRIPT, str(source), str(output), quantization]
    done = subprocess.run([*command, *files], capture_output=True, text=True, check=False)
    if done.returncode != 0 or not (output / "model.bin").is_file():
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        problem = lines[-1] if lines else f"exit code {done.returncode}"
        raise ModelUnavailableError(
            f"cannot convert {source} for CTranslate2 ({quantization}): {problem}"
        )


# -- the backend ---------------------------------------------------------------------------------


class Ct2Backend:
    """Translates pre-batched sentences with ``ctranslate2.Translator.translate_batch``."""

    name = "ct2"

    def __init__(
        self,
        model_dir: Path,
        tokenizer: Any,
        placement: Placement,
        *,
        inter_threads: int = 1,
        intra_threads: int = 0,
        max_positions: int = DEFAULT_MAX_POSITIONS,
    ) -> None:
        import ctranslate2

        self.tokenizer = tokenizer
        self.compute_type = placement.compute_type
        self.device = placement.device
        self.model_dir = model_dir
        self.max_positions = max_positions
        self.inter_threads = inter_threads
        self.intra_threads = intra_threads
        self.eos_token = str(tokenizer.eos_token)
        try:
            self.translator = ctranslate2.Translator(
                str(model_dir),
                device=placement.device,
                device_index=placement.device_index,
                compute_type=placement.compute_type,
                inter_threads=inter_threads,
                intra_threads=intra_threads,
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelUnavailableError(
                f"cannot load the CTranslate2 model in {model_dir}: {exc}"
            ) from None
        self.calls = 0  # model calls, for tests and benchmarks

    def max_decoding_length(self, longest_input: int) -> int:
        """Room for a translation about twice the input, within the decoder's positions
        (the torch backend's limit)."""
        return output_length_limit(longest_input, self.max_positions)

    def sub_batch_tokens(self, sources: list[list[str]]) -> int:
        """``max_batch_size`` (padded tokens) that splits one call into ``inter_threads``
        parts translated in parallel; 0 (no split) with one worker or one sentence."""
        parts = min(self.inter_threads, len(sources))
        if parts <= 1:
            return 0
        return math.ceil(max(map(len, sources)) * len(sources) / parts)

    def tokenize(self, texts: list[str]) -> list[list[str]]:
        ids = self.tokenizer(texts)["input_ids"]
        return [self.tokenizer.convert_ids_to_tokens(row) for row in ids]

    def detokenize(self, tokens: list[str]) -> str:
        ids = self.tokenizer.convert_tokens_to_ids(tokens)
        return str(self.tokenizer.decode(ids, skip_special_tokens=True))

    def translate(self, texts: list[str], beams: int) -> list[BackendOutput]:
        if not texts:
            return []
        self.calls += 1
        sources = self.tokenize(texts)
        results = self.translator.translate_batch(
            sources,
            beam_size=beams,
            max_decoding_length=self.max_decoding_length(max(map(len, sources))),
            return_scores=True,
            return_end_token=True,
            max_batch_size=self.sub_batch_tokens(sources),
            batch_type="tokens",
        )
        outputs = []
        for result in results:
            tokens = list(result.hypotheses[0])
            complete = bool(tokens) and tokens[-1] == self.eos_token
            if complete:
                tokens.pop()
            outputs.append(
                BackendOutput(self.detokenize(tokens), float(result.scores[0]), complete=complete)
            )
        return outputs


def load_backend(
    resolved: ResolvedModel,
    *,
    device: str = "auto",
    precision: str = "auto",
    threads: int | None = None,
    tokenizer: Any = None,
    inter_threads: int | None = None,
    cache_dir: Path | None = None,
    warn: Callable[[str], None] | None = None,
) -> Ct2Backend:
    """Convert ``resolved`` once (cached) and load it; raises ModelUnavailableError.

    ``threads`` is the number of CPU threads in all (default: every core). On the CPU they
    are spread as ``inter_threads`` workers (default: up to :data:`MAX_PARALLEL_BATCHES`)
    of ``threads // inter_threads`` threads each, and every call is split between the workers.
    A cached conversion that fails to load is converted again, once (said through ``warn``).
    """
    if not is_available():
        raise ModelUnavailableError(
            "the ct2 backend needs CTranslate2: pip install 'daen[fast]' (or use --backend torch)"
        )
    from pipeline.translate.model import model_defaults

    placement = pick_placement(device, precision)
    converted = ensure_converted(resolved, placement.compute_type, cache_dir)
    if tokenizer is None:
        tokenizer = load_tokenizer(resolved.path)
    workers, per_worker = thread_split(placement, threads, inter_threads)

    def load() -> Ct2Backend:
        return Ct2Backend(
            converted, tokenizer, placement, inter_threads=workers, intra_threads=per_worker,
            max_positions=model_defaults(resolved.path)[1],
        )

    try:
        return load()
    except ModelUnavailableError as error:
        if warn is not None:
            warn(f"{error}; the conversion is damaged, so it is converted again")
        shutil.rmtree(converted, ignore_errors=True)
        converted = ensure_converted(resolved, placement.compute_type, cache_dir)
        return load()


def thread_split(
    placement: Placement, threads: int | None = None, inter_threads: int | None = None
) -> tuple[int, int]:
    """(inter_threads, intra_threads): on the CPU, parallel single-threaded workers first.

    >>> thread_split(Placement("cpu", 0, "int8"), 2), thread_split(Placement("cpu", 0, "int8"), 16)
    ((2, 1), (4, 4))
    >>> thread_split(Placement("cuda", 0, "int8_float16"), 8)
    (1, 8)
    """
    total = max(1, threads or os.cpu_count() or 1)
    if placement.device != "cpu":
        return 1, total
    workers = max(1, min(inter_threads or MAX_PARALLEL_BATCHES, total))
    return workers, max(1, total // workers)
