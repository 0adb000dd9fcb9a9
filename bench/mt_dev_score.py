"""Score the cleanup on the machine-translation development set (``../shared/mt-dev``).

The page texts are not in the repository. Give them as a folder of ``PAGE.txt`` files, one per
``page`` id of ``annotations.jsonl`` (default ``bench/out/mt-dev/``, git-ignored), each holding
the page's excerpt as the stored-page search returns it (``--cut`` cuts a raw excerpt after its
last complete sentence). As the set's README says, each line of an excerpt becomes its own
paragraph.

Each article is cleaned (normalize + fix, as ``daen clean`` runs it). Each annotated fragment
is found in its article, and counts as *caught* when an edit or a flag of the sentence(s) it
lies in overlaps it (spans mapped back to the original text through the edits). Prints the
catches per type (a–e), overall, and per flag kind; ``--show`` lists the misses.

    python bench/mt_dev_score.py [--pages bench/out/mt-dev] [--annotations PATH] [--show]

The last line is one JSON object with the totals.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.document import Article, Edit, Sentence  # noqa: E402
from pipeline.fix.stage import fix_article, load_fix_rules  # noqa: E402
from pipeline.registry import kind_of  # noqa: E402
from pipeline.text.normalize import normalize_article  # noqa: E402
from pipeline.text.segment import segment_text  # noqa: E402

DEFAULT_ANNOTATIONS = ROOT.parent / "shared" / "mt-dev" / "annotations.jsonl"
DEFAULT_PAGES = ROOT / "bench" / "out" / "mt-dev"
_SENTENCE_END = re.compile(r"[.!?][\"»”)]?(?=\s|$)")


def cut_excerpt(text: str) -> str:
    """Cut a raw excerpt after its last complete sentence (the search cuts mid-word)."""
    text = text.rstrip()
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    return text[: ends[-1]] if ends else text


def build_article_text(excerpt: str) -> str:
    """Each line of the excerpt its own paragraph (the pages mark paragraphs with one break)."""
    return "\n\n".join(line.strip() for line in excerpt.splitlines() if line.strip()) + "\n"


def to_original(pos: int, edits: list[Edit], upto: int) -> int:
    """Map a position in the text after ``edits[:upto]`` back to the original text."""
    for edit in reversed(edits[:upto]):
        after_end = edit.start + len(edit.after)
        if pos >= after_end:
            pos += len(edit.before) - len(edit.after)
        elif pos > edit.start:
            pos = min(pos, edit.start + len(edit.before))
    return pos


def marked_spans(sentence: Sentence) -> list[tuple[int, int, str]]:
    """Every edit's and flag's span in the sentence's original text, with its rule id."""
    spans = []
    for index, edit in enumerate(sentence.edits):
        start = to_original(edit.start, sentence.edits, index)
        end = to_original(edit.end, sentence.edits, index)
        spans.append((start, max(end, start + 1), edit.rule_id))
    count = len(sentence.edits)
    for flag in sentence.flags:
        start = to_original(flag.start, sentence.edits, count)
        end = to_original(flag.end, sentence.edits, count)
        spans.append((start, max(end, start + 1), flag.rule_id))
    return spans


def _squash(text: str) -> tuple[str, list[int]]:
    """Text with whitespace runs made one space, and each kept character's original index."""
    out, index = [], []
    for i, char in enumerate(text):
        if char.isspace():
            if out and out[-1] == " ":
                continue
            char = " "
        out.append(char)
        index.append(i)
    return "".join(out), index


def find_fragment(article: Article, fragment: str) -> list[tuple[Sentence, int, int]]:
    """The sentence(s) holding the first occurrence of ``fragment``, with its span in each."""
    want, _ = _squash(fragment.strip())
    for paragraph in article.paragraphs:
        pieces, offset, bounds = [], 0, []
        for sentence in paragraph.sentences:
            bounds.append((sentence, offset))
            pieces.append(sentence.original + sentence.space_after)
            offset += len(pieces[-1])
        squashed, index = _squash("".join(pieces))
        at = squashed.find(want)
        if at < 0:
            continue
        start, end = index[at], index[at + len(want) - 1] + 1
        found = []
        for sentence, base in bounds:
            s_end = base + len(sentence.original)
            if base < end and start < s_end:
                found.append(
                    (sentence, max(start - base, 0), min(end - base, len(sentence.original)))
                )
        return found
    return []


def score(pages: Path, annotations: Path, cut: bool, show: bool) -> dict[str, object]:
    rules = load_fix_rules()
    rows = [
        json.loads(line)
        for line in annotations.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    articles: dict[str, Article] = {}
    for page in sorted({row["page"] for row in rows}):
        path = pages / f"{page}.txt"
        if not path.exists():
            raise SystemExit(f"missing {path}: supply the page excerpt (see the docstring)")
        excerpt = path.read_text(encoding="utf-8")
        article = segment_text(build_article_text(cut_excerpt(excerpt) if cut else excerpt), page)
        normalize_article(article)
        articles[page] = fix_article(article, rules)
    caught: Counter[str] = Counter()
    total: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    misses = []
    not_found = 0
    for row in rows:
        kind = row["type"]
        total[kind] += 1
        places = find_fragment(articles[row["page"]], row["fragment"])
        if not places:
            not_found += 1
        hits = [
            rule_id
            for sentence, start, end in places
            for s, e, rule_id in marked_spans(sentence)
            if s < end and start < e
        ]
        if hits:
            caught[kind] += 1
            by_rule.update({kind_of(h).name for h in hits})
        else:
            misses.append(row)
    for kind in sorted(total):
        share = 100 * caught[kind] / total[kind]
        print(f"type {kind}: {caught[kind]:>3} / {total[kind]:<3} ({share:.0f}%)")
    overall = sum(caught.values())
    count = sum(total.values())
    print(f"overall: {overall} / {count} ({100 * overall / count:.0f}%)")
    print("caught by kind: " + ", ".join(f"{k} {v}" for k, v in by_rule.most_common()))
    if not_found:
        print(f"warning: {not_found} fragment(s) not found in their article", file=sys.stderr)
    if show:
        for row in misses:
            print(f"  miss {row['page'][:2]} {row['type']}: {row['fragment']}")
    return {
        "caught": overall,
        "total": count,
        "percent": round(100 * overall / count, 1),
        "by_type": {k: [caught[k], total[k]] for k in sorted(total)},
        "not_found": not_found,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--annotations", type=Path, default=DEFAULT_ANNOTATIONS)
    parser.add_argument(
        "--cut", action="store_true", help="cut raw excerpts after the last sentence"
    )
    parser.add_argument("--show", action="store_true", help="list the defects not caught")
    args = parser.parse_args()
    print(json.dumps(score(args.pages, args.annotations, args.cut, args.show)))


if __name__ == "__main__":
    main()
