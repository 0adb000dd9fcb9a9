"""One registry of rules: every rule id the code emits is declared once, with a kind, an action
(edit or flag) and the stage that runs it.

Two nets: a static scan of ``pipeline/`` for rule ids written as string literals where an edit
or a flag is made, and a run of normalize and fix over the sample articles, the golden records
and the test cases, whose every edit and flag must resolve to its declaration.
"""

from __future__ import annotations

import ast
import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import registry
from pipeline.document import Article
from pipeline.fix import declared, stage
from pipeline.fix.stage import FixRules, fix_article, load_fix_rules
from pipeline.qa import check
from pipeline.rules import ENCODING, KINDS, OTHER, Rule
from pipeline.text import normalize
from pipeline.text.normalize import normalize_article
from pipeline.text.reader import article_from_bytes, read_article
from pipeline.text.segment import segment_text
from pipeline.translate import quality

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pipeline"
CASES = Path(__file__).parent / "cases"

# Calls that make an edit or a flag: name -> (position of the rule id, of the stage, action).
# ``None`` as action: decided by the call (a grammar Finding edits when ``replace=True``).
EMITTERS: dict[str, tuple[int, int | None, str | None]] = {
    "add_flag": (1, 0, "flag"),
    "apply_edit": (1, 0, "edit"),
    "apply_edits": (1, 0, "edit"),
    "Flag": (0, 6, "flag"),
    "Edit": (1, 0, "edit"),
    "Finding": (0, None, None),
    "_flag": (0, None, "flag"),
    "_article_flag": (1, None, "flag"),
}


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _strings(node: ast.expr | None, scopes: list[ast.AST]) -> list[str]:
    """The string a rule-id argument can be: a literal, a literal f-string prefix (as
    ``prefix*``), or a name assigned string literals in the enclosing function or module."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return [first.value + "*"]
    if isinstance(node, ast.Name):
        for scope in scopes:
            # A module's own names are its top-level assignments; a function's, all of its.
            nodes = scope.body if isinstance(scope, ast.Module) else ast.walk(scope)
            found = [
                value.value
                for assign in nodes
                if isinstance(assign, ast.Assign)
                for target in assign.targets
                if isinstance(target, ast.Name) and target.id == node.id
                for value in [assign.value]
                if isinstance(value, ast.Constant) and isinstance(value.value, str)
            ]
            if found:
                return found
    return []


def _argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and position < len(call.args):
        return call.args[position]
    return None


def emitted_ids() -> Iterator[tuple[str, str, str | None, str | None]]:
    """``(where, rule id, stage or None, action or None)`` of every rule id written in
    ``pipeline/`` where an edit or flag is made."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or _name(call) not in EMITTERS:
                continue
            id_at, stage_at, action = EMITTERS[_name(call)]
            enclosing = [f for f in functions if f.lineno <= call.lineno <= (f.end_lineno or 0)]
            scopes: list[ast.AST] = [*sorted(enclosing, key=lambda f: -f.lineno), tree]
            if action is None:
                replace = _argument(call, None, "replace")
                action = "edit" if isinstance(replace, ast.Constant) and replace.value else "flag"
            # A helper without a stage argument (a Finding, quality's _flag) makes it with
            # its module's STAGE.
            given = _argument(call, stage_at, "stage") if stage_at is not None else None
            stages: list[str | None] = [*_strings(given or ast.Name("STAGE"), scopes), None]
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            for rule_id in _strings(_argument(call, id_at, "rule_id"), scopes):
                yield where, rule_id, stages[0], action


def _declared_problem(rule_id: str, stage_name: str | None, action: str | None) -> str | None:
    if rule_id.endswith("*"):
        prefix = rule_id[:-1]
        family = next((f for f in registry.families() if f.prefix == prefix), None)
        if family is None:
            return f"no family declares {rule_id}"
        found = family.member(prefix + "x")
        allowed = family.actions
    else:
        if not registry.is_declared(rule_id):
            return f"{rule_id} is not declared"
        found = registry.rule(rule_id)
        allowed = (found.action,)
        family = next((f for f in registry.families() if f.covers(rule_id)), None)
        if family is not None and rule_id not in {r.rule_id for r in registry.all_rules()}:
            allowed = family.actions
    if action is not None and action not in allowed:
        return f"{rule_id} is made as a {action}, declared as {'/'.join(allowed)}"
    if stage_name is not None and stage_name != found.stage:
        return f"{rule_id} is made by stage {stage_name}, declared for {found.stage}"
    return None


# --------------------------------------------------------------------------------------------
# The declarations themselves


def test_no_rule_is_declared_twice() -> None:
    ids = [rule.rule_id for rule in registry.all_rules()]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    prefixes = [family.prefix for family in registry.families()]
    assert len(prefixes) == len(set(prefixes))


