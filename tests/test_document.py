"""The document model: edits, flags, replay, JSON form."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.document import Article, Paragraph, Sentence, Translation, replay_edits


def test_apply_edit_records_only_real_changes() -> None:
    sentence = Sentence("vi ved alle")
    assert sentence.apply_edit("fix", "casing.start", 0, 1, "V", "Capital letter.")
    assert not sentence.apply_edit("fix", "casing.start", 0, 1, "V", "Capital letter.")
    assert sentence.text == "Vi ved alle"
    assert len(sentence.edits) == 1
    assert sentence.replay() == sentence.text


def test_flags_move_with_edits() -> None:
    sentence = Sentence("a  b er er c")
    flag = sentence.add_flag("fix", "doubled_word", 5, 10, "Doubled word.")
    assert flag is not None
    sentence.apply_edit("normalize", "normalize_spaces", 1, 3, " ")
    assert sentence.text[flag.start : flag.end] == "er er"
    assert sentence.add_flag("fix", "doubled_word", 4, 9, "Doubled word.") is None


def test_edit_outside_sentence_is_refused() -> None:
    with pytest.raises(ValueError):
        Sentence("abc").apply_edit("x", "y", 2, 9, "z")


def test_replay_detects_a_broken_record() -> None:
    sentence = Sentence("abc")
    sentence.apply_edit("x", "r", 0, 1, "A")
    broken = [type(sentence.edits[0])("x", "r", 0, 1, "z", "A")]
    with pytest.raises(ValueError, match="expects 'z'"):
        replay_edits("abc", broken)


def test_json_round_trip_with_translation() -> None:
    sentence = Sentence("vi ved.", space_after="")
    sentence.apply_edit("fix", "casing.start", 0, 1, "V")
    sentence.add_flag("fix", "unknown_word", 3, 6, "Unknown word.", "info", "ved")
    sentence.translation = Translation("We know.", model="m@abc", score=-0.2)
    article = Article("a.txt", [Paragraph([sentence], "text")], input_sha256="00")
    data = json.loads(json.dumps(article.to_dict()))
    assert data["schema"] == 1
    assert Article.from_dict(data) == article


def test_unknown_schema_is_refused() -> None:
    with pytest.raises(ValueError, match="schema 99"):
        Article.from_dict({"schema": 99, "path": "a", "paragraphs": []})


def test_emptied_sentences_leave_no_trace() -> None:
    first, second, third = Sentence("A."), Sentence("\u200b"), Sentence("C.")
    first.space_after = second.space_after = " "
    second.apply_edit("normalize", "remove_invisible_characters", 0, 1, "")
    assert Paragraph([first, second, third]).text == "A. C."


_SPANS = st.lists(
    st.tuples(st.integers(0, 12), st.integers(0, 3), st.text("ab»", max_size=3)), max_size=6
)
_FLAGS = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 4)), max_size=5)


@settings(max_examples=300, deadline=None)
@given(text=st.text("ab ", max_size=12), raw=_SPANS, flags=_FLAGS)
def test_apply_edits_equals_one_apply_edit_per_span_right_to_left(
    text: str, raw: list[tuple[int, int, str]], flags: list[tuple[int, int]]
) -> None:
    spans: list[tuple[int, int, str]] = []
    last = 0
    for start, width, after in sorted(raw):  # left to right, not overlapping, inside the text
        start = max(start, last)
        end = min(start + width, len(text))
        if start > len(text):
            break
        spans.append((start, end, after))
        last = end
    one, many = Sentence(text), Sentence(text)
    for sentence in (one, many):
        for start, width in flags:
            start = min(start, len(text))
            sentence.add_flag("t", "flag", start, min(start + width, len(text)), "why")
    count = sum(one.apply_edit("t", "r", s, e, a, "why") for s, e, a in reversed(spans))
    assert many.apply_edits("t", "r", spans, "why") == count
    assert many.text == one.text
    assert many.edits == one.edits
    assert [(f.start, f.end) for f in many.flags] == [(f.start, f.end) for f in one.flags]
    assert many.replay() == many.text


def test_apply_edits_refuses_overlapping_spans() -> None:
    with pytest.raises(ValueError, match="overlaps"):
        Sentence("abcdef").apply_edits("t", "r", [(0, 3, "x"), (2, 4, "y")])
