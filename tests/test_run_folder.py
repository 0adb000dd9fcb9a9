"""One reader of a run folder (pipeline.run.folder) and its typed entries (pipeline.run.manifest).

Every reader (``daen export``, ``daen diff``, the review app, ``daen rules stats``) refuses the
same records with the same message: a record changed after its run, and a record path that
leads outside the run folder.
"""

from __future__ import annotations

import hashlib
import http.client
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.editor.review.app import Review, start_app
from pipeline.run.batch import run_batch
from pipeline.run.folder import NotARunFolder, RunFolder
from pipeline.run.manifest import (
    Counts,
    ManifestError,
    Outputs,
    RunEntry,
    Seconds,
    manifest_lines,
)
from pipeline.run.records import RecordError
from pipeline.settings import Settings
from pipeline.translate.translator import FakeTranslator

TEXT = "vi ved alle, at kunden er vigtig.\n\nDet er en ‘trend’ i 2013.\n"


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    """Two runs of one input with different settings (so ``daen diff`` reads the records)."""
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text(TEXT, encoding="utf-8")
    (src / "sub" / "b.txt").write_text("hej med dig. vi ses.\n", encoding="utf-8")
    a, b = tmp_path / "A", tmp_path / "B"
    run_batch(src, a, Settings.from_options(), translator=FakeTranslator())
    run_batch(src, b, Settings.from_options(quote_style="english"), translator=FakeTranslator())
    return a, b


def _manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _save_manifest(folder: Path, data: dict[str, Any]) -> None:
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")


