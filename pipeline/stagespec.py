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
:data:`COMMAND_STAGES` of them. A new stage is one more :class:`StageSpec` in :data:`STAGES`
and one more branch in :meth:`pipeline.run.stages.Stages.clean` (per article) or in the batch's
chunk loop.

Each stage's *code version* (:func:`code_versions`) is a hash of the source of its module and
of every ``pipeline`` module that module imports, directly or not: editing a rule redoes
articles, editing the command line's help or a renderer does not.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class StageSpec:
    name: str
    module: str  # the module that implements it (its code version starts there)
    per_article: bool  # False: runs over a chunk of articles at once


STAGES: tuple[StageSpec, ...] = (
    StageSpec("read", "pipeline.text.reader", True),
    StageSpec("normalize", "pipeline.text.normalize", True),
    StageSpec("fix", "pipeline.fix.stage", True),
    StageSpec("translate", "pipeline.translate.translator", False),
    StageSpec("qa", "pipeline.qa.check", False),
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