def test_every_rule_has_a_stage_a_declared_kind_and_a_reason() -> None:
    for rule in registry.all_rules():
        assert rule.stage and rule.kind in KINDS and rule.kind is not OTHER, rule
        assert rule.reason and rule.reason != rule.rule_id, rule
    assert {r.stage for r in registry.all_rules()} == {
        "read", "normalize", "fix", "translate", "qa", "editor",
    }


def test_every_reason_table_is_declared() -> None:
    """The stages' reason tables hold no id that is not declared with the same reason."""
    tables = {
        "normalize": normalize.FLAG_REASONS, "fix": stage.FLAG_REASONS, "qa": check.FLAG_REASONS,
    }
    for stage_name, table in tables.items():
        for rule_id, reason in table.items():
            assert registry.rule(rule_id) == Rule(
                rule_id, stage_name, registry.kind_of(rule_id), "flag", reason
            )
    for rule in normalize.RULE_ORDER:
        assert registry.rule(rule.rule_id).reason == rule.reason
        assert registry.rule(rule.rule_id).action == "edit"


def test_cp1252_warning_is_an_encoding_flag_of_the_reader() -> None:
    found = registry.rule("decoded_cp1252")
    assert (found.kind, found.stage, found.action) == (ENCODING, "read", "flag")
    assert registry.kind_of("quote_unpaired").name == "punctuation"


def test_unknown_ids_fall_back_to_other() -> None:
    assert registry.kind_of("retired_rule") is OTHER
    assert registry.kind_of("qa.retired") is OTHER
    assert registry.rule("retired_rule").kind is OTHER


def test_phrase_rows_are_rules_with_their_own_action() -> None:
    rows = {r.rule_id: r for r in registry.all_rules() if r.rule_id.startswith("phrase.")}
    assert rows["phrase.walk_the_talk"].action == "edit"
    assert rows["phrase.when_it_comes_to"].action == "flag"
    assert registry.rule("phrase.not_in_the_default_table").kind.name == "phrase"


def test_hand_edit_is_declared_with_the_decisions_id() -> None:
    from pipeline.run.decisions import HAND_EDIT_RULE, HAND_EDIT_STAGE

    found = registry.rule(HAND_EDIT_RULE)
    assert (found.stage, found.action) == (HAND_EDIT_STAGE, "edit")


def test_grammar_kinds_cover_exactly_the_grammar_rules() -> None:
    from pipeline.fix.grammar import rule_reasons

    assert set(declared.GRAMMAR_KINDS) == {rule_id for rule_id, _ in rule_reasons()}


# --------------------------------------------------------------------------------------------
# (a) The code: every rule id written where an edit or a flag is made is declared


def test_scan_finds_the_emitted_ids() -> None:
    found = {rule_id for _, rule_id, _, _ in emitted_ids()}
    # The scan sees the literals of every stage (so it is not passing by finding nothing).
    assert {"quote_unpaired", "fix.doubled_word", "casing.heading_capital",
            "grammar.double_definite", "sense.*", "qa.content_lost", "translate.numbers",
            "markup_entity_kept", "editor.hand_edit"} <= found, sorted(found)
    assert len(found) >= 35


def test_every_rule_id_in_the_code_is_declared() -> None:
    problems = [
        f"{where}: {problem}"
        for where, rule_id, stage_name, action in emitted_ids()
        if (problem := _declared_problem(rule_id, stage_name, action)) is not None
    ]
    assert problems == []


def test_the_scan_catches_an_undeclared_id(tmp_path: Path) -> None:
    assert _declared_problem("fix.made_up", "fix", "flag") == "fix.made_up is not declared"
    assert _declared_problem("fix.doubled_word", "fix", "edit") is not None
    assert _declared_problem("fix.doubled_word", "normalize", "flag") is not None
    assert _declared_problem("sense.*", "fix", "edit") is not None
    code = 'sentence.add_flag(STAGE, "fix.made_up", 0, 1, "x")\nSTAGE = "fix"\n'
    tree = ast.parse(code)
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    assert _strings(_argument(call, 1, "rule_id"), [tree]) == ["fix.made_up"]
    assert _strings(_argument(call, 0, "stage"), [tree]) == ["fix"]


# --------------------------------------------------------------------------------------------
# (b) A run: every edit and flag normalize and fix make resolves to its declaration


@pytest.fixture(scope="module")
def rules() -> FixRules:
    return load_fix_rules()


