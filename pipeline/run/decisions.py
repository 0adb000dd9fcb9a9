"""What editors decide about an article, kept as data beside the run's outputs.

An editor accepts or rejects each edit, resolves or dismisses each flag (with an optional note),
edits a sentence's cleaned text by hand and marks the article done. Each decision names its
sentence by the *content hash* of the sentence's input text (plus which occurrence of that text
it is), and its edit or flag by rule id and span, so it survives a re-run: a sentence whose
input is unchanged gets the same decisions; one whose input changed leaves its decisions
*orphaned*, listed for the editor instead of silently applied to other text.

Files, beside the article's outputs (``NAME`` is the output name):

- ``NAME.decisions.json``: the decisions, with a ``version`` that goes up by one on every save.
  A save names the version it was based on; a different version on disk is a
  :class:`DecisionConflict` (two browser tabs cannot overwrite each other's decisions).
- ``NAME.final.da.txt``: the cleaned text with the decisions applied, written on every save.
- ``OUT_DIR/ignore.txt``: the batch's ignore list (words never flagged, rules turned off), which
  the next ``daen run`` honours.

Entry points: :func:`apply_decisions` (a pure function: article + decisions -> decided
article), :func:`load_decisions` / :func:`save_decisions`, :func:`prepare_article` (the one
call ``daen run`` makes per article it writes) and :func:`rule_stats`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pipeline.document import Article, Edit, Flag, Paragraph, Sentence
from pipeline.errors import DaenError
from pipeline.fsutil import write_atomic

DECISIONS_SUFFIX = ".decisions.json"
FINAL_SUFFIX = ".final.da.txt"
IGNORE_FILE = "ignore.txt"
DECISIONS_SCHEMA = 1
HAND_EDIT_RULE = "editor.hand_edit"
HAND_EDIT_STAGE = "editor"

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


# --------------------------------------------------------------------------------------------
# Applying decisions to an article


@dataclass
class Applied:
    """An article with its decisions applied, and what the review page needs to show them."""

    article: Article  # rejected edits undone, dismissed and resolved flags gone, hand edits in
    decisions: Decisions
    keys: list[str]  # sentence keys, in article order
    orphaned: list[Decision]  # decisions whose sentence, edit or flag is no longer there
    # Edits undone only because a rejected edit they rewrote was undone: key -> rejected key.
    also_undone: dict[str, str] = field(default_factory=dict)


def apply_decisions(article: Article, decisions: Decisions) -> Applied:
    """The article as the editor decided it; the input article is left unchanged.

    Per sentence, in this order: rejected edits are undone (each alone, the later edits
    replayed where they now fall, see :meth:`Sentence.undo_edit`); dismissed and resolved
    flags are removed; a hand edit replaces the text (recorded as an edit of its own, so the
    record still replays). Decisions that match nothing in the article are *orphaned*.
    """
    keys = sentence_keys(article)
    matched: set[str] = set()
    also_undone: dict[str, str] = {}
    paragraphs = []
    position = 0
    for paragraph in article.paragraphs:
        sentences = []
        for sentence in paragraph.sentences:
            key = keys[position]
            position += 1
            sentences.append(_decide_sentence(sentence, key, decisions, matched, also_undone))
        paragraphs.append(Paragraph(sentences, paragraph.kind))
    decided = replace(article, paragraphs=paragraphs, flags=list(article.flags))
    orphaned = [d for k, d in decisions.items.items() if k not in matched]
    orphaned += [d for d in decisions.orphaned if d.key not in matched]
    return Applied(decided, decisions, keys, orphaned, also_undone)


def _decide_sentence(
    sentence: Sentence,
    key: str,
    decisions: Decisions,
    matched: set[str],
    also_undone: dict[str, str],
) -> Sentence:
    items = decisions.items
    edit_keys = [edit_key(key, e) for e in sentence.edits]
    flag_keys = [flag_key(key, f) for f in sentence.flags]
    matched.update(k for k in [*edit_keys, *flag_keys, text_key(key)] if k in items)
    rejected = [i for i, k in enumerate(edit_keys) if _action(items, k) == "reject"]
    removed = {i for i, k in enumerate(flag_keys) if _action(items, k) in ("dismiss", "resolve")}
    hand = items.get(text_key(key))
    if not rejected and not removed and hand is None:
        return sentence
    decided = replace(
        sentence,
        edits=list(sentence.edits),
        flags=[replace(f) for i, f in enumerate(sentence.flags) if i not in removed],
    )
    remaining = list(edit_keys)
    for index in sorted(rejected, reverse=True):  # from the last, so indexes stay valid
        rejected_key = edit_keys[index]
        if rejected_key not in remaining:
            continue  # already undone with an earlier one
        at = remaining.index(rejected_key)
        dependent = decided.undo_edit(at)
        for extra in dependent:
            also_undone[remaining[extra]] = rejected_key
        for extra in sorted([at, *dependent], reverse=True):
            del remaining[extra]
    if hand is not None and hand.after != decided.text:
        _hand_edit(decided, hand)
    return decided


def _action(items: dict[str, Decision], key: str) -> str | None:
    decision = items.get(key)
    return decision.action if decision is not None else None


def _hand_edit(sentence: Sentence, decision: Decision) -> None:
    """Replace the sentence text by the editor's, as one edit over the part that differs."""
    old, new = sentence.text, decision.after
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old), len(new)) - prefix
        and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
    ):
        suffix += 1
    sentence.apply_edit(
        HAND_EDIT_STAGE, HAND_EDIT_RULE, prefix, len(old) - suffix,
        new[prefix : len(new) - suffix], decision.note or "Edited by hand.",
    )


