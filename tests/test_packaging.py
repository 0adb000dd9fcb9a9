"""The rule tables ship with the package: pyproject.toml lists every package and maps data/ into
it, a missing table is an error, ``--data`` reaches every stage, and an installed wheel cleans
articles exactly as the checkout does."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import RuleTableError
from pipeline.settings import Settings
from pipeline.text.normalize import NormalizeConfig, normalize_text
from pipeline.text.tables import TABLES, default_data_dir

ROOT = Path(__file__).resolve().parent.parent


def test_pyproject_lists_every_package_and_ships_the_tables() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    packages = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "pipeline").rglob("__init__.py")
    }
    assert set(config["setuptools"]["packages"]) == packages | {"pipeline.data"}
    assert config["setuptools"]["package-dir"] == {"pipeline.data": "data"}
    shipped = config["setuptools"]["package-data"]["pipeline.data"]
    assert {Path(name).suffix for name in TABLES} == {pattern[1:] for pattern in shipped}


def test_the_default_tables_are_the_checkouts() -> None:
    assert default_data_dir() == ROOT / "data"
    assert all((default_data_dir() / name).is_file() for name in TABLES)


def test_rules_check_names_the_missing_tables(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["rules", "check", "--data", str(tmp_path)])
    assert result.exit_code != 0 and isinstance(result.exception, RuleTableError)
    assert "missing rule table(s) phrases.tsv, names.txt" in str(result.exception)
    assert "ok:" not in result.output


@pytest.mark.process
def test_an_empty_table_is_an_error(tmp_path: Path) -> None:
    for name in TABLES:
        shutil.copy(ROOT / "data" / name, tmp_path / name)
    (tmp_path / "loanwords.txt").write_text("\n\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "rules", "check", "--data", str(tmp_path)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "empty rule table(s) loanwords.txt" in result.stderr


def test_normalize_reads_names_from_the_data_folder(tmp_path: Path) -> None:
    for name in TABLES:
        shutil.copy(ROOT / "data" / name, tmp_path / name)
    with (tmp_path / "names.txt").open("a", encoding="utf-8") as names:
        names.write("\nKåbølle\n")
    garbled = "I København ligger KÃ¥bÃ¸lle."
    words_only = frozenset({"fix_mojibake"})  # ftfy repairs half the word on its own
    # the shipped names do not know it
    assert normalize_text(garbled, NormalizeConfig(disabled=words_only)) == garbled
    settings = Settings.from_options(data=tmp_path)
    assert settings.normalize.data_dir == settings.fix.data_dir == tmp_path
    config = replace(settings.normalize, disabled=words_only)
    assert normalize_text(garbled, config) == "I København ligger Kåbølle."
    # The run key covers names.txt through the fix stage's tables (the same folder) ...
    assert "names.txt" in settings.rules()["tables"]
    # ... and a library caller's own normalize folder too.
    alone = Settings(normalize=NormalizeConfig(data_dir=tmp_path))
    assert "normalize:names.txt" in alone.rules()["tables"]


def _source_copy(folder: Path) -> Path:
    """The tracked files of the checkout, so no stale build/ of the checkout gets in."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    return folder


@pytest.mark.slow
@pytest.mark.process
def test_an_installed_wheel_cleans_like_the_checkout(tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git checkout")
    source = _source_copy(tmp_path / "source")
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(source)],
        check=True, capture_output=True,
    )
    (wheel,) = wheels.glob("daen-*.whl")
    # A fresh venv that sees this interpreter's packages (torch, typer, ...) through a .pth
    # line: a plain path entry, so that site-packages' own .pth files (an editable daen) do
    # not run there and the wheel's daen is the only one.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    Path(site, "shared-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["HF_HUB_OFFLINE"] = "1"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True, env=env)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "data" / "articles", elsewhere / "articles")
    where = subprocess.run(
        [python, "-c", "import pipeline.text.tables as t; print(t.__file__); "
         "print(t.default_data_dir())"],
        cwd=elsewhere, check=True, capture_output=True, text=True, env=env,
    ).stdout.split()
    assert all(path.startswith(site) for path in where), where
    installed = subprocess.run(
        [venv / "bin" / "daen", "clean", "articles", "-o", "out"],
        cwd=elsewhere, capture_output=True, text=True, env=env,
    )
    assert installed.returncode == 0, installed.stderr
    checkout = subprocess.run(
        [sys.executable, "-m", "pipeline", "clean", str(ROOT / "data" / "articles"), "-o",
         str(tmp_path / "checkout-out")],
        capture_output=True, text=True, env={**env, "PYTHONPATH": str(ROOT)},
    )
    assert checkout.returncode == 0, checkout.stderr
    ours, theirs = elsewhere / "out", tmp_path / "checkout-out"
    names = sorted(p.relative_to(ours) for p in ours.rglob("*") if p.is_file())
    assert names and names == sorted(
        p.relative_to(theirs) for p in theirs.rglob("*") if p.is_file()
    )
    _, mismatch, errors = filecmp.cmpfiles(ours, theirs, [str(n) for n in names], shallow=False)
    assert mismatch == errors == []
