"""Build the fix-stage accuracy corpus: real, correct Danish prose, and a damaged copy of it.

Sources (Debian packages with Danish documentation written by people, fetched with
``apt-get download`` into the cache folder, never installed):

* ``libreoffice-help-da``: the LibreOffice help, translated into Danish;
* ``debian-edu-doc-da``: the Debian Edu manual (only its Danish paragraphs);
* ``gimp-help-da``: the GIMP user manual in Danish (optional: ``--gimp``, a 50 MB download).

Each help page (or manual section) becomes one document: its headings and its prose
paragraphs (``<p>`` with at least six words and Danish function words). The damage is seeded
and imitates machine translation: lower-cased sentence and paragraph starts, lower-cased
headings, English Title Case headings, and lower-cased names and brands. Written out:

    OUT/clean/NNNN.txt      the correct text
    OUT/damaged/NNNN.txt    the damaged text
    OUT/damage.json         per document: which words were damaged, and how

Usage: ``python bench/make_fix_corpus.py [--out /tmp/daen-fix-corpus] [--seed 13] [--gimp]``
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import subprocess
import sys
from pathlib import Path

PACKAGES = ["libreoffice-help-da", "debian-edu-doc-da"]
GIMP = "gimp-help-da"
# Where each package keeps its Danish pages: only these are read, so other packages unpacked
# into the same cache (the prose corpus's, say) never leak into this corpus.
FOLDERS = {
    "libreoffice-help-da": "usr/share/libreoffice/help/da",
    "debian-edu-doc-da": "usr/share/doc/debian-edu-doc-da",
    GIMP: "usr/share/gimp/2.0/help/da",
}
DANISH_FUNCTION_WORDS = frozenset(
    "og i at er det en til på der med som for de af ikke den kan du har et eller vil fra "
    "skal hvis når så sig om man denne dette disse også blive bliver være var ved".split()
)
SMALL_WORDS = frozenset("og i at en et på til af med for om fra den det de som".split())


def fetch(packages: list[str], cache: Path) -> Path:
    """Download and unpack the packages into ``cache`` (once)."""
    cache.mkdir(parents=True, exist_ok=True)
    root = cache / "root"
    for package in packages:
        marker = cache / f"{package}.unpacked"
        if marker.exists():
            continue
        debs = list(cache.glob(f"{package}_*.deb"))
        if not debs:
            subprocess.run(["apt-get", "download", package], cwd=cache, check=True)
            debs = list(cache.glob(f"{package}_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(root)], check=True)
        marker.touch()
    return root


_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"<(h[1-3]|p)\b[^>]*>(.*?)</\1>", re.IGNORECASE | re.DOTALL)


def _clean(fragment: str) -> str:
    text = html.unescape(_TAG.sub("", fragment))
    return re.sub(r"\s+", " ", text).strip()


def is_danish_prose(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 6 or not text.rstrip("»«\"')").endswith((".", "!", "?", ":")):
        return False
    danish = sum(w in DANISH_FUNCTION_WORDS for w in words)
    english = sum(w in {"the", "and", "of", "to", "is", "you", "this", "for"} for w in words)
    return danish / len(words) >= 0.15 and english <= 1


def is_heading(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 10 and not text.endswith((".", ":")) and not text.isupper()


def page_blocks(markup: str) -> list[tuple[str, str]]:
    """``(kind, text)`` for the headings and prose paragraphs of one page, in order."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", "", markup, flags=re.DOTALL | re.IGNORECASE)
    blocks = []
    for match in _BLOCK.finditer(markup):
        text = _clean(match.group(2))
        if not text or "This page is:" in text or "Title is:" in text:
            continue
        if match.group(1).lower().startswith("h"):
            if is_heading(text):
                blocks.append(("heading", text))
        elif is_danish_prose(text):
            blocks.append(("text", text))
    return blocks


def documents(root: Path, packages: list[str] | None = None) -> list[list[tuple[str, str]]]:
    docs = []
    folders = [root / FOLDERS[p] for p in (packages or PACKAGES)]
    for page in sorted(p for folder in folders for p in folder.rglob("*.html")):
        markup = page.read_text(encoding="utf-8", errors="replace")
        blocks = page_blocks(markup)
        if "debian-edu" in page.name:
            # One long manual: a document per section (a heading and what follows).
            current: list[tuple[str, str]] = []
            for block in blocks:
                if block[0] == "heading" and sum(k == "text" for k, _ in current) >= 2:
                    docs.append(current)
                    current = []
                current.append(block)
            if sum(k == "text" for k, _ in current) >= 2:
                docs.append(current)
        elif sum(kind == "text" for kind, _ in blocks) >= 2:
            docs.append(blocks)
    # Drop repeated documents (the same help text under several pages).
    seen: set[str] = set()
    unique = []
    for doc in docs:
        key = "\n".join(text for _, text in doc)
        if key not in seen:
            seen.add(key)
            unique.append(doc)
    return unique


