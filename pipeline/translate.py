"""The translate stage: a complete, honest English back-translation of every sentence.

A :class:`Translator` wraps one :class:`Backend` (torch here; CTranslate2 in
``pipeline/backends/ct2_backend.py``) and never drops text:

1. empty or punctuation-only sentences are copied through without a model call;
2. identical sentences are translated once, and sentences already in the cache not at all;
3. a sentence longer than ``max_input_tokens`` is split at clause boundaries (``;``, ``:``,
   `` – ``, ``,``, then whitespace), its parts translated and joined with the original
   separators — never truncated;
4. the parts are sorted by token length and packed into batches of at most ``batch_tokens``
   padded tokens (longest × count), and results go back in the original order;
5. each translation gets a score (mean token log-probability, from the backend) and the flags of
   :mod:`pipeline.quality`.

torch and transformers are imported only when a backend is loaded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from pipeline.cache import TranslationCache, cache_key, default_cache_path, warn_stderr
from pipeline.document import Article, Sentence, Translation
from pipeline.model import DEFAULT_MODEL, ResolvedModel, model_defaults, resolve_model
from pipeline.quality import incomplete_flag, translation_flags

__all__ = [
    "DEFAULT_BATCH_TOKENS",
    "DEFAULT_MODEL",
    "Backend",
    "BackendOutput",
    "Translator",
    "load_translator",
    "translate_articles",
]

DEFAULT_BATCH_TOKENS = 1024  # padded source tokens per model call (longest × sentences)
CACHE_FORMAT = 1  # bump when the way a translation is produced changes (splitting, scoring)

Progress = Callable[[int], None]


class TextTranslator(Protocol):
    """What the stage needs of a translator: :class:`Translator`, or a test double."""

    identity: dict[str, str]

    def translate_texts(
        self, texts: list[str], progress: Progress | None = None
    ) -> list[Translation]: ...


@dataclass
class BackendOutput:
    """One translated text and its mean token log-probability (None when unknown)."""

    text: str
    score: float | None
    complete: bool = True  # False when the decoder hit its length limit before eos


class Backend(Protocol):
    """One engine that translates a batch of texts (already batched by token budget)."""

    name: str  # "torch" | "ct2"
    compute_type: str  # "float32", "int8", "int8_float16", ...

    def translate(self, texts: list[str], beams: int) -> list[BackendOutput]: ...


class TokenCounter(Protocol):
    """Counts model tokens (eos included) of each text; the Marian tokenizer does."""

    def __call__(self, texts: list[str]) -> list[int]: ...


def marian_token_counter(tokenizer: Any) -> TokenCounter:
    def count(texts: list[str]) -> list[int]:
        if not texts:
            return []
        return [len(ids) for ids in tokenizer(texts, verbose=False)["input_ids"]]

    return count


# -- what needs no model ---------------------------------------------------------------------


def needs_model(text: str) -> bool:
    """False for empty or punctuation-only text, which is copied through as it is.

    >>> needs_model("»…«"), needs_model("  "), needs_model("3."), needs_model("Ja!")
    (False, False, True, True)
    """
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


# -- splitting long sentences ------------------------------------------------------------------

# Clause boundaries, strongest first; each separator is kept and re-inserted between the parts.
BOUNDARIES = (
    re.compile(r"\s*;\s+"),
    re.compile(r"(?<!\d):\s+"),
    re.compile(r"\s+[–—-]\s+"),
    re.compile(r"(?<!\d),\s+|,(?=\D)"),
    re.compile(r"\s+"),
)


@dataclass(frozen=True)
class Piece:
    """A part of a sentence to translate, and the separator that follows it."""

    text: str
    separator: str = ""


def split_long(text: str, count: TokenCounter, limit: int, level: int = 0) -> list[Piece]:
    """Split ``text`` into pieces of at most ``limit`` tokens, at the strongest clause
    boundaries that do the job; neighbouring clauses are packed together while they fit.

    Joining ``piece.text + piece.separator`` over the pieces gives back ``text`` exactly.
    """
    if count([text])[0] <= limit:
        return [Piece(text)]
    if level >= len(BOUNDARIES):
        return _split_characters(text, count, limit)
    parts: list[str] = []
    separators: list[str] = []
    position = 0
    for match in BOUNDARIES[level].finditer(text):
        if match.start() == 0 or match.end() == len(text) or match.start() == position:
            continue
        parts.append(text[position : match.start()])
        separators.append(match.group(0))
        position = match.end()
    parts.append(text[position:])
    separators.append("")
    if len(parts) == 1:
        return split_long(text, count, limit, level + 1)
    pieces: list[Piece] = []
    chunk, chunk_separator = parts[0], separators[0]
    for part, separator in zip(parts[1:], separators[1:], strict=True):
        candidate = chunk + chunk_separator + part
        if count([candidate])[0] <= limit:
            chunk, chunk_separator = candidate, separator
            continue
        pieces.extend(_with_separator(split_long(chunk, count, limit, level + 1), chunk_separator))
        chunk, chunk_separator = part, separator
    pieces.extend(_with_separator(split_long(chunk, count, limit, level + 1), chunk_separator))
    return pieces


def _with_separator(pieces: list[Piece], separator: str) -> list[Piece]:
    last = pieces[-1]
    return [*pieces[:-1], Piece(last.text, last.separator + separator)]


def _split_characters(text: str, count: TokenCounter, limit: int) -> list[Piece]:
    """Last resort for one enormous 'word': halve it until each half fits."""
    if count([text])[0] <= limit or len(text) <= 1:
        return [Piece(text)]
    middle = len(text) // 2
    return _split_characters(text[:middle], count, limit) + _split_characters(
        text[middle:], count, limit
    )


def join_pieces(pieces: Sequence[Piece], translations: Sequence[str]) -> str:
    """Join translated pieces with the original separators (whitespace kept single)."""
    out = []
    for piece, translated in zip(pieces, translations, strict=True):
        out.append(translated.strip())
        out.append(piece.separator if piece.separator.strip() else " " * bool(piece.separator))
    return "".join(out).strip()


# -- batching ------------------------------------------------------------------------------------


def token_batches(lengths: Sequence[int], batch_tokens: int) -> list[list[int]]:
    """Indices sorted by length (longest first) and packed so that longest × count stays
    within ``batch_tokens``; a text longer than the budget goes alone.

    >>> token_batches([3, 10, 4, 9], 20)
    [[1, 3], [2, 0]]
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        longest = lengths[current[0]] if current else lengths[index]
        if current and longest * (len(current) + 1) > batch_tokens:
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


