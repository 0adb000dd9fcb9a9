"""The one declared sequence of stages that every command runs (or a prefix-free part of),
and the code version of each (:mod:`pipeline.run.stages` runs them).

========== ========================= =====================================================
stage      module                    what it does to an :class:`~pipeline.document.Article`
========== ========================= =====================================================
read       :mod:`pipeline.text.reader`    bytes → segmented article (per file)
normalize  :mod:`pipeline.text.normalize` Unicode, spaces, quotes, dashes (per article)
fix        :mod:`pipeline.fix.stage`       casing, phrases, flags (per article; rule tables)
translate  :mod:`pipeline.translate.translator` back-translation (per chunk of articles, batched)
qa         :mod:`pipeline.qa.check`        comparison with an English original (per chunk)
========== ========================= =====================================================

``daen run`` runs them all; ``daen normalize``/``fix``/``clean``/``translate`` run
:data:`COMMAND_STAGES` of them. The run calls each stage through the entry point its
:class:`StageSpec` names, in the order of :data:`STAGES` (:class:`pipeline.run.stages.Stages`):
a new stage is one more :class:`StageSpec` here, and its function.

Each stage's *code version* (:func:`code_versions`) is a hash of the source of its module and
of every ``pipeline`` module that module imports, directly or not: editing a rule redoes
articles, editing the command line's help or a renderer does not.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

PACKAGE = Path(__file__).resolve().parent


Scope = Literal["file", "article", "chunk"]


@dataclass(frozen=True)
class StageSpec:
    """One stage: its name, the module it is (its code version starts there), how much it
    takes at a time, and the function the run calls.

    ``entry`` (and ``prepare``) are ``"module:function"``, imported when the run first needs
    them (:func:`entry_point`): this module imports no stage, so ``daen --help`` loads none.
    How the run calls ``entry`` depends on ``scope``:

    - ``"file"``: ``entry(data, name) -> Article``, an input's bytes (``read``, always first);
    - ``"article"``: ``entry(article, argument) -> Article``, one article at a time, where
      ``argument`` is the part of :class:`~pipeline.settings.Settings` named by ``config``, or
      what ``prepare(part)`` makes of it, once per run (the fix rules from the fix settings);
    - ``"chunk"``: ``entry(chunk, run) -> None`` over a chunk of ``daen run``'s cleaned
      articles at once (see :class:`pipeline.run.stages.ChunkRun`); its entry is an adapter
      in :mod:`pipeline.run.stages`, as it needs the run's translator, progress and warnings.
    """

    name: str
    module: str
    scope: Scope
    entry: str
    config: str = ""
    prepare: str = ""


STAGES: tuple[StageSpec, ...] = (
    StageSpec("read", "pipeline.text.reader", "file", "pipeline.text.reader:article_from_bytes"),
    StageSpec("normalize", "pipeline.text.normalize", "article",
              "pipeline.text.normalize:normalize_article", config="normalize"),
    StageSpec("fix", "pipeline.fix.stage", "article", "pipeline.fix.stage:fix_article",
              config="fix", prepare="pipeline.run.stages:fix_rules"),
    StageSpec("translate", "pipeline.translate.translator", "chunk",
              "pipeline.run.stages:translate_chunk"),
    StageSpec("qa", "pipeline.qa.check", "chunk", "pipeline.run.stages:qa_chunk"),
)
STAGE_NAMES = tuple(spec.name for spec in STAGES)
COMMAND_STAGES: dict[str, tuple[str, ...]] = {
    "normalize": ("read", "normalize"),
    "fix": ("read", "fix"),
    "clean": ("read", "normalize", "fix"),
    "translate": ("read", "translate"),
    "run": STAGE_NAMES,
}



def entry_point(name: str) -> Callable[..., Any]:
    """The function a ``"module:function"`` names, its module imported now.

    >>> entry_point("pipeline.text.reader:article_from_bytes").__name__
    'article_from_bytes'
    """
    module, _, function = name.partition(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), function)
    return found


_IMPORT = re.compile(
    # the names imported: one line, or a parenthesised list over several lines
    r"^[ \t]*(?:from\s+(pipeline(?:\.\w+)*)\s+import\s+(\([\w\s,]*\)|[\w \t,]+)"
    r"|import\s+(pipeline(?:\.\w+)*))",
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