def _refusals(a: Path, b: Path) -> dict[str, str]:
    """What export, diff and the review app (in process and over HTTP) say about B's ``a``."""
    said = {}
    result = CliRunner().invoke(app, ["export", str(b)])
    assert result.exit_code == 1 and isinstance(result.exception, RecordError), result.output
    said["export"] = str(result.exception)
    result = CliRunner().invoke(app, ["diff", str(a), str(b), "-q"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("unreadable"))
    said["diff"] = line.split("a.txt", 1)[1].strip()
    with pytest.raises(RecordError) as refused:
        Review(b).record("a")
    said["review"] = str(refused.value)
    running = start_app(b, token="t0ken")
    running.serve_in_thread()
    try:
        host = running.base.split("//", 1)[1]
        connection = http.client.HTTPConnection(host, timeout=30)
        connection.request("GET", "/article/a", headers={"Cookie": "daen_review=t0ken"})
        response = connection.getresponse()
        assert response.status == 500
        said["review page"] = response.read().decode("utf-8")
        connection.close()
    finally:
        running.close()
    return said


def test_a_record_changed_after_the_run_is_refused_by_every_reader(
    runs: tuple[Path, Path],
) -> None:
    a, b = runs
    record = b / "a.json"
    record.write_bytes(record.read_bytes().replace(b"kunden", b"kunder"))  # still valid JSON
    expected = f"{record}: changed or damaged since the run; run `daen run` again to redo it"
    assert _refusals(a, b) == dict.fromkeys(("export", "diff", "review", "review page"), expected)


@pytest.mark.parametrize("how", ["dotdot", "absolute", "link"])
def test_a_record_path_outside_the_run_is_refused_by_every_reader(
    runs: tuple[Path, Path], how: str
) -> None:
    a, b = runs
    manifest = _manifest(b)
    entry = manifest["articles"]["a"]
    outside = a / "a.json"  # a real record, with the digest to match: only the path is wrong
    entry["record_sha256"] = hashlib.sha256(outside.read_bytes()).hexdigest()
    if how == "link":
        (b / "a.json").unlink()
        (b / "a.json").symlink_to(outside)
        listed = "a.json"
    else:
        listed = "../A/a.json" if how == "dotdot" else str(outside)
    entry["outputs"]["json"] = listed
    _save_manifest(b, manifest)
    expected = f"{b / 'manifest.json'}: a: record path {listed!r} is not in the run"
    assert _refusals(a, b) == dict.fromkeys(("export", "diff", "review", "review page"), expected)


def test_an_article_name_outside_the_run_is_refused(runs: tuple[Path, Path]) -> None:
    _, b = runs
    manifest = _manifest(b)
    manifest["articles"]["../evil"] = manifest["articles"].pop("a")
    _save_manifest(b, manifest)
    run = RunFolder.open(b)
    with pytest.raises(RecordError, match=r"article name '\.\./evil' is not in the run"):
        run.decisions_path("../evil")
    with pytest.raises(RecordError, match="is not in the run"):
        run.record("../evil")


def test_entries_round_trip_and_the_manifest_stays_byte_identical(
    runs: tuple[Path, Path],
) -> None:
    _, b = runs
    text = (b / "manifest.json").read_text(encoding="utf-8")
    data = json.loads(text)
    run = RunFolder.open(b)
    assert list(run.entries) == list(data["articles"])  # manifest order
    for name, entry in run:
        assert RunEntry.from_json(entry.to_json()) == entry
        assert json.dumps(entry.to_json()) == json.dumps(data["articles"][name])  # key order
        record = json.loads((b / entry.outputs.record).read_text(encoding="utf-8"))
        own = RunEntry.from_json(record["run"])  # the record's copy: without the digest
        assert own.record_sha256 is None and json.dumps(own.to_json()) == json.dumps(record["run"])
    rebuilt = data | {"articles": {n: e.to_json() for n, e in run}}
    assert "".join(manifest_lines(rebuilt)) == text
    assert run.manifest.translation["model"] == "fake-echo" and run.manifest.settings


def test_an_entry_built_from_its_fields_round_trips() -> None:
    entry = RunEntry(
        "a.txt", "0" * 64, "k", Outputs((("da", "a.da.txt"), ("json", "a.json"))),
        Counts(1, 2, 1, 1, 0, 2, 0), "translated", "", {"model": "m"}, None,
        Seconds(0.1, 0.2, 0.0), "2024-01-01T00:00:00+00:00", "f" * 64,
    )
    assert RunEntry.from_json(entry.to_json()) == entry
    assert list(entry.to_json())[-1] == "record_sha256" and entry.outputs.record == "a.json"
    assert Outputs.of({"json": Path("/o/x/a.json")}, Path("/o")).to_json() == {"json": "x/a.json"}


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda e: e["counts"].update(sentences="3"), "'sentences' is str, not a whole number"),
        (lambda e: e.pop("key"), "no 'key'"),
        (lambda e: e.update(outputs=[]), "'outputs' is list, not an object"),
        (lambda e: e["outputs"].pop("json"), "no 'json'"),
        (lambda e: e.update(model="fake"), "'model' is str, not an object"),
        (lambda e: e.update(surprise=1), "unknown 'surprise'"),
    ],
)
def test_a_damaged_entry_is_one_clear_error(
    runs: tuple[Path, Path], damage: Callable[[dict[str, Any]], object], problem: str
) -> None:
    a, b = runs
    manifest = _manifest(b)
    damage(manifest["articles"]["sub/b"])
    _save_manifest(b, manifest)
    with pytest.raises(ManifestError) as error:
        RunFolder.open(b)
    message = str(error.value)
    assert message.startswith(f"{b / 'manifest.json'}: article 'sub/b'") and problem in message
    for command in (["export", str(b)], ["diff", str(a), str(b)], ["rules", "stats", str(b)]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 1 and isinstance(result.exception, ManifestError), command
    with pytest.raises(ManifestError):
        Review(b)


def test_not_a_run_folder_is_a_usage_error_for_every_reader(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    for command in (
        ["export", str(tmp_path)], ["diff", str(tmp_path), str(tmp_path)],
        ["review", str(tmp_path), "--no-browser"], ["rules", "stats", str(tmp_path)],
    ):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2 and "no manifest.json" in result.output, command
    with pytest.raises(NotARunFolder, match="not a folder"):
        RunFolder.open(tmp_path / "missing")


def test_a_missing_record_is_refused(runs: tuple[Path, Path]) -> None:
    _, b = runs
    (b / "sub" / "b.json").unlink()
    with pytest.raises(RecordError, match=r"b\.json: missing; run `daen run` again"):
        RunFolder.open(b).record("sub/b")
