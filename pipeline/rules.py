"""What a rule is: its id, the stage that runs it, the kind of problem it is about, whether it
edits or only flags, and the reason an editor sees.

Every rule is declared once, next to its code (a stage's ``DECLARED_RULES``); the checks only
emit its id, and :mod:`pipeline.registry` collects the declarations for the review page, the
summary and ``daen rules``. Ids made from the rows of a data table (``phrase.*`` from
``data/phrases.tsv``, ``sense.*`` from ``data/false_friends.tsv``) are declared as a
:class:`Family`: one prefix with its kind and the actions its rows may take.

>>> rule = Rule("pair_quotes", "normalize", PUNCTUATION, "edit", "Paired the quotation marks.")
>>> rule.kind.label, rule.action
('Punctuation', 'edit')
>>> phrases = Family("phrase.", "fix", PHRASE, ("edit", "flag"), "A garbled phrase.")
>>> phrases.covers("phrase.ad_hoc_basis"), phrases.covers("phrase."), phrases.covers("fix.x")
(True, False, False)
>>> phrases.member("phrase.ad_hoc_basis", "flag")  # doctest: +NORMALIZE_WHITESPACE
Rule(rule_id='phrase.ad_hoc_basis', stage='fix', kind=PHRASE, action='flag',
     reason='A garbled phrase.')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["edit", "flag"]
ACTIONS: tuple[Action, ...] = ("edit", "flag")


@dataclass(frozen=True)
class Kind:
    """A kind of problem: the review page groups flags by kind (``name`` is its CSS and data
    name, ``label`` what the editor reads) and lets the editor show or hide each."""

    name: str
    label: str

    def __repr__(self) -> str:
        return self.name.upper()


GRAMMAR = Kind("grammar", "Grammar")
ENGLISH = Kind("english", "English left in")
LEAKAGE = Kind("leakage", "Norwegian or Swedish")
SPELLING = Kind("spelling", "Spelling")
PHRASE = Kind("phrase", "Garbled phrase")
CASING = Kind("casing", "Casing")
PUNCTUATION = Kind("punctuation", "Punctuation")
ENCODING = Kind("encoding", "Input and encoding")
TRANSLATION = Kind("translation", "Back-translation")
HAND = Kind("hand", "Edited by hand")
# What a record written by an older version (or a rule since removed) is grouped under.
OTHER = Kind("other", "Other")

#: Every kind, in the order the review page shows them.
KINDS: tuple[Kind, ...] = (
    GRAMMAR, ENGLISH, LEAKAGE, SPELLING, PHRASE, CASING, PUNCTUATION, ENCODING, TRANSLATION,
    HAND, OTHER,
)


@dataclass(frozen=True)
class Rule:
    """One rule: ``action`` says whether it changes the text (an edit) or only flags it."""

    rule_id: str
    stage: str
    kind: Kind
    action: Action
    reason: str

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"{self.rule_id}: action must be edit or flag, not {self.action!r}")


@dataclass(frozen=True)
class Family:
    """The rules made from a data table's rows: every id ``prefix`` + the row's id. A row
    decides its own action (one of ``actions``) and may have its own reason."""

    prefix: str
    stage: str
    kind: Kind
    actions: tuple[Action, ...]
    reason: str

    def covers(self, rule_id: str) -> bool:
        return rule_id.startswith(self.prefix) and len(rule_id) > len(self.prefix)

    def member(self, rule_id: str, action: Action | None = None, reason: str = "") -> Rule:
        """The rule of one row (``action`` defaults to the family's first)."""
        if not self.covers(rule_id):
            raise ValueError(f"{rule_id} is not in the {self.prefix}* family")
        chosen = action or self.actions[0]
        if chosen not in self.actions:
            raise ValueError(f"{rule_id}: the {self.prefix}* family does not {chosen}")
        return Rule(rule_id, self.stage, self.kind, chosen, reason or self.reason)


def edits(stage: str, kind: Kind, reasons: dict[str, str]) -> tuple[Rule, ...]:
    """Edit rules of one stage and kind from a ``rule id -> reason`` table.

    >>> edits("fix", CASING, {"casing.x": "Capitalised."})[0].action
    'edit'
    """
    return tuple(Rule(rule_id, stage, kind, "edit", reason) for rule_id, reason in reasons.items())


def flags(stage: str, kind: Kind, reasons: dict[str, str]) -> tuple[Rule, ...]:
    """Flag rules of one stage and kind from a ``rule id -> reason`` table."""
    return tuple(Rule(rule_id, stage, kind, "flag", reason) for rule_id, reason in reasons.items())
