"""The Translator's bookkeeping with a fake backend: split, dedupe, order, batches, cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.document import Article, Paragraph, Sentence
from pipeline.translate.backends.base import BackendOutput
from pipeline.translate.cache import TranslationCache
from pipeline.translate.translator import (
    Piece,
    Translator,
    join_pieces,
    needs_model,
    split_long,
    token_batches,
    translate_articles,
)


def word_count(texts: list[str]) -> list[int]:
    """A stand-in tokenizer: one token per word plus eos."""
    return [len(text.split()) + 1 for text in texts]


class EchoBackend:
    """Upper-cases its input and records every call."""

    name = "echo"
    compute_type = "float32"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def translate(self, texts: list[str], beams: int) -> list[BackendOutput]:
        self.calls.append(list(texts))
        return [BackendOutput(text.upper(), -0.5) for text in texts]

    @property
    def sent(self) -> list[str]:
        return [text for call in self.calls for text in call]


def make_translator(
    cache: TranslationCache | None = None, batch_tokens: int = 1024, limit: int = 64
) -> tuple[Translator, EchoBackend]:
    backend = EchoBackend()
    translator = Translator(
        backend=backend,
        count_tokens=word_count,
        identity={"model": "echo", "revision": "1", "backend": "echo"},
        beams=4,
        batch_tokens=batch_tokens,
        max_input_tokens=limit,
        cache=cache,
        short_name="echo@1",
    )
    return translator, backend


def test_order_is_kept_and_duplicates_are_translated_once() -> None:
    translator, backend = make_translator(batch_tokens=6)
    texts = ["b b b b", "a", "c c", "a", "b b b b", "d d d"]
    out = translator.translate_texts(texts)
    assert [t.text for t in out] == [t.upper() for t in texts]
    assert sorted(backend.sent) == sorted(set(texts))
    # Longest first, and no batch over the budget (longest × count, in tokens).
    assert backend.calls[0][0] == "b b b b"
    for call in backend.calls:
        assert max(word_count(call)) * len(call) <= 6 or len(call) == 1


def test_duplicates_get_separate_flag_lists() -> None:
    translator, _ = make_translator()
    first, second = translator.translate_texts(["Det er en god dag.", "Det er en god dag."])
    assert first is not second
    assert first.flags is not second.flags


def test_empty_and_punctuation_only_are_copied_without_a_model_call() -> None:
    translator, backend = make_translator()
    out = translator.translate_texts(["", "  ", "»…«", "—", "Hej."])
    assert [t.text for t in out] == ["", "  ", "»…«", "—", "HEJ."]
    assert backend.sent == ["Hej."]
    assert out[2].score is None and out[2].model == "echo@1" and not out[2].cached


def test_progress_adds_up_to_the_number_of_texts() -> None:
    translator, _ = make_translator(batch_tokens=3)
    seen: list[int] = []
    texts = ["a", "a", "b c", "", "d e f", "g"]
    translator.translate_texts(texts, progress=seen.append)
    assert sum(seen) == len(texts)
    assert len(seen) > 1


def test_long_sentence_is_split_at_clauses_and_joined() -> None:
    translator, backend = make_translator(limit=6)
    text = "en to tre fire; fem seks syv otte, ni ti elleve: tolv tretten fjorten femten"
    (out,) = translator.translate_texts([text])
    assert out.text == text.upper()
    assert all(n <= 6 for n in word_count(backend.sent))


def test_cache_makes_a_rerun_free_and_changed_sentences_only_are_translated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cache.sqlite3"
    translator, backend = make_translator(TranslationCache(path))
    translator.translate_texts(["Hunden løber.", "Katten sover."])
    assert len(backend.calls) == 1

    again, backend2 = make_translator(TranslationCache(path))
    out = again.translate_texts(["Hunden løber.", "Katten sover.", "Nyt."])
    assert backend2.sent == ["Nyt."]
    assert [t.cached for t in out] == [True, True, False]
    assert out[0].text == "HUNDEN LØBER." and out[0].score == -0.5


def test_translate_articles_sets_every_sentence_across_articles() -> None:
    def article(name: str, *texts: str) -> Article:
        return Article(name, [Paragraph([Sentence(t) for t in texts])])

    articles = [article("a.txt", "Et.", "To."), article("b.txt", "To.", "", "Tre.")]
    translator, backend = make_translator()
    seen: list[int] = []
    translate_articles(articles, translator, seen.append)
    got = [s.translation.text if s.translation else None for a in articles for s in a.sentences()]
    assert got == ["ET.", "TO.", "TO.", "", "TRE."]
    assert len(backend.calls) == 1  # batched across articles
    assert sum(seen) == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", False), ("...", False), ("»«", False), ("– ?", False), ("3", True), ("Å", True)],
)
def test_needs_model(text: str, expected: bool) -> None:
    assert needs_model(text) is expected


def test_split_prefers_the_strongest_boundary_and_packs_clauses() -> None:
    text = "a b, c d; e f, g h"
    pieces = split_long(text, word_count, 5)
    assert pieces == [Piece("a b, c d", "; "), Piece("e f, g h")]


def test_split_falls_back_to_whitespace_then_characters() -> None:
    pieces = split_long("a b c d e f", word_count, 3)
    assert "".join(p.text + p.separator for p in pieces) == "a b c d e f"
    assert all(word_count([p.text])[0] <= 3 for p in pieces)

    def chars(texts: list[str]) -> list[int]:
        return [len(t) for t in texts]

    pieces = split_long("x" * 50, chars, 8)
    assert "".join(p.text for p in pieces) == "x" * 50
    assert all(len(p.text) <= 8 for p in pieces)


@given(st.lists(st.sampled_from(["ord", "to", ",", ";", " – ", ":", "3,5", "x"]), max_size=60))
def test_split_never_loses_text(parts: list[str]) -> None:
    text = " ".join(parts)
    pieces = split_long(text, word_count, 4)
    assert "".join(p.text + p.separator for p in pieces) == text
    assert all(word_count([p.text])[0] <= 4 or len(p.text) <= 1 for p in pieces)


def test_join_pieces_keeps_separators() -> None:
    pieces = [Piece("a", "; "), Piece("b", ", "), Piece("c", " – "), Piece("d", "  "), Piece("e")]
    assert join_pieces(pieces, ["A", "B ", " C", "D", "E"]) == "A; B, C – D E"


def test_token_batches_respect_the_budget() -> None:
    lengths = [5, 1, 9, 3, 3, 20, 2]
    batches = token_batches(lengths, 10)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) == 1 or max(lengths[i] for i in batch) * len(batch) <= 10


def test_output_cut_at_the_length_limit_is_flagged_and_not_cached(tmp_path: Path) -> None:
    class Cut(EchoBackend):
        def translate(self, texts: list[str], beams: int) -> list[BackendOutput]:
            return [BackendOutput(o.text, o.score, complete=False)
                    for o in super().translate(texts, beams)]

    cache = TranslationCache(tmp_path / "c.sqlite3")
    translator, _ = make_translator(cache)
    translator.backend = Cut()
    (out,) = translator.translate_texts(["Det er en lang sætning."])
    assert out.flags[0].rule_id == "translate.incomplete"
    assert len(cache) == 0  # retried next time, not remembered
