"""The class detectors (pipeline/fix/classes.py) on the golden cases in tests/cases/."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.fix.classes import check_classes, default_tools, rule_reasons
from pipeline.fix.classes.calques import CALQUES_FILE, load_calques
from pipeline.registry import kind_of
from pipeline.text.segment import segment_text
from pipeline.text.tables import default_data_dir

CASES = Path(__file__).parent / "cases" / "classes_cases.tsv"
PREFIXES = ("compound.", "calque.", "number.", "punctuation.", "grammar.verb_second")


def _cases() -> list[tuple[str, str, str]]:
    rows = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rule, suggestion, sentence = line.split("\t")
            rows.append((rule, suggestion, sentence))
    return rows


@pytest.fixture(scope="module")
def tools():  # type: ignore[no-untyped-def]
    loaded = default_tools()
    if loaded.analyser is None or not loaded.lexicon.has_dictionary:
        pytest.skip("needs the Danish analyser and dictionary")
    return loaded


@pytest.mark.parametrize(("rule", "suggestion", "sentence"), _cases())
def test_golden_case(tools, rule: str, suggestion: str, sentence: str) -> None:  # type: ignore[no-untyped-def]
    article = segment_text(sentence, "case.txt")
    check_classes(article, tools)
    flags = [(f.rule_id, f.suggestion) for s in article.sentences() for f in s.flags
             if f.rule_id.startswith(PREFIXES)]
    if rule == "-":
        assert flags == []
    else:
        assert (rule, suggestion) in flags, flags


def test_every_class_has_three_positive_and_a_negative_case() -> None:
    cases = _cases()
    for prefix in ("compound.", "calque.", "number.", "punctuation.bracket", "grammar.verb"):
        assert sum(r.startswith(prefix) for r, _, _ in cases) >= 3 or prefix.startswith(
            "punctuation"), prefix


def test_calque_table_is_sound_and_large() -> None:
    rows = load_calques(default_data_dir() / CALQUES_FILE)
    assert len(rows) >= 250
    assert len({r.row_id for r in rows}) == len(rows)
    assert all(r.english and r.idiomatic for r in rows)


def test_rule_ids_have_reasons_and_kinds(tools) -> None:  # type: ignore[no-untyped-def]
    rows = rule_reasons(tools)
    assert all(reason for _, reason in rows)
    kinds = {kind_of(rule).name for rule, _ in rows}
    assert kinds <= {"phrase", "spelling", "punctuation", "grammar"}