def reconcile(article: Article, decisions: Decisions) -> bool:
    """Move decisions that no longer match the article to ``orphaned``, and orphans that match
    again (an input change reverted) back. Whether anything moved."""
    everything = {**{d.key: d for d in decisions.orphaned}, **decisions.items}
    trial = replace(decisions, items=everything, orphaned=[])
    orphaned = apply_decisions(article, trial).orphaned
    orphan_keys = {d.key for d in orphaned}
    kept = {k: d for k, d in everything.items() if k not in orphan_keys}
    changed = set(kept) != set(decisions.items) or orphan_keys != {
        d.key for d in decisions.orphaned
    }
    decisions.items, decisions.orphaned = kept, orphaned
    return changed


# --------------------------------------------------------------------------------------------
# Outputs: the final text and the run's hook


def decisions_by_sentence(applied: Applied) -> list[list[Decision]]:
    """The decisions in force on each sentence, in article order (orphans left out)."""
    orphaned = {d.key for d in applied.orphaned}
    by_key: dict[str, list[Decision]] = {key: [] for key in applied.keys}
    for key, decision in applied.decisions.items.items():
        if key not in orphaned and decision.sentence in by_key:
            by_key[decision.sentence].append(decision)
    return [by_key[key] for key in applied.keys]


def describe(decision: Decision) -> str:
    """One line for an export note.

    >>> describe(Decision("k.0", "flag", "dismiss", "fix.unknown_word", 3, 9, note="a brand"))
    'dismissed flag fix.unknown_word at 3-9: a brand'
    """
    verb = {"accept": "accepted", "reject": "rejected", "resolve": "resolved",
            "dismiss": "dismissed", "edit": "edited by hand"}[decision.action]
    if decision.kind == "text":
        text = f"{verb}: “{decision.after}”"
    elif decision.kind == "edit":
        text = f"{verb} edit {decision.rule_id}: “{decision.before}” → “{decision.after}”"
    else:
        text = f"{verb} flag {decision.rule_id} at {decision.start}-{decision.end}"
    return f"{text}: {decision.note}" if decision.note else text


def final_text(applied: Applied) -> str:
    from pipeline.render.text import danish_text

    return danish_text(applied.article)


def load_applied(output_dir: Path, name: str, article: Article) -> Applied | None:
    """The article with the editor's decisions applied; ``None`` when nobody decided yet."""
    path = decisions_path(output_dir, name)
    if not path.exists():
        return None
    return apply_decisions(article, load_decisions(path, article.path))


def write_final(output_dir: Path, name: str, applied: Applied) -> None:
    write_atomic(final_path(output_dir, name), final_text(applied))


