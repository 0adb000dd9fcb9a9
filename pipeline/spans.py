"""Turn a rule's ``str -> str`` result into the smallest edits that explain it.

Rules are plain string functions (easy to write, read and doctest); the recording machinery
finds what they changed, so an edit is recorded only where the text actually changed.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import NamedTuple

# Beyond this many differing characters a character diff gets slow (it is quadratic in the
# worst case); such a change is recorded as one span instead.
_MAX_DIFF_CHARS = 4000


class Span(NamedTuple):
    start: int
    end: int
    replacement: str


def changed_spans(before: str, after: str) -> list[Span]:
    """The spans of ``before`` that must be replaced to get ``after``, left to right.

    >>> changed_spans("Domino ‘ s", "Domino's")
    [Span(start=6, end=9, replacement="'")]
    >>> changed_spans("a  b  c", "a b c")
    [Span(start=2, end=3, replacement=''), Span(start=4, end=5, replacement='')]
    >>> changed_spans("same", "same")
    []
    """
    if before == after:
        return []
    prefix = 0
    limit = min(len(before), len(after))
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < limit - prefix
        and before[len(before) - 1 - suffix] == after[len(after) - 1 - suffix]
    ):
        suffix += 1
    a = before[prefix : len(before) - suffix]
    b = after[prefix : len(after) - suffix]
    if len(a) + len(b) > _MAX_DIFF_CHARS:
        return [Span(prefix, prefix + len(a), b)]
    spans = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            spans.append(Span(prefix + i1, prefix + i2, b[j1:j2]))
    return _merge_adjacent(spans)


def _merge_adjacent(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in spans:
        if merged and merged[-1].end == span.start:
            last = merged.pop()
            span = Span(last.start, span.end, last.replacement + span.replacement)
        merged.append(span)
    return merged
