"""The batch's ignore list: words never flagged and rules turned off (``OUT_DIR/ignore.txt``),
which an editor adds to from the review app and the next ``daen run`` honours."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.document import Article
from pipeline.fsutil import write_atomic
from pipeline.run.decision_store import DecisionError

IGNORE_FILE = "ignore.txt"


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