def prepare_article(article: Article, output_dir: Path, name: str) -> Article:
    """What ``daen run`` does for each article before writing its outputs.

    Applies the batch's ignore list to the article (so the outputs never show an ignored
    flag or a turned-off rule's edit), then, when the editor has decisions on the article,
    marks those that no longer match as orphaned and rewrites ``NAME.final.da.txt``.
    """
    apply_ignore_list(article, load_ignore_list(output_dir))
    path = decisions_path(output_dir, name)
    if path.exists():
        decisions = load_decisions(path, article.path)
        for decision in [*decisions.items.values(), *decisions.orphaned]:
            decision.context = decision.context or _context(article, decision.sentence)
        if reconcile(article, decisions):
            save_decisions(path, decisions, decisions.version)
        write_final(output_dir, name, apply_decisions(article, decisions))
    return article


def _context(article: Article, sentence_key: str) -> str:
    for key, sentence in zip(sentence_keys(article), article.sentences(), strict=True):
        if key == sentence_key:
            return sentence.original
    return ""


# --------------------------------------------------------------------------------------------
# The batch's ignore list


@dataclass(frozen=True)
class IgnoreList:
    """Words never flagged and rules turned off, for one batch (``OUT_DIR/ignore.txt``).

    One entry a line: ``word cashback`` or ``rule fix.doubled_word``; ``#`` starts a comment.
    """

    words: frozenset[str] = frozenset()  # compared case-insensitively
    rules: frozenset[str] = frozenset()

    def to_manifest(self) -> dict[str, list[str]]:
        return {"words": sorted(self.words), "rules": sorted(self.rules)}

    @property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.to_manifest()).encode()).hexdigest()

    def __bool__(self) -> bool:
        return bool(self.words or self.rules)


_IGNORE_LINE = re.compile(r"^(word|rule)\s+(.+?)\s*$")


def parse_ignore_list(text: str, source: str = IGNORE_FILE) -> IgnoreList:
    """Read an ignore list; a line that is neither ``word X`` nor ``rule X`` is an error.

    >>> parse_ignore_list("# ours\\nword Cashback\\nrule fix.doubled_word  # too eager\\n")
    IgnoreList(words=frozenset({'cashback'}), rules=frozenset({'fix.doubled_word'}))
    """
    words: set[str] = set()
    rules: set[str] = set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()  # "C#" is a word; " # why" is a comment
        if not line or line.startswith("#"):
            continue
        match = _IGNORE_LINE.match(line)
        if match is None:
            raise DecisionError(
                f"{source}, line {number}: expected 'word WORD' or 'rule RULE_ID', found {line!r}"
            )
        (words if match[1] == "word" else rules).add(
            match[2].casefold() if match[1] == "word" else match[2]
        )
    return IgnoreList(frozenset(words), frozenset(rules))


def load_ignore_list(output_dir: Path) -> IgnoreList:
    path = output_dir / IGNORE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return IgnoreList()
    except (OSError, UnicodeDecodeError) as error:
        raise DecisionError(f"{path}: cannot be read ({error})") from None
    return parse_ignore_list(text, str(path))


def add_to_ignore_list(output_dir: Path, kind: Literal["word", "rule"], value: str) -> IgnoreList:
    """Append ``word X`` or ``rule X`` to the batch's ignore list (atomically)."""
    value = value.strip()
    if not value or "\n" in value or "#" in value:
        raise DecisionError(f"cannot ignore {kind} {value!r}")
    path = output_dir / IGNORE_FILE
    current = load_ignore_list(output_dir)
    if (value.casefold() in current.words) if kind == "word" else (value in current.rules):
        return current
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = (
            "# daen ignore list: the next `daen run` honours it. One entry a line:\n"
            "#   word WORD     never flag this word\n"
            "#   rule RULE_ID  turn this rule off for this batch\n"
        )
    if text and not text.endswith("\n"):
        text += "\n"
    write_atomic(path, f"{text}{kind} {value}\n")
    return load_ignore_list(output_dir)


def ignore_key(run_key: str, output_dir: Path) -> str:
    """The run key, changed when the batch has an ignore list (so every article is redone)."""
    ignore = load_ignore_list(output_dir)
    if not ignore:
        return run_key
    return hashlib.sha256(f"{run_key}\0{ignore.sha256}".encode()).hexdigest()


