"""``daen run``: a folder of articles in, every editor output out; incremental and crash-safe.

The batch, step by step:

0. **Check and lock**: input and output folders may not overlap (either way); the output
   folder's lock (:mod:`pipeline.run.runlock`) refuses a second run into it, and a lock left by a
   killed run is taken over.
1. **Discover** ``.txt``/``.md`` files under the input folder (recursively, following links
   inside it once; links that point outside it are skipped with a warning unless
   ``follow_links``); anything else is listed as skipped.
2. **Plan**: hash every input. An article whose input hash and *run key*
   (:meth:`~pipeline.settings.Settings.key`: stage code, rule tables, settings) match its last
   finished run, whose outputs all exist and whose record still has the digest the manifest
   kept, is left alone (``force`` redoes it). The last finished run is found in
   ``manifest.json`` or, when the manifest was not saved since (a killed run), in the
   article's own record ``<name>.json``. A name that cannot carry its output names, or whose
   outputs would collide with another's, fails that article alone.
3. **Clean, translate and write, a chunk at a time**: each article is read and cleaned (read,
   normalize, fix) when its chunk comes, the chunk is back-translated in one call (the
   translator batches sentences across articles), and its outputs are written. Cleanup runs
   here, in ``--jobs`` worker processes (:mod:`pipeline.run.parallel`) or in Ray tasks
   (:mod:`pipeline.run.cluster`); workers clean up to two chunks ahead while this process
   translates and writes. Memory holds those chunks, and a kill (or Ctrl-C, which says what
   is done) loses at most the chunks in flight. A bad input becomes a failed article with a
   message naming the file; it never stops the batch.
4. **Write** each article's outputs, every file atomically (temporary file + rename) and never
   through a link in the output folder, the record ``<name>.json`` last: an article is
   finished only when its record is there, so a run killed at any moment is completed by the
   next run without redoing finished articles. Outputs are rendered in this process and
   written by its write threads (a few articles behind); this process is the only writer.
5. **Manifest and index**: ``manifest.json`` is saved atomically every few seconds and at the
   end, ``index.html`` at the end; a folder that cannot take them (a full disk) is a warning
   and exit code 1, not a traceback.

Input files are only ever read.

Its pieces, each imported downward only: finding and reading inputs in
:mod:`pipeline.run.discover`, the settings and run key in :mod:`pipeline.settings`, the stages in
:mod:`pipeline.run.stages`, output files and records in :mod:`pipeline.run.records`, the manifest in
:mod:`pipeline.run.manifest`. The progress bar and summary (:mod:`pipeline.console`) sit above.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pipeline.document import Article
from pipeline.errors import DaenError, InputError, RunInterrupted, UsageError
from pipeline.fsutil import write_atomic
from pipeline.run.discover import (
    ORIGINAL_SUFFIX,
    SkippedFile,
    Source,
    discover,
    find_collisions,
    read_source,
)
from pipeline.run.manifest import (
    INDEX,
    ManifestWriter,
    load_manifest,
    new_manifest,
    translation_block,
    utc_now,
)
from pipeline.run.records import (
    OUTPUT_SUFFIXES,
    OutputListing,
    entry_from_record,
    entry_is_current,
    is_large,
    output_paths,
    output_renderers,
    record_digest,
    record_pieces,
    remove_stale_temp_files,
    render_outputs,
    text_digest,
    write_outputs,
)
from pipeline.run.stages import Stages
from pipeline.settings import RunOptions, Settings

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

    from pipeline.render import TranslationNote
    from pipeline.run.cluster import RaySession
    from pipeline.run.parallel import Cleaned
    from pipeline.translate.translator import TextTranslator

Status = Literal["done", "unchanged", "failed"]
WRITE_THREADS = 8  # threads writing outputs (each write waits for its fsync)
ARTICLES_WRITING = 16  # articles rendered and not yet on disk, at most
_SENTENCE_END = re.compile(rb"[.!?]+(?=\s|$)|\n\n")
TranslatorFactory = Callable[[Settings], "TextTranslator"]


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
    manifest_saved: bool = True  # False: manifest.json could not be written

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or not self.manifest_saved else 0


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


def load_model_translator(
    settings: Settings, warn: Callable[[str], None] | None = None
) -> TextTranslator:
    """The real translator (raises ModelUnavailableError when the model cannot be had)."""
    from pipeline.translate.translator import load_translator

    try:
        if warn is None:
            return load_translator(settings.translator)
        return load_translator(settings.translator, warn=warn)
    except ValueError as error:  # a setting the model or backend cannot take
        raise UsageError(str(error)) from None


# --------------------------------------------------------------------------------------------
# The batch


@dataclass
class _Work:
    source: Source
    data: bytes
    digest: str
    article: Article | None = None
    estimate: int = 1  # sentences, before cleaning (for the progress bar)
    cleanup_s: float = 0.0
    translate_s: float = 0.0


def run_batch(
    input_dir: Path,
    output_dir: Path,
    settings: Settings | None = None,
    *,
    translator: TextTranslator | None = None,
    translator_factory: TranslatorFactory | None = None,
    reporter: Reporter | None = None,
) -> BatchResult:
    """Process every article under ``input_dir`` into ``output_dir``; see the module doc.

    ``translator`` (or ``translator_factory``, called only when something needs translating)
    replaces the real model; by default :func:`load_model_translator` is used.
    Raises :class:`UsageError` for arguments that cannot work, and ``RuleTableError`` for a
    broken rule table (which affects every article); everything else is per article.
    """
    _check_folders(input_dir, output_dir)
    reporter = reporter or NullReporter()
    with _output_lock(output_dir):
        run = _BatchRun(input_dir, output_dir, settings or Settings(), reporter)
        try:
            with run.timed("discover_s"):
                run.plan()
            with run.timed("cluster_join_s"):
                run.join_cluster()
            with run.timed("load_translator_s"):
                run.prepare_translator(translator, translator_factory)
            run.keep_unchanged()
            run.clean_translate_write()
        except KeyboardInterrupt:
            raise run.interrupted() from None
        finally:
            run.close_translator()
            with run.timed("cluster_close_s"):
                run.close_cluster()
        return run.finish()


@contextmanager
def _output_lock(output_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock (:mod:`pipeline.run.runlock`): a second run is refused."""
    from pipeline.run.runlock import OutputLock

    try:
        lock = OutputLock(output_dir)
        lock.acquire()
    except OSError as error:
        raise DaenError(
            f"{output_dir}: the output folder cannot be written ({error.strerror or error})"
        ) from None
    try:
        yield
    finally:
        lock.release()


