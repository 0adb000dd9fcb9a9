"""Casing rules of the fix stage: sentence starts, Title Case headings, names and brands.

Each rule is a small ``str -> str`` function; its id is in :data:`RULE_IDS` and the first line
of its docstring is the reason an editor sees. The rules are conservative: Danish nouns are
lower case, so nothing is ever capitalised except a sentence start and a name the lexicon
knows, and nothing is ever lower-cased except the words of an English-style Title Case heading.
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.fix.phrases import Spans, overlaps, protected_spans
from pipeline.text.lexicon import Lexicon

# Quotes, brackets and dashes that may open a sentence before its first letter.
OPENERS = "\"'»«“”„‘’‚›‹([{–—-‐•*¡¿ \t"
# Markdown markers at the start of a paragraph: heading, list item, numbered item, quote.
MARKERS = re.compile(r"^(?:\s*(?:#{1,6}|[-*+•–]|\d{1,3}[.)]|>)[ \t]+)+")
# Anything in the first token that means code, a path, a handle or a list label.
# A slash counts where the token is a path (`/etc`, `src/main.py`), not in `cd/dvd`.
_TECHNICAL = re.compile(
    r"[@_=\\<>{}|]|^[/~]|/\S*\.\w|^[a-zæøå][.)]$|^[a-zæøå]\)"
)
WORD = re.compile(r"[^\W\d_]+(?:['’][sS])?")

# Small words an English Title Case heading keeps lower case (or Danish function words:
# articles, prepositions, conjunctions, pronouns and auxiliary verbs, which Danish never
# capitalises inside a heading unless they start a name).
TITLE_SMALL_WORDS = frozenset(
    """
    a an and as at but by for from in into of on or the to with vs via
    af at de den der det du efter eller en er et for fra han hun har i ikke jeg med men mod
    og om op på sig som til ud under ved vi
    din dit dine min mit mine sin sit sine vores jeres deres hans hendes dens dets man
    hvad hvem hvor hvordan hvorfor hvornår hvilken hvilket hvilke når hvis så
    kan skal vil må bliver blev var være have
    """.split()
)


def first_letter(text: str, markers: bool = False) -> int | None:
    """Index of the first letter a sentence starts with, after quotes, dashes and brackets
    (and Markdown markers when ``markers``); ``None`` when it starts with something else.

    >>> first_letter("»vi ved"), first_letter("- punkt", markers=True), first_letter("2013 var")
    (1, 2, None)
    """
    pos = 0
    if markers:
        match = MARKERS.match(text)
        if match:
            pos = match.end()
    while pos < len(text) and text[pos] in OPENERS:
        pos += 1
    if pos < len(text) and text[pos].isalpha():
        return pos
    return None


def lower_case_by_design(text: str, pos: int, lexicon: Lexicon | None = None) -> bool:
    """The word at ``pos`` is right in lower case at a sentence start: a brand like iPhone or
    eBay, a URL or e-mail address, code or a path, or a list label like ``a)``.

    >>> lower_case_by_design("iPhone er", 0), lower_case_by_design("www.dr.dk har", 0)
    (True, True)
    >>> lower_case_by_design("vi ved", 0)
    False
    """
    token = text[pos:].split(maxsplit=1)[0] if text[pos:].strip() else ""
    word_match = WORD.match(text, pos)
    word = word_match.group(0) if word_match else ""
    if any(c.isupper() for c in word[1:]):
        # iPhone, eBay, iOS are right; a lost capital in `libreOffice` or `pDF-fil` is not.
        rest = word[1:].split("-")[0]
        if rest.isupper() and len(rest) >= 2:
            return False
        known = lexicon.cased_forms(word.lower()) if lexicon is not None else set()
        return word[0].upper() + word[1:] not in known
    if _TECHNICAL.search(token) or overlaps(pos, pos + 1, protected_spans(text)):
        return True
    if lexicon is not None and word:
        return any(form[0].islower() for form in lexicon.names.forms.get(word.lower(), ()))
    return False


def capitalize_sentence_start(
    text: str, lexicon: Lexicon | None = None, markers: bool = False
) -> str:
    """Capitalised the first letter of a sentence, paragraph or heading.

    Skips opening quotes and dashes (and Markdown markers at a paragraph start); leaves text
    that starts with a digit, a URL or e-mail address, or a word written in lower case by
    design (iPhone, eBay).

    >>> capitalize_sentence_start("vi ved alle, at")
    'Vi ved alle, at'
    >>> capitalize_sentence_start("»hvad nu?« spurgte han"), capitalize_sentence_start("– og så")
    ('»Hvad nu?« spurgte han', '– Og så')
    >>> capitalize_sentence_start("## brug tid sammen med kunder", markers=True)
    '## Brug tid sammen med kunder'
    >>> capitalize_sentence_start("iPhone-salget steg")
    'iPhone-salget steg'
    >>> capitalize_sentence_start("2013 blev et år")
    '2013 blev et år'
    >>> capitalize_sentence_start("info@firma.dk svarer hurtigt")
    'info@firma.dk svarer hurtigt'
    """
    pos = first_letter(text, markers)
    if pos is None or not text[pos].islower() or lower_case_by_design(text, pos, lexicon):
        return text
    return text[:pos] + text[pos].upper() + text[pos + 1 :]


def is_title_case(text: str, markers: bool = True) -> bool:
    """An English-style Title Case heading: two or more words after the first, and every word
    after the first that is not a small word starts with a capital letter.

    >>> is_title_case("Brug Regelmæssigt Tid Sammen Med Kunder"), is_title_case("Danske Bank")
    (True, False)
    >>> is_title_case("Hold kunderne øverst på dagsordenen")
    False
    >>> is_title_case("Indstillinger For Indtastning")
    True
    """
    words = _heading_words(text, markers)
    if _name_with_article(words):
        return False
    rest = [w for w in words[1:] if w.lower() not in TITLE_SMALL_WORDS and len(w) > 1]
    # A capitalised small word inside a heading (`For`, `Og`, `Din`) is English Title Case.
    small_capitals = [w for w in words[1:] if w.lower() in TITLE_SMALL_WORDS and w[0].isupper()]
    if len(rest) < (1 if small_capitals else 2) and len(small_capitals) < 2:
        return False
    capitalised = [w for w in rest if w[0].isupper() and not w.isupper()]
    enough = len(capitalised) >= 2 or small_capitals
    return bool(enough) and all(w[0].isupper() for w in rest)


def _name_with_article(words: list[str]) -> bool:
    """A capitalised article after a word left in lower case starts a name (`Mødet i Det
    Hvide Hus`): English Title Case keeps `the` in lower case, so it is no Title Case."""
    seen_lower = False
    for word in words[1:]:
        if word[0].islower():
            seen_lower = True
        elif seen_lower and word.lower() in ("det", "den", "de"):
            return True
    return False


def _heading_words(text: str, markers: bool = True) -> list[str]:
    """The first word of each space-separated token (`OLE-objekt` counts as `OLE`), without
    tokens that start with a digit (`64-bit`)."""
    start = MARKERS.match(text)
    body = text[start.end() :] if markers and start else text
    tokens = [t for t in body.split() if not t.lstrip(OPENERS)[:1].isdigit()]
    return [m.group(0) for m in (WORD.search(token) for token in tokens) if m]


def single_capital_heading(
    text: str, lexicon: Lexicon | None, names: dict[str, str] | None = None
) -> bool:
    """A heading of three or more words whose only capitalised word after the first is a
    Danish common word (``Tilføj en Konto``): Danish does not capitalise nouns.

    >>> single_capital_heading("Tilføj en Konto", None)
    False
    """
    match = _single_capital(text, lexicon, names)
    return match is not None and not doubtful_heading_capital(text, match, lexicon)


def doubtful_heading_span(
    text: str, lexicon: Lexicon | None, names: dict[str, str] | None = None
) -> tuple[int, int] | None:
    """Where a heading's only capitalised word may be a place name or a common noun
    (`Borgmesteren i Skive går af`): the fix stage flags it instead of changing it."""
    match = _single_capital(text, lexicon, names)
    if match is None or not doubtful_heading_capital(text, match, lexicon):
        return None
    return match.span()


def _single_capital(
    text: str, lexicon: Lexicon | None, names: dict[str, str] | None
) -> re.Match[str] | None:
    """The one capitalised Danish common word after the first word of a heading, if any."""
    if lexicon is None or not lexicon.has_dictionary:
        return None
    words = _heading_words(text)
    if len(words) < 3:
        return None
    first = WORD.search(text)
    capitals = [
        m for m in WORD.finditer(text, first.end() if first else 0)
        if m.group(0)[0].isupper() and not _in_number_token(text, m.start())
        and not (m.group(0).isupper() and len(m.group(0)) > 1)  # acronyms (TFTP) keep theirs
    ]
    if len(capitals) != 1 or _keeps_capital_in_place(text, capitals[0]):
        return None
    if first is not None and not text[first.end() : capitals[0].start()].strip():
        return None  # right after the first word: a name of two words (`Novo Nordisk`)
    word = capitals[0].group(0)
    if word.isupper() or len(word) < 3:
        return None
    lower = word.lower()
    if keeps_capital_as_name(word, lexicon) or (names and names.get(lower) == word):
        return None
    if lexicon.cased_forms(lower):
        return None  # also a name (Venstre, Bank)
    return capitals[0] if lexicon.is_word(lower) or lexicon.is_compound(lower) else None


# Prepositions before a place (`Brand i Skive`, `Nyt fra Herning`).
_PLACE_PREPOSITIONS = frozenset("i fra ved hos nær omkring".split())


def doubtful_heading_capital(
    text: str, match: re.Match[str], lexicon: Lexicon | None = None
) -> bool:
    """A capitalised Danish word in a heading that may well be a place name: after a
    preposition of place (`Borgmesteren i Skive går af`).

    >>> heading = "Borgmesteren i Skive går af"
    >>> doubtful_heading_capital(heading, WORD.search(heading, 14))
    True
    """
    before = text[: match.start()].split()
    if not before or before[-1] not in _PLACE_PREPOSITIONS:
        return False
    # A compound the dictionary knows only as a compound is a common noun (`i Designtilstand`).
    lower = match.group(0).lower()
    return lexicon is None or lexicon.is_word(lower) or not lexicon.is_compound(lower)


# A line of a TV guide or an events listing: a weekday label in capitals or a time first, or
# a time last (`SØN Dansk Melodi Grand Prix kl. 20.00`, `Kl. 21.30 Deadline`).
_LISTING = re.compile(
    r"^\s*(?:(?:MAN|TIRS?|ONS|TORS?|FRE|LØR|SØN)\b|(?:[Kk]l\.\s*)?\d{1,2}[.:]\d{2}\b)"
    r"|\b[Kk]l\.\s*\d{1,2}(?:[.:]\d{2})?\s*$"
)


def is_listing_line(text: str) -> bool:
    """A listing line (TV guide, events): its names keep their capitals.

    >>> is_listing_line("SØN Dansk Melodi Grand Prix kl. 20.00")
    True
    >>> is_listing_line("Kl. 21.30 Deadline")
    True
    >>> is_listing_line("Brug Regelmæssigt Tid Sammen Med Kunder")
    False
    """
    return bool(_LISTING.search(text))


def _mostly_danish(text: str, lexicon: Lexicon | None) -> bool:
    """Most capitalised words of the heading are Danish words (an English heading is left)."""
    if lexicon is None or not lexicon.has_dictionary:
        return True
    words = [
        w for w in WORD.findall(text)[1:]
        if w[0].isupper() and not w.isupper() and not keeps_capital_as_name(w, lexicon)
    ]
    danish = [w for w in words if lexicon.is_word(w.lower()) or lexicon.is_compound(w.lower())]
    return bool(danish) and 2 * len(danish) >= len(words)


def keeps_capital_as_name(word: str, lexicon: Lexicon) -> bool:
    """A brand with inner capitals or a name the lexicon knows (LibreOffice, København)."""
    lower = word.lower()
    return (
        any(c.isupper() for c in word[1:])
        or lexicon.casing(lower) == word
        or word in lexicon.names.forms.get(lower, ())
    )


def keeps_capital(word: str, lexicon: Lexicon | None) -> bool:
    """A capitalised word in a Title Case heading that stays capitalised: an acronym, a brand
    with inner capitals, a name from the lexicon, or a word the lexicon does not know."""
    if (word.isupper() and len(word) > 1) or any(c.isupper() for c in word[1:]):
        return True
    if lexicon is None:
        return False
    lower = word.lower()
    if lexicon.casing(lower) == word or word in lexicon.names.forms.get(lower, ()):
        return True
    if lexicon.is_word(lower):
        return False
    # A name the dictionary knows that could also be read as a compound (Limfjorden, Tobias).
    return word in lexicon.cased_forms(lower) or not lexicon.is_compound(lower)


def _in_number_token(text: str, pos: int) -> bool:
    """The word at ``pos`` is part of a token that starts with a digit (`64-Bit`)."""
    prefix = text[:pos]
    if not prefix or prefix[-1].isspace():
        return False
    return prefix.split()[-1].lstrip(OPENERS)[:1].isdigit()


def _keeps_capital_in_place(text: str, match: re.Match[str]) -> bool:
    """A capital that the place explains: after a colon or a spaced dash that starts a new part
    (`Hvornår: Hvor langt …`, `Faxguide - Navn og placering`) or on the first part of a
    hyphenated name (`Super-tasten`, `Hentet-mappen`)."""
    before = text[: match.start()].rstrip(" \t\"'»«“„‘(")
    after = text[match.end() : match.end() + 2]
    return (
        before.endswith((":", " -", " –", " —"))
        or (len(match.group(0)) > 1 and after[:1] == "-" and after[1:2].islower())
    )


def sentence_case_heading(
    text: str, lexicon: Lexicon | None = None, names: dict[str, str] | None = None
) -> str:
    """Turned an English-style Title Case heading into Danish sentence case, keeping names.

    >>> sentence_case_heading("Brug Regelmæssigt Tid Sammen Med Kunder")
    'Brug regelmæssigt tid sammen med kunder'
    >>> sentence_case_heading("Hold kunderne øverst på dagsordenen")
    'Hold kunderne øverst på dagsordenen'
    >>> sentence_case_heading("Sådan Bruger EU Og USA Data")
    'Sådan bruger EU og USA data'
    """
    if is_listing_line(text) or not (
        (is_title_case(text) and _mostly_danish(text, lexicon))
        or single_capital_heading(text, lexicon, names)
    ):
        return text
    marker = MARKERS.match(text)
    start = marker.end() if marker else 0
    first = WORD.search(text, start)
    if first is None:
        return text
    spans = protected_spans(text)
    out = list(text)
    previous_end = first.end()
    speaker_end = _speaker_end(text, start, lexicon)
    matches = [first, *WORD.finditer(text, first.end())]
    for index, match in enumerate(matches[1:], 1):
        word = match.group(0)
        if match.end() <= speaker_end:
            continue  # `Kasper Hjulmand: Vi …`: the name of whoever is quoted
        between = text[previous_end : match.start()]
        previous_end = match.end()
        if not word[0].isupper() or overlaps(match.start(), match.end(), spans):
            continue
        if re.search(r"[.!?]\s", between):
            continue  # a new sentence inside the heading keeps its capital
        if _keeps_capital_in_place(text, match):
            continue
        if len(word) == 1 and text[match.end() : match.end() + 1] == "-":
            # `E-mail`, `E-bog`: the whole compound decides.
            token = re.match(r"[^\W\d_]-[^\W\d_]+", text[match.start() :])
            word = token.group(0) if token else word
        if keeps_capital(word, lexicon) or (names and names.get(word.lower()) == word):
            continue  # a name, or a word the article capitalises inside its sentences
        if _name_in_context(text, matches, index, lexicon):
            continue
        out[match.start()] = word[0].lower()
    return "".join(out)


def _name_in_context(
    text: str, matches: list[re.Match[str]], index: int, lexicon: Lexicon | None
) -> bool:
    """A word the dictionary also knows as a name (Løkke, Kim, Vejle), next to another name
    or after a preposition of place: `Lars Løkke Rasmussen`, `Kim Larsen`, `Brand I Vejle`.

    >>> from pipeline.text.lexicon import Names
    >>> lexicon = Lexicon(None, Names({"kim": {"Kim"}, "larsen": {"Larsen"}}, frozenset()))
    >>> heading = "Kim Larsen Giver Koncert"
    >>> [_name_in_context(heading, list(WORD.finditer(heading)), i, lexicon) for i in (0, 2)]
    [True, False]
    """
    word = matches[index].group(0)
    if lexicon is None or len(word) < 3 or word.lower() in TITLE_SMALL_WORDS:
        return False
    if word not in lexicon.cased_forms(word.lower()):
        return False

    def adjacent(other: int) -> str:
        if not 0 <= other < len(matches):
            return ""
        a, b = sorted((matches[other], matches[index]), key=lambda m: m.start())
        return matches[other].group(0) if text[a.end() : b.start()] == " " else ""

    before, after = adjacent(index - 1), adjacent(index + 1)
    if before.lower() in _PLACE_PREPOSITIONS:
        return lexicon.restorable(word)  # a place the dictionary marks as one (Vejle)
    # A neighbour that is clearly a name: no Danish word in lower case (Larsen, Lars).
    return any(
        w[:1].isupper() and not lexicon.is_word(w.lower())
        and (w in lexicon.cased_forms(w.lower()) or keeps_capital(w, lexicon))
        for w in (before, after) if w
    )


def _speaker_end(text: str, start: int, lexicon: Lexicon | None) -> int:
    """End of a speaker's name before a colon (two or three capitalised words, the first a
    name the lexicon knows) at the start of a heading, else 0.

    >>> from pipeline.text.lexicon import Names
    >>> lexicon = Lexicon(None, Names({"kasper": {"Kasper"}}, frozenset()))
    >>> _speaker_end("Kasper Hjulmand: Vi Skal Vinde", 0, lexicon)
    15
    >>> _speaker_end("Nyt Om Skat: Det Stiger", 0, lexicon)
    0
    """
    colon = text.find(":", start)
    if colon < 0 or lexicon is None:
        return 0
    words = text[start:colon].split()
    if not 2 <= len(words) <= 3 or not all(w.isalpha() for w in words):
        return 0
    if not all(w[:1].isupper() for w in words[1:]):
        return 0
    return colon if words[0].capitalize() in lexicon.cased_forms(words[0].lower()) else 0


_ABBREVIATIONS = frozenset(
    "bl ca dr evt f fx hr jf kl kr mht mv nr osv pct pga sk st stk tlf vedr ang inkl ekskl "
    "el etc mio mia prof".split()
)


def restore_name_casing(
    text: str, lexicon: Lexicon, skip: list[tuple[int, int]] | None = None
) -> str:
    """Restored the casing of a name or brand from the casing lexicon (youtube → YouTube).

    Only where the lower-case word has exactly one cased form in the lexicon and is not
    itself a Danish word; never inside URLs or e-mail addresses.

    >>> from pipeline.text.lexicon import Names
    >>> names = Names({"youtube": {"YouTube"}, "youtubes": {"YouTubes"}}, frozenset())
    >>> lexicon = Lexicon(None, names)
    >>> restore_name_casing("videoer på youtube og youtubes kanal, www.youtube.com", lexicon)
    'videoer på YouTube og YouTubes kanal, www.youtube.com'
    """
    spans = Spans(protected_spans(text) + (skip or []))
    out: list[str] = []  # the pieces, back to front (one join: linear in the text)
    last = len(text)
    for match in reversed(list(WORD.finditer(text))):
        word = match.group(0)
        if not word.islower():
            continue
        lower = word.replace("’", "'")
        if len(lower) <= 2 and lower not in lexicon.names.forms:
            continue
        # The (cached) lexicon answer first: most words have no casing to restore.
        cased = lexicon.casing(lower)
        if cased is None or cased == lower or len(cased) != len(word):
            continue
        if overlaps(match.start(), match.end(), spans):
            continue
        before = text[match.start() - 1] if match.start() else ""
        if before in "@#" or (before == "." and text[max(match.start() - 2, 0)].isalnum()):
            continue
        if text[match.end() : match.end() + 1] == "." and lower in _ABBREVIATIONS:
            continue
        if (
            cased.isupper() and text[match.end() : match.end() + 1] in "-/"
            and cased not in lexicon.names.forms.get(lower, ())
        ):
            continue  # Danish writes usb-stik, iso-aftryk, cd/dvd: only names.txt decides
        out += [text[match.end() : last], cased]
        last = match.start()
    return text[:last] + "".join(reversed(out))


def attested_names(sentences: list[str]) -> dict[str, str]:
    """Capitalised words an article uses inside its sentences (not at a start), by lower case.

    >>> attested_names(["Vi bruger Calc og Writer.", "Writers menu er i Writers vindue."])
    {'calc': 'Calc', 'writer': 'Writer', 'writers': 'Writers'}
    """
    found: dict[str, str] = {}
    clashes: set[str] = set()
    capitalised: Counter[str] = Counter()
    lower_case: Counter[str] = Counter()
    for text in sentences:
        start = first_letter(text, markers=True)
        for match in WORD.finditer(text):
            word = match.group(0)
            if match.start() == start:
                continue
            if word.islower():
                if not _compound_part(text, match):
                    lower_case[word] += 1
                continue
            if not word[0].isupper() or word.isupper():
                continue
            if _previous_sign(text, match.start()) in (".", "!", "?", ":", "»", "“", "\""):
                continue
            lower = word.lower()
            capitalised[lower] += 1
            if found.setdefault(lower, word) != word:
                clashes.add(lower)
    # A word the article writes in lower case as often as capitalised is no name of its own
    # (a menu label `Partition` beside the noun `partition`, a program and its command).
    return {
        lower: word for lower, word in found.items()
        if lower not in clashes and lower_case[lower] < capitalised[lower]
    }


def _previous_sign(text: str, pos: int) -> str:
    """The last character before ``pos`` that is not white space ("" if none); looks back
    only over the white space, so a loop over the words of a long text stays linear.

    >>> _previous_sign("Ja.  Nej", 5), _previous_sign("  Nej", 2)
    ('.', '')
    """
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return text[pos - 1] if pos > 0 else ""


def _compound_part(text: str, match: re.Match[str]) -> bool:
    """The word is part of a hyphenated compound or a path (`debian-installer`, `/etc/apt`):
    such lower-case words are often names of packages, commands or keys, by design."""
    before = text[match.start() - 1 : match.start()]
    after = text[match.end() : match.end() + 1]
    return before in ("-", "/") or after in ("-", "/")


def restore_attested_names(text: str, names: dict[str, str], lexicon: Lexicon) -> str:
    """Restored a name's capital letter as the article writes it elsewhere (calc → Calc).

    Only for words that are not Danish words or compounds in lower case.

    >>> from pipeline.text.lexicon import Names
    >>> lexicon = Lexicon(None, Names({}, frozenset()))
    >>> restore_attested_names("Åbn calc og vælg et ark.", {"calc": "Calc"}, lexicon)
    'Åbn Calc og vælg et ark.'
    """
    spans = protected_spans(text)
    out: list[str] = []  # the pieces, back to front (one join: linear in the text)
    last = len(text)
    for match in reversed(list(WORD.finditer(text))):
        word = match.group(0)
        cased = names.get(word)
        if cased is None or not word.islower() or len(word) < 3:
            continue
        if overlaps(match.start(), match.end(), spans) or word in lexicon.names.keep:
            continue
        if lexicon.is_word(word) or lexicon.is_compound(word) or _compound_part(text, match):
            continue
        out += [text[match.end() : last], cased]
        last = match.start()
    return text[:last] + "".join(reversed(out))


MONTHS_AND_DAYS = frozenset(
    """
    januar februar marts april maj juni juli august september oktober november december
    mandag tirsdag onsdag torsdag fredag lørdag søndag
    """.split()
)

RULE_IDS = {
    "casing.sentence_start": capitalize_sentence_start,
    "casing.title_case_heading": sentence_case_heading,
    "casing.lexicon": restore_name_casing,
    "casing.article_name": restore_attested_names,
}

# Flags the casing rules raise (rule id -> what the editor is told).
FLAG_REASONS = {
    "casing.after_abbreviation": (
        "Lower-case start after an abbreviation; capitalise it if a new sentence starts here."
    ),
    "casing.capitalised_month": "Months and weekdays are lower case in Danish.",
    "casing.heading_capital": (
        "Capital letter inside a heading; lower-case it unless it is a name (a place?)."
    ),
}


def reason(rule_id: str) -> str:
    doc = RULE_IDS[rule_id].__doc__ or rule_id
    return doc.strip().splitlines()[0]
