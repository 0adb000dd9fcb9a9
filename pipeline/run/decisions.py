"""What editors decide about an article, kept as data beside the run's outputs.

An editor accepts or rejects each edit, resolves or dismisses each flag (with an optional note),
edits a sentence's cleaned text by hand and marks the article done. Each decision names its
sentence by the *content hash* of the sentence's input text (plus which occurrence of that text
it is), and its edit or flag by rule id and span, so it survives a re-run: a sentence whose
input is unchanged gets the same decisions; one whose input changed leaves its decisions
*orphaned*, listed for the editor instead of silently applied to other text.

Files, beside the article's outputs (``NAME`` is the output name):

- ``NAME.decisions.json``: the decisions, with a ``version`` that goes up by one on every save.
  A save names the version it was based on; a different version on disk is a
  :class:`~pipeline.run.decision_store.DecisionConflict` (two browser tabs cannot overwrite
  each other's decisions). The data and the store: :mod:`pipeline.run.decision_store`.
- ``NAME.final.da.txt``: the cleaned text with the decisions applied, written on every save.
- ``OUT_DIR/ignore.txt``: the batch's ignore list (words never flagged, rules turned off), which
  the next ``daen run`` honours (:mod:`pipeline.run.ignore`).

Entry points here: :func:`apply_decisions` (a pure function: article + decisions -> decided
article), :func:`prepare_article` and :func:`ignore_key` (the calls ``daen run`` makes). What
editors think of each rule: :mod:`pipeline.run.rulestats`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.document import Article, Paragraph, Sentence
from pipeline.fsutil import write_atomic
from pipeline.run.decision_store import (
    Decision,
    Decisions,
    decisions_path,
    edit_key,
    final_path,
    flag_key,
    load_decisions,
    save_decisions,
    sentence_keys,
    text_key,
)
from pipeline.run.ignore import IgnoreList, apply_ignore_list

HAND_EDIT_RULE = "editor.hand_edit"
HAND_EDIT_STAGE = "editor"


# --------------------------------------------------------------------------------------------
# Applying decisions to an article


@dataclass
class Applied:
    """An article with its decisions applied, and what the review page needs to show them."""

    article: Article  # rejected edits undone, dismissed and resolved flags gone, hand edits in
    decisions: Decisions
    keys: list[str]  # sentence keys, in article order
    orphaned: list[Decision]  # decisions whose sentence, edit or flag is no longer there
    # Edits undone only because a rejected edit they rewrote was undone: key -> rejected key.
    also_undone: dict[str, str] = field(default_factory=dict)


def apply_decisions(article: Article, decisions: Decisions) -> Applied:
    """The article as the editor decided it; the input article is left unchanged.

    Per sentence, in this order: rejected edits are undone (each alone, the later edits
    replayed where they now fall, see :meth:`Sentence.undo_edit`); dismissed and resolved
    flags are removed; a hand edit replaces the text (recorded as an edit of its own, so the
    record still replays). Decisions that match nothing in the article are *orphaned*.
    """
    keys = sentence_keys(article)
    matched: set[str] = set()
    also_undone: dict[str, str] = {}
    paragraphs = []
    position = 0
    for paragraph in article.paragraphs:
        sentences = []
        for sentence in paragraph.sentences:
            key = keys[position]
            position += 1
            sentences.append(_decide_sentence(sentence, key, decisions, matched, also_undone))
        paragraphs.append(Paragraph(sentences, paragraph.kind))
    decided = replace(article, paragraphs=paragraphs, flags=list(article.flags))
    orphaned = [d for k, d in decisions.items.items() if k not in matched]
    orphaned += [d for d in decisions.orphaned if d.key not in matched]
    return Applied(decided, decisions, keys, orphaned, also_undone)


def _decide_sentence(
    sentence: Sentence,
    key: str,
    decisions: Decisions,
    matched: set[str],
    also_undone: dict[str, str],
) -> Sentence:
    items = decisions.items
    edit_keys = [edit_key(key, e) for e in sentence.edits]
    flag_keys = [flag_key(key, f) for f in sentence.flags]
    matched.update(k for k in [*edit_keys, *flag_keys, text_key(key)] if k in items)
    rejected = [i for i, k in enumerate(edit_keys) if _action(items, k) == "reject"]
    removed = {i for i, k in enumerate(flag_keys) if _action(items, k) in ("dismiss", "resolve")}
    hand = items.get(text_key(key))
    if not rejected and not removed and hand is None:
        return sentence
    decided = replace(
        sentence,
        edits=list(sentence.edits),
        flags=[replace(f) for i, f in enumerate(sentence.flags) if i not in removed],
    )
    remaining = list(edit_keys)
    for index in sorted(rejected, reverse=True):  # from the last, so indexes stay valid
        rejected_key = edit_keys[index]
        if rejected_key not in remaining:
            continue  # already undone with an earlier one
        at = remaining.index(rejected_key)
        dependent = decided.undo_edit(at)
        for extra in dependent:
            also_undone[remaining[extra]] = rejected_key
        for extra in sorted([at, *dependent], reverse=True):
            del remaining[extra]
    if hand is not None and hand.after != decided.text:
        _hand_edit(decided, hand)
    return decided


def _action(items: dict[str, Decision], key: str) -> str | None:
    decision = items.get(key)
    return decision.action if decision is not None else None


def _hand_edit(sentence: Sentence, decision: Decision) -> None:
    """Replace the sentence text by the editor's, as one edit over the part that differs."""
    old, new = sentence.text, decision.after
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old), len(new)) - prefix
        and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
    ):
        suffix += 1
    sentence.apply_edit(
        HAND_EDIT_STAGE, HAND_EDIT_RULE, prefix, len(old) - suffix,
        new[prefix : len(new) - suffix], decision.note or "Edited by hand.",
    )