class _BatchRun:
    """One run of :func:`run_batch`: the state its phases share, and one method per phase."""

    manifest: dict[str, Any]  # the new manifest, started once the articles are found
    writer: ManifestWriter
    collisions: dict[str, str]  # input path -> why its outputs cannot be written

    def __init__(
        self, input_dir: Path, output_dir: Path, settings: Settings, reporter: Reporter
    ) -> None:
        self.started, self.started_at = time.perf_counter(), utc_now()
        self.input_dir, self.output_dir = input_dir, output_dir
        self.settings, self.options, self.reporter = settings, settings.run, reporter
        self.timings: dict[str, float] = {}
        self.warnings: list[str] = []
        self.previous, manifest_warning = load_manifest(output_dir)
        if manifest_warning:
            self.warn(manifest_warning)
        self.rules = settings.rules()
        # The editors' ignore list (pipeline.run.decisions) is part of what the outputs depend on.
        from pipeline.run.decisions import ignore_key

        self.key = ignore_key(settings.key(self.rules), output_dir)
        self.stages = Stages(settings)
        self.sources: list[Source] = []
        self.skipped: list[SkippedFile] = []
        self.outcomes: dict[str, Outcome] = {}  # by input path
        self.todo: list[_Work] = []
        self.retry: list[tuple[Source, dict[str, Any]]] = []  # finished without a translation
        self.unchanged: list[tuple[Source, dict[str, Any]]] = []
        self.cleaned = 0  # articles cleaned this run
        self.written = 0  # articles whose outputs this run wrote
        # articles rendered and being written (their outcome, entry, and the files' future)
        self.writing: deque[
            tuple[_Work, Outcome, dict[str, Any] | None, Future[None] | None]
        ] = deque()
        self.manifest_saved = True
        self.translator: TextTranslator | None = None
        self.owns_translator = False
        self.identity: dict[str, str] | None = None
        self.translation_error: str | None = None
        self.cluster: RaySession | None = None  # joined when there is work and ``ray`` is set

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
            self.input_dir, self.settings, self.key, self.rules, self.started_at, self.previous
        )
        from pipeline.run.decisions import load_ignore_list

        self.manifest["ignore"] = load_ignore_list(self.output_dir).to_manifest()
        self.writer = ManifestWriter(self.output_dir, self.manifest)
        listing = OutputListing()
        for source in self.sources:
            self._plan_article(source, listing)
        # The last run's article entries are not needed past planning (those kept are in the
        # new manifest): memory holds one manifest, not two.
        self.previous = {k: v for k, v in self.previous.items() if k not in ("articles", "failed")}

    def _discover(self) -> None:
        self.sources, self.skipped, found_warnings = discover(
            self.input_dir, self.output_dir, follow_links=self.options.follow_links
        )
        for warning in found_warnings:
            self.warn(warning)
        if not self.sources:
            self.warn(f"{self.input_dir}: no .txt or .md files found")
        self.collisions = find_collisions(
            self.sources, (*OUTPUT_SUFFIXES.values(), ORIGINAL_SUFFIX)
        )
        if remove_stale_temp_files(self.output_dir):
            self.warn(
                f"{self.output_dir}: removed temporary files left by an interrupted run"
            )

    def _plan_article(self, source: Source, listing: OutputListing) -> None:
        if source.relative in self.collisions:
            self._fail(source, self.collisions[source.relative])
            return
        try:
            data, digest = read_source(source.path, source.relative)
            entry = None if self.options.force else self._finished_entry(source, digest, listing)
            if entry is not None and _original_changed(
                entry, source, self.input_dir, self.options
            ):
                entry = None
        except InputError as error:
            self._fail(source, str(error))
            return
        except OSError as error:  # e.g. a name too long for a derived path
            self._fail(source, f"{source.relative}: cannot be planned ({error.strerror or error})")
            return
        if entry is None:
            self.todo.append(_Work(source, b"", "", estimate=_estimate_sentences(data)))
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
        if entry_is_current(entry, digest, self.key, paths, listing):
            recorded = entry.get("record_sha256")
            if recorded is not None:  # the record must still be the one this entry describes
                return entry if recorded == record_digest(paths["json"]) else None
        entry = entry_from_record(paths["json"])  # the record's own entry, with its digest
        return entry if entry_is_current(entry, digest, self.key, paths, listing) else None

    # 3. translator, only when something needs translating

    def prepare_translator(
        self,
        translator: TextTranslator | None,
        factory: TranslatorFactory | None,
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
        self, factory: TranslatorFactory | None
    ) -> TextTranslator | None:
        try:
            if factory is None and self.cluster is not None:
                from pipeline.run.cluster import load_ray_translator

                return load_ray_translator(self.cluster, self.settings.translator)
            return (factory or partial(load_model_translator, warn=self.warn))(self.settings)
        except UsageError:  # a setting that cannot work is the user's to change, not a note
            raise
        except DaenError as error:
            self.translation_error = str(error)
            return None

    def join_cluster(self) -> None:
        """With ``ray`` set: join the cluster, only when there is work. Without Ray installed,
        or with a cluster that cannot be reached, a DaenError says what to do."""
        if self.options.ray is None:
            return
        from pipeline.run.cluster import connect, import_ray

        import_ray()
        if self.todo or self.retry:
            self.cluster = connect(self.options.ray)

    def close_cluster(self) -> None:
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

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
                source.name, source.relative, "unchanged", counts=_dict(entry.get("counts")),
                translation=str(entry.get("translation", "")),
            ))

    # 4-5. clean, translate and write, chunk by chunk

    def clean_translate_write(self) -> None:
        """Clean the articles to do a chunk at a time, then back-translate and write that chunk:
        memory holds one chunk, and a kill loses at most the chunk in flight. One article that
        cannot be cleaned or written fails alone."""
        todo = sorted(self.todo, key=lambda w: w.source.relative)
        self.reporter.start(len(todo), sum(w.estimate for w in todo))
        self.timings.update(cleanup_s=0.0, translate_s=0.0, write_s=0.0, qa_s=0.0)
        if not todo:
            return
        if self._cleans_here(len(todo)):
            self.stages.load()  # a broken rule table stops the run here, before any article
        # (cleaned elsewhere, the first result raises it, also before any article is written)
        for notice in self.stages.notices():  # a missing dictionary or analyser, once a run
            self.warnings.append(notice)  # kept in the manifest; shown unless quiet (-q)
            if not getattr(self.reporter, "quiet", False):
                self.reporter.warn(notice)
        note = _note(self.options, self.translation_error)
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=WRITE_THREADS, thread_name_prefix="daen-write")
        try:
            for chunk in _chunks(self._cleaned(todo), self.options.chunk_sentences):
                chunk_note = self._translate(chunk, note)
                with self.timed("qa_s"):
                    for warning in _check_originals(chunk, self.input_dir, self.settings):
                        self.warn(warning)
                for work in chunk:
                    self._write(work, chunk_note, pool)
        finally:
            pool.shutdown(wait=True)
            self._finish_writing()  # what is on disk is finished, also when interrupted

    def _cleaned(self, todo: list[_Work]) -> Iterator[_Work]:
        """The articles to do, cleaned, in order, as the chunks ask for them (here, in worker
        processes or in Ray tasks, which clean a bounded window ahead); those that cannot be
        cleaned are reported and left out."""
        cleaned_many = self._clean_many(todo)
        try:
            for work in todo:
                with self.timed("cleanup_s"):
                    cleaned = next(cleaned_many)
                work.data, work.cleanup_s = b"", cleaned.seconds
                if cleaned.error is not None:
                    self._fail(work.source, cleaned.error)
                    self.reporter.advance(sentences=work.estimate, articles=1)
                    continue
                work.digest, work.article = cleaned.digest, cleaned.article
                self.cleaned += 1
                self.reporter.advance(sentences=max(0, work.estimate - _sentence_count(work)))
                yield work
        finally:
            close = getattr(cleaned_many, "close", None)
            if close is not None:
                close()  # stop the workers (an interrupted or failed run)

    def _clean_many(self, todo: list[_Work]) -> Iterator[Cleaned]:
        """The cleaned articles, in ``todo``'s order: here, in ``jobs`` worker processes
        (:mod:`pipeline.run.parallel`) or in Ray tasks (:mod:`pipeline.run.cluster`)."""
        from pipeline.run import parallel

        def job(work: _Work) -> parallel.CleanJob:
            data = work.data or None
            if data is None and self.cluster is not None:  # workers may not see the input
                with suppress(InputError):  # unreadable: the worker reports it
                    data, _ = read_source(work.source.path, work.source.relative)
            return parallel.CleanJob(work.source.relative, str(work.source.path), data)

        jobs = (job(w) for w in todo)  # read lazily, a window ahead of the workers
        spec = parallel.CleanSpec.of_run(self.settings, self.rules)
        # The workers clean ahead while this process translates and writes: up to two chunks.
        ahead = _articles_ahead(todo, self.options.chunk_sentences)
        if self.cluster is not None:
            from pipeline.run import cluster

            return cluster.clean_many(jobs, spec, session=self.cluster, ahead=ahead)
        return parallel.clean_many(
            jobs, spec, workers=self.options.jobs, count=len(todo), stages=self.stages,
            ahead=ahead,
        )

    def _cleans_here(self, articles: int) -> bool:
        """Whether the articles are cleaned in this process (not in workers or on Ray)."""
        from pipeline.run.parallel import workers_for

        return self.cluster is None and workers_for(self.options.jobs, articles) <= 1

    def _translate(
        self, chunk: list[_Work], note: TranslationNote | None
    ) -> TranslationNote | None:
        """Back-translate one chunk; the note its outputs carry (the failure's, if it failed)."""
        if self.translator is None or not self.options.translate:
            self.reporter.advance(sentences=sum(_sentence_count(w) for w in chunk))
            return note
        articles = [w.article for w in chunk if w.article is not None]
        t0 = time.perf_counter()
        try:
            from pipeline.translate.translator import translate_articles

            translate_articles(
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
    ) -> TranslationNote | None:
        for article in articles:
            for sentence in article.sentences():
                sentence.translation = None
        detail = str(error) if isinstance(error, DaenError) else (
            f"{type(error).__name__}: {error}"
        )
        self.warn(
            f"back-translation failed for {len(articles)} article(s) "
            f"({', '.join(w.source.relative for w in chunk[:3])}"
            f"{', …' if len(chunk) > 3 else ''}): {detail}"
        )
        return _note(self.options, detail)

    def _write(self, work: _Work, note: TranslationNote | None, pool: Executor) -> None:
        """Render one article's outputs; they are written in the pool's threads, and the article
        is finished (manifest, report) once its record is on disk."""
        with self.timed("write_s"):
            outcome, entry, future = _write_article(
                work, self.output_dir, self.key, note, self.identity, pool
            )
            work.article = None  # free memory as we go
            self.writing.append((work, outcome, entry, future))
            while self.writing and (
                len(self.writing) > ARTICLES_WRITING or _settled(self.writing[0][3])
            ):
                self._finish_article(*self.writing.popleft())

    def _finish_writing(self) -> None:
        """Wait for the articles still being written, and finish them."""
        with self.timed("write_s"):
            while self.writing:
                self._finish_article(*self.writing.popleft())

    def _finish_article(
        self, work: _Work, outcome: Outcome, entry: dict[str, Any] | None,
        future: Future[None] | None,
    ) -> None:
        if future is not None:
            try:
                future.result()
            except Exception as error:
                outcome, entry = _write_failed(work.source, error), None
        name = work.source.name
        if outcome.status == "failed":
            self.manifest["failed"][name] = {
                "source": work.source.relative, "message": outcome.message,
            }
        else:
            self.manifest["articles"][name] = entry
            self.manifest["failed"].pop(name, None)
        self._report(outcome)
        self.reporter.advance(articles=1)
        self.written += outcome.status == "done"
        self._save_manifest()

    def _save_manifest(self, *, force: bool = False) -> None:
        """Save the manifest; a folder that cannot take it is said once, and the run goes on."""
        try:
            self.writer.save(force=force)
        except DaenError as error:
            if self.manifest_saved or force:
                self.warn(f"{error}; the next run checks every article again")
            self.manifest_saved = False
            self.writer.saved_at = time.monotonic()  # try again at the next interval
        else:
            self.manifest_saved = True

    def close_translator(self) -> None:
        """Close a translator this run loaded (e.g. its translation cache)."""
        close = getattr(self.translator, "close", None)
        if self.owns_translator and close is not None:
            close()

    # 6. manifest and index

    def finish(self) -> BatchResult:
        """Write the index page and save the manifest; what happened."""
        with self.timed("index_s"):
            self._complete_manifest()
            self._write_index()
        self.timings["total_s"] = time.perf_counter() - self.started
        self.manifest["timings"] = {k: round(v, 4) for k, v in self.timings.items()}
        self.manifest["totals"] = self._totals()
        self._save_manifest(force=True)
        self.reporter.finish()
        ordered = [self.outcomes[s.relative] for s in self.sources if s.relative in self.outcomes]
        return BatchResult(
            self.output_dir, ordered, self.skipped, self.warnings, self.translation_error,
            time.perf_counter() - self.started, self.manifest_saved,
        )

    def interrupted(self) -> RunInterrupted:
        """Save what is finished (Ctrl-C); the one line that says so."""
        self.reporter.finish()
        if hasattr(self, "writer"):
            self.manifest["finished"] = None
            self._save_manifest(force=True)
        left = sum(1 for w in self.todo if w.source.relative not in self.outcomes)
        return RunInterrupted(
            f"interrupted: {self.written} article(s) written in this run, {left} left; "
            f"run the same command again to continue ({self.output_dir})"
        )

    def _complete_manifest(self) -> None:
        manifest = self.manifest
        manifest["finished"] = utc_now()
        manifest["translation"] = translation_block(
            self.settings, self.identity, self.translation_error, self.previous,
            bool(self.cleaned),
        )
        if manifest["translation"].get("status") == "not needed":  # e.g. the manifest was lost
            models = [e.get("model") for e in manifest["articles"].values()]
            model = next((m for m in models if isinstance(m, dict)), None)
            if model is not None:
                manifest["translation"] = {"status": "ok", **model}
        manifest["skipped"] = [asdict(s) for s in self.skipped]
        manifest["warnings"] = self.warnings
        manifest["articles"] = dict(sorted(manifest["articles"].items()))
        manifest["failed"] = dict(sorted(manifest["failed"].items()))

    def _write_index(self) -> None:
        from pipeline.render.index import index_page

        this_run: dict[str, str] = {o.name: o.status for o in self.outcomes.values()}
        try:
            write_atomic(
                self.output_dir / INDEX, index_page(self.manifest, this_run), root=self.output_dir
            )
        except OSError as error:
            self.warn(
                f"{self.output_dir / INDEX}: cannot be written ({error.strerror or error})"
            )

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

    def warn(self, message: str) -> None:
        """The one warnings channel: shown by the reporter now, kept in the manifest."""
        self.warnings.append(message)
        self.reporter.warn(message)

    def _fail(self, source: Source, message: str) -> None:
        self.manifest["failed"][source.name] = {"source": source.relative, "message": message}
        self._report(Outcome(source.name, source.relative, "failed", message))

    def _report(self, outcome: Outcome) -> None:
        self.outcomes[outcome.source] = outcome
        self.reporter.article(outcome)


