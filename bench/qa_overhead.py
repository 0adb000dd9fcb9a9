"""Benchmark: alignment accuracy on the hand-made pairs, and what the qa stage adds to a run.

1. **Accuracy.** Every case of ``tests/data/qa/cases.json`` is aligned; reported: gold pairs
   found exactly (pair-level precision and recall, as in sentence-alignment evaluations), and
   the flags (divergent, added, lost) against the expected ones.
2. **Overhead.** 200 articles (each three of the cases, about 17 sentences) with English
   originals beside them are run through ``run_batch`` with an instant stand-in translator,
   once with the originals and once without (originals hidden), interleaved ``--repeats``
   times; the difference is what the qa stage adds. The qa stage alone (``check_article`` on the
   200 translated articles) is timed too, and set against the time the real model needs for
   the same sentences on this CPU (FIELD-NOTES: about 2.3 sentences/s with torch fp32, 11 with
   CTranslate2 int8).

    .venv/bin/python bench/qa_overhead.py [--articles 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from qa_cases import QACase, load_cases  # noqa: E402

from pipeline.document import Article, Translation  # noqa: E402
from pipeline.qa.align import align  # noqa: E402
from pipeline.qa.check import check_article  # noqa: E402
from pipeline.run.batch import run_batch  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

MODEL_SENTENCES_PER_S = {"torch fp32 (beam 4)": 2.3, "CTranslate2 int8 (beam 4)": 11.0}


def accuracy(cases: list[QACase]) -> None:
    gold_total = found_total = correct = 0
    flags = {"divergent": [0, 0, 0], "added": [0, 0, 0], "lost": [0, 0, 0]}  # tp, fp, fn
    print("alignment on the hand-made pairs")
    for case in cases:
        result = align(case.english, case.back_translations)
        found = [(p.en, p.da) for p in result.pairs]
        hits = len(set(found) & set(case.gold))
        gold_total += len(case.gold)
        found_total += len(found)
        correct += hits
        article = check_article(case.article(), case.english_text)
        assert article.qa is not None
        got = {
            "divergent": {j for p in article.qa["pairs"] if p["flag"] == "qa.divergent"
                          for j in p["da"]},
            "added": set(result.added),
            "lost": set(result.lost),
        }
        expected = {"divergent": set(case.divergent), "added": set(case.added),
                    "lost": set(case.lost)}
        for kind, counts in flags.items():
            counts[0] += len(got[kind] & expected[kind])
            counts[1] += len(got[kind] - expected[kind])
            counts[2] += len(expected[kind] - got[kind])
        print(f"  {case.label:<13} {hits}/{len(case.gold)} gold pairs "
              f"({len(case.english)} English, {len(case.danish)} Danish sentences)")
    print(f"  pairs: precision {correct}/{found_total} = {correct / found_total:.1%}, "
          f"recall {correct}/{gold_total} = {correct / gold_total:.1%}")
    for kind, (tp, fp, fn) in flags.items():
        print(f"  flags {kind:<9}: {tp} right, {fp} false, {fn} missed")


class TableTranslator:
    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.identity = {"model": "table", "revision": "1", "backend": "fake"}

    def translate_texts(
        self, texts: list[str], progress: Callable[[int], None] | None = None
    ) -> list[Translation]:
        if progress is not None:
            progress(len(texts))
        return [Translation(self.table.get(t, t), "table", -0.3) for t in texts]


def make_corpus(cases: list[QACase], folder: Path, count: int) -> tuple[dict[str, str], int]:
    folder.mkdir(parents=True)
    table: dict[str, str] = {}
    for case in cases:
        table.update(zip(case.danish, case.back_translations, strict=True))
    sentences = 0
    for index in range(count):
        parts = [cases[(index + k) % len(cases)] for k in range(3)]
        (folder / f"a{index:03d}.txt").write_text(
            "\n".join(p.danish_text for p in parts), encoding="utf-8")
        (folder / f"a{index:03d}.en.txt").write_text(
            "\n".join(p.english_text for p in parts), encoding="utf-8")
        sentences += sum(len(p.danish) for p in parts)
    return table, sentences


def timed_run(inputs: Path, output: Path, table: dict[str, str], hide_originals: bool) -> float:
    hidden = inputs.parent / "hidden"
    if hide_originals:
        hidden.mkdir()
        for path in inputs.glob("*.en.txt"):
            path.rename(hidden / path.name)
    try:
        shutil.rmtree(output, ignore_errors=True)
        start = time.perf_counter()
        result = run_batch(inputs, output, Settings.from_options(force=True),
                           translator=TableTranslator(table))
        elapsed = time.perf_counter() - start
        assert not result.failed
    finally:
        if hide_originals:
            for path in hidden.iterdir():
                path.rename(inputs / path.name)
            hidden.rmdir()
    return elapsed


def qa_stage_alone(inputs: Path, table: dict[str, str], count: int) -> float:
    from pipeline.text.segment import segment_text

    pairs: list[tuple[Article, str]] = []
    for index in range(count):
        article = segment_text((inputs / f"a{index:03d}.txt").read_text(encoding="utf-8"))
        for sentence in article.sentences():
            sentence.translation = Translation(table[sentence.text], "table")
        pairs.append((article, (inputs / f"a{index:03d}.en.txt").read_text(encoding="utf-8")))
    start = time.perf_counter()
    for article, english in pairs:
        check_article(article, english)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cases = load_cases()
    accuracy(cases)

    with tempfile.TemporaryDirectory() as tmp:
        inputs, output = Path(tmp) / "in", Path(tmp) / "out"
        table, sentences = make_corpus(cases, inputs, args.articles)
        print(f"\n{args.articles} articles, {sentences} sentences, English originals beside")
        timed_run(inputs, output, table, hide_originals=False)  # warm up imports and caches
        with_qa, without_qa, alone = [], [], []
        for _ in range(args.repeats):
            without_qa.append(timed_run(inputs, output, table, hide_originals=True))
            with_qa.append(timed_run(inputs, output, table, hide_originals=False))
            alone.append(qa_stage_alone(inputs, table, args.articles))
        base, full, stage = (statistics.median(v) for v in (without_qa, with_qa, alone))
        print(f"  daen run without originals: {base:6.2f} s  (median of {args.repeats}; "
              "instant stand-in translator)")
        print(f"  daen run with originals:    {full:6.2f} s  (+{full - base:.2f} s, "
              f"x{full / base:.2f})")
        print(f"  qa stage alone:             {stage:6.2f} s  "
              f"({1000 * stage / args.articles:.1f} ms per article, "
              f"{1000 * stage / sentences:.2f} ms per sentence)")
        for engine, rate in MODEL_SENTENCES_PER_S.items():
            model_s = sentences / rate
            print(f"  vs back-translating the same sentences with {engine}: "
                  f"~{model_s:,.0f} s, qa adds {100 * stage / model_s:.2f}%")


if __name__ == "__main__":
    main()
