"""Measure the cleanup (normalize + fix, as ``daen clean`` runs it) on the fix corpus.

Reads what ``bench/make_fix_corpus.py`` (software docs) or ``bench/make_prose_corpus.py``
(user-guide prose; ``--sources gimp`` for the held-out GIMP manual) wrote and prints:

* restore rate: damaged words (sentence/paragraph starts, headings, Title Case words, names)
  that come out exactly as in the correct text, by kind of damage;
* wrong changes per 100 sentences of correct text: the correct documents are cleaned too, and
  every word that comes out different is a wrong change (fix stage alone and normalize + fix);
* extra changes on the damaged text: words that were not damaged but changed.

Usage: ``python bench/fix_accuracy.py [--corpus /tmp/daen-fix-corpus] [--show 20]``
(``--corpus /tmp/daen-prose-corpus`` for the prose corpus).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

from pipeline.document import Article
from pipeline.fix import fix_article, load_fix_rules
from pipeline.normalize import normalize_article
from pipeline.segment import segment_text

# Documents on which normalize raised: reported, and cleaned by the fix stage alone, so that
# one crash does not hide the measurement of the rest.
NORMALIZE_FAILURES: list[str] = []


def _clean(text: str, rules: object, normalize: bool, name: str = "") -> Article:
    article = segment_text(text)
    if normalize:
        try:
            normalize_article(article)
        except Exception as error:
            NORMALIZE_FAILURES.append(f"{name}: {type(error).__name__}: {error}")
            article = segment_text(text)
    return fix_article(article, rules)  # type: ignore[arg-type]


def _key(word: str) -> str:
    return "".join(c for c in word if c.isalnum())


def word_alignment(before: list[str], after: list[str]) -> dict[int, int]:
    """Index in ``after`` of each word of ``before`` that survived (compared case-blind)."""
    matcher = SequenceMatcher(
        None, [_key(w).lower() for w in before], [_key(w).lower() for w in after], autojunk=False
    )
    mapping = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    return mapping


def changed_words(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.split(), after.split()
    mapping = word_alignment(a, b)
    changes = [(a[i], b[j]) for i, j in mapping.items() if _key(a[i]) != _key(b[j])]
    changes += [(a[i], "") for i in range(len(a)) if i not in mapping]
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/daen-fix-corpus"))
    parser.add_argument("--show", type=int, default=15, help="print this many misses of each kind")
    args = parser.parse_args(argv)
    damage = json.loads((args.corpus / "damage.json").read_text(encoding="utf-8"))

    started = time.perf_counter()
    rules = load_fix_rules()
    load_s = time.perf_counter() - started
    restored: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[str] = []
    wrong_fix, wrong_all, extra = [], [], []
    sentences = 0
    started = time.perf_counter()
    for name, damages in sorted(damage.items()):
        clean = (args.corpus / "clean" / name).read_text(encoding="utf-8")
        damaged = (args.corpus / "damaged" / name).read_text(encoding="utf-8")
        # Correct text: every change is wrong.
        fixed_only = _clean(clean, rules, normalize=False)
        sentences += sum(1 for _ in fixed_only.sentences())
        wrong_fix += [(name, *c) for c in changed_words(clean, fixed_only.text)]
        cleaned = _clean(clean, rules, True, name).text
        wrong_all += [(name, *c) for c in changed_words(clean, cleaned)]
        # Damaged text: each damaged word must come back exactly.
        out = _clean(damaged, rules, normalize=True, name=name).text.split()
        words = clean.split()
        mapping = word_alignment(words, out)
        damaged_at = {d["word"]: d["kind"] for d in damages}
        for index, kind in damaged_at.items():
            total[kind] += 1
            got = out[mapping[index]] if index in mapping else ""
            if _key(got) == _key(words[index]):
                restored[kind] += 1
            else:
                misses.append(f"{name} {kind}: want {words[index]!r} got {got!r}")
        for i, j in mapping.items():
            if i not in damaged_at and _key(words[i]) != _key(out[j]):
                extra.append((name, words[i], out[j]))
    run_s = time.perf_counter() - started

    starts = [k for k in total if k != "name"]
    restored_starts = sum(restored[k] for k in starts)
    total_starts = sum(total[k] for k in starts)
    print(f"corpus: {len(damage)} documents, {sentences} sentences ({args.corpus})")
    print(f"rules loaded in {load_s:.2f} s; cleaned 3 x {len(damage)} documents in {run_s:.1f} s")
    for kind in sorted(total):
        print(f"  restored {kind:<16} {restored[kind]:>5}/{total[kind]:<5} "
              f"{100 * restored[kind] / total[kind]:6.2f}%")
    print(f"restore rate (starts and headings): {restored_starts}/{total_starts} = "
          f"{100 * restored_starts / max(total_starts, 1):.2f}%  (target >= 97%)")
    print(f"wrong changes on correct text, fix stage: {len(wrong_fix)} = "
          f"{100 * len(wrong_fix) / max(sentences, 1):.2f} per 100 sentences (target <= 0.5)")
    print(f"wrong changes on correct text, normalize + fix: {len(wrong_all)} = "
          f"{100 * len(wrong_all) / max(sentences, 1):.2f} per 100 sentences")
    lower_source = [w for w in wrong_fix if w[1][:1].islower() and w[2][:1].isupper()]
    print(f"  of which lower case -> capital: {len(lower_source)}; "
          f"other (capital -> lower case, words): {len(wrong_fix) - len(lower_source)} = "
          f"{100 * (len(wrong_fix) - len(lower_source)) / max(sentences, 1):.2f} per 100")
    print(f"extra changes on damaged text (undamaged words changed): {len(extra)}")
    if NORMALIZE_FAILURES:
        print(f"NORMALIZE FAILED {len(NORMALIZE_FAILURES)} times (fix stage alone used there):")
        for line in NORMALIZE_FAILURES:
            print("  ", line)
    for line in misses[: args.show]:
        print("  miss", line)
    for name, before, after in wrong_fix[: args.show]:
        print(f"  wrong (fix) {name}: {before!r} -> {after!r}")
    for name, before, after in [w for w in wrong_all if w not in wrong_fix][: args.show]:
        print(f"  wrong (normalize) {name}: {before!r} -> {after!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
