"""Translation flags: each fires where an editor should look, and stays quiet on good output."""

from __future__ import annotations

import pytest

from pipeline.translate.quality import (
    CHECKS,
    DECLARED_RULES,
    translation_flags,
    unmatched_numbers,
)

# (Danish, English) pairs whose numbers match once conventions are normalised.
MATCHING_NUMBERS = [
    ("Prisen er 1.500 kr.", "The price is 1,500 kroner."),
    ("Renten er 3,5 pct.", "The interest rate is 3.5%."),
    ("Renten er 3,5 procent.", "The interest rate is 3.5 percent."),
    ("Det steg 12 pct.", "It rose 12 per cent."),
    ("Mødet er den 8. april.", "The meeting is on April 8."),
    ("Mødet er den 8. april.", "The meeting is on 8 April."),
    ("Mødet er den 8. april.", "The meeting is on April 8th."),
    ("Det koster 1.500.000 kroner.", "It costs 1.5 million kroner."),
    ("Det koster 2,5 mia. kr.", "It costs DKK 2.5 billion."),
    ("Vi mødes kl. 14.30.", "We meet at 14:30."),
    ("Der var tre gæster og 4 børn.", "There were 3 guests and four children."),
    ("I 2023 blev 10.000 solgt.", "In 2023, 10,000 were sold."),
]

MISMATCHED_NUMBERS = [
    ("Prisen er 1.500 kr.", "The price is 1.5 kroner.", ["1.500"], ["1.5"]),
    ("Renten er 3,5 pct.", "The interest rate is 35%.", ["3,5 pct."], ["35%"]),
    ("Mødet er den 8. april.", "The meeting is on April 9.", ["8."], ["9"]),
    ("Det steg 12 pct.", "It rose 12.", ["12 pct."], ["12"]),
    ("Der kom 200 mennesker.", "People came.", ["200"], []),
]


@pytest.mark.parametrize(("da", "en"), MATCHING_NUMBERS)
def test_numbers_match_across_conventions(da: str, en: str) -> None:
    assert unmatched_numbers(da, en) == ([], []), (da, en)
    assert "translate.numbers" not in [f.rule_id for f in translation_flags(da, en)]


@pytest.mark.parametrize(("da", "en", "missing", "added"), MISMATCHED_NUMBERS)
def test_numbers_that_differ_are_flagged(
    da: str, en: str, missing: list[str], added: list[str]
) -> None:
    assert unmatched_numbers(da, en) == (missing, added)
    (flag,) = [f for f in translation_flags(da, en) if f.rule_id == "translate.numbers"]
    assert flag.stage == "translate" and flag.severity == "warning"
    assert flag.start == 0 and flag.end == len(en)
    for number in missing + added:
        assert number in flag.reason


def test_repetition_loop() -> None:
    en = "The minister said that the the the the the the budget"
    (flag,) = translation_flags("Ministeren sagde, at budgettet", en)
    assert flag.rule_id == "translate.repetition" and "“the” 6 times" in flag.reason
    looped = "We want to go home, go home, go home, go home, go home."
    assert "translate.repetition" in [f.rule_id for f in translation_flags("Vi vil hjem.", looped)]


def test_repetition_in_the_danish_too_is_not_a_loop() -> None:
    assert translation_flags("Nej, nej, nej, nej!", "No, no, no, no!") == []


def test_length_ratio_both_ways() -> None:
    da = "Regeringen har i dag fremlagt sit forslag til finansloven for næste år."
    short = [f.rule_id for f in translation_flags(da, "The government.")]
    assert short == ["translate.length_ratio"]
    long = da + " " + "And then there was a lot more that nobody wrote. " * 3
    assert "translate.length_ratio" in [f.rule_id for f in translation_flags(da, long)]
    assert translation_flags("Ja.", "Yes, of course, that is absolutely right.") == []


def test_untranslated() -> None:
    da = "Regeringen har fremlagt et forslag."
    assert [f.rule_id for f in translation_flags(da, da)] == ["translate.untranslated"]
    assert translation_flags("Novo Nordisk A/S.", "Novo Nordisk A/S.") == []


def test_good_translations_have_no_flags() -> None:
    pairs = [
        ("Hunden løber i parken.", "The dog runs in the park."),
        ("Statsministeren besøgte Aarhus den 3. maj 2024.",
         "The Prime Minister visited Aarhus on 3 May 2024."),
        ("Omsætningen steg med 7,2 pct. til 1.234 mio. kr.",
         "Revenue rose by 7.2% to DKK 1,234 million."),
    ]
    for da, en in pairs:
        assert translation_flags(da, en) == [], (da, en)


def test_every_rule_has_an_editor_reason() -> None:
    listed = {rule.rule_id: rule.reason for rule in DECLARED_RULES}
    assert set(listed) == {*CHECKS, "translate.incomplete"}
    for rule_id, reason in listed.items():
        assert rule_id.startswith("translate.") and reason.endswith(".") and len(reason) > 20
