"""The translate stage: a complete, honest English back-translation of every sentence.

A :class:`Translator` wraps one :class:`Backend` (torch here; CTranslate2 in
``pipeline/translate/backends/ct2_backend.py``) and never drops text:

1. empty or punctuation-only sentences are copied through without a model call;
2. identical sentences are translated once, and sentences already in the cache not at all;
3. a sentence longer than ``max_input_tokens`` is split at clause boundaries (``;``, ``:``,
   `` – ``, ``,``, then whitespace), its parts translated and joined with the original
   separators — never truncated;
4. the parts are sorted by token length and packed into batches of at most ``batch_tokens``
   padded tokens (longest × count), and results go back in the original order;
5. each translation gets a score (mean token log-probability, from the backend) and the flags of
   :mod:`pipeline.translate.quality`.

torch and transformers are imported only when a backend is loaded.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, Protocol

from pipeline.document import Article, Sentence, Translation
from pipeline.errors import ModelUnavailableError
from pipeline.translate.backends.base import (
    BACKENDS,
    CT2_COMPUTE_TYPES,
    PRECISIONS,
    Backend,
    BackendOutput,
    load_tokenizer,
)
from pipeline.translate.cache import TranslationCache, cache_key, default_cache_path, warn_stderr
from pipeline.translate.model import DEFAULT_MODEL, ResolvedModel, model_defaults, resolve_model
from pipeline.translate.quality import incomplete_flag, translation_flags

CACHE_FORMAT = 1  # bump when the way a translation is produced changes (splitting, scoring)
# Sane bounds for the numeric settings: a value outside is a usage error, not a slow run.
BOUNDS: dict[str, tuple[int, int]] = {
    "beams": (1, 64),
    "batch_tokens": (16, 1_000_000),
    "threads": (1, 1024),
    "max_input_tokens": (8, 100_000),
}
_DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d+)?")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class TranslatorSettings:
    """How the translate stage loads and runs its model; every default is written here.

    ``model=None`` and ``beams=None`` mean the default model and that model's own beam count.
    Raises ValueError for a value no backend can take (the command line shows it as a usage
    error).
    """

    model: str | None = None
    backend: str = "auto"
    device: str = "auto"
    precision: str = "auto"
    beams: int | None = None
    batch_tokens: int = 1024  # padded source tokens per model call (longest × sentences)
    threads: int | None = None  # CPU threads (None: every core)
    max_input_tokens: int | None = None  # longer sentences are split (None: half the positions)
    cache: bool = True
    cache_path: Path | None = None  # None: pipeline.translate.cache.default_cache_path()
    # The default model's own beam count (opus-mt's generation config): what a Translator built
    # without settings uses; loading a model reads that model's own.
    DEFAULT_BEAMS: ClassVar[int] = 4

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {self.backend}")
        if self.precision not in PRECISIONS and not (
            self.backend != "torch" and self.precision in CT2_COMPUTE_TYPES
        ):
            raise ValueError(
                f"precision must be one of {', '.join(PRECISIONS)} (or, for ct2, a CTranslate2 "
                f"compute type), not {self.precision}"
            )
        if not _DEVICE.fullmatch(self.device):
            raise ValueError(f"device must be auto, cpu, cuda, cuda:N or mps, not {self.device}")
        for name, (low, high) in BOUNDS.items():
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                option = name.replace("_", "-")
                raise ValueError(f"{option} must be within {low}–{high}, not {value}")

    @property
    def model_name(self) -> str:
        return self.model or DEFAULT_MODEL

    def key_data(self) -> dict[str, Any]:
        """The settings that change a translation (part of the run key)."""
        return {
            "model": self.model, "backend": self.backend, "beams": self.beams,
            "batch_tokens": self.batch_tokens, "precision": self.precision,
        }


def check_translator_setup(settings: TranslatorSettings) -> None:
    """What :class:`TranslatorSettings` cannot check on its own, since it depends on this
    machine: a ``--model`` folder that is no model folder, and a ``--device`` this machine does
    not have. A ValueError (a usage error on the command line), before any work. Cheap for the
    defaults: a Hub id is not looked up, and only a cuda or mps device loads the engine."""
    from pipeline.translate.devices import check_device
    from pipeline.translate.model import check_model_option

    check_model_option(settings.model)
    check_device(settings.device, settings.backend)


class TextTranslator(Protocol):
    """What the stage needs of a translator: :class:`Translator`, or a test double."""

    identity: dict[str, str]

    def translate_texts(
        self, texts: list[str], progress: Progress | None = None
    ) -> list[Translation]: ...


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
    beams: int = TranslatorSettings.DEFAULT_BEAMS
    batch_tokens: int = TranslatorSettings.batch_tokens
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
        batches at once (an actor pool, :mod:`pipeline.run.cluster`) gets them all."""
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
        if close_backend is not None:  # an actor pool (pipeline.run.cluster) frees its actors
            close_backend()


