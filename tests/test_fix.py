"""The fix stage: golden cases, a negative corpus, the sample article, the CLI commands."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.fix.stage import FixRules, fix_article, load_fix_rules
from pipeline.text.normalize import normalize_article
from pipeline.text.reader import read_article
from pipeline.text.segment import segment_text

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).parent / "cases"


@pytest.fixture(scope="session")
def rules() -> FixRules:
    return load_fix_rules()


def _cases() -> list[dict[str, str]]:
    lines = [
        line for line in (CASES / "fix_cases.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n")


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case["label"])
def test_golden_case(case: dict[str, str], rules: FixRules) -> None:
    if case["needs"] == "dict" and not rules.lexicon.has_dictionary:
        pytest.skip("needs the Danish Hunspell dictionary (hunspell-da)")
    article = fix_article(segment_text(_unescape(case["input"])), rules)
    assert article.text.rstrip("\n") == _unescape(case["expected"])
    fired = {e.rule_id for _, e in article.edits()} | {f.rule_id for f in article.all_flags()}
    expected = set() if case["rules"] == "-" else set(case["rules"].split(","))
    assert expected <= fired, f"missing {expected - fired}; fired {fired}"
    if case["rules"] == "-":
        assert not list(article.edits())
    for sentence in article.sentences():
        assert sentence.replay() == sentence.text
        for edit in sentence.edits:
            assert edit.stage == "fix" and edit.rule_id and edit.reason


def test_negative_corpus_passes_unchanged(rules: FixRules) -> None:
    text = "\n".join(
        line for line in (CASES / "fix_negative.txt").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    )
    article = fix_article(segment_text(text), rules)
    changes = [(e.rule_id, e.before, e.after, s.original) for s, e in article.edits()]
    assert changes == []


SAMPLE_EDITS = {
    ("casing.sentence_start", "f", "F"),
    ("casing.sentence_start", "v", "V"),
    ("casing.sentence_start", "m", "M"),
    ("phrase.walking_the_talk", "gåture i samtalen", "handling bag ordene"),
    ("phrase.walk_the_talk", "gå samtalen", "leve op til ordene"),
    ("phrase.twitter_kvidre", "på kvidre", "på Twitter"),
    ("phrase.turnaround_typo", "Turaround", "Turnaround"),
    ("phrase.dominos", "Dominos", "Domino's"),
    ("phrase.mcdonalds", "McDonalds", "McDonald's"),
}


def test_sample_article(rules: FixRules) -> None:
    article = read_article(ROOT / "data" / "articles" / "kundefokus.txt", "kundefokus.txt")
    fix_article(normalize_article(article), rules)
    edits = {(e.rule_id, e.before, e.after) for _, e in article.edits() if e.stage == "fix"}
    assert edits >= SAMPLE_EDITS
    assert not {e for e in edits if e[0] == "casing.lexicon"}, "no English word gets a capital"
    flagged = {f.rule_id for f in article.all_flags()}
    assert {"fix.english_fragment", "phrase.leading_by_example", "phrase.self_deprecating",
            "casing.capitalised_month"} <= flagged
    text = article.text
    assert text.startswith("Førende ved eksempel")
    assert "\n\nHandling bag ordene\n\n" in text and "\n\nVi ved alle" in text
    assert "pole position" in text and "high street" in text  # flagged, never changed
    starts = [p.text for p in article.paragraphs]
    assert all(not s[0].islower() for s in starts)


def test_table_hashes(rules: FixRules) -> None:
    hashes = rules.table_hashes()
    assert {"phrases.tsv", "names.txt", "english_fragments.txt"} <= set(hashes)
    assert all(len(value) == 64 for value in hashes.values())


def test_runs_without_dictionary_and_says_so_as_data(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.text.lexicon as lexicon

    monkeypatch.setattr(lexicon, "DICTIONARY_PATHS", (Path("/nonexistent/da_DK.dic"),))
    rules_a = load_fix_rules()
    rules_b = load_fix_rules()
    assert capsys.readouterr().err == ""  # loading prints nothing; the commands show it
    assert [n for n in rules_a.notices if "hunspell-da" in n] == [
        n for n in rules_b.notices if "hunspell-da" in n
    ]
    assert sum("hunspell-da" in n for n in rules_a.notices) == 1
    assert rules_a.lexicon.hunspell is None and rules_b.lexicon.hunspell is None
    article = fix_article(segment_text("vi så youtube i går. det var godt."), rules_a)
    assert article.text == "Vi så YouTube i går. Det var godt.\n"


def test_a_named_dictionary_that_is_missing_is_a_notice(tmp_path: Path) -> None:
    rules = load_fix_rules(dictionary=tmp_path / "da_DK.dic", grammar=False)
    assert rules.lexicon.hunspell is None
    assert any(str(tmp_path / "da_DK.dic") in notice for notice in rules.notices)
    assert load_fix_rules(dictionary=False, grammar=False).notices == ()


# --------------------------------------------------------------------------------------------
# CLI


def test_cli_fix_writes_cleaned_text(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("vi ved det. det er på youtube.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["fix", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "in.txt").read_text() == "Vi ved det. Det er på YouTube.\n"


def test_cli_clean_keeps_relative_paths(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("vi ved det.\n", encoding="utf-8")
    (folder / "sub" / "b.md").write_text("det er ‘godt’ på kvidre.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["clean", str(folder), "-o", str(out), "--explain"])
    assert result.exit_code == 0, result.output
    assert (out / "a.txt").read_text() == "Vi ved det.\n"
    # Quote style "auto" keeps the article's own quotes.
    assert (out / "sub" / "b.md").read_text() == "Det er ‘godt’ på Twitter.\n"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "a.txt", "sub/b.md"
    ]
    assert "phrase.twitter_kvidre" in result.output  # summary and --explain on stderr


def test_cli_clean_needs_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["clean", str(tmp_path)])
    assert result.exit_code == 2


def test_cli_rules_lists_fix_rules() -> None:
    result = CliRunner().invoke(app, ["rules"])
    assert result.exit_code == 0
    assert "casing.sentence_start" in result.output
    assert "phrase.walk_the_talk" in result.output


def test_cli_rules_check(tmp_path: Path) -> None:
    ok = CliRunner().invoke(app, ["rules", "check"])
    assert ok.exit_code == 0 and "phrase rule(s)" in ok.output
    (tmp_path / "phrases.tsv").write_text(
        "id\tpattern\taction\treplacement\treason\tsource\nx\t(unclosed\tflag\t\tr\ts\n",
        encoding="utf-8",
    )
    from pipeline.cli import main  # noqa: F401  (the CLI prints DaenError as one line)
    from pipeline.errors import RuleTableError

    bad = CliRunner().invoke(app, ["rules", "check", "--data", str(tmp_path)])
    assert bad.exit_code != 0
    assert isinstance(bad.exception, RuleTableError)
    assert "phrases.tsv:2:" in str(bad.exception)