# -- the translator ------------------------------------------------------------------------------


@dataclass
class Translator:
    """Orchestrates one backend: split, dedupe, cache, batch, restore order, score and flag."""

    backend: Backend
    count_tokens: TokenCounter
    identity: dict[str, str]  # model id, revision, backend, compute type, settings
    beams: int = 4
    batch_tokens: int = DEFAULT_BATCH_TOKENS
    max_input_tokens: int = 256
    cache: TranslationCache | None = None
    short_name: str = ""  # what each Translation records as its model
    stats: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.short_name:
            self.short_name = self.identity.get("model", "?")
        self.stats = {"sentences": 0, "cached": 0, "translated": 0, "model_calls": 0, "pieces": 0}

    def translate_texts(
        self, texts: list[str], progress: Progress | None = None
    ) -> list[Translation]:
        """One Translation per text, in order; ``progress(n)`` after every n texts finished."""
        report = progress or (lambda n: None)
        results: dict[str, Translation] = {}
        multiplicity: dict[str, int] = {}
        for text in texts:
            multiplicity[text] = multiplicity.get(text, 0) + 1
        self.stats["sentences"] += len(texts)

        passthrough = [t for t in multiplicity if not needs_model(t)]
        for text in passthrough:
            results[text] = Translation(text, self.short_name, None, [], False)
        wanted = [t for t in multiplicity if needs_model(t)]
        keys = {text: cache_key(self.identity, text) for text in wanted}
        hits = self.cache.get_many(keys.values()) if self.cache is not None else {}
        for text in wanted:
            if keys[text] in hits:
                translated, score = hits[keys[text]]
                results[text] = self._finish(text, translated, score, cached=True)
                self.stats["cached"] += multiplicity[text]
        done = sum(multiplicity[t] for t in results)
        if done:
            report(done)

        missing = [t for t in wanted if t not in results]
        if missing:
            self._translate_missing(missing, multiplicity, keys, results, report)
        return [_copy(results[text]) for text in texts]

    def _translate_missing(
        self,
        missing: list[str],
        multiplicity: dict[str, int],
        keys: dict[str, str],
        results: dict[str, Translation],
        report: Progress,
    ) -> None:
        pieces_of = {text: split_long(text, self.count_tokens, self.max_input_tokens)
                     for text in missing}
        users: dict[str, list[str]] = {}  # piece text -> sentences that need it
        for text, pieces in pieces_of.items():
            for piece in pieces:
                if needs_model(piece.text):
                    users.setdefault(piece.text, []).append(text)
        unique = list(users)
        lengths = self.count_tokens(unique)
        self.stats["pieces"] += len(unique)
        outstanding = {text: len({p.text for p in pieces_of[text] if needs_model(p.text)})
                       for text in missing}
        outputs: dict[str, BackendOutput] = {}
        batches = [[unique[i] for i in b] for b in token_batches(lengths, self.batch_tokens)]
        for batch_texts, translated in zip(batches, self._run(batches), strict=True):
            self.stats["model_calls"] += 1
            finished = 0
            fresh: dict[str, tuple[str, float | None]] = {}
            for piece_text, output in zip(batch_texts, translated, strict=True):
                outputs[piece_text] = output
                for text in dict.fromkeys(users[piece_text]):
                    outstanding[text] -= 1
                    if outstanding[text] == 0:
                        joined, score, complete = self._assemble(pieces_of[text], outputs)
                        results[text] = self._finish(text, joined, score, complete=complete)
                        if complete:
                            fresh[keys[text]] = (joined, score)
                        finished += multiplicity[text]
                        self.stats["translated"] += 1
            if self.cache is not None and fresh:
                self.cache.put_many(fresh)
            if finished:
                report(finished)
        for text in missing:  # sentences whose pieces were all punctuation
            if text not in results:
                joined, score, complete = self._assemble(pieces_of[text], outputs)
                results[text] = self._finish(text, joined, score, complete=complete)
                report(multiplicity[text])

    def _run(self, batches: list[list[str]]) -> Iterable[list[BackendOutput]]:
        """The backend's outputs batch by batch, in order; a backend that can run several
        batches at once (an actor pool, :mod:`pipeline.cluster`) gets them all."""
        many = getattr(self.backend, "translate_batches", None)
        if many is not None:
            results: Iterable[list[BackendOutput]] = many(batches, self.beams)
            return results
        return (self.backend.translate(texts, self.beams) for texts in batches)

    def _assemble(
        self, pieces: list[Piece], outputs: dict[str, BackendOutput]
    ) -> tuple[str, float | None, bool]:
        texts: list[str] = []
        weighted, weight, complete = 0.0, 0, True
        for piece in pieces:
            output = outputs.get(piece.text)
            if output is None:  # punctuation-only piece: copied through
                texts.append(piece.text)
                continue
            texts.append(output.text)
            complete = complete and output.complete
            if output.score is not None:
                size = max(1, len(output.text))
                weighted += output.score * size
                weight += size
        score = weighted / weight if weight else None
        return join_pieces(pieces, texts), score, complete

    def _finish(
        self,
        source: str,
        text: str,
        score: float | None,
        cached: bool = False,
        complete: bool = True,
    ) -> Translation:
        flags = translation_flags(source, text)
        if not complete:
            flags.insert(0, incomplete_flag(text))
        return Translation(text, self.short_name, score, flags, cached)

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        close_backend = getattr(self.backend, "close", None)
        if close_backend is not None:  # an actor pool (pipeline.cluster) frees its actors
            close_backend()


