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
    limit = min(len(before), len(after))
    prefix = _common_prefix(before, after, limit)
    suffix = _common_prefix(before[::-1], after[::-1], limit - prefix)
    a = before[prefix : len(before) - suffix]
    b = after[prefix : len(after) - suffix]
    local = _local_diff(a, b)
    if local is not None:
        return [Span(prefix + s.start, prefix + s.end, s.replacement) for s in local]
    if len(a) == len(b):  # dense replacements (every line break a space): in place, linear
        return [Span(prefix + s.start, prefix + s.end, s.replacement) for s in _in_place(a, b)]
    if len(a) + len(b) > _MAX_DIFF_CHARS:
        return [Span(prefix, prefix + len(a), b)]
    spans = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            spans.append(Span(prefix + i1, prefix + i2, b[j1:j2]))
    return _merge_adjacent(spans)


def _in_place(a: str, b: str) -> list[Span]:
    """Runs of differing characters of two equally long texts, compared place by place.

    >>> _in_place("a\\na\\na", "a a a")
    [Span(start=1, end=2, replacement=' '), Span(start=3, end=4, replacement=' ')]
    """
    spans: list[Span] = []
    start = -1
    for index, (x, y) in enumerate(zip(a, b, strict=True)):
        if x != y and start < 0:
            start = index
        elif x == y and start >= 0:
            spans.append(Span(start, index, b[start:index]))
            start = -1
    if start >= 0:
        spans.append(Span(start, len(a), b[start:]))
    return spans


def _common_prefix(a: str, b: str, limit: int) -> int:
    """Length of the common prefix of ``a`` and ``b``, at most ``limit``; compares in chunks."""
    n = 0
    step = 32
    while n + step <= limit and a[n : n + step] == b[n : n + step]:
        n += step
    while n < limit and a[n] == b[n]:
        n += 1
    return n


# Rules make small, scattered replacements, so a linear scan that re-synchronises after each
# difference finds them far faster than a general diff. The anchor is how many characters must
# agree after a difference to count as back in step; the reach is the longest replacement
# looked for. When it cannot re-synchronise, the general diff takes over.
_ANCHOR = 2
_REACH = 24


def _local_diff(a: str, b: str) -> list[Span] | None:
    """Spans turning ``a`` into ``b`` for sparse local changes, or None.

    >>> spans = _local_diff("en ‘trend’ og ‘pap’", "en »trend« og »pap«")
    >>> [(s.start, s.end, s.replacement) for s in spans]
    [(3, 4, '»'), (9, 10, '«'), (14, 15, '»'), (18, 19, '«')]
    """
    spans: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        step = _resync(a, b, i, j)
        if step is None:
            return None
        di, dj = step
        spans.append(Span(i, i + di, b[j : j + dj]))
        i += di
        j += dj
    if i < len(a) or j < len(b):
        spans.append(Span(i, len(a), b[j:]))
    return _merge_adjacent(spans)


def _resync(a: str, b: str, i: int, j: int) -> tuple[int, int] | None:
    for total in range(1, 2 * _REACH + 1):
        for di in range(max(0, total - _REACH), min(total, _REACH) + 1):
            dj = total - di
            x, y = i + di, j + dj
            if x > len(a) or y > len(b):
                continue
            n = min(_ANCHOR, len(a) - x, len(b) - y)
            if x == len(a) and y == len(b):
                return di, dj
            if n and (n == _ANCHOR or x + n == len(a) or y + n == len(b)) and (
                a[x : x + n] == b[y : y + n]
            ):
                return di, dj
    return None


def _merge_adjacent(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in spans:
        if merged and merged[-1].end == span.start:
            last = merged.pop()
            span = Span(last.start, span.end, last.replacement + span.replacement)
        merged.append(span)
    return merged
