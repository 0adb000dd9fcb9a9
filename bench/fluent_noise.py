"""Noise of the cleanup on fluent, correct Danish: flags and edits per 100 sentences.

Every flag on correct text is noise and every edit is a wrong edit (normalize's typographic
edits, quote style and spacing, are listed apart: they change no word). Inputs: ``.txt`` files
or folders of them, e.g. the correct half of the prose corpus (``bench/make_prose_corpus.py``
writes ``OUT/clean/``) and the news-style text in ``bench/fluent_news_da*.txt`` (written for
this project; ``_3`` holds the English loans and terms Danish news uses).

    python bench/fluent_noise.py /tmp/daen-prose-corpus/clean bench/fluent_news_da.txt [--show 30]

Prints flags and edits per 100 sentences, by kind and by rule; the last line is one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.fix.stage import fix_article, load_fix_rules  # noqa: E402
from pipeline.registry import kind_of  # noqa: E402
from pipeline.text.normalize import normalize_article  # noqa: E402
from pipeline.text.segment import segment_text  # noqa: E402

# Normalize rules that change typography only (no letters): not counted as wrong edits.
TYPOGRAPHIC = ("normalize.",)


def files(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        found += sorted(path.rglob("*.txt")) if path.is_dir() else [path]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", type=Path, nargs="+")
    parser.add_argument("--show", type=int, default=0, help="print this many flags and edits")
    args = parser.parse_args()
    rules = load_fix_rules()
    sentences = 0
    flags: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    edits: Counter[str] = Counter()
    shown = 0
    for path in files(args.paths):
        article = segment_text(path.read_text(encoding="utf-8"), path.name)
        normalize_article(article)
        fix_article(article, rules)
        for sentence in article.sentences():
            sentences += 1
            for flag in sentence.flags:
                flags[flag.rule_id] += 1
                kinds[kind_of(flag.rule_id).name] += 1
                if shown < args.show:
                    shown += 1
                    print(
                        f"  flag {flag.rule_id}: {sentence.text[flag.start : flag.end]!r} "
                        f"→ {flag.suggestion!r} | {sentence.text[:120]}"
                    )
            for edit in sentence.edits:
                edits[edit.rule_id] += 1
                if shown < args.show and not edit.rule_id.startswith(TYPOGRAPHIC):
                    shown += 1
                    change = f"{edit.before!r} → {edit.after!r}"
                    print(f"  edit {edit.rule_id}: {change} | {sentence.original[:120]}")
        for flag in article.flags:
            flags[flag.rule_id] += 1
            kinds[kind_of(flag.rule_id).name] += 1
    per100 = 100 / max(sentences, 1)
    wrong = sum(n for rule, n in edits.items() if not rule.startswith(TYPOGRAPHIC))
    print(f"{sentences} sentences")
    print(f"flags per 100 sentences: {sum(flags.values()) * per100:.2f}")
    print("  by kind: " + ", ".join(f"{k} {v * per100:.2f}" for k, v in kinds.most_common()))
    for rule, count in flags.most_common():
        print(f"    {rule:<40} {count * per100:.2f}")
    print(f"wrong edits per 100 sentences: {wrong * per100:.2f}")
    for rule, count in edits.most_common():
        note = "  (typographic)" if rule.startswith(TYPOGRAPHIC) else ""
        print(f"    {rule:<40} {count * per100:.2f}{note}")
    print(
        json.dumps(
            {
                "sentences": sentences,
                "flags_per_100": round(sum(flags.values()) * per100, 2),
                "wrong_edits_per_100": round(wrong * per100, 2),
                "by_kind": {k: round(v * per100, 2) for k, v in kinds.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
