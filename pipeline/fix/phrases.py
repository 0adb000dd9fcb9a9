"""Garbled-phrase rules from an editable table (``data/phrases.tsv``).

One row per rule: ``id``, ``pattern``, ``action`` (``replace`` or ``flag``), ``replacement``
(or the suggestion a flag shows), ``reason`` (what the editor is told) and ``source`` (the
English idiom it came from). Editors add rules without touching code.

Patterns are Python regular expressions, matched case-insensitively and word-bounded (a match
never starts or ends inside a word). ``\\w*`` matches inflected endings, ``(?-i:...)`` matches
case-sensitively. A replacement keeps the case of the first letter it replaces, ``\\1`` inserts
a group, and no rule fires inside a URL or an e-mail address.

A broken table gives one :class:`~pipeline.errors.RuleTableError` naming file and line; so does
a pattern that repeats a part that itself repeats (``(a+)+``), whose matching time can grow
exponentially with a word's length (Python's ``re`` has no time limit to stop it). A byte order
mark at the start of a table (Excel, Notepad) is skipped.
"""

from __future__ import annotations

import bisect
import importlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.errors import RuleTableError

COLUMNS = ("id", "pattern", "action", "replacement", "reason", "source")
ACTIONS = ("replace", "flag")
_ID = re.compile(r"^[a-z][a-z0-9_.-]*$")

# URLs, e-mail addresses, bare domains, file paths (`/etc/hosts`, `~/.local`) and file
# extensions standing alone (`.iso`): no phrase or casing rule touches these.
# The look-behinds let a match start only where a run of address characters starts (not at
# every letter of `aaaa…` or after every dot of `1.1.1.…`), which keeps the scan linear.
PROTECTED = re.compile(
    r"(?:https?://|ftp://|www\.)\S+"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b(?<!\w[.-])(?!(?<=\w)-)[\w-]+(?:\.[\w-]+)*"
    r"\.(?:dk|com|org|net|eu|de|se|no|io|uk|info|nu|biz|gov|edu)\b(?:/\S*)?"
    r"|(?<![\w/.~])(?:~|\.{1,2})?/[\w.~-]+(?:/[\w.~{},*-]*)*"
    r"|(?<![\w.])\.[a-z0-9]{2,5}\b(?!\.\w)",
    re.IGNORECASE,
)
# A run of more than this many characters without a space is data (a hash, a dump), not
# prose: it is protected whole rather than scanned, which would cost time quadratic in its length.
LONGEST_SCANNED_RUN = 200
_LONG_RUN = re.compile(rf"\S{{{LONGEST_SCANNED_RUN + 1},}}")


class Spans(list[tuple[int, int]]):
    """Sorted, non-overlapping spans that answer :meth:`overlaps` in logarithmic time.

    >>> Spans([(8, 9), (0, 3), (2, 5)])
    [(0, 5), (8, 9)]
    >>> Spans([(0, 5), (8, 9)]).overlaps(5, 8), Spans([(0, 5), (8, 9)]).overlaps(4, 6)
    (False, True)
    """

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        super().__init__(merged)
        self._starts = [start for start, _ in merged]

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self._starts, end)  # spans before it start before ``end``
        return index > 0 and self[index - 1][1] > start


def protected_spans(text: str) -> Spans:
    """Where URLs, e-mail addresses, file paths and file extensions are.

    >>> protected_spans("Se www.dr.dk eller skriv til info@kvidre.dk nu")
    [(3, 12), (29, 43)]
    >>> protected_spans("Ret /etc/network/interfaces og filer på .iso, ikke cd/dvd.")
    [(4, 27), (40, 44)]
    """
    if _MAY_PROTECT.search(text) is None and _LONG_RUN.search(text) is None:
        return Spans([])
    return Spans(_protected_spans(text))


