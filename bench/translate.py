"""Translation speed: daen against transformers and CTranslate2 on opus-mt-da-en's architecture.

Usage: ``python bench/translate.py [--quick]``  (last line: one JSON object)

The model is a random-weight MarianMT with opus-mt-da-en's exact shape (``_marian_random.py``,
built once under ``bench/out/``), and the sentences are Danish-like with the length spread of
news articles (5 to 60 tokens). Random weights never emit ``</s>``, so every engine call decodes
exactly as many tokens as its longest source: each row does the same work per sentence.

All rows run in one process run, at beam 4, on the same sentences:

(a) ``naive``      transformers fp32, one ``generate`` call per sentence (a length-stratified
                   subset of the sentences, which keeps the run short);
(b) ``hf_b16``     transformers fp32, 16 sentences per call in document order (how batching
                   is usually done with transformers);
    ``hf_b16_sorted`` the same, sorted by length first (a stricter baseline: less padding);
(c) ``daen``       ``daen translate --backend auto`` in a child process, cold translation cache
                   (the CTranslate2 conversion is done beforehand and timed apart);
    ``raw_ct2``    CTranslate2 called directly with daen's settings (same converted model,
                   compute type, threads, token-budget batches, tokenization), in a fresh
                   process like (c), run just before and just after (c), averaged;
(d) ``rerun``      ``daen translate`` again after one sentence changed.

``daen_sps`` counts the seconds inside the pipeline's ``Translator.translate_texts`` (splitting,
dedupe, cache, batching, flags and the model), so ``ratio_vs_raw_ct2`` is the pipeline's own
overhead; ``cold_s`` and ``rerun_s`` are whole command runs (start-up and model load included).
``peak_rss_mib`` is the daen process of (c) alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _marian_random import build_random_marian, decode_length, make_sentences  # noqa: E402

from pipeline.translate.translator import token_batches  # noqa: E402  (daen's own batching)

OUT = HERE / "out"
CONVERSIONS = OUT / "daen-cache"  # DAEN_CACHE_DIR of the daen runs: ct2/ conversions persist
BEAMS = 4


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer sentences (under 2 minutes)")
    parser.add_argument("--sentences", type=int, help="sentences for every row but naive")
    parser.add_argument("--naive-sentences", type=int, help="sentences for the naive row")
    parser.add_argument("--batch-tokens", type=int, default=1024, help="daen's --batch-tokens")
    parser.add_argument("--threads", type=int, help="daen's --threads (default: all cores)")
    parser.add_argument("--backend", default="auto", help="daen's --backend")
    parser.add_argument("--model-dir", type=Path, default=OUT / "random-opus-mt-da-en")
    parser.add_argument("--raw-ct2-child", nargs=5, help=argparse.SUPPRESS,
                        metavar=("CONVERTED", "COMPUTE_TYPE", "INTER", "INTRA", "RESULT"))
    args = parser.parse_args()
    args.sentences = args.sentences or (32 if args.quick else 160)
    args.naive_sentences = args.naive_sentences or (8 if args.quick else 24)
    return args


# -- helpers -------------------------------------------------------------------------------------


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def stratified(items: list[str], count: int, length: Callable[[str], int]) -> list[str]:
    """``count`` items spread evenly over the length-sorted list, so lengths stay representative."""
    ordered = sorted(items, key=length)
    if count >= len(ordered):
        return ordered
    step = len(ordered) / count
    return [ordered[int(i * step + step / 2)] for i in range(count)]


def write_article(path: Path, sentences: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")


# -- rows ----------------------------------------------------------------------------------------


def hf_rows(model_dir: Path, tokenizer: Any, naive: list[str], batched: list[str]) -> dict:
    import torch
    from transformers import MarianMTModel

    model = MarianMTModel.from_pretrained(str(model_dir)).eval()

    def generate(texts: list[str]) -> None:
        batch = tokenizer(texts, return_tensors="pt", padding=True)
        length = decode_length(int(batch["input_ids"].shape[1]))
        with torch.inference_mode():
            out = model.generate(
                **batch, num_beams=BEAMS, min_new_tokens=length, max_new_tokens=length,
                max_length=None,
            )
        tokenizer.batch_decode(out, skip_special_tokens=True)

    generate(naive[:1])  # warm-up
    naive_s = timed(lambda: [generate([text]) for text in naive])
    def batches_of_16(texts: list[str]) -> float:
        return timed(lambda: [generate(texts[i : i + 16]) for i in range(0, len(texts), 16)])

    b16_s = batches_of_16(batched)
    sorted_s = batches_of_16(sorted(batched, key=lambda t: len(tokenizer(t).input_ids)))
    return {
        "naive_sps": len(naive) / naive_s,
        "hf_b16_sps": len(batched) / b16_s,
        "hf_b16_sorted_sps": len(batched) / sorted_s,
    }


def raw_ct2(converted: Path, tokenizer: Any, texts: list[str], compute_type: str,
            inter_threads: int, intra_threads: int, budget: int) -> Callable[[], float]:
    """CTranslate2 called directly with daen's settings: the same model, compute type and
    threads, batches of ``budget`` padded tokens each split between the ``inter_threads``
    workers; returns a function that times one pass over ``texts``."""
    import ctranslate2

    translator = ctranslate2.Translator(
        str(converted), device="cpu", compute_type=compute_type,
        inter_threads=inter_threads, intra_threads=intra_threads,
    )

    def one_pass() -> float:
        started = time.perf_counter()
        tokens = [tokenizer.convert_ids_to_tokens(ids) for ids in tokenizer(texts)["input_ids"]]
        for batch in token_batches([len(t) for t in tokens], budget):
            source = [tokens[i] for i in batch]
            length = decode_length(max(map(len, source)))
            parts = min(inter_threads, len(source))
            split = -(-max(map(len, source)) * len(source) // parts) if parts > 1 else 0
            results = translator.translate_batch(
                source,
                beam_size=BEAMS,
                min_decoding_length=length,
                max_decoding_length=length,
                return_scores=True,
                max_batch_size=split,
                batch_type="tokens",
            )
            for result in results:
                ids = tokenizer.convert_tokens_to_ids(result.hypotheses[0])
                tokenizer.decode(ids, skip_special_tokens=True)
        return len(texts) / (time.perf_counter() - started)

    return one_pass


def run_raw_ct2(args: argparse.Namespace, converted: Path, compute_type: str, inter: int,
                intra: int, result: Path) -> float:
    """One pass of :func:`raw_ct2` in a fresh process, as (c) runs in a fresh process: the
    first translation in a process pays CTranslate2's one-time set-up (kernels, allocations)."""
    command = [
        sys.executable, str(Path(__file__).resolve()), "--sentences", str(args.sentences),
        "--batch-tokens", str(args.batch_tokens), "--model-dir", str(args.model_dir),
        "--raw-ct2-child", str(converted), compute_type, str(inter), str(intra), str(result),
    ]
    subprocess.run(command, capture_output=True, text=True, check=True)
    return float(json.loads(result.read_text())["sps"])


