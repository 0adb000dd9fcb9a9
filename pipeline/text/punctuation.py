"""normalize rules for apostrophes, spaces, abbreviation full stops and dashes.

Each rule is a ``str -> str`` function whose name is its rule id and whose docstring's first
line is its reason (:mod:`pipeline.text.normalize` runs them, in its ``RULE_ORDER``).
"""

from __future__ import annotations

import re

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


APOSTROPHE_TRIGGER = re.compile(f"[{_APOSTROPHE_LIKE}]")


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


def abbreviation_trigger(text: str) -> bool:
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
