"""Library functions behind the CLI commands that work file by file (normalize, fix, clean).

Each returns results and errors instead of printing, so the commands stay thin and the
functions can be tested without a terminal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.discover import ARTICLE_SUFFIXES, ORIGINAL_SUFFIX
from pipeline.document import Article
from pipeline.errors import InputError
from pipeline.normalize import NormalizeConfig, normalize_article
from pipeline.reader import read_article

Stage = Callable[[Article], Article]


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


def iter_inputs(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """Each input file with its output name: a file keeps its own name; a folder's files
    (``.txt`` and ``.md``, recursively) keep their path relative to that folder.

    In a folder, English originals (``NAME.en.txt``, see :mod:`pipeline.qa`) are not articles.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in ARTICLE_SUFFIXES
                    and not child.name.lower().endswith(ORIGINAL_SUFFIX)
                ):
                    yield child, child.relative_to(path).as_posix()
        else:
            yield path, path.name


def process_files(
    paths: Iterable[Path], stages: list[Stage]
) -> Iterator[FileResult]:
    """Read each input and run the stages over it; a bad file becomes an error result."""
    for source, name in iter_inputs(paths):
        try:
            article = read_article(source, relative_name=name)
        except InputError as error:
            yield FileResult(source, name, error=error)
            continue
        for stage in stages:
            article = stage(article)
        yield FileResult(source, name, article=article)


def normalize_stage(config: NormalizeConfig | None = None) -> Stage:
    return lambda article: normalize_article(article, config)


def fix_stage(rules: object) -> Stage:
    """The fix stage with rules loaded once (:func:`pipeline.fix.load_fix_rules`)."""
    from pipeline.fix import FixRules, fix_article

    assert isinstance(rules, FixRules)
    return lambda article: fix_article(article, rules)
