"""The loaded fix rules hold no article's state, and what the stage does without (a missing
dictionary or analyser) is data the commands show once, not a print while loading."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from dataclasses import FrozenInstanceError, fields
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.document import Article
from pipeline.fix.stage import FixRules, fix_article, load_fix_rules
from pipeline.text.normalize import normalize_article
from pipeline.text.segment import segment_text

# A uses "initrd" as a term (three sentences) and capitalises "Skærm" once inside a sentence;
# its last paragraph's subject is a common-gender noun. B uses the same words once each, so
# state carried over from A (its terms, its capitals, its previous subject) would change B.
ARTICLE_A = (
    "Hent initrd fra serveren. Kopier initrd til disken. Start initrd bagefter.\n\n"
    "Vi så en skærm. Den store Skærm var sort.\n\n"
    "Den tværgående tyktarm strækker sig over bughulen."
)
ARTICLE_B = (
    "Det ligger under leveren. Hent initrd og intallere den.\n\n"
    "En Skærm stod på bordet. Vi flyttede skærmen."
)


def _result(article: Article) -> list[Any]:
    """What the fix stage did to an article: its text, edits and flags."""
    return [article.text] + [
        (
            [(e.rule_id, e.before, e.after) for e in s.edits],
            [(f.rule_id, f.start, f.end, f.suggestion, f.reason) for f in s.flags],
        )
        for s in article.sentences()
    ]


def _fix(text: str, rules: FixRules) -> Article:
    return fix_article(normalize_article(segment_text(text)), rules)


def _snapshot(obj: Any) -> dict[str, Any]:
    """The compared fields of a dataclass (the caches are not), containers copied, other
    objects by identity."""
    values = {f.name: getattr(obj, f.name) for f in fields(obj) if f.compare}
    return {
        name: copy.copy(value) if isinstance(value, (dict, list, set)) else value
        for name, value in values.items()
    }


def test_fixing_a_then_b_gives_b_what_b_alone_gets() -> None:
    shared = load_fix_rules()
    _fix(ARTICLE_A, shared)
    after_a = _result(_fix(ARTICLE_B, shared))
    alone = _result(_fix(ARTICLE_B, load_fix_rules()))
    assert after_a == alone
    # and the other way round: B's state does not reach A either
    assert _result(_fix(ARTICLE_A, shared)) == _result(_fix(ARTICLE_A, load_fix_rules()))


def test_the_loaded_rules_and_checker_do_not_change() -> None:
    rules = load_fix_rules()
    assert rules.checker is not None
    before, checker_before = _snapshot(rules), _snapshot(rules.checker)
    _fix(ARTICLE_A, rules)
    _fix(ARTICLE_B, rules)
    assert _snapshot(rules) == before
    assert _snapshot(rules.checker) == checker_before
    for obj, name in ((rules, "disabled"), (rules, "terms"), (rules.checker, "previous"),
                      (rules.checker, "capitalised_mid"), (rules.checker, "analyser")):
        with pytest.raises(FrozenInstanceError):
            setattr(obj, name, None)


# -- notices ---------------------------------------------------------------------------------

_MISSING = "Danish Hunspell dictionary not found"
# `daen` in a process whose installed dictionary is hidden (the dictionary paths lead nowhere).
_DAEN_WITHOUT_DICTIONARY = (
    "import sys; from pathlib import Path; import pipeline.text.lexicon as lexicon; "
    "lexicon.DICTIONARY_PATHS = (Path('/nonexistent/da_DK.dic'),); "
    "from pipeline.cli import app; app(sys.argv[1:], prog_name='daen')"
)


def _daen_without_dictionary(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _DAEN_WITHOUT_DICTIONARY, *args],
        capture_output=True, text=True, timeout=300,
    )


def test_run_quiet_keeps_the_notice_in_the_manifest_only(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text("vi så youtube i går. det var godt.\n", encoding="utf-8")
    out = tmp_path / "out"
    quiet = _daen_without_dictionary(
        "run", str(folder), "-o", str(out), "--translator", "fake", "-q", "-j", "1"
    )
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    warnings = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["warnings"]
    assert [w for w in warnings if _MISSING in w] == [next(w for w in warnings if _MISSING in w)]
    loud = _daen_without_dictionary(
        "run", str(folder), "-o", str(tmp_path / "out2"), "--translator", "fake", "-j", "1"
    )
    assert loud.returncode == 0, loud.stderr
    assert loud.stderr.count(_MISSING) == 1


def test_file_commands_say_the_notice_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.text.lexicon as lexicon

    monkeypatch.setattr(lexicon, "DICTIONARY_PATHS", (Path("/nonexistent/da_DK.dic"),))
    files = []
    for name in ("a.txt", "b.txt"):
        files.append(tmp_path / name)
        files[-1].write_text("vi så youtube i går.\n", encoding="utf-8")
    for command in ("clean", "fix"):
        result = CliRunner().invoke(
            app, [command, *map(str, files), "-o", str(tmp_path / command)]
        )
        assert result.exit_code == 0, result.output
        assert result.stderr.count(_MISSING) == 1, (command, result.stderr)
    normalized = CliRunner().invoke(app, ["normalize", str(files[0]), "-o", str(tmp_path / "n")])
    assert normalized.exit_code == 0 and _MISSING not in normalized.stderr