def _check_folders(input_dir: Path, output_dir: Path) -> None:
    """Refuse folders that cannot work (a :class:`UsageError`); create the output folder.

    Input and output may not overlap in either direction: a run writes and sweeps its output
    folder, and input files are only ever read.
    """
    if not input_dir.is_dir():
        raise UsageError(f"{input_dir}: not a folder (give the folder that holds the articles)")
    if output_dir.exists() and not output_dir.is_dir():
        raise UsageError(f"{output_dir}: exists and is not a folder")
    source, target = input_dir.resolve(), output_dir.resolve()
    if target == source:
        raise UsageError("the output folder is the input folder; choose another -o")
    if source.is_relative_to(target):
        raise UsageError(
            f"the input folder {input_dir} is inside the output folder {output_dir}; "
            "choose an -o outside it"
        )
    if target.is_relative_to(source):
        raise UsageError(
            f"the output folder {output_dir} is inside the input folder {input_dir}; "
            "choose an -o outside it"
        )
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{output_dir}: cannot be created ({error.strerror or error})") from None


def _share_translate_time(chunk: list[_Work], seconds: float) -> None:
    """Give each article of a chunk its share of the chunk's translation time, by sentences."""
    sentences = max(1, sum(_sentence_count(w) for w in chunk))
    for work in chunk:
        work.translate_s = seconds * _sentence_count(work) / sentences