def raw_ct2_child(args: argparse.Namespace) -> None:
    from transformers import MarianTokenizer

    converted, compute_type, inter, intra, result = args.raw_ct2_child
    tokenizer = MarianTokenizer.from_pretrained(str(args.model_dir))
    sentences = make_sentences(tokenizer, args.sentences, seed=7)
    one_pass = raw_ct2(Path(converted), tokenizer, sentences, compute_type, int(inter),
                       int(intra), args.batch_tokens)
    Path(result).write_text(json.dumps({"sps": one_pass()}))


def run_daen(args: argparse.Namespace, article: Path, cache_file: Path, out_dir: Path) -> dict:
    """One ``daen translate`` in a child process; its report plus the wall seconds.

    Conversions are kept in ``bench/out/daen-cache`` between runs; translations go to
    ``cache_file``.
    """
    result = out_dir.parent / "child-result.json"
    result.unlink(missing_ok=True)
    command = [
        sys.executable, str(HERE / "_daen_child.py"), str(result),
        "translate", str(article), "-o", str(out_dir), "--model", str(args.model_dir),
        "--backend", args.backend, "--beams", str(BEAMS),
        "--batch-tokens", str(args.batch_tokens), "--cache-path", str(cache_file),
    ]
    if args.threads:
        command += ["--threads", str(args.threads)]
    env = {**os.environ, "DAEN_CACHE_DIR": str(CONVERSIONS), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0 or not result.exists():
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"daen translate failed (exit {done.returncode})")
    report: dict = json.loads(result.read_text())
    report["process_wall_s"] = wall
    return report


