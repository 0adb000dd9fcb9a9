"""``daen rules stats``: what editors think of each rule, over the decisions of one or more
runs."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.run.decision_store import (
    DECISIONS_SUFFIX,
    Decisions,
    edit_key,
    load_decisions,
    sentence_keys,
)
from pipeline.run.folder import RunFolder
from pipeline.run.records import RecordError


@dataclass
class RuleStats:
    rule_id: str
    accepted: int = 0
    rejected: int = 0
    resolved: int = 0
    dismissed: int = 0

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected + self.resolved + self.dismissed

    @property
    def rejection_rate(self) -> float:
        """Share of the rule's decisions that said it was wrong (rejected or dismissed)."""
        return (self.rejected + self.dismissed) / self.decided if self.decided else 0.0


_COUNTED = {
    "accept": "accepted", "reject": "rejected", "resolve": "resolved", "dismiss": "dismissed",
}


def iter_decision_files(output_dirs: Iterable[Path]) -> Iterator[tuple[RunFolder, str, Path]]:
    """``(run folder, article name, decisions file)`` of every decisions file in the runs
    (also of articles the last run no longer has: their decisions still count). A path that is
    not a run folder is :class:`~pipeline.run.folder.NotARunFolder`."""
    for output_dir in output_dirs:
        run = RunFolder.open(output_dir)
        for folder, _, files in os.walk(output_dir):
            for file_name in sorted(files):
                if file_name.endswith(DECISIONS_SUFFIX):
                    path = Path(folder) / file_name
                    name = path.relative_to(output_dir).as_posix()[: -len(DECISIONS_SUFFIX)]
                    yield run, name, path


def rule_stats(output_dirs: Iterable[Path]) -> list[RuleStats]:
    """Per rule id, the editors' decisions over the runs, highest rejection rate first.

    In an article marked done, an edit the editor left undecided counts as accepted (the
    editor let it stand); an undecided flag counts as neither.
    """
    table: dict[str, RuleStats] = {}

    def count(rule_id: str, column: str) -> None:
        stats = table.setdefault(rule_id, RuleStats(rule_id))
        setattr(stats, column, getattr(stats, column) + 1)

    for run, name, path in iter_decision_files(output_dirs):
        decisions = load_decisions(path)
        for decision in [*decisions.items.values(), *decisions.orphaned]:
            if decision.action in _COUNTED:
                count(decision.rule_id, _COUNTED[decision.action])
        if decisions.done:
            for rule_id in _undecided_edits(run, name, decisions):
                count(rule_id, "accepted")
    return sorted(table.values(), key=lambda s: (-s.rejection_rate, -s.decided, s.rule_id))


def _undecided_edits(run: RunFolder, name: str, decisions: Decisions) -> list[str]:
    """Rule ids of the edits in the article's record that have no decision."""
    try:
        article = run.record(name)
    except (KeyError, RecordError):
        # not in the last run, or its record missing or changed since (RunFolder.record
        # refuses it): only the explicit decisions count
        return []
    return [
        edit.rule_id
        for key, sentence in zip(sentence_keys(article), article.sentences(), strict=True)
        for edit in sentence.edits
        if edit_key(key, edit) not in decisions.items
    ]


def stats_table(stats: list[RuleStats]) -> str:
    """The stats as a text table, for the terminal."""
    if not stats:
        return "No decisions yet: review articles with `daen review OUT_DIR`.\n"
    from pipeline.registry import kind_of

    header = (
        f"{'rule':<36} {'accepted':>8} {'rejected':>8} {'resolved':>8} {'dismissed':>9} "
        f"{'rejection':>9}  kind"
    )
    lines = [header, "-" * len(header)]
    for s in stats:
        lines.append(
            f"{s.rule_id:<36} {s.accepted:>8} {s.rejected:>8} {s.resolved:>8} {s.dismissed:>9} "
            f"{100 * s.rejection_rate:>8.0f}%  {kind_of(s.rule_id).label}"
        )
    return "\n".join(lines) + "\n"
