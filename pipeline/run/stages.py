"""Running the declared stages (:mod:`pipeline.stagespec`): :class:`Stages` calls one command's
stages through their entry points, in the declared order, and loads what they need (the fix
rules) once; the chunk stages' adapters (:func:`translate_chunk`, :func:`qa_chunk`) and the
loading of the real translator are here too, as they need the run's things."""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pipeline import stagespec
from pipeline.errors import DaenError, UsageError
from pipeline.qa.check import check_originals
from pipeline.render import TranslationNote
from pipeline.stagespec import STAGE_NAMES, Scope, StageSpec, entry_point
from pipeline.translate.translator import load_translator, translate_articles

if TYPE_CHECKING:
    from pipeline.document import Article
    from pipeline.fix.stage import FixRules
    from pipeline.run.plan import Chunk
    from pipeline.settings import FixSettings, Settings
    from pipeline.translate.translator import TextTranslator

ArticleStep = tuple[Callable[["Article", Any], "Article"], Any]  # entry, its argument


@dataclass
class Stages:
    """The stages of one command (``names``) with their settings. The entry points are imported,
    and the fix rules (a dictionary takes a second or two) loaded, on first use, so a run with
    nothing to do loads neither."""

    settings: Settings
    names: tuple[str, ...] = STAGE_NAMES
    steps: list[ArticleStep] | None = field(default=None, repr=False)  # once loaded

    def __post_init__(self) -> None:
        unknown = set(self.names) - {spec.name for spec in stagespec.STAGES}
        if unknown:
            raise ValueError(f"unknown stage(s): {', '.join(sorted(unknown))}")

    def specs(self, scope: Scope) -> list[StageSpec]:
        """This command's stages of one scope, in the declared order (read when called, so
        a test may declare another list)."""
        return [s for s in stagespec.STAGES if s.scope == scope and s.name in self.names]

    def load(self) -> None:
        """Load what the per-article stages need (raises RuleTableError for a broken table)."""
        if self.steps is None:
            self.steps = [(entry_point(s.entry), self._argument(s)) for s in self.specs("article")]

    def _argument(self, spec: StageSpec) -> Any:
        part = getattr(self.settings, spec.config) if spec.config else None
        return entry_point(spec.prepare)(part) if spec.prepare else part

    def read(self, data: bytes, name: str) -> Article:
        """The ``file`` stage (read): an input's bytes as an article."""
        (spec,) = [s for s in stagespec.STAGES if s.scope == "file"]
        article: Article = entry_point(spec.entry)(data, name)
        return article

    def notices(self) -> tuple[str, ...]:
        """What the fix stage does without (a missing dictionary or analyser), one line each,
        for the command to show once; known without loading the rules."""
        if "fix" not in self.names:
            return ()
        from pipeline.fix.stage import fix_notices  # not at the top: see load_rules

        return fix_notices(self.settings.fix.dictionary)

    def clean(self, article: Article) -> Article:
        """Run the per-article stages after ``read`` over one article, in order."""
        self.load()
        assert self.steps is not None
        for stage, argument in self.steps:
            article = stage(article, argument)
        return article

    def chunk_steps(self) -> list[tuple[str, Callable[[Chunk, ChunkRun], None]]]:
        """The per-chunk stages of ``daen run``, by name, in order."""
        return [(s.name, entry_point(s.entry)) for s in self.specs("chunk")]


_RULES: dict[tuple[str, ...], FixRules] = {}


def load_rules(data_dir: Path | None, dictionary: Path | bool = True) -> FixRules:
    """The fix rules; within one process, rules from tables with the same content are reused
    (the only cache, keyed by the tables' names and content)."""
    # fix.stage is imported here, not at the top: a run with nothing to clean never loads it
    from pipeline.fix.stage import load_fix_rules, table_files

    files = table_files(data_dir, dictionary)
    key = tuple(f"{name}:{hashlib.sha256(path.read_bytes()).hexdigest()}"
                for name, path in sorted(files.items()))
    key += (str(data_dir), str(dictionary))
    if key not in _RULES:
        _RULES.clear()
        _RULES[key] = load_fix_rules(data_dir, dictionary)
        # The rules (a third of a million objects with the dictionary) live as long as the
        # process; left to the collector, every full collection walks them again, which made
        # building a large article's many small objects grow faster than linearly.
        gc.freeze()
    return _RULES[key]


def fix_rules(settings: FixSettings) -> FixRules:
    """The fix stage's argument (its ``prepare``): the rules its settings name."""
    return load_rules(settings.data_dir, settings.dictionary)


# --------------------------------------------------------------------------------------------
# The chunk stages of ``daen run``


class ChunkRun(Protocol):
    """What a chunk stage may use of the run (:class:`pipeline.run.batch._BatchRun`)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def input_dir(self) -> Path: ...
    @property
    def translator(self) -> TextTranslator | None: ...
    def warn(self, message: str) -> None: ...
    def advance(self, sentences: int) -> None: ...


def translate_chunk(chunk: Chunk, run: ChunkRun) -> None:
    """The translate stage over one chunk: one call for all its articles (the translator
    batches sentences across them). A failure costs the chunk its translations, and its
    note says why; the batch goes on."""
    if run.translator is None or not run.settings.run.translate:
        run.advance(chunk.sentences())
        return
    articles = chunk.articles()
    t0 = time.perf_counter()
    try:
        translate_articles(articles, run.translator, run.advance)
    except Exception as error:  # the chunk loses its translations, not the batch
        for article in articles:
            for sentence in article.sentences():
                sentence.translation = None
        detail = str(error) if isinstance(error, DaenError) else (
            f"{type(error).__name__}: {error}"
        )
        works = chunk.works
        run.warn(
            f"back-translation failed for {len(articles)} article(s) "
            f"({', '.join(w.source.relative for w in works[:3])}"
            f"{', …' if len(works) > 3 else ''}): {detail}"
        )
        chunk.note = TranslationNote("missing", detail)
    chunk.share_translate_time(time.perf_counter() - t0)


def qa_chunk(chunk: Chunk, run: ChunkRun) -> None:
    """The qa stage over one chunk: each article compared with its English original, where
    there is one."""
    items = [(w.article, w.source.path) for w in chunk.works if w.article is not None]
    settings = run.settings
    for warning in check_originals(items, run.input_dir, settings.run.originals, settings.qa):
        run.warn(warning)


def load_model_translator(
    settings: Settings, warn: Callable[[str], None] | None = None
) -> TextTranslator:
    """The real translator (raises ModelUnavailableError when the model cannot be had)."""
    try:
        if warn is None:
            return load_translator(settings.translator)
        return load_translator(settings.translator, warn=warn)
    except ValueError as error:  # a setting the model or backend cannot take
        raise UsageError(str(error)) from None