def _table(name: str) -> list[dict[str, str]]:
    lines = [
        line for line in (CASES / name).read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _texts() -> Iterator[str]:
    for case in json.loads((CASES / "normalize.json").read_text(encoding="utf-8")):
        yield case["input"]
    for case in json.loads((CASES / "sentences.json").read_text(encoding="utf-8")):
        yield case["input"]
    for name in ("fix_cases.tsv", "grammar_cases.tsv"):
        for case in _table(name):
            yield case["input"].replace("\\n", "\n")
    for name in ("fix_negative.txt", "grammar_negative.txt", "negative_da.txt"):
        yield "\n".join(
            line for line in (CASES / name).read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")
        )


def _problems(article: Article) -> list[str]:
    made = [(e.rule_id, e.stage, "edit") for _, e in article.edits()]
    made += [(f.rule_id, f.stage, "flag") for f in article.all_flags()]
    problems = []
    for rule_id, stage_name, action in made:
        if not registry.is_declared(rule_id):
            problems.append(f"{rule_id} is not declared")
            continue
        found = registry.rule(rule_id)
        if (found.stage, found.action) != (stage_name, action):
            problems.append(
                f"{rule_id}: made as a {stage_name} {action}, declared as a "
                f"{found.stage} {found.action}"
            )
    return problems


def test_every_edit_and_flag_of_a_run_is_declared(rules: FixRules) -> None:
    articles = [read_article(path) for path in sorted((ROOT / "data" / "articles").glob("*.txt"))]
    articles += [segment_text(text) for text in _texts()]
    articles.append(article_from_bytes("Køge – “godt” &lt;b&gt;".encode("cp1252"), "a.txt"))
    seen: set[str] = set()
    problems = []
    for article in articles:
        fix_article(normalize_article(article), rules)
        problems += _problems(article)
        seen |= {e.rule_id for _, e in article.edits()} | {f.rule_id for f in article.all_flags()}
    assert problems == []
    assert {"decoded_cp1252", "quote_unpaired", "markup_entity_kept", "casing.sentence_start",
            "fix.english_fragment", "pair_quotes"} <= seen
    assert len(seen) >= 40, sorted(seen)


def test_every_edit_and_flag_of_the_golden_records_is_declared() -> None:
    records = sorted((Path(__file__).parent / "golden").glob("*.json"))
    assert records
    for path in records:
        article = Article.from_dict(json.loads(path.read_text(encoding="utf-8")))
        assert _problems(article) == [], path.name


def test_back_translation_flags_are_declared() -> None:
    flags = [
        *quality.translation_flags("Salget steg 12 procent i 2023.", "Sales rose 15 percent."),
        *quality.translation_flags("Det er godt.", "Det er godt godt godt godt godt godt."),
        quality.incomplete_flag("Sales"),
    ]
    assert {f.rule_id for f in flags} >= {"translate.numbers", "translate.incomplete"}
    for flag in flags:
        found = registry.rule(flag.rule_id)
        assert (found.stage, found.action, found.kind.name) == (flag.stage, "flag", "translation")


# --------------------------------------------------------------------------------------------
# What the registry drives


def test_review_page_groups_the_cp1252_warning_under_encoding() -> None:
    from pipeline.render.html import review_page

    article = article_from_bytes("Køge er “godt”.".encode("cp1252"), "a.txt")
    page = review_page(article)
    assert '<section data-kind="encoding"><h3>Input and encoding (1)</h3>' in page
    assert 'value="encoding"' in page and "decoded_cp1252" in page
    assert '<section data-kind="punctuation">' not in page


def test_review_page_groups_an_unknown_old_id_under_other() -> None:
    from pipeline.document import Flag
    from pipeline.render.html import review_page

    article = segment_text("Det er godt.")
    sentence = next(article.sentences())
    sentence.flags.append(Flag("retired.rule", 0, 3, "info", "An old flag.", None, "fix"))
    page = review_page(article)
    assert '<section data-kind="other"><h3>Other (1)</h3>' in page


def test_cli_rules_lists_stage_kind_action_and_reason() -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["rules"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[1]: line.split(maxsplit=4) for line in result.stdout.splitlines()}
    assert rows["decoded_cp1252"][:4] == ["read", "decoded_cp1252", "encoding", "flag"]
    assert rows["pair_quotes"][:4] == ["normalize", "pair_quotes", "punctuation", "edit"]
    assert rows["phrase.walk_the_talk"][2:4] == ["phrase", "edit"]
    assert rows["sense.*"][:4] == ["fix", "sense.*", "phrase", "flag"]
    assert rows["phrase.*"][3] == "edit/flag"
    assert rows["qa.divergent"][2:4] == ["translation", "flag"]


def test_summary_counts_flags_by_declared_kind() -> None:
    from pipeline.run.workflow import Summary

    article = article_from_bytes("Køge er “godt”.".encode("cp1252"), "a.txt")
    summary = Summary()
    summary.add(article)
    assert "flags by kind: encoding 1" in summary.lines()
