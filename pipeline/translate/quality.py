"""Doubt made visible: flags on a back-translation that an editor should check.

Each check is a small function ``(source, translation) -> Flag | None`` with a stable rule id;
its docstring's first line is the reason an editor sees. Flags span the whole translation and
carry ``stage="translate"``. Numbers are compared after Danish and English conventions are
normalised (``1.500`` ↔ ``1,500``, ``3,5`` ↔ ``3.5``, ``8. april`` ↔ ``April 8``,
``pct.`` ↔ ``%``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.document import Flag
from pipeline.rules import TRANSLATION, Rule, flags

STAGE = "translate"

Check = Callable[[str, str], "Flag | None"]

_WORD = re.compile(r"\w+", re.UNICODE)


def _flag(rule_id: str, translation: str, reason: str, severity: str = "warning") -> Flag:
    return Flag(rule_id, 0, len(translation), severity, reason, None, STAGE)  # type: ignore[arg-type]


# -- repetition ----------------------------------------------------------------------------


def _longest_loop(words: list[str]) -> tuple[int, list[str]]:
    """The most consecutive repeats of any 1-4 word group, and that group."""
    best = (1, [] if not words else words[:1])
    for size in range(1, 5):
        for start in range(len(words) - size):
            group = words[start : start + size]
            count = 1
            position = start + size
            while words[position : position + size] == group:
                count += 1
                position += size
            if count > best[0]:
                best = (count, group)
    return best


def check_repetition(source: str, translation: str) -> Flag | None:
    """The translation repeats itself in a loop the Danish does not have: the model got stuck.

    >>> check_repetition("Han sagde nej.", "He said no no no no no no.").rule_id
    'translate.repetition'
    >>> check_repetition("Han sagde nej, nej, nej og nej.", "He said no, no, no and no.") is None
    True
    """
    words = [w.lower() for w in _WORD.findall(translation)]
    count, group = _longest_loop(words)
    threshold = 4 if len(group) == 1 else 3
    if count < threshold:
        return None
    source_count, _ = _longest_loop([w.lower() for w in _WORD.findall(source)])
    if source_count >= count - 1:
        return None
    phrase = " ".join(group)
    return _flag(
        "translate.repetition",
        translation,
        f"the back-translation repeats “{phrase}” {count} times in a row; the model may have "
        "looped, so part of the Danish may be missing from the English",
    )


# -- length ratio --------------------------------------------------------------------------

MIN_LENGTH_FOR_RATIO = 20  # characters of Danish; shorter sentences vary too much
RATIO_LOW, RATIO_HIGH = 0.5, 2.0  # English/Danish characters; typical is 0.9-1.2


def check_length_ratio(source: str, translation: str) -> Flag | None:
    """The translation is far shorter or longer than the Danish: text may be missing or added.

    >>> check_length_ratio("Regeringen har i dag fremlagt sit forslag til finansloven.",
    ...                    "The government.").rule_id
    'translate.length_ratio'
    >>> check_length_ratio("Hunden løber i parken.", "The dog runs in the park.") is None
    True
    """
    source_chars = len(source.strip())
    if source_chars < MIN_LENGTH_FOR_RATIO:
        return None
    ratio = len(translation.strip()) / source_chars
    if RATIO_LOW <= ratio <= RATIO_HIGH:
        return None
    what = "shorter" if ratio < RATIO_LOW else "longer"
    return _flag(
        "translate.length_ratio",
        translation,
        f"the back-translation is {ratio:.1f}× the length of the Danish (much {what} than "
        "usual); check that nothing was left out or invented",
    )


# -- untranslated --------------------------------------------------------------------------


def _plain(text: str) -> str:
    return " ".join(w.lower() for w in _WORD.findall(text))


def check_untranslated(source: str, translation: str) -> Flag | None:
    """The translation is the Danish copied unchanged: the model did not translate it.

    >>> check_untranslated("Det er en god dag i dag.", "Det er en god dag i dag.").rule_id
    'translate.untranslated'
    >>> check_untranslated("Mette Frederiksen.", "Mette Frederiksen.") is None  # names only
    True
    """
    # Names and codes (capitalised words after the first) are the same in both languages.
    words = [
        w for i, w in enumerate(_WORD.findall(source))
        if w.islower() or (i == 0 and w[:1].isupper() and w[1:].islower())
    ]
    if len(words) < 3 or _plain(source) != _plain(translation):
        return None
    return _flag(
        "translate.untranslated",
        translation,
        "the back-translation is the Danish copied unchanged; the model did not translate it",
    )


# -- numbers -------------------------------------------------------------------------------

DA_MONTHS = (
    "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
_DA_NUMBER = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)"
    r"(?P<ordinal>\.(?=\s+(?:" + DA_MONTHS + r")\b))?"
    r"(?:\s?(?P<percent>%|pct\b\.?|procent\b))?"
    r"(?:\s?(?P<scale>mio\b\.?|millioner\b|million\b|mia\b\.?|milliarder\b|milliard\b))?",
    re.IGNORECASE,
)
_DA_TIME = re.compile(r"(?<![\w.,])(\d{1,2})[.:](\d{2})(?![\d,]|\.\d)")
_EN_NUMBER = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<ordinal>st|nd|rd|th)?\b"
    r"(?:\s?(?P<percent>%|per\s?cent\b|percent\b|percentage points?\b))?"
    r"(?:\s?(?P<scale>million\b|billion\b|bn\b|m\b))?",
    re.IGNORECASE,
)
_EN_TIME = re.compile(r"(?<![\w.,])(\d{1,2}):(\d{2})(?!\d)")
_SCALES = {"mio": 10**6, "million": 10**6, "millioner": 10**6, "m": 10**6,
           "mia": 10**9, "milliard": 10**9, "milliarder": 10**9, "billion": 10**9, "bn": 10**9}

NUMBER_WORDS = {
    # Danish and English number words up to twelve, so "tre" or "third" can match a digit.
    "en": 1, "et": 1, "one": 1, "first": 1, "to": 2, "two": 2, "second": 2, "tre": 3,
    "three": 3, "third": 3, "fire": 4, "four": 4, "fourth": 4, "fem": 5, "five": 5, "fifth": 5,
    "seks": 6, "six": 6, "sixth": 6, "syv": 7, "seven": 7, "seventh": 7, "otte": 8,
    "eight": 8, "eighth": 8, "ni": 9, "nine": 9, "ninth": 9, "ti": 10, "ten": 10, "tenth": 10,
    "elleve": 11, "eleven": 11, "eleventh": 11, "tolv": 12, "twelve": 12, "twelfth": 12,
}


@dataclass(frozen=True)
class Number:
    """A number as written, and the values it may stand for."""

    written: str
    keys: frozenset[str]


def _value_keys(value: float, percent: bool, scale: str | None) -> frozenset[str]:
    values = {value}
    if scale:
        values.add(value * _SCALES[scale.lower().rstrip(".")])
    suffix = "%" if percent else ""
    return frozenset(f"{v:g}{suffix}" for v in values)


def danish_numbers(text: str) -> list[Number]:
    """Numbers in Danish text: ``.`` groups thousands, ``,`` is the decimal mark.

    >>> [sorted(n.keys) for n in danish_numbers("1.500 kr., 3,5 pct. og den 8. april kl. 14.30")]
    [['1500'], ['3.5%'], ['8'], ['14.3', '14:30']]
    """
    found: list[tuple[int, Number]] = []
    times = list(_DA_TIME.finditer(text))
    taken = [(m.start(), m.end()) for m in times]
    for m in times:
        hour, minute = int(m.group(1)), int(m.group(2))
        keys = frozenset({f"{hour}:{minute:02d}", f"{float(m.group(0).replace(':', '.')):g}"})
        found.append((m.start(), Number(m.group(0), keys)))
    for m in _DA_NUMBER.finditer(text):
        if any(start <= m.start() < end for start, end in taken):
            continue
        value = float(m.group("num").replace(".", "").replace(",", "."))
        keys = _value_keys(value, bool(m.group("percent")), m.group("scale"))
        found.append((m.start(), Number(m.group(0).strip(), keys)))
    return [number for _, number in sorted(found, key=lambda item: item[0])]


def english_numbers(text: str) -> list[Number]:
    """Numbers in English text: ``,`` groups thousands, ``.`` is the decimal mark.

    >>> [sorted(n.keys) for n in english_numbers("1,500 kroner, 3.5% on April 8th at 14:30")]
    [['1500'], ['3.5%'], ['8'], ['14:30']]
    """
    found: list[tuple[int, Number]] = []
    times = list(_EN_TIME.finditer(text))
    taken = [(m.start(), m.end()) for m in times]
    for m in times:
        keys = frozenset({f"{int(m.group(1))}:{m.group(2)}"})
        found.append((m.start(), Number(m.group(0), keys)))
    for m in _EN_NUMBER.finditer(text):
        if any(start <= m.start() < end for start, end in taken):
            continue
        value = float(m.group("num").replace(",", ""))
        keys = _value_keys(value, bool(m.group("percent")), m.group("scale"))
        found.append((m.start(), Number(m.group(0).strip(), keys)))
    return [number for _, number in sorted(found, key=lambda item: item[0])]


def _number_words(text: str) -> list[str]:
    return [str(NUMBER_WORDS[w]) for w in _WORD.findall(text.lower()) if w in NUMBER_WORDS]


def unmatched_numbers(source: str, translation: str) -> tuple[list[str], list[str]]:
    """Numbers of the Danish missing from the English, and numbers the English added."""
    da = danish_numbers(source)
    en = english_numbers(translation)
    left_en = list(en)
    missing: list[Number] = []
    for number in da:
        match = next((e for e in left_en if e.keys & number.keys), None)
        if match is None:
            missing.append(number)
        else:
            left_en.remove(match)
    # A digit written out as a word on the other side ("3" ↔ "three") is not a mismatch.
    return (
        _not_written_out(missing, _number_words(translation)),
        _not_written_out(left_en, _number_words(source)),
    )


def _not_written_out(numbers: list[Number], words: list[str]) -> list[str]:
    """The numbers (as written) that no number word of the other side accounts for."""
    unmatched = []
    for number in numbers:
        word = next((w for w in words if w in number.keys), None)
        if word is None:
            unmatched.append(number.written)
        else:
            words.remove(word)
    return unmatched


def check_numbers(source: str, translation: str) -> Flag | None:
    """The numbers in the translation do not match the Danish ones.

    >>> check_numbers("Prisen er 1.500 kr. og renten 3,5 pct.", "The price is 1,500 DKK and 3.5%.")
    >>> check_numbers("Mødet er den 8. april.", "The meeting is on April 8.")
    >>> print(check_numbers("Prisen er 1.500 kr.", "The price is 1.5 DKK.").reason)
    ... # doctest: +ELLIPSIS
    numbers differ: the Danish has 1.500 but the English has not; the English has 1.5 ...
    """
    missing, added = unmatched_numbers(source, translation)
    if not missing and not added:
        return None
    parts = []
    if missing:
        parts.append(f"the Danish has {', '.join(missing)} but the English has not")
    if added:
        parts.append(f"the English has {', '.join(added)} that the Danish has not")
    return _flag("translate.numbers", translation, "numbers differ: " + "; ".join(parts))


CHECKS: dict[str, Check] = {
    "translate.repetition": check_repetition,
    "translate.length_ratio": check_length_ratio,
    "translate.untranslated": check_untranslated,
    "translate.numbers": check_numbers,
}


INCOMPLETE_REASON = (
    "The model stopped at its length limit before finishing: the end of the Danish may be "
    "missing from the English."
)


def incomplete_flag(translation: str) -> Flag:
    """``translate.incomplete``: raised by the translator when decoding hit its length limit."""
    return _flag("translate.incomplete", translation, INCOMPLETE_REASON[0].lower()
                 + INCOMPLETE_REASON[1:].rstrip("."))


def translation_flags(source: str, translation: str) -> list[Flag]:
    """Every flag the checks raise on one sentence's back-translation."""
    flags = []
    for check in CHECKS.values():
        flag = check(source, translation)
        if flag is not None:
            flags.append(flag)
    return flags


#: Each check's rule (its docstring's first line is the reason), then the translator's own.
DECLARED_RULES: tuple[Rule, ...] = flags(STAGE, TRANSLATION, {
    **{rule_id: (check.__doc__ or "").strip().splitlines()[0] for rule_id, check in CHECKS.items()},
    "translate.incomplete": INCOMPLETE_REASON,
})