def _settled(future: Future[None] | None) -> bool:
    return future is None or future.done()


def _note(options: RunOptions, error: str | None) -> TranslationNote | None:
    from pipeline.render import TranslationNote

    if not options.translate:
        return TranslationNote("disabled")
    if error is not None:
        return TranslationNote("missing", error)
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _estimate_sentences(data: bytes) -> int:
    """About how many sentences an input holds (ends of sentences and lines), before cleaning.

    >>> _estimate_sentences(b"Hej. Hvordan har du det?\\nGodt!")
    3
    """
    return max(1, len(_SENTENCE_END.findall(data)))


def _articles_ahead(todo: list[_Work], chunk_sentences: int, chunks: int = 2) -> int:
    """About how many articles ``chunks`` chunks hold, from the articles' estimated sentences.

    >>> work = [_Work(Source(Path("a.txt"), "a.txt", "a"), b"", "", estimate=50)] * 10
    >>> _articles_ahead(work, 200)
    8
    """
    mean = sum(w.estimate for w in todo) / max(1, len(todo))
    return max(1, round(chunks * chunk_sentences / max(1.0, mean)))


def _sentence_count(work: _Work) -> int:
    return sum(len(p.sentences) for p in work.article.paragraphs) if work.article else 0


def _chunks(works: Iterable[_Work], size: int) -> Iterable[list[_Work]]:
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
    entry: dict[str, Any] | None, source: Source, input_dir: Path, options: RunOptions
) -> bool:
    """Whether the article's English original appeared, changed or went since its record."""
    from pipeline.qa.check import original_sha256

    recorded = ((entry or {}).get("qa") or {}).get("original_sha256")
    return recorded != original_sha256(source.path, input_dir, options.originals)


