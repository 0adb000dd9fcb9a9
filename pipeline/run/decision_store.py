"""The editors' decisions as files: identities, the data, and the store.

Each decision names its sentence by the *content hash* of the sentence's input text (plus
which occurrence of that text it is), and its edit or flag by rule id and span, so it survives
a re-run (:mod:`pipeline.run.decisions` applies them to an article). The store is
``NAME.decisions.json`` beside the article's outputs, with a ``version`` that goes up by one on
every save, an undo history, and a folder lock so that two processes save one after the other.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pipeline.document import Article, Edit, Flag
from pipeline.errors import DaenError
from pipeline.fsutil import write_atomic

DECISIONS_SUFFIX = ".decisions.json"
FINAL_SUFFIX = ".final.da.txt"
DECISIONS_SCHEMA = 1

Kind = Literal["edit", "flag", "text"]
Action = Literal["accept", "reject", "resolve", "dismiss", "edit"]
ACTIONS: dict[str, tuple[str, ...]] = {
    "edit": ("accept", "reject"),
    "flag": ("resolve", "dismiss"),
    "text": ("edit",),
}
DONE_KEY = "@done"  # the history entry of marking the article done


class DecisionError(DaenError):
    """A decisions file that cannot be read or a decision that makes no sense."""


class DecisionConflict(DecisionError):
    """The decisions changed on disk since the version a save was based on."""

    def __init__(self, path: Path, expected: int, found: int) -> None:
        super().__init__(
            f"{path.name}: changed elsewhere (another tab or window saved version {found}; "
            f"this page had version {expected}). Nothing was saved: reload to see the latest "
            "decisions, then decide again."
        )
        self.found = found


# --------------------------------------------------------------------------------------------
# Identities: sentences by content, items by rule and span


def content_hash(text: str) -> str:
    """A short hash of a sentence's input text.

    >>> content_hash("Vi ved det.")
    '8797ef32a6405e40'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def sentence_keys(article: Article) -> list[str]:
    """One key per sentence, in article order: content hash and occurrence (``hash.0``)."""
    seen: dict[str, int] = {}
    keys = []
    for sentence in article.sentences():
        digest = content_hash(sentence.original)
        occurrence = seen.get(digest, 0)
        seen[digest] = occurrence + 1
        keys.append(f"{digest}.{occurrence}")
    return keys


def _short(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:10]


def edit_key(sentence_key: str, edit: Edit) -> str:
    return f"{sentence_key}:e:{_short(edit.rule_id, edit.start, edit.end, edit.before, edit.after)}"


def flag_key(sentence_key: str, flag: Flag) -> str:
    return f"{sentence_key}:f:{_short(flag.rule_id, flag.start, flag.end)}"


def text_key(sentence_key: str) -> str:
    return f"{sentence_key}:t"


# --------------------------------------------------------------------------------------------
# The data


@dataclass
class Decision:
    """One decision on one edit, flag or sentence text."""

    sentence: str  # sentence key: content hash of its input text and occurrence
    kind: Kind
    action: Action
    rule_id: str = ""
    start: int = 0
    end: int = 0
    before: str = ""  # edits: the text the edit replaced
    after: str = ""  # edits: the text it put there; hand edits: the editor's sentence text
    note: str = ""
    time: str = ""
    # Shown for orphans (whose sentence may be gone): the sentence's input text.
    context: str = ""

    @property
    def key(self) -> str:
        if self.kind == "edit":
            return edit_key(
                self.sentence,
                Edit("", self.rule_id, self.start, self.end, self.before, self.after),
            )
        if self.kind == "flag":
            return flag_key(self.sentence, Flag(self.rule_id, self.start, self.end, "info", ""))
        return text_key(self.sentence)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        decision = cls(**known)
        if decision.kind not in ACTIONS or decision.action not in ACTIONS[decision.kind]:
            raise ValueError(f"unknown decision {decision.kind}/{decision.action}")
        return decision


