"""Writing ``daen run``'s outputs (step 4 of :mod:`pipeline.run.batch`): one article's files and
record, its manifest entry and its :class:`Outcome`; the index page at the end.

Every file is written atomically and never through a link in the output folder, the record
``<name>.json`` last: an article is finished only when its record is there. Outputs are
rendered in the batch's process and written by :class:`ArticleWriter`'s threads, a few
articles behind.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline.fsutil import write_atomic
from pipeline.qa.check import qa_summary
from pipeline.render import TranslationNote, counts, translation_state
from pipeline.render.index import index_page
from pipeline.run.decisions import prepare_article
from pipeline.run.ignore import IgnoreList
from pipeline.run.manifest import INDEX, Counts, Outputs, RunEntry, Seconds, utc_now
from pipeline.run.records import (
    is_large,
    output_paths,
    output_renderers,
    record_pieces,
    render_outputs,
    text_digest,
    write_outputs,
)

if TYPE_CHECKING:
    from pipeline.run.discover import Source
    from pipeline.run.plan import Work
    from pipeline.settings import RunOptions

Status = Literal["done", "unchanged", "failed"]
WRITE_THREADS = 8  # threads writing outputs (each write waits for its fsync)
ARTICLES_WRITING = 16  # articles rendered and not yet on disk, at most


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


def translation_note(options: RunOptions, error: str | None) -> TranslationNote | None:
    """What every output of this run says about its translation, when not the model's."""
    if not options.translate:
        return TranslationNote("disabled")
    if error is not None:
        return TranslationNote("missing", error)
    return None


def manifest_entry(
    work: Work,
    output_dir: Path,
    paths: dict[str, Path],
    key: str,
    article_counts: dict[str, int],
    state: str,
    note: TranslationNote | None,
    identity: dict[str, str] | None,
    qa: dict[str, Any] | None,
) -> RunEntry:
    """An article's run entry, as its record and the manifest keep it (``seconds.write`` and
    ``finished`` are filled in when the record is written)."""
    return RunEntry(
        source=work.source.relative,
        input_sha256=work.digest,
        key=key,
        outputs=Outputs.of(paths, output_dir),
        counts=Counts(**article_counts),
        translation=state,
        translation_note=note.message if note is not None else "",
        model=identity if state in ("translated", "partial") else None,
        qa=qa,
        seconds=Seconds(round(work.cleanup_s, 4), round(work.translate_s, 4), 0.0),
        finished="",
    )


Written = tuple[Outcome, RunEntry | None, "Future[None] | None"]


def write_article(
    work: Work,
    output_dir: Path,
    key: str,
    note: TranslationNote | None,
    identity: dict[str, str] | None,
    ignore: IgnoreList,
    pool: Executor | None = None,
) -> Written:
    """Render one article's outputs and record (:mod:`pipeline.run.records`) and write them, the
    record last: here, or with a thread ``pool`` in one of its threads (the future says when
    the files are on disk, or raises why they are not). A large article is rendered and
    written here one output at a time. Its outcome, and its manifest entry (None: failed)."""
    source, article = work.source, work.article
    assert article is not None
    t0 = time.perf_counter()
    paths = output_paths(output_dir, source.name)
    future: Future[None] | None = None
    try:
        prepare_article(article, output_dir, source.name, ignore)  # editors' decisions
        state = translation_state(article, note)
        article_counts = counts(article)
        large = is_large(article)  # written one output at a time, not all at once
        outputs = output_renderers(article, note) if large else render_outputs(article, note)
        entry = manifest_entry(
            work, output_dir, paths, key, article_counts, state, note, identity,
            qa_summary(article),
        )
        digests: list[str] = []

        def record() -> list[str]:
            nonlocal entry
            assert article is not None
            write_s = round(time.perf_counter() - t0, 4)
            entry = replace(entry, seconds=replace(entry.seconds, write=write_s),
                            finished=utc_now())
            # in pieces: a large record is never held as one string beside them
            pieces = record_pieces(article, entry.to_json())
            digests.append(text_digest(pieces))
            return pieces

        if large or pool is None:
            write_outputs(paths, outputs, record, root=output_dir)
        else:  # rendered here; written (fsync and all) in a thread while the next renders
            text = record()
            future = pool.submit(write_outputs, paths, outputs, lambda: text, root=output_dir)
        entry = replace(entry, record_sha256=digests[0])  # the manifest's copy: with the digest
    except Exception as error:  # a renderer bug on odd input must not stop the batch
        return write_failed(source, error), None, None
    outcome = Outcome(
        source.name, source.relative, "done", counts=article_counts, translation=state,
        seconds=work.cleanup_s + work.translate_s + time.perf_counter() - t0,
    )
    return outcome, entry, future