def _check_originals(chunk: list[_Work], input_dir: Path, settings: Settings) -> list[str]:
    """The qa stage: compare each article with its English original, where there is one."""
    from pipeline.qa.check import check_originals

    items = [(w.article, w.source.path) for w in chunk if w.article is not None]
    return check_originals(items, input_dir, settings.run.originals, settings.qa)


def _write_article(
    work: _Work,
    output_dir: Path,
    key: str,
    note: TranslationNote | None,
    identity: dict[str, str] | None,
    pool: Executor | None = None,
) -> tuple[Outcome, dict[str, Any] | None, Future[None] | None]:
    """Render one article's outputs and record (:mod:`pipeline.run.records`) and write them, the
    record last: here, or with a thread ``pool`` in one of its threads (the future says when
    the files are on disk, or raises why they are not). A large article is rendered and
    written here one output at a time."""
    from pipeline.qa.check import qa_summary
    from pipeline.render import counts, translation_state

    source, article = work.source, work.article
    assert article is not None
    t0 = time.perf_counter()
    paths = output_paths(output_dir, source.name)
    future: Future[None] | None = None
    try:
        from pipeline.run.decisions import prepare_article  # ignore list, editors' decisions

        prepare_article(article, output_dir, source.name)
        state = translation_state(article, note)
        article_counts = counts(article)
        large = is_large(article)  # written one output at a time, not all at once
        outputs = output_renderers(article, note) if large else render_outputs(article, note)

        def record() -> list[str]:
            assert article is not None
            entry["seconds"]["write"] = round(time.perf_counter() - t0, 4)
            entry["finished"] = utc_now()
            # in pieces: a large record is never held as one string beside them
            pieces = record_pieces(article, entry)
            digests.append(text_digest(pieces))
            return pieces

        digests: list[str] = []

        entry: dict[str, Any] = {
            "source": source.relative,
            "input_sha256": work.digest,
            "key": key,
            "outputs": {k: p.relative_to(output_dir).as_posix() for k, p in paths.items()},
            "counts": article_counts,
            "translation": state,
            "translation_note": note.message if note is not None else "",
            "model": identity if state in ("translated", "partial") else None,
            "qa": qa_summary(article),
            "seconds": {
                "cleanup": round(work.cleanup_s, 4),
                "translate": round(work.translate_s, 4),
                "write": 0.0,
            },
            "finished": "",
        }
        if large or pool is None:
            write_outputs(paths, outputs, record, root=output_dir)
        else:  # rendered here; written (fsync and all) in a thread while the next renders
            text = record()
            future = pool.submit(write_outputs, paths, outputs, lambda: text, root=output_dir)
        entry = {**entry, "record_sha256": digests[0]}  # the manifest's copy: with the digest
    except Exception as error:  # a renderer bug on odd input must not stop the batch
        return _write_failed(source, error), None, None
    outcome = Outcome(
        source.name, source.relative, "done", counts=article_counts, translation=state,
        seconds=work.cleanup_s + work.translate_s + time.perf_counter() - t0,
    )
    return outcome, entry, future


def _write_failed(source: Source, error: Exception) -> Outcome:
    """The outcome of an article whose outputs could not be rendered or written."""
    if isinstance(error, OSError):
        message = f"{source.relative}: outputs cannot be written ({error.strerror or error})"
    else:
        message = (
            f"{source.relative}: internal error while writing ({type(error).__name__}: {error})"
        )
    return Outcome(source.name, source.relative, "failed", message)