# -- main ----------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    if args.raw_ct2_child:
        raw_ct2_child(args)
        return
    run_started = time.perf_counter()
    import torch
    from transformers import MarianTokenizer

    from pipeline.translate.backends import ct2_backend
    from pipeline.translate.model import resolve_model

    build_random_marian(args.model_dir)
    tokenizer = MarianTokenizer.from_pretrained(str(args.model_dir))
    sentences = make_sentences(tokenizer, args.sentences, seed=7)
    lengths = [len(tokenizer(s).input_ids) for s in sentences]
    naive = stratified(sentences, args.naive_sentences, lambda s: len(tokenizer(s).input_ids))
    threads = args.threads or torch.get_num_threads()

    work = OUT / "translate-run"
    shutil.rmtree(work, ignore_errors=True)
    cache_file, article = work / "translations.sqlite3", work / "input" / "bench.txt"

    # A first start on a tiny article converts the model when needed, so (c) finds it ready.
    write_article(work / "warm" / "warm.txt", sentences[:2])
    warm = run_daen(args, work / "warm" / "warm.txt", work / "warm.sqlite3", work / "warm-out")
    print(f"first start (with any conversion): {warm['process_wall_s']:.1f} s", file=sys.stderr)

    resolved = resolve_model(str(args.model_dir))
    compute_type = str(warm.get("compute_type", "int8"))
    rows: dict[str, Any] = {}
    raw_pass: Callable[[], float] | None = None
    if warm.get("backend") == "ct2":
        converted = ct2_backend.ensure_converted(resolved, compute_type, CONVERSIONS / "ct2")
        settings = (converted, compute_type, int(warm["inter_threads"]),
                    int(warm["intra_threads"]), work / "raw-result.json")

        def raw_pass() -> float:
            return run_raw_ct2(args, *settings)

    write_article(article, sentences)
    raw_before = raw_pass() if raw_pass else None
    cold = run_daen(args, article, cache_file, work / "out")
    raw_after = raw_pass() if raw_pass else None
    rows.update(hf_rows(args.model_dir, tokenizer, naive, sentences))

    changed = list(sentences)
    changed[len(changed) // 2] = changed[len(changed) // 2].rstrip(".") + " i dag."
    write_article(article, changed)
    rerun = run_daen(args, article, cache_file, work / "out")

    daen_sps = cold["sentences"] / cold["translate_s"]
    result: dict[str, Any] = {
        "naive_sps": rows["naive_sps"],
        "hf_b16_sps": rows["hf_b16_sps"],
        "daen_sps": daen_sps,
        "cold_s": cold["process_wall_s"],
        "rerun_s": rerun["process_wall_s"],
        "ratio_vs_naive": daen_sps / rows["naive_sps"],
        "ratio_vs_hf_b16": daen_sps / rows["hf_b16_sps"],
        "hf_b16_sorted_sps": rows["hf_b16_sorted_sps"],
        "ratio_vs_hf_b16_sorted": daen_sps / rows["hf_b16_sorted_sps"],
        "ratio_rerun": cold["process_wall_s"] / rerun["process_wall_s"],
        "peak_rss_mib": cold["peak_rss_mib"],
    }
    if raw_before is not None and raw_after is not None:
        raw_sps = (raw_before + raw_after) / 2
        result.update(raw_ct2_sps=raw_sps, ratio_vs_raw_ct2=daen_sps / raw_sps,
                      raw_ct2_runs_sps=[raw_before, raw_after])
    result.update(
        daen_wall_sps=cold["sentences"] / cold["process_wall_s"],
        sentences=len(sentences),
        naive_sentences=len(naive),
        source_tokens={"min": min(lengths), "median": sorted(lengths)[len(lengths) // 2],
                       "max": max(lengths), "total": sum(lengths)},
        backend=cold.get("backend"),
        compute_type=cold.get("compute_type"),
        beams=BEAMS,
        batch_tokens=args.batch_tokens,
        threads=threads,
        inter_threads=cold.get("inter_threads"),
        intra_threads=cold.get("intra_threads"),
        rerun_translated_s=rerun["translate_s"],
        first_start_s=warm["process_wall_s"],
        cpu=platform.processor() or platform.machine(),
        cores=os.cpu_count(),
        ct2_use_mkl=os.environ.get("CT2_USE_MKL", "default"),
        quick=args.quick,
        bench_s=time.perf_counter() - run_started,
    )
    print_table(result)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}))


def print_table(result: dict[str, Any]) -> None:
    print(f"{result['sentences']} sentences, beam {BEAMS}, {result['threads']} threads, "
          f"daen on {result['backend']} {result['compute_type']}")
    rows = [
        ("(a) transformers fp32, one sentence per call", result["naive_sps"]),
        ("(b) transformers fp32, batch 16", result["hf_b16_sps"]),
        ("    the same, batches sorted by length", result["hf_b16_sorted_sps"]),
        ("    CTranslate2 called directly", result.get("raw_ct2_sps")),
        ("(c) daen translate --backend auto", result["daen_sps"]),
    ]
    for label, sps in rows:
        if sps is not None:
            print(f"  {label:48s} {sps:7.2f} sentences/s")
    print(f"  cold run {result['cold_s']:.1f} s, rerun after one change {result['rerun_s']:.1f} s; "
          f"peak RSS {result['peak_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
