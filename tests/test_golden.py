"""Golden outputs: ``daen run`` on ``data/articles`` gives byte-identical files.

Each article's ``.da.txt``, ``.en.txt``, ``.diff`` and ``.json`` record is compared with the
copy kept in ``tests/golden/``. The fake translator (``[en] <sentence>``) keeps the run
deterministic; the record's run-varying fields (timings, finish time, run key) are left out.

To regenerate the goldens on purpose (after a deliberate output change), run::

    DAEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and review the diff of ``tests/golden/`` before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "data" / "articles"
GOLDEN = Path(__file__).resolve().parent / "golden"
SUFFIXES = (".da.txt", ".en.txt", ".diff", ".json")
RUN_VARYING = ("seconds", "finished", "key")  # fields of the record's "run" entry


def _stable(name: str, text: str) -> str:
    """The file as compared: a record without its run-varying fields."""
    if not name.endswith(".json"):
        return text
    record = json.loads(text)
    for field in RUN_VARYING:
        record["run"].pop(field)
    return json.dumps(record, ensure_ascii=False, indent=1) + "\n"


@pytest.fixture(scope="module")
def run_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "out"
    result = CliRunner().invoke(
        app, ["run", str(ARTICLES), "-o", str(out), "--translator", "fake", "-q"]
    )
    assert result.exit_code == 0, result.output
    return out


def _names() -> list[str]:
    return [
        p.name.removesuffix(".txt") + suffix
        for p in sorted(ARTICLES.glob("*.txt"))
        if not p.name.endswith(".en.txt")
        for suffix in SUFFIXES
    ]


@pytest.mark.parametrize("name", _names())
def test_output_matches_golden(run_outputs: Path, name: str) -> None:
    produced = _stable(name, (run_outputs / name).read_text(encoding="utf-8"))
    golden = GOLDEN / name
    if os.environ.get("DAEN_UPDATE_GOLDEN") == "1":
        golden.write_text(produced, encoding="utf-8")
    assert golden.is_file(), f"{golden} missing: regenerate with DAEN_UPDATE_GOLDEN=1"
    assert produced == golden.read_text(encoding="utf-8")


def test_every_article_has_goldens() -> None:
    assert len(_names()) == 4 * len(list(ARTICLES.glob("*.txt"))) > 0


def test_clean_command_writes_the_golden_danish(tmp_path: Path) -> None:
    """The file-by-file ``daen clean`` is the same cleanup as ``daen run``."""
    out = tmp_path / "clean"
    result = CliRunner().invoke(app, ["clean", str(ARTICLES), "-o", str(out)])
    assert result.exit_code == 0, result.output
    for path in sorted(out.glob("*.txt")):
        golden = GOLDEN / (path.name.removesuffix(".txt") + ".da.txt")
        assert path.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")
