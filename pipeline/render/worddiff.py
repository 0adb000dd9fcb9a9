"""Word-level diffs: which words changed between two texts, as plain text, ANSI or HTML.

Texts are cut into words, runs of whitespace and single punctuation marks, and compared with
:class:`difflib.SequenceMatcher`. Common prefix and suffix are trimmed first, and a middle too
long to compare word by word (a huge single-line file) becomes one replacement, so a diff never
takes quadratic time on pathological input.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

Tag = Literal["equal", "delete", "insert", "replace"]

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# Beyond this many differing tokens a word diff is reported as one replacement.
MAX_DIFF_TOKENS = 4_000  # (a sentence of some 2000 words; a general diff is quadratic)
# Beyond this many tokens, a middle of equally many tokens on both sides is compared in place.
IN_PLACE_TOKENS = 200


@dataclass(frozen=True)
class Chunk:
    """A run of text that is equal in both versions, or removed, added or replaced."""

    tag: Tag
    before: str
    after: str


def tokenize(text: str) -> list[str]:
    """Words, whitespace runs and punctuation marks; joined they give ``text`` back.

    >>> tokenize("Det er 80%!  ok")
    ['Det', ' ', 'er', ' ', '80', '%', '!', '  ', 'ok']
    """
    return _TOKEN.findall(text)


def word_diff(before: str, after: str) -> list[Chunk]:
    """The chunks that turn ``before`` into ``after``, word by word.

    >>> [(c.tag, c.before, c.after) for c in word_diff("vi ved alle", "Vi ved alle")]
    [('replace', 'vi', 'Vi'), ('equal', ' ved alle', ' ved alle')]
    >>> word_diff("same", "same")
    [Chunk(tag='equal', before='same', after='same')]
    """
    if before == after:
        return [Chunk("equal", before, after)] if before else []
    a, b = tokenize(before), tokenize(after)
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    mid_a, mid_b = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    chunks: list[Chunk] = []
    head = "".join(a[:prefix])
    if head:
        chunks.append(Chunk("equal", head, head))
    if len(mid_a) + len(mid_b) > MAX_DIFF_TOKENS:
        chunks.append(_change("".join(mid_a), "".join(mid_b)))
    elif len(mid_a) == len(mid_b) > IN_PLACE_TOKENS:
        # Word for word (every line break became a space): compared in place, in linear time;
        # a general diff of many equal words costs time quadratic in their number.
        for same, pairs in itertools.groupby(zip(mid_a, mid_b, strict=True),
                                             key=lambda pair: pair[0] == pair[1]):
            olds, news = zip(*pairs, strict=True)
            old, new = "".join(olds), "".join(news)
            chunks.append(Chunk("equal", old, new) if same else _change(old, new))
    else:
        matcher = SequenceMatcher(None, mid_a, mid_b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            old, new = "".join(mid_a[i1:i2]), "".join(mid_b[j1:j2])
            if tag == "equal":
                chunks.append(Chunk("equal", old, new))
            else:
                chunks.append(_change(old, new))
    tail = "".join(a[len(a) - suffix :]) if suffix else ""
    if tail:
        chunks.append(Chunk("equal", tail, tail))
    return _merge(chunks)


def _change(old: str, new: str) -> Chunk:
    if not old:
        return Chunk("insert", "", new)
    if not new:
        return Chunk("delete", old, "")
    return Chunk("replace", old, new)


def _merge(chunks: list[Chunk]) -> list[Chunk]:
    """Join neighbours of the same kind; fold a lone space between two changes into them."""
    merged: list[Chunk] = []
    for chunk in chunks:
        if (
            len(merged) >= 2
            and chunk.tag != "equal"
            and merged[-1].tag == "equal"
            and merged[-1].before.isspace()
            and merged[-2].tag != "equal"
        ):
            space = merged.pop().before
            last = merged.pop()
            chunk = _change(last.before + space + chunk.before, last.after + space + chunk.after)
        if merged and merged[-1].tag != "equal" and chunk.tag != "equal":
            last = merged.pop()
            chunk = _change(last.before + chunk.before, last.after + chunk.after)
        elif merged and merged[-1].tag == "equal" and chunk.tag == "equal":
            last = merged.pop()
            chunk = Chunk("equal", last.before + chunk.before, last.after + chunk.after)
        merged.append(chunk)
    return merged


def changed(chunks: list[Chunk]) -> bool:
    return any(chunk.tag != "equal" for chunk in chunks)


# --------------------------------------------------------------------------------------------
# Renderings


def to_markers(chunks: list[Chunk]) -> str:
    """Plain text with wdiff-style markers: ``[-removed-]{+added+}``.

    >>> to_markers(word_diff("vi ved alle", "Vi ved det"))
    '[-vi-]{+Vi+} ved [-alle-]{+det+}'
    """
    return _render(chunks, "[-{}-]", "{{+{}+}}")


_RED, _GREEN, _RESET = "\x1b[31;9m", "\x1b[32;4m", "\x1b[0m"


def to_ansi(chunks: list[Chunk]) -> str:
    """For a colour terminal: removed words red and struck through, added words green."""
    return _render(chunks, f"{_RED}{{}}{_RESET}", f"{_GREEN}{{}}{_RESET}")


def _render(chunks: list[Chunk], removed: str, added: str) -> str:
    """Unchanged text as it is; removed and added text through the two format strings."""
    out = []
    for chunk in chunks:
        if chunk.tag == "equal":
            out.append(chunk.after)
            continue
        if chunk.before:
            out.append(removed.format(chunk.before))
        if chunk.after:
            out.append(added.format(chunk.after))
    return "".join(out)


def to_html(chunks: list[Chunk]) -> str:
    """``<del>``/``<ins>`` markup; every piece of text is escaped.

    >>> to_html(word_diff("a <b>", "a &c"))
    'a <del>&lt;b&gt;</del><ins>&amp;c</ins>'
    """
    out = []
    for chunk in chunks:
        if chunk.tag == "equal":
            out.append(html.escape(chunk.after))
            continue
        if chunk.before:
            out.append(f"<del>{html.escape(chunk.before)}</del>")
        if chunk.after:
            out.append(f"<ins>{html.escape(chunk.after)}</ins>")
    return "".join(out)


def side_html(chunks: list[Chunk], side: Literal["before", "after"]) -> str:
    """One side of the diff with its changed words marked (``<del>`` before, ``<ins>`` after)."""
    element = "del" if side == "before" else "ins"
    out = []
    for chunk in chunks:
        text = chunk.before if side == "before" else chunk.after
        if not text:
            continue
        escaped = html.escape(text)
        out.append(escaped if chunk.tag == "equal" else f"<{element}>{escaped}</{element}>")
    return "".join(out)
