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
:mod:`pipeline.run.discover`, what is to be done (steps 1-2, and the chunks) in
:mod:`pipeline.run.plan`, the settings and run key in :mod:`pipeline.settings`, the stages
(declared in :mod:`pipeline.stagespec`) in :mod:`pipeline.run.stages`, one article's outputs and
manifest entry in :mod:`pipeline.run.writer`, output files and records in
:mod:`pipeline.run.records`, the manifest in :mod:`pipeline.run.manifest`. This module is the
outline: :func:`run_batch` and the state its steps share. The progress bar and summary
(:mod:`pipeline.console`) sit above.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pipeline.errors import DaenError, InputError, RunInterrupted, UsageError
from pipeline.run.decisions import ignore_key
from pipeline.run.discover import SkippedFile, Source, read_source
from pipeline.run.ignore import IgnoreList, load_ignore_list
from pipeline.run.manifest import (
    ManifestWriter,
    RunEntry,
    load_manifest,
    new_manifest,
    translation_block,
    utc_now,
)
from pipeline.run.plan import Found, Plan, Planner, Work, articles_ahead, chunks, find_articles
from pipeline.run.runlock import OutputLock
from pipeline.run.stages import Stages, load_model_translator
from pipeline.run.writer import ArticleWriter, Outcome, translation_note, write_index
from pipeline.settings import RunOptions, Settings
from pipeline.stagespec import COMMAND_STAGES

if TYPE_CHECKING:
    from pipeline.run.cluster import RaySession
    from pipeline.run.parallel import Cleaned
    from pipeline.translate.translator import TextTranslator

TranslatorFactory = Callable[[Settings], "TextTranslator"]


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


