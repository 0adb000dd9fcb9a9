"""Every rule of every stage, collected from the stages' declarations (``DECLARED_RULES``,
``DECLARED_FAMILIES``): the one place the review page, the summary and ``daen rules`` ask what
a rule id is.

A rule id that no stage declares (a record written by an older version, a rule since removed)
is of the kind :data:`~pipeline.rules.OTHER`, so old records still render.

>>> kind_of("decoded_cp1252").label
'Input and encoding'
>>> rule("grammar.double_definite").action, rule("casing.sentence_start").action
('flag', 'edit')
>>> kind_of("sense.pocketbook").name, kind_of("phrase.walking_the_talk").name
('phrase', 'phrase')
>>> rule("retired.rule").kind is OTHER, is_declared("retired.rule")
(True, False)
"""

from __future__ import annotations

from functools import cache

from pipeline.rules import HAND, OTHER, Family, Kind, Rule

# A hand edit in the review app (``pipeline.run.decisions.HAND_EDIT_RULE``). The run is above
# this layer, so its one rule is declared here.
HAND_EDIT = Rule("editor.hand_edit", "editor", HAND, "edit", "Edited by hand.")


@cache
def _declared() -> tuple[dict[str, Rule], tuple[Family, ...]]:
    # Imported here, not at the top: the stages (and their tables) load only when a rule is
    # looked up, so importing the page renderer or the CLI stays cheap.
    from pipeline.fix import declared
    from pipeline.qa import check
    from pipeline.text import normalize, reader
    from pipeline.translate import quality

    families = declared.DECLARED_FAMILIES
    by_id: dict[str, Rule] = {}
    for rule in (
        *reader.DECLARED_RULES, *normalize.DECLARED_RULES, *declared.DECLARED_RULES,
        *quality.DECLARED_RULES, *check.DECLARED_RULES, HAND_EDIT,
    ):
        if rule.rule_id in by_id:
            raise ValueError(f"rule {rule.rule_id} is declared twice")
        if any(family.covers(rule.rule_id) for family in families):
            raise ValueError(f"rule {rule.rule_id} is declared and in a family")
        by_id[rule.rule_id] = rule
    return by_id, families


@cache
def _table_rows() -> dict[str, Rule]:
    """The rows of the default phrase table, by id (read on the first look-up of one)."""
    from pipeline.fix import declared

    return {row.rule_id: row for row in declared.phrase_rules()}


def families() -> tuple[Family, ...]:
    """The declared families of ids made from data tables."""
    return _declared()[1]


def _family_of(rule_id: str) -> Family | None:
    return next((family for family in families() if family.covers(rule_id)), None)


def is_declared(rule_id: str) -> bool:
    """Whether a stage declares ``rule_id`` (itself, or as a member of a family)."""
    return rule_id in _declared()[0] or _family_of(rule_id) is not None


def rule(rule_id: str) -> Rule:
    """The rule of an id: its declaration; a row of the default phrase table; a member of a
    family (as the family declares it); else a rule of the kind :data:`OTHER`."""
    found = _declared()[0].get(rule_id)
    if found is not None:
        return found
    family = _family_of(rule_id)
    if family is None:
        return Rule(rule_id, "", OTHER, "flag", "")
    return _table_rows().get(rule_id) or family.member(rule_id)


def kind_of(rule_id: str) -> Kind:
    """The kind of an id (:data:`OTHER` for one no stage declares)."""
    found = _declared()[0].get(rule_id)
    if found is not None:
        return found.kind
    family = _family_of(rule_id)
    return family.kind if family is not None else OTHER


def all_rules() -> tuple[Rule, ...]:
    """Every declared rule, stage by stage in the order they run, with the default phrase
    table's rows after the fix stage's own rules."""
    rules = list(_declared()[0].values())
    last_fix = max(i for i, r in enumerate(rules) if r.stage == "fix")
    return (*rules[: last_fix + 1], *_table_rows().values(), *rules[last_fix + 1 :])
