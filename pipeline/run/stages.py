"""Running the declared stages (:mod:`pipeline.stagespec`) over articles: :class:`Stages`
holds one command's stages with their settings and loads the fix rules once."""

from __future__ import annotations

import gc
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.stagespec import STAGE_NAMES

if TYPE_CHECKING:
    from pipeline.document import Article
    from pipeline.fix.stage import FixRules
    from pipeline.settings import Settings


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

    def notices(self) -> tuple[str, ...]:
        """What the fix stage does without (a missing dictionary or analyser), one line each,
        for the command to show once; known without loading the rules."""
        if "fix" not in self.names:
            return ()
        if self.fix_rules is not None:
            return self.fix_rules.notices
        from pipeline.fix.stage import fix_notices

        return fix_notices(self.settings.fix.dictionary)

    def clean(self, article: Article) -> Article:
        """Run the per-article stages after ``read`` over one article, in order."""
        if "normalize" in self.names:
            from pipeline.text.normalize import normalize_article

            article = normalize_article(article, self.settings.normalize)
        if "fix" in self.names:
            from pipeline.fix.stage import fix_article

            self.load()
            assert self.fix_rules is not None
            article = fix_article(article, self.fix_rules)
        return article


_RULES: dict[tuple[str, ...], FixRules] = {}


def load_rules(data_dir: Path | None, dictionary: Path | bool = True) -> FixRules:
    """The fix rules; within one process, rules from tables with the same content are reused
    (the only cache, keyed by the tables' names and content)."""
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
