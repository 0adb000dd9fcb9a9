"""Paragraphs and Danish sentences: golden cases as data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.text.segment import DanishSplitter, segment_text, split_blocks

CASES = json.loads((Path(__file__).parent / "cases" / "sentences.json").read_text("utf-8"))
SAMPLE = Path(__file__).parent.parent / "data" / "articles" / "kundefokus.txt"


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_sentence_golden_case(case: dict) -> None:
    assert DanishSplitter().split(case["input"]) == case["expected"]


def test_sentences_cover_the_paragraph_without_losing_text() -> None:
    text = "Første sætning.  Anden sætning!\nTredje?   Fjerde."
    paragraph = segment_text(text).paragraphs[0]
    assert [s.original for s in paragraph.sentences] == [
        "Første sætning.", "Anden sætning!", "Tredje?", "Fjerde.",
    ]
    assert [s.space_after for s in paragraph.sentences] == [" ", "\n", " ", ""]
    joined = "".join(s.original for s in paragraph.sentences)
    assert "".join(text.split()) == "".join(joined.split())


def test_headings_lists_and_blank_lines() -> None:
    text = (
        "# Overskrift\n\nførste afsnit her. og mere.\n\n"
        "kort titel\nBrødtekst starter her.\n- et punkt\n- to punkter\n"
    )
    kinds = [kind for kind, _ in split_blocks(text)]
    assert kinds == ["heading", "text", "heading", "text", "list", "list"]


def test_wrapped_line_is_not_a_heading() -> None:
    blocks = split_blocks("Dette er en lang sætning, der fortsætter\npå næste linje.")
    assert blocks == [("text", "Dette er en lang sætning, der fortsætter\npå næste linje.")]


def test_sample_article_structure() -> None:
    article = segment_text(SAMPLE.read_text("utf-8"))
    headings = [p.sentences[0].original for p in article.paragraphs if p.kind == "heading"]
    assert headings == [
        "førende ved eksempel for et kundefokus",
        "gåture i samtalen",
        "brug regelmæssigt tid sammen med kunder",
        "hold kunderne øverst på dagsordenen",
        "Dominos Facebook-side",
        "Domino ‘ s Facebook Photo 2013",
    ]
    starts = [s.original.split()[0] for s in article.sentences()]
    assert "vi" in starts and "min" in starts and "der" in starts
    # `4. største` and `dvs.` do not split.
    assert any("det 4. største e-handelssted" in s.original for s in article.sentences())
    assert any("(dvs. slut til slut" in s.original for s in article.sentences())


def test_empty_and_whitespace_only_text() -> None:
    assert segment_text("").paragraphs == []
    assert segment_text(" \n\n\u200b \n").paragraphs == []


def test_short_question_alone_is_a_heading() -> None:
    text = "Hvordan kalibrerer jeg min skærm?\n\nDet er let. Hvad nu?\n\n»Hvad nu?«\n\nSlut."
    assert [kind for kind, _ in split_blocks(text)] == ["heading", "text", "text", "text"]
