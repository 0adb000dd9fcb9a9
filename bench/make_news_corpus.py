"""Build the news corpus for the cleanup benchmark: news-style Danish, and a damaged copy.

The text comes from ``bench/news_text.py`` (written for this project: dialogue, prices, dates,
abbreviations, names, apostrophes, headings, TV-listing lines, quotations over several
paragraphs). The seeded damage extends ``bench/make_fix_corpus.py``'s with the defects that
machine translation and bad pipelines leave in news text:

* ``start_*``: a lower-case sentence start, by what stands before it: an ordinary word
  (``after_word``), a number, an abbreviation, ``?``/``!`` (``after_question``), a closing
  quote; ``paragraph_start`` and ``heading_start``;
* ``spaced_stop``: a space before the full stop that ends a sentence (``byen . derfor``);
* ``doubled_period``: an abbreviation that ends a sentence gets a second full stop
  (``250 kr.. den``);
* ``spaced_abbreviation``: ``bl.a.`` written ``bl. a.``;
* ``space_before_comma``: ``sagen , og``;
* ``apostrophe_genitive`` (``Jens ’ datter``), ``apostrophe_colloquial`` (``ku ’``),
  ``apostrophe_inner`` (``d ’ Artagnan``), ``apostrophe_clitic`` (``USA ‘ s``);
* ``mojibake_word``: one word of a sentence that keeps its other æ, ø, å garbled (``pÃ¥``);
* ``compound_dash``: ``80%-gruppen`` written ``80% – gruppen``;
* ``title_case``: a heading in English Title Case (names in it stay as they are);
* ``name``: a name or brand in lower case.

Kinds whose damage only punctuation shows are checked exactly (``exact`` in the record).
Every block carries its class (``plain``, ``dialogue``, ``abbreviation``, ``apostrophe``,
``number_dash``, ``compound``, ``heading``, ``listing``, ``quotation``) so that
``bench/fix_accuracy.py`` reports restore rate and wrong changes per class. Written out:

    OUT/clean/NNNN.txt      the correct text
    OUT/damaged/NNNN.txt    the damaged text
    OUT/damage.json         per document: damaged words (by word index) and block classes

Usage: ``python bench/make_news_corpus.py [--out /tmp/daen-news-corpus] [--seed 12]
[--docs 200]``, then ``python bench/fix_accuracy.py --corpus /tmp/daen-news-corpus``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_fix_corpus import SMALL_WORDS, _names_for_damage
from bench.news_text import held_out_documents, news_documents

OPENING = "»«\"“„‘(–-"
CLOSING = "»«\"”“’)"
# Tokens ending in a full stop that, in this text, never end a sentence.
NOT_FINAL = {
    "cyl.", "str.", "kgl.", "gl.", "dr.", "sct.", "bl.a.", "ca.", "jf.", "pga.", "f.eks.",
    "dvs.", "kl.", "pr.", "inkl.", "tirs.-søn.", "m.fl.", "mio.", "mia.",
}
ABBREVIATION_ENDS = ("kr.", "pct.", "osv.", "mv.", "m.fl.", "kvm.")
SPACED = {"bl.a.": "bl. a.", "f.eks.": "f. eks.", "m.fl.": "m. fl."}
APOSTROPHE = "’"
COLLOQUIAL = {"ku’", "ha’", "ska’", "sgu’", "li’"}


def _letter(word: str) -> int | None:
    index = next((j for j, c in enumerate(word) if c.isalpha()), None)
    if index is None or not all(c in OPENING for c in word[:index]):
        return None
    return index


def _start_kind(previous: str) -> str | None:
    """The kind of sentence start a capitalised word after ``previous`` is, or None."""
    bare = previous.rstrip(CLOSING)
    if not bare.endswith((".", "!", "?")):
        return None
    closed = bare != previous
    if bare.endswith(("?", "!")):
        return "start_after_question"
    if bare.endswith("…") or bare.endswith(".."):
        return None
    if any(bare.lower().endswith(a) for a in NOT_FINAL):
        return None
    if closed:
        return "start_after_quote"
    if bare.lower().endswith(ABBREVIATION_ENDS):
        return "start_after_abbreviation"
    if bare[:-1].replace(".", "").replace(",", "").isdigit():
        return "start_after_number"
    return "start_after_word"


def _mojibake(word: str) -> str:
    return word.encode("utf-8").decode("cp1252", errors="replace")


def damage_block(
    kind: str, text: str, rng: random.Random, names: set[str]
) -> tuple[list[str], list[tuple[int, str, bool]]]:
    """The damaged tokens (one per clean word, possibly with spaces inside) and the damage:
    ``(word index, kind, exact)``."""
    words = text.split(" ")
    out = list(words)
    damages: list[tuple[int, str, bool]] = []
    title_case = kind == "heading" and len(words) >= 3 and rng.random() < 0.5
    has_other_letters = sum(1 for w in words if not w.isascii()) >= 2
    mojibake_done = False
    for i, word in enumerate(words):
        letter = _letter(word)
        start = None
        if letter is not None and word[letter].isupper() and not word[letter:][:2].isupper():
            if i == 0 or (i == 1 and words[0] in ("–", "-")):
                start = "heading_start" if kind == "heading" else (
                    None if kind == "listing" else "paragraph_start")
            elif kind == "text":
                start = _start_kind(words[i - 1])
        if start and rng.random() < 0.5:
            out[i] = word[:letter] + word[letter].lower() + word[letter + 1 :]
            damages.append((i, start, False))
            previous = out[i - 1] if i else ""
            if start == "start_after_word" and previous == words[i - 1] and rng.random() < 0.3:
                out[i - 1] = previous[:-1] + " ."
                damages.append((i - 1, "spaced_stop", True))
            elif start == "start_after_abbreviation" and rng.random() < 0.5:
                out[i - 1] = previous + "."
                damages.append((i - 1, "doubled_period", True))
            continue
        if title_case and i > 0 and letter is not None and word[letter].islower():
            if word.lower().strip(",.:") not in SMALL_WORDS:
                out[i] = word[:letter] + word[letter].upper() + word[letter + 1 :]
                damages.append((i, "title_case", False))
            continue
        if word in SPACED and rng.random() < 0.5:
            out[i] = SPACED[word]
            damages.append((i, "spaced_abbreviation", True))
            continue
        if APOSTROPHE in word.strip("»«\"“”„(),.!?") and rng.random() < 0.7:
            core = word.strip(",.!?«»")
            head, _, tail = core.partition(APOSTROPHE)
            if core in COLLOQUIAL:
                apostrophe_kind = "apostrophe_colloquial"
            elif not tail:
                apostrophe_kind = "apostrophe_genitive"
            elif tail[0].isupper():
                apostrophe_kind = "apostrophe_inner"
            else:
                apostrophe_kind = "apostrophe_clitic"
            clitic = apostrophe_kind == "apostrophe_clitic"
            mark = rng.choice(["’", "'", "‘", "´"]) if clitic else "’"
            joined = f"{head} {mark} {tail}" if tail else f"{head} {mark}"
            out[i] = word.replace(core, joined.rstrip(), 1)
            damages.append((i, apostrophe_kind, True))
            continue
        compound = re.fullmatch(r"(\d+%?|[A-ZÆØÅ]{2,5})-([a-zæøå]{3,}\W*)", word)
        if compound and kind == "text" and not word.endswith(".") and rng.random() < 0.7:
            out[i] = f"{compound.group(1)} – {compound.group(2)}"
            damages.append((i, "compound_dash", True))
            continue
        if (
            kind == "text" and has_other_letters and not mojibake_done and not word.isascii()
            and letter is not None and rng.random() < 0.12
        ):
            out[i] = _mojibake(word)
            mojibake_done = True
            damages.append((i, "mojibake_word", True))
            continue
        if word.endswith(",") and len(word) > 2 and kind == "text" and rng.random() < 0.08:
            out[i] = word[:-1] + " ,"
            damages.append((i, "space_before_comma", True))
            continue
        bare = re.sub(r"\W+$", "", word[letter:]) if letter is not None else ""
        if (
            letter is not None and i > 0 and bare in names and word[letter].isupper()
            and kind == "text" and rng.random() < 0.3
            and not words[i - 1].endswith((".", "!", "?", ":", "«", "»"))
        ):
            out[i] = word[:letter] + word[letter:].lower()
            damages.append((i, "name", False))
    return out, damages


def write_news_corpus(out: Path, docs: list[list[tuple[str, str, str]]], seed: int) -> dict:
    rng = random.Random(seed)
    names = _names_for_damage()
    manifest = {}
    for sub in ("clean", "damaged"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for number, blocks in enumerate(docs, 1):
        clean_parts, damaged_parts, damages, classes = [], [], [], []
        offset = 0
        for kind, label, text in blocks:
            tokens, block_damages = damage_block(kind, text, rng, names)
            damages += [
                {"word": offset + i, "kind": k, **({"exact": True} if exact else {})}
                for i, k, exact in block_damages
            ]
            count = len(text.split(" "))
            classes.append([offset, offset + count, label])
            offset += count
            clean_parts.append(text)
            damaged_parts.append(" ".join(tokens))
        name = f"{number:04d}.txt"
        (out / "clean" / name).write_text("\n\n".join(clean_parts) + "\n", encoding="utf-8")
        (out / "damaged" / name).write_text("\n\n".join(damaged_parts) + "\n", encoding="utf-8")
        manifest[name] = {"damage": damages, "classes": classes}
    (out / "damage.json").write_text(json.dumps(manifest, indent=0), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/daen-news-corpus"))
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument(
        "--held-out", action="store_true",
        help="use the held-out paragraphs (written after tuning), not the templates",
    )
    args = parser.parse_args(argv)
    if args.held_out:
        docs = held_out_documents(args.docs, args.seed)
    else:
        docs = news_documents(args.docs, args.seed)
    manifest = write_news_corpus(args.out, docs, args.seed)
    total = sum(len(d["damage"]) for d in manifest.values())
    words = sum(len(t.split()) for doc in docs for _, _, t in doc)
    print(f"{len(docs)} documents, {words} words, {total} damaged words -> {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
