"""normalize stage: Unicode, mojibake, invisible characters, spaces, quotes, apostrophes, dashes.

Each rule is a small ``str -> str`` function. Its name is its stable rule id and the first line
of its docstring is the reason an editor sees. :func:`normalize_article` applies the rules in
:data:`RULE_ORDER` to every sentence and records an edit only where a rule changed the text.

Quotation marks are the one paragraph-level rule: a quotation may span several sentences, so
:func:`pair_quotes` sees the whole paragraph and its changes are handed back to the sentences.
Rules that could be wrong on correct Danish raise flags instead of changing the text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.document import Article, Paragraph, Sentence
from pipeline.text.spans import Span, changed_spans

if TYPE_CHECKING:
    from pipeline.text.lexicon import Lexicon

STAGE = "normalize"


# --------------------------------------------------------------------------------------------
# Encoding and Unicode


# UTF-8 read as Latin-1/Windows-1252 turns each non-ASCII character into a lead character
# (Ã, Â, â, Å, …) followed by a continuation character (U+0080–U+00BF, or what Windows-1252
# puts at 0x80–0x9F). ftfy is slow, so it only sees text with such a pair.
_MOJIBAKE_HINT = re.compile(
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
    if not _MOJIBAKE_HINT.search(text):
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
    if not _MOJIBAKE_HINT.search(text):
        return text
    knows = knows or _knows_word

    def repair(match: re.Match[str]) -> str:
        token = match.group(0)
        if not _MOJIBAKE_HINT.search(token):
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
# characters (as in :data:`_MOJIBAKE_HINT`).
_CONTINUATION = _MOJIBAKE_HINT.pattern[_MOJIBAKE_HINT.pattern.index("]") + 1 :]
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
    """Whether the project's lexicon (Hunspell plus ``data/names.txt``) knows ``word``;
    loaded on first use."""
    return _default_lexicon().knows(word)


_LEXICON: list[Lexicon] = []


def _default_lexicon() -> Lexicon:
    if not _LEXICON:
        from pathlib import Path

        from pipeline.text.lexicon import load_lexicon

        names = Path(__file__).resolve().parents[2] / "data" / "names.txt"
        _LEXICON.append(load_lexicon(names))
    return _LEXICON[0]


# Entities that would form markup if unescaped are left as written: the text may end up in a
# Markdown or HTML file, and `&lt;script&gt;` must never become live markup there.
_MARKUP_ENTITY = re.compile(r"&(?:lt|gt|#0*60|#0*62|#x0*3c|#x0*3e);", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


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
        if _MARKUP_ENTITY.fullmatch(entity):
            return entity
        return html.unescape(entity)

    return _ENTITY.sub(unescape, text)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def remove_control_characters(text: str) -> str:
    """Removed control characters that have no place in text.

    >>> remove_control_characters("vækst\\x07 og\\x1b fastholdelse")
    'vækst og fastholdelse'
    """
    return _CONTROL.sub("", text)


# Zero-width space, non-joiner, joiner, word joiner, soft hyphen, BOM / zero-width no-break
# space, left-to-right and right-to-left marks, invisible separators.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\u00ad\ufeff\u200e\u200f\u2061-\u2064]")


def remove_invisible_characters(text: str) -> str:
    """Removed invisible characters (zero-width spaces and joiners, soft hyphens, BOM).

    >>> remove_invisible_characters("kunde\\u00adfokus\\u200b er\\ufeff vigtigt")
    'kundefokus er vigtigt'
    """
    return _INVISIBLE.sub("", text)


_WIDE = re.compile("[\u3000\uff01-\uff5e\uff61-\uffef]")


def fix_character_width(text: str) -> str:
    """Replaced full-width letters, digits and punctuation with ordinary ones.

    >>> fix_character_width("ＬｉｎｋｅｄＩｎ ２０１３")
    'LinkedIn 2013'
    """
    if not _WIDE.search(text):
        return text
    import ftfy.fixes

    return ftfy.fixes.fix_character_width(text)


_LIGATURE = re.compile("[\u0132\u0133\u01c4-\u01cc\u01f1-\u01f3\ufb00-\ufb06]")


def fix_latin_ligatures(text: str) -> str:
    """Split typographic ligatures (ﬁ, ﬂ) into ordinary letters.

    >>> fix_latin_ligatures("ﬁrmaets ﬂåde")
    'firmaets flåde'
    """
    if not _LIGATURE.search(text):
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


# --------------------------------------------------------------------------------------------
# Apostrophes and spaces

_APOSTROPHE_LIKE = "'‘’`´′"
# Clitics after an apostrophe: English (Domino's, don't, we'll) and Danish (USA's, 90'erne, cd'er).
_SPACED_APOSTROPHE = re.compile(
    rf"(?<=[^\W_])(?:\s*([{_APOSTROPHE_LIKE}])\s+|\s+([{_APOSTROPHE_LIKE}])\s*|([‘`´′]))"
    r"(?=(?:s|t|d|m|ll|re|ve|erne|er|ere|ernes|ers|ens|en|et)\b)"
)
# The genitive of a name ending in s, x or z is an apostrophe alone: `Jens ’ datter`.
_SPACED_GENITIVE = re.compile(r"\b([A-ZÆØÅ][^\W\d_]*[sxzSXZ]) +([’']) +(?=[^\W\d_])")
# Spoken forms clipped with an apostrophe: `ku’`, `ha’`, `ska’`, `li’ som`, `sgu’`.
_SPACED_CLIPPED = re.compile(
    r"\b((?i:ku|ka|ha|ska|sku|li|sgu|bli|gi|ta|la|vær|hva|sæt|vil|ik)) +([’'])"
    r"(?=[\s,.;:!?«»”]|$)"
)
# A name with an apostrophe inside: `d ’ Artagnan`, `O ’ Brien`.
_SPACED_INNER = re.compile(r"\b([dDlL]|O)(?: ([’']) ?|([’']) )(?=[A-ZÆØÅ])")


_APOSTROPHE_TRIGGER = re.compile(f"[{_APOSTROPHE_LIKE}]")


def join_apostrophes(text: str) -> str:
    """Joined a broken or curly apostrophe to its word (Domino ‘ s → Domino's, ku ’ → ku’).

    Also genitives of names (Jens ’ datter → Jens’ datter) and names with an apostrophe
    inside (d ’ Artagnan → d’Artagnan). A typographic apostrophe (’) is kept; other marks
    used as one become '. Quotation marks that only look like apostrophes are left alone.

    >>> join_apostrophes("Domino ‘ s Facebook og Domino’s pizza i 90 ’erne")
    "Domino's Facebook og Domino’s pizza i 90’erne"
    >>> join_apostrophes("Jens ’ datter ku ’ li ’ som d ’ Artagnan, Linux ’ kerne")
    'Jens’ datter ku’ li’ som d’Artagnan, Linux’ kerne'
    >>> join_apostrophes("en ‘trend’ som ‘ sjovt ’ og Mars’ chef")
    'en ‘trend’ som ‘ sjovt ’ og Mars’ chef'
    """
    if not any(c in text for c in _APOSTROPHE_LIKE):
        return text

    def clitic(match: re.Match[str]) -> str:
        mark = match.group(1) or match.group(2) or match.group(3)
        return "’" if mark == "’" else "'"

    text = _SPACED_APOSTROPHE.sub(clitic, text)
    # The other forms all have a space before the apostrophe (`d’ Artagnan` only after it).
    if " ’" in text or " '" in text:
        text = _SPACED_GENITIVE.sub(r"\1\2 ", text)
        text = _SPACED_CLIPPED.sub(r"\1\2", text)
    elif "’ " not in text and "' " not in text:
        return text
    return _SPACED_INNER.sub(lambda m: m.group(1) + (m.group(2) or m.group(3)), text)


# No-break spaces, en/em/thin/hair spaces, ideographic space, tabs, and line breaks inside a
# sentence all become one ordinary space.
_SPACE_RUN = re.compile("[ \t\n\r\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_ODD_SPACE = re.compile("[\t\n\r\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]|  ")


def normalize_spaces(text: str) -> str:
    """Replaced no-break and other special spaces with a space and collapsed runs of spaces.

    Spaces at the start and end of a sentence are removed too.

    >>> normalize_spaces(" 8.\\u00a0april  kl.\\t14 ")
    '8. april kl. 14'
    """
    if not _ODD_SPACE.search(text) and text == text.strip(" "):
        return text
    return _SPACE_RUN.sub(" ", text).strip(" ")


# Punctuation that ends a clause, preceded by spaces, and followed by a space, the end, or a
# closing mark. `...` is excluded: in Danish a space before an ellipsis is correct.
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=\S) +(?=(?<!\.)[,.:;!?](?![.])(?:[\s\"»«”’')\]]|$))")


def remove_space_before_punctuation(text: str) -> str:
    """Removed the space before a comma, full stop, colon, semicolon, ! or ?.

    >>> remove_space_before_punctuation("Over 80 % ! Det er klart , ikke ?")
    'Over 80 %! Det er klart, ikke?'
    >>> remove_space_before_punctuation("og så ... måske. Se www.dr.dk og :-)")
    'og så ... måske. Se www.dr.dk og :-)'
    """
    return _SPACE_BEFORE_PUNCT.sub("", text)


# A spaced dash between a number, percentage or acronym and a lower-case word that continues
# it as a compound: `80% – gruppen`, `EU – landene`. Function words after the dash mean it is
# a clause dash (`kl. 10 – det var sent`), and digits after it mean a range (`2010 – 2020`).
_COMPOUND_DASH = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?\s?%|\d+|[A-ZÆØÅ]{2,5})"  # left part
    r"[ \u00a0]+[-–—][ \u00a0]+"  # spaced dash
    r"([a-zæøå]{3,})\b"  # the word it continues
)
_FUNCTION_WORDS = frozenset(
    """
    af alle alt at bare da de dem den denne der dermed derefter desuden det dette din dog du
    efter eller en end ens et for fordi fra før han hans hende her hun hvad hvem hver hvilket
    hvis hvor hvordan hvorfor hvornår ikke ind ingen jeg kan kun man med men mens mere mig min
    mod måske ned nej nok nu når og også om op os over på sig sin sine skal som så til uden
    under ud var ved vi vil være år året årene sådan selv senere igen altså især fx
    samme heraf hvoraf helst nemlig cirka siden derfor blot primært typisk ligesom plus
    minus hvilket ellers næsten altid aldrig stadig selvom dvs mindst højst over knap
    """.split()
)
# After a bare number a spaced dash is a clause dash (`i uge 42 – altså om fjorten dage`),
# unless the word after it is one that forms compounds with numbers (`50 – årige`,
# `1990 – tallet`, `3 – værelses`).
_NUMBER_COMPOUND_TAIL = re.compile(
    r"(?:årig|årige|åriges|års|årsdag|årsdagen|tal|tallet|tallets|tals|erne|ernes|dages|"
    r"timers|ugers|måneders|mands|kroners|procents|gruppen|gruppens|meter|meters|grader|"
    r"graders|værelses|sæders|dørs|cylindret|siders|punkts|cifret|cifrede|minutters|"
    r"sekunders|kilometer|km|kg|gram|liter|watt|tommer|tommers|del|delt|dobbelt|fold|"
    r"klasse|klasses|kamp|kampe|ordning|ordningen|regel|reglen)$"
)


def join_compound_dashes(text: str) -> str:
    """Joined a compound split by a spaced dash (80% – gruppen → 80%-gruppen).

    Ranges (2010 – 2020) and clause dashes (kl. 10 – det var sent) are left alone: after a
    bare number only a word that forms compounds with numbers is joined.

    >>> join_compound_dashes("i 80% – gruppen og EU – landene, 50 – årige og 1990 – tallet")
    'i 80%-gruppen og EU-landene, 50-årige og 1990-tallet'
    >>> join_compound_dashes("fra 2010 – 2020 og kl. 10 – det var sent")
    'fra 2010 – 2020 og kl. 10 – det var sent'
    >>> join_compound_dashes("i uge 42 - altså om fjorten dage - og 2 ting – tid og penge")
    'i uge 42 - altså om fjorten dage - og 2 ting – tid og penge'
    """
    if "-" not in text and "–" not in text and "—" not in text:
        return text

    def join(match: re.Match[str]) -> str:
        left, word = match.group(1), match.group(2)
        if word in _FUNCTION_WORDS:
            return match.group(0)
        if left.isdigit() and not _NUMBER_COMPOUND_TAIL.search(word):
            return match.group(0)  # a clause dash after a number
        return f"{left}-{word}"

    return _COMPOUND_DASH.sub(join, text)


# Abbreviations written with a space inside, and the joined form.
_SPACED_ABBREVIATIONS = {
    "bl. a.": "bl.a.", "f. eks.": "f.eks.", "m. fl.": "m.fl.", "m. m.": "m.m.",
    "o. l.": "o.l.", "p. g. a.": "p.g.a.", "t. o. m.": "t.o.m.", "i. f. t.": "i.f.t.",
}
_SPACED_ABBREVIATION = re.compile(
    r"\b(?:" + "|".join(re.escape(k)[:-2] for k in _SPACED_ABBREVIATIONS) + r")\.",
    re.IGNORECASE,
)
# A doubled full stop after an abbreviation (`250 kr.. Den`) at a sentence end.
_DOUBLED_PERIOD = re.compile(r"(?<=[^\W\d_])\.\.(?=[\s»«”’\")]|$)")
# What a spaced abbreviation needs (a literal start keeps the search fast).
_SPACED_PROBE = re.compile(r"\. [^\W\d_]{1,3}\.")


def _abbreviation_trigger(text: str) -> bool:
    """Whether :func:`fix_abbreviation_periods` may have work: two full stops (not three)
    after a short word, or a spaced abbreviation."""
    index = text.find("..")
    while index >= 0:
        start = index
        while start > 0 and start > index - 6 and text[start - 1].isalpha():
            start -= 1
        if 0 < index - start <= 5 and text[index + 2 : index + 3] != ".":
            return True
        index = text.find("..", index + 2)
    return ". " in text and _SPACED_PROBE.search(text) is not None


def fix_abbreviation_periods(text: str) -> str:
    """Joined a spaced abbreviation (bl. a. → bl.a.) and undoubled its full stop (kr.. → kr.).

    A doubled full stop is made one only after an abbreviation at the end of a sentence.

    >>> fix_abbreviation_periods("Han så bl. a. Peter. Det koster 250 kr..")
    'Han så bl.a. Peter. Det koster 250 kr.'
    >>> fix_abbreviation_periods("Vent lige.. og så... Han sagde bl.a. ja")
    'Vent lige.. og så... Han sagde bl.a. ja'
    """
    if ". " in text and _SPACED_PROBE.search(text):
        text = _SPACED_ABBREVIATION.sub(
            lambda m: _SPACED_ABBREVIATIONS.get(m.group(0).lower(), m.group(0))
            if m.group(0).islower() else m.group(0).replace(" ", ""), text
        )
    if ".." not in text:
        return text
    from pipeline.text.segment import is_abbreviation

    return _DOUBLED_PERIOD.sub(
        lambda m: "." if is_abbreviation(_word_before(text, m.start())) else m.group(0), text
    )


def _word_before(text: str, end: int) -> str:
    start = end
    while start > 0 and end - start < 12 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip("(»«\"'“„").lower()


_SPACED_HYPHEN = re.compile(r"(?<=[^\W_]|[,;'’«»”“]) -{1,2} (?=[^\W\d_]|[»«“„\"‘])")


def use_en_dash_between_clauses(text: str) -> str:
    """Replaced a spaced hyphen between words with a dash (tankestreg).

    >>> use_en_dash_between_clauses("vækst - men reelt kundefokus -- skal drives")
    'vækst – men reelt kundefokus – skal drives'
    >>> use_en_dash_between_clauses("side 3 - 5 og 2-3 dage, i uge 42 - altså snart")
    'side 3 - 5 og 2-3 dage, i uge 42 – altså snart'
    """
    if " -" not in text:
        return text
    return _SPACED_HYPHEN.sub(" – ", text)


# --------------------------------------------------------------------------------------------
# Quotation marks (paragraph level)


@dataclass(frozen=True)
class QuoteStyle:
    """The quotation marks of a house style: outer pair, then the pair for quotes inside."""

    name: str
    open1: str
    close1: str
    open2: str
    close2: str


QUOTE_STYLES: dict[str, QuoteStyle] = {
    # guillemets: as in most Danish newspapers' and publishers' house styles.
    "guillemets": QuoteStyle("guillemets", "»", "«", "›", "‹"),
    "danish": QuoteStyle("danish", "”", "”", "’", "’"),
    "danish-single": QuoteStyle("danish-single", "’", "’", "”", "”"),
    "english": QuoteStyle("english", "“", "”", "‘", "’"),
    "english-single": QuoteStyle("english-single", "‘", "’", "“", "”"),
    "german": QuoteStyle("german", "„", "“", "‚", "‘"),
    "guillemets-single": QuoteStyle("guillemets-single", "›", "‹", "»", "«"),
    "straight": QuoteStyle("straight", '"', '"', "'", "'"),
    "straight-single": QuoteStyle("straight-single", "'", "'", '"', '"'),
}
# "auto" keeps the style the article already uses most (so correct text is left alone) and
# makes every other quotation in the article follow it; "guillemets" when it has no quotes.
AUTO_QUOTE_STYLE = "auto"
DEFAULT_QUOTE_STYLE = AUTO_QUOTE_STYLE
FALLBACK_QUOTE_STYLE = "guillemets"
# The style an outermost quotation's opening mark belongs to.
_STYLE_OF_OPENER = {
    "»": "guillemets", "«": "guillemets", "›": "guillemets-single", "‹": "guillemets-single",
    "”": "danish", "’": "danish-single", "“": "english", "‟": "english", "‘": "english-single",
    "‛": "english-single", "„": "german", "‚": "german", '"': "straight", "″": "straight",
    "'": "straight-single", "`": "straight-single", "´": "straight-single",
}

_DOUBLE_QUOTES = '"“”„‟«»″'
_SINGLE_QUOTES = "'‘’‚‛‹›`´"
_ANY_QUOTE = re.compile(f"[{re.escape(_DOUBLE_QUOTES + _SINGLE_QUOTES)}]")
_OPENING_CONTEXT = set("([{/–—-") | set(_DOUBLE_QUOTES) | set(_SINGLE_QUOTES)
_CLOSING_CONTEXT = set(".,;:!?)]}/…–—-") | set(_DOUBLE_QUOTES) | set(_SINGLE_QUOTES)


@dataclass
class QuotePairing:
    replacements: dict[int, str] = field(default_factory=dict)
    unpaired: list[int] = field(default_factory=list)
    outer_openers: list[str] = field(default_factory=list)  # as written in the text


def find_quote_pairs(text: str, style: QuoteStyle) -> QuotePairing:
    """Pair the quotation marks of ``text`` and choose each one's house-style character.

    Marks are classed as opening or closing by what stands beside them; a closing mark closes
    the innermost open quote of its kind (double or single). The outermost level gets the
    style's first pair, quotes inside it the second. When any mark is left unpaired, the marks
    are reported and none is changed. Apostrophes inside or at the end of words are left alone.
    """
    pairing = QuotePairing()
    stack: list[tuple[str, int]] = []  # (kind, position) of open quotes
    pairs: list[tuple[int, int]] = []
    for match in _ANY_QUOTE.finditer(text):
        pos, char = match.start(), match.group()
        kind = "double" if char in _DOUBLE_QUOTES else "single"
        before = text[pos - 1] if pos else ""
        after = text[pos + 1] if pos + 1 < len(text) else ""
        if kind == "single" and before.isalnum() and after.isalnum():
            continue  # an apostrophe inside a word
        can_open = bool(after) and not after.isspace() and (
            not before or before.isspace() or before in _OPENING_CONTEXT
        )
        can_close = bool(before) and not before.isspace() and (
            not after or after.isspace() or after in _CLOSING_CONTEXT
        )
        open_index = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == kind), None)
        if (can_close and not can_open) or (can_close == can_open and open_index is not None):
            if open_index is None:
                if kind == "single" and before.isalpha():
                    continue  # genitive apostrophe after a name ending in s: Mars’
                pairing.unpaired.append(pos)
                continue
            pairing.unpaired.extend(dangling for _, dangling in stack[open_index + 1 :])
            pairs.append((stack[open_index][1], pos))
            del stack[open_index:]
        else:
            stack.append((kind, pos))
    pairing.unpaired.extend(pos for _, pos in stack)
    pairing.unpaired.sort()
    # Pairs nest properly (a closer drops the quotes opened inside it), so the nesting depth
    # of each pair is the number of paired quotes open around it.
    events = sorted([(o, 1, c) for o, c in pairs] + [(c, -1, o) for o, c in pairs])
    depth = 0
    for pos, step, partner in events:
        if step == 1:
            outer = depth % 2 == 0
            if depth == 0:
                pairing.outer_openers.append(text[pos])
            pairing.replacements[pos] = style.open1 if outer else style.open2
            pairing.replacements[partner] = style.close1 if outer else style.close2
            depth += 1
        else:
            depth -= 1
    if pairing.unpaired:
        # One stray mark makes every pairing in the paragraph doubtful: change nothing.
        pairing.replacements.clear()
    return pairing


def detect_quote_style(texts: list[str]) -> str:
    """The style of most outermost quotations in ``texts``; the fallback when there are none.

    >>> detect_quote_style(["Han sagde „ja“ og „nej“.", "Hun sagde »måske«."])
    'german'
    >>> detect_quote_style(["Ingen citater her."])
    'guillemets'
    """
    counts: dict[str, int] = {}
    probe = QUOTE_STYLES[FALLBACK_QUOTE_STYLE]
    for text in texts:
        if not _ANY_QUOTE.search(text):
            continue
        # A spaced apostrophe (`Jens ’ datter`) is no quotation mark.
        if " ’ " in text or " ' " in text:
            text = join_apostrophes(text)
        for opener in find_quote_pairs(text, probe).outer_openers:
            style = _STYLE_OF_OPENER[opener]
            counts[style] = counts.get(style, 0) + 1
    if not counts:
        return FALLBACK_QUOTE_STYLE
    return max(QUOTE_STYLES, key=lambda name: (counts.get(name, 0), name == FALLBACK_QUOTE_STYLE))


def pair_quotes(text: str, style: QuoteStyle = QUOTE_STYLES[FALLBACK_QUOTE_STYLE]) -> str:
    """Made quotation marks follow the house style, paired and nested correctly.

    >>> pair_quotes("med overskriften ‘FIRMS BOOST’ og “Markedssøgning er ‘godt’.”")
    'med overskriften »FIRMS BOOST« og »Markedssøgning er ›godt‹.«'
    >>> pair_quotes('"Hej", sagde hun. Mars’ chef og Domino\\'s.')
    "»Hej«, sagde hun. Mars’ chef og Domino's."
    """
    pairing = find_quote_pairs(text, style)
    if not pairing.replacements:
        return text
    chars = list(text)
    for pos, char in pairing.replacements.items():
        chars[pos] = char
    return "".join(chars)


# --------------------------------------------------------------------------------------------
# Registry and stage


@dataclass(frozen=True)
class Rule:
    rule_id: str
    function: Callable[..., str]
    level: str  # "sentence" or "paragraph"
    # A quick test that the rule may have work in a sentence (None: always run it). It only
    # saves calls: the rule itself is a no-op where the test is false.
    trigger: Callable[[str], object] | None = None

    @property
    def reason(self) -> str:
        doc = self.function.__doc__ or ""
        return doc.strip().splitlines()[0] if doc.strip() else self.rule_id


# Order matters: encoding repair first (it can produce quotes and spaces), quotes before the
# spacing rules that look at them.
RULE_ORDER: list[Rule] = [
    Rule("fix_mojibake", fix_mojibake, "sentence", _MOJIBAKE_HINT.search),
    Rule("fix_mojibake_words", fix_mojibake_words, "sentence", _MOJIBAKE_HINT.search),
    Rule("unescape_html_entities", unescape_html_entities, "sentence", _ENTITY.search),
    Rule("remove_control_characters", remove_control_characters, "sentence", _CONTROL.search),
    Rule(
        "remove_invisible_characters", remove_invisible_characters, "sentence",
        _INVISIBLE.search,
    ),
    Rule("fix_character_width", fix_character_width, "sentence", _WIDE.search),
    Rule("fix_latin_ligatures", fix_latin_ligatures, "sentence", _LIGATURE.search),
    Rule("compose_unicode", compose_unicode, "sentence", lambda text: not text.isascii()),
    Rule("join_apostrophes", join_apostrophes, "sentence", _APOSTROPHE_TRIGGER.search),
    Rule("pair_quotes", pair_quotes, "paragraph"),
    Rule("normalize_spaces", normalize_spaces, "sentence"),
    Rule("remove_space_before_punctuation", remove_space_before_punctuation, "sentence"),
    Rule("fix_abbreviation_periods", fix_abbreviation_periods, "sentence", _abbreviation_trigger),
    Rule("join_compound_dashes", join_compound_dashes, "sentence"),
    Rule("use_en_dash_between_clauses", use_en_dash_between_clauses, "sentence"),
]
RULES: dict[str, Rule] = {rule.rule_id: rule for rule in RULE_ORDER}

# Flags this stage raises (rule id -> what the editor is told).
FLAG_REASONS: dict[str, str] = {
    "quote_unpaired": "Quotation mark without a partner; check where the quote starts or ends.",
    "markup_entity_kept": "HTML-escaped markup (&lt; &gt;) left as written; check the source.",
    "decoded_cp1252": "The file is not UTF-8; it was read as Windows-1252. Check special letters.",
}


@dataclass(frozen=True)
class NormalizeConfig:
    """One switch per rule (all on by default) and the house quote style."""

    disabled: frozenset[str] = frozenset()
    quote_style: str = DEFAULT_QUOTE_STYLE

    def __post_init__(self) -> None:
        unknown = set(self.disabled) - set(RULES)
        if unknown:
            raise ValueError(f"unknown normalize rule(s): {', '.join(sorted(unknown))}")
        if self.quote_style not in QUOTE_STYLES and self.quote_style != AUTO_QUOTE_STYLE:
            raise ValueError(
                f"unknown quote style {self.quote_style!r}; "
                f"choose one of {AUTO_QUOTE_STYLE}, {', '.join(QUOTE_STYLES)}"
            )

    def enabled(self) -> list[Rule]:
        return [rule for rule in RULE_ORDER if rule.rule_id not in self.disabled]


def normalize_text(text: str, config: NormalizeConfig | None = None) -> str:
    """Apply every enabled rule to one piece of text (a sentence or a short paragraph)."""
    config = config or NormalizeConfig()
    name = config.quote_style
    style = QUOTE_STYLES[detect_quote_style([text]) if name == AUTO_QUOTE_STYLE else name]
    for rule in config.enabled():
        text = rule.function(text, style) if rule.level == "paragraph" else rule.function(text)
    return text


def apply_sentence_rule(sentence: Sentence, rule: Rule, *args: object) -> int:
    """Apply a ``str -> str`` rule to a sentence, recording one edit per changed span."""
    after = rule.function(sentence.text, *args)
    if after == sentence.text:
        return 0  # most rules change nothing in most sentences
    return record_spans(sentence, rule, changed_spans(sentence.text, after))


def record_spans(sentence: Sentence, rule: Rule, spans: list[Span], stage: str = STAGE) -> int:
    # One pass over the text, recorded as if applied right to left (offsets stay valid).
    return sentence.apply_edits(stage, rule.rule_id, spans, rule.reason)


# Every sentence rule needs one of these to have anything to do. Most correct sentences have
# none, so a few quick searches spare them a dozen rule calls. (One big alternation of the
# rules' own patterns is five times slower than these.)
_TRIGGER_CHARS = re.compile(
    "[&\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2060-\u2064\u00ad\ufeff"
    "\u3000\uff01-\uffef\ufb00-\ufb06\u0132\u0133\u01c4-\u01cc\u01f1-\u01f3"
    "\u00a0\u1680\u2000-\u200a\u202f\u205f\t\n\r‘’`´′]"
)
_TRIGGER_SPACES = re.compile(" [ ,.:;!?'\u2013\u2014-]|'\\s")


def could_change(text: str) -> bool:
    """Whether any sentence rule might change ``text`` (a fast, safe over-approximation)."""
    return bool(
        _TRIGGER_CHARS.search(text)
        or _TRIGGER_SPACES.search(text)
        or _abbreviation_trigger(text)
        or text.startswith(" ")
        or text.endswith(" ")
        or _MOJIBAKE_HINT.search(text)
        or not unicodedata.is_normalized("NFC", text)
    )


# A rule can expose work for an earlier one (an entity that becomes a no-break space, a space
# that lets ftfy see mojibake), so the rules run again until nothing changes.
MAX_PASSES = 3


def normalize_paragraph(
    paragraph: Paragraph, config: NormalizeConfig | None = None, style_name: str | None = None
) -> None:
    """Normalize one paragraph; ``style_name`` is the article's quote style when resolved."""
    config = config or NormalizeConfig()
    name = style_name or config.quote_style
    if name == AUTO_QUOTE_STYLE:
        name = detect_quote_style([_joined(paragraph)])
    style = QUOTE_STYLES[name]
    dirty = [s for s in paragraph.sentences if could_change(s.text)]
    for _ in range(MAX_PASSES):
        before = [len(s.edits) for s in paragraph.sentences]
        for rule in config.enabled():
            if rule.level == "sentence":
                trigger = rule.trigger
                for sentence in dirty:
                    if trigger is None or trigger(sentence.text):
                        apply_sentence_rule(sentence, rule)
            else:
                _apply_quote_rule(paragraph, rule, style)
        dirty = [
            s
            for s, n in zip(paragraph.sentences, before, strict=True)
            if len(s.edits) > n and could_change(s.text)
        ]
        if not dirty:
            break
    _flag_kept_markup(paragraph)


def _apply_quote_rule(paragraph: Paragraph, rule: Rule, style: QuoteStyle) -> int:
    joined = _joined(paragraph)
    if not _ANY_QUOTE.search(joined):
        return 0
    pairing = find_quote_pairs(joined, style)
    if not pairing.replacements and not pairing.unpaired:
        return 0
    replacements = sorted(pairing.replacements.items())
    changes = 0
    offset = 0
    for sentence in paragraph.sentences:
        start, end = offset, offset + len(sentence.text)
        offset = end + len(sentence.space_after)
        lo = bisect_left(replacements, (start, ""))
        hi = bisect_left(replacements, (end, ""))
        spans = [
            Span(pos - start, pos - start + 1, char)
            for pos, char in replacements[lo:hi]
            if sentence.text[pos - start] != char
        ]
        changes += record_spans(sentence, rule, spans)
        unpaired = pairing.unpaired
        for index in range(bisect_left(unpaired, start), bisect_left(unpaired, end)):
            pos = unpaired[index]
            if _mentioned_mark(sentence.text, pos - start):
                continue
            sentence.add_flag(
                STAGE, "quote_unpaired", pos - start, pos - start + 1,
                FLAG_REASONS["quote_unpaired"], severity="info",
            )
    return changes


def _mentioned_mark(text: str, pos: int) -> bool:
    """A straight quote, backtick or acute accent that touches no letter or digit is the
    character itself, mentioned (*undgå tegnene ", : og >*; *tryk på ` og så et bogstav*), not
    a quotation left open.

    >>> _mentioned_mark('Undgå tegnene <, ", : og >.', 17), _mentioned_mark('Han sagde "nej.', 10)
    (True, False)
    """
    if text[pos] not in "\"'`´":
        return False
    before = text[pos - 1 : pos]
    after = text[pos + 1 : pos + 2]
    return not (before.isalnum() or after.isalnum())


def _joined(paragraph: Paragraph) -> str:
    return "".join(s.text + s.space_after for s in paragraph.sentences)


def _flag_kept_markup(paragraph: Paragraph) -> None:
    for sentence in paragraph.sentences:
        for match in _MARKUP_ENTITY.finditer(sentence.text):
            sentence.add_flag(
                STAGE, "markup_entity_kept", match.start(), match.end(),
                FLAG_REASONS["markup_entity_kept"], severity="info",
            )


def normalize_article(article: Article, config: NormalizeConfig | None = None) -> Article:
    """The normalize stage: apply every enabled rule to every paragraph of the article."""
    config = config or NormalizeConfig()
    style_name = config.quote_style
    if style_name == AUTO_QUOTE_STYLE:
        style_name = detect_quote_style([_joined(p) for p in article.paragraphs])
    for paragraph in article.paragraphs:
        normalize_paragraph(paragraph, config, style_name)
    return article