def _copy(translation: Translation) -> Translation:
    return replace(translation, flags=[replace(flag) for flag in translation.flags])


# -- loading ---------------------------------------------------------------------------------------


def load_translator(
    settings: TranslatorSettings | str | None = None,
    *,
    warn: Callable[[str], None] = warn_stderr,
    engine: Backend | None = None,
    **changes: Any,
) -> Translator:
    """Load a model (hub id or local folder) behind a backend; raises ModelUnavailableError.

    ``settings`` is a :class:`TranslatorSettings`, or a model name; keyword ``changes``
    replace single settings (``load_translator(path, backend="torch", beams=1)``).
    Translating never contacts the Hub (see :mod:`pipeline.translate.model`). ``engine``, a backend
    that runs the batches elsewhere (:mod:`pipeline.run.cluster`'s actor pool), replaces loading
    one here: only the tokenizer is loaded.
    """
    if isinstance(settings, TranslatorSettings):
        settings = replace(settings, **changes)
    else:
        settings = TranslatorSettings(model=settings, **changes)
    resolved = resolve_model(settings.model_name)
    tokenizer = load_tokenizer(resolved.path)
    if engine is None:
        engine = _load_backend(settings, resolved, tokenizer, warn)
    default_beams, max_positions = model_defaults(resolved.path)
    chosen_beams = settings.beams if settings.beams is not None else default_beams
    limit = settings.max_input_tokens
    if limit is None:
        limit = max_positions // 2
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
    if settings.cache:
        store = TranslationCache(settings.cache_path or default_cache_path(), warn=warn)
        if not store.enabled:
            store = None
    return Translator(
        backend=engine,
        count_tokens=marian_token_counter(tokenizer),
        identity=identity,
        beams=chosen_beams,
        batch_tokens=settings.batch_tokens,
        max_input_tokens=limit,
        cache=store,
        short_name=resolved.short,
    )


def _load_backend(
    settings: TranslatorSettings,
    resolved: ResolvedModel,
    tokenizer: Any,
    warn: Callable[[str], None] = warn_stderr,
) -> Backend:
    """The backend the settings ask for. ``auto`` is the best that works: CTranslate2 when
    it is installed and can convert and load the model, else torch (said in one warning); an
    explicit ``ct2`` that cannot fails with its reason."""
    kind, device, precision, threads = (
        settings.backend, settings.device, settings.precision, settings.threads
    )
    if kind in ("auto", "ct2") and (kind == "ct2" or _ct2_available()):
        from pipeline.translate.backends import ct2_backend

        try:
            return ct2_backend.load_backend(
                resolved, device=device, precision=precision, threads=threads,
                tokenizer=tokenizer, warn=warn,
            )
        except ModelUnavailableError as error:
            if kind == "ct2":
                raise
            warn(f"the ct2 backend cannot run this model ({error}); using torch instead")
            if precision not in PRECISIONS:  # a CTranslate2 compute type
                precision = "auto"
    from pipeline.translate.backends.torch_backend import TorchBackend

    return TorchBackend(
        resolved.path, tokenizer=tokenizer, device=device, precision=precision, threads=threads
    )


def _ct2_available() -> bool:
    try:
        from pipeline.translate.backends import ct2_backend
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


class FakeTranslator:
    """A stand-in translator for tests and benchmarks: ``[en] <sentence>``, optionally slow.

    Reachable from the command line only through a hidden option (``--translator fake``).
    """

    def __init__(self, delay: float = 0.0, batch: int = 16) -> None:
        self.delay = delay
        self.batch = batch
        self.identity = {"model": "fake-echo", "revision": "1", "backend": "fake"}
        self.calls: list[int] = []

    def translate_texts(
        self, texts: list[str], progress: Progress | None = None
    ) -> list[Translation]:
        self.calls.append(len(texts))
        results = []
        for start in range(0, len(texts), self.batch):
            part = texts[start : start + self.batch]
            if self.delay:
                time.sleep(self.delay * len(part))
            results += [Translation(f"[en] {t}", "fake-echo", score=-0.25) for t in part]
            if progress is not None:
                progress(len(part))
        return results


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
