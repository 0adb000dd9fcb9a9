"""Every setting of a run in one frozen object, built and validated once; its run key.

:class:`Settings` holds one part per stage, each owned by the module that uses it —
:class:`~pipeline.text.normalize.NormalizeConfig`, :class:`FixSettings`,
:class:`~pipeline.translate.translator.TranslatorSettings`, :class:`~pipeline.qa.check.QAConfig`
— and the
batch's own :class:`RunOptions`. The command line builds it with :meth:`Settings.from_options`
(a ``ValueError`` there is a usage error); library callers and tests do the same.

:meth:`Settings.key` is the run key that decides whether an article is redone: it covers the
settings that change outputs, the content of the rule tables and the dictionary, the model,
and the code version of each stage (:func:`pipeline.stagespec.code_versions`) — not the command
line's help texts, nor renderers.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.document import SCHEMA_VERSION
from pipeline.qa.check import QAConfig
from pipeline.text.normalize import NormalizeConfig
from pipeline.translate.translator import TranslatorSettings


@dataclass(frozen=True)
class FixSettings:
    """Where the fix stage's tables are (None: the tables that ship with daen), and the dictionary
    (True: the installed Danish Hunspell one, False: none, or a ``.dic`` file)."""

    data_dir: Path | None = None
    dictionary: Path | bool = True

    def __post_init__(self) -> None:
        if self.data_dir is not None and not Path(self.data_dir).is_dir():
            raise ValueError(f"data: {self.data_dir} is not a folder")

    def table_files(self) -> dict[str, Path]:
        """The tables and the dictionary the fix stage would load, by name (nothing loaded)."""
        from pipeline.fix.stage import table_files

        return table_files(self.data_dir, self.dictionary)


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity mask, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class RunOptions:
    """How ``daen run`` goes about its work (none of these changes an article's outputs)."""

    force: bool = False  # redo every article, even unchanged ones
    translate: bool = True  # False: cleanup outputs only
    # Sentences per translation chunk: the translator batches across the articles of a chunk;
    # outputs are written after each chunk.
    chunk_sentences: int = 2000
    originals: Path | None = None  # folder of English originals (the qa stage)
    require_translation: bool = False  # exit code 1 when the model is unavailable
    follow_links: bool = False  # read links in the input that point outside it
    # Where the work runs: cleanup in ``jobs`` processes (pipeline.run.parallel; by default one
    # per usable core, and fewer for a small batch), or everything on a Ray cluster
    # (pipeline.run.cluster; ``ray`` is auto, local or an address).
    jobs: int = field(default_factory=usable_cores)
    ray: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.chunk_sentences <= 10_000_000:
            raise ValueError(f"chunk-sentences must be at least 1, not {self.chunk_sentences}")
        if self.originals is not None and not Path(self.originals).is_dir():
            raise ValueError(f"originals: {self.originals} is not a folder")
        if not 1 <= self.jobs <= 4096:
            raise ValueError(f"jobs must be at least 1, not {self.jobs}")
        if self.ray is not None and not self.ray.strip():
            raise ValueError("ray must be auto, local or a cluster address")


@dataclass(frozen=True)
class Settings:
    """All settings of a run; see the module doc."""

    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    fix: FixSettings = field(default_factory=FixSettings)
    translator: TranslatorSettings = field(default_factory=TranslatorSettings)
    qa: QAConfig = field(default_factory=QAConfig)
    run: RunOptions = field(default_factory=RunOptions)

    @classmethod
    def from_options(cls, **options: Any) -> Settings:
        """Build from flat option names, as the command line spells them (``quote_style``,
        ``beams``, ``qa_threshold``, ``force``, ...); unknown names are a TypeError, values
        that cannot work a ValueError."""
        parts: dict[str, dict[str, Any]] = {
            "normalize": {}, "fix": {}, "translator": {}, "qa": {}, "run": {}
        }
        # One option may set a field in several parts: the data folder is both normalize's
        # (names.txt) and the fix stage's.
        aliases: dict[str, tuple[tuple[str, str], ...]] = {
            "quote_style": (("normalize", "quote_style"),),
            "data": (("normalize", "data_dir"), ("fix", "data_dir")),
            "qa_threshold": (("qa", "threshold"),),
        }
        owners = {
            name: (part, name)
            for part, kind in (("fix", FixSettings), ("translator", TranslatorSettings),
                               ("run", RunOptions))
            for name in (f.name for f in fields(kind))
        }
        for name, value in options.items():
            owner = owners.get(name)
            targets = aliases.get(name) or ((owner,) if owner is not None else ())
            if not targets:
                raise TypeError(f"unknown setting {name!r}")
            for part, key in targets:
                parts[part][key] = value
        return cls(
            normalize=NormalizeConfig(**parts["normalize"]),
            fix=FixSettings(**parts["fix"]),
            translator=TranslatorSettings(**parts["translator"]),
            qa=QAConfig(**parts["qa"]),
            run=RunOptions(**parts["run"]),
        )

    def output_settings(self) -> dict[str, Any]:
        """The settings that change outputs (recorded in the manifest, part of the key)."""
        data: dict[str, Any] = {
            "quote_style": self.normalize.quote_style, "translate": self.run.translate,
            "qa_threshold": self.qa.threshold,
        }
        if self.normalize.disabled:
            data["normalize_disabled"] = sorted(self.normalize.disabled)
        if self.run.translate:
            data.update(self.translator.key_data())
        return data

    def rules(self) -> dict[str, Any]:
        """What the rules and code are: each stage's code version, and the rule tables and
        dictionary by content (with their file names, for the manifest)."""
        from pipeline.stagespec import code_versions

        files = self.fix.table_files()
        if self.normalize.data_dir != self.fix.data_dir:  # a library caller's choice
            from pipeline.text.tables import data_dir_or_default

            names = data_dir_or_default(self.normalize.data_dir) / "names.txt"
            if names.is_file():
                files["normalize:names.txt"] = names
        return {
            "code": code_versions(),
            "tables": {name: _sha256(path) for name, path in sorted(files.items())},
            "table_files": {name: str(path) for name, path in sorted(files.items())},
        }

    def key(self, rules: dict[str, Any] | None = None) -> str:
        """The run key: an article whose last run had another key is done again.

        ``rules`` is :meth:`rules` when the caller has it already (it hashes files).
        """
        rules = rules if rules is not None else self.rules()
        data = {
            "version": __version__,
            "schema": SCHEMA_VERSION,
            "rules": {k: v for k, v in rules.items() if k != "table_files"},
            "settings": self.output_settings(),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
