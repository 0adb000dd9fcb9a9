"""Cleanup on all cores of one machine: articles cleaned in worker processes, results in order.

The batch hands :func:`clean_many` an iterable of :class:`CleanJob` (an article's name and
input bytes) and a :class:`CleanSpec` (the run's settings and rules); it gets back one
:class:`Cleaned` per job, **in the order of the jobs**, whatever order the workers finish in.
The jobs are consumed lazily, a bounded window ahead of the results, so a long run streams.

- ``jobs <= 1``, or too few articles to be worth starting processes: cleaned in this process.
- Otherwise a :class:`~concurrent.futures.ProcessPoolExecutor` with ``jobs`` *spawned* workers
  (never forked: the driver may hold model threads). Each worker loads the fix rules once.
  Cleaning is a pure function of the input bytes and the spec, so the records are the same
  as with ``jobs = 1``, byte for byte; only the driver writes files.
- Articles go to the workers a few at a time (:data:`ARTICLES_PER_CALL`), a bounded window
  of calls ahead.
- A worker that dies (a crash in a native library, the out-of-memory killer) breaks the pool.
  The calls it and its siblings were running at that moment are run again, each in a fresh
  process of its own, and a call that kills that process too article by article; an article
  that kills its own process fails, alone, with a message saying so. Every other article is
  cleaned in a fresh pool as if nothing happened.

The Ray version of the same interface is in :mod:`pipeline.run.cluster`.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from pipeline.errors import DaenError, InputError, RuleTableError
from pipeline.run.discover import read_source
from pipeline.run.stages import Stages

if TYPE_CHECKING:
    from multiprocessing.context import SpawnContext
    from multiprocessing.queues import SimpleQueue

    from pipeline.document import Article
    from pipeline.settings import Settings


T = TypeVar("T")
R = TypeVar("R")

# Starting a worker costs about one CPU second (interpreter, imports, fix rules), the cleanup
# of some 80 articles, and the driver's work does not shrink: fewer articles than this per
# worker are cleaned in the driver instead (measured: 300 articles took as long with two
# workers as in the driver alone, bench/scale.py), so the default --jobs never slows a run.
MIN_ARTICLES_PER_WORKER = 200
# Articles per call to a worker: one round trip for several (on a busy machine each round
# trip waits for a time slice; one article per call made two workers slower than one).
ARTICLES_PER_CALL = 4
WINDOW_PER_WORKER = 4  # calls handed out ahead of the results, per worker
# An item waiting in this many broken pools is run alone next (a worker that dies before it
# even starts the item, e.g. unpickling it, must not break pools forever).
MAX_POOL_BREAKS = 3


def workers_for(jobs: int, articles: int | None) -> int:
    """Worker processes worth starting for ``articles`` articles (None: unknown, many).

    >>> workers_for(2, 1000), workers_for(2, 300), workers_for(8, 900), workers_for(1, 1000)
    (2, 1, 4, 1)
    """
    if articles is None:
        return max(1, jobs)
    return max(1, min(jobs, articles // MIN_ARTICLES_PER_WORKER))


# --------------------------------------------------------------------------------------------
# What a worker cleans, and what it gives back


@dataclass(frozen=True)
class CleanSpec:
    """What a worker needs to clean exactly as the driver would, picklable: the settings, and
    the stage code versions and rule-table hashes the run key was made from (a worker whose
    code or tables differ, on another node, refuses to clean)."""

    settings: Settings
    code: tuple[tuple[str, str], ...] = ()
    tables: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of_run(cls, settings: Settings, rules: dict[str, Any]) -> CleanSpec:
        """From :meth:`Settings.rules` as the driver computed it."""
        return cls(
            settings, tuple(sorted(rules["code"].items())), tuple(sorted(rules["tables"].items()))
        )


@dataclass(frozen=True)
class CleanJob:
    """One article to clean: its input path (relative, for messages) and its bytes.

    ``data=None`` makes the worker read ``path`` itself (it must then see the same files).
    """

    relative: str
    path: str
    data: bytes | None = None


@dataclass
class Cleaned:
    """The cleaned article, or the message saying why it could not be cleaned."""

    relative: str
    digest: str  # sha256 of the bytes cleaned ("" when they could not be read)
    article: Article | None
    error: str | None
    seconds: float
    worker: int = 0  # process id of the process that cleaned it


class RuleMismatchError(DaenError):
    """A worker's rule tables or code differ from the driver's: its outputs would differ."""


# The stages (with their fix rules) loaded in this process: a worker loads them once.
_STAGES: dict[CleanSpec, Stages] = {}


def _worker_stages(spec: CleanSpec) -> Stages:
    stages = _STAGES.get(spec)
    if stages is None:
        stages = Stages(spec.settings)
        stages.load()
        if spec.code or spec.tables:
            rules = spec.settings.rules()
            if tuple(sorted(rules["tables"].items())) != spec.tables:
                raise RuleMismatchError(
                    f"the rule tables on this worker (pid {os.getpid()}) differ from the "
                    "driver's; install the same daen and data on every node"
                )
            if tuple(sorted(rules["code"].items())) != spec.code:
                raise RuleMismatchError(
                    f"the daen code on this worker (pid {os.getpid()}) differs from the "
                    "driver's; install the same daen version on every node"
                )
        _STAGES.clear()
        _STAGES[spec] = stages
    return stages


def clean_one(job: CleanJob, spec: CleanSpec, stages: Stages | None = None) -> Cleaned:
    """Parse, normalize and fix one article (read and checked first when ``job.data`` is
    None).

    A bad input, or a rule that crashes on it, gives a :class:`Cleaned` with the message;
    only a broken rule table (:class:`RuleTableError`) or a worker whose rules differ from the
    driver's (:class:`RuleMismatchError`) raises.
    ``stages`` are the driver's, already loaded; by default this process's own.
    """
    t0 = time.perf_counter()
    digest = ""
    try:
        runner = stages if stages is not None else _worker_stages(spec)
        if job.data is None:
            data, digest = read_source(Path(job.path), job.relative)
        else:
            data, digest = job.data, hashlib.sha256(job.data).hexdigest()
        article = runner.read(data, job.relative)
        if not article.paragraphs:
            raise InputError(job.relative, "no text: the file holds only whitespace")
        cleaned = runner.clean(article)
    except (RuleMismatchError, RuleTableError):  # the same for every article: stops the run
        raise
    except DaenError as error:
        return Cleaned(
            job.relative, digest, None, str(error), time.perf_counter() - t0, os.getpid()
        )
    except Exception as error:  # a rule that crashes on odd input must not stop the batch
        message = (
            f"{job.relative}: internal error while cleaning ({type(error).__name__}: {error})"
        )
        return Cleaned(job.relative, digest, None, message, time.perf_counter() - t0, os.getpid())
    return Cleaned(job.relative, digest, cleaned, None, time.perf_counter() - t0, os.getpid())


def clean_many(
    jobs: Iterable[CleanJob],
    spec: CleanSpec,
    *,
    workers: int = 1,
    count: int | None = None,
    stages: Stages | None = None,
    ahead: int = 0,
) -> Iterator[Cleaned]:
    """Clean every job, in ``workers`` processes (see the module doc); results in job order.

    ``count`` (the number of jobs, when known) keeps a small batch in this process, where
    ``stages`` are used (loaded here on first use). The workers clean up to ``ahead`` articles
    (at least a few calls per worker) ahead of the result the caller is at, so that what the
    caller does with the results runs while they clean the next ones.
    """
    processes = workers_for(workers, count)
    if processes <= 1:
        for job in jobs:
            yield clean_one(job, spec, stages)
        return
    alone = partial(clean_one, spec=spec)

    def crashed(group: list[CleanJob], why: str) -> list[Cleaned]:
        """A group whose process died even alone: each article alone, to find the culprit."""
        del why
        return [run_alone(alone, job, _crashed_article) for job in group]

    groups = _groups(jobs, ARTICLES_PER_CALL)
    window = max(WINDOW_PER_WORKER * processes, -(-ahead // ARTICLES_PER_CALL))
    for cleaned in ordered_map(
        partial(_clean_group, spec=spec), groups, workers=processes, crashed=crashed,
        window=window,
    ):
        yield from cleaned


def _groups(jobs: Iterable[CleanJob], size: int) -> Iterator[list[CleanJob]]:
    iterator = iter(jobs)
    while group := [job for _, job in zip(range(size), iterator, strict=False)]:
        yield group


def _clean_group(jobs: list[CleanJob], spec: CleanSpec) -> list[Cleaned]:
    """In a worker: clean a few articles (one call each way for all of them)."""
    return [clean_one(job, spec) for job in jobs]


def _crashed_article(job: CleanJob, why: str) -> Cleaned:
    return Cleaned(
        job.relative, "", None,
        f"{job.relative}: the worker process cleaning this article died ({why}); the other "
        "articles are not affected (daen run --jobs 1 shows the error in the main process)",
        0.0,
    )


# --------------------------------------------------------------------------------------------
# An order-keeping process pool that survives a dying worker


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    crashed: Callable[[T, str], R],
    window: int | None = None,
) -> Iterator[R]:
    """``fn(item)`` for every item, in ``workers`` spawned processes; results in item order.

    ``fn`` and the items must pickle (``fn`` a module-level function or a partial of one).
    At most ``window`` items are handed out ahead of the next result to yield. When a worker
    dies, the items that were running are each run again alone in a fresh process;
    ``crashed(item, why)`` stands for the result of one that kills that process too.
    An exception raised by ``fn`` is raised here, as with ``map``.
    """
    pool = _OrderedPool(fn, workers, crashed, window or WINDOW_PER_WORKER * workers)
    try:
        yield from pool.run(iter(items))
    finally:
        pool.close()


@dataclass
class _Slot(Generic[T, R]):
    index: int
    item: T
    future: Future[R] | None = None
    result: R | None = None
    ready: bool = False
    breaks: int = 0  # pools that broke while this item waited in them


class _OrderedPool(Generic[T, R]):
    def __init__(
        self, fn: Callable[[T], R], workers: int, crashed: Callable[[T, str], R], window: int
    ) -> None:
        self.fn, self.workers, self.crashed, self.window = fn, workers, crashed, window
        self.context: SpawnContext = multiprocessing.get_context("spawn")
        self.started: SimpleQueue[int] = self.context.SimpleQueue()
        self.running: set[int] = set()  # items started in the pool and not finished
        self.executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self.executor is None:
            # a queue per pool: a worker killed while writing to it cannot block the next pool
            self.started = self.context.SimpleQueue()
            self.executor = ProcessPoolExecutor(
                self.workers, mp_context=self.context,
                initializer=_worker_init, initargs=(self.started,),
            )
        return self.executor

    def run(self, items: Iterator[T]) -> Iterator[R]:
        pending: deque[_Slot[T, R]] = deque()
        index = 0
        exhausted = False
        while True:
            while not exhausted and len(pending) < self.window:
                try:
                    item = next(items)
                except StopIteration:
                    exhausted = True
                    break
                slot = _Slot[T, R](index, item)
                self._submit(slot)
                pending.append(slot)
                index += 1
            if not pending:
                return
            head = pending[0]
            if not head.ready:
                assert head.future is not None
                try:
                    head.result, head.ready = head.future.result(), True
                except BrokenProcessPool:
                    self._recover(pending)
                    continue
                finally:
                    self._drain_started()
            pending.popleft()
            self.running.discard(head.index)
            yield cast(R, head.result)

    def _drain_started(self) -> None:
        while not self.started.empty():
            self.running.add(self.started.get())

    def _submit(self, slot: _Slot[T, R]) -> None:
        try:
            slot.future = self._pool().submit(_run_marked, self.fn, slot.index, slot.item)
        except BrokenProcessPool as error:
            # The pool broke since the last result was taken: the slot waits like the others
            # in it, and the run loop recovers them all.
            broken: Future[R] = Future()
            broken.set_exception(error)
            slot.future = broken

    def _recover(self, pending: deque[_Slot[T, R]]) -> None:
        """A worker died: keep finished results, rerun the running items alone, resubmit the
        rest to a fresh pool."""
        self._drain_started()
        running, self.running = self.running, set()
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
        for slot in pending:
            future = slot.future
            if slot.ready or future is None:
                continue
            if future.done() and not future.cancelled() and future.exception() is None:
                slot.result, slot.ready = future.result(), True
                continue
            slot.breaks += 1
            if slot.index in running or slot.breaks >= MAX_POOL_BREAKS:
                slot.result, slot.ready = self._run_alone(slot.item), True
            else:
                self._submit(slot)

    def _run_alone(self, item: T) -> R:
        return run_alone(self.fn, item, self.crashed)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


def run_alone(fn: Callable[[T], R], item: T, crashed: Callable[[T, str], R]) -> R:
    """``fn(item)`` in a spawned process of its own; ``crashed(item, why)`` if it dies."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_run_piped, args=(fn, item, send))
    process.start()
    send.close()
    try:
        ok, value = receive.recv()
    except EOFError:
        process.join()
        return crashed(item, _exit_reason(process.exitcode))
    finally:
        receive.close()
    process.join()
    if not ok:
        raise value
    result: R = value
    return result


_STARTED: SimpleQueue[int] | None = None


def _worker_init(started: SimpleQueue[int]) -> None:
    global _STARTED
    _STARTED = started


def _run_marked(fn: Callable[[T], R], index: int, item: T) -> R:
    """In a worker: say which item is running (to know the suspects if this worker dies)."""
    if _STARTED is not None:
        _STARTED.put(index)
    return fn(item)


def _run_piped(fn: Callable[[T], R], item: T, send: Any) -> None:
    try:
        result: tuple[bool, Any] = (True, fn(item))
    except Exception as error:
        result = (False, error)
    send.send(result)
    send.close()


def _exit_reason(code: int | None) -> str:
    """How a process ended, in words.

    >>> _exit_reason(-9), _exit_reason(3)
    ('killed by signal SIGKILL', 'exit code 3')
    """
    if code is not None and code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
