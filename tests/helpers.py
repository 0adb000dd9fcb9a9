"""Helpers more than one test module uses: a reporter that records, and ``run_batch`` with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.run.batch import BatchResult, Outcome, run_batch
from pipeline.settings import Settings
from pipeline.translate.translator import FakeTranslator


class Recorder:
    """A reporter that keeps what it is told."""

    def __init__(self) -> None:
        self.started: tuple[int, int] | None = None
        self.sentences = 0
        self.articles = 0
        self.outcomes: list[Outcome] = []
        self.warnings: list[str] = []

    def start(self, articles: int, sentences: int) -> None:
        self.started = (articles, sentences)

    def advance(self, *, sentences: int = 0, articles: int = 0) -> None:
        self.sentences += sentences
        self.articles += articles

    def article(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def finish(self) -> None:
        pass


def run(
    src: Path, out: Path, translator: Any = None, **options: Any
) -> tuple[BatchResult, Recorder]:
    """``run_batch`` with settings from ``options``, the fake translator by default, and a
    :class:`Recorder` as the reporter."""
    recorder = Recorder()
    result = run_batch(
        src, out, Settings.from_options(**options),
        translator=translator or FakeTranslator(), reporter=recorder,
    )
    return result, recorder


def statuses(result: BatchResult) -> dict[str, str]:
    return {o.source: o.status for o in result.outcomes}
