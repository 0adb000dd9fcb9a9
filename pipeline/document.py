"""The one document type that flows through every stage, and its JSON form.

An :class:`Article` holds :class:`Paragraph` objects, which hold :class:`Sentence` objects.
A sentence keeps the text it had in the input (``original``), its current text (``text``),
every edit a stage made (``edits``, in the order they were applied), the flags raised on it,
and later its back-translation.

Edits are *sequential*: ``start``/``end`` index the sentence text as it was just before that
edit, so replaying them in order on ``original`` reproduces ``text`` exactly
(:meth:`Sentence.replay`). Flags index the sentence's current text; when a later edit moves
text, :meth:`Sentence.apply_edit` moves the flags with it.

Every output file is a rendering of this record, so any view can be rebuilt from the JSON.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from itertools import accumulate
from sys import intern
from typing import Any, Literal, TypedDict, cast

SCHEMA_VERSION = 1

Severity = Literal["info", "warning", "error"]
ParagraphKind = Literal["text", "heading", "list"]


@dataclass(frozen=True, slots=True)
class Edit:
    """One change a rule made to a sentence."""

    stage: str
    rule_id: str
    start: int
    end: int
    before: str
    after: str
    reason: str = ""


@dataclass(slots=True)
class Flag:
    """Something an editor should look at; the text is left as it is."""

    rule_id: str
    start: int
    end: int
    severity: Severity
    reason: str
    suggestion: str | None = None
    stage: str = ""


@dataclass(slots=True)
class Translation:
    """A back-translation of one sentence."""

    text: str
    model: str
    score: float | None = None  # mean token log-probability; higher is more confident
    flags: list[Flag] = field(default_factory=list)
    cached: bool = False


# Below this many flags on a sentence, a repeated flag is found by looking at each.
_FEW_FLAGS = 16


@dataclass
class Sentence:
    original: str
    text: str = ""
    edits: list[Edit] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    translation: Translation | None = None
    # Whitespace that follows this sentence inside its paragraph ("" for the last one).
    space_after: str = ""

    def __post_init__(self) -> None:
        if not self.text and not self.edits:
            self.text = self.original

    def apply_edit(
        self, stage: str, rule_id: str, start: int, end: int, after: str, reason: str = ""
    ) -> bool:
        """Replace ``text[start:end]`` with ``after`` and record it; no-op if nothing changes."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"edit span {start}:{end} outside sentence of {len(self.text)}")
        before = self.text[start:end]
        if before == after:
            return False
        # A rule's id and reason are the same few strings for thousands of edits: share them.
        self.edits.append(Edit(stage, rule_id, start, end, before, after, intern(reason)))
        self.text = self.text[:start] + after + self.text[end:]
        self._shift_flags(start, end, len(after))
        return True

    def apply_edits(
        self, stage: str, rule_id: str, spans: Iterable[tuple[int, int, str]], reason: str = ""
    ) -> int:
        """Apply many replacements of one rule at once; ``spans`` are ``(start, end, after)``
        of the current text, left to right and not overlapping.

        The result, the edits and the flags are exactly those of calling :meth:`apply_edit`
        for each span from right to left, but the text is built once, so a rule that changes
        a long sentence in many places costs time linear in its length.

        >>> s = Sentence("a ' s a ' s")
        >>> s.apply_edits("normalize", "join", [(1, 4, "'"), (7, 10, "'")])
        2
        >>> s.text, [(e.start, e.before) for e in s.edits]
        ("a's a's", [(7, " ' "), (1, " ' ")])
        """
        text = self.text
        changes: list[tuple[int, int, str]] = []
        last = 0
        for start, end, after in spans:
            if not last <= start <= end <= len(text):
                raise ValueError(f"edit span {start}:{end} outside sentence of {len(text)}"
                                 if end > len(text) or start < 0 or start > end
                                 else f"edit span {start}:{end} overlaps the one before it")
            last = end
            if text[start:end] != after:
                changes.append((start, end, after))
        if not changes:
            return 0
        if len(changes) == 1:
            start, end, after = changes[0]
            return int(self.apply_edit(stage, rule_id, start, end, after, reason))
        pieces: list[str] = []
        position = 0
        for start, end, after in changes:
            pieces += (text[position:start], after)
            position = end
        pieces.append(text[position:])
        self.text = "".join(pieces)
        reason = intern(reason)
        for start, end, after in reversed(changes):
            self.edits.append(Edit(stage, rule_id, start, end, text[start:end], after, reason))
        if self.flags:
            self.__dict__.pop("_flag_key_cache", None)
            starts = [start for start, _, _ in changes]
            shifts = list(accumulate((len(a) - (e - s) for s, e, a in changes), initial=0))
            for flag in self.flags:
                _shift_flag(flag, changes, starts, shifts)
        return len(changes)

    def _shift_flags(self, start: int, end: int, new_len: int) -> None:
        delta = new_len - (end - start)
        if self.flags:
            self.__dict__.pop("_flag_key_cache", None)  # flags move: their keys change
        for flag in self.flags:
            if flag.start >= end:
                flag.start += delta
                flag.end += delta
            elif flag.end > start:  # overlaps the edit: stretch to cover what replaced it
                flag.start = min(flag.start, start)
                flag.end = max(flag.end + delta, start + new_len)

    def add_flag(
        self,
        stage: str,
        rule_id: str,
        start: int,
        end: int,
        reason: str,
        severity: Severity = "warning",
        suggestion: str | None = None,
    ) -> Flag | None:
        """Flag ``text[start:end]``; the same rule never flags the same span twice."""
        if len(self.flags) < _FEW_FLAGS:  # a look at each is cheaper than a set kept for good
            if any(f.start == start and f.end == end and f.rule_id == rule_id
                   for f in self.flags):
                return None
            flag = Flag(rule_id, start, end, severity, intern(reason), suggestion, stage)
            self.flags.append(flag)
            return flag
        keys = self._flag_keys()
        if (rule_id, start, end) in keys:
            return None
        flag = Flag(rule_id, start, end, severity, intern(reason), suggestion, stage)
        self.flags.append(flag)
        keys.add((rule_id, start, end))
        self.__dict__["_flag_key_cache"] = ((id(self.flags), len(self.flags)), keys)
        return flag

    def _flag_keys(self) -> set[tuple[str, int, int]]:
        """The (rule, start, end) of every flag, kept between calls (so that flagging many
        spans is linear) and rebuilt when the flags were replaced, added to or moved."""
        state = (id(self.flags), len(self.flags))
        cached = self.__dict__.get("_flag_key_cache")
        if cached is None or cached[0] != state:
            cached = (state, {(f.rule_id, f.start, f.end) for f in self.flags})
            self.__dict__["_flag_key_cache"] = cached
        keys: set[tuple[str, int, int]] = cached[1]
        return keys

    def replay(self) -> str:
        """Apply the recorded edits to ``original``; equals ``text`` when the record is sound."""
        return replay_edits(self.original, self.edits)

    def undo_edit(self, index: int) -> list[int]:
        """Undo ``edits[index]`` alone: the later edits are kept, moved to where they now fall.

        A later edit that rewrote text the undone edit produced cannot stand without it and is
        undone too; the indexes (in the list before the call) of those extra edits are returned.
        Flags move with the text, as in :meth:`apply_edit`. ``replay()`` still equals ``text``.

        >>> s = Sentence("vi ved  det")
        >>> s.apply_edit("n", "space", 6, 8, " ")
        True
        >>> s.apply_edit("fix", "casing", 0, 1, "V")
        True
        >>> s.undo_edit(0), s.text, s.replay() == s.text
        ([], 'Vi ved  det', True)
        """
        undone = self.edits[index]
        # Where the undone edit's text sits in the current text, and what stands there without it.
        start, end, without = undone.start, undone.start + len(undone.after), undone.before
        kept = self.edits[:index]
        dependent: list[int] = []
        for position in range(index + 1, len(self.edits)):
            edit = self.edits[position]
            grow = len(edit.after) - (edit.end - edit.start)
            shift = len(without) - (end - start)
            if edit.end <= start:
                kept.append(edit)
                start, end = start + grow, end + grow
            elif edit.start >= end:
                kept.append(replace(edit, start=edit.start + shift, end=edit.end + shift))
            else:  # rewrote (part of) the undone edit's text: it goes too
                dependent.append(position)
                text = self._text_before(position)
                without = (
                    text[min(start, edit.start) : start] + without + text[end : max(end, edit.end)]
                )
                start, end = min(start, edit.start), max(end, edit.end) + grow
        self.edits = kept
        self._shift_flags(start, end, len(without))
        self.text = self.text[:start] + without + self.text[end:]
        return dependent

    def _text_before(self, position: int) -> str:
        """The sentence text just before ``edits[position]`` was applied."""
        return replay_edits(self.original, self.edits[:position])

    @property
    def changed(self) -> bool:
        return self.text != self.original


