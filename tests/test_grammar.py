"""The grammar checks: golden cases (data), a negative corpus, the analyser and the kinds."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.document import Article, Paragraph, Sentence
from pipeline.fix import grammar
from pipeline.fix.analyser import analyser_notice, find_lt_proc, load_analyser, parse_readings
from pipeline.fix.grammar.spelling import suggest_spelling
from pipeline.fix.stage import FixRules, fix_article, load_fix_rules
from pipeline.run.workflow import Summary
from pipeline.text.segment import segment_text

CASES = Path(__file__).parent / "cases"
HAS_ANALYSER = load_analyser() is not None


@pytest.fixture(scope="module")
def rules() -> FixRules:
    return load_fix_rules()


def _cases() -> list[dict[str, str]]:
    lines = [
        line
        for line in (CASES / "grammar_cases.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _fired(article: Article) -> set[str]:
    return {e.rule_id for _, e in article.edits()} | {f.rule_id for f in article.all_flags()}


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case["label"])
def test_golden_case(case: dict[str, str], rules: FixRules) -> None:
    if case["needs"] == "analyser" and not HAS_ANALYSER:
        pytest.skip("needs lt-proc and apertium-dan-nor")
    if case["needs"] in ("dict", "analyser") and not rules.lexicon.has_dictionary:
        pytest.skip("needs the Danish Hunspell dictionary (hunspell-da)")
    article = fix_article(segment_text(case["input"].replace("\\n", "\n")), rules)
    assert article.text.rstrip("\n") == case["expected"].replace("\\n", "\n")
    expected = set(case["rules"].split(","))
    assert expected <= _fired(article), f"missing {expected - _fired(article)}"
    for sentence in article.sentences():
        assert sentence.replay() == sentence.text
        for flag in sentence.flags:
            assert 0 <= flag.start <= flag.end <= len(sentence.text) and flag.reason


def test_negative_corpus_is_left_alone(rules: FixRules) -> None:
    lines = [
        line
        for line in (CASES / "grammar_negative.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    article = fix_article(segment_text("\n\n".join(lines)), rules)
    ours = ("grammar.", "english.", "leakage.", "sense.")
    fired = [
        (rule_id, s.text)
        for s in article.sentences()
        for rule_id in [e.rule_id for e in s.edits] + [f.rule_id for f in s.flags]
        if rule_id.startswith(ours) or rule_id == "fix.unknown_word"
    ]
    assert fired == []


@pytest.mark.skipif(not HAS_ANALYSER, reason="needs lt-proc and apertium-dan-nor")
def test_analyser_reads_gender_and_definiteness() -> None:
    analyser = load_analyser()
    assert analyser is not None
    analyser.analyse(["tyktarmen", "hus", "xqzzv"])
    assert any(r.has("n", "ut", "sg", "def") for r in analyser.readings("tyktarmen"))
    assert any(r.has("n", "nt") for r in analyser.readings("hus"))
    assert analyser.readings("xqzzv") == []
    norwegian = analyser.norwegian_readings(["ikkje"])["ikkje"]
    assert norwegian and analyser.danish_forms({"ikkje": norwegian[0]})["ikkje"] == "ikke"


def test_missing_analyser_is_a_notice_and_checks_skipped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert load_analyser(tmp_path) is None
    assert analyser_notice(tmp_path) is not None
    assert "Danish analyser not found" in (analyser_notice(tmp_path) or "")
    assert capsys.readouterr().err == ""  # said by the commands, not while loading
    rules = load_fix_rules(dictionary=False)
    assert rules.checker is not None
    rules = replace(rules, checker=replace(rules.checker, analyser=None))
    article = fix_article(segment_text("Den bilen er rød. Mødet er den 3. Marts."), rules)
    fired = _fired(article)
    assert "grammar.double_definite" not in fired and "grammar.month_casing" in fired


def test_parse_readings_skips_unknown_and_keeps_tags() -> None:
    readings = parse_readings("^huset/hus<n><nt><sg><def>/huse<vblex><imp>$")
    assert [(r.lemma, r.pos) for r in readings] == [("hus", "n"), ("huse", "vblex")]
    assert readings[0].has("nt", "def") and not readings[0].compound


def test_multi_paragraph_quotation_is_not_unpaired(rules: FixRules) -> None:
    from pipeline.text.normalize import normalize_article

    text = (
        "”Vi har arbejdet hårdt hele året.\n\n"
        "”Nu ser vi endelig resultaterne,” sagde hun.\n\n"
        "Han sagde ”ja og gik.\n\nDet var det."
    )
    article = fix_article(normalize_article(segment_text(text)), rules)
    unpaired = [
        s.text for s in article.sentences() for f in s.flags if f.rule_id == "quote_unpaired"
    ]
    assert unpaired == ["Han sagde ”ja og gik."]


def test_spelling_suggestion_prefers_sound_alike_letters(rules: FixRules) -> None:
    if not rules.lexicon.has_dictionary:
        pytest.skip("needs hunspell-da")
    assert suggest_spelling(rules.lexicon, "tygker") == "tygger"
    assert suggest_spelling(rules.lexicon, "Tygker") == "Tygger"


def test_every_rule_has_a_reason_and_a_kind(rules: FixRules) -> None:
    from pipeline.registry import is_declared, kind_of, rule

    for rule_id in list(grammar.RULES) + list(grammar.EXTRA_REASONS):
        if rule_id == "sense":
            continue
        assert is_declared(rule_id)
        assert rule(rule_id).reason and not rule(rule_id).reason.startswith(rule_id)
    assert kind_of("english.left_in").name == "english"
    assert kind_of("leakage.norwegian").name == "leakage"
    assert kind_of("sense.pocketbook").name == "phrase"
    assert kind_of("fix.unknown_word").name == "spelling"


def test_false_friend_table_rows_are_well_formed(rules: FixRules) -> None:
    assert rules.checker is not None
    rows = rules.checker.false_friends
    assert len({row.row_id for row in rows}) == len(rows) >= 10
    for row in rows:
        assert row.english and row.right and row.reason


def test_summary_groups_flags_by_kind(rules: FixRules) -> None:
    article = Article("a.txt", [Paragraph([Sentence("Det koster på vores lommebog.")])])
    fix_article(article, rules)
    summary = Summary()
    summary.add(article)
    assert any(line.startswith("flags by kind:") and "phrase 1" in line for line in summary.lines())


def test_lt_proc_is_found_when_installed() -> None:
    assert (find_lt_proc() is not None) == HAS_ANALYSER or not HAS_ANALYSER


def test_review_page_groups_flags_by_kind(rules: FixRules) -> None:
    from pipeline.render.html import review_page

    text = "Det koster på vores lommebog.\n\nMødet er den 3. Marts, og vi savner chancen."
    article = fix_article(segment_text(text), rules)
    page = review_page(article)
    assert 'class="kind-filter"' in page and 'value="phrase"' in page
    assert '<section data-kind="phrase"><h3>Garbled phrase (2)</h3>' in page
    assert 'data-kind="phrase"' in page and 'data-kinds="phrase"' in page
    assert ".hide-phrase" in page
