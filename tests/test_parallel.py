"""Cleanup on all cores (`daen run --jobs N`): same outputs as one process, crashes contained.

The worker functions below live at module level: the pool spawns fresh interpreters, which
import them from this module by name.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_outputs import article_entries, comparable_outputs
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.run import parallel
from pipeline.run.batch import run_batch
from pipeline.run.parallel import CleanJob, CleanSpec, clean_many, ordered_map
from pipeline.settings import Settings
from pipeline.translate.translator import FakeTranslator

pytestmark = pytest.mark.process  # worker processes (--jobs)

ARTICLE = (
    "vi ved alle, at kunden er vigtig nummer {n}. Det er ‘trend’ – og Dominos ved det.\n\n"
    "en ny overskrift {n}\n\n"
    "mange virksomheder taler om kunden i {year}. Få gør noget ved det. Hvad mere er, så "
    "er det ikke et stykke kage.\n"
)


def _square_or_die(n: int) -> int:
    """Squares; item 5 exits the worker, item 8 kills it with SIGKILL."""
    if n == 5:
        os._exit(3)
    if n == 8:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.002 * (n % 4))  # finish out of order
    return n * n


def _die_once(item: tuple[int, str]) -> int:
    """Dies the first time it sees item 3 (a worker killed from outside), then works."""
    n, marker = item
    if n == 3 and not os.path.exists(marker):
        Path(marker).write_text("died once")
        os.kill(os.getpid(), signal.SIGKILL)
    return n + 100


def _crashed(item: object, why: str) -> str:
    return f"crashed {item}: {why}"


class CrashingBytes(bytes):
    """Input bytes whose decoding kills the process cleaning them (a native-library crash)."""

    def __contains__(self, part: Any) -> bool:
        os._exit(7)


def _corpus(folder: Path, count: int) -> Path:
    for n in range(count):
        path = folder / f"del{n % 3}" / f"artikel-{n:02d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ARTICLE.format(n=n, year=1990 + n), encoding="utf-8")
    (folder / "tom.txt").write_text("  \n", encoding="utf-8")  # fails: empty
    (folder / "binær.txt").write_bytes(b"\x00\x01\x02" * 50)  # fails: not text
    return folder


def test_results_come_in_order_and_a_crash_costs_only_its_item() -> None:
    results = list(ordered_map(_square_or_die, range(14), workers=2, crashed=_crashed,
                               window=6))
    expected: list[object] = [n * n for n in range(14)]
    expected[5] = "crashed 5: exit code 3"
    expected[8] = "crashed 8: killed by signal SIGKILL"
    assert results == expected


def test_items_are_taken_lazily_a_window_ahead() -> None:
    taken: list[int] = []

    def items() -> Iterator[int]:
        for n in range(40):
            taken.append(n)
            yield n

    results = ordered_map(_square_or_die, (n for n in items() if n not in (5, 8)),
                          workers=2, crashed=_crashed, window=4)
    assert next(results) == 0
    assert len(taken) <= 4 + 2  # the window (items 5 and 8 are skipped by the filter)
    assert list(results)[-1] == 39 * 39


def test_a_worker_killed_once_is_retried(tmp_path: Path) -> None:
    marker = str(tmp_path / "marker")
    items = [(n, marker) for n in range(8)]
    assert list(ordered_map(_die_once, items, workers=2, crashed=_crashed)) == [
        n + 100 for n in range(8)
    ]
    assert Path(marker).exists()  # it did die once


def _spec() -> CleanSpec:
    settings = Settings()
    return CleanSpec.of_run(settings, settings.rules())


def test_cleaning_in_two_processes_matches_one_and_contains_a_crash(tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "in", 10)
    jobs = [
        CleanJob(p.relative_to(folder).as_posix(), str(p), p.read_bytes())
        for p in sorted(folder.rglob("*.txt"))
    ]
    spec = _spec()
    alone = list(clean_many(jobs, spec, workers=1))
    crash = CleanJob("knust.txt", "knust.txt", CrashingBytes(b"hej"))
    both = list(clean_many([*jobs[:4], crash, *jobs[4:]], spec, workers=2))

    assert [c.relative for c in both] == [j.relative for j in [*jobs[:4], crash, *jobs[4:]]]
    crashed = both.pop(4)
    assert crashed.article is None and crashed.error is not None
    assert crashed.error.startswith("knust.txt: the worker process cleaning this article died")
    assert "exit code 7" in crashed.error
    assert {c.worker for c in both} - {os.getpid()}, "cleaned in worker processes"
    assert all(c.worker != os.getpid() for c in both)
    for one, two in zip(alone, both, strict=True):
        assert (one.relative, one.digest, one.error) == (two.relative, two.digest, two.error)
        assert (one.article and one.article.to_dict()) == (two.article and two.article.to_dict())
    assert sum(c.error is not None for c in alone) == 2  # the empty and the binary file


def test_run_with_two_jobs_writes_the_same_bytes_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "MIN_ARTICLES_PER_WORKER", 2)  # two workers for 14 articles
    pools: list[int] = []
    real_map = parallel.ordered_map

    def counted_map(*args: Any, **kwargs: Any) -> Any:
        pools.append(kwargs["workers"])
        return real_map(*args, **kwargs)

    monkeypatch.setattr(parallel, "ordered_map", counted_map)
    folder = _corpus(tmp_path / "in", 12)
    results = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        result = run_batch(
            folder, out, Settings.from_options(jobs=jobs), translator=FakeTranslator()
        )
        results[jobs] = [(o.source, o.status, o.message) for o in result.outcomes]
    assert pools == [2]  # jobs 1 cleaned in this process, jobs 2 in two workers
    assert results[1] == results[2]
    assert sum(status == "failed" for _, status, _ in results[1]) == 2
    assert comparable_outputs(tmp_path / "out1") == comparable_outputs(tmp_path / "out2")
    assert article_entries(tmp_path / "out1") == article_entries(tmp_path / "out2")


@pytest.mark.parametrize("value", ["0", "-2"])
def test_cli_jobs_must_be_positive(tmp_path: Path, value: str) -> None:
    result = CliRunner().invoke(app, ["run", str(tmp_path), "--jobs", value])
    assert result.exit_code == 2
    assert "--jobs" in result.output


def test_a_broken_rule_table_stops_a_run_with_workers_before_any_article_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.errors import RuleTableError

    monkeypatch.setattr(parallel, "MIN_ARTICLES_PER_WORKER", 2)  # two workers for 14 articles
    pools: list[int] = []
    real_map = parallel.ordered_map

    def counted_map(*args: Any, **kwargs: Any) -> Any:
        pools.append(kwargs["workers"])
        return real_map(*args, **kwargs)

    monkeypatch.setattr(parallel, "ordered_map", counted_map)
    data = tmp_path / "data"
    data.mkdir()
    (data / "phrases.tsv").write_text(
        "id\tpattern\taction\treplacement\treason\tsource\nx\t(unclosed\tflag\t\tr\ts\n",
        encoding="utf-8",
    )
    settings = Settings.from_options(jobs=2, data=str(data))
    with pytest.raises(RuleTableError, match=r"phrases.tsv:2:"):
        run_batch(_corpus(tmp_path / "in", 12), tmp_path / "out", settings,
                  translator=FakeTranslator())
    assert pools == [2], "the rules were loaded in the workers, not in the driver"
    assert not list((tmp_path / "out").rglob("artikel-*"))


def test_workers_clean_up_to_ahead_articles_before_the_caller_takes_more(tmp_path: Path) -> None:
    taken: list[int] = []

    def jobs() -> Iterator[CleanJob]:
        for n in range(100):
            taken.append(n)
            yield CleanJob(f"a{n}.txt", "", f"Artikel nummer {n}. det regner.\n".encode())

    results = clean_many(jobs(), _spec(), workers=2, ahead=40)
    first = next(results)
    assert first.relative == "a0.txt" and first.article is not None
    assert len(taken) == 40  # ten calls of four articles handed out, no more
    rest = list(results)
    assert [c.relative for c in rest] == [f"a{n}.txt" for n in range(1, 100)]
