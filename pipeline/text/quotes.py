"""normalize's paragraph-level rule: quotation marks in the house style, paired and nested.

A quotation may span several sentences, so :func:`find_quote_pairs` sees a whole paragraph;
:mod:`pipeline.text.normalize` hands its changes back to the sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.text.punctuation import join_apostrophes


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
ANY_QUOTE = re.compile(f"[{re.escape(_DOUBLE_QUOTES + _SINGLE_QUOTES)}]")
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
    for match in ANY_QUOTE.finditer(text):
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
        if not ANY_QUOTE.search(text):
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
