"""A random-weight MarianMT with opus-mt-da-en's exact architecture, and Danish-like sentences.

Timing a translation engine needs the real model's shape, not its weights: d_model 512, 6+6
layers, 8 heads, FFN 2048, vocabulary 58,930 (eos 0, pad 58,929), swish, static sinusoidal
positions, scaled and tied embeddings. ``MarianConfig()`` defaults describe a larger model, so
every size is spelled out here.

The tokenizer is a small SentencePiece model trained on Danish-like text; ``vocab.json`` lists its
pieces first and filler pieces after them, up to the full 58,930 entries, so the embedding and
output projection have the real size and both transformers and CTranslate2 load the folder as
they would load the hub model.

Random weights decode to random lengths, so the benchmark forces every call to decode exactly
:func:`decode_length` tokens of its longest source (see ``bench/translate.py``).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

VOCAB_SIZE = 58_930
PAD_ID = VOCAB_SIZE - 1
EOS_ID = 0
ARCHITECTURE = {
    "d_model": 512,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "decoder_ffn_dim": 2048,
    "max_position_embeddings": 512,
    "activation_function": "swish",
    "scale_embedding": True,
}
SAMPLE_TEXT = Path(__file__).resolve().parent.parent / "data" / "articles" / "kundefokus.txt"
FALLBACK_WORDS = (
    "det er en af de og i at på til med for som har ikke der var om kan vil skal også efter "
    "virksomheden kunderne markedet regeringen kommunen borgerne året procent kroner millioner "
    "ledere medarbejdere strategi udvikling fremtiden samarbejde løsning udfordring mulighed "
    "København Danmark Europa tirsdag april økonomien væksten renten boligerne skolerne"
).split()


def decode_length(longest_source_tokens: int) -> int:
    """Tokens each decoder call must produce: as many as its longest source has (eos included).

    Every row of the benchmark decodes exactly this many steps per call, whatever the engine.
    """
    return max(2, longest_source_tokens)


def danish_words() -> list[str]:
    """Words of the sample article (or a fallback list), for Danish-like sentences."""
    words: list[str] = []
    if SAMPLE_TEXT.exists():
        text = SAMPLE_TEXT.read_text(encoding="utf-8")
        words = [w.strip("‘’“”»«\"'()[]:;!?.,…") for w in text.split()]
        words = [w for w in words if w.isalpha() or (w.replace("-", "").isalpha() and "." not in w)]
    return words or list(FALLBACK_WORDS)


def sample_token_lengths(count: int, seed: int = 0) -> list[int]:
    """Sentence lengths in tokens with the spread of news articles: 5 to 60, median about 22."""
    rng = random.Random(seed)
    lengths = []
    while len(lengths) < count:
        n = round(rng.lognormvariate(3.05, 0.5))
        if 5 <= n <= 60:
            lengths.append(n)
    return lengths


def make_sentences(tokenizer: object, count: int, seed: int = 0) -> list[str]:
    """``count`` distinct Danish-like sentences whose token counts follow the article spread."""
    rng = random.Random(seed + 1)
    words = danish_words()
    sentences: list[str] = []
    seen: set[str] = set()
    for target in sample_token_lengths(count, seed):
        while True:
            picked = [rng.choice(words)]
            while _token_count(tokenizer, " ".join(picked) + ".") < target:
                picked.append(rng.choice(words))
            sentence = " ".join(picked) + "."
            sentence = sentence[0].upper() + sentence[1:]
            if sentence not in seen:
                break
        seen.add(sentence)
        sentences.append(sentence)
    return sentences


def _token_count(tokenizer: object, text: str) -> int:
    return len(tokenizer(text).input_ids)  # type: ignore[operator]


def _train_spm(text_lines: list[str], prefix: Path, vocab_size: int) -> None:
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(text_lines),
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


def build_random_marian(folder: Path, seed: int = 0) -> Path:
    """Save the random-weight model with its tokenizer to ``folder`` once; reuse it after."""
    if (folder / "config.json").exists() and (folder / "vocab.json").exists():
        return folder
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    work = folder.with_name(folder.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    rng = random.Random(seed)
    words = danish_words()
    lines = [" ".join(rng.choice(words) for _ in range(rng.randint(5, 30))) for _ in range(4000)]
    for side in ("source", "target"):
        _train_spm(lines, work / side, 2000)
        (work / f"{side}.model").rename(work / f"{side}.spm")
        (work / f"{side}.vocab").unlink()

    pieces: list[str] = ["</s>", "<unk>"]
    known = set(pieces)
    for side in ("source", "target"):
        processor = spm.SentencePieceProcessor(model_file=str(work / f"{side}.spm"))
        for i in range(processor.get_piece_size()):
            piece = processor.id_to_piece(i)
            if piece not in known and piece not in ("<s>", "<unk>"):
                pieces.append(piece)
                known.add(piece)
    # Filler pieces bring the vocabulary to the real size; the tokenizer never produces them.
    pieces += [f"▁x{i}" for i in range(VOCAB_SIZE - 1 - len(pieces))]
    pieces.append("<pad>")
    vocab = {piece: i for i, piece in enumerate(pieces)}
    assert len(vocab) == VOCAB_SIZE and vocab["<pad>"] == PAD_ID
    (work / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

    tokenizer = MarianTokenizer(
        source_spm=str(work / "source.spm"),
        target_spm=str(work / "target.spm"),
        vocab=str(work / "vocab.json"),
        source_lang="da",
        target_lang="en",
        model_max_length=512,
    )
    config = MarianConfig(
        vocab_size=VOCAB_SIZE,
        decoder_vocab_size=VOCAB_SIZE,
        dropout=0.0,
        pad_token_id=PAD_ID,
        eos_token_id=EOS_ID,
        forced_eos_token_id=EOS_ID,
        decoder_start_token_id=PAD_ID,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        **ARCHITECTURE,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    model.generation_config = GenerationConfig(
        num_beams=4,
        max_length=512,
        bad_words_ids=[[PAD_ID]],
        decoder_start_token_id=PAD_ID,
        eos_token_id=EOS_ID,
        forced_eos_token_id=EOS_ID,
        pad_token_id=PAD_ID,
    )
    model.save_pretrained(work)
    tokenizer.save_pretrained(work)
    shutil.rmtree(folder, ignore_errors=True)
    work.rename(folder)
    return folder


if __name__ == "__main__":
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("bench/out/random-opus-mt-da-en")
    print(build_random_marian(target))
