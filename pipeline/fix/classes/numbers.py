"""Numbers, dates, units and brackets as English writes them, in Danish text.

Danish writes a decimal comma and a thousands point (*2,5 mio.*, *1.000 kunder*), the day
before the month with a full stop (*15. september*), *procent* and the currency after the
amount (*10 dollars*), and no space inside brackets. Machine translation copies the English
forms. Each rule below is one such convention; every flag suggests the Danish form.

A point between digits is also Danish (*kl. 14.30*, *afsnit 3.2*, *version 2.1*), so a
decimal point is flagged only before a unit or a quantity word; a comma between digits is a
Danish decimal, so a thousands comma is flagged only where a decimal cannot be meant (*1,000*,
*2,500,000*, or before a plural noun: *1,250 kunder*).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from pipeline.fix.classes.tools import ClassFlag, ClassTools, plain

REASONS: dict[str, str] = {
    "number.decimal_point": "A decimal point as English writes it: Danish writes a decimal "
    "comma (2,5 mio.).",
    "number.thousands_comma": "A thousands comma as English writes it: Danish writes a "
    "thousands point (1.000).",
    "number.percent_word": "English “percent”: Danish writes “procent” (or %).",
    "number.currency_before": "The currency sign before the amount as English writes it: "
    "Danish writes the currency after it (10 dollars).",
    "number.english_date": "A date as English writes it (March 3): Danish writes the day, a "
    "full stop and the month in lower case (3. marts).",
    "punctuation.bracket_space": "Space inside brackets: Danish (and English) writes none.",
    "punctuation.doubled_step": "A step number written twice (2. 2 Vælg): keep one.",
}

# Words a quantity stands before: units, currencies and the words for large numbers.
UNITS = (
    r"mio|mia|mill|millioner?|milliarder?|billioner?|tusind|procent|pct|%|‰|kr|kroner|øre|"
    r"dollars?|usd|euro|eur|pund|gbp|dkk|sek|nok|km|m|cm|mm|kg|g|mg|l|dl|cl|ml|t|ton|tons|"
    r"meter|kilometer|centimeter|millimeter|kilo|gram|liter|grader|°c?|gange|timer|minutter|"
    r"sekunder|år|måneder|uger|dage|point|mph|km/t|kwh|mwh|gb|mb|tb|ghz|mhz|hektar"
)
_DECIMAL_POINT = re.compile(
    rf"(?<![\d.,])(\d+)\.(\d{{1,2}}|\d{{4,}})(?![\d]|[.,]\d)(?=\s?(?:{UNITS})(?![^\W\d_]))",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"(?:kl\.|klokken|kl)\s*$", re.IGNORECASE)
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d]|[.,]\d)")
_PERCENT = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s?(?:percent|per cent)(?![^\W\d_])",
                      re.IGNORECASE)
_CURRENCY = re.compile(
    r"(?<![\w$€£])([$€£])\s?(\d[\d.,]*\d|\d)(?:\s?(mio|mia|millioner|milliarder|million|"
    r"billion|m|bn)\b\.?)?"
)
_CURRENCY_NAMES = {"$": "dollars", "€": "euro", "£": "pund"}
ENGLISH_MONTHS = {
    "january": "januar", "february": "februar", "march": "marts", "april": "april",
    "may": "maj", "june": "juni", "july": "juli", "august": "august",
    "september": "september", "october": "oktober", "november": "november",
    "december": "december", "jan": "januar", "feb": "februar", "mar": "marts",
    "apr": "april", "jun": "juni", "jul": "juli", "aug": "august", "sep": "september",
    "sept": "september", "oct": "oktober", "nov": "november", "dec": "december",
    # The Danish names, capitalised before a day as English does (Marts 3).
    "januar": "januar", "februar": "februar", "marts": "marts", "maj": "maj",
    "juni": "juni", "juli": "juli", "oktober": "oktober",
}
_MONTH_NAMES = "|".join(sorted((m.capitalize() for m in ENGLISH_MONTHS), key=len, reverse=True))
_MONTH_DAY = re.compile(
    rf"(?<![\w.])({_MONTH_NAMES})\.? ([1-9]|[12]\d|3[01])(?:st|nd|rd|th)?(?![\d.,:]?\d)"
    rf"(?:,? ((?:1[89]|20)\d\d)(?!\d))?(?![^\W\d_])"
)
_DAY_OF_MONTH = re.compile(
    rf"(?<![\w.,])([1-9]|[12]\d|3[01])(?:st|nd|rd|th)(?: of)? ({_MONTH_NAMES}|"
    rf"{_MONTH_NAMES.lower()})(?![^\W\d_])"
)
_DANISH_MONTHS = (
    "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
)
_DAY_NO_DOT = re.compile(rf"(?<![\w.,])([1-9]|[12]\d|3[01]) ({_DANISH_MONTHS})(?![^\W\d_])")
_BRACKETS = re.compile(r"([(\[])([^()\[\]\n]*)([)\]])")
_DOUBLED_STEP = re.compile(r"^(\s*(?:Trin |Step )?)(\d{1,2})\.\s+(\d{1,2})\.?\s+(?=[A-ZÆØÅ])")


def danish_number(number: str) -> str:
    """An English-written number in the Danish way: decimal comma, thousands point.

    >>> danish_number("2.5"), danish_number("1,000"), danish_number("12,500.75")
    ('2,5', '1.000', '12.500,75')
    """
    if "," in number and "." in number:
        return number.replace(",", "\0").replace(".", ",").replace("\0", ".")
    if "," in number:
        return number.replace(",", ".")
    return number.replace(".", ",")


def decimal_point(text: str, tools: ClassTools | None) -> Iterator[ClassFlag]:
    """A decimal point before a unit or a quantity word (a time of day is left alone).

    >>> [f.suggestion for f in decimal_point("Salget steg med 2.5 mio. kr. kl. 14.30", None)]
    ['2,5']
    """
    for match in _DECIMAL_POINT.finditer(text):
        if _CLOCK.search(text[: match.start()]):
            continue
        yield _flag("number.decimal_point", match.start(), match.end(),
                    danish_number(match.group(0)))


def thousands_comma(text: str, tools: ClassTools | None) -> Iterator[ClassFlag]:
    """A thousands comma where no Danish decimal can be meant.

    >>> [f.suggestion for f in thousands_comma("Over 1,000 deltog, og 2,5 liter", None)]
    ['1.000']
    """
    for match in _THOUSANDS.finditer(text):
        number = match.group(0)
        if not (number.count(",") > 1 or number.endswith(",000")
                or _before_plural(text, match.end(), tools)):
            continue
        yield _flag("number.thousands_comma", match.start(), match.end(), danish_number(number))


def _before_plural(text: str, end: int, tools: ClassTools | None) -> bool:
    """The number stands before a plural noun (1,250 kunder): a count, not a decimal."""
    match = re.match(r" ([^\W\d_]+)", text[end:])
    if match is None or tools is None:
        return False
    word = match.group(1)
    if re.fullmatch(UNITS, word, re.IGNORECASE):
        return False  # 2,125 liter is a Danish decimal
    readings = plain(tools.readings(word))
    return bool(readings) and all(r.pos == "n" and "pl" in r.tags for r in readings)


def percent_word(text: str, tools: ClassTools | None) -> Iterator[ClassFlag]:
    """English *percent* after a number.

    >>> [f.suggestion for f in percent_word("Prisen steg 20 percent", None)]
    ['20 procent']
    """
    for match in _PERCENT.finditer(text):
        yield _flag("number.percent_word", match.start(), match.end(),
                    f"{danish_number(match.group(1))} procent")


def currency_before(text: str, tools: ClassTools | None) -> Iterator[ClassFlag]:
    """A currency sign before the amount (``$10``, ``€2.5 million``).

    >>> [f.suggestion for f in currency_before("Billetten koster $10 og €2.5 million", None)]
    ['10 dollars', '2,5 mio. euro']
    """
    for match in _CURRENCY.finditer(text):
        sign, amount, scale = match.groups()
        words = ""
        if scale:
            words = " mia." if scale.lower() in ("mia", "milliarder", "billion", "bn") else " mio."
        suggestion = f"{danish_number(amount)}{words} {_CURRENCY_NAMES[sign]}"
        yield _flag("number.currency_before", match.start(), match.end(), suggestion)


def english_date(text: str, tools: ClassTools | None) -> Iterator[ClassFlag]:
    """A date as English writes it: month before day (*September 15*, *March 3rd, 2020*),
    an ordinal ending (*3rd of March*), or a day without its full stop (*15 september*).

    >>> [f.suggestion for f in english_date("Mødet er den March 3rd, 2020 og 15 september", None)]
    ['3. marts 2020', '15. september']
    >>> list(english_date("I September 2019 var der 3 søer", None))
    []
    """
    for match in _MONTH_DAY.finditer(text):
        month, day, year = match.groups()
        suggestion = f"{day}. {ENGLISH_MONTHS[month.lower()]}" + (f" {year}" if year else "")
        yield _flag("number.english_date", match.start(), match.end(), suggestion)
    for match in _DAY_OF_MONTH.finditer(text):
        day, month = match.groups()
        yield _flag("number.english_date", match.start(), match.end(),
                    f"{day}. {ENGLISH_MONTHS[month.lower()]}")
    for match in _DAY_NO_DOT.finditer(text):
        before = text[: match.start()].rstrip()
        if before.endswith(("-", "–", "og", "eller", "til")) and re.search(r"\d\.\s*\S*$", before):
            continue  # 14.-15 september is a range someone cut short, not English order
        yield _flag("number.english_date", match.start(), match.end(),
                    f"{match.group(1)}. {match.group(2)}")


def bracket_space(text: str, tools: ClassTools | None) -> Iterator[ClassFlag]:
    """A space after an opening or before a closing bracket.

    >>> [f.suggestion for f in bracket_space("Den Europæiske Union ( EU ) og (USA)", None)]
    ['(EU)']
    """
    for match in _BRACKETS.finditer(text):
        opening, inside, closing = match.groups()
        if inside.strip() and inside != inside.strip(" \t"):
            yield _flag("punctuation.bracket_space", match.start(), match.end(),
                        f"{opening}{inside.strip()}{closing}")


def doubled_step(text: str, tools: ClassTools | None) -> Iterator[ClassFlag]:
    """A numbered step whose number is written twice (``2. 2 Vælg en plan``).

    >>> [f.suggestion for f in doubled_step("2. 2 Vælg en plan", None)]
    ['2. ']
    >>> list(doubled_step("2. 3 Vælg en plan", None))
    []
    """
    match = _DOUBLED_STEP.match(text)
    if match is not None and match.group(2) == match.group(3):
        start = match.start(2)
        yield _flag("punctuation.doubled_step", start, match.end(), f"{match.group(2)}. ")


def _flag(rule_id: str, start: int, end: int, suggestion: str) -> ClassFlag:
    return ClassFlag(rule_id, start, end, REASONS[rule_id], suggestion)


Rule = Callable[[str, ClassTools | None], Iterator[ClassFlag]]
RULES: tuple[Rule, ...] = (
    decimal_point, thousands_comma, percent_word, currency_before, english_date,
    bracket_space, doubled_step,
)
# Characters without which no rule can match: most sentences skip them all.
_MAY_MATCH = re.compile(r"\d|[(\[]")


def check_numbers(text: str, tools: ClassTools | None) -> list[ClassFlag]:
    """Every number, date and bracket rule over one sentence.

    >>> [f.rule_id for f in check_numbers("Det koster $10 ( ca. 65 kr. )", None)]
    ['number.currency_before', 'punctuation.bracket_space']
    """
    if _MAY_MATCH.search(text) is None:
        return []
    return [flag for rule in RULES for flag in rule(text, tools)]
