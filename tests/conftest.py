"""Shared fixtures: a tiny MarianMT trained in seconds, and an isolated, offline environment.

``tiny_marian`` trains, once per test session, a MarianMT with d_model 64 and 2+2 layers plus
tiny SentencePiece models on a handful of Danish→English pairs until it has memorised them,
then saves it like a hub model (``save_pretrained`` plus ``source.spm``, ``target.spm``,
``vocab.json``). Tests load it through the real loading code and assert exact outputs.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

# Danish → English pairs the tiny model memorises. Clauses without final punctuation let tests
# build a sentence of 600+ tokens that must be split at clause boundaries.
TINY_PAIRS: tuple[tuple[str, str], ...] = (
    ("Hunden løber i parken.", "The dog runs in the park."),
    ("Katten sover på sofaen.", "The cat sleeps on the sofa."),
    ("Vi spiser fisk i aften.", "We are eating fish tonight."),
    ("Prisen er 1.500 kroner.", "The price is 1,500 kroner."),
    ("Mødet holdes den 8. april.", "The meeting is held on April 8."),
    ("Renten steg med 3,5 pct.", "The interest rate rose by 3.5%."),
    ("hunden løber i parken", "the dog runs in the park"),
    ("katten sover på sofaen", "the cat sleeps on the sofa"),
)


@dataclass(frozen=True)
class TinyMarian:
    """A saved tiny MarianMT folder and the pairs it reproduces exactly."""

    path: Path
    pairs: tuple[tuple[str, str], ...]
    seconds: float  # time it took to train

    @property
    def sources(self) -> list[str]:
        return [source for source, _ in self.pairs]

    @property
    def expected(self) -> dict[str, str]:
        return dict(self.pairs)


def _train_spm(sentences: list[str], prefix: Path, vocab_size: int) -> None:
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences * 4),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        model_type="unigram",
        bos_id=-1,
        eos_id=-1,
        unk_id=0,
        minloglevel=2,
    )


def build_tiny_marian(folder: Path, pairs: tuple[tuple[str, str], ...] = TINY_PAIRS,
                      steps: int = 300, seed: int = 0) -> Path:
    """Train and save a tiny MarianMT that memorises ``pairs``; returns the folder."""
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    sources = [s for s, _ in pairs]
    targets = [t for _, t in pairs]
    _train_spm(sources, folder / "source", 60)
    _train_spm(targets, folder / "target", 60)
    (folder / "source.model").rename(folder / "source.spm")
    (folder / "target.model").rename(folder / "target.spm")
    for extra in ("source.vocab", "target.vocab"):
        (folder / extra).unlink()

    # One shared vocabulary, laid out like opus-mt: eos 0, unk 1, ..., pad last.
    pieces: list[str] = ["</s>", "<unk>"]
    for name in ("source.spm", "target.spm"):
        processor = spm.SentencePieceProcessor(model_file=str(folder / name))
        for i in range(processor.get_piece_size()):
            piece = processor.id_to_piece(i)
            if piece not in pieces and piece not in ("<unk>", "<s>", "</s>"):
                pieces.append(piece)
    pieces.append("<pad>")
    vocab = {piece: i for i, piece in enumerate(pieces)}
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    pad_id = vocab["<pad>"]

    tokenizer = MarianTokenizer(
        source_spm=str(folder / "source.spm"),
        target_spm=str(folder / "target.spm"),
        vocab=str(folder / "vocab.json"),
        source_lang="da",
        target_lang="en",
        model_max_length=512,
    )
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        max_position_embeddings=512,
        activation_function="swish",
        scale_embedding=True,
        dropout=0.0,
        pad_token_id=pad_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        decoder_start_token_id=pad_id,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    batch = tokenizer(sources, text_target=targets, padding=True, return_tensors="pt")
    labels = batch["labels"].masked_fill(batch["labels"] == pad_id, -100)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for step in range(steps):
        optimizer.zero_grad()
        loss = model(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels
        ).loss
        loss.backward()
        optimizer.step()
        if step >= 150 and loss.item() < 0.005:  # memorised: beam search reproduces every pair
            break
    model.eval()
    model.generation_config = GenerationConfig(
        num_beams=4,
        max_length=512,
        bad_words_ids=[[pad_id]],
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=pad_id,
    )
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory: pytest.TempPathFactory) -> TinyMarian:
    """A tiny MarianMT folder (trained once per session) that translates ``.pairs`` exactly."""
    import torch

    # One thread: on a small, busy machine two torch threads on a model this small spin against
    # each other and run several times slower (200 s instead of 25 s to train under load).
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("tiny-marian")
    started = time.perf_counter()
    build_tiny_marian(folder)
    return TinyMarian(folder, TINY_PAIRS, time.perf_counter() - started)


@pytest.fixture(autouse=True)
def _offline_isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never download and never touch the user's caches."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("DAEN_CACHE_DIR", str(tmp_path / "daen-cache"))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs the tiny Marian (trained, then often converted) is ``slow`` by what it
    asks for, so no such test can forget the mark and slow down ``make test-fast``."""
    for item in items:
        if "tiny_marian" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