def _copy(translation: Translation) -> Translation:
    return replace(translation, flags=[replace(flag) for flag in translation.flags])


# -- loading ---------------------------------------------------------------------------------------


def load_translator(
    model: str = DEFAULT_MODEL,
    *,
    backend: str = "auto",
    device: str = "auto",
    beams: int | None = None,
    precision: str = "auto",
    batch_tokens: int = DEFAULT_BATCH_TOKENS,
    threads: int | None = None,
    offline: bool = False,
    cache_path: Path | str | None = None,
    cache: bool = True,
    max_input_tokens: int | None = None,
    warn: Callable[[str], None] = warn_stderr,
    engine: Backend | None = None,
) -> Translator:
    """Load a model (hub id or local folder) behind a backend; raises ModelUnavailableError.

    Translating never contacts the Hub (``offline`` is accepted for symmetry with
    ``daen model download``); ``cache_path=None`` uses :func:`default_cache_path`;
    ``cache=False`` turns the cache off. ``max_input_tokens`` (default: half the model's
    positions, 256 for opus-mt) is where long sentences get split. ``engine``, a backend
    that runs the batches elsewhere, replaces loading one here (only the tokenizer is loaded).
    """
    del offline  # translation is always local-only; see pipeline.model
    if batch_tokens < 1:
        raise ValueError("batch_tokens must be positive")
    resolved = resolve_model(model)
    from pipeline.backends.torch_backend import load_tokenizer

    tokenizer = load_tokenizer(resolved.path)
    if engine is None:  # given: batches run elsewhere (pipeline.cluster's actor pool)
        engine = _load_backend(backend, resolved, tokenizer, device, precision, threads)
    default_beams, max_positions = model_defaults(resolved.path)
    chosen_beams = beams if beams is not None else default_beams
    if chosen_beams < 1:
        raise ValueError("beams must be at least 1")
    limit = max_input_tokens if max_input_tokens is not None else max_positions // 2
    identity = {
        "model": resolved.name,
        "revision": resolved.revision,
        "backend": engine.name,
        "compute_type": engine.compute_type,
        "beams": str(chosen_beams),
        "max_input_tokens": str(limit),
        "format": str(CACHE_FORMAT),
    }
    store = None
    if cache:
        store = TranslationCache(cache_path or default_cache_path(), warn=warn)
        if not store.enabled:
            store = None
    return Translator(
        backend=engine,
        count_tokens=marian_token_counter(tokenizer),
        identity=identity,
        beams=chosen_beams,
        batch_tokens=batch_tokens,
        max_input_tokens=limit,
        cache=store,
        short_name=resolved.short,
    )