@dataclass
class Paragraph:
    sentences: list[Sentence] = field(default_factory=list)
    kind: ParagraphKind = "text"

    @property
    def original(self) -> str:
        return "".join(s.original + s.space_after for s in self.sentences)

    @property
    def text(self) -> str:
        """The cleaned paragraph; sentences that a stage emptied leave no trace."""
        kept = [s for s in self.sentences if s.text]
        return "".join(s.text + (s.space_after or " ") for s in kept[:-1]) + (
            kept[-1].text if kept else ""
        )


class QAPair(TypedDict):
    """One aligned pair: English and Danish sentence indexes, their chrF, the qa rule if any."""

    en: list[int]
    da: list[int]
    chrf: float | None
    flag: str | None


class QARecord(TypedDict, total=False):
    """``Article.qa``: the comparison with the English original (:mod:`pipeline.qa.check`)."""

    original: str  # the original's name, relative to its folder
    original_sha256: str
    threshold: float  # chrF below which a pair is flagged
    sentences: list[str]  # the original, split into sentences
    pairs: list[QAPair]
    metric: str  # the chrF signature
    divergence: float  # share of the text in flagged pairs, 0–1
    mean_chrf: float | None
    counts: dict[str, int]  # flagged pairs by qa rule


def _qa_record(value: Any) -> QARecord | None:
    """The qa record read back from JSON (None when absent or not an object)."""
    return cast("QARecord", value) if isinstance(value, dict) else None


