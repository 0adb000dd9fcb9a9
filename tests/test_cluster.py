"""`daen run --ray`: on a local 2-CPU Ray cluster, with the tiny trained Marian model.

Checked: the outputs are byte-identical to a local run; a second run skips everything; a
translation actor and cleanup workers killed mid-run change nothing; the driver's cache gets
every translation. Without Ray installed, ``--ray`` says in one line how to install it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TinyMarian
from run_outputs import article_entries, comparable_outputs

from pipeline.run.batch import NullReporter, run_batch
from pipeline.run.parallel import CleanJob, CleanSpec, clean_many
from pipeline.settings import Settings
from pipeline.translate.cache import TranslationCache, cache_key

ray = pytest.importorskip("ray")

from pipeline.run import cluster  # noqa: E402  (needs ray)

pytestmark = [pytest.mark.slow, pytest.mark.ray]
ROOT = Path(__file__).resolve().parent.parent
BATCH_TOKENS = 16


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[None]:
    """One local Ray cluster with 2 CPUs for the whole session."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}})
    yield
    ray.shutdown()


def _corpus(folder: Path, tiny: TinyMarian, count: int = 9) -> Path:
    sources = tiny.sources
    for n in range(count):
        picked = [sources[(n + k) % len(sources)] for k in range(3)]
        text = f"{picked[0]} {picked[1]}\n\n{picked[2]}\n"
        path = folder / f"del{n % 2}" / f"artikel-{n}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "tom.txt").write_text("\n", encoding="utf-8")  # fails alone, everywhere
    return folder


def _options(tiny: TinyMarian, **more: object) -> Settings:
    """Small batches (several model calls per run), one thread (the same sums everywhere)."""
    return Settings.from_options(
        model=str(tiny.path), backend="torch", threads=1, batch_tokens=BATCH_TOKENS, **more
    )


def _cache(folder: Path) -> TranslationCache:
    return TranslationCache(folder / "translations.sqlite3")


class KillActorsOnce(NullReporter):
    """Kills every translation actor's process (SIGKILL) after the first finished batch."""

    def __init__(self) -> None:
        self.killed: list[int] = []

    def advance(self, *, sentences: int = 0, articles: int = 0) -> None:
        if sentences and not self.killed:
            for pid in _ray_workers("TranslatorActor"):
                os.kill(pid, signal.SIGKILL)
                self.killed.append(pid)


def test_ray_run_matches_local_run_skips_and_survives_killed_actors(
    ray_cluster: None, tiny_marian: TinyMarian, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _corpus(tmp_path / "in", tiny_marian)
    caches = {name: tmp_path / f"cache-{name}" for name in ("local", "ray", "killed")}

    monkeypatch.setenv("DAEN_CACHE_DIR", str(caches["local"]))
    local = run_batch(folder, tmp_path / "local", _options(tiny_marian, jobs=1))
    monkeypatch.setenv("DAEN_CACHE_DIR", str(caches["ray"]))
    killer = KillActorsOnce()  # the translation actor dies mid-run: restarted, calls retried
    on_ray = run_batch(folder, tmp_path / "ray", _options(tiny_marian, ray="auto"),
                       reporter=killer)

    assert killer.killed, "no translation actor was found to kill"
    assert [(o.source, o.status, o.message) for o in on_ray.outcomes] == [
        (o.source, o.status, o.message) for o in local.outcomes
    ]
    assert [o.status for o in local.outcomes].count("failed") == 1
    assert on_ray.translation_error is None and not on_ray.warnings
    assert comparable_outputs(tmp_path / "ray") == comparable_outputs(tmp_path / "local")
    assert article_entries(tmp_path / "ray") == article_entries(tmp_path / "local")
    english = (tmp_path / "ray" / "del0" / "artikel-0.en.txt").read_text(encoding="utf-8")
    assert tiny_marian.expected[tiny_marian.sources[0]] in english

    # the driver's cache holds every sentence's translation, as the local run's does
    records = [json.loads(p.read_bytes()) for p in (tmp_path / "ray").rglob("artikel-*.json")]
    identity = records[0]["run"]["model"]
    texts = {
        s["text"] for r in records for p in r["paragraphs"] for s in p["sentences"]
    }
    with _cache(caches["ray"]) as ray_cache, _cache(caches["local"]) as local_cache:
        keys = [cache_key(identity, text) for text in texts]
        assert set(ray_cache.get_many(keys)) == set(keys)
        assert len(ray_cache) == len(local_cache) == len(texts)

    # a second run does nothing (and does not even join the cluster)
    again = run_batch(folder, tmp_path / "ray", _options(tiny_marian, ray="auto"))
    assert {o.status for o in again.outcomes} == {"unchanged", "failed"}


def _ray_workers(task: str) -> list[int]:
    """Process ids of Ray workers now running ``task`` (Ray sets the process title)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().split(b"\0")[0].decode()
            except OSError:
                continue
            if title.startswith(f"ray::{task}"):
                found.append(int(entry.name))
    return found


def _cleanup_spec() -> CleanSpec:
    settings = Settings()
    return CleanSpec.of_run(settings, settings.rules())


class DieOnceBytes(bytes):
    """Input bytes that kill the Ray worker cleaning them (SIGKILL), the first time only."""

    marker: str

    def __contains__(self, part: Any) -> bool:
        if not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()), encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)
        return part in bytes(self)


def test_cleanup_task_whose_worker_is_killed_is_retried(
    ray_cluster: None, tmp_path: Path
) -> None:
    text = (ROOT / "data" / "articles" / "kundefokus.txt").read_text(encoding="utf-8")
    jobs = [CleanJob(f"a{n}.txt", "", f"{text}\nLinje {n}.\n".encode()) for n in range(12)]
    doomed = DieOnceBytes(jobs[5].data or b"")
    doomed.marker = str(tmp_path / "killed")
    with_kill = [*jobs[:5], CleanJob("a5.txt", "", doomed), *jobs[6:]]
    spec = _cleanup_spec()

    on_ray = list(cluster.clean_many(with_kill, spec, session=cluster.connect("auto"),
                                     per_task=3))
    here = list(clean_many(jobs, spec, workers=1))
    killed_pid = int(Path(doomed.marker).read_text(encoding="utf-8"))  # it was killed
    assert [c.error for c in on_ray] == [None] * len(jobs)
    assert [c.article.to_dict() for c in on_ray if c.article] == [
        c.article.to_dict() for c in here if c.article
    ]
    assert on_ray[5].worker not in (killed_pid, os.getpid())  # cleaned again, elsewhere


def test_ray_option_without_ray_says_how_to_install(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Hej.\n", encoding="utf-8")
    hide = tmp_path / "no-ray" / "ray"
    hide.mkdir(parents=True)
    (hide / "__init__.py").write_text("raise ImportError('No module named ray')\n")
    env = {**os.environ, "PYTHONPATH": f"{hide.parent}{os.pathsep}{ROOT}"}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(tmp_path / "in"), "-o",
         str(tmp_path / "out"), "--ray", "auto", "--translator", "fake", "-q"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: {cluster.INSTALL_HINT}"
