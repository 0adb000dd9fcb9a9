"""Benchmark: growth exponent per stage on hostile inputs, and the cost of one large article.

Each hostile input (20 KB of ``a``, of ``1.``, of ``.``, repeated ``a ' s``, and more) is
doubled from 20 KB to 160 KB; every stage (segment, normalize, fix, record, html, diff) is timed
at each size (in CPU time of its process, so that other work on the machine skews it less)
and the growth exponent is the slope of log(time) over log(size): 1.0 is linear,
2.0 quadratic. Each input runs in its own process with a time limit, so a stage that explodes
only shortens its own row (sizes past the limit are left out and the row is marked ``cut``).

    python bench/adversarial.py                  # every input, 20..160 KB
    python bench/adversarial.py --only dots,a    # some inputs
    python bench/adversarial.py --large          # also a 1 MB and a 10 MB article
    python bench/adversarial.py --large-only

The large-article part runs the same stages on ordinary prose of 1 MB and 10 MB, each in a
fresh process, and prints seconds per MB, the 10 MB / 1 MB ratio of that, and each process's
peak resident memory. The last line is one JSON object with everything.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGES = ("segment", "normalize", "fix", "record", "html", "diff")
SIZES_KB = (20, 40, 80, 160)
TARGET_EXPONENT = 1.2
# A stage faster than this at the largest size (over 3 MB/s) has no exponent worth reporting:
# its times are noise (a garbage collection, another process) more than growth ("fast").
NEGLIGIBLE_S = 0.05


def _repeat(unit: str) -> Callable[[int], str]:
    def build(size: int) -> str:
        return (unit * (size // len(unit.encode("utf-8")) + 1)).encode("utf-8")[:size].decode(
            "utf-8", "ignore"
        )

    return build


def _hex(size: int) -> str:
    rng = random.Random(size)
    return "".join(rng.choice("0123456789abcdef") for _ in range(size))


def _letters(size: int) -> str:
    rng = random.Random(size)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzæøå") for _ in range(size // 2 + 1))[
        : size // 2
    ]  # æøå are two bytes: about ``size`` bytes in all


def _nested(size: int) -> str:
    half = size // 2
    return "(" * half + ")" * half


def _mixed_words(size: int) -> str:
    rng = random.Random(size)
    words = ["hej", "Hej", "København", "'s", "‘", "’", "«", "»", "-", "–", "1.", "f.eks.",
             "http://x.dk", "a@b.dk", "(", ")", "&amp;", "Ã¸", "\u200b", "\n", ".", ",", "?"]
    out: list[str] = []
    total = 0
    while total < size:
        word = rng.choice(words)
        out.append(word)
        total += len(word.encode("utf-8")) + 1
    return " ".join(out)


# name -> builder(size in bytes) -> text of about that many bytes
INPUTS: dict[str, Callable[[int], str]] = {
    "a": _repeat("a"),
    "1.": _repeat("1."),
    "dots": _repeat("."),
    "a ' s": _repeat("a ' s "),
    "a+newline": _repeat("a\n"),
    "hex": _hex,
    "letters": _letters,
    "spaces": lambda n: "a" + " " * (n - 2) + "a",
    "newlines": _repeat("\n"),
    "a+blank line": _repeat("a\n\n"),
    "crs": _repeat("\r"),
    "double quotes": _repeat('"'),
    "single quotes": _repeat("'"),
    "curly quotes": _repeat("‘’“”"),
    "guillemets": _repeat("»a« "),
    "quoted words": _repeat('"a" '),
    "dashes": _repeat("-"),
    "spaced dashes": _repeat(" - "),
    "en dashes": _repeat("a – "),
    "nested brackets": _nested,
    "urls": _repeat("https://example.com/a/b?c=d "),
    "url-like": _repeat("www."),
    "emails": _repeat("a@b.dk "),
    "at signs": _repeat("a@"),
    "abbreviations": _repeat("f.eks. "),
    "initials": _repeat("A. "),
    "sentences": _repeat("Hej. "),
    "numbers": _repeat("1.000,5 "),
    "digits": _repeat("1"),
    "entities": _repeat("&amp;"),
    "mojibake": _repeat("Ã¸"),
    "zero-width": _repeat("a\u200b"),
    "combining": _repeat("e\u0301"),
    "apostrophes": _repeat("a's "),
    "tags": _repeat("<b>a</b> "),
    "capitals": _repeat("A"),
    "mixed": _mixed_words,
}


# -- the child: time the stages on one input ----------------------------------------------------


def _pipeline() -> Callable[[str], dict[str, float]]:
    from pipeline.fix.stage import fix_article
    from pipeline.render.html import review_page
    from pipeline.render.text import word_diff_text
    from pipeline.run.stages import load_rules
    from pipeline.text.normalize import normalize_article
    from pipeline.text.reader import article_from_bytes

    rules = load_rules(None)  # as a run loads them (the loaded rules are kept from the GC)

    def run(text: str) -> dict[str, float]:
        times: dict[str, float] = {}
        data = text.encode("utf-8")
        t0 = time.process_time()
        article = article_from_bytes(data, "hostile.txt")
        times["segment"] = time.process_time() - t0
        t0 = time.process_time()
        normalize_article(article)
        times["normalize"] = time.process_time() - t0
        t0 = time.process_time()
        fix_article(article, rules)
        times["fix"] = time.process_time() - t0
        t0 = time.process_time()
        json.dumps(article.to_dict(), ensure_ascii=False, indent=1)
        times["record"] = time.process_time() - t0
        t0 = time.process_time()
        review_page(article)
        times["html"] = time.process_time() - t0
        t0 = time.process_time()
        word_diff_text(article)
        times["diff"] = time.process_time() - t0
        return times

    run("Vi ved det. ‘trend’ i 80% – gruppen.")  # warm-up: imports and compiled patterns
    return run


def child(name: str, sizes_kb: list[int]) -> None:
    run = _pipeline()
    for kb in sizes_kb:
        text = INPUTS[name](kb * 1024)
        best: dict[str, float] | None = None
        deadline = time.perf_counter() + 0.5
        for attempt in range(5):  # small times are noisy: keep the best of a few runs
            gc.collect()
            times = run(text)
            best = times if best is None else {k: min(v, times[k]) for k, v in best.items()}
            if (attempt and time.perf_counter() > deadline) or sum(times.values()) > 0.3:
                break
        print(json.dumps({"kb": kb, "times": best}), flush=True)


def large_child(megabytes: float) -> None:
    from pipeline.fix.stage import fix_article
    from pipeline.qa.check import qa_summary
    from pipeline.render.html import review_page
    from pipeline.render.text import danish_text, english_text, word_diff_text
    from pipeline.run.stages import load_rules
    from pipeline.text.normalize import normalize_article
    from pipeline.text.reader import article_from_bytes

    rules = load_rules(None)
    data = prose(int(megabytes * 1024 * 1024))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    times: dict[str, float] = {}
    article = article_from_bytes(data, "large.txt")
    times["segment"] = time.perf_counter() - t0
    mark = time.perf_counter()
    normalize_article(article)
    times["normalize"] = time.perf_counter() - mark
    mark = time.perf_counter()
    fix_article(article, rules)
    times["fix"] = time.perf_counter() - mark
    mark = time.perf_counter()
    sizes = 0
    for render in (danish_text, english_text, word_diff_text, review_page):
        sizes += len(render(article))
    times["render"] = time.perf_counter() - mark
    mark = time.perf_counter()
    record = article.to_dict()
    record["run"] = {"qa": qa_summary(article)}
    sizes += len(json.dumps(record, ensure_ascii=False, indent=1))
    del record
    times["record"] = time.perf_counter() - mark
    seconds = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "mb": round(len(data) / 2**20, 2), "seconds": round(seconds, 2),
        "stages": {k: round(v, 2) for k, v in times.items()},
        "peak_mib": round(peak_kib / 1024, 1), "start_mib": round(rss_before / 1024, 1),
        "output_mb": round(sizes / 2**20, 1),
    }), flush=True)


def prose(size: int) -> bytes:
    """Ordinary article text with the usual machine-translation defects, ``size`` bytes."""
    sys.path.insert(0, str(ROOT / "bench"))
    from cleanup import DEFECTS  # the defects the cleanup benchmark injects

    rng = random.Random(7)
    sentences = (ROOT / "tests" / "cases" / "negative_da.txt").read_text("utf-8").splitlines()
    for article in sorted((ROOT / "data" / "articles").glob("*.txt")):
        for line in article.read_text("utf-8").splitlines():
            sentences += [s.strip() + "." for s in line.split(". ") if s.strip()]
    parts: list[str] = []
    total = 0
    while total < size:
        chosen = [rng.choice(DEFECTS)(rng.choice(sentences)) for _ in range(rng.randint(1, 6))]
        paragraph = " ".join(chosen) + "\n\n"
        parts.append(paragraph)
        total += len(paragraph.encode("utf-8"))
    return "".join(parts).encode("utf-8")[:size].decode("utf-8", "ignore").encode("utf-8")


# -- the parent: one process per input, exponents ------------------------------------------------


def exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) over log(size).

    >>> round(exponent([(1, 1.0), (2, 4.0), (4, 16.0)]), 2)
    2.0
    """
    points = [(s, max(t, 1e-6)) for s, t in points]
    if len(points) < 2:
        return None
    xs = [math.log(s) for s, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    denominator = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / denominator


def measure(name: str, sizes_kb: list[int], limit_s: float) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", name, "--sizes", ",".join(map(str, sizes_kb))]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    cut = False
    try:
        out, _ = process.communicate(timeout=limit_s)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
        cut = True
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    stages: dict[str, object] = {}
    for stage in STAGES:
        points = [(row["kb"], row["times"][stage]) for row in rows]
        slope = exponent(points)
        if points and points[-1][1] < NEGLIGIBLE_S:
            slope = None  # too fast to time: noise, not growth
        stages[stage] = {
            "exponent": None if slope is None else round(slope, 2),
            "seconds": [round(t, 4) for _, t in points],
        }
    largest = rows[-1]["kb"] if rows else 0
    return {"input": name, "sizes_kb": [r["kb"] for r in rows], "cut": cut,
            "largest_kb": largest, "stages": stages}


def measure_large(megabytes: float, limit_s: float) -> dict[str, object]:
    command = [sys.executable, __file__, "--large-child", str(megabytes)]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=limit_s).stdout
    except subprocess.TimeoutExpired:
        return {"mb": megabytes, "cut": True}
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"mb": megabytes, "failed": True}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated input names")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES_KB)), help="sizes in KB")
    parser.add_argument("--limit", type=float, default=90.0, help="seconds per input")
    parser.add_argument("--large", action="store_true", help="also the 1 MB and 10 MB article")
    parser.add_argument("--large-only", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--large-child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        child(args.child, sizes)
        return
    if args.large_child:
        large_child(args.large_child)
        return
    result: dict[str, object] = {}
    if not args.large_only:
        names = args.only.split(",") if args.only else list(INPUTS)
        rows = []
        print(f"{'input':16} " + " ".join(f"{s:>9}" for s in STAGES) + "   slowest at largest")
        for name in names:
            row = measure(name, sizes, args.limit)
            rows.append(row)
            cells = []
            for stage in STAGES:
                value = row["stages"][stage]["exponent"]  # type: ignore[index]
                mark = "!" if value is not None and value > TARGET_EXPONENT else " "
                timed = len(row["sizes_kb"]) > 1  # type: ignore[arg-type]
                shown = "fast" if value is None and timed else value
                cells.append(f"{'-' if shown is None else shown:>8}{mark}")
            slowest = max(
                (row["stages"][s]["seconds"][-1], s)  # type: ignore[index]
                for s in STAGES if row["stages"][s]["seconds"]  # type: ignore[index]
            ) if row["sizes_kb"] else (0.0, "-")
            note = " (cut)" if row["cut"] else ""
            print(f"{name:16} " + " ".join(cells) +
                  f"   {slowest[1]} {slowest[0]:.3f} s at {row['largest_kb']} KB{note}",
                  flush=True)
        worst = max(
            (r["stages"][s]["exponent"] or 0.0, r["input"], s)  # type: ignore[index]
            for r in rows for s in STAGES
        )
        print(f"worst exponent: {worst[0]} ({worst[1]}, {worst[2]}); target <= {TARGET_EXPONENT}")
        result["inputs"] = rows
        result["worst_exponent"] = worst[0]
    if args.large or args.large_only:
        small = measure_large(1, 300)
        big = measure_large(10, 1200)
        result["large"] = {"1mb": small, "10mb": big}
        for row in (small, big):
            print(f"{row.get('mb')} MB article: {row.get('seconds')} s, peak "
                  f"{row.get('peak_mib')} MiB, stages {row.get('stages')}")
        if "seconds" in small and "seconds" in big:
            ratio = (big["seconds"] / big["mb"]) / (small["seconds"] / small["mb"])  # type: ignore[operator]
            result["large"]["per_mb_ratio"] = round(ratio, 2)  # type: ignore[index]
            print(f"per-MB time, 10 MB / 1 MB: {ratio:.2f} (target <= 3); "
                  f"peak at 10 MB: {big['peak_mib']} MiB (target < 400)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
