"""Measure the cleanup (normalize + fix, as ``daen clean`` runs it) on the fix corpus.

Reads what ``bench/make_fix_corpus.py`` (software docs) or ``bench/make_prose_corpus.py``
(user-guide prose; ``--sources gimp`` for the held-out GIMP manual) wrote and prints:

* restore rate: damaged words (sentence/paragraph starts, headings, Title Case words, names)
  that come out exactly as in the correct text, by kind of damage;
* wrong changes per 100 sentences of correct text: the correct documents are cleaned too, and
  every word that comes out different is a wrong change (fix stage alone and normalize + fix);
* extra changes on the damaged text: words that were not damaged but changed.

A corpus from ``bench/make_news_corpus.py`` also names the class of each block (dialogue,
abbreviation, heading, ...) and marks damage that only punctuation shows as ``exact``; for it
this script also prints, per class, the restore rate and the wrong changes per 100 sentences
(on the correct text and on the damaged text), and the edits per 100 sentences on the correct
text not counting the en dash and the quote style. Words are compared with the quote marks,
dashes and apostrophe characters made alike (house style is no error).

Usage: ``python bench/fix_accuracy.py [--corpus /tmp/daen-fix-corpus] [--show 20]``
(``--corpus /tmp/daen-prose-corpus`` for the prose corpus, ``/tmp/daen-news-corpus`` for news).
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
from pipeline.fix.stage import fix_article, load_fix_rules
from pipeline.text.normalize import normalize_article
from pipeline.text.segment import segment_text

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


_STYLE = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "–": "-", "—": "-"})
_QUOTES = "»«\"“”„›‹"
# Edits that are house style, not corrections: not counted on correct text.
STYLE_RULES = frozenset({"pair_quotes", "use_en_dash_between_clauses"})


def styled(word: str) -> str:
    """``word`` with quote marks dropped and dashes and apostrophes made alike.

    >>> styled("»Jens’«"), styled("–")
    ("Jens'", '-')
    """
    return "".join(c for c in word if c not in _QUOTES).translate(_STYLE)


def changed_words(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.split(), after.split()
    mapping = word_alignment(a, b)
    changes = [(a[i], b[j]) for i, j in mapping.items() if _key(a[i]) != _key(b[j])]
    changes += [(a[i], "") for i in range(len(a)) if i not in mapping]
    return changes


def _class_of(classes: list[list], index: int) -> str:
    for first, last, label in classes:
        if first <= index < last:
            return str(label)
    return "?"


def _sentence_classes(article: Article, classes: list[list]) -> Counter[str]:
    """Sentences per class: each sentence counts for the class of its first word."""
    counts: Counter[str] = Counter()
    index = 0
    for sentence in article.sentences():
        counts[_class_of(classes, index)] += 1
        index += len(sentence.text.split())
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/daen-fix-corpus"))
    parser.add_argument("--show", type=int, default=15, help="print this many misses of each kind")
    args = parser.parse_args(argv)
    damage = json.loads((args.corpus / "damage.json").read_text(encoding="utf-8"))
    news = any(isinstance(record, dict) for record in damage.values())

    started = time.perf_counter()
    rules = load_fix_rules()
    load_s = time.perf_counter() - started
    restored: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[str] = []
    wrong_fix, wrong_all, extra = [], [], []
    class_sentences: Counter[str] = Counter()
    class_restored: Counter[str] = Counter()
    class_total: Counter[str] = Counter()
    class_wrong: Counter[str] = Counter()
    class_extra: Counter[str] = Counter()
    style_edits: Counter[str] = Counter()
    edits_by_rule: Counter[str] = Counter()
    sentences = 0
    started = time.perf_counter()
    for name, record in sorted(damage.items()):
        damages = record["damage"] if isinstance(record, dict) else record
        classes = record.get("classes", []) if isinstance(record, dict) else []
        clean = (args.corpus / "clean" / name).read_text(encoding="utf-8")
        damaged = (args.corpus / "damaged" / name).read_text(encoding="utf-8")
        # Correct text: every change is wrong.
        fixed_only = _clean(clean, rules, normalize=False)
        sentences += sum(1 for _ in fixed_only.sentences())
        wrong_fix += [(name, *c) for c in changed_words(clean, fixed_only.text)]
        cleaned_article = _clean(clean, rules, True, name)
        cleaned = cleaned_article.text
        wrong_all += [(name, *c) for c in changed_words(clean, cleaned)]
        words = clean.split()
        if news:
            class_sentences += _sentence_classes(fixed_only, classes)
            for _, edit in cleaned_article.edits():
                if edit.rule_id in STYLE_RULES:
                    style_edits[edit.rule_id] += 1
                else:
                    edits_by_rule[edit.rule_id] += 1
            after = cleaned.split()
            for i, j in word_alignment(words, after).items():
                if styled(words[i]) != styled(after[j]):
                    class_wrong[_class_of(classes, i)] += 1
        # Damaged text: each damaged word must come back exactly.
        out = _clean(damaged, rules, normalize=True, name=name).text.split()
        mapping = word_alignment(words, out)
        damaged_at = {d["word"]: (d["kind"], d.get("exact", False)) for d in damages}
        for index, (kind, exact) in damaged_at.items():
            total[kind] += 1
            label = _class_of(classes, index) if kind != "name" else ""
            class_total[label] += 1
            got = out[mapping[index]] if index in mapping else ""
            same = styled(got) == styled(words[index]) if exact else _key(got) == _key(words[index])
            if same:
                restored[kind] += 1
                class_restored[label] += 1
            else:
                misses.append(f"{name} {kind}: want {words[index]!r} got {got!r}")
        for i, j in mapping.items():
            if i in damaged_at:
                continue
            if (styled(words[i]) != styled(out[j])) if news else (_key(words[i]) != _key(out[j])):
                extra.append((name, words[i], out[j]))
                class_extra[_class_of(classes, i)] += 1
    run_s = time.perf_counter() - started

    starts = [k for k in total if k != "name"]
    restored_starts = sum(restored[k] for k in starts)
    total_starts = sum(total[k] for k in starts)
    print(f"corpus: {len(damage)} documents, {sentences} sentences ({args.corpus})")
    print(f"rules loaded in {load_s:.2f} s; cleaned 3 x {len(damage)} documents in {run_s:.1f} s")
    for kind in sorted(total):
        print(f"  restored {kind:<24} {restored[kind]:>5}/{total[kind]:<5} "
              f"{100 * restored[kind] / total[kind]:6.2f}%")
    print(f"restore rate (all but names): {restored_starts}/{total_starts} = "
          f"{100 * restored_starts / max(total_starts, 1):.2f}%  (target >= 98%)")
    print(f"wrong changes on correct text, fix stage: {len(wrong_fix)} = "
          f"{100 * len(wrong_fix) / max(sentences, 1):.2f} per 100 sentences (target <= 0.5)")
    print(f"wrong changes on correct text, normalize + fix: {len(wrong_all)} = "
          f"{100 * len(wrong_all) / max(sentences, 1):.2f} per 100 sentences")
    lower_source = [w for w in wrong_fix if w[1][:1].islower() and w[2][:1].isupper()]
    print(f"  of which lower case -> capital: {len(lower_source)}; "
          f"other (capital -> lower case, words): {len(wrong_fix) - len(lower_source)} = "
          f"{100 * (len(wrong_fix) - len(lower_source)) / max(sentences, 1):.2f} per 100")
    print(f"extra changes on damaged text (undamaged words changed): {len(extra)} = "
          f"{100 * len(extra) / max(sentences, 1):.2f} per 100 sentences (target <= 0.5)")
    if news:
        edits = sum(edits_by_rule.values())
        print(f"edits on correct text, not counting en dash and quote style: {edits} = "
              f"{100 * edits / max(sentences, 1):.2f} per 100 sentences (target <= 0.3); "
              f"style edits: {dict(style_edits)}; by rule: {dict(edits_by_rule)}")
        print(f"  {'class':<14} {'sentences':>9} {'restored (no names)':>19} "
              f"{'wrong/100 (correct)':>20} {'wrong/100 (damaged)':>20}")
        for label in sorted(class_sentences):
            n = class_sentences[label]
            rate = 100 * class_restored[label] / class_total[label] if class_total[label] else 100
            print(f"  {label:<14} {n:>9} {class_restored[label]:>10}/{class_total[label]:<5} "
                  f"{rate:6.2f}% {100 * class_wrong[label] / n:>12.2f} "
                  f"{100 * class_extra[label] / n:>20.2f}")
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
    for name, before, after in extra[: args.show]:
        print(f"  extra (damaged) {name}: {before!r} -> {after!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
