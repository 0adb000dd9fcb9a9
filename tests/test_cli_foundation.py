"""CLI: normalize, rules, help, errors and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def test_every_command_has_help() -> None:
    from typer.main import get_command

    def walk(group: Any, prefix: list[str]) -> list[tuple[list[str], Any]]:
        found = []
        for name, cmd in getattr(group, "commands", {}).items():
            found.append(([*prefix, name], cmd))
            found += walk(cmd, [*prefix, name])
        return found

    commands = walk(get_command(app), [])
    assert ["normalize"] in [path for path, _ in commands]
    for path, cmd in commands:
        assert cmd.help or cmd.short_help, f"daen {' '.join(path)} has no help text"
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path


def test_normalize_to_stdout_with_summary_on_stderr(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("en ‘trend’ i 80% – gruppen og Domino ‘ s.", encoding="utf-8")
    result = runner.invoke(app, ["normalize", str(src), "--quote-style", "guillemets"])
    assert result.exit_code == 0
    assert result.stdout == "en »trend« i 80%-gruppen og Domino's.\n"
    assert "pair_quotes" in result.stderr and "join_apostrophes" in result.stderr


def test_default_quote_style_is_the_articles_own(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("en ‘trend’, ‘pap’ og “ketchup” hos Domino ‘ s.", encoding="utf-8")
    result = runner.invoke(app, ["normalize", str(src)])
    assert result.exit_code == 0
    assert result.stdout == "en ‘trend’, ‘pap’ og ‘ketchup’ hos Domino's.\n"


def test_normalize_to_folder_keeps_names_and_inputs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "b.md").write_text("Det   er klart .", encoding="utf-8")
    original = (folder / "sub" / "b.md").read_bytes()
    out = tmp_path / "out"
    result = runner.invoke(app, ["normalize", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert (out / "sub" / "b.md").read_text(encoding="utf-8") == "Det er klart.\n"
    assert (folder / "sub" / "b.md").read_bytes() == original


def test_bad_file_gives_one_error_line_and_exit_1(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Godt.", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    result = runner.invoke(app, ["normalize", str(bad), str(good)])
    assert result.exit_code == 1
    assert result.stdout == "Godt.\n"
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: {bad}: binary file (NUL byte at offset 0), not text"]
    assert "Traceback" not in result.stderr


def test_bad_option_is_a_usage_error(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["normalize", str(src), "--quote-style", "fancy"])
    assert result.exit_code == 2
    assert "unknown quote style" in result.stderr


def test_rules_lists_ids_and_reasons() -> None:
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    assert "pair_quotes" in result.stdout
    assert "Joined a broken or curly apostrophe" in result.stdout


@pytest.mark.process
def test_help_is_fast_and_imports_no_torch() -> None:
    code = (
        "import sys, time; t=time.perf_counter(); from pipeline.cli import app; "
        "from typer.testing import CliRunner; r=CliRunner().invoke(app, ['--help']); "
        "assert r.exit_code == 0; "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, "
        "sorted(m for m in sys.modules if m.startswith(('torch', 'transformers')))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})


@pytest.mark.process
def test_python_dash_m_works() -> None:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True, check=True
    )
    assert "normalize" in result.stdout
    assert time.perf_counter() - start < 30  # sanity only; timing is measured in bench/


def test_folder_input_skips_english_originals(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Godt .", encoding="utf-8")
    (folder / "a.en.txt").write_text("Good .", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["normalize", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.txt"]
