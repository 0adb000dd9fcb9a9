"""normalize rules for encoding and Unicode: mojibake, HTML entities, control and invisible
characters, character width, ligatures, composed letters.

Each rule is a ``str -> str`` function whose name is its rule id and whose docstring's first
line is its reason (:mod:`pipeline.text.normalize` runs them, in its ``RULE_ORDER``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.text.lexicon import Lexicon

# UTF-8 read as Latin-1/Windows-1252 turns each non-ASCII character into a lead character
# (Ã, Â, â, Å, …) followed by a continuation character (U+0080–U+00BF, or what Windows-1252
# puts at 0x80–0x9F). ftfy is slow, so it only sees text with such a pair.
MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00df\u00e2-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d"
    "\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u20ac\u2122]"
)


def fix_mojibake(text: str) -> str:
    """Repaired characters garbled by a wrong text encoding (mojibake).

    Uses ftfy, which also undoes double mojibake. Correct text is left alone.

    >>> fix_mojibake("KÃ¸benhavn og KÃƒÂ¸ge")
    'København og Køge'
    >>> fix_mojibake("Ærø og Åbenrå")
    'Ærø og Åbenrå'
    """
    if not MOJIBAKE_HINT.search(text):
        return text
    import ftfy

    return ftfy.fix_encoding(text)


_TOKEN = re.compile(r"\S+")
_LETTERS = re.compile(r"[^\W\d_]+")


def fix_mojibake_words(text: str, knows: Callable[[str], bool] | None = None) -> str:
    """Repaired single garbled words in otherwise correct text (pÃ¥ → på).

    ftfy leaves a sentence alone when it already holds a correct ø; here each word is decoded
    again on its own, and kept only when every word in the result is known Danish (the Hunspell
    lexicon, ``knows``). A garbled letter standing alone (`"Ã¥"` in a text about encodings) is
    left as written.

    >>> known = {"på", "det", "byrådet"}.__contains__
    >>> fix_mojibake_words("Se pÃ¥ det i København. ByrÃ¥det mødes.", lambda w: w.lower() in
    ...     {"på", "byrådet"})
    'Se på det i København. Byrådet mødes.'
    >>> fix_mojibake_words("Tegnet å bliver til Ã¥ i Latin-1.", known)
    'Tegnet å bliver til Ã¥ i Latin-1.'
    """
    if not MOJIBAKE_HINT.search(text):
        return text
    knows = knows or _knows_word

    def repair(match: re.Match[str]) -> str:
        token = match.group(0)
        if not MOJIBAKE_HINT.search(token):
            return token
        fixed = _MOJIBAKE_SEQUENCE.sub(lambda m: _redecode(m.group(0)) or m.group(0), token)
        if fixed == token:
            return token
        words = _LETTERS.findall(fixed)
        if not words or max(len(w) for w in words) < 2:
            return token
        return fixed if all(knows(w) for w in words if not w.isascii() or len(w) > 1) else token

    return _TOKEN.sub(repair, text)


# One character of UTF-8 read as Windows-1252: a lead character and one or two continuation
# characters (as in :data:`MOJIBAKE_HINT`).
_CONTINUATION = MOJIBAKE_HINT.pattern[MOJIBAKE_HINT.pattern.index("]") + 1 :]
_MOJIBAKE_SEQUENCE = re.compile(
    f"[\u00c2-\u00df]{_CONTINUATION}|[\u00e0-\u00ef]{_CONTINUATION}{{2}}"
)


def _redecode(token: str) -> str | None:
    """``token`` encoded as Windows-1252 (Latin-1 where that fails) and decoded as UTF-8."""
    for encoding in ("cp1252", "latin-1"):
        try:
            return token.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
    return None


def _knows_word(word: str) -> bool:
    """Whether the lexicon of the tables that ship with daen (Hunspell plus ``names.txt``)
    knows ``word``; loaded on first use."""
    return _lexicon(None).knows(word)


def lexicon_knows(data_dir: Path | None) -> Callable[[str], bool]:
    """The ``knows`` of :func:`fix_mojibake_words` for the names in ``data_dir`` (None: the
    tables that ship with daen); the lexicon is loaded on the first word asked about, since
    most texts have no mojibake."""
    return lambda word: _lexicon(data_dir).knows(word)


_LEXICONS: dict[Path, Lexicon] = {}


def _lexicon(data_dir: Path | None) -> Lexicon:
    from pipeline.text.lexicon import load_lexicon
    from pipeline.text.tables import data_dir_or_default, require_tables

    folder = data_dir_or_default(data_dir)
    if folder not in _LEXICONS:
        require_tables(folder, ("names.txt",))
        _LEXICONS[folder] = load_lexicon(folder / "names.txt")
    return _LEXICONS[folder]


# Entities that would form markup if unescaped are left as written: the text may end up in a
# Markdown or HTML file, and `&lt;script&gt;` must never become live markup there.
MARKUP_ENTITY = re.compile(r"&(?:lt|gt|#0*60|#0*62|#x0*3c|#x0*3e);", re.IGNORECASE)
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape_html_entities(text: str) -> str:
    """Replaced HTML entities with the characters they stand for.

    Entities for ``<`` and ``>`` are kept as written, so no output can gain live markup.

    >>> unescape_html_entities("Forretningsstrategi &amp; Insight, 10&nbsp;kr.")
    'Forretningsstrategi & Insight, 10\\xa0kr.'
    >>> unescape_html_entities("&lt;script&gt; og AT&T")
    '&lt;script&gt; og AT&T'
    """
    if "&" not in text:
        return text

    def unescape(match: re.Match[str]) -> str:
        entity = match.group(0)
        if MARKUP_ENTITY.fullmatch(entity):
            return entity
        return html.unescape(entity)

    return ENTITY.sub(unescape, text)


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def remove_control_characters(text: str) -> str:
    """Removed control characters that have no place in text.

    >>> remove_control_characters("vækst\\x07 og\\x1b fastholdelse")
    'vækst og fastholdelse'
    """
    return CONTROL.sub("", text)


# Zero-width space, non-joiner, joiner, word joiner, soft hyphen, BOM / zero-width no-break
# space, left-to-right and right-to-left marks, invisible separators.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\u00ad\ufeff\u200e\u200f\u2061-\u2064]")


def remove_invisible_characters(text: str) -> str:
    """Removed invisible characters (zero-width spaces and joiners, soft hyphens, BOM).

    >>> remove_invisible_characters("kunde\\u00adfokus\\u200b er\\ufeff vigtigt")
    'kundefokus er vigtigt'
    """
    return INVISIBLE.sub("", text)


WIDE = re.compile("[\u3000\uff01-\uff5e\uff61-\uffef]")


def fix_character_width(text: str) -> str:
    """Replaced full-width letters, digits and punctuation with ordinary ones.

    >>> fix_character_width("ＬｉｎｋｅｄＩｎ ２０１３")
    'LinkedIn 2013'
    """
    if not WIDE.search(text):
        return text
    import ftfy.fixes

    return ftfy.fixes.fix_character_width(text)


LIGATURE = re.compile("[\u0132\u0133\u01c4-\u01cc\u01f1-\u01f3\ufb00-\ufb06]")


def fix_latin_ligatures(text: str) -> str:
    """Split typographic ligatures (ﬁ, ﬂ) into ordinary letters.

    >>> fix_latin_ligatures("ﬁrmaets ﬂåde")
    'firmaets flåde'
    """
    if not LIGATURE.search(text):
        return text
    import ftfy.fixes

    return ftfy.fixes.fix_latin_ligatures(text)


def compose_unicode(text: str) -> str:
    """Combined letters and accents written as two characters into one (Unicode NFC).

    >>> compose_unicode("A\\u030arhus") == "Århus"
    True
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)