BACKENDS = ("auto", "torch", "ct2")


def _load_backend(
    kind: str,
    resolved: ResolvedModel,
    tokenizer: Any,
    device: str,
    precision: str,
    threads: int | None,
) -> Backend:
    if kind not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {kind}")
    if kind == "auto":
        kind = "ct2" if _ct2_available() else "torch"
    if kind == "ct2":
        from pipeline.backends import ct2_backend

        return ct2_backend.load_backend(
            resolved, device=device, precision=precision, threads=threads, tokenizer=tokenizer
        )
    from pipeline.backends.torch_backend import TorchBackend

    return TorchBackend(
        resolved.path, tokenizer=tokenizer, device=device, precision=precision, threads=threads
    )


def _ct2_available() -> bool:
    try:
        from pipeline.backends import ct2_backend
    except ImportError:
        return False
    return bool(ct2_backend.is_available())


def summary_lines(translations: Iterable[Translation], translator: Translator) -> list[str]:
    """What ``daen translate`` prints at the end: counts, cache use and flags by rule."""
    items = list(translations)
    flags: dict[str, int] = {}
    for translation in items:
        for flag in translation.flags:
            flags[flag.rule_id] = flags.get(flag.rule_id, 0) + 1
    cached = sum(1 for t in items if t.cached)
    flagged = sum(1 for t in items if t.flags)
    lines = [
        f"{len(items)} sentence(s): {len(items) - cached} translated, {cached} from the cache, "
        f"{flagged} flagged; model {translator.short_name} "
        f"({translator.identity.get('backend')}, {translator.identity.get('compute_type')}, "
        f"beams {translator.beams})"
    ]
    lines += [f"  flag  {rule_id:<30} {n:>6}" for rule_id, n in sorted(flags.items())]
    return lines


# -- the stage -------------------------------------------------------------------------------------


def translate_articles(
    articles: Iterable[Article],
    translator: TextTranslator,
    progress: Progress | None = None,
) -> None:
    """Set ``sentence.translation`` on every sentence of every article, batched across them."""
    sentences: list[Sentence] = [s for article in articles for s in article.sentences()]
    translations = translator.translate_texts([s.text for s in sentences], progress)
    for sentence, translation in zip(sentences, translations, strict=True):
        sentence.translation = translation
