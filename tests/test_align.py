"""Sentence alignment of English originals with back-translations (pipeline.qa.align)."""

from __future__ import annotations

import random
import time

import pytest
from qa_cases import load_cases
from sacrebleu.metrics import CHRF

from pipeline.qa.align import AlignConfig, Chrf, align, split_english

CASES = load_cases()


def test_chrf_equals_sacrebleu_sentence_score() -> None:
    rng = random.Random(7)
    words = "the a cat dog sat on mat it was 2.5% U.S. København «quoted» , . ! rose fell".split()
    texts = ["", " ", "a", "ab", "Hello, world!"]
    texts += [" ".join(rng.choices(words, k=rng.randint(1, 14))) for _ in range(200)]
    ours, reference = Chrf(), CHRF()
    for hypothesis, ref in zip(texts, reversed(texts), strict=True):
        expected = reference.sentence_score(hypothesis, [ref]).score
        assert ours.score(hypothesis, ref) == pytest.approx(expected, abs=1e-9)


def test_chrf_both_ways_swaps_hypothesis_and_reference() -> None:
    chrf, reference = Chrf(), CHRF()
    forward, backward = chrf.both_ways("The board approved it.", "The board rejected the plan.")
    assert forward == pytest.approx(
        reference.sentence_score("The board approved it.", ["The board rejected the plan."]).score
    )
    assert backward == pytest.approx(
        reference.sentence_score("The board rejected the plan.", ["The board approved it."]).score
    )


def test_signature_names_the_metric_and_version() -> None:
    signature = Chrf().signature
    assert "nc:6" in signature and "version:" in signature


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr. Jensen met Mrs. Smith. They talked.", ["Dr. Jensen met Mrs. Smith.", "They talked."]),
        ("It costs $2.5 million. Really?", ["It costs $2.5 million.", "Really?"]),
        ("He left at 5 p.m. and came back.", ["He left at 5 p.m. and came back."]),
        ("Wait... what? Yes.", ["Wait... what?", "Yes."]),
        ('She said: "Go!" Then she left.', ['She said: "Go!"', "Then she left."]),
        ("A title\nThe first line of text.", ["A title", "The first line of text."]),
        ("A wrapped\nline of text.", ["A wrapped line of text."]),
        ("Steps:\n- One.\n- Two\n1. Three", ["Steps:", "- One.", "- Two", "1. Three"]),
        ("", []),
    ],
)
def test_split_english(text: str, expected: list[str]) -> None:
    assert split_english(text) == expected


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_case_english_splits_as_written(case) -> None:
    assert split_english(case.english_text) == case.english


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_case_alignment_matches_gold(case) -> None:
    result = align(case.english, case.back_translations)
    assert [(p.en, p.da) for p in result.pairs] == case.gold


def test_dropped_sentence_is_unaligned_not_joined() -> None:
    english = ["The port will build a new container terminal with room for four ships.",
               "Critics object.", "It opens in 2027."]
    back = ["The harbour will build a new container terminal with space for four ships.",
            "It opens in 2027."]
    result = align(english, back)
    assert [(p.en, p.da) for p in result.pairs] == [((0,), (0,)), ((1,), ()), ((2,), (1,))]
    assert result.lost == [1] and result.added == []


def test_added_short_sentence_is_unaligned_not_joined() -> None:
    english = ["The port will build a new container terminal with room for four ships.",
               "It opens in 2027."]
    back = ["The harbour will build a new container terminal with space for four ships.",
            "Read more here.", "It opens in 2027."]
    result = align(english, back)
    assert result.added == [1] and result.lost == []


def test_changed_sentence_stays_paired_with_low_score() -> None:
    result = align(["The board rejected the merger after months of talks.", "Prices rose."],
                   ["The management immediately welcomed the deal.", "Prices rose."])
    assert [(p.en, p.da) for p in result.pairs] == [((0,), (0,)), ((1,), (1,))]
    assert result.pairs[0].score is not None and result.pairs[0].score < 40
    assert result.pairs[1].score == 100.0


def test_empty_sides() -> None:
    assert [(p.en, p.da) for p in align([], ["A.", "B."]).pairs] == [((), (0,)), ((), (1,))]
    assert [(p.en, p.da) for p in align(["A."], []).pairs] == [((0,), ())]
    assert align([], []).pairs == []


def test_long_article_stays_in_band_and_fast() -> None:
    rng = random.Random(3)
    vocabulary = "company market price growth city council plan year people said new".split()
    english = [" ".join(rng.choices(vocabulary, k=rng.randint(6, 18))) + "." for _ in range(300)]
    back = english[:150] + english[151:]  # sentence 150 lost
    start = time.perf_counter()
    result = align(english, back)
    elapsed = time.perf_counter() - start
    assert result.lost == [150] and result.added == []
    assert elapsed < 10  # about a second on a slow CPU: the band keeps it linear


def test_band_config_is_respected() -> None:
    english = [f"Sentence number {i} talks about topic {i}." for i in range(40)]
    narrow = align(english, english, AlignConfig(band=2))
    assert all(p.en == p.da for p in narrow.pairs)