@dataclass
class Article:
    """One input file, segmented into paragraphs and sentences."""

    path: str  # relative to the input folder (or as given), POSIX separators
    paragraphs: list[Paragraph] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)  # about the whole file (e.g. its encoding)
    encoding: str = "utf-8"
    input_sha256: str = ""
    # Comparison with the English original (pipeline.qa.check): its sentences, the alignment and the
    # chrF of each pair; None when the article has no original.
    qa: QARecord | None = None

    def sentences(self) -> Iterator[Sentence]:
        for paragraph in self.paragraphs:
            yield from paragraph.sentences

    @property
    def text(self) -> str:
        """The cleaned article: paragraphs separated by one blank line, ending in a newline."""
        body = "\n\n".join(text for p in self.paragraphs if (text := p.text))
        return body + "\n" if body else ""

    @property
    def original_text(self) -> str:
        """The input as segmented (whitespace between paragraphs made uniform)."""
        body = "\n\n".join(p.original for p in self.paragraphs)
        return body + "\n" if body else ""

    def edits(self) -> Iterator[tuple[Sentence, Edit]]:
        for sentence in self.sentences():
            for edit in sentence.edits:
                yield sentence, edit

    def all_flags(self) -> Iterator[Flag]:
        yield from self.flags
        for sentence in self.sentences():
            yield from sentence.flags
            if sentence.translation is not None:
                yield from sentence.translation.flags

    # -- JSON form -------------------------------------------------------------------------

    def to_dict(self, paragraphs: bool = True) -> dict[str, Any]:
        """The JSON form; without ``paragraphs`` all but those (see :func:`records.record_text`)."""
        data = asdict(self) if paragraphs else asdict(replace(self, paragraphs=[]))
        data["schema"] = SCHEMA_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        schema = data.get("schema", SCHEMA_VERSION)
        if schema != SCHEMA_VERSION:
            raise ValueError(f"record schema {schema} is not supported (expected {SCHEMA_VERSION})")
        return cls(
            path=data["path"],
            paragraphs=[_paragraph_from_dict(p) for p in data["paragraphs"]],
            flags=[Flag(**f) for f in data.get("flags", [])],
            encoding=data.get("encoding", "utf-8"),
            input_sha256=data.get("input_sha256", ""),
            qa=_qa_record(data.get("qa")),
        )


def _paragraph_from_dict(data: dict[str, Any]) -> Paragraph:
    return Paragraph(
        sentences=[_sentence_from_dict(s) for s in data["sentences"]], kind=data["kind"]
    )


def _sentence_from_dict(data: dict[str, Any]) -> Sentence:
    translation = data.get("translation")
    return Sentence(
        original=data["original"],
        text=data["text"],
        edits=[Edit(**e) for e in data.get("edits", [])],
        flags=[Flag(**f) for f in data.get("flags", [])],
        translation=(
            Translation(
                **{k: v for k, v in translation.items() if k != "flags"},
                flags=[Flag(**f) for f in translation.get("flags", [])],
            )
            if translation
            else None
        ),
        space_after=data.get("space_after", ""),
    )


def _shift_flag(
    flag: Flag, changes: list[tuple[int, int, str]], starts: list[int], shifts: list[int]
) -> None:
    """Move ``flag`` as :meth:`Sentence._shift_flags` would for each change, right to left.

    Changes right of the flag leave it alone; those it overlaps stretch it one by one; all
    that lie wholly left of it then move it by their total change in length (``shifts[i]``
    is that total for the first ``i`` changes).
    """
    index = bisect_right(starts, flag.end) - 1
    while index >= 0:
        start, end, after = changes[index]
        if flag.start >= end:
            break
        if flag.end > start:  # overlaps: stretch to cover what replaced it
            flag.start = min(flag.start, start)
            flag.end = max(flag.end + len(after) - (end - start), start + len(after))
        index -= 1
    flag.start += shifts[index + 1]
    flag.end += shifts[index + 1]


def replay_edits(original: str, edits: list[Edit]) -> str:
    """Apply sequential edits to ``original``.

    >>> replay_edits("vi ved", [Edit("fix", "casing.start", 0, 1, "v", "V")])
    'Vi ved'
    """
    text = original
    for edit in edits:
        if text[edit.start : edit.end] != edit.before:
            raise ValueError(
                f"edit {edit.rule_id} expects {edit.before!r} at {edit.start}, "
                f"found {text[edit.start : edit.end]!r}"
            )
        text = text[: edit.start] + edit.after + text[edit.end :]
    return text
