"""Casing rules and the lexicon behind them (dictionary cases skip without hunspell-da)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline.fix import casing
from pipeline.fix.stage import DEFAULT_DATA_DIR
from pipeline.text.lexicon import Lexicon, Names, find_dictionary, load_lexicon

needs_dictionary = pytest.mark.skipif(
    find_dictionary() is None, reason="needs the Danish Hunspell dictionary (hunspell-da)"
)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon(DEFAULT_DATA_DIR / "names.txt")


@needs_dictionary
def test_lexicon_loads_fast(lexicon: Lexicon) -> None:
    started = time.perf_counter()
    load_lexicon(DEFAULT_DATA_DIR / "names.txt")
    assert time.perf_counter() - started < 20  # about 1 s on an idle project machine


@needs_dictionary
@pytest.mark.parametrize(
    ("word", "cased"),
    [
        ("youtube", "YouTube"), ("youtubes", "YouTubes"), ("linkedin", "LinkedIn"),
        ("iphone", "iPhone"), ("ebay", "eBay"), ("københavn", "København"),
        ("københavns", "Københavns"), ("jylland", "Jylland"), ("mcdonald's", "McDonald's"),
        ("mark", None), ("kunderne", None), ("enter", None), ("street", None),
        ("alpha", None), ("dr", None), ("it", None),
    ],
)
def test_casing_from_dictionary(lexicon: Lexicon, word: str, cased: str | None) -> None:
    assert lexicon.casing(word) == cased


@needs_dictionary
def test_words_and_compounds(lexicon: Lexicon) -> None:
    assert lexicon.is_word("kunderne") and lexicon.is_word("kvidrede")
    assert not lexicon.is_word("københavn")  # a spell check accepts it; the lexicon does not
    assert lexicon.is_compound("kundefokus") and lexicon.is_compound("markedssøgning")
    assert not lexicon.is_compound("lacovara")
    assert lexicon.knows("Fankommentar") and not lexicon.knows("flimsknabbet")


def test_names_file_never_list(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text("# brands\nYouTube\n!dr\n", encoding="utf-8")
    names = Names.read(path)
    assert names.forms["youtubes"] == {"YouTubes"}
    assert "dr" in names.keep


def test_names_file_error_names_line(tmp_path: Path) -> None:
    from pipeline.errors import RuleTableError

    path = tmp_path / "names.txt"
    path.write_text("YouTube\nNovo Nordisk\n", encoding="utf-8")
    with pytest.raises(RuleTableError, match=r"names.txt:2: one name per line"):
        Names.read(path)


def test_sentence_start_rules() -> None:
    cap = casing.capitalize_sentence_start
    assert cap("»det var godt«, sagde hun.") == "»Det var godt«, sagde hun."
    assert cap("(og det var godt)") == "(Og det var godt)"
    assert cap("> vi citerer", markers=True) == "> Vi citerer"
    assert cap("1. vi starter", markers=True) == "1. Vi starter"
    assert cap("ø-samfundet er lille") == "Ø-samfundet er lille"
    assert cap("e-mail er hurtigt") == "E-mail er hurtigt"
    assert cap("http://example.dk virker") == "http://example.dk virker"
    assert cap("a) første punkt") == "a) første punkt"


@needs_dictionary
def test_title_case_heading(lexicon: Lexicon) -> None:
    assert casing.sentence_case_heading(
        "Hvordan YouTube Ændrede Markedsføringen I Danmark", lexicon
    ) == "Hvordan YouTube ændrede markedsføringen i Danmark"
    assert casing.sentence_case_heading("Inserting, Editing, Saving Bitmaps", lexicon) == (
        "Inserting, Editing, Saving Bitmaps"  # English: left for the editor
    )