# --------------------------------------------------------------------------------------------
# The batch


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
    replaces the real model; by default :func:`pipeline.run.stages.load_model_translator` is
    used. Raises :class:`UsageError` for arguments that cannot work, and ``RuleTableError``
    for a broken rule table (which affects every article); everything else is per article.
    """
    _check_folders(input_dir, output_dir)
    reporter = reporter or NullReporter()
    with _output_lock(output_dir):
        run = _BatchRun(input_dir, output_dir, settings or Settings(), reporter)
        try:
            with run.timed("discover_s"):
                run.plan_articles()
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
    """One run of :func:`run_batch`: the state its phases share, and one method per phase. It
    is also what the chunk stages see of the run (:class:`pipeline.run.stages.ChunkRun`)."""

    def __init__(
        self, input_dir: Path, output_dir: Path, settings: Settings, reporter: Reporter
    ) -> None:
        self.started: float = time.perf_counter()
        self.started_at: str = utc_now()
        self.input_dir: Path = input_dir
        self.output_dir: Path = output_dir
        self.settings: Settings = settings
        self.options: RunOptions = settings.run
        self.reporter: Reporter = reporter
        self.timings: dict[str, float] = {}
        self.warnings: list[str] = []
        self.previous: dict[str, Any]  # the last saved manifest (its articles: until planned)
        self.previous, manifest_warning = load_manifest(output_dir)
        if manifest_warning:
            self.warn(manifest_warning)
        self.rules: dict[str, Any] = settings.rules()
        # The editors' ignore list (pipeline.run.ignore), read once for the run, is part of what
        # the outputs depend on.
        self.ignore: IgnoreList = load_ignore_list(output_dir)
        self.key: str = ignore_key(settings.key(self.rules), self.ignore)
        self.stages: Stages = Stages(settings, COMMAND_STAGES["run"])
        self.found: Found = Found([], [], {})
        self.plan: Plan = Plan()
        self.manifest: dict[str, Any] = new_manifest(
            input_dir, settings, self.key, self.rules, self.started_at, self.previous
        )
        # saves the manifest once the articles are found (an interrupt before keeps the last)
        self.manifest_writer: ManifestWriter | None = None
        self.manifest_saved: bool = True
        self.outcomes: dict[str, Outcome] = {}  # by input path
        self.cleaned: int = 0  # articles cleaned this run
        self.written: int = 0  # articles whose outputs this run wrote
        self.translator: TextTranslator | None = None
        self.owns_translator: bool = False
        self.identity: dict[str, str] | None = None
        self.translation_error: str | None = None
        self.cluster: RaySession | None = None  # joined when there is work and ``ray`` is set

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Add the time the block takes to ``timings[name]``."""
        t0 = time.perf_counter()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + (time.perf_counter() - t0)

    # 1-2. discover and plan (pipeline.run.plan)

    def plan_articles(self) -> None:
        """Find the articles, then sort them: to do, to retry (no translation yet), unchanged."""
        self.found = find_articles(self.input_dir, self.output_dir, self.options, self.warn)
        self.manifest["ignore"] = self.ignore.to_manifest()
        self.manifest_writer = ManifestWriter(self.output_dir, self.manifest)
        planner = Planner(
            self.input_dir, self.output_dir, self.key, self.options,
            self.previous.get("articles", {}),
        )
        self.plan = planner.plan(self.found)
        for source, message in self.plan.failed:
            self._fail(source, message)
        # The last run's article entries are not needed past planning (those kept are in the
        # new manifest): memory holds one manifest, not two.
        self.previous = {k: v for k, v in self.previous.items() if k not in ("articles", "failed")}

    # 3. translator, only when something needs translating

    def join_cluster(self) -> None:
        """With ``ray`` set: join the cluster, only when there is work. Without Ray installed,
        or with a cluster that cannot be reached, a DaenError says what to do."""
        if self.options.ray is None:
            return
        # only with --ray: cluster imports multiprocessing, as parallel does (below)
        from pipeline.run.cluster import connect, import_ray

        import_ray()
        if self.plan.todo or self.plan.retry:
            self.cluster = connect(self.options.ray)

    def close_cluster(self) -> None:
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def prepare_translator(
        self,
        translator: TextTranslator | None,
        factory: TranslatorFactory | None,
    ) -> None:
        """Load the translator if anything needs translating; a failure is remembered, not
        raised. Unchanged articles whose translation is missing or from another model are
        then done again."""
        self.translator, self.owns_translator = translator, translator is None
        if self.options.translate and (self.plan.todo or self.plan.retry):
            if self.translator is None:
                self.translator = self._load_translator(factory)
            if self.translator is not None:
                self.identity = dict(self.translator.identity)
                self.plan.redo_stale_translations(self.identity)
                return
        self.plan.keep_retries()

    def _load_translator(self, factory: TranslatorFactory | None) -> TextTranslator | None:
        try:
            if factory is None and self.cluster is not None:
                from pipeline.run.cluster import load_ray_translator  # only with a cluster

                return load_ray_translator(self.cluster, self.settings.translator)
            # looked up here, by name, so that tests can replace the model
            return (factory or partial(load_model_translator, warn=self.warn))(self.settings)
        except UsageError:  # a setting that cannot work is the user's to change, not a note
            raise
        except DaenError as error:
            self.translation_error = str(error)
            return None

    def close_translator(self) -> None:
        """Close a translator this run loaded (e.g. its translation cache)."""
        close = getattr(self.translator, "close", None)
        if self.owns_translator and close is not None:
            close()

    def keep_unchanged(self) -> None:
        """Carry the unchanged articles' entries over to the new manifest, and report them."""
        for source, entry in self.plan.unchanged:
            self.manifest["articles"][source.name] = entry.to_json()
            self._report(Outcome(
                source.name, source.relative, "unchanged", counts=entry.counts.to_json(),
                translation=entry.translation,
            ))

    # 4-5. clean, then the chunk stages (translate, qa), then write, chunk by chunk

    def clean_translate_write(self) -> None:
        """Clean the articles to do a chunk at a time, run the chunk stages over that chunk
        (:meth:`Stages.chunk_steps`), and write it: memory holds one chunk, and a kill loses
        at most the chunk in flight. One article that cannot be cleaned or written fails
        alone."""
        todo = sorted(self.plan.todo, key=lambda w: w.source.relative)
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
        steps = self.stages.chunk_steps()
        note = translation_note(self.options, self.translation_error)
        writer = ArticleWriter(
            self.output_dir, self.key, self.identity, self.ignore, self._finish_article
        )
        try:
            for chunk in chunks(self._cleaned(todo), self.options.chunk_sentences, note):
                for name, step in steps:
                    with self.timed(f"{name}_s"):
                        step(chunk, self)
                with self.timed("write_s"):
                    for work in chunk.works:
                        writer.write(work, chunk.note)
        finally:
            writer.shutdown()
            with self.timed("write_s"):
                writer.drain()  # what is on disk is finished, also when interrupted

    def _cleaned(self, todo: list[Work]) -> Iterator[Work]:
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
                self.reporter.advance(sentences=max(0, work.estimate - work.sentences()))
                yield work
        finally:
            close = getattr(cleaned_many, "close", None)
            if close is not None:
                close()  # stop the workers (an interrupted or failed run)

    def _clean_many(self, todo: list[Work]) -> Iterator[Cleaned]:
        """The cleaned articles, in ``todo``'s order: here, in ``jobs`` worker processes
        (:mod:`pipeline.run.parallel`) or in Ray tasks (:mod:`pipeline.run.cluster`)."""
        # imported here: they import multiprocessing (some 20 ms), which a run with nothing
        # to clean never needs
        from pipeline.run import parallel

        def job(work: Work) -> parallel.CleanJob:
            data = work.data or None
            if data is None and self.cluster is not None:  # workers may not see the input
                with suppress(InputError):  # unreadable: the worker reports it
                    data, _ = read_source(work.source.path, work.source.relative)
            return parallel.CleanJob(work.source.relative, str(work.source.path), data)

        jobs = (job(w) for w in todo)  # read lazily, a window ahead of the workers
        spec = parallel.CleanSpec.of_run(self.settings, self.rules)
        # The workers clean ahead while this process translates and writes: up to two chunks.
        ahead = articles_ahead(todo, self.options.chunk_sentences)
        if self.cluster is not None:
            from pipeline.run import cluster

            return cluster.clean_many(jobs, spec, session=self.cluster, ahead=ahead)
        return parallel.clean_many(
            jobs, spec, workers=self.options.jobs, count=len(todo), stages=self.stages,
            ahead=ahead,
        )

    def _cleans_here(self, articles: int) -> bool:
        """Whether the articles are cleaned in this process (not in workers or on Ray)."""
        from pipeline.run.parallel import workers_for  # multiprocessing, as above

        return self.cluster is None and workers_for(self.options.jobs, articles) <= 1

    def _finish_article(self, work: Work, outcome: Outcome, entry: RunEntry | None) -> None:
        """An article whose files are on disk (or failed): into the manifest, and reported."""
        name = work.source.name
        if outcome.status == "failed":
            self.manifest["failed"][name] = {
                "source": work.source.relative, "message": outcome.message,
            }
        else:
            assert entry is not None  # done: its record is on disk
            self.manifest["articles"][name] = entry.to_json()
            self.manifest["failed"].pop(name, None)
        self._report(outcome)
        self.reporter.advance(articles=1)
        self.written += outcome.status == "done"
        self._save_manifest()

    def _save_manifest(self, *, force: bool = False) -> None:
        """Save the manifest; a folder that cannot take it is said once, and the run goes on."""
        writer = self.manifest_writer
        assert writer is not None  # articles are finished only once they are found
        try:
            writer.save(force=force)
        except DaenError as error:
            if self.manifest_saved or force:
                self.warn(f"{error}; the next run checks every article again")
            self.manifest_saved = False
            writer.saved_at = time.monotonic()  # try again at the next interval
        else:
            self.manifest_saved = True

    # 6. manifest and index

    def finish(self) -> BatchResult:
        """Write the index page and save the manifest; what happened."""
        with self.timed("index_s"):
            self._complete_manifest()
            warning = write_index(self.output_dir, self.manifest, list(self.outcomes.values()))
            if warning is not None:
                self.warn(warning)
        self.timings["total_s"] = time.perf_counter() - self.started
        self.manifest["timings"] = {k: round(v, 4) for k, v in self.timings.items()}
        self.manifest["totals"] = _totals(self.outcomes, self.found)
        self._save_manifest(force=True)
        self.reporter.finish()
        sources = self.found.sources
        ordered = [self.outcomes[s.relative] for s in sources if s.relative in self.outcomes]
        return BatchResult(
            self.output_dir, ordered, self.found.skipped, self.warnings, self.translation_error,
            time.perf_counter() - self.started, self.manifest_saved,
        )

    def interrupted(self) -> RunInterrupted:
        """Save what is finished (Ctrl-C); the one line that says so."""
        self.reporter.finish()
        if self.manifest_writer is not None:
            self.manifest["finished"] = None
            self._save_manifest(force=True)
        left = sum(1 for w in self.plan.todo if w.source.relative not in self.outcomes)
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
        manifest["skipped"] = [asdict(s) for s in self.found.skipped]
        manifest["warnings"] = self.warnings
        manifest["articles"] = dict(sorted(manifest["articles"].items()))
        manifest["failed"] = dict(sorted(manifest["failed"].items()))

    # shared by the phases

    def warn(self, message: str) -> None:
        """The one warnings channel: shown by the reporter now, kept in the manifest."""
        self.warnings.append(message)
        self.reporter.warn(message)

    def advance(self, sentences: int) -> None:
        """Sentences done (for the progress bar)."""
        self.reporter.advance(sentences=sentences)

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


def _totals(outcomes: dict[str, Outcome], found: Found) -> dict[str, int]:
    statuses = [o.status for o in outcomes.values()]
    return {
        "articles": len(found.sources),
        "done": statuses.count("done"),
        "unchanged": statuses.count("unchanged"),
        "failed": statuses.count("failed"),
        "skipped_files": len(found.skipped),
    }

