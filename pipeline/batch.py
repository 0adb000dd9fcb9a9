"""``daen run``: a folder of articles in, every editor output out; incremental and crash-safe.

The batch, step by step:

1. **Discover** ``.txt``/``.md`` files under the input folder (recursively, following folder
   links once, never into the output folder); anything else is listed as skipped.
2. **Plan**: hash every input. An article whose input hash and *run key* (tool code, rule
   tables, settings) match its last finished run, and whose outputs all exist, is left alone
   (``force`` redoes it). The last finished run is found in ``manifest.json`` or, when the
   manifest was not saved since (a killed run), in the article's own record ``<name>.json``.
3. **Clean** each article (read, normalize, fix). A bad input becomes a failed article with a
   message naming the file; it never stops the batch.
4. **Translate** in chunks of articles, so the translator batches sentences across articles.
5. **Write** each article's outputs, every file atomically (temporary file + rename), the
   record ``<name>.json`` last: an article is finished only when its record is there, so a
   run killed at any moment is completed by the next run without redoing finished articles.
6. **Manifest and index**: ``manifest.json`` is saved atomically every few seconds and at the
   end, ``index.html`` at the end.

Input files are only ever read.

Discovery and input checks live in :mod:`pipeline.discover`, the manifest in
:mod:`pipeline.manifest`, the progress bar and summary in :mod:`pipeline.console`; the names
other modules use are re-exported here (``__all__``).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pipeline import __version__
from pipeline.console import ConsoleReporter, print_summary, run_command
from pipeline.discover import (
    ARTICLE_SUFFIXES,
    MAX_LINE_BYTES,
    ORIGINAL_SUFFIX,
    RESERVED_NAMES,
    SkippedFile,
    Source,
    check_text_shape,
    discover,
    find_collisions,
    read_input,
)
from pipeline.document import SCHEMA_VERSION, Article, Translation
from pipeline.errors import DaenError, InputError
from pipeline.fsutil import write_atomic
from pipeline.manifest import (
    INDEX,
    MANIFEST,
    MANIFEST_SAVE_SECONDS,
    MANIFEST_SCHEMA,
    ManifestWriter,
    OutputListing,
    entry_from_record,
    entry_is_current,
    load_manifest,
    manifest_text,
    new_manifest,
    translation_block,
    utc_now,
)

if TYPE_CHECKING:
    from concurrent.futures import Executor

OUTPUT_SUFFIXES = {
    "da": ".da.txt",
    "en": ".en.txt",
    "diff": ".diff",
    "html": ".html",
    "json": ".json",  # the record: written last
}
# write_atomic's temporary files: ".<name>.<8 random chars>.tmp"
_TEMP_FILE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")

Status = Literal["done", "unchanged", "failed"]

__all__ = [  # this module's names, and those re-exported from the modules split off it
    "ARTICLE_SUFFIXES",
    "INDEX",
    "MANIFEST",
    "MANIFEST_SAVE_SECONDS",
    "MANIFEST_SCHEMA",
    "MAX_LINE_BYTES",
    "ORIGINAL_SUFFIX",
    "OUTPUT_SUFFIXES",
    "RESERVED_NAMES",
    "BatchResult",
    "ConsoleReporter",
    "FakeTranslator",
    "ManifestWriter",
    "NullReporter",
    "Outcome",
    "Pipeline",
    "Reporter",
    "RunOptions",
    "SkippedFile",
    "Source",
    "Status",
    "TranslatorLike",
    "UsageError",
    "check_text_shape",
    "code_hash",
    "discover",
    "find_collisions",
    "load_manifest",
    "load_model_translator",
    "load_pipeline",
    "manifest_text",
    "output_paths",
    "print_summary",
    "read_input",
    "remove_stale_temp_files",
    "run_batch",
    "run_command",
    "translate_chunk",
]


class UsageError(DaenError):
    """Arguments that cannot work (the CLI turns this into a usage error, exit code 2)."""


class TranslatorLike(Protocol):
    identity: dict[str, str]

    def translate_texts(
        self, texts: list[str], progress: Callable[[int], None] | None = None
    ) -> list[Translation]: ...


@dataclass(frozen=True)
class RunOptions:
    force: bool = False
    translate: bool = True
    model: str | None = None  # None: the translator's default model
    backend: str = "auto"
    device: str = "auto"
    beams: int | None = None
    batch_tokens: int | None = None
    quote_style: str = "auto"
    # Sentences per translation chunk: the translator batches across the articles of a chunk;
    # outputs are written after each chunk.
    chunk_sentences: int = 2000
    # qa stage: where English originals are besides the articles, and the chrF threshold.
    originals: Path | None = None
    qa_threshold: float = 40.0

    def settings(self) -> dict[str, Any]:
        """What changes the outputs (and so is part of the run key)."""
        data: dict[str, Any] = {
            "quote_style": self.quote_style, "translate": self.translate,
            "qa_threshold": self.qa_threshold,
        }
        if self.translate:
            data.update(
                model=self.model, backend=self.backend, beams=self.beams,
                batch_tokens=self.batch_tokens,
            )
        return data


@dataclass
class Outcome:
    """What happened to one article in this run."""

    name: str  # output name: relative path without the suffix
    source: str  # input path relative to the input folder
    status: Status
    message: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    translation: str = ""
    seconds: float = 0.0


@dataclass
class BatchResult:
    output: Path
    outcomes: list[Outcome]
    skipped: list[SkippedFile]
    warnings: list[str]
    translation_error: str | None
    seconds: float

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


class Reporter(Protocol):
    """Receives progress; the CLI shows it, tests record it."""

    def start(self, articles: int, sentences: int) -> None: ...
    def advance(self, *, sentences: int = 0, articles: int = 0) -> None: ...
    def article(self, outcome: Outcome) -> None: ...
    def warn(self, message: str) -> None: ...
    def finish(self) -> None: ...


class NullReporter:
    def start(self, articles: int, sentences: int) -> None:
        pass

    def advance(self, *, sentences: int = 0, articles: int = 0) -> None:
        pass

    def article(self, outcome: Outcome) -> None:
        pass

    def warn(self, message: str) -> None:
        pass

    def finish(self) -> None:
        pass


# --------------------------------------------------------------------------------------------
# Stages and run key


# Loading the fix rules takes a second or two (the dictionary): within one process, rules loaded
# from tables with the same content are reused, and the tables' file names remembered.
_LOADED_FIX_RULES: dict[str, Any] = {}
_LAST_TABLE_FILES: dict[str, str] = {}


@dataclass
class Pipeline:
    """The cleanup stages with their configuration, and the key that identifies them.

    The fix rules (a dictionary takes a second or two to load) are loaded only when an article
    needs cleaning: a run with nothing to do never loads them.
    """

    normalize_config: Any
    has_fix: bool
    key: str
    rules: dict[str, Any]
    fix_rules: Any | None = None

    def load(self) -> None:
        """Load the fix rules (raises RuleTableError for a broken table).

        Rules loaded before in this process from tables with the same content are reused.
        """
        if not self.has_fix or self.fix_rules is not None:
            return
        cache_key = json.dumps(self.rules["tables"], sort_keys=True)
        if self.rules["tables"] and cache_key in _LOADED_FIX_RULES:
            self.fix_rules = _LOADED_FIX_RULES[cache_key]
            return
        self.fix_rules = importlib.import_module("pipeline.fix").load_fix_rules()
        if self.rules["tables"]:
            _LOADED_FIX_RULES.clear()
            _LOADED_FIX_RULES[cache_key] = self.fix_rules

    def clean(self, article: Article) -> Article:
        from pipeline.normalize import normalize_article

        article = normalize_article(article, self.normalize_config)
        if self.has_fix:
            self.load()
            fix = importlib.import_module("pipeline.fix")
            article = fix.fix_article(article, self.fix_rules)
        return article


def load_pipeline(options: RunOptions, previous_rules: dict[str, Any] | None = None) -> Pipeline:
    """Normalize configuration, fix stage (when installed) and the run key.

    The key covers the rule tables by content. Their file names come from the fix rules, or,
    to spare loading them, from the last run's manifest (``previous_rules``); the files are
    hashed again either way, so an edited table is always noticed.
    """
    from pipeline.normalize import NormalizeConfig

    try:
        config = NormalizeConfig(quote_style=options.quote_style)
    except ValueError as error:
        raise UsageError(str(error)) from None
    has_fix = importlib.util.find_spec("pipeline.fix") is not None
    fix_rules = None
    files: dict[str, str] = {}
    if has_fix:
        recorded = (previous_rules or {}).get("table_files") or _LAST_TABLE_FILES
        if recorded and all(Path(p).is_file() for p in recorded.values()):
            files = dict(recorded)
        else:
            fix_rules = importlib.import_module("pipeline.fix").load_fix_rules()
            files = {
                name: str(path) for name, path in getattr(fix_rules, "tables", {}).items()
                if Path(path).is_file()
            }
    tables = {name: _file_sha256(Path(path)) for name, path in sorted(files.items())}
    if fix_rules is not None and not files:  # tables not exposed: ask the rules
        tables = dict(fix_rules.table_hashes())
    if files:
        _LAST_TABLE_FILES.clear()
        _LAST_TABLE_FILES.update(files)
    if fix_rules is not None and tables:
        _LOADED_FIX_RULES.clear()
        _LOADED_FIX_RULES[json.dumps(tables, sort_keys=True)] = fix_rules
    rules = {
        "code_sha256": code_hash(), "tables": tables, "table_files": files, "fix_stage": has_fix,
    }
    key_data = {
        "version": __version__,
        "schema": SCHEMA_VERSION,
        "rules": {k: v for k, v in rules.items() if k != "table_files"},
        "settings": options.settings(),
    }
    key = hashlib.sha256(json.dumps(key_data, sort_keys=True).encode()).hexdigest()
    return Pipeline(config, has_fix, key, rules, fix_rules)


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code_hash() -> str:
    """Hash of the package's source: any code change (a rule, a renderer) redoes articles."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_model_translator(options: RunOptions) -> TranslatorLike:
    """The real translator (raises ModelUnavailableError when the model cannot be had)."""
    from pipeline.errors import ModelUnavailableError

    try:
        translate = importlib.import_module("pipeline.translate")
    except ModuleNotFoundError as error:
        if error.name != "pipeline.translate":
            raise
        raise ModelUnavailableError(
            "back-translation is not part of this installation (pipeline.translate is missing)"
        ) from None
    kwargs: dict[str, Any] = {"backend": options.backend, "device": options.device}
    if options.beams is not None:
        kwargs["beams"] = options.beams
    if options.batch_tokens is not None:
        kwargs["batch_tokens"] = options.batch_tokens
    model = options.model or translate.DEFAULT_MODEL
    try:
        translator: TranslatorLike = translate.load_translator(model, **kwargs)
    except ValueError as error:  # a setting the model or backend cannot take
        raise UsageError(str(error)) from None
    return translator


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
        self, texts: list[str], progress: Callable[[int], None] | None = None
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