def reconcile(article: Article, decisions: Decisions) -> bool:
    """Move decisions that no longer match the article to ``orphaned``, and orphans that match
    again (an input change reverted) back. Whether anything moved."""
    everything = {**{d.key: d for d in decisions.orphaned}, **decisions.items}
    trial = replace(decisions, items=everything, orphaned=[])
    orphaned = apply_decisions(article, trial).orphaned
    orphan_keys = {d.key for d in orphaned}
    kept = {k: d for k, d in everything.items() if k not in orphan_keys}
    changed = set(kept) != set(decisions.items) or orphan_keys != {
        d.key for d in decisions.orphaned
    }
    decisions.items, decisions.orphaned = kept, orphaned
    return changed


# --------------------------------------------------------------------------------------------
# Outputs: the final text and the run's hook


def decisions_by_sentence(applied: Applied) -> list[list[Decision]]:
    """The decisions in force on each sentence, in article order (orphans left out)."""
    orphaned = {d.key for d in applied.orphaned}
    by_key: dict[str, list[Decision]] = {key: [] for key in applied.keys}
    for key, decision in applied.decisions.items.items():
        if key not in orphaned and decision.sentence in by_key:
            by_key[decision.sentence].append(decision)
    return [by_key[key] for key in applied.keys]


def describe(decision: Decision) -> str:
    """One line for an export note.

    >>> describe(Decision("k.0", "flag", "dismiss", "fix.unknown_word", 3, 9, note="a brand"))
    'dismissed flag fix.unknown_word at 3-9: a brand'
    """
    verb = {"accept": "accepted", "reject": "rejected", "resolve": "resolved",
            "dismiss": "dismissed", "edit": "edited by hand"}[decision.action]
    if decision.kind == "text":
        text = f"{verb}: “{decision.after}”"
    elif decision.kind == "edit":
        text = f"{verb} edit {decision.rule_id}: “{decision.before}” → “{decision.after}”"
    else:
        text = f"{verb} flag {decision.rule_id} at {decision.start}-{decision.end}"
    return f"{text}: {decision.note}" if decision.note else text


def final_text(applied: Applied) -> str:
    from pipeline.render.text import danish_text

    return danish_text(applied.article)


def load_applied(path: Path, article: Article) -> Applied | None:
    """The article with the editor's decisions (in the decisions file ``path``, e.g.
    :meth:`pipeline.run.folder.RunFolder.decisions_path`) applied; ``None`` when nobody
    decided yet."""
    if not path.exists():
        return None
    return apply_decisions(article, load_decisions(path, article.path))


def write_final(output_dir: Path, name: str, applied: Applied) -> None:
    write_atomic(final_path(output_dir, name), final_text(applied))


def prepare_article(
    article: Article, output_dir: Path, name: str, ignore: IgnoreList
) -> Article:
    """What ``daen run`` does for each article before writing its outputs.

    Applies the batch's ignore list to the article (so the outputs never show an ignored
    flag or a turned-off rule's edit), then, when the editor has decisions on the article,
    marks those that no longer match as orphaned and rewrites ``NAME.final.da.txt``.
    """
    apply_ignore_list(article, ignore)
    path = decisions_path(output_dir, name)
    if path.exists():
        decisions = load_decisions(path, article.path)
        for decision in [*decisions.items.values(), *decisions.orphaned]:
            decision.context = decision.context or _context(article, decision.sentence)
        if reconcile(article, decisions):
            save_decisions(path, decisions, decisions.version)
        write_final(output_dir, name, apply_decisions(article, decisions))
    return article


def _context(article: Article, sentence_key: str) -> str:
    for key, sentence in zip(sentence_keys(article), article.sentences(), strict=True):
        if key == sentence_key:
            return sentence.original
    return ""


def ignore_key(run_key: str, ignore: IgnoreList) -> str:
    """The run key, changed when the batch has an ignore list (so every article is redone)."""
    if not ignore:
        return run_key
    return hashlib.sha256(f"{run_key}\0{ignore.sha256}".encode()).hexdigest()
