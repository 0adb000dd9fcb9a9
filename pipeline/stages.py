"""The one declared sequence of stages that every command runs (or a prefix-free part of).

========== ========================= =====================================================
stage      module                    what it does to an :class:`~pipeline.document.Article`
========== ========================= =====================================================
read       :mod:`pipeline.reader`    bytes → segmented article (per file)
normalize  :mod:`pipeline.normalize` Unicode, spaces, quotes, dashes (per article)
fix        :mod:`pipeline.fix`       casing, phrases, flags (per article; rule tables)
translate  :mod:`pipeline.translate` back-translation (per chunk of articles, batched)
qa         :mod:`pipeline.qa`        comparison with an English original (per chunk)
========== ========================= =====================================================

``daen run`` runs them all; ``daen normalize``/``fix``/``clean``/``translate`` run
:data:`COMMAND_STAGES` of them. A new stage is one more :class:`StageSpec` in :data:`STAGES`
and one more branch in :meth:`Stages.clean` (per article) or in the batch's chunk loop.

Each stage's *code version* (:func:`code_versions`) is a hash of the source of its module and
of every ``pipeline`` module that module imports, directly or not: editing a rule redoes
articles, editing the command line's help or a renderer does not.
"""

from __future__ import annotations

import gc
import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.document import Article
    from pipeline.fix import FixRules
    from pipeline.settings import Settings

PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class StageSpec:
    name: str
    module: str  # the module that implements it (its code version starts there)
    per_article: bool  # False: runs over a chunk of articles at once


STAGES: tuple[StageSpec, ...] = (
    StageSpec("read", "pipeline.reader", True),
    StageSpec("normalize", "pipeline.normalize", True),
    StageSpec("fix", "pipeline.fix", True),
    StageSpec("translate", "pipeline.translate", False),
    StageSpec("qa", "pipeline.qa", False),
)
STAGE_NAMES = tuple(spec.name for spec in STAGES)
COMMAND_STAGES: dict[str, tuple[str, ...]] = {
    "normalize": ("read", "normalize"),
    "fix": ("read", "fix"),
    "clean": ("read", "normalize", "fix"),
    "translate": ("read", "translate"),
    "run": STAGE_NAMES,
}

_IMPORT = re.compile(
    r"^\s*(?:from\s+(pipeline(?:\.\w+)*)\s+import\s+([\w\s,()]+)|import\s+(pipeline(?:\.\w+)*))",
    re.MULTILINE,
)


def _module_file(module: str, root: Path) -> Path | None:
    parts = module.split(".")[1:]
    candidate = root.joinpath(*parts)
    if candidate.with_suffix(".py").is_file():
        return candidate.with_suffix(".py")
    if (candidate / "__init__.py").is_file():
        return candidate / "__init__.py"
    return None


def code_version(module: str, root: Path = PACKAGE) -> str:
    """Hash of ``module``'s source and of every pipeline module it imports (transitively)."""
    digest = hashlib.sha256()
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        path = _module_file(name, root)
        if name in seen or path is None:
            continue
        seen.add(name)
        source = path.read_bytes()
        digest.update(name.encode() + b"\0" + source + b"\0")
        for match in _IMPORT.finditer(source.decode("utf-8")):
            base = match.group(1) or match.group(3)
            todo.append(base)
            for imported in re.split(r"[\s,()]+", match.group(2) or ""):
                if imported:
                    todo.append(f"{base}.{imported}")
    return digest.hexdigest()


@cache
def code_versions(names: tuple[str, ...] = STAGE_NAMES) -> dict[str, str]:
    """The code version of each named stage (read once per process)."""
    modules = {spec.name: spec.module for spec in STAGES}
    return {name: code_version(modules[name]) for name in names}


@dataclass
class Stages:
    """The per-article stages of one command with their settings; the fix rules (a dictionary
    takes a second or two) are loaded on first use, so a run with nothing to do never loads
    them."""

    settings: Settings
    names: tuple[str, ...] = STAGE_NAMES
    fix_rules: FixRules | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.names) - set(STAGE_NAMES)
        if unknown:
            raise ValueError(f"unknown stage(s): {', '.join(sorted(unknown))}")

    def load(self) -> None:
        """Load what the stages need (raises RuleTableError for a broken table)."""
        if "fix" in self.names and self.fix_rules is None:
            self.fix_rules = load_rules(self.settings.fix.data_dir, self.settings.fix.dictionary)

    def clean(self, article: Article) -> Article:
        """Run the per-article stages after ``read`` over one article, in order."""
        if "normalize" in self.names:
            from pipeline.normalize import normalize_article

            article = normalize_article(article, self.settings.normalize)
        if "fix" in self.names:
            from pipeline.fix import fix_article

            self.load()
            assert self.fix_rules is not None
            article = fix_article(article, self.fix_rules)
        return article


_RULES: dict[tuple[str, ...], FixRules] = {}


def load_rules(data_dir: Path | None, dictionary: Path | bool = True) -> FixRules:
    """The fix rules; within one process, rules from tables with the same content are reused
    (the only cache, keyed by the tables' names and content)."""
    from pipeline.fix import load_fix_rules, table_files

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
