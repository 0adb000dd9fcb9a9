"""Editors' decisions as data: applying them, orphans after a re-run, versions, ignore list,
rule statistics and the final-state export."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.document import Article, Paragraph, Sentence
from pipeline.run.batch import run_batch
from pipeline.run.decision_store import (
    Action,
    Decision,
    DecisionConflict,
    DecisionError,
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
from pipeline.run.decisions import apply_decisions
from pipeline.run.ignore import parse_ignore_list
from pipeline.run.rulestats import rule_stats
from pipeline.settings import Settings
from pipeline.translate.translator import FakeTranslator

ARTICLE = (
    "vi ved alle, at vi er klar.  Det er en ‘trend’ i 2013.\n\n"
    "mange virksomheder har en high street strategi; hvad mere er, så taler de om det det.\n\n"
    "Kunderne elsker cashback og Dominos.\n"
)
OPTIONS = Settings.from_options(quote_style="guillemets")


def _run(root: Path, text: str = ARTICLE, options: Settings = OPTIONS) -> Path:
    (root / "in").mkdir(exist_ok=True)
    (root / "in" / "a.txt").write_text(text, encoding="utf-8")
    out = root / "out"
    run_batch(root / "in", out, options, translator=FakeTranslator())
    return out


def _record(out: Path) -> Article:
    return Article.from_dict(json.loads((out / "a.json").read_text(encoding="utf-8")))


def _decide(
    article: Article, decisions: Decisions, rule_id: str, action: Action, note: str = ""
) -> None:
    """Decide on the first edit or flag of ``rule_id`` (as the review app does)."""
    for key, sentence in zip(sentence_keys(article), article.sentences(), strict=True):
        for edit in sentence.edits:
            if edit.rule_id == rule_id:
                decisions.decide(Decision(key, "edit", action, edit.rule_id, edit.start,
                                          edit.end, edit.before, edit.after, note,
                                          context=sentence.original))
                return
        for flag in sentence.flags:
            if flag.rule_id == rule_id:
                decisions.decide(Decision(key, "flag", action, flag.rule_id, flag.start,
                                          flag.end, note=note))
                return
    raise AssertionError(f"no {rule_id} in the article")


def _sentence(original: str, *edits: tuple[str, int, int, str]) -> Sentence:
    sentence = Sentence(original)
    for rule_id, start, end, after in edits:
        assert sentence.apply_edit("test", rule_id, start, end, after)
    return sentence


def _article(*sentences: Sentence) -> Article:
    return Article("t.txt", [Paragraph(list(sentences))])


# -- applying decisions -------------------------------------------------------------------------


def test_a_rejected_edit_is_undone_and_only_that_edit() -> None:
    sentence = _sentence(
        "vi ved  at det er ‘godt’", ("space", 6, 8, " "), ("casing", 0, 1, "V"),
        ("quote", 17, 18, "»"), ("quote", 22, 23, "«"),
    )
    sentence.add_flag("fix", "fix.unknown_word", 18, 22, "unknown")
    assert sentence.text == "Vi ved at det er »godt«"
    article = _article(sentence)
    decisions = Decisions("t.txt")
    _decide(article, decisions, "space", "reject")
    _decide(article, decisions, "casing", "accept")
    applied = apply_decisions(article, decisions)
    decided = next(applied.article.sentences())
    assert decided.text == "Vi ved  at det er »godt«"
    assert [e.rule_id for e in decided.edits] == ["casing", "quote", "quote"]
    assert decided.replay() == decided.text
    flag = decided.flags[0]
    assert decided.text[flag.start : flag.end] == "godt"  # the flag moved with its word
    assert sentence.text == "Vi ved at det er »godt«"  # the record itself is untouched
    assert not applied.orphaned and not applied.also_undone


def test_rejecting_an_edit_that_a_later_edit_rewrote_undoes_both_and_says_so() -> None:
    sentence = _sentence("dominos", ("phrase", 0, 7, "Domino's"), ("brand", 0, 6, "DOMINO"))
    article = _article(sentence)
    decisions = Decisions("t.txt")
    _decide(article, decisions, "phrase", "reject")
    applied = apply_decisions(article, decisions)
    assert next(applied.article.sentences()).text == "dominos"
    key = sentence_keys(article)[0]
    assert applied.also_undone == {
        edit_key(key, sentence.edits[1]): edit_key(key, sentence.edits[0])
    }


@given(st.text("ab ", max_size=8), st.lists(
    st.tuples(st.integers(0, 10), st.integers(0, 3), st.text("XY", max_size=3)),
    min_size=1, max_size=4,
), st.integers(0, 3))
def test_undoing_any_edit_keeps_a_record_that_replays(
    original: str, changes: list[tuple[int, int, str]], pick: int
) -> None:
    sentence = Sentence(original)
    for start, length, after in changes:
        start = min(start, len(sentence.text))
        sentence.apply_edit("t", "r", start, min(len(sentence.text), start + length), after)
    if not sentence.edits:
        return
    count = len(sentence.edits)
    dependent = sentence.undo_edit(pick % count)
    assert sentence.replay() == sentence.text
    assert len(sentence.edits) == count - 1 - len(dependent)


def test_dismissed_and_resolved_flags_leave_and_a_hand_edit_wins(tmp_path: Path) -> None:
    out = _run(tmp_path)
    article = _record(out)
    decisions = Decisions(article.path)
    _decide(article, decisions, "fix.doubled_word", "dismiss", "intended")
    _decide(article, decisions, "phrase.whats_more", "resolve")
    keys = sentence_keys(article)
    decisions.decide(Decision(keys[2], "text", "edit", after="Mange firmaer taler om det."))
    applied = apply_decisions(article, decisions)
    third = list(applied.article.sentences())[2]
    assert third.text == "Mange firmaer taler om det."
    assert third.replay() == third.text
    assert third.edits[-1].rule_id == "editor.hand_edit"
    assert {f.rule_id for f in third.flags} >= {"fix.english_fragment"}
    assert not {f.rule_id for f in third.flags} & {"fix.doubled_word", "phrase.whats_more"}
    assert "Mange firmaer taler om det." in applied.article.text


# -- the files: versions, undo, conflicts --------------------------------------------------------


def test_a_save_on_a_stale_version_is_refused_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.decisions.json"
    first = Decisions("a.txt")
    first.decide(Decision("k.0", "flag", "dismiss", "fix.unknown_word", 1, 4))
    save_decisions(path, first, 0)
    second = Decisions("a.txt")  # another tab, still on version 0
    second.decide(Decision("k.0", "flag", "resolve", "fix.doubled_word", 5, 9))
    with pytest.raises(DecisionConflict, match="another tab or window saved version 1"):
        save_decisions(path, second, 0)
    on_disk = load_decisions(path)
    assert on_disk.version == 1
    assert [d.rule_id for d in on_disk.items.values()] == ["fix.unknown_word"]


def test_every_change_can_be_undone() -> None:
    decisions = Decisions("a.txt")
    accept = Decision("k.0", "edit", "accept", "casing", 0, 1, "v", "V")
    decisions.decide(accept)
    decisions.decide(Decision("k.0", "edit", "reject", "casing", 0, 1, "v", "V"))
    decisions.mark_done()
    assert decisions.state == "done"
    assert decisions.undo() == "@done" and decisions.state == "in progress"
    assert decisions.undo() == accept.key
    assert decisions.items[accept.key].action == "accept"
    decisions.clear(accept.key)
    assert decisions.undo() == accept.key and accept.key in decisions.items
    assert decisions.undo() == accept.key and not decisions.items
    assert decisions.undo() is None


def test_a_decision_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(DecisionError):
        Decisions("a").decide(Decision("k.0", "flag", "reject", "x", 0, 1))


# -- re-runs -------------------------------------------------------------------------------------


def _review(out: Path) -> Decisions:
    """Reject the sentence-start edit, dismiss the cashback flag, hand-edit sentence 3."""
    article = _record(out)
    decisions = Decisions(article.path)
    _decide(article, decisions, "casing.sentence_start", "reject", "keep it lower case")
    for key, sentence in zip(sentence_keys(article), article.sentences(), strict=True):
        for flag in sentence.flags:
            if sentence.text[flag.start : flag.end] == "cashback":
                decisions.decide(Decision(key, "flag", "dismiss", flag.rule_id, flag.start,
                                          flag.end, note="a loanword"))
    decisions.decide(Decision(sentence_keys(article)[2], "text", "edit", after="Mange taler."))
    return save_decisions(decisions_path(out, "a"), decisions, 0)


def test_a_rerun_on_the_same_input_keeps_every_decision(tmp_path: Path) -> None:
    out = _run(tmp_path)
    saved = _review(out)
    _run(tmp_path, options=Settings.from_options(quote_style="guillemets", force=True))
    after = load_decisions(decisions_path(out, "a"))
    assert set(after.items) == set(saved.items) and not after.orphaned
    final = final_path(out, "a").read_text(encoding="utf-8")
    assert final.startswith("vi ved alle")  # the rejected edit was not re-applied
    assert "Mange taler." in final
    assert (out / "a.da.txt").read_text(encoding="utf-8").startswith("Vi ved alle")


def test_changed_input_keeps_decisions_on_unchanged_sentences_and_orphans_the_rest(
    tmp_path: Path,
) -> None:
    out = _run(tmp_path)
    _review(out)
    changed = ARTICLE.replace("vi ved alle, at vi er klar.", "vi ved nu, at vi er klar.")
    _run(tmp_path, changed)
    after = load_decisions(decisions_path(out, "a"))
    assert [d.rule_id for d in after.orphaned] == ["casing.sentence_start"]
    assert after.orphaned[0].context == "vi ved alle, at vi er klar."
    assert {d.kind for d in after.items.values()} == {"flag", "text"}
    final = final_path(out, "a").read_text(encoding="utf-8")
    assert final.startswith("Vi ved nu")  # the orphaned rejection no longer applies
    article = _record(out)
    applied = apply_decisions(article, after)
    assert [d.rule_id for d in applied.orphaned] == ["casing.sentence_start"]
    last = list(applied.article.sentences())[-1]
    assert all(last.text[f.start : f.end] != "cashback" for f in last.flags)  # not raised again

    _run(tmp_path)  # the change reverted: the orphaned decision applies again
    reverted = load_decisions(decisions_path(out, "a"))
    assert not reverted.orphaned and set(reverted.items) == set(after.items) | {
        after.orphaned[0].key
    }
    assert final_path(out, "a").read_text(encoding="utf-8").startswith("vi ved alle")


# -- ignore list ---------------------------------------------------------------------------------


def test_the_ignore_list_takes_effect_in_the_next_run_and_shows_in_the_manifest(
    tmp_path: Path,
) -> None:
    out = _run(tmp_path)
    assert "cashback" in _flagged_words(_record(out))
    (out / "ignore.txt").write_text(
        "# ours\nword Cashback\nrule fix.doubled_word  # too eager here\n", encoding="utf-8"
    )
    _run(tmp_path)  # same input: the ignore list alone makes the run redo the article
    article = _record(out)
    assert "cashback" not in _flagged_words(article)
    assert "fix.doubled_word" not in {f.rule_id for f in article.all_flags()}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["ignore"] == {"words": ["cashback"], "rules": ["fix.doubled_word"]}
    (out / "ignore.txt").write_text("rule casing.sentence_start\n", encoding="utf-8")
    _run(tmp_path)
    article = _record(out)
    assert article.text.startswith("vi ved alle") and "cashback" in _flagged_words(article)
    for sentence in article.sentences():
        assert sentence.replay() == sentence.text


def test_the_ignore_list_is_read_once_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.run.batch as batch
    import pipeline.run.ignore as ignore

    reads: list[Path] = []

    def counting(output_dir: Path) -> ignore.IgnoreList:
        reads.append(output_dir)
        return ignore.load_ignore_list(output_dir)

    monkeypatch.setattr(batch, "load_ignore_list", counting)
    (tmp_path / "in").mkdir()
    for name in "abc":
        (tmp_path / "in" / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "ignore.txt").write_text("word cashback\n", encoding="utf-8")
    run_batch(tmp_path / "in", tmp_path / "out", OPTIONS, translator=FakeTranslator())
    assert reads == [tmp_path / "out"]  # once for three articles, not once per article
    for name in "abc":
        record = json.loads((tmp_path / "out" / f"{name}.json").read_text(encoding="utf-8"))
        assert "cashback" not in _flagged_words(Article.from_dict(record))


def _flagged_words(article: Article) -> set[str]:
    return {s.text[f.start : f.end].casefold() for s in article.sentences() for f in s.flags}


def test_a_broken_ignore_list_is_one_clear_error() -> None:
    with pytest.raises(DecisionError, match="line 2: expected 'word WORD' or 'rule RULE_ID'"):
        parse_ignore_list("word ok\nnever flag cashback\n")


# -- statistics and export -----------------------------------------------------------------------


def test_rules_stats_counts_decisions_per_rule_worst_first(tmp_path: Path) -> None:
    out = _run(tmp_path)
    _review(out)
    article = _record(out)
    decisions = load_decisions(decisions_path(out, "a"))
    _decide(article, decisions, "phrase.dominos", "accept")
    _decide(article, decisions, "fix.english_fragment", "resolve")
    save_decisions(decisions_path(out, "a"), decisions, decisions.version)
    stats = {s.rule_id: s for s in rule_stats([out])}
    assert (stats["casing.sentence_start"].rejected, stats["phrase.dominos"].accepted) == (1, 1)
    assert stats["fix.unknown_word"].dismissed == 1
    assert stats["fix.english_fragment"].resolved == 1
    result = CliRunner().invoke(app, ["rules", "stats", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:6] == ["rule", "accepted", "rejected", "resolved", "dismissed",
                                    "rejection"]
    order = [line.split()[0] for line in lines[2:]]
    assert order.index("casing.sentence_start") < order.index("phrase.dominos")
    assert order.index("fix.unknown_word") < order.index("fix.english_fragment")

    # once the article is done, the edits left undecided count as accepted
    undecided = [e.rule_id for s in article.sentences() for e in s.edits
                 if e.rule_id not in ("phrase.dominos", "casing.sentence_start")]
    decisions = load_decisions(decisions_path(out, "a"))
    decisions.mark_done()
    save_decisions(decisions_path(out, "a"), decisions, decisions.version)
    done = {s.rule_id: s for s in rule_stats([out])}
    assert undecided and all(done[rule].accepted >= 1 for rule in undecided)
    assert done["casing.sentence_start"].accepted == stats["casing.sentence_start"].accepted + 1
    assert done["fix.unknown_word"].dismissed == 1


def test_export_writes_the_final_text_as_state_final_with_notes(tmp_path: Path) -> None:
    out = _run(tmp_path)
    decisions = _review(out)
    decisions.mark_done()
    save_decisions(decisions_path(out, "a"), decisions, decisions.version)
    result = CliRunner().invoke(app, ["export", str(out)])
    assert result.exit_code == 0, result.output
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    root = ET.parse(out / "exports" / "a.xlf").getroot()
    segments = root.findall(".//x:segment", ns)
    assert {s.get("state") for s in segments} == {"final"}
    sources = [s.findtext("x:source", namespaces=ns) for s in segments]
    assert sources[0].startswith("vi ved alle") and "Mange taler." in sources
    notes = [n.text for n in root.findall(".//x:note[@category='decision']", ns)]
    assert "rejected edit casing.sentence_start: “v” → “V”: keep it lower case" in notes
    assert any(n.startswith("dismissed flag fix.unknown_word") for n in notes)


def test_a_hand_edit_key_names_its_sentence() -> None:
    sentence = _sentence("ab", ("r", 0, 1, "A"))
    sentence.add_flag("t", "f", 0, 2, "why")
    key = sentence_keys(_article(sentence))[0]
    assert text_key(key).startswith(key) and flag_key(key, sentence.flags[0]).startswith(key)


def test_an_input_whose_outputs_would_pass_for_review_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Vi ved det.\n", encoding="utf-8")
    (tmp_path / "in" / "a.decisions.txt").write_text("Vi ved det.\n", encoding="utf-8")
    result = run_batch(tmp_path / "in", tmp_path / "out", OPTIONS, translator=FakeTranslator())
    assert [o.status for o in result.outcomes] == ["failed", "done"]
    assert "taken for an editor's decisions" in result.outcomes[0].message
    assert rule_stats([tmp_path / "out"]) == []
