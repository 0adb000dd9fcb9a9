"""The phrase-rule table: the shipped table, the loader's errors, matching behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import RuleTableError
from pipeline.fix.phrases import load_fragments, load_phrase_table
from pipeline.fix.stage import DEFAULT_DATA_DIR

HEADER = "id\tpattern\taction\treplacement\treason\tsource\n"
ARTICLE_RULES = {
    "phrase.walking_the_talk", "phrase.walk_the_talk", "phrase.twitter_kvidre",
    "phrase.turnaround_typo", "phrase.dominos",
}


def _table(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "phrases.tsv"
    path.write_text("# comment\n" + header + body, encoding="utf-8")
    return path


def test_shipped_table_loads_with_sources() -> None:
    rules = load_phrase_table(DEFAULT_DATA_DIR / "phrases.tsv")
    ids = [rule.rule_id for rule in rules]
    assert len(ids) == len(set(ids))
    assert set(ids) >= ARTICLE_RULES
    assert all(rule.source and rule.reason for rule in rules)
    assert len(rules) - 33 >= 40  # the sample article's rules plus 40+ general ones


def test_shipped_fragments_load() -> None:
    fragments = load_fragments(DEFAULT_DATA_DIR / "english_fragments.txt")
    phrases = {f.phrase for f in fragments}
    assert {"pole position", "high street", "retail safari"} <= phrases


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("a\t(unclosed\tflag\t\treason\tsrc\n", "bad pattern"),
        ("a\tx\tflag\t\treason\n", "expected 6 tab-separated columns, found 5"),
        ("a\tx\tflag\t\tr\ts\na\ty\tflag\t\tr\ts\n", "duplicate id 'a' (first on line 3)"),
        ("a\tx\tdelete\t\tr\ts\n", "action must be 'replace' or 'flag'"),
        ("a\tx\treplace\t\tr\ts\n", "a replace rule needs a replacement"),
        ("a\tx\treplace\t\\2\tr\ts\n", "refers to group '2'"),
        ("a\t\tflag\t\tr\ts\n", "empty pattern"),
        ("a\tx\tflag\t\t\ts\n", "empty reason"),
        ("A B\tx\tflag\t\tr\ts\n", "bad id"),
        ("a\t(?:x)?\tflag\t\tr\ts\n", "matches empty text"),
    ],
)
def test_broken_table_names_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    path = _table(tmp_path, body)
    with pytest.raises(RuleTableError) as caught:
        load_phrase_table(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}:")
    assert caught.value.line >= 3


def test_missing_column(tmp_path: Path) -> None:
    path = _table(tmp_path, "", header="id\tpattern\taction\treason\tsource\n")
    expected = r"phrases.tsv:2: header lacks column\(s\) replacement"
    with pytest.raises(RuleTableError, match=expected):
        load_phrase_table(path)


def test_replace_keeps_first_letter_case_and_inflection(tmp_path: Path) -> None:
    path = _table(
        tmp_path,
        "p.x\tkvidre(de|r)?\treplace\ttweete\\1\tr\ts\n",
    )
    (rule,) = load_phrase_table(path)
    assert rule.apply("Kvidrede han? Han kvidrer nu, se kvidre.dk") == (
        "Tweetede han? Han tweeter nu, se kvidre.dk"
    )
