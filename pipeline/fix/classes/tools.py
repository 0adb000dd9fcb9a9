"""What the class detectors share: their tools, their words and what they find.

The class detectors (:mod:`pipeline.fix.classes.compounds`, :mod:`pipeline.fix.classes.calques`,
:mod:`pipeline.fix.classes.numbers`) each stand for one class of English→Danish machine-translation
damage, defined by a linguistic property rather than by the words of a page. They read a
sentence's text and return :class:`ClassFlag` objects; :func:`pipeline.fix.classes.check_classes`
adds them to the article. They need the Danish dictionary (:mod:`pipeline.text.lexicon`) and,
where installed, the Apertium analyser (:mod:`pipeline.fix.analyser`); both come in one
:class:`ClassTools`, loaded once.

>>> [t.text for t in tokenise("Kunde service-afdelingen (EU) svarer 2,5 gange")]
['Kunde', 'service-afdelingen', 'EU', 'svarer', 'gange']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.document import Severity
from pipeline.fix.analyser import Analyser, Reading
from pipeline.text.lexicon import Lexicon
from pipeline.text.tables import data_dir_or_default, default_data_dir

STAGE = "fix"

# A word: letters, with inner hyphens or apostrophes (`service-afdelingen`, `Domino's`).
WORD = re.compile(r"(?<![\w-])[^\W\d_]+(?:[-'’][^\W\d_]+)*(?![\w])")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[Token, ...]:
    return tuple(Token(m.group(0), m.start(), m.end()) for m in WORD.finditer(text))


def tokenise(text: str) -> list[Token]:
    """The words of a sentence (numbers and punctuation left out)."""
    return list(_tokens(text))


@dataclass(frozen=True, slots=True)
class ClassFlag:
    """What a class detector found: a span of the sentence, the reason, the concrete fix."""

    rule_id: str
    start: int
    end: int
    reason: str
    suggestion: str | None
    severity: Severity = "warning"


@dataclass
class ClassTools:
    """The dictionary, the analyser (or ``None``) and the calque table, loaded once."""

    lexicon: Lexicon
    analyser: Analyser | None
    data_dir: Path = field(default_factory=default_data_dir)
    tables: dict[str, Path] = field(default_factory=dict)
    # Filled by the detectors that need them, on first use (see pipeline.fix.classes.calques).
    cache: dict[str, object] = field(default_factory=dict)

    def readings(self, word: str) -> list[Reading]:
        """The analyser's readings of ``word`` (``[]`` without an analyser or for an unknown
        word)."""
        return self.analyser.readings(word) if self.analyser is not None else []

    def analyse(self, words: set[str]) -> None:
        """Ask the analyser about many words in one batch (before asking about each)."""
        if self.analyser is not None:
            self.analyser.analyse(words)


def plain(readings: list[Reading]) -> list[Reading]:
    """Readings of a word standing alone (not only as the first part of a compound)."""
    return [r for r in readings if "compound-only-L" not in r.tags and "cmp" not in r.tags]


def load_class_tools(
    lexicon: Lexicon, analyser: Analyser | None, data_dir: Path | None = None
) -> ClassTools:
    """The tools the class detectors need; the fix stage passes its own lexicon and analyser
    (``rules.lexicon``, ``rules.checker.analyser``) so that nothing is loaded twice."""
    data = data_dir_or_default(data_dir)
    tools = ClassTools(lexicon, analyser, data)
    calques = data / "calques.tsv"
    if calques.exists():
        tools.tables[calques.name] = calques
    return tools