@dataclass
class Decisions:
    """Every decision on one article (``NAME.decisions.json``)."""

    article: str  # the article's path, as in its record
    version: int = 0
    done: bool = False
    items: dict[str, Decision] = field(default_factory=dict)  # by item key
    orphaned: list[Decision] = field(default_factory=list)
    # For undo, newest last: {"key": item key or DONE_KEY, "previous": decision dict, None,
    # or the previous done state}.
    history: list[dict[str, Any]] = field(default_factory=list)
    updated: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": DECISIONS_SCHEMA,
            "article": self.article,
            "version": self.version,
            "done": self.done,
            "updated": self.updated,
            "decisions": [asdict(d) for d in self.items.values()],
            "orphaned": [asdict(d) for d in self.orphaned],
            "history": self.history,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decisions:
        if data.get("schema") != DECISIONS_SCHEMA:
            raise ValueError(f"decisions schema {data.get('schema')!r} is not supported")
        items = [Decision.from_dict(d) for d in data.get("decisions", [])]
        return cls(
            article=str(data.get("article", "")),
            version=int(data.get("version", 0)),
            done=bool(data.get("done", False)),
            items={d.key: d for d in items},
            orphaned=[Decision.from_dict(d) for d in data.get("orphaned", [])],
            history=list(data.get("history", [])),
            updated=str(data.get("updated", "")),
        )

    @property
    def state(self) -> Literal["not started", "in progress", "done"]:
        if self.done:
            return "done"
        return "in progress" if self.items or self.history else "not started"

    # -- changes (each one recorded for undo) -------------------------------------------

    def decide(self, decision: Decision) -> None:
        """Record a decision (replacing any earlier one on the same item)."""
        if decision.kind not in ACTIONS or decision.action not in ACTIONS[decision.kind]:
            raise DecisionError(f"cannot {decision.action} a {decision.kind}")
        key = decision.key
        previous = self.items.get(key)
        self.history.append({"key": key, "previous": asdict(previous) if previous else None})
        decision.time = decision.time or utc_now()
        self.items[key] = decision

    def clear(self, key: str) -> None:
        """Take back the decision on an item (it becomes undecided)."""
        previous = self.items.pop(key, None)
        if previous is not None:
            self.history.append({"key": key, "previous": asdict(previous)})

    def mark_done(self, done: bool = True) -> None:
        self.history.append({"key": DONE_KEY, "previous": self.done})
        self.done = done

    def undo(self) -> str | None:
        """Undo the last change; the key of the item it touched (``None``: nothing to undo)."""
        if not self.history:
            return None
        last = self.history.pop()
        key = str(last["key"])
        previous = last["previous"]
        if key == DONE_KEY:
            self.done = bool(previous)
        elif previous is None:
            self.items.pop(key, None)
        else:
            self.items[key] = Decision.from_dict(previous)
        return key


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------
# Files


def decisions_path(output_dir: Path, name: str) -> Path:
    return output_dir / f"{name}{DECISIONS_SUFFIX}"


def final_path(output_dir: Path, name: str) -> Path:
    return output_dir / f"{name}{FINAL_SUFFIX}"


def load_decisions(path: Path, article: str = "") -> Decisions:
    """The decisions in ``path``; none yet (version 0) when the file does not exist."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Decisions(article)
    except (OSError, ValueError) as error:
        raise DecisionError(f"{path}: unreadable decisions ({error})") from None
    try:
        return Decisions.from_dict(data)
    except (TypeError, ValueError, KeyError) as error:
        raise DecisionError(f"{path}: not a decisions file ({error})") from None


_SAVE_LOCK = threading.Lock()


def save_decisions(path: Path, decisions: Decisions, expected_version: int) -> Decisions:
    """Save atomically as version ``expected_version + 1``.

    Raises :class:`DecisionConflict` when the file on disk is no longer ``expected_version``
    (another tab saved first): nothing is written, and no decision on disk is lost.
    """
    with _SAVE_LOCK, _folder_lock(path.parent):
        found = load_decisions(path).version if path.exists() else 0
        if found != expected_version:
            raise DecisionConflict(path, expected_version, found)
        decisions.version = expected_version + 1
        decisions.updated = utc_now()
        write_atomic(path, json.dumps(decisions.to_dict(), ensure_ascii=False, indent=1) + "\n")
    return decisions


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (POSIX), so that two processes (a review app and
    ``daen run``, or two apps) check the version and write one after the other."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the in-process lock alone
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
