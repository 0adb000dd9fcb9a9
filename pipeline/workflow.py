"""The file-by-file commands (normalize, fix, clean, translate): the stages over files named
on the command line, with results and errors returned instead of printed.

They are the path of ``daen run`` with fewer stages and outputs: :func:`pipeline.discover.
discover_paths` finds the files, :func:`pipeline.discover.read_source` reads them,
:class:`pipeline.stages.Stages` runs the per-article stages, and :mod:`pipeline.records`
renders what is written.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pipeline.discover import discover_paths, read_source
from pipeline.document import Article
from pipeline.errors import InputError
from pipeline.fsutil import write_atomic
from pipeline.reader import article_from_bytes

if TYPE_CHECKING:
    from pipeline.settings import Settings
    from pipeline.stages import Stages
    from pipeline.translate import TextTranslator


@dataclass
class FileResult:
    source: Path
    name: str  # output name, relative
    article: Article | None = None
    error: InputError | None = None


@dataclass
class Summary:
    """Counts of edits and flags by (stage, rule id), over a set of articles."""

    edits: Counter[tuple[str, str]] = field(default_factory=Counter)
    flags: Counter[tuple[str, str]] = field(default_factory=Counter)
    articles: int = 0
    failed: int = 0

    def add(self, article: Article) -> None:
        self.articles += 1
        for _, edit in article.edits():
            self.edits[(edit.stage, edit.rule_id)] += 1
        for flag in article.all_flags():
            self.flags[(flag.stage, flag.rule_id)] += 1

    def lines(self) -> list[str]:
        lines = [
            f"{self.articles} article(s), {sum(self.edits.values())} edit(s), "
            f"{sum(self.flags.values())} flag(s)"
            + (f", {self.failed} failed" if self.failed else "")
        ]
        for (stage, rule_id), count in sorted(self.edits.items(), key=lambda i: (-i[1], i[0])):
            lines.append(f"  edit  {stage:<10} {rule_id:<40} {count:>6}")
        for (stage, rule_id), count in sorted(self.flags.items(), key=lambda i: (-i[1], i[0])):
            lines.append(f"  flag  {stage or '-':<10} {rule_id:<40} {count:>6}")
        if self.flags:
            from pipeline.kinds import flag_kind

            kinds: Counter[str] = Counter()
            for (_, rule_id), count in self.flags.items():
                kinds[flag_kind(rule_id)] += count
            lines.append("flags by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
        return lines


def process_files(paths: Iterable[Path], stages: Stages) -> Iterator[FileResult]:
    """Read each input and run the per-article stages over it; a bad file becomes an error
    result (named as given on the command line)."""
    stages.load()
    for source in discover_paths(paths):
        try:
            data, _ = read_source(source.path, str(source.path))
            article = article_from_bytes(data, str(source.path))
        except InputError as error:
            yield FileResult(source.path, source.relative, error=error)
            continue
        article.path = source.relative
        yield FileResult(source.path, source.relative, article=stages.clean(article))


def translate_files(
    results: list[FileResult],
    translator: TextTranslator,
    progress: Callable[[int], None] | None = None,
) -> None:
    """The translate stage over read files: every sentence of every article at once (batched
    across files)."""
    from pipeline.translate import translate_articles

    translate_articles([r.article for r in results if r.article is not None], translator, progress)


@dataclass
class FileReport:
    """What a file-by-file command has to say: notes (``--explain``), errors and summary."""

    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)


def explain_lines(result: FileResult) -> list[str]:
    """Every edit and flag of one article, with its rule id and reason."""
    lines: list[str] = []
    if result.article is None:
        return lines
    for sentence in result.article.sentences():
        for edit in sentence.edits:
            lines.append(
                f"{result.name}: edit {edit.rule_id}: {edit.before!r} -> {edit.after!r}"
                f" ({edit.reason})"
            )
        for flag in sentence.flags:
            lines.append(
                f"{result.name}: flag {flag.rule_id}: "
                f"{sentence.text[flag.start:flag.end]!r} ({flag.reason})"
                + (f" suggest {flag.suggestion!r}" if flag.suggestion else "")
            )
    return lines


def run_files(
    command: str,
    paths: Iterable[Path],
    settings: Settings,
    output: Path | None,
    *,
    explain: bool = False,
    stdout: TextIO | None = None,
) -> FileReport:
    """``daen normalize``/``fix``/``clean``: the command's stages over each file; the cleaned
    text goes to ``output/<name>`` (written atomically, never over its input) or to stdout."""
    from pipeline.stages import COMMAND_STAGES, Stages

    report = FileReport()
    summary = Summary()
    for result in process_files(paths, Stages(settings, COMMAND_STAGES[command])):
        if explain:
            report.notes += explain_lines(result)
        if result.error is not None:
            report.errors.append(str(result.error))
            summary.failed += 1
            continue
        assert result.article is not None
        summary.add(result.article)
        if output is None:
            (stdout or sys.stdout).write(result.article.text)
            continue
        target = output / result.name
        if target.resolve() == result.source.resolve():
            report.errors.append(
                f"{result.name}: output would overwrite the input; choose another -o"
            )
            summary.failed += 1
            continue
        write_atomic(target, result.article.text)
    report.summary = summary.lines()
    return report


def translate_command(
    paths: Iterable[Path],
    settings: Settings,
    output: Path | None,
    progress_bar: Callable[[int], AbstractContextManager[Callable[[int], None]]],
    *,
    stdout: TextIO | None = None,
) -> FileReport:
    """``daen translate``: read every file, translate them all at once (batched across files),
    then write ``NAME.en.txt`` and the record ``NAME.json`` per file to ``output`` (or the
    English to stdout). ``progress_bar(total)`` gives the progress callback."""
    from pipeline.batch import load_model_translator
    from pipeline.records import record_text
    from pipeline.render.text import english_text
    from pipeline.stages import COMMAND_STAGES, Stages
    from pipeline.translate import Translator, summary_lines

    results = list(process_files(paths, Stages(settings, COMMAND_STAGES["translate"])))
    articles = [r.article for r in results if r.article is not None]
    translator = load_model_translator(settings)
    total = sum(1 for a in articles for _ in a.sentences())
    with progress_bar(total) as progress:
        translate_files(results, translator, progress)
    close = getattr(translator, "close", None)
    if close is not None:
        close()
    report = FileReport()
    for result in results:
        if result.error is not None or result.article is None:
            report.errors.append(str(result.error))
            continue
        if output is None:
            (stdout or sys.stdout).write(english_text(result.article))
            continue
        stem = result.name.rsplit(".", 1)[0] if "." in result.name else result.name
        write_atomic(output / f"{stem}.en.txt", english_text(result.article))
        write_atomic(output / f"{stem}.json", record_text(result.article))
    done = [s.translation for a in articles for s in a.sentences() if s.translation]
    if isinstance(translator, Translator):
        report.summary = summary_lines(done, translator)
    return report
