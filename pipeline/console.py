"""``daen run`` on a terminal: the progress bar, the end-of-run summary, and the exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pipeline.run.batch import BatchResult, Outcome, run_batch
from pipeline.run.manifest import INDEX
from pipeline.settings import Settings


class ConsoleReporter:
    """A rich progress bar (articles, sentences, ETA) on stderr when it is a terminal.

    Quiet when stderr is not a terminal or ``quiet`` is set; ``verbose`` prints one line per
    article. Warnings and failures are always printed.
    """

    def __init__(self, *, quiet: bool = False, verbose: bool = False) -> None:
        self._console: Any = None  # rich is imported only when something is shown
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.progress: Any = None
        self.task: Any = None
        self.articles_done = 0
        self.articles_total = 0

    @property
    def console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True, highlight=False)
        return self._console

    def start(self, articles: int, sentences: int) -> None:
        self.articles_total = articles
        if self.quiet or not articles or not sys.stderr.isatty() or not self.console.is_terminal:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[articles]} articles"),
            MofNCompleteColumn(),
            TextColumn("sentences"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self.progress.start()
        self.task = self.progress.add_task(
            "daen run", total=max(sentences, 1), articles=f"0/{articles}"
        )

    def advance(self, *, sentences: int = 0, articles: int = 0) -> None:
        self.articles_done += articles
        if self.progress is not None:
            self.progress.update(
                self.task, advance=sentences,
                articles=f"{self.articles_done}/{self.articles_total}",
            )

    def article(self, outcome: Outcome) -> None:
        if outcome.status == "failed":
            self._print(f"[red]Failed:[/red] {_markup_safe(outcome.message)}")
        elif self.verbose:
            self._print(f"{outcome.status:<9} {_markup_safe(outcome.source)}")

    def warn(self, message: str) -> None:
        self._print(f"[yellow]Warning:[/yellow] {_markup_safe(message)}")

    def finish(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def _print(self, markup: str) -> None:
        console = self.progress.console if self.progress is not None else self.console
        console.print(markup, soft_wrap=True)


def _markup_safe(text: str) -> str:
    from rich.markup import escape

    from pipeline.errors import printable

    return escape(printable(text))


def print_summary(result: BatchResult, *, verbose: bool = False) -> None:
    """The end-of-run table on stdout: one row per article (failed ones first in attention)."""
    from rich.console import Console
    from rich.table import Table

    # Piped output gets lines long enough for the whole table instead of 80 columns.
    console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
    table = Table(title=_markup_safe(f"daen run → {result.output}"), title_justify="left")
    longest = max((len(o.source) for o in result.outcomes), default=10)
    table.add_column("article", overflow="fold", min_width=min(longest, 40))
    for column in ("sentences", "edits", "flags", "check"):
        table.add_column(column, justify="right")
    table.add_column("English")
    table.add_column("this run")
    for outcome in result.outcomes:
        if outcome.status == "failed":
            continue
        c = outcome.counts
        table.add_row(
            _markup_safe(outcome.source), str(c.get("sentences", "")), str(c.get("edits", "")),
            str(c.get("flags", "")), str(c.get("low_confidence", "")), outcome.translation,
            "updated" if outcome.status == "done" else "unchanged",
        )
    for outcome in result.failed:
        table.add_row(_markup_safe(outcome.source), "", "", "", "", "", "[red]failed[/red]")
    console.print(table)
    done = sum(1 for o in result.outcomes if o.status == "done")
    unchanged = sum(1 for o in result.outcomes if o.status == "unchanged")
    line = (
        f"{len(result.outcomes)} article(s): {done} updated, {unchanged} unchanged, "
        f"{len(result.failed)} failed; {len(result.skipped)} other file(s) skipped; "
        f"{result.seconds:.1f} s. Open {result.output / INDEX}"
    )
    console.print(_markup_safe(line))
    if verbose:
        for skipped in result.skipped:
            console.print(_markup_safe(f"skipped {skipped.path}: {skipped.reason}"))


def run_command(
    input_dir: Path,
    output_dir: Path,
    settings: Settings,
    *,
    quiet: bool = False,
    verbose: bool = False,
    fake_translator_delay: float | None = None,
) -> int:
    """``daen run``: the batch with a progress bar, the summary, and the exit code.

    Exit code 1 when any article failed (or, with ``require_translation``, when the model was
    unavailable); 0 otherwise. Warnings are shown as they come; a missing model is reported
    once, at the end, on the same channel.
    """
    translator = None
    if fake_translator_delay is not None:
        from pipeline.translate.translator import FakeTranslator

        translator = FakeTranslator(fake_translator_delay)
    reporter = ConsoleReporter(quiet=quiet, verbose=verbose)
    try:
        result = run_batch(
            input_dir, output_dir, settings, translator=translator, reporter=reporter
        )
    finally:
        reporter.finish()
    if not quiet:
        print_summary(result, verbose=verbose)
    if result.failed:
        reporter.console.print(
            f"[red]{len(result.failed)} article(s) failed[/red] (listed above and in "
            f"{_markup_safe(str(result.output / INDEX))}).", soft_wrap=True,
        )
    if result.translation_error:
        reporter.warn(
            "back-translation missing (the cleanup outputs were written): "
            f"{result.translation_error}"
        )
        if settings.run.require_translation:
            return 1
    return result.exit_code
