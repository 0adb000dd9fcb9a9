"""The file-by-file commands (normalize, fix, clean, translate): the stages over files named
on the command line, with results and errors returned instead of printed.

They are the path of ``daen run`` with fewer stages and outputs: :func:`pipeline.run.discover.
discover_paths` finds the files, :func:`pipeline.run.discover.read_source` reads them,
:class:`pipeline.run.stages.Stages` runs the per-article stages, and :mod:`pipeline.run.records`
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

from pipeline.document import Article
from pipeline.errors import InputError, RunInterrupted
from pipeline.fsutil import write_atomic
from pipeline.render.text import english_text
from pipeline.run.discover import ORIGINAL_SUFFIX, discover_paths, name_overflow, read_source
from pipeline.run.records import record_text
from pipeline.run.stages import Stages, load_model_translator
from pipeline.stagespec import COMMAND_STAGES
from pipeline.translate.translator import Translator, summary_lines, translate_articles

if TYPE_CHECKING:
    from pipeline.settings import Settings
    from pipeline.translate.translator import TextTranslator


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
            from pipeline.registry import kind_of  # loads every stage's declarations

            kinds: Counter[str] = Counter()
            for (_, rule_id), count in self.flags.items():
                kinds[kind_of(rule_id).name] += count
            lines.append("flags by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
        return lines


def process_files(
    paths: Iterable[Path], stages: Stages, refused: dict[Path, str] | None = None
) -> Iterator[FileResult]:
    """Read each input and run the per-article stages over it; a bad file becomes an error
    result (named as given on the command line), as does one ``refused`` names."""
    stages.load()
    for source in discover_paths(paths):
        if refused and source.path in refused:
            problem = refused[source.path]
            yield FileResult(source.path, source.relative, error=InputError(str(source.path),
                                                                            problem))
            continue
        try:
            data, _ = read_source(source.path, str(source.path))
            article = stages.read(data, str(source.path))
        except InputError as error:
            yield FileResult(source.path, source.relative, error=error)
            continue
        article.path = source.relative
        yield FileResult(source.path, source.relative, article=stages.clean(article))


def output_names(command: str, name: str) -> list[str]:
    """The files a command writes for an input named ``name`` (relative to ``-o``).

    >>> output_names("clean", "sub/a.txt"), output_names("translate", "sub/a.txt")
    (['sub/a.txt'], ['sub/a.en.txt', 'sub/a.json'])
    """
    if command != "translate":
        return [name]
    stem = name.rsplit(".", 1)[0] if "." in name.rsplit("/", 1)[-1] else name
    return [f"{stem}{ORIGINAL_SUFFIX}", f"{stem}.json"]


def refuse_collisions(command: str, paths: Iterable[Path], output: Path) -> dict[Path, str]:
    """Inputs whose outputs cannot be written to ``output``: input path -> why.

    An output may not overwrite any input, nor another input's output (names compared
    ignoring case, as on a case-insensitive disk), nor (``translate``) stand where an input's
    English original ``NAME.en.txt`` is read from; and its name must fit in a folder.
    """
    sources = list(discover_paths(paths))
    inputs = {_real(s.path) for s in sources}
    refused: dict[Path, str] = {}
    owners: dict[str, list[Path]] = {}
    for source in sources:
        for name in output_names(command, source.relative):
            if (longest := name_overflow(name, ("",))) is not None:
                refused[source.path] = f"the output name {longest} would be too long; shorten it"
                break
            target = _real(output / name)
            owners.setdefault(str(target).casefold(), []).append(source.path)
            if target in inputs:
                refused[source.path] = f"its output {output / name} would overwrite an input"
            elif name.endswith(ORIGINAL_SUFFIX) and target.parent == _real(source.path).parent:
                refused[source.path] = (
                    f"its output {output / name} would overwrite (or become) the article's "
                    "English original beside it; choose another -o"
                )
    for group in owners.values():
        unique = sorted(set(group))
        if len(unique) > 1:
            for path in unique:
                refused.setdefault(path, (
                    "its output would have the same name as that of another input ("
                    + ", ".join(str(p) for p in unique) + "); write them to separate folders"
                ))
    return refused


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _write(target: Path, text: str, output: Path) -> str | None:
    """Write one output (atomically, never through a link under ``output``); the error."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text, root=output)
    except OSError as error:
        return f"{target}: cannot be written ({error.strerror or error})"
    return None


def translate_files(
    results: list[FileResult],
    translator: TextTranslator,
    progress: Callable[[int], None] | None = None,
) -> None:
    """The translate stage over read files: every sentence of every article at once (batched
    across files)."""
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
    report = FileReport()
    summary = Summary()
    paths = list(paths)
    refused = refuse_collisions(command, paths, output) if output is not None else {}
    stages = Stages(settings, COMMAND_STAGES[command])
    report.notes += [f"warning: {notice}" for notice in stages.notices()]
    try:
        for result in process_files(paths, stages, refused):
            _one_file(result, output, report, summary, explain=explain, stdout=stdout)
    except KeyboardInterrupt:
        raise RunInterrupted(
            f"interrupted after {summary.articles} article(s); those written are complete; "
            "run the command again for the rest"
        ) from None
    report.summary = summary.lines()
    return report


def _one_file(
    result: FileResult,
    output: Path | None,
    report: FileReport,
    summary: Summary,
    *,
    explain: bool,
    stdout: TextIO | None,
) -> None:
    """Report one article of ``run_files`` and write it."""
    if explain:
        report.notes += explain_lines(result)
    if result.error is not None:
        report.errors.append(str(result.error))
        summary.failed += 1
        return
    assert result.article is not None
    summary.add(result.article)
    if output is None:
        (stdout or sys.stdout).write(result.article.text)
        return
    problem = _write(output / result.name, result.article.text, output)
    if problem is not None:
        report.errors.append(problem)
        summary.failed += 1


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
    paths = list(paths)
    refused = refuse_collisions("translate", paths, output) if output is not None else {}
    results = list(process_files(paths, Stages(settings, COMMAND_STAGES["translate"]), refused))
    articles = [r.article for r in results if r.article is not None]
    report = FileReport()
    if not articles:  # nothing to translate: the model is not even loaded
        report.errors += [str(r.error) for r in results]
        return report
    translator = load_model_translator(settings)
    total = sum(1 for a in articles for _ in a.sentences())
    try:
        with progress_bar(total) as progress:
            translate_files(results, translator, progress)
    except KeyboardInterrupt:
        raise RunInterrupted(
            "interrupted while translating; nothing was written; run the command again"
        ) from None
    close = getattr(translator, "close", None)
    if close is not None:
        close()
    for result in results:
        if result.error is not None or result.article is None:
            report.errors.append(str(result.error))
            continue
        if output is None:
            (stdout or sys.stdout).write(english_text(result.article))
            continue
        english, record = output_names("translate", result.name)
        for name, text in ((english, english_text(result.article)),
                           (record, record_text(result.article))):
            problem = _write(output / name, text, output)
            if problem is not None:
                report.errors.append(problem)
                break
    done = [s.translation for a in articles for s in a.sentences() if s.translation]
    if isinstance(translator, Translator):
        report.summary = summary_lines(done, translator)
    return report
