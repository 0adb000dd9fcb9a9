"""Ray: the same ``daen run`` on a cluster (``--ray``); ``pip install "daen[cluster]"``.

The driver (the machine that runs ``daen run``) stays the only one that reads the input
folder and writes outputs, the translation cache and the manifest. Ray only computes:

- **cleanup runs as tasks**: groups of a few articles (name and input bytes) go out, cleaned
  articles come back, in order (:func:`clean_many`, the same interface as
  :func:`pipeline.run.parallel.clean_many`). A task whose worker dies is retried by Ray
  (``max_retries``); one that keeps dying fails only its articles.
- **translation runs on an actor pool** (:class:`ActorPoolBackend`): each actor loads one
  translator once (on a GPU when the cluster has them) and translates the batches it is
  sent. The driver's :class:`~pipeline.translate.translator.Translator` keeps splitting, dedupe, the
  cache and token-sized batches; only the model calls go to the actors, several at a time.
  A killed actor is restarted and its calls retried (``max_restarts``, ``max_task_retries``).

So incremental skipping, atomic outputs, the manifest and resuming after the driver is killed
work as in a local run, and the input and output folders need only be on the driver. The
workers need the same daen and data (the cleanup refuses otherwise) and the model.

Ray is imported only here, and only when ``--ray`` is given.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.errors import DaenError, ModelUnavailableError, RuleTableError
from pipeline.run.parallel import Cleaned, CleanJob, CleanSpec, RuleMismatchError, clean_one

if TYPE_CHECKING:
    from pipeline.translate.translator import Translator, TranslatorSettings

INSTALL_HINT = 'the --ray option needs Ray: pip install "daen[cluster]" (or pip install ray)'
TASK_RETRIES = 3  # a cleanup task whose worker process dies is run again, up to this often
ACTOR_RESTARTS = 3  # a translation actor that dies is restarted, up to this often
ARTICLES_PER_TASK = 8  # one task cleans a few articles: less scheduling per article
TASKS_PER_CPU = 2  # cleanup tasks in flight per cluster CPU
CALLS_PER_ACTOR = 2  # translation batches in flight per actor (one runs, one waits)


class RayUnavailableError(DaenError):
    """``--ray`` without Ray installed, or a cluster that cannot be reached."""


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayUnavailableError(INSTALL_HINT) from None
    return ray


# --------------------------------------------------------------------------------------------
# Connecting


@dataclass
class RaySession:
    """A connection to a Ray cluster; :meth:`close` disconnects if this session connected."""

    address: str
    owned: bool  # this session called ray.init (so it shuts down)
    resources: dict[str, float] = field(default_factory=dict)

    @property
    def cpus(self) -> int:
        return max(1, int(self.resources.get("CPU", 1)))

    @property
    def gpus(self) -> int:
        return int(self.resources.get("GPU", 0))

    def close(self) -> None:
        if self.owned:
            import_ray().shutdown()
            self.owned = False


def connect(address: str | None = "auto") -> RaySession:
    """Join a Ray cluster: ``auto`` (``RAY_ADDRESS``, else a cluster started on this machine
    with ``ray start``, else a new one-machine cluster), ``local`` (always a new one-machine
    cluster), or an address (``ray://head:10001``, ``head:6379``).

    A process already connected (a test's cluster) is used as it is.
    """
    ray = import_ray()
    if ray.is_initialized():
        return RaySession("current", False, dict(ray.cluster_resources()))
    choice = (address or "auto").strip()
    kwargs: dict[str, Any] = {"logging_level": "WARNING", "log_to_driver": False}
    if choice == "auto":
        choice = os.environ.get("RAY_ADDRESS", "") or "auto"
        if choice == "auto" and not _local_cluster_running():
            choice = "local"
    if choice == "local":
        kwargs["include_dashboard"] = False
    try:
        ray.init(address=choice, **kwargs)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise RayUnavailableError(f"cannot join the Ray cluster at {choice}: {error}") from None
    return RaySession(choice, True, dict(ray.cluster_resources()))


def _local_cluster_running() -> bool:
    """Whether ``ray start`` left a cluster address on this machine (Ray's own marker file)."""
    import tempfile

    marker = os.path.join(tempfile.gettempdir(), "ray", "ray_current_cluster")
    return os.path.exists(marker)


# --------------------------------------------------------------------------------------------
# Cleanup as tasks


_REMOTE: dict[str, Any] = {}


def _clean_group(jobs: list[CleanJob], spec: CleanSpec) -> list[Cleaned]:
    """A Ray task: clean a few articles with this worker's rules (loaded once per process)."""
    return [clean_one(job, spec) for job in jobs]


def _remote_clean() -> Any:
    if "clean" not in _REMOTE:
        ray = import_ray()
        _REMOTE["clean"] = ray.remote(
            num_cpus=1, max_retries=TASK_RETRIES, retry_exceptions=False
        )(_clean_group)
    return _REMOTE["clean"]


def clean_many(
    jobs: Iterable[CleanJob],
    spec: CleanSpec,
    *,
    session: RaySession,
    per_task: int = ARTICLES_PER_TASK,
    ahead: int = 0,
) -> Iterator[Cleaned]:
    """Clean every job in Ray tasks; results in job order, a bounded window in flight (a few
    tasks per CPU, or ``ahead`` articles ahead of the caller when that is more)."""
    ray = import_ray()
    remote = _remote_clean()
    spec_ref = ray.put(spec)
    in_flight: deque[tuple[list[CleanJob], Any]] = deque()
    window = max(TASKS_PER_CPU * session.cpus, -(-ahead // per_task))
    iterator = iter(jobs)
    exhausted = False
    while True:
        while not exhausted and len(in_flight) < window:
            group = [job for _, job in zip(range(per_task), iterator, strict=False)]
            if not group:
                exhausted = True
                break
            in_flight.append((group, remote.remote(group, spec_ref)))
        if not in_flight:
            return
        group, ref = in_flight.popleft()
        yield from _group_results(ray, group, ref)


def _group_results(ray: Any, group: list[CleanJob], ref: Any) -> list[Cleaned]:
    try:
        results: list[Cleaned] = ray.get(ref)
        return results
    except ray.exceptions.RayTaskError as error:
        cause = getattr(error, "cause", None)
        if isinstance(cause, RuleMismatchError):
            raise RuleMismatchError(str(cause)) from None
        if isinstance(cause, RuleTableError):  # the same for every article: stops the run
            raise RuleTableError(cause.path, cause.line, cause.problem) from None
        why = f"{type(cause or error).__name__}: {cause or error}"
    except (ray.exceptions.WorkerCrashedError, ray.exceptions.RayError) as error:
        why = f"its Ray worker died {TASK_RETRIES + 1} times ({type(error).__name__})"
    return [
        Cleaned(job.relative, "", None, f"{job.relative}: cleanup on the cluster failed ({why})",
                0.0)
        for job in group
    ]


# --------------------------------------------------------------------------------------------
# Translation on an actor pool


class TranslatorActor:
    """A Ray actor holding one translator, loaded once (without a cache: the driver has it)."""

    def __init__(self, settings: TranslatorSettings) -> None:
        self.error: str | None = None
        self.translator: Any = None
        try:
            from pipeline.translate.translator import load_translator

            self.translator = load_translator(settings)
        except (DaenError, ValueError) as error:
            self.error = str(error)

    def describe(self) -> dict[str, Any]:
        """What this actor runs: the translator's identity, or why it could not load."""
        import socket

        if self.translator is None:
            return {"error": self.error, "host": socket.gethostname()}
        backend = self.translator.backend
        return {
            "identity": dict(self.translator.identity),
            "name": backend.name,
            "compute_type": backend.compute_type,
            "pid": os.getpid(),
            "host": socket.gethostname(),
        }

    def translate(self, texts: list[str], beams: int) -> list[Any]:
        """One token-sized batch through the model (outputs in order)."""
        assert self.translator is not None
        outputs: list[Any] = self.translator.backend.translate(texts, beams)
        return outputs


@dataclass
class ActorPoolBackend:
    """A :class:`~pipeline.translate.translator.Backend` whose batches run on Ray actors, several
    at once.

    ``translate_batches`` keeps ``CALLS_PER_ACTOR`` batches in flight per actor and yields
    the outputs in batch order.
    """

    actors: list[Any]
    name: str
    compute_type: str
    descriptions: list[dict[str, Any]]

    def translate(self, texts: list[str], beams: int) -> list[Any]:
        return next(iter(self.translate_batches([texts], beams)))

    def translate_batches(
        self, batches: Iterable[list[str]], beams: int
    ) -> Iterator[list[Any]]:
        ray = import_ray()
        window = CALLS_PER_ACTOR * len(self.actors)
        in_flight: deque[Any] = deque()
        for number, texts in enumerate(batches):
            if len(in_flight) >= window:
                yield self._get(ray, in_flight.popleft())
            actor = self.actors[number % len(self.actors)]
            in_flight.append(actor.translate.remote(texts, beams))
        while in_flight:
            yield self._get(ray, in_flight.popleft())

    def _get(self, ray: Any, ref: Any) -> list[Any]:
        try:
            outputs: list[Any] = ray.get(ref)
            return outputs
        except ray.exceptions.RayError as error:
            raise DaenError(
                f"a translation actor failed after {ACTOR_RESTARTS} restarts "
                f"({type(error).__name__})"
            ) from None

    def pids(self) -> list[int]:
        """The actors' current process ids (after a restart, the new ones)."""
        ray = import_ray()
        return [d["pid"] for d in ray.get([a.describe.remote() for a in self.actors])]

    def close(self) -> None:
        ray = import_ray()
        for actor in self.actors:
            ray.kill(actor, no_restart=True)
        self.actors = []


def actor_plan(session: RaySession, threads: int | None) -> tuple[int, dict[str, Any]]:
    """How many translation actors, and the resources of each: one GPU per actor when the
    cluster has GPUs; otherwise ``threads`` CPUs each (default up to 4), leaving a CPU free
    for the cleanup tasks.

    >>> actor_plan(RaySession("x", False, {"CPU": 2.0}), None)
    (1, {'num_cpus': 1})
    >>> actor_plan(RaySession("x", False, {"CPU": 32.0, "GPU": 4.0}), None)
    (4, {'num_cpus': 1, 'num_gpus': 1})
    >>> actor_plan(RaySession("x", False, {"CPU": 17.0}), None)
    (4, {'num_cpus': 4})
    """
    if session.gpus:
        return session.gpus, {"num_cpus": 1, "num_gpus": 1}
    per_actor = threads or max(1, min(4, session.cpus // 2))
    return max(1, (session.cpus - 1) // per_actor), {"num_cpus": per_actor}


def load_ray_translator(
    session: RaySession, settings: TranslatorSettings, *, actors: int | None = None
) -> Translator:
    """A :class:`~pipeline.translate.translator.Translator` on the driver (with the cache) whose
    model
    calls run on an actor pool (:func:`actor_plan`, or ``actors`` of them); raises
    :class:`ModelUnavailableError` when the actors cannot load the model (the message names
    the node) or load another one than the driver sees."""
    ray = import_ray()
    from dataclasses import replace

    from pipeline.translate.translator import load_translator

    count, resources = actor_plan(session, settings.threads)
    on_actor = replace(
        settings, cache=False, threads=settings.threads or resources.get("num_cpus", 1),
        device="cuda" if session.gpus and settings.device == "auto" else settings.device,
    )
    actor_class = ray.remote(TranslatorActor).options(
        max_restarts=ACTOR_RESTARTS, max_task_retries=ACTOR_RESTARTS, **resources
    )
    handles = [actor_class.remote(on_actor) for _ in range(actors or count)]
    pool = ActorPoolBackend(handles, "", "", [])
    try:
        try:
            pool.descriptions = ray.get([h.describe.remote() for h in handles])
        except ray.exceptions.RayError as error:
            raise ModelUnavailableError(
                f"the translation actors could not start ({type(error).__name__}: {error})"
            ) from None
        first = pool.descriptions[0]
        failed = [d for d in pool.descriptions if d.get("error")]
        if failed:
            raise ModelUnavailableError(f"on node {failed[0]['host']}: {failed[0]['error']}")
        identities = {repr(sorted(d["identity"].items())) for d in pool.descriptions}
        if len(identities) > 1:
            raise ModelUnavailableError(
                "the translation actors loaded different models or backends "
                f"({'; '.join(sorted(identities))}); give every node the same model and hardware"
            )
        pool.name, pool.compute_type = first["name"], first["compute_type"]
        driver = load_translator(settings, engine=pool)
        if driver.identity != first["identity"]:
            raise ModelUnavailableError(
                f"the model on the cluster ({first['identity']}) is not the driver's "
                f"({driver.identity}); give every node the same model files"
            )
    except BaseException:
        pool.close()
        raise
    return driver
