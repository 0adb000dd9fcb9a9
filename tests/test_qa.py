"""The qa stage: flags and record from the comparison with the English original."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qa_cases import load_cases

from pipeline.document import Article
from pipeline.qa.check import (
    DEFAULT_THRESHOLD,
    QAConfig,
    check_article,
    check_with_original,
    divergence,
    english_for_sentences,
    find_original,
    is_original_name,
)

CASES = {case.label: case for case in load_cases()}


def flagged(article: Article, rule_id: str) -> list[int]:
    return [
        index
        for index, sentence in enumerate(article.sentences())
        if any(f.rule_id == rule_id for f in sentence.flags)
    ]


@pytest.mark.parametrize("label", list(CASES))
def test_case_flags(label: str) -> None:
    case = CASES[label]
    article = check_article(case.article(), case.english_text, original=f"{label}.en.txt")
    assert flagged(article, "qa.divergent") == case.divergent
    assert flagged(article, "qa.content_added") == case.added
    assert article.qa is not None
    lost = [i for pair in article.qa["pairs"] if not pair["da"] for i in pair["en"]]
    assert lost == case.lost
    assert all(f.stage == "qa" for f in article.all_flags() if f.rule_id.startswith("qa."))


def test_record_holds_sentences_alignment_and_scores() -> None:
    case = CASES["mixed"]
    article = check_article(case.article(), case.english_text, original="mixed.en.txt",
                            original_sha256="abc")
    qa = article.qa
    assert qa is not None
    assert qa["original"] == "mixed.en.txt" and qa["original_sha256"] == "abc"
    assert qa["sentences"] == case.english
    assert qa["threshold"] == DEFAULT_THRESHOLD
    assert [(tuple(p["en"]), tuple(p["da"])) for p in qa["pairs"]] == case.gold
    assert "nc:6" in qa["metric"]
    assert qa["counts"] == {"qa.divergent": 1, "qa.content_lost": 1, "qa.content_added": 1}
    assert 0 < qa["divergence"] < 0.5
    changed = next(p for p in qa["pairs"] if p["flag"] == "qa.divergent")
    assert changed["chrf"] < DEFAULT_THRESHOLD


def test_record_round_trips_through_json() -> None:
    case = CASES["split-join"]
    article = check_article(case.article(), case.english_text)
    again = Article.from_dict(json.loads(json.dumps(article.to_dict())))
    assert again == article
    assert again.qa == article.qa


def test_lost_content_is_flagged_where_it_is_missing_with_the_english_text() -> None:
    case = CASES["dropped"]
    article = check_article(case.article(), case.english_text)
    sentences = list(article.sentences())
    # "The city council approved the plan on Monday." is missing before Danish sentence 3.
    flags = [f for f in sentences[3].flags if f.rule_id == "qa.content_lost"]
    assert len(flags) == 1
    assert (flags[0].start, flags[0].end) == (0, 0)
    assert "The city council approved the plan on Monday." in flags[0].reason
    assert flagged(article, "qa.content_lost") == [3, 5]


def test_lost_content_at_the_end_is_flagged_on_the_last_sentence() -> None:
    case = CASES["perfect"]
    article = check_article(case.article(), case.english_text + "\nOne more thing was said.\n")
    last = list(article.sentences())[-1]
    flag = next(f for f in last.flags if f.rule_id == "qa.content_lost")
    assert flag.start == flag.end == len(last.text)
    assert "One more thing was said." in flag.reason


def test_consecutive_lost_sentences_make_one_flag() -> None:
    case = CASES["perfect"]
    english = case.english_text.replace(
        "The researchers followed", "It rained. The sun shone. The researchers followed"
    )
    article = check_article(case.article(), english)
    flags = [f for f in article.all_flags() if f.rule_id == "qa.content_lost"]
    assert len(flags) == 1
    assert "It rained. The sun shone." in flags[0].reason


def test_running_twice_does_not_duplicate_flags() -> None:
    case = CASES["mixed"]
    article = check_article(case.article(), case.english_text)
    before = [(f.rule_id, f.start, f.end) for f in article.all_flags()]
    check_article(article, case.english_text)
    assert [(f.rule_id, f.start, f.end) for f in article.all_flags()] == before


def test_threshold_is_configurable() -> None:
    case = CASES["perfect"]
    strict = check_article(case.article(), case.english_text, QAConfig(threshold=90))
    assert flagged(strict, "qa.divergent") == [2, 5]  # the paraphrased sentences
    lenient = check_article(CASES["changed"].article(), CASES["changed"].english_text,
                            QAConfig(threshold=30))
    assert flagged(lenient, "qa.divergent") == []
    with pytest.raises(ValueError, match="outside"):
        QAConfig(threshold=120)


def test_without_back_translation_nothing_is_aligned() -> None:
    case = CASES["perfect"]
    article = case.article()
    for sentence in article.sentences():
        sentence.translation = None
    check_article(article, case.english_text)
    assert [f.rule_id for f in article.flags] == ["qa.no_back_translation"]
    assert article.qa is not None and article.qa["pairs"] == []
    assert divergence(article) is None


def test_empty_original_is_reported() -> None:
    article = check_article(CASES["perfect"].article(), "  \n")
    assert [f.rule_id for f in article.flags] == ["qa.original_empty"]


def test_divergence_orders_articles() -> None:
    scores = {
        label: divergence(check_article(case.article(), case.english_text)) or 0.0
        for label, case in CASES.items()
    }
    assert scores["perfect"] == 0.0
    assert scores["mixed"] > scores["perfect"]
    assert scores["changed"] > scores["added"] > 0


def test_english_for_sentences() -> None:
    case = CASES["split-join"]
    article = check_article(case.article(), case.english_text)
    english = english_for_sentences(article)
    assert english[0] == case.english[0]
    assert english[1] == ""  # second half of a 1-2 pair
    assert english[3] == "Prices rose. Organisers blame inflation."
    assert english_for_sentences(case.article()) == [None] * 4


def test_find_original(tmp_path: Path) -> None:
    inputs, originals = tmp_path / "in", tmp_path / "originals"
    (inputs / "sub").mkdir(parents=True)
    (originals / "sub").mkdir(parents=True)
    article = inputs / "sub" / "a.txt"
    article.write_text("Dansk.\n", encoding="utf-8")
    assert find_original(article, inputs) is None
    beside = inputs / "sub" / "a.en.txt"
    beside.write_text("English.\n", encoding="utf-8")
    assert find_original(article, inputs) == beside
    same_name = originals / "sub" / "a.txt"
    same_name.write_text("English.\n", encoding="utf-8")
    assert find_original(article, inputs, originals) == same_name
    en_name = originals / "sub" / "a.en.txt"
    en_name.write_text("English.\n", encoding="utf-8")
    assert find_original(article, inputs, originals) == en_name
    other = inputs / "b.md"
    other.write_text("Dansk.\n", encoding="utf-8")
    assert find_original(other, inputs, originals) is None


def test_is_original_name() -> None:
    assert is_original_name("a.en.txt") and is_original_name(Path("x/A.EN.TXT"))
    assert not is_original_name("a.txt") and not is_original_name("en.txt.md")


def test_check_with_original_reads_the_file(tmp_path: Path) -> None:
    case = CASES["changed"]
    source = tmp_path / "changed.txt"
    source.write_text(case.danish_text, encoding="utf-8")
    (tmp_path / "changed.en.txt").write_text(case.english_text, encoding="cp1252")
    article = case.article()
    assert check_with_original(article, source, tmp_path)
    assert article.qa is not None and article.qa["original"] == "changed.en.txt"
    assert len(article.qa["original_sha256"]) == 64
    assert flagged(article, "qa.divergent") == [0]
    assert not check_with_original(CASES["perfect"].article(), tmp_path / "perfect.txt")
