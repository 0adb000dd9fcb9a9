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
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
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
from pipeline.translate import TextTranslator as TranslatorLike

if TYPE_CHECKING:
    from concurrent.futures import Executor

OUTPUT_SUFFIXES = {
    "da": ".da.txt",
    "en": ".en.txt",
    "diff": ".diff",
    "html": ".html",
    "json": ".json",  # the record: written last
}

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




@dataclass(frozen=True)
class RunOptions:
    force: bool = False
    translate: bool = True
    model: str | None = None  # None: the translator's default model
    backend: str = "auto"
    device: str = "auto"
    beams: int | None = None
    batch_tokens: int | None = None
    precision: str = "auto"
    threads: int | None = None
    offline: bool = False
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
                batch_tokens=self.batch_tokens, precision=self.precision,
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
    key: str
    rules: dict[str, Any]
    fix_rules: Any | None = None

    def load(self) -> None:
        """Load the fix rules (raises RuleTableError for a broken table).

        Rules loaded before in this process from tables with the same content are reused.
        """
        if self.fix_rules is not None:
            return
        cache_key = json.dumps(self.rules["tables"], sort_keys=True)
        if self.rules["tables"] and cache_key in _LOADED_FIX_RULES:
            self.fix_rules = _LOADED_FIX_RULES[cache_key]
            return
        from pipeline.fix import load_fix_rules

        self.fix_rules = load_fix_rules()
        if self.rules["tables"]:
            _LOADED_FIX_RULES.clear()
            _LOADED_FIX_RULES[cache_key] = self.fix_rules

    def clean(self, article: Article) -> Article:
        from pipeline.fix import fix_article
        from pipeline.normalize import normalize_article

        self.load()
        assert self.fix_rules is not None
        return fix_article(normalize_article(article, self.normalize_config), self.fix_rules)


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
    fix_rules = None
    recorded = (previous_rules or {}).get("table_files") or _LAST_TABLE_FILES
    if recorded and all(Path(p).is_file() for p in recorded.values()):
        files = dict(recorded)
    else:
        from pipeline.fix import load_fix_rules  # a run with nothing to do never imports it

        fix_rules = load_fix_rules()
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
    rules = {"code_sha256": code_hash(), "tables": tables, "table_files": files}
    key_data = {
        "version": __version__,
        "schema": SCHEMA_VERSION,
        "rules": {k: v for k, v in rules.items() if k != "table_files"},
        "settings": options.settings(),
    }
    key = hashlib.sha256(json.dumps(key_data, sort_keys=True).encode()).hexdigest()
    return Pipeline(config, key, rules, fix_rules)


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
    from pipeline import translate

    kwargs: dict[str, Any] = {
        "backend": options.backend, "device": options.device, "precision": options.precision,
        "threads": options.threads, "offline": options.offline,
    }
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
    from pipeline.translate import translate_articles

    translate_articles(list(articles), translator, progress)


# --------------------------------------------------------------------------------------------
# Output files


def output_paths(output_dir: Path, name: str) -> dict[str, Path]:
    return {kind: output_dir / f"{name}{suffix}" for kind, suffix in OUTPUT_SUFFIXES.items()}


def remove_stale_temp_files(output_dir: Path) -> int:
    """Delete temporary files killed runs left behind (only those this tool proves it made)."""
    from pipeline.fsutil import remove_stale_temp_files as sweep

    return sweep(output_dir)


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
    run = _BatchRun(input_dir, output_dir, options or RunOptions(), reporter or NullReporter())
    with run.timed("discover_s"):
        run.plan()
    with run.timed("load_translator_s"):
        run.prepare_translator(translator, translator_factory)
    run.keep_unchanged()
    with run.timed("cleanup_s"):
        run.clean()
    run.translate_and_write()
    run.close_translator()
    return run.finish()


