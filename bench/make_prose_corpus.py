"""Build the prose corpus for the fix-stage benchmark: user-guide prose in Danish, damaged.

The software-docs corpus (``bench/make_fix_corpus.py``) is dominated by the LibreOffice help:
parameter lists, code words and Title-Case-ish headings. This corpus is closer to the
continuous prose that ``daen clean`` is for: whole paragraphs written for readers, in modern
Danish, by people. Sources (Debian packages, fetched with ``apt-get download`` into the cache
folder, never installed):

* ``gnome-user-docs``: the GNOME desktop help (``/usr/share/help/da/gnome-help``), translated
  into Danish (partly: untranslated English paragraphs and headings are left out);
* ``installation-guide-amd64``: the Debian installation guide in Danish (its prose chapters);
* ``gimp-help-da``: the GIMP user manual in Danish (``--sources gimp``, a 50 MB download; not
  in the default corpus, kept apart as a held-out check of the rules tuned on the other two).

Each help page (or guide section) becomes one document: its headings (without section
numbers) and its prose paragraphs. Damage, seed and output layout are those of
``bench/make_fix_corpus.py``::

    OUT/clean/NNNN.txt      the correct text
    OUT/damaged/NNNN.txt    the damaged text
    OUT/damage.json         per document: which words were damaged, and how

Usage: ``python bench/make_prose_corpus.py [--out /tmp/daen-prose-corpus] [--seed 13]
[--sources gnome,guide]``, then ``python bench/fix_accuracy.py --corpus /tmp/daen-prose-corpus``.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_fix_corpus import (
    _clean,
    fetch,
    is_danish_prose,
    is_heading,
    write_corpus,
)

PACKAGES = {
    "gnome": "gnome-user-docs",
    "guide": "installation-guide-amd64",
    "gimp": "gimp-help-da",
}
GNOME_HELP = "usr/share/help/da/gnome-help"
INSTALL_GUIDE = "usr/share/doc/installation-guide-amd64/da"
GIMP_HELP = "usr/share/gimp/2.0/help/da"

_SECTION_NUMBER = re.compile(r"^(?:(?:Kapitel|Appendiks|Tillæg)\s+)?[A-Z0-9]{1,2}(?:\.\d+)*\.?\s+")


def _danish_heading(text: str, is_word: object) -> bool:
    """A heading in Danish: most of its words are Danish words (untranslated ones are not)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    known = [w for w in words if is_word(w)]  # type: ignore[operator]
    english = {"the", "and", "of", "to", "your", "you", "a", "an", "with", "how", "what"}
    return bool(words) and 2 * len(known) > len(words) and not english & set(words)


def gnome_documents(root: Path, is_word: object) -> list[list[tuple[str, str]]]:
    docs = []
    for page in sorted((root / GNOME_HELP).glob("*.page")):
        markup = page.read_text(encoding="utf-8", errors="replace")
        markup = re.sub(r"<info\b.*?</info>", "", markup, flags=re.DOTALL)
        markup = re.sub(r"<(screen|media)\b.*?</\1>", "", markup, flags=re.DOTALL)
        # As the help browser shows them: an empty link shows its address, keys join with +.
        markup = re.sub(r'<link\b[^>]*\bhref="([^"]*)"[^>]*/>', r"\1", markup)
        markup = re.sub(r"</key>\s*<key\b[^>]*>", "+", markup)
        blocks: list[tuple[str, str]] = []
        for match in re.finditer(r"<(title|p)\b[^>]*>(.*?)</\1>", markup, re.DOTALL):
            text = _clean(match.group(2))
            if match.group(1) == "title":
                if is_heading(text) and _danish_heading(text, is_word):
                    blocks.append(("heading", text))
            elif is_prose_paragraph(text):
                blocks.append(("text", text))
        if sum(kind == "text" for kind, _ in blocks) >= 2:
            docs.append(blocks)
    return docs


def is_prose_paragraph(text: str) -> bool:
    """A Danish prose paragraph that stands on its own: one that starts in lower case goes on
    after a code block or screen left out of the corpus (`og sammenlign så …`)."""
    first = next((c for c in text if c.isalnum()), "")
    return is_danish_prose(text) and not first.islower()


def guide_documents(
    root: Path, is_word: object, folder: str = INSTALL_GUIDE
) -> list[list[tuple[str, str]]]:
    """DocBook HTML manuals (the installation guide, the GIMP manual): a document per page."""
    docs = []
    for page in sorted((root / folder).glob("*.html")):
        markup = page.read_text(encoding="utf-8", errors="replace")
        markup = re.sub(r"<(pre|script|style)\b.*?</\1>", "", markup, flags=re.DOTALL)
        markup = re.sub(r'<div class="navheader">.*?</div>', "", markup, flags=re.DOTALL)
        blocks: list[tuple[str, str]] = []
        for match in re.finditer(r"<(h[1-3]|p)\b[^>]*>(.*?)</\1>", markup, re.DOTALL):
            text = _clean(match.group(2))
            if match.group(1).startswith("h"):
                text = _SECTION_NUMBER.sub("", text)
                if is_heading(text) and _danish_heading(text, is_word):
                    blocks.append(("heading", text))
            elif is_prose_paragraph(text):
                blocks.append(("text", text))
        if sum(kind == "text" for kind, _ in blocks) >= 2:
            docs.append(blocks)
    return docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/daen-prose-corpus"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/daen-prose-corpus-cache"))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-docs", type=int, default=600)
    parser.add_argument(
        "--sources", default="gnome,guide", help=f"comma-separated, of: {', '.join(PACKAGES)}"
    )
    args = parser.parse_args(argv)
    sources = [s.strip() for s in args.sources.split(",") if s.strip()]
    if not sources or set(sources) - set(PACKAGES):
        parser.error(f"--sources: choose from {', '.join(PACKAGES)}")

    from pipeline.fix.stage import load_fix_rules

    is_word = load_fix_rules().lexicon.is_word
    root = fetch([PACKAGES[s] for s in sources], args.cache)
    docs = []
    if "gnome" in sources:
        docs += gnome_documents(root, is_word)
    if "guide" in sources:
        docs += guide_documents(root, is_word)
    if "gimp" in sources:
        docs += guide_documents(root, is_word, GIMP_HELP)
    seen: set[str] = set()
    unique = []
    for doc in docs:
        key = "\n".join(text for _, text in doc)
        if key not in seen:
            seen.add(key)
            unique.append(doc)
    rng = random.Random(args.seed)
    rng.shuffle(unique)
    unique = unique[: args.max_docs]
    manifest = write_corpus(args.out, unique, rng)
    words = sum(len(b[1].split()) for doc in unique for b in doc)
    total = sum(len(d) for d in manifest.values())
    print(f"{len(unique)} documents, {words} words, {total} damaged words -> {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