# Every alternative of PROTECTED holds `www.`, a `/`, an `@` or a full stop before a letter or
# digit; most sentences hold none of these (nor a long run) and skip the slower pattern.
_MAY_PROTECT = re.compile(r"[/@]|\.[^\W_]|www\.", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _protected_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    position = 0
    for run in _LONG_RUN.finditer(text):
        spans.extend(m.span() for m in PROTECTED.finditer(text, position, run.start()))
        spans.append(run.span())
        position = run.end()
    spans.extend(m.span() for m in PROTECTED.finditer(text, position))
    return tuple(spans)


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    if isinstance(spans, Spans):
        return spans.overlaps(start, end)
    return any(start < b and a < end for a, b in spans)


def keep_first_letter_case(matched: str, replacement: str) -> str:
    """Give the replacement's first letter the case of the matched text's first letter.

    >>> keep_first_letter_case("Dominos", "domino's")
    "Domino's"
    >>> keep_first_letter_case("på kvidre", "på Twitter")
    'på Twitter'
    >>> keep_first_letter_case("turaround", "Turnaround")
    'turnaround'
    """
    if not matched or not replacement or not matched[0].isalpha():
        return replacement
    first = replacement[0]
    if matched[0].isupper():
        first = first.upper()
    elif matched[0].islower() and not replacement[1:2].isupper():
        first = first.lower()  # but keep brands like `McDonald's` as written
    return first + replacement[1:]


@dataclass(frozen=True)
class PhraseRule:
    rule_id: str
    pattern: str
    action: str
    replacement: str
    reason: str
    source: str
    line: int
    regex: re.Pattern[str]

    def matches(
        self, text: str, spans: list[tuple[int, int]] | None = None
    ) -> Iterator[re.Match[str]]:
        if spans is None:
            spans = protected_spans(text)
        for match in self.regex.finditer(text):
            if match.end() > match.start() and not overlaps(match.start(), match.end(), spans):
                yield match

    def replacement_for(self, match: re.Match[str]) -> str:
        return keep_first_letter_case(match.group(0), match.expand(self.replacement))

    def apply(self, text: str) -> str:
        """The text with every match replaced (``flag`` rules change nothing)."""
        if self.action != "replace":
            return text
        pieces = []
        last = 0
        for match in self.matches(text):
            pieces.append(text[last : match.start()])
            pieces.append(self.replacement_for(match))
            last = match.end()
        pieces.append(text[last:])
        return "".join(pieces)


def phrase_prefilter(rules: list[PhraseRule]) -> re.Pattern[str] | None:
    """One regex that finds a match wherever any of the rules has one.

    A sentence it does not match is skipped, which makes the table's cost one search per
    sentence. The word bounds of :func:`compile_pattern` are shared, and patterns hold no
    back-references (a rule whose pattern does gets ``None``: no shortcut).

    >>> rules = [_rule("a", "gå samtalen"), _rule("b", "(?:tage|tog) fordel af")]
    >>> bool(phrase_prefilter(rules).search("De tog fordel af det")), bool(
    ...     phrase_prefilter(rules).search("De tog fordelen"))
    (True, False)
    """
    if not rules or any(BACKREFERENCE.search(rule.pattern) for rule in rules):
        return None
    alternatives = "|".join(f"(?:{rule.pattern})" for rule in rules)
    try:
        return compile_pattern(alternatives)
    except re.error:  # e.g. one group name in two rules
        return None


def fragment_prefilter(fragments: list[Fragment]) -> re.Pattern[str] | None:
    """One regex that finds a match wherever any English fragment has one.

    >>> bool(fragment_prefilter(load_fragment_lines(["win-win", "bottom line"])).search(
    ...     "En win-win for alle"))
    True
    """
    if not fragments:
        return None
    return _fragment_regex("|".join(_fragment_words(f.phrase) for f in fragments))


BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def _rule(rule_id: str, pattern: str) -> PhraseRule:
    return PhraseRule(rule_id, pattern, "flag", "", "", "", 0, compile_pattern(pattern))


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Word-bounded and case-insensitive.

    >>> pattern = compile_pattern("gå samtalen")
    >>> bool(pattern.search("at »Gå samtalen«")), bool(pattern.search("ugå samtalen"))
    (True, False)
    """
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w])", re.IGNORECASE)


# The parser ``re`` compiles with (a private module, but the one its own compiler uses).
_SRE: Any = importlib.import_module("re._parser")


def nested_repeat(pattern: str) -> bool:
    r"""Whether ``pattern`` repeats a part that itself repeats a variable number of times:
    ``(a+)+``, ``(?:\w*\s?)*``, ``(a{1,3}){2,}``. Such a pattern backtracks through every way of
    dividing a word among the repeats, so one long word can take hours. Possessive repeats
    and atomic groups (``a++``, ``(?>…)``) do not backtrack and are allowed.

    >>> nested_repeat("(a+)+$"), nested_repeat(r"(?:x|y\w*)*z"), nested_repeat("(?:ab{2})+")
    (True, True, False)
    >>> nested_repeat(r"lave\w* (?:en |nogle )?beslutning\w*"), nested_repeat("(?>a+)+")
    (False, False)
    """
    try:
        parsed = _SRE.parse(pattern)
    except re.error:
        return False  # compiling says what is wrong
    return _repeats_inside(parsed, False)


def _repeats_inside(items: Any, repeated: bool) -> bool:
    """Whether a variable repeat lies in ``items`` where ``repeated`` (inside a repeat)."""
    for op, av in items:
        inner: list[tuple[Any, bool]]
        if op in (_SRE.MAX_REPEAT, _SRE.MIN_REPEAT):
            low, high, body = av
            if repeated and high > low:
                return True
            inner = [(body, repeated or high > 1)]
        elif op is _SRE.POSSESSIVE_REPEAT:  # never backtracks: a fresh start inside
            inner = [(av[2], False)]
        elif op is _SRE.ATOMIC_GROUP:
            inner = [(av, False)]
        elif op is _SRE.SUBPATTERN:
            inner = [(av[3], repeated)]
        elif op is _SRE.BRANCH:
            inner = [(branch, repeated) for branch in av[1]]
        elif op in (_SRE.ASSERT, _SRE.ASSERT_NOT):
            inner = [(av[1], repeated)]
        elif op is _SRE.GROUPREF_EXISTS:
            inner = [(branch, repeated) for branch in av[1:] if branch is not None]
        else:
            continue
        if any(_repeats_inside(part, inside) for part, inside in inner):
            return True
    return False


def load_phrase_table(path: Path) -> list[PhraseRule]:
    """Read and validate a phrase table; raises :class:`RuleTableError` naming file and line."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()  # a leading BOM is skipped
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleTableError(str(path), 0, f"cannot read the table: {exc}") from None
    rules: list[PhraseRule] = []
    seen: dict[str, int] = {}
    header: list[str] | None = None
    for number, raw in enumerate(lines, 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in raw.split("\t")]
        if header is None:
            header = cells
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise RuleTableError(
                    str(path), number,
                    f"header lacks column(s) {', '.join(missing)}; "
                    f"expected tab-separated: {', '.join(COLUMNS)}",
                )
            continue
        if len(cells) != len(header):
            raise RuleTableError(
                str(path), number,
                f"expected {len(header)} tab-separated columns, found {len(cells)}",
            )
        row = dict(zip(header, cells, strict=True))
        rules.append(_rule_from_row(path, number, row, seen))
    if header is None:
        raise RuleTableError(str(path), 1, f"empty table; first row must be: {', '.join(COLUMNS)}")
    return rules


def _rule_from_row(
    path: Path, number: int, row: dict[str, str], seen: dict[str, int]
) -> PhraseRule:
    def fail(problem: str) -> RuleTableError:
        return RuleTableError(str(path), number, problem)

    rule_id, pattern, action = row["id"], row["pattern"], row["action"]
    if not _ID.match(rule_id):
        raise fail(f"bad id {rule_id!r}: use lower-case letters, digits, '.', '_' or '-'")
    if rule_id in seen:
        raise fail(f"duplicate id {rule_id!r} (first on line {seen[rule_id]})")
    seen[rule_id] = number
    if action not in ACTIONS:
        raise fail(f"action must be 'replace' or 'flag', found {action!r}")
    if not pattern:
        raise fail("empty pattern")
    if not row["reason"]:
        raise fail("empty reason: say what the editor is told")
    try:
        regex = compile_pattern(pattern)
    except re.error as exc:
        raise fail(f"bad pattern {pattern!r}: {exc}") from None
    if regex.search(""):
        raise fail(f"pattern {pattern!r} matches empty text")
    if nested_repeat(pattern):
        raise fail(
            f"pattern {pattern!r} repeats a part that itself repeats (like (a+)+), which can take "
            "hours on one long word; repeat it once (a+), or make the inner part fixed"
        )
    if action == "replace":
        if not row["replacement"]:
            raise fail("a replace rule needs a replacement")
        for ref in re.findall(r"\\(\d+)|\\g<(\w+)>", row["replacement"]):
            name = ref[0] or ref[1]
            known = int(name) <= regex.groups if name.isdigit() else name in regex.groupindex
            if not known:
                raise fail(f"replacement refers to group {name!r}, which the pattern lacks")
    return PhraseRule(
        rule_id, pattern, action, row["replacement"], row["reason"], row["source"], number, regex
    )


# --------------------------------------------------------------------------------------------
# English fragments: one phrase per line, optionally a tab and a suggestion.


@dataclass(frozen=True)
class Fragment:
    phrase: str
    suggestion: str | None
    regex: re.Pattern[str]


def load_fragments(path: Path) -> list[Fragment]:
    """Read ``data/english_fragments.txt``; a missing file means no fragments."""
    if not path.exists():
        return []
    fragments = []
    for number, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        phrase, _, suggestion = raw.partition("\t")
        phrase = phrase.strip()
        if not phrase:
            raise RuleTableError(str(path), number, "empty phrase before the tab")
        regex = _fragment_regex(_fragment_words(phrase))
        fragments.append(Fragment(phrase, suggestion.strip() or None, regex))
    return fragments


def load_fragment_lines(lines: list[str]) -> list[Fragment]:
    """Fragments from lines as written in the file (for tests and doctests)."""
    fragments = []
    for raw in lines:
        phrase, _, suggestion = raw.partition("\t")
        phrase = phrase.strip()
        fragments.append(Fragment(phrase, suggestion.strip() or None,
                                  _fragment_regex(_fragment_words(phrase))))
    return fragments


def _fragment_words(phrase: str) -> str:
    return r"\s+".join(re.escape(word) for word in phrase.split())


def _fragment_regex(words: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{words})(?:'s|s|es)?(?![\w-])", re.IGNORECASE)