class _BatchRun:
    """One run of :func:`run_batch`: the state its phases share, and one method per phase."""

    manifest: dict[str, Any]  # the new manifest, started once the articles are found
    writer: ManifestWriter
    collisions: dict[str, str]  # input path -> why its outputs cannot be written

    def __init__(
        self, input_dir: Path, output_dir: Path, options: RunOptions, reporter: Reporter
    ) -> None:
        self.started, self.started_at = time.perf_counter(), utc_now()
        _check_folders(input_dir, output_dir)
        self.input_dir, self.output_dir = input_dir, output_dir
        self.options, self.reporter = options, reporter
        self.timings: dict[str, float] = {}
        self.previous, manifest_warning = load_manifest(output_dir)
        self.pipeline = load_pipeline(options, self.previous.get("rules"))
        self.warnings: list[str] = [manifest_warning] if manifest_warning else []
        self.sources: list[Source] = []
        self.skipped: list[SkippedFile] = []
        self.outcomes: dict[str, Outcome] = {}  # by input path
        self.todo: list[_Work] = []
        self.retry: list[tuple[Source, dict[str, Any]]] = []  # finished without a translation
        self.unchanged: list[tuple[Source, dict[str, Any]]] = []
        self.cleaned: list[_Work] = []
        self.translator: TranslatorLike | None = None
        self.owns_translator = False
        self.identity: dict[str, str] | None = None
        self.translation_error: str | None = None

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Add the time the block takes to ``timings[name]``."""
        t0 = time.perf_counter()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + (time.perf_counter() - t0)

    # 1-2. discover and plan

    def plan(self) -> None:
        """Find the articles, then sort them: to do, to retry (no translation yet), unchanged."""
        self._discover()
        self.manifest = new_manifest(
            self.input_dir, self.options, self.pipeline, self.started_at, self.previous
        )
        self.writer = ManifestWriter(self.output_dir, self.manifest)
        listing = OutputListing()
        for source in self.sources:
            self._plan_article(source, listing)

    def _discover(self) -> None:
        self.sources, self.skipped, found_warnings = discover(self.input_dir, self.output_dir)
        self.warnings += found_warnings
        if not self.sources:
            self.warnings.append(f"{self.input_dir}: no .txt or .md files found")
        self.collisions = find_collisions(self.sources)
        if remove_stale_temp_files(self.output_dir):
            self.warnings.append(
                f"{self.output_dir}: removed temporary files left by an interrupted run"
            )

    def _plan_article(self, source: Source, listing: OutputListing) -> None:
        if source.relative in self.collisions:
            self._fail(source, self.collisions[source.relative])
            return
        try:
            data = read_input(source.path, source.relative)
        except InputError as error:
            self._fail(source, str(error))
            return
        digest = hashlib.sha256(data).hexdigest()
        entry = None if self.options.force else self._finished_entry(source, digest, listing)
        if entry is None or _original_changed(entry, source, self.input_dir, self.options):
            self.todo.append(_Work(source, data, digest))
        elif self.options.translate and entry.get("translation") in ("missing", "partial"):
            self.retry.append((source, entry))
        else:
            self.unchanged.append((source, entry))

    def _finished_entry(
        self, source: Source, digest: str, listing: OutputListing
    ) -> dict[str, Any] | None:
        """The article's last finished run, if its input, run key and outputs still hold.

        Found in the last manifest or, when that was not saved since (a killed run), in the
        article's own record.
        """
        paths = output_paths(self.output_dir, source.name)
        entry = self.previous.get("articles", {}).get(source.name)
        if not entry_is_current(entry, digest, self.pipeline.key, paths, listing):
            entry = entry_from_record(paths["json"])
            if not entry_is_current(entry, digest, self.pipeline.key, paths, listing):
                return None
        return entry

    # 3. translator, only when something needs translating

    def prepare_translator(
        self,
        translator: TranslatorLike | None,
        factory: Callable[[RunOptions], TranslatorLike] | None,
    ) -> None:
        """Load the translator if anything needs translating; a failure is remembered, not
        raised. Unchanged articles whose translation is missing or from another model are
        then done again."""
        self.translator, self.owns_translator = translator, translator is None
        if self.options.translate and (self.todo or self.retry):
            if self.translator is None:
                self.translator = self._load_translator(factory)
            if self.translator is not None:
                self.identity = dict(self.translator.identity)
                self._redo_stale_translations()
                return
        self.unchanged += self.retry

    def _load_translator(
        self, factory: Callable[[RunOptions], TranslatorLike] | None
    ) -> TranslatorLike | None:
        try:
            return (factory or load_model_translator)(self.options)
        except DaenError as error:
            self.translation_error = str(error)
            return None

    def _redo_stale_translations(self) -> None:
        keep = []
        for source, entry in [*self.unchanged, *self.retry]:
            if entry.get("translation") in ("missing", "partial") or (
                entry.get("model") not in (None, self.identity)
            ):
                self.todo.append(_Work(source, b"", ""))  # read again when cleaned
            else:
                keep.append((source, entry))
        self.unchanged = keep

    def keep_unchanged(self) -> None:
        """Carry the unchanged articles' entries over to the new manifest, and report them."""
        for source, entry in self.unchanged:
            self.manifest["articles"][source.name] = entry
            self._report(Outcome(
                source.name, source.relative, "unchanged", counts=entry.get("counts", {}),
                translation=entry.get("translation", ""),
            ))

    # 4. clean

    def clean(self) -> None:
        """Read and clean every article to do; one that cannot be cleaned fails alone."""
        if self.todo:
            self.pipeline.load()  # a broken rule table stops the run here, before any article
        for work in sorted(self.todo, key=lambda w: w.source.relative):
            problem = _clean(work, self.pipeline)
            if problem is not None:
                self._fail(work.source, problem)
            else:
                self.cleaned.append(work)

    # 5. translate and write, chunk by chunk

    def translate_and_write(self) -> None:
        """Back-translate the cleaned articles chunk by chunk, writing each chunk's outputs."""
        self.reporter.start(len(self.cleaned), sum(_sentence_count(w) for w in self.cleaned))
        self.timings.update(translate_s=0.0, write_s=0.0, qa_s=0.0)
        note = _note(self.options, self.translation_error)
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="daen-write")
        for chunk in _chunks(self.cleaned, self.options.chunk_sentences):
            chunk_note = self._translate(chunk, note)
            with self.timed("qa_s"):
                self.warnings += _check_originals(chunk, self.input_dir, self.options)
            for work in chunk:
                self._write(work, chunk_note, pool)
        pool.shutdown(wait=True)

    def _translate(self, chunk: list[_Work], note: Any) -> Any:
        """Back-translate one chunk; the note its outputs carry (the failure's, if it failed)."""
        if self.translator is None or not self.options.translate:
            self.reporter.advance(sentences=sum(_sentence_count(w) for w in chunk))
            return note
        articles = [w.article for w in chunk if w.article is not None]
        t0 = time.perf_counter()
        try:
            translate_chunk(
                articles, self.translator, lambda n: self.reporter.advance(sentences=n)
            )
        except Exception as error:  # the chunk loses its translations, not the batch
            note = self._translation_failed(chunk, articles, error)
        elapsed = time.perf_counter() - t0
        self.timings["translate_s"] += elapsed
        _share_translate_time(chunk, elapsed)
        return note

    def _translation_failed(
        self, chunk: list[_Work], articles: list[Article], error: Exception
    ) -> Any:
        for article in articles:
            for sentence in article.sentences():
                sentence.translation = None
        detail = str(error) if isinstance(error, DaenError) else (
            f"{type(error).__name__}: {error}"
        )
        self.warnings.append(
            f"back-translation failed for {len(articles)} article(s) "
            f"({', '.join(w.source.relative for w in chunk[:3])}"
            f"{', …' if len(chunk) > 3 else ''}): {detail}"
        )
        return _note(self.options, detail)

    def _write(self, work: _Work, note: Any, pool: Executor) -> None:
        with self.timed("write_s"):
            outcome, entry = _write_article(
                work, self.output_dir, self.pipeline, note, self.identity, pool
            )
        name = work.source.name
        if outcome.status == "failed":
            self.manifest["failed"][name] = {
                "source": work.source.relative, "message": outcome.message,
            }
        else:
            self.manifest["articles"][name] = entry
            self.manifest["failed"].pop(name, None)
        work.article = None  # free memory as we go
        self._report(outcome)
        self.reporter.advance(articles=1)
        self.writer.save()

    def close_translator(self) -> None:
        """Close a translator this run loaded (e.g. its translation cache)."""
        translator = self.translator
        if self.owns_translator and translator is not None and hasattr(translator, "close"):
            translator.close()

    # 6. manifest and index

    def finish(self) -> BatchResult:
        """Write the index page and save the manifest; what happened."""
        with self.timed("index_s"):
            self._complete_manifest()
            self._write_index()
        self.timings["total_s"] = time.perf_counter() - self.started
        self.manifest["timings"] = {k: round(v, 4) for k, v in self.timings.items()}
        self.manifest["totals"] = self._totals()
        self.writer.save(force=True)
        self.reporter.finish()
        ordered = [self.outcomes[s.relative] for s in self.sources if s.relative in self.outcomes]
        return BatchResult(
            self.output_dir, ordered, self.skipped, self.warnings, self.translation_error,
            time.perf_counter() - self.started,
        )

    def _complete_manifest(self) -> None:
        manifest = self.manifest
        manifest["finished"] = utc_now()
        manifest["translation"] = translation_block(
            self.options, self.identity, self.translation_error, self.previous,
            bool(self.cleaned),
        )
        manifest["skipped"] = [asdict(s) for s in self.skipped]
        manifest["warnings"] = self.warnings
        manifest["articles"] = dict(sorted(manifest["articles"].items()))
        manifest["failed"] = dict(sorted(manifest["failed"].items()))

    def _write_index(self) -> None:
        from pipeline.render.index import index_page

        this_run: dict[str, str] = {o.name: o.status for o in self.outcomes.values()}
        write_atomic(self.output_dir / INDEX, index_page(self.manifest, this_run))

    def _totals(self) -> dict[str, int]:
        statuses = [o.status for o in self.outcomes.values()]
        return {
            "articles": len(self.sources),
            "done": statuses.count("done"),
            "unchanged": statuses.count("unchanged"),
            "failed": statuses.count("failed"),
            "skipped_files": len(self.skipped),
        }

    # shared by the phases

    def _fail(self, source: Source, message: str) -> None:
        self.manifest["failed"][source.name] = {"source": source.relative, "message": message}
        self._report(Outcome(source.name, source.relative, "failed", message))

    def _report(self, outcome: Outcome) -> None:
        self.outcomes[outcome.source] = outcome
        self.reporter.article(outcome)


def _check_folders(input_dir: Path, output_dir: Path) -> None:
    """Refuse folders that cannot work (a :class:`UsageError`); create the output folder."""
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


def _share_translate_time(chunk: list[_Work], seconds: float) -> None:
    """Give each article of a chunk its share of the chunk's translation time, by sentences."""
    sentences = max(1, sum(_sentence_count(w) for w in chunk))
    for work in chunk:
        work.translate_s = seconds * _sentence_count(work) / sentences


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
