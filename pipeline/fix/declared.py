"""The fix stage's rules as :mod:`pipeline.registry` reads them: each id with its kind, its
action (edit or flag) and the reason an editor sees, and the families of ids that come from
the phrase and false-friend tables. The reasons stay next to their code (casing, grammar,
:data:`pipeline.fix.stage.FLAG_REASONS`); this module only declares.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.fix import casing
from pipeline.fix.classes import class_kinds
from pipeline.fix.classes.calques import CALQUES_FILE
from pipeline.fix.grammar import rule_reasons as grammar_reasons
from pipeline.fix.grammar.core import (
    FALSE_FRIENDS_FILE,
)
from pipeline.fix.phrases import (
    PhraseRule,
    load_phrase_table,
)
from pipeline.fix.stage import (
    FLAG_REASONS,
    PHRASES_FILE,
    STAGE,
)
from pipeline.rules import (
    CASING,
    ENGLISH,
    GRAMMAR,
    LEAKAGE,
    PHRASE,
    PUNCTUATION,
    SPELLING,
    Action,
    Family,
    Kind,
    Rule,
    edits,
    flags,
)
from pipeline.text.tables import data_dir_or_default

# The grammar checks' ids and reasons are theirs (``grammar.rule_reasons``); their kind and
# whether they edit or flag are declared here, one row per id (a new check needs a row).
GRAMMAR_KINDS: dict[str, tuple[Kind, Action]] = {
    "grammar.spaced_hyphen": (GRAMMAR, "edit"),
    "grammar.colon_space": (GRAMMAR, "edit"),
    "grammar.month_casing": (GRAMMAR, "edit"),
    "grammar.repeated_phrase": (GRAMMAR, "flag"),
    "grammar.kan_as_month": (GRAMMAR, "flag"),
    "grammar.double_definite": (GRAMMAR, "flag"),
    "grammar.gender_agreement": (GRAMMAR, "flag"),
    "grammar.adverb_placement": (GRAMMAR, "flag"),
    "grammar.embedded_question_order": (GRAMMAR, "flag"),
    "grammar.preposition_relative": (GRAMMAR, "flag"),
    "grammar.enumeration_question": (GRAMMAR, "flag"),
    "grammar.intro_comma": (GRAMMAR, "flag"),
    "grammar.pronoun_gender": (GRAMMAR, "flag"),
    "grammar.capitalised_common_word": (GRAMMAR, "flag"),
    "grammar.repeated_paragraph": (GRAMMAR, "flag"),
    "english.left_in": (ENGLISH, "flag"),
    "leakage.norwegian": (LEAKAGE, "flag"),
    "spelling.suggestion": (SPELLING, "flag"),
}


def _grammar_rules() -> tuple[Rule, ...]:
    reasons = dict(grammar_reasons())
    if set(reasons) != set(GRAMMAR_KINDS):
        missing = sorted(set(reasons) ^ set(GRAMMAR_KINDS))
        raise ValueError(f"grammar rules and GRAMMAR_KINDS differ: {', '.join(missing)}")
    return tuple(
        Rule(rule_id, STAGE, kind, action, reasons[rule_id])
        for rule_id, (kind, action) in GRAMMAR_KINDS.items()
    )


#: The stage's rules for :mod:`pipeline.registry` (the phrase and false-friend rows are
#: :data:`DECLARED_FAMILIES`).
DECLARED_RULES: tuple[Rule, ...] = (
    *edits(STAGE, CASING, {rule_id: casing.reason(rule_id) for rule_id in casing.RULE_IDS}),
    *flags(STAGE, CASING, casing.FLAG_REASONS),
    Rule("fix.english_fragment", STAGE, ENGLISH, "flag", FLAG_REASONS["fix.english_fragment"]),
    Rule("fix.unknown_word", STAGE, SPELLING, "flag", FLAG_REASONS["fix.unknown_word"]),
    Rule("fix.doubled_word", STAGE, GRAMMAR, "flag", FLAG_REASONS["fix.doubled_word"]),
    Rule("fix.number_compound", STAGE, PUNCTUATION, "flag", FLAG_REASONS["fix.number_compound"]),
    *_grammar_rules(),
    *(Rule(rule_id, STAGE, kind, "flag", reason) for rule_id, kind, reason in class_kinds()),
)

PHRASES = Family(
    "phrase.", STAGE, PHRASE, ("edit", "flag"),
    f"A garbled phrase from data/{PHRASES_FILE} (each row replaces or flags).",
)
FALSE_FRIENDS = Family(
    "sense.", STAGE, PHRASE, ("flag",),
    f"A false friend or word-sense error from data/{FALSE_FRIENDS_FILE}.",
)
CALQUES = Family(
    "calque.", STAGE, PHRASE, ("flag",),
    f"An English construction rendered word for word, from data/{CALQUES_FILE}.",
)
DECLARED_FAMILIES: tuple[Family, ...] = (PHRASES, FALSE_FRIENDS, CALQUES)


def phrase_rules(data_dir: Path | None = None) -> tuple[Rule, ...]:
    """The rule of each row of the phrase table (the default one without ``data_dir``)."""
    return tuple(
        PHRASES.member(row.rule_id, "edit" if row.action == "replace" else "flag", row.reason)
        for row in _phrase_rules_only(data_dir)
    )


def _phrase_rules_only(data_dir: Path | None) -> list[PhraseRule]:
    path = data_dir_or_default(data_dir or None) / PHRASES_FILE
    return load_phrase_table(path) if path.exists() else []
