"""normalize stage: golden cases (as data), negative corpus, and properties."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.document import Article
from pipeline.text.lexicon import find_dictionary
from pipeline.text.normalize import RULES, NormalizeConfig, normalize_article, normalize_text
from pipeline.text.segment import segment_text

CASES = Path(__file__).parent / "cases"
GOLDEN = json.loads((CASES / "normalize.json").read_text(encoding="utf-8"))
NEGATIVE = (CASES / "negative_da.txt").read_text(encoding="utf-8").splitlines()


def normalized(text: str, config: NormalizeConfig | None = None) -> Article:
    return normalize_article(segment_text(text), config)


@pytest.mark.parametrize("case", GOLDEN, ids=[c["label"] for c in GOLDEN])
def test_golden_case(case: dict) -> None:
    if case.get("needs") == "dict" and find_dictionary() is None:
        pytest.skip("needs the Danish Hunspell dictionary (hunspell-da)")
    # Cases convert to the guillemets house style unless they say otherwise.
    config = NormalizeConfig(quote_style=case.get("style", "guillemets"))
    article = normalized(case["input"], config)
    assert article.text.rstrip("\n") == case["expected"]
    assert sorted({edit.rule_id for _, edit in article.edits()}) == sorted(case["rules"])
    assert sorted({f.rule_id for f in article.all_flags()}) == sorted(case.get("flags", []))


def test_negative_corpus_is_long_enough() -> None:
    assert len([line for line in NEGATIVE if line.strip()]) >= 30


@pytest.mark.parametrize("line", NEGATIVE)
def test_correct_danish_passes_unchanged(line: str) -> None:
    article = normalized(line)
    assert article.text.rstrip("\n") == line
    assert list(article.edits()) == []


def test_every_golden_rule_id_exists() -> None:
    for case in GOLDEN:
        assert set(case["rules"]) <= set(RULES)


def test_every_rule_has_reason_and_doctest() -> None:
    for rule in RULES.values():
        doc = rule.function.__doc__ or ""
        assert doc.strip().splitlines()[0].endswith(".")
        assert ">>>" in doc, f"{rule.rule_id} has no doctest"


def test_edits_carry_stage_rule_and_reason() -> None:
    article = normalized("Domino ‘ s  ‘trend’ i 80% – gruppen")
    edits = [edit for _, edit in article.edits()]
    assert edits
    for edit in edits:
        assert edit.stage == "normalize"
        assert edit.reason == RULES[edit.rule_id].reason


def test_quote_pairing_spans_sentences() -> None:
    text = "Han sagde: “Det er godt. Vi er glade.” Så gik han."
    article = normalized(text, NormalizeConfig(quote_style="guillemets"))
    assert article.text == "Han sagde: »Det er godt. Vi er glade.« Så gik han.\n"
    assert len(list(article.sentences())) == 3


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("guillemets", "en »trend« med »pap« og »han sagde ›nej‹«"),
        ("danish", "en ”trend” med ”pap” og ”han sagde ’nej’”"),
        ("english", "en “trend” med “pap” og “han sagde ‘nej’”"),
        ("straight", "en \"trend\" med \"pap\" og \"han sagde 'nej'\""),
    ],
)
def test_quote_styles(style: str, expected: str) -> None:
    text = "en ‘trend’ med “pap” og „han sagde ‘nej’“"
    assert normalize_text(text, NormalizeConfig(quote_style=style)) == expected


def test_disabled_rule_does_nothing() -> None:
    config = NormalizeConfig(disabled=frozenset({"pair_quotes"}))
    assert normalized("en ‘trend’", config).text == "en ‘trend’\n"


def test_unknown_rule_or_style_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown normalize rule"):
        NormalizeConfig(disabled=frozenset({"nope"}))
    with pytest.raises(ValueError, match="unknown quote style"):
        NormalizeConfig(quote_style="fancy")


def test_markup_entities_never_become_markup() -> None:
    article = normalized("Se &lt;script&gt;alert(1)&lt;/script&gt; &amp; mere")
    assert "<script>" not in article.text
    assert "&lt;script&gt;" in article.text
    assert any(f.rule_id == "markup_entity_kept" for f in article.all_flags())


# -- properties ------------------------------------------------------------------------------

# Text drawn from the characters that the rules care about, plus ordinary Danish letters.
_ALPHABET = st.sampled_from(
    [
        *"abcæøå ABCÆØÅ.,!?;:-–—'\"“”‘’»«„‟‛›‹‚″`´%0123456789\n",
        "\u00a0", "\u200b", "\u00ad", "Ã¸", "&amp;", "&lt;", " ‘ s", "  ", "f.eks.", "kl.",
    ]
)
texts = st.lists(_ALPHABET, max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_replaying_edits_reproduces_text(text: str) -> None:
    for sentence in normalized(text).sentences():
        assert sentence.replay() == sentence.text


@settings(max_examples=300, deadline=None)
@given(texts)
@example("f.eks.\n&amp;")  # `&amp;` ends in `;`, so it once read as text and `&` as a heading
@example("Salg &amp;\n&aring;bent")
def test_normalizing_twice_equals_once(text: str) -> None:
    once = normalized(text).text
    assert normalized(once).text == once


@settings(max_examples=300, deadline=None)
@given(texts)
def test_no_character_changes_outside_an_edit(text: str) -> None:
    """Characters not covered by any edit are carried through unchanged, in order."""
    for sentence in normalized(text).sentences():
        current = sentence.original
        untouched = [True] * len(current)
        for edit in sentence.edits:
            untouched = untouched[: edit.start] + [False] * len(edit.after) + untouched[edit.end :]
            current = current[: edit.start] + edit.after + current[edit.end :]
        assert current == sentence.text
        kept = [c for c, keep in zip(current, untouched, strict=True) if keep]
        # Every kept character appears in the original in the same order.
        it = iter(sentence.original)
        assert all(any(c == o for o in it) for c in kept)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_json_round_trip(text: str) -> None:
    article = normalized(text)
    again = Article.from_dict(json.loads(json.dumps(article.to_dict())))
    assert again == article


@settings(max_examples=500, deadline=None)
@given(texts)
def test_could_change_never_misses_a_change(text: str) -> None:
    """The fast pre-check may say yes wrongly, never no wrongly."""
    from pipeline.text.normalize import could_change

    sentence_rules = frozenset({"pair_quotes"})
    for line in text.split("\n"):
        if not could_change(line):
            assert normalize_text(line, NormalizeConfig(disabled=sentence_rules)) == line


def test_every_quote_mark_has_a_style() -> None:
    from pipeline.text.quotes import _DOUBLE_QUOTES, _SINGLE_QUOTES, _STYLE_OF_OPENER

    assert set(_DOUBLE_QUOTES + _SINGLE_QUOTES) <= set(_STYLE_OF_OPENER)
    # Single guillemets written the French way round are turned the Danish way round.
    assert normalized("Han sagde ‹ja› til det.").text == "Han sagde ›ja‹ til det.\n"