def translate_chunk(
    articles: Sequence[Article],
    translator: TranslatorLike,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Give every sentence of every article a translation, in one call across articles."""
    try:
        translate_articles = importlib.import_module("pipeline.translate").translate_articles
    except ModuleNotFoundError as error:
        if error.name != "pipeline.translate":
            raise
        translate_articles = None
    if translate_articles is not None:
        translate_articles(list(articles), translator, progress)
        return
    sentences = [s for article in articles for s in article.sentences()]
    translations = translator.translate_texts([s.text for s in sentences], progress)
    for sentence, translation in zip(sentences, translations, strict=True):
        sentence.translation = translation


# --------------------------------------------------------------------------------------------
# Output files


def output_paths(output_dir: Path, name: str) -> dict[str, Path]:
    return {kind: output_dir / f"{name}{suffix}" for kind, suffix in OUTPUT_SUFFIXES.items()}


def remove_stale_temp_files(output_dir: Path) -> int:
    """Delete temporary files a killed run left behind (they never hold finished output)."""
    removed = 0
    if not output_dir.is_dir():
        return 0
    for folder, _, files in os.walk(output_dir):
        for name in files:
            if _TEMP_FILE.match(name):
                try:
                    (Path(folder) / name).unlink()
                    removed += 1
                except OSError:
                    pass
    return removed


# --------------------------------------------------------------------------------------------
# The batch


@dataclass
class _Work:
    source: Source
    data: bytes
    digest: str
    article: Article | None = None
    cleanup_s: float = 0.0
    translate_s: float = 0.0


def run_batch(
    input_dir: Path,
    output_dir: Path,
    options: RunOptions | None = None,
    *,
    translator: TranslatorLike | None = None,
    translator_factory: Callable[[RunOptions], TranslatorLike] | None = None,
    reporter: Reporter | None = None,
) -> BatchResult:
    """Process every article under ``input_dir`` into ``output_dir``; see the module doc.

    ``translator`` (or ``translator_factory``, called only when something needs translating)
    replaces the real model; by default :func:`load_model_translator` is used.
    Raises :class:`UsageError` for arguments that cannot work, and ``RuleTableError`` for a
    broken rule table (which affects every article); everything else is per article.
    """
    options = options or RunOptions()
    reporter = reporter or NullReporter()
    started, started_at = time.perf_counter(), utc_now()
    timings: dict[str, float] = {}
    if not input_dir.is_dir():
        raise UsageError(f"{input_dir}: not a folder (give the folder that holds the articles)")
    if output_dir.exists() and not output_dir.is_dir():
        raise UsageError(f"{output_dir}: exists and is not a folder")
    if output_dir.resolve() == input_dir.resolve():
        raise UsageError("the output folder is the input folder; choose another -o")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{output_dir}: cannot be created ({error.strerror or error})") from None
    previous, manifest_warning = load_manifest(output_dir)
    pipeline = load_pipeline(options, previous.get("rules"))
    warnings: list[str] = []
    if manifest_warning:
        warnings.append(manifest_warning)

    # 1. discover
    t0 = time.perf_counter()
    sources, skipped, found_warnings = discover(input_dir, output_dir)
    warnings += found_warnings
    if not sources:
        warnings.append(f"{input_dir}: no .txt or .md files found")
    collisions = find_collisions(sources)
    if remove_stale_temp_files(output_dir):
        warnings.append(f"{output_dir}: removed temporary files left by an interrupted run")
    old_articles: dict[str, Any] = previous.get("articles", {})
    manifest = new_manifest(input_dir, options, pipeline, started_at, previous)
    writer = ManifestWriter(output_dir, manifest)
    articles_entries: dict[str, Any] = manifest["articles"]
    failed_entries: dict[str, Any] = manifest["failed"]
    outcomes: dict[str, Outcome] = {}

    def fail(source: Source, message: str) -> None:
        outcomes[source.relative] = Outcome(source.name, source.relative, "failed", message)
        failed_entries[source.name] = {"source": source.relative, "message": message}
        reporter.article(outcomes[source.relative])

    # 2. plan
    listing = OutputListing()
    todo: list[_Work] = []
    retry: list[tuple[Source, dict[str, Any]]] = []  # finished without a translation
    unchanged: list[tuple[Source, dict[str, Any]]] = []
    for source in sources:
        if source.relative in collisions:
            fail(source, collisions[source.relative])
            continue
        try:
            data = read_input(source.path, source.relative)
        except InputError as error:
            fail(source, str(error))
            continue
        digest = hashlib.sha256(data).hexdigest()
        paths = output_paths(output_dir, source.name)
        entry = old_articles.get(source.name)
        current = not options.force and entry_is_current(
            entry, digest, pipeline.key, paths, listing
        )
        if not options.force and not current:  # finished, but not yet in the manifest?
            entry = entry_from_record(paths["json"])
            current = entry_is_current(entry, digest, pipeline.key, paths, listing)
        if not current or _original_changed(entry, source, input_dir, options):
            todo.append(_Work(source, data, digest))
            continue
        assert entry is not None
        if options.translate and entry.get("translation") in ("missing", "partial"):
            retry.append((source, entry))
        else:
            unchanged.append((source, entry))
    timings["discover_s"] = time.perf_counter() - t0

    # 3. translator, only when something needs translating
    t0 = time.perf_counter()
    translation_error: str | None = None
    identity: dict[str, str] | None = None
    owns_translator = translator is None
    if options.translate and (todo or retry):
        if translator is None:
            try:
                translator = (translator_factory or load_model_translator)(options)
            except DaenError as error:
                translation_error = str(error)
        if translator is not None:
            identity = dict(translator.identity)
            keep = []
            for source, entry in [*unchanged, *retry]:
                if entry.get("translation") in ("missing", "partial") or (
                    entry.get("model") not in (None, identity)
                ):
                    todo.append(_Work(source, b"", ""))  # read again below
                else:
                    keep.append((source, entry))
            unchanged = keep
        else:
            unchanged += retry
    else:
        unchanged += retry
    timings["load_translator_s"] = time.perf_counter() - t0
    for source, entry in unchanged:
        articles_entries[source.name] = entry
        outcomes[source.relative] = Outcome(
            source.name, source.relative, "unchanged", counts=entry.get("counts", {}),
            translation=entry.get("translation", ""),
        )
        reporter.article(outcomes[source.relative])

    # 4. clean
    t0 = time.perf_counter()
    if todo:
        pipeline.load()  # a broken rule table stops the run here, before any article
    cleaned: list[_Work] = []
    for work in sorted(todo, key=lambda w: w.source.relative):
        problem = _clean(work, pipeline)
        if problem is not None:
            fail(work.source, problem)
        else:
            cleaned.append(work)
    timings["cleanup_s"] = time.perf_counter() - t0
    total_sentences = sum(_sentence_count(w) for w in cleaned)
    reporter.start(len(cleaned), total_sentences)

    # 5. translate and write, chunk by chunk
    note = _note(options, translation_error)
    translate_s = render_s = qa_s = 0.0
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="daen-write")
    for chunk in _chunks(cleaned, options.chunk_sentences):
        articles = [w.article for w in chunk if w.article is not None]
        chunk_note = note
        if translator is not None and options.translate:
            t0 = time.perf_counter()
            try:
                translate_chunk(
                    articles, translator, lambda n: reporter.advance(sentences=n)
                )
            except Exception as error:  # the chunk loses its translations, not the batch
                for article in articles:
                    for sentence in article.sentences():
                        sentence.translation = None
                detail = str(error) if isinstance(error, DaenError) else (
                    f"{type(error).__name__}: {error}"
                )
                chunk_note = _note(options, detail)
                warnings.append(
                    f"back-translation failed for {len(articles)} article(s) "
                    f"({', '.join(w.source.relative for w in chunk[:3])}"
                    f"{', …' if len(chunk) > 3 else ''}): {detail}"
                )
            elapsed = time.perf_counter() - t0
            translate_s += elapsed
            sentences = max(1, sum(_sentence_count(w) for w in chunk))
            for work in chunk:
                work.translate_s = elapsed * _sentence_count(work) / sentences
        else:
            reporter.advance(sentences=sum(_sentence_count(w) for w in chunk))
        t0 = time.perf_counter()
        warnings += _check_originals(chunk, input_dir, options)
        qa_s += time.perf_counter() - t0
        for work in chunk:
            t0 = time.perf_counter()
            outcome, entry = _write_article(
                work, output_dir, pipeline, chunk_note, identity, pool
            )
            render_s += time.perf_counter() - t0
            outcomes[work.source.relative] = outcome
            if outcome.status == "failed":
                failed_entries[work.source.name] = {
                    "source": work.source.relative, "message": outcome.message,
                }
            else:
                articles_entries[work.source.name] = entry
                failed_entries.pop(work.source.name, None)
            work.article = None  # free memory as we go
            reporter.article(outcome)
            reporter.advance(articles=1)
            writer.save()
    pool.shutdown(wait=True)
    timings["translate_s"] = translate_s
    timings["write_s"] = render_s
    timings["qa_s"] = qa_s
    if owns_translator and translator is not None and hasattr(translator, "close"):
        translator.close()  # e.g. the translation cache

    # 6. manifest and index
    t0 = time.perf_counter()
    manifest["finished"] = utc_now()
    manifest["translation"] = translation_block(
        options, identity, translation_error, previous, bool(cleaned)
    )
    manifest["skipped"] = [asdict(s) for s in skipped]
    manifest["warnings"] = warnings
    manifest["articles"] = dict(sorted(articles_entries.items()))
    manifest["failed"] = dict(sorted(failed_entries.items()))
    this_run: dict[str, str] = {o.name: o.status for o in outcomes.values()}
    from pipeline.render.index import index_page

    write_atomic(output_dir / INDEX, index_page(manifest, this_run))
    timings["index_s"] = time.perf_counter() - t0
    timings["total_s"] = time.perf_counter() - started
    manifest["timings"] = {k: round(v, 4) for k, v in timings.items()}
    manifest["totals"] = {
        "articles": len(sources),
        "done": sum(1 for o in outcomes.values() if o.status == "done"),
        "unchanged": sum(1 for o in outcomes.values() if o.status == "unchanged"),
        "failed": sum(1 for o in outcomes.values() if o.status == "failed"),
        "skipped_files": len(skipped),
    }
    writer.save(force=True)
    reporter.finish()
    ordered = [outcomes[s.relative] for s in sources if s.relative in outcomes]
    return BatchResult(
        output_dir, ordered, skipped, warnings, translation_error,
        time.perf_counter() - started,
    )


def _note(options: RunOptions, error: str | None) -> Any:
    from pipeline.render import TranslationNote

    if not options.translate:
        return TranslationNote("disabled")
    if error is not None:
        return TranslationNote("missing", error)
    return None


def _sentence_count(work: _Work) -> int:
    return sum(len(p.sentences) for p in work.article.paragraphs) if work.article else 0


def _chunks(works: list[_Work], size: int) -> Iterable[list[_Work]]:
    chunk: list[_Work] = []
    count = 0
    for work in works:
        chunk.append(work)
        count += _sentence_count(work)
        if count >= size:
            yield chunk
            chunk, count = [], 0
    if chunk:
        yield chunk


def _original_changed(
    entry: Any, source: Source, input_dir: Path, options: RunOptions
) -> bool:
    """Whether the article's English original appeared, changed or went since its record."""
    from pipeline.qa import original_sha256

    recorded = ((entry or {}).get("qa") or {}).get("original_sha256")
    return recorded != original_sha256(source.path, input_dir, options.originals)


def _check_originals(chunk: list[_Work], input_dir: Path, options: RunOptions) -> list[str]:
    """The qa stage: compare each article with its English original, where there is one."""
    from pipeline.qa import QAConfig, check_originals

    items = [(w.article, w.source.path) for w in chunk if w.article is not None]
    config = QAConfig(threshold=options.qa_threshold)
    return check_originals(items, input_dir, options.originals, config)


def _clean(work: _Work, pipeline: Pipeline) -> str | None:
    """Read and clean one article; the message when it cannot be done."""
    from pipeline.reader import article_from_bytes

    source = work.source
    t0 = time.perf_counter()
    try:
        if not work.digest:
            work.data = read_input(source.path, source.relative)
            work.digest = hashlib.sha256(work.data).hexdigest()
        check_text_shape(work.data, source.relative)
        article = article_from_bytes(work.data, source.relative)
        if not article.paragraphs:
            raise InputError(source.relative, "no text: the file holds only whitespace")
        work.article = pipeline.clean(article)
    except DaenError as error:
        return str(error)
    except Exception as error:  # a rule that crashes on odd input must not stop the batch
        return f"{source.relative}: internal error while cleaning ({type(error).__name__}: {error})"
    finally:
        work.data = b""
        work.cleanup_s = time.perf_counter() - t0
    return None


def _write_article(
    work: _Work,
    output_dir: Path,
    pipeline: Pipeline,
    note: Any,
    identity: dict[str, str] | None,
    pool: Executor | None = None,
) -> tuple[Outcome, dict[str, Any] | None]:
    """Render and write one article's outputs; the record (with its run entry) last.

    With a thread ``pool`` the four outputs are written at the same time (each write waits
    for its fsync, which threads overlap) while the record is rendered; the record is written
    only once all four are on disk.
    """
    from pipeline.qa import qa_summary
    from pipeline.render import counts, translation_state
    from pipeline.render.html import review_page
    from pipeline.render.text import danish_text, english_text, word_diff_text

    source, article = work.source, work.article
    assert article is not None
    t0 = time.perf_counter()
    paths = output_paths(output_dir, source.name)
    try:
        state = translation_state(article, note)
        article_counts = counts(article)
        outputs = {
            "da": danish_text(article),
            "en": english_text(article, note),
            "diff": word_diff_text(article),
            "html": review_page(article, note),
        }
        if pool is None:
            for kind, text in outputs.items():
                write_atomic(paths[kind], text)
            pending = []
        else:
            pending = [pool.submit(write_atomic, paths[k], text) for k, text in outputs.items()]
        entry = {
            "source": source.relative,
            "input_sha256": work.digest,
            "key": pipeline.key,
            "outputs": {k: p.relative_to(output_dir).as_posix() for k, p in paths.items()},
            "counts": article_counts,
            "translation": state,
            "translation_note": note.message if note is not None else "",
            "model": identity if state in ("translated", "partial") else None,
            "qa": qa_summary(article),
            "seconds": {
                "cleanup": round(work.cleanup_s, 4),
                "translate": round(work.translate_s, 4),
                "write": round(time.perf_counter() - t0, 4),
            },
            "finished": utc_now(),
        }
        record = article.to_dict()
        record["run"] = entry
        text = json.dumps(record, ensure_ascii=False, indent=1) + "\n"
        for future in pending:
            future.result()  # raises the first write error; the record is then not written
        write_atomic(paths["json"], text)
    except OSError as error:
        message = f"{source.relative}: outputs cannot be written ({error.strerror or error})"
        return Outcome(source.name, source.relative, "failed", message), None
    except Exception as error:  # a renderer bug on odd input must not stop the batch
        message = (
            f"{source.relative}: internal error while writing ({type(error).__name__}: {error})"
        )
        return Outcome(source.name, source.relative, "failed", message), None
    outcome = Outcome(
        source.name, source.relative, "done", counts=article_counts, translation=state,
        seconds=work.cleanup_s + work.translate_s + time.perf_counter() - t0,
    )
    return outcome, entry
