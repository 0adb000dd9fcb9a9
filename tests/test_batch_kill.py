"""Crash safety: `daen run` killed with SIGKILL at several moments loses nothing.

The run is a real subprocess (``python -m pipeline run``) with a slow fake translator and small
translation chunks, so outputs appear article by article. It is killed twice, each time
after a few more articles have finished; then a last run completes the batch. Checked:

- every output file present after a kill is complete: byte for byte what the finished batch
  holds (records compared without their timing block), and ``manifest.json`` parses;
- articles finished before a kill are not redone (their records keep their mtime);
- the last run completes the batch and leaves no temporary files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.process  # a real `python -m pipeline run`, killed and resumed

ARTICLES = 12
BASE = (
    "vi ved alle, at kunden er vigtig nummer {n}. Det er en ‘trend’ – og Dominos ved det.\n\n"
    "overskrift {n}\n\n"
    "mange virksomheder taler om kunden. Få gør noget ved det i {year}. Hvad mere er, så "
    "er det ikke et stykke kage.\n"
)


def _corpus(folder: Path) -> None:
    for n in range(ARTICLES):
        path = folder / f"part{n % 3}" / f"artikel-{n:02d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(BASE.format(n=n, year=2000 + n), encoding="utf-8")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*") if p.is_file()
    }


def _comparable(name: str, data: bytes) -> object:
    if name.endswith(".json"):
        record = json.loads(data)
        record.pop("run", None)
        return record
    return data


def _records(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in folder.rglob("*.json") if p.name != "manifest.json"
    }


def _command(src: Path, out: Path, delay: float) -> list[str]:
    return [
        sys.executable, "-m", "pipeline", "run", str(src), "-o", str(out), "--translator",
        "fake", "--fake-delay", str(delay), "--chunk-sentences", "6", "--quiet",
    ]


def _snapshot(folder: Path) -> dict[str, str]:
    """A copy of the code and data to run: the run key covers the package's source, so an
    edit made meanwhile in a shared working tree would rightly make a run redo everything."""
    root = Path(__file__).resolve().parent.parent
    shutil.copytree(root / "pipeline", folder / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(root / "data", folder / "data")
    return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(folder)}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_9_at_any_moment_loses_nothing(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    _corpus(src)
    code = tmp_path / "code"
    env = _snapshot(code)
    after_kills: list[dict[str, bytes]] = []
    finished_before: dict[str, int] = {}
    for kill_after in (2, 6):  # records finished when the kill comes
        process = subprocess.Popen(
            _command(src, out, delay=0.004), env=env, cwd=code,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while len(_records(out) if out.exists() else {}) < kill_after:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the run made no progress"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL

        present = _files(out)
        json.loads(present.get("manifest.json", b"{}"))  # complete, whichever version it is
        after_kills.append(present)
        records = _records(out)
        for name, mtime in finished_before.items():
            assert records[name] == mtime, f"{name} was redone after a kill"
        finished_before = records

    final = subprocess.run(
        _command(src, out, delay=0.0), env=env, cwd=code, capture_output=True, text=True,
        timeout=120,
    )
    assert final.returncode == 0, final.stderr
    records = _records(out)
    for name, mtime in finished_before.items():
        assert records[name] == mtime, f"{name} was redone by the completing run"
    assert len(records) == ARTICLES
    files = _files(out)
    hidden = [n for n in files if n.rsplit("/", 1)[-1].startswith(".")]
    assert hidden == [".daen.lock"], "temp files left"  # only the (released) output lock
    assert len([n for n in files if n.endswith(".html")]) == ARTICLES + 1  # and index.html
    # every output present after a kill was complete: what the finished batch holds
    for present in after_kills:
        for name, data in present.items():
            if name.rsplit("/", 1)[-1].startswith(".") or name in ("manifest.json", "index.html"):
                continue  # temporary files are never read as output; batch files are rewritten
            assert _comparable(name, data) == _comparable(name, files[name]), name
    manifest = json.loads(files["manifest.json"])
    assert manifest["rules"]["table_files"]["phrases.tsv"].startswith(str(code))
    assert len(manifest["articles"]) == ARTICLES and not manifest["failed"]
    assert manifest["totals"]["unchanged"] >= len(finished_before)
