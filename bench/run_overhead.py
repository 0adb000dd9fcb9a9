"""Benchmark: `daen run` overhead (cleanup, rendering, writing) on a folder of generated articles.

Generates N articles (default 200) from the sample articles in ``data/articles`` (paragraphs
reordered, numbers and a heading varied, so every file differs), spread over subfolders, then
runs ``python -m pipeline run`` as a subprocess with the fake translator (translation is not
what is measured here):

1. first run: every article is processed;
2. second run, nothing changed: every article is skipped (target: < 5% of the first run);
3. third run after editing one article: only that one is redone;
4. baseline in the same session: ``python -m pipeline run MISSING`` (interpreter, imports and
   argument parsing of the command, which stops at once with a usage error).

Wall time and peak RSS (of the child process, from ``wait4``) for each. The manifest's timings
give the in-process breakdown of the first run.

    python bench/run_overhead.py [--articles 200] [--seed 1]

The last line is one JSON object with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "out" / "run_overhead"


def generate(folder: Path, count: int, seed: int) -> int:
    """Write ``count`` varied articles; returns their total size in bytes."""
    rng = random.Random(seed)
    samples = sorted((ROOT / "data" / "articles").glob("*.txt"))
    texts = [s.read_text(encoding="utf-8").split("\n\n") for s in samples]
    total = 0
    for i in range(count):
        paragraphs = list(texts[i % len(texts)])
        head, body = paragraphs[0], paragraphs[1:]
        rng.shuffle(body)
        def shift(match: re.Match[str], i: int = i) -> str:
            return str(1990 + (int(match.group(1)) + i) % 35)

        body = [re.sub(r"\b20(\d\d)\b", shift, p) for p in body]
        text = f"{head} – del {i + 1}\n\n" + "\n\n".join(body[: rng.randint(4, len(body))])
        path = folder / f"sektion-{i // 10:02d}" / f"artikel-{i:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
        total += path.stat().st_size
    return total


def timed(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(cwd)}
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    shutil.rmtree(WORK, ignore_errors=True)
    articles, output = WORK / "articles", WORK / "run"
    size = generate(articles, args.articles, args.seed)
    # Run a snapshot of the code: the run key covers the package's source, so an edit made
    # meanwhile in the working tree would (rightly) make the second run redo everything.
    source = WORK / "src"
    shutil.copytree(ROOT / "pipeline", source / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data", source / "data")
    run = [sys.executable, "-m", "pipeline", "run", str(articles), "-o", str(output),
           "--translator", "fake", "--quiet"]

    first = timed(run, source)
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    sentences = sum(e["counts"]["sentences"] for e in manifest["articles"].values())
    breakdown = manifest["timings"]
    second = timed(run, source)
    second_manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    edited = articles / "sektion-00" / "artikel-000.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nen ny sætning.\n", encoding="utf-8")
    third = timed(run, source)
    third_manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    baseline = timed(
        [sys.executable, "-m", "pipeline", "run", str(WORK / "missing"), "--quiet"], source
    )

    assert manifest["rules"]["table_files"]["phrases.tsv"].startswith(str(source))
    assert first[2] == 0 and second[2] == 0 and third[2] == 0, (first, second, third)
    assert baseline[2] == 2, baseline
    assert second_manifest["totals"]["unchanged"] == args.articles
    assert third_manifest["totals"]["done"] == 1

    rows = [
        ("first run", first),
        ("second run, nothing changed", second),
        ("third run, one article edited", third),
        ("baseline: `daen run` start-up only", baseline),
    ]
    print(f"{args.articles} articles, {size / 1e6:.2f} MB, {sentences} sentences "
          f"(fake translator); outputs in {output}")
    for label, (wall, rss, _) in rows:
        print(f"  {label:<38} {wall:7.2f} s   peak RSS {rss:6.1f} MB")
    print(f"  second / first: {second[0] / first[0]:.1%}   (target < 5%); "
          f"without the start-up baseline: {(second[0] - baseline[0]) / first[0]:.1%}")
    print(f"  first run, in process: {json.dumps(breakdown)}")
    print(f"  second run, in process: {second_manifest['timings']['total_s']:.3f} s")
    print(json.dumps({
        "articles": args.articles,
        "mb": round(size / 1e6, 3),
        "sentences": sentences,
        "first_s": round(first[0], 3),
        "first_peak_rss_mb": round(first[1], 1),
        "unchanged_s": round(second[0], 3),
        "unchanged_peak_rss_mb": round(second[1], 1),
        "unchanged_ratio": round(second[0] / first[0], 4),
        "unchanged_ratio_minus_startup": round((second[0] - baseline[0]) / first[0], 4),
        "one_edited_s": round(third[0], 3),
        "startup_baseline_s": round(baseline[0], 3),
        "first_in_process": breakdown,
        "unchanged_in_process_s": second_manifest["timings"]["total_s"],
    }))


if __name__ == "__main__":
    main()