def write_failed(source: Source, error: Exception) -> Outcome:
    """The outcome of an article whose outputs could not be rendered or written."""
    if isinstance(error, OSError):
        message = f"{source.relative}: outputs cannot be written ({error.strerror or error})"
    else:
        message = (
            f"{source.relative}: internal error while writing ({type(error).__name__}: {error})"
        )
    return Outcome(source.name, source.relative, "failed", message)


Finished = Callable[["Work", Outcome, "RunEntry | None"], None]


class ArticleWriter:
    """Renders articles here and writes them in :data:`WRITE_THREADS` threads, at most
    :data:`ARTICLES_WRITING` behind; ``finished(work, outcome, entry)`` is called for each,
    in order, once its record is on disk (``entry`` None: it failed)."""

    def __init__(
        self, output_dir: Path, key: str, identity: dict[str, str] | None, ignore: IgnoreList,
        finished: Finished,
    ) -> None:
        self.output_dir, self.key, self.identity, self.ignore = output_dir, key, identity, ignore
        self.finished = finished
        self.pool = ThreadPoolExecutor(max_workers=WRITE_THREADS, thread_name_prefix="daen-write")
        # articles rendered and being written: their outcome, entry, and the files' future
        self.writing: deque[
            tuple[Work, Outcome, RunEntry | None, Future[None] | None]
        ] = deque()

    def write(self, work: Work, note: TranslationNote | None) -> None:
        """Render one article; finish those ahead of it whose files are on disk."""
        outcome, entry, future = write_article(
            work, self.output_dir, self.key, note, self.identity, self.ignore, self.pool
        )
        work.article = None  # free memory as we go
        self.writing.append((work, outcome, entry, future))
        while self.writing and (
            len(self.writing) > ARTICLES_WRITING or _settled(self.writing[0][3])
        ):
            self._finish(*self.writing.popleft())

    def shutdown(self) -> None:
        """Wait for every write in flight (also when interrupted: what is on disk counts)."""
        self.pool.shutdown(wait=True)

    def drain(self) -> None:
        """Finish the articles still queued (after :meth:`shutdown`)."""
        while self.writing:
            self._finish(*self.writing.popleft())

    def _finish(
        self, work: Work, outcome: Outcome, entry: RunEntry | None,
        future: Future[None] | None,
    ) -> None:
        if future is not None:
            try:
                future.result()
            except Exception as error:
                outcome, entry = write_failed(work.source, error), None
        self.finished(work, outcome, entry)


def _settled(future: Future[None] | None) -> bool:
    return future is None or future.done()


def write_index(
    output_dir: Path, manifest: dict[str, Any], outcomes: list[Outcome]
) -> str | None:
    """Write ``index.html``; the warning when the folder cannot take it."""
    this_run: dict[str, str] = {o.name: o.status for o in outcomes}
    try:
        write_atomic(output_dir / INDEX, index_page(manifest, this_run), root=output_dir)
    except OSError as error:
        return f"{output_dir / INDEX}: cannot be written ({error.strerror or error})"
    return None