# --------------------------------------------------------------------------------------------
# Damage


def damage_document(
    blocks: list[tuple[str, str]], rng: random.Random, lexicon_names: set[str]
) -> tuple[str, str, list[dict[str, object]]]:
    """The clean text, the damaged text and the damaged words (by word index)."""
    from pipeline.text.segment import DanishSplitter

    splitter = DanishSplitter()
    clean_parts, damaged_parts, damages = [], [], []
    word_index = 0
    for kind, text in blocks:
        words = text.split(" ")
        out = list(words)
        starts = {0}
        if kind == "text":
            offset = 0
            positions = []
            for word in words:
                positions.append(offset)
                offset += len(word) + 1
            for start, _ in splitter.spans(text):
                if start in positions:
                    starts.add(positions.index(start))
        title_case = kind == "heading" and len(words) >= 3 and rng.random() < 0.4
        small_words = SMALL_WORDS if rng.random() < 0.5 else frozenset()
        for i, word in enumerate(words):
            letter = next((j for j, c in enumerate(word) if c.isalpha()), None)
            if letter is None:
                continue
            if letter > 0 and not all(c in "»«\"'“„‘(–-" for c in word[:letter]):
                continue
            head = word[letter]
            bare = re.sub(r"\W+$", "", word[letter:])
            if i in starts:
                if head.isupper() and not bare[:2].isupper() and rng.random() < 0.5:
                    out[i] = word[:letter] + head.lower() + word[letter + 1 :]
                    damages.append({"word": word_index + i, "kind": f"{kind}_start"})
            elif title_case:
                if head.islower() and bare.lower() not in small_words:
                    out[i] = word[:letter] + head.upper() + word[letter + 1 :]
                    damages.append({"word": word_index + i, "kind": "title_case"})
            elif (
                head.isupper() and bare in lexicon_names and rng.random() < 0.5
                and not words[i - 1].endswith((".", "!", "?", ":"))
            ):
                out[i] = word[:letter] + word[letter:].lower()
                damages.append({"word": word_index + i, "kind": "name"})
        word_index += len(words)
        clean_parts.append(text)
        damaged_parts.append(" ".join(out))
    return "\n\n".join(clean_parts) + "\n", "\n\n".join(damaged_parts) + "\n", damages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/daen-fix-corpus"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/daen-fix-corpus-cache"))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-docs", type=int, default=600)
    parser.add_argument("--gimp", action="store_true", help="also use gimp-help-da (50 MB)")
    args = parser.parse_args(argv)

    packages = PACKAGES + ([GIMP] if args.gimp else [])
    root = fetch(packages, args.cache)
    docs = documents(root, packages)
    rng = random.Random(args.seed)
    rng.shuffle(docs)
    docs = docs[: args.max_docs]
    manifest = write_corpus(args.out, docs, rng)
    total = sum(len(d) for d in manifest.values())
    print(f"{len(docs)} documents, {total} damaged words -> {args.out}", file=sys.stderr)
    return 0


def write_corpus(
    out: Path, docs: list[list[tuple[str, str]]], rng: random.Random
) -> dict[str, list]:
    """Write each document clean and damaged (``out/clean``, ``out/damaged``) and the damage
    record (``out/damage.json``); returns the record."""
    names = _names_for_damage()
    manifest = {}
    for sub in ("clean", "damaged"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for number, blocks in enumerate(docs, 1):
        clean, damaged, damages = damage_document(blocks, rng, names)
        name = f"{number:04d}.txt"
        (out / "clean" / name).write_text(clean, encoding="utf-8")
        (out / "damaged" / name).write_text(damaged, encoding="utf-8")
        manifest[name] = damages
    (out / "damage.json").write_text(json.dumps(manifest, indent=0), encoding="utf-8")
    return manifest


def _names_for_damage() -> set[str]:
    """Capitalised words that are names (not sentence starts): from data/names.txt and the
    cased stems of the Danish dictionary whose lower-case form is no Danish word."""
    from pipeline.fix.stage import load_fix_rules

    rules = load_fix_rules()
    names = {form for forms in rules.lexicon.names.forms.values() for form in forms}
    hunspell = rules.lexicon.hunspell
    if hunspell is not None:
        for lower, entries in hunspell.stems.items():
            for stem, _ in entries:
                if stem != lower and not rules.lexicon.is_word(lower):
                    names.add(stem)
    return names


if __name__ == "__main__":
    sys.exit(main())
