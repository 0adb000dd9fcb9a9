"""Benchmark: normalize + segment throughput (MB/s) on one core.

Builds a corpus of at least 5 MB from the sample articles and the negative corpus, with
machine-translation defects injected by a seeded generator (lower-case starts, spaced
apostrophes, curly and straight quotes, spaced compound dashes, no-break and zero-width spaces,
mojibake, entities), then times reading, segmenting and normalizing it article by article.

    python bench/cleanup.py [--mb 5] [--seed 1] [--fix] [--texts DIR]

``--fix`` adds the fix stage with the grammar checks and the Danish analyser on (``lt-proc``
runs as a child process on the same core, so wall time is the measure there). ``--texts DIR``
times real text instead (every ``.txt`` file under DIR, undamaged), whose vocabulary the
analyser's per-word cache has not seen.

The last line is one JSON object with `mb`, `seconds`, `mb_per_s`, `articles`, `sentences`,
`edits`, `cpu_seconds`, `mb_per_cpu_s` (CPU time, steadier on a busy machine) and
`single_line_10mb_s` (a 10 MB file with no line breaks, the worst case for a
paragraph-level pass).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.text.normalize import normalize_article  # noqa: E402
from pipeline.text.reader import article_from_bytes  # noqa: E402

DEFECTS = [
    lambda s: s[:1].lower() + s[1:],
    lambda s: s.replace("'s ", " ‘ s ", 1),
    lambda s: s.replace("»", "‘", 1).replace("«", "’", 1),
    lambda s: s.replace("»", "“", 1).replace("«", "”", 1),
    lambda s: s.replace(" ", "\u00a0", 1),
    lambda s: s.replace(" ", " \u200b", 1),
    lambda s: s.replace("ø", "Ã¸", 1),
    lambda s: s.replace(" og ", " &amp; ", 1),
    lambda s: s.replace(", ", " , ", 1),
    lambda s: s.replace("%-", "% – ", 1),
    lambda s: s,
]


def build_corpus(megabytes: float, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    sentences = (ROOT / "tests" / "cases" / "negative_da.txt").read_text("utf-8").splitlines()
    for article in sorted((ROOT / "data" / "articles").glob("*.txt")):
        for line in article.read_text("utf-8").splitlines():
            sentences += [s.strip() + "." for s in line.split(". ") if s.strip()]
    articles: list[bytes] = []
    total = 0
    while total < megabytes * 1e6:
        paragraphs = []
        for _ in range(rng.randint(4, 12)):
            chosen = [rng.choice(DEFECTS)(rng.choice(sentences)) for _ in range(rng.randint(1, 6))]
            paragraphs.append(" ".join(chosen))
            if rng.random() < 0.3:
                paragraphs.append(rng.choice(["gåture i samtalen", "hold kunderne øverst"]))
        data = "\n\n".join(paragraphs).encode("utf-8")
        articles.append(data)
        total += len(data)
    return articles


FIX_RULES: list[object] = []  # the fix stage's rules, with --fix


def clean(data: bytes, name: str) -> tuple[int, int]:
    article = normalize_article(article_from_bytes(data, name))
    if FIX_RULES:
        from pipeline.fix.stage import FixRules, fix_article

        rules = FIX_RULES[0]
        assert isinstance(rules, FixRules)
        fix_article(article, rules)
    sentences = list(article.sentences())
    return len(sentences), sum(len(s.edits) for s in sentences)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fix", action="store_true", help="also run the fix stage (analyser on)")
    parser.add_argument("--texts", type=Path, help="time these .txt files instead")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    if args.fix:
        from pipeline.fix.stage import load_fix_rules

        FIX_RULES.append(load_fix_rules())
    if args.texts:
        corpus = [p.read_bytes() for p in sorted(args.texts.rglob("*.txt"))]
    else:
        corpus = build_corpus(args.mb, args.seed)
    size = sum(len(a) for a in corpus)
    # Warm up: lazy imports (ftfy), regex compilation and the lexicon that word-by-word
    # mojibake repair loads on first use are start-up, not throughput.
    clean("KÃ¸benhavn &amp; ‘trend’ i 80% – gruppen. vi ved det. Ærø ligger pÃ¥ kortet.".encode(),
          "warm-up.txt")
    start, cpu_start = time.perf_counter(), time.process_time()
    sentences = edits = 0
    for index, data in enumerate(corpus):
        s, e = clean(data, f"article-{index}.txt")
        sentences += s
        edits += e
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start

    line = (" ".join(["vi ved alle, at ‘trend’ er Domino ‘ s i 80% – gruppen."] * 200_000))
    big = line.encode("utf-8")[: 10 * 1024 * 1024]
    start = time.perf_counter()
    if not args.fix:
        clean(big.decode("utf-8", "ignore").encode("utf-8"), "single-line.txt")
    single_line_s = time.perf_counter() - start

    result = {
        "mb": round(size / 1e6, 2),
        "seconds": round(seconds, 2),
        "mb_per_s": round(size / 1e6 / seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "mb_per_cpu_s": round(size / 1e6 / cpu_seconds, 2),
        "articles": len(corpus),
        "sentences": sentences,
        "edits": edits,
        "single_line_10mb_s": round(single_line_s, 2),
    }
    stages = "normalize + segment + fix (analyser on)" if args.fix else "normalize + segment"
    print(f"{stages}: {result['mb']} MB in {result['seconds']} s on one core "
          f"= {result['mb_per_s']} MB/s; {result['mb_per_cpu_s']} MB per CPU second "
          f"({sentences} sentences, {edits} edits)")
    print(f"10 MB single-line file: {result['single_line_10mb_s']} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