def apply_ignore_list(article: Article, ignore: IgnoreList) -> Article:
    """Remove flags on ignored words and of turned-off rules; undo turned-off rules' edits."""
    if not ignore:
        return article
    article.flags = [f for f in article.flags if f.rule_id not in ignore.rules]
    for sentence in article.sentences():
        for index in range(len(sentence.edits) - 1, -1, -1):
            if index < len(sentence.edits) and sentence.edits[index].rule_id in ignore.rules:
                sentence.undo_edit(index)
        sentence.flags = [
            f for f in sentence.flags
            if f.rule_id not in ignore.rules
            and _word(sentence.text[f.start : f.end]) not in ignore.words
        ]
    return article


def _word(text: str) -> str:
    return text.strip(" \t\"'«»“”‘’.,;:!?()").casefold()


# --------------------------------------------------------------------------------------------
# What editors think of each rule


@dataclass
class RuleStats:
    rule_id: str
    accepted: int = 0
    rejected: int = 0
    resolved: int = 0
    dismissed: int = 0

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected + self.resolved + self.dismissed

    @property
    def rejection_rate(self) -> float:
        """Share of the rule's decisions that said it was wrong (rejected or dismissed)."""
        return (self.rejected + self.dismissed) / self.decided if self.decided else 0.0


_COUNTED = {
    "accept": "accepted", "reject": "rejected", "resolve": "resolved", "dismiss": "dismissed",
}


def iter_decision_files(output_dirs: Iterable[Path]) -> Iterator[Path]:
    for output_dir in output_dirs:
        if not output_dir.is_dir():
            raise DecisionError(f"{output_dir}: not a folder (give output folders of `daen run`)")
        for folder, _, files in os.walk(output_dir):
            for file_name in sorted(files):
                if file_name.endswith(DECISIONS_SUFFIX):
                    yield Path(folder) / file_name


def rule_stats(output_dirs: Iterable[Path]) -> list[RuleStats]:
    """Per rule id, the editors' decisions over the runs, highest rejection rate first.

    In an article marked done, an edit the editor left undecided counts as accepted (the
    editor let it stand); an undecided flag counts as neither.
    """
    table: dict[str, RuleStats] = {}

    def count(rule_id: str, column: str) -> None:
        stats = table.setdefault(rule_id, RuleStats(rule_id))
        setattr(stats, column, getattr(stats, column) + 1)

    for path in iter_decision_files(output_dirs):
        decisions = load_decisions(path)
        for decision in [*decisions.items.values(), *decisions.orphaned]:
            if decision.action in _COUNTED:
                count(decision.rule_id, _COUNTED[decision.action])
        if decisions.done:
            for rule_id in _undecided_edits(path, decisions):
                count(rule_id, "accepted")
    return sorted(table.values(), key=lambda s: (-s.rejection_rate, -s.decided, s.rule_id))


def _undecided_edits(path: Path, decisions: Decisions) -> list[str]:
    """Rule ids of the edits in the article's record that have no decision."""
    record = path.with_name(path.name[: -len(DECISIONS_SUFFIX)] + ".json")
    try:
        article = Article.from_dict(json.loads(record.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return []  # the record is gone: only the explicit decisions count
    return [
        edit.rule_id
        for key, sentence in zip(sentence_keys(article), article.sentences(), strict=True)
        for edit in sentence.edits
        if edit_key(key, edit) not in decisions.items
    ]


def stats_table(stats: list[RuleStats]) -> str:
    """The stats as a text table, for the terminal."""
    if not stats:
        return "No decisions yet: review articles with `daen review OUT_DIR`.\n"
    from pipeline.registry import kind_of

    header = (
        f"{'rule':<36} {'accepted':>8} {'rejected':>8} {'resolved':>8} {'dismissed':>9} "
        f"{'rejection':>9}  kind"
    )
    lines = [header, "-" * len(header)]
    for s in stats:
        lines.append(
            f"{s.rule_id:<36} {s.accepted:>8} {s.rejected:>8} {s.resolved:>8} {s.dismissed:>9} "
            f"{100 * s.rejection_rate:>8.0f}%  {kind_of(s.rule_id).label}"
        )
    return "\n".join(lines) + "\n"
