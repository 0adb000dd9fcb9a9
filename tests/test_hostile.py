"""Hostile inputs and a messy disk (issue 13), organised by the issue's item numbers.

Each test sets up what a user with a messy disk could have and asserts what daen does now:
refuse with one clear line, fail one article alone, or carry on and say so. Never touch what is
not ours (1-8), nothing stops a batch or prints a traceback (9-12), nothing hangs and cost grows
linearly (13-16; the times are measured by ``bench/adversarial.py``), state that does not lie
(17-22), and the set-up (23).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import Recorder, run, statuses
from typer.testing import CliRunner

from pipeline import fsutil
from pipeline.cli import app
from pipeline.document import Edit
from pipeline.errors import DaenError, RunInterrupted, UsageError
from pipeline.fix.phrases import LONGEST_SCANNED_RUN, Spans, protected_spans
from pipeline.render.html import trace_edits
from pipeline.run.batch import run_batch
from pipeline.run.runlock import FolderLockedError, OutputLock
from pipeline.settings import Settings
from pipeline.translate.cache import CachePathError, TranslationCache
from pipeline.translate.translator import FakeTranslator

ROOT = Path(__file__).resolve().parent.parent


def dead_pid() -> int:
    """The id of a process that has ended (for temporary files of a killed run)."""
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True, text=True, check=True,
    )
    return int(ended.stdout)


ARTICLE = "vi ved alle, at kunden er vigtig. Det er godt.\n\nmange taler om kunden.\n"
POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX files and signals")


def write(folder: Path, name: str, text: str | bytes = ARTICLE) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def daen(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real command line in a child process (for hangs, signals and raw output)."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
        timeout=timeout, cwd=cwd, env=env, check=False,
    )


def said(result: Any) -> str:
    """What the command line shows for a CliRunner result: its output, and the one ``Error:``
    line ``pipeline.cli.main`` prints for a DaenError (anything else is a bug)."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert isinstance(result.exception, DaenError), repr(result.exception)
        return f"{result.output}Error: {result.exception}\n"
    return str(result.output)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    write(folder, "a.txt")
    write(folder, "b.txt", ARTICLE.replace("kunden", "kunderne"))
    write(folder, "sub/c.txt", "hej med dig. vi ses.\n")
    return folder


# -- 1: --cache-path never renames what is not a daen cache -------------------------------------


def test_1_a_folder_as_cache_path_is_a_usage_error_and_stays(tmp_path: Path) -> None:
    folder = tmp_path / "DIR"
    folder.mkdir()
    (folder / "mine.txt").write_text("my notes")
    with pytest.raises(CachePathError, match="is a folder") as caught:
        TranslationCache(folder)
    assert isinstance(caught.value, UsageError)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DIR"]
    assert (folder / "mine.txt").read_text() == "my notes"


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"my own notes\n" * 50, "not a daen translation cache"), (None, "something else")],
)
def test_1_a_file_that_is_no_daen_cache_is_a_usage_error_and_stays(
    tmp_path: Path, content: bytes | None, problem: str
) -> None:
    path = tmp_path / "notes.db"
    if content is None:  # another program's SQLite database
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE people (name TEXT)")
            conn.execute("INSERT INTO people VALUES ('Ea')")
        conn.close()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    with pytest.raises(CachePathError, match=problem):
        TranslationCache(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_1_a_damaged_daen_cache_is_still_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    TranslationCache(path).close()
    path.with_name("c.sqlite3-wal").unlink(missing_ok=True)
    path.write_bytes(path.read_bytes()[:4096] + b"\x00garbage" * 600)
    warnings: list[str] = []
    cache = TranslationCache(path, warn=warnings.append)
    assert cache.enabled and "moved it to" in warnings[0]
    assert list(tmp_path.glob("c.sqlite3.corrupt-*"))


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Paths made immutable with chattr (so that even root cannot write them); undone after."""
    made: list[Path] = []
    yield made
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=False, capture_output=True)


def _make_read_only(path: Path, made: list[Path]) -> None:
    if os.geteuid() != 0:
        path.chmod(0o444)
        path.parent.chmod(0o555)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a file read-only")
    for target in (path, path.parent):
        done = subprocess.run(["chattr", "+i", str(target)], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip("this file system does not support chattr +i")
        made.append(target)


def test_1_a_read_only_cache_is_used_without_writing(
    tmp_path: Path, immutable: list[Path]
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "c.sqlite3"
    with TranslationCache(path) as cache:
        cache.put_many({"k": ("Hello.", -0.1)})
    for side in ("-wal", "-shm"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    before = path.read_bytes()
    _make_read_only(path, immutable)
    warnings: list[str] = []
    cache = TranslationCache(path, warn=warnings.append)
    try:
        assert cache.read_only and cache.enabled
        assert cache.get_many(["k"]) == {"k": ("Hello.", -0.1)}
        cache.put_many({"k2": ("More.", None)})  # silently not stored
        assert cache.get_many(["k2"]) == {}
    finally:
        cache.close()
    assert len(warnings) == 1 and "read-only" in warnings[0]
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["c.sqlite3"]


def test_1_cli_cache_path_of_the_users_folder_exits_2(tmp_path: Path, tiny_marian: Any) -> None:
    folder = tmp_path / "DIR"
    write(folder, "mine.txt", "my notes")
    article = write(tmp_path, "a.txt", tiny_marian.pairs[0][0] + "\n")
    done = daen("translate", str(article), "--cache-path", str(folder),
                "--model", str(tiny_marian.path), "--backend", "torch")
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("Error: ") == 1 and "is a folder" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DIR", "a.txt"]
    assert (folder / "mine.txt").read_text(encoding="utf-8") == "my notes"


# -- 2: input and output may not overlap, in either direction --------------------------------------


def test_2_input_inside_output_is_refused_and_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    inputs = out / "in"
    write(inputs, "a.txt")
    write(inputs, ".skjult.txt", "hidden")
    write(inputs, "a.da.txt", "the user's own file")
    before = snapshot(inputs)
    with pytest.raises(UsageError, match=r"input folder .* is inside the output folder"):
        run(inputs, out)
    assert snapshot(inputs) == before
    result = CliRunner().invoke(app, ["run", str(inputs), "-o", str(out)])
    assert result.exit_code == 2 and "inside the output folder" in result.output
    assert snapshot(inputs) == before and not (out / "manifest.json").exists()


def test_2_output_inside_input_is_refused(src: Path) -> None:
    with pytest.raises(UsageError, match=r"output folder .* is inside the input folder"):
        run(src, src / "sub" / "out")
    assert not (src / "sub" / "out").exists()


@POSIX
def test_2_overlap_through_a_link_is_refused(src: Path, tmp_path: Path) -> None:
    (tmp_path / "alias").symlink_to(src)
    with pytest.raises(UsageError, match="inside the input folder"):
        run(src, tmp_path / "alias" / "out")


# -- 3: the temporary-file sweep removes only what this tool proves it made ----------------------


@pytest.mark.process
def test_3_sweep_keeps_the_users_files_and_a_running_runs_files(tmp_path: Path) -> None:
    host = fsutil.host_tag()
    users = tmp_path / "sub" / ".notes.abcdefgh.tmp"  # looked like ours before
    users.parent.mkdir()
    users.write_text("mine")
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        in_flight = tmp_path / f".a.html.daen-tmp-{host}-{running.pid}-0123abcd.tmp"
        in_flight.write_text("<html half")
        mine_now = tmp_path / fsutil.temp_name("b.html")
        mine_now.write_text("<html half")
        killed = tmp_path / f".c.html.daen-tmp-{host}-{dead_pid()}-0123abcd.tmp"
        killed.write_text("<html half")
        elsewhere = tmp_path / f".d.html.daen-tmp-00000000-{dead_pid()}-0123abcd.tmp"
        elsewhere.write_text("another machine's run")
        assert fsutil.remove_stale_temp_files(tmp_path) == 1
    finally:
        running.kill()
        running.wait()
    assert not killed.exists()
    assert users.exists() and in_flight.exists() and mine_now.exists() and elsewhere.exists()


def test_3_write_atomic_leaves_no_temporary_file_and_names_them_provably(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.html"
    fsutil.write_atomic(target, "<p>hej</p>")
    assert target.read_text() == "<p>hej</p>"
    assert [p.name for p in target.parent.iterdir()] == ["a.html"]
    assert fsutil.parse_temp_name(fsutil.temp_name("a.html")) == (fsutil.host_tag(), os.getpid())


def test_3_a_name_near_the_limit_still_gets_a_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / ("x" * 250 + ".html")
    fsutil.write_atomic(target, "ok")
    assert target.read_text() == "ok"


@POSIX
def test_3_the_sweep_keeps_the_users_and_a_live_runs_files(src: Path, tmp_path: Path) -> None:
    from pipeline.fsutil import temp_name

    out = tmp_path / "out"
    users = write(out, "sub/.notes.abcdefgh.tmp", "the user's own")
    live = write(out, temp_name("a.html"), "a running run's file")  # this process is alive
    run(src, out)
    assert users.read_text(encoding="utf-8") == "the user's own"
    assert live.is_file()


# -- 4: two runs into one output folder -----------------------------------------------------------


def test_4_a_second_run_is_refused_with_a_clear_line(tmp_path: Path) -> None:
    with OutputLock(tmp_path / "out"), pytest.raises(FolderLockedError) as caught:
        OutputLock(tmp_path / "out").acquire()
    message = str(caught.value)
    assert "another daen run is writing here" in message and f"pid {os.getpid()}" in message
    assert "\n" not in message
    with OutputLock(tmp_path / "out") as again:  # released: free again
        assert not again.took_over


@pytest.mark.process
def test_4_a_second_run_may_wait_for_the_first(tmp_path: Path) -> None:
    first = OutputLock(tmp_path)
    first.acquire()
    told: list[str] = []
    second = OutputLock(tmp_path, wait_s=30, notify=told.append)
    releaser = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    try:
        import threading

        def release_after_the_wait_began() -> None:
            releaser.wait()
            first.release()

        thread = threading.Thread(target=release_after_the_wait_began)
        thread.start()
        second.acquire()
        thread.join()
    finally:
        second.release()
        first.release()
    assert len(told) == 1 and "waiting for another daen run" in told[0]


@pytest.mark.process
def test_4_a_killed_runs_lock_is_stale_and_taken_over(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            sys.path.insert(0, {str(ROOT)!r})
            from pathlib import Path
            from pipeline.run.runlock import OutputLock
            OutputLock(Path({str(tmp_path)!r})).acquire()
            print("locked", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    with pytest.raises(FolderLockedError, match=f"pid {holder.pid}"):
        OutputLock(tmp_path).acquire()
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with OutputLock(tmp_path) as lock:
        assert lock.took_over


@POSIX
def test_4_a_second_run_into_a_locked_folder_is_refused(src: Path, tmp_path: Path) -> None:
    from pipeline.run.runlock import FolderLockedError, OutputLock

    out = tmp_path / "out"
    with OutputLock(out), pytest.raises(FolderLockedError, match="another daen run"):
        run(src, out)
    assert not (out / "manifest.json").exists()
    result, _ = run(src, out)  # released: the next run goes ahead
    assert set(statuses(result).values()) == {"done"}


@pytest.mark.process
@POSIX
def test_4_run_takes_over_a_killed_runs_lock(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    lock = {"host": "here", "pid": int(child.stdout), "started": time.time() - 60}
    write(out, ".daen.lock", json.dumps(lock))  # left by a run killed with -9
    result, _ = run(src, out)
    assert set(statuses(result).values()) == {"done"}


@pytest.mark.process
@POSIX
def test_4_cli_says_which_run_holds_the_folder(src: Path, tmp_path: Path) -> None:
    from pipeline.run.runlock import OutputLock

    out = tmp_path / "out"
    with OutputLock(out):
        done = daen("run", str(src), "-o", str(out), "--translator", "fake", "-q")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and f"pid {os.getpid()}" in done.stderr
    assert "Traceback" not in done.stderr


# -- 5: file-by-file commands never overwrite ------------------------------------------------------


def test_5_clean_refuses_two_inputs_with_one_output(tmp_path: Path) -> None:
    a = write(tmp_path / "a", "x.txt")
    b = write(tmp_path / "b", "x.txt", "et andet. indhold.\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["clean", str(a), str(b), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.count("same name as that of another input") == 2
    assert not (out / "x.txt").exists()


def test_5_clean_refuses_to_overwrite_an_input(tmp_path: Path) -> None:
    a = write(tmp_path / "q", "a.txt")
    b = write(tmp_path / "q", "sub/a.txt", "en anden. artikel.\n")
    result = CliRunner().invoke(app, ["clean", str(a), "-o", str(tmp_path / "q")])
    assert result.exit_code == 1 and "would overwrite an input" in result.output
    result = CliRunner().invoke(app, ["clean", str(b), str(a), "-o", str(tmp_path / "q")])
    assert result.output.count("would overwrite an input") == 2  # b's output is a
    assert a.read_text(encoding="utf-8") == ARTICLE


def test_5_translate_never_overwrites_an_english_original(tmp_path: Path, tiny_marian: Any) -> None:
    folder = tmp_path / "q"
    art = write(folder, "art.txt", "Hunden løber i parken.\n")
    original = write(folder, "art.en.txt", "The hand-written English original.\n")
    args = ["--model", str(tiny_marian.path), "--backend", "torch", "--no-cache"]
    result = CliRunner().invoke(app, ["translate", str(art), "-o", str(folder), *args])
    assert result.exit_code == 1 and "English original" in result.output
    assert original.read_text(encoding="utf-8") == "The hand-written English original.\n"
    assert not (folder / "art.json").exists()
    # the same name twice (x.txt and x.md): neither is written
    write(folder, "x.txt", "Katten sover på sofaen.\n")
    write(folder, "x.md", "Hunden løber i parken.\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["translate", str(folder / "x.txt"), str(folder / "x.md"), "-o", str(out), *args]
    )
    assert result.exit_code == 1 and result.output.count("same name") == 2
    assert not (out / "x.en.txt").exists()
    # elsewhere it is written as usual
    result = CliRunner().invoke(app, ["translate", str(art), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    assert (out / "art.en.txt").read_text(encoding="utf-8").startswith("The dog runs")


# -- 6: an empty path is a usage error -------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["run", "", "-o", "out"],
    ["run", "in", "-o", ""],
    ["clean", "", "-o", "out"],
    ["clean", "in/a.txt", "-o", ""],
    ["normalize", "in/a.txt", "-o", ""],
    ["fix", ""],
    ["translate", "in/a.txt", "-o", ""],
    ["export", "", "-o", "x"],
    ["rules", "check", "--data", ""],
])
def test_6_an_empty_path_is_a_usage_error(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "in/a.txt")
    index = write(tmp_path, "index.html", "<p>the user's page</p>")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "empty path" in result.output
    assert index.read_text(encoding="utf-8") == "<p>the user's page</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "index.html"]


# -- 7: outputs are never written through a link --------------------------------------------------


def test_7_a_linked_folder_inside_the_output_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.html").write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "docs").symlink_to(elsewhere)
    with pytest.raises(OSError, match="symbolic link") as caught:
        fsutil.write_atomic(out / "docs" / "a.html", "overwritten", root=out)
    assert isinstance(caught.value, fsutil.LinkedPathError)
    assert (elsewhere / "a.html").read_text() == "precious"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["a.html"]


def test_7_a_linked_output_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.html").symlink_to(secret)
    with pytest.raises(fsutil.LinkedPathError):
        fsutil.write_atomic(out / "a.html", "overwritten", root=out)
    assert secret.read_text() == "precious"


def test_7_the_output_folder_itself_may_be_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "out").symlink_to(real)
    fsutil.write_atomic(tmp_path / "out" / "sub" / "a.html", "ok", root=tmp_path / "out")
    assert (real / "sub" / "a.html").read_text() == "ok"


@POSIX
def test_7_a_link_inside_the_output_folder_is_never_written_through(
    tmp_path: Path,
) -> None:
    src, out, elsewhere = tmp_path / "in", tmp_path / "out", tmp_path / "elsewhere"
    write(src, "docs/a.txt")
    write(src, "b.txt")
    victim = write(elsewhere, "a.da.txt", "not yours")
    out.mkdir()
    (out / "docs").symlink_to(elsewhere)
    result, _ = run(src, out)
    assert statuses(result) == {"b.txt": "done", "docs/a.txt": "failed"}
    assert "symbolic link" in result.failed[0].message
    assert victim.read_text(encoding="utf-8") == "not yours"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["a.da.txt"]
    (out / "b.html").unlink()
    (out / "b.html").symlink_to(victim)  # a link in the place of an output
    run(src, out, force=True)
    assert victim.read_text(encoding="utf-8") == "not yours"


# -- 8: links out of the input folder --------------------------------------------------------------


@POSIX
def test_8_links_out_of_the_input_are_skipped_unless_asked(src: Path, tmp_path: Path) -> None:
    secret = write(tmp_path / "private", "secret.txt", "hemmeligt kodeord. ikke til andre.\n")
    (src / "leak.txt").symlink_to(secret)
    (src / "elsewhere").symlink_to(secret.parent)
    (src / "inside.txt").symlink_to(src / "a.txt")  # a link within the input is fine
    out = tmp_path / "out"
    result, recorder = run(src, out)
    assert "leak.txt" not in statuses(result) and "elsewhere/secret.txt" not in statuses(result)
    assert statuses(result)["inside.txt"] == "done"
    assert sum("outside the input folder" in w for w in recorder.warnings) == 2
    published = b"".join(snapshot(out).values())
    assert b"hemmeligt" not in published
    result, _ = run(src, tmp_path / "out2", follow_links=True)
    assert statuses(result)["leak.txt"] == "done"
    assert statuses(result)["elsewhere/secret.txt"] == "done"
    cli = CliRunner().invoke(app, ["run", str(src), "-o", str(tmp_path / "out3"),
                                   "--translator", "fake", "--follow-links", "-q"])
    assert cli.exit_code == 0 and (tmp_path / "out3" / "leak.da.txt").is_file()


# -- 9: a name that cannot carry its output names fails that article only --------------------------


def test_9_a_file_name_too_long_for_its_outputs_fails_alone(src: Path, tmp_path: Path) -> None:
    long_name = "x" * 249 + ".txt"  # 253 bytes: fits, but NAME.da.txt would not
    write(src, long_name)
    result, _ = run(src, tmp_path / "out")
    assert statuses(result)[long_name] == "failed"
    failure = next(o for o in result.outcomes if o.status == "failed")
    assert "too long to carry its output names" in failure.message
    assert {k: v for k, v in statuses(result).items() if k != long_name} == {
        "a.txt": "done", "b.txt": "done", "sub/c.txt": "done"
    }
    assert (tmp_path / "out" / "index.html").is_file()


# -- 10: clear errors instead of tracebacks --------------------------------------------------------


def test_10_a_full_disk_fails_articles_and_says_so(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import fsutil

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fsutil.os, "fsync", disk_full)
    result, recorder = run(src, tmp_path / "out")
    assert set(statuses(result).values()) == {"failed"}
    assert all("No space left" in o.message for o in result.failed)
    assert any("index.html: cannot be written" in w for w in recorder.warnings)
    assert any("manifest.json: cannot be written" in w for w in recorder.warnings)
    assert result.exit_code == 1 and not result.manifest_saved
    assert not list((tmp_path / "out").rglob("*.tmp"))


@POSIX
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anyway")
def test_10_a_read_only_output_folder_is_one_clear_error(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)
    try:
        with pytest.raises(DaenError, match="cannot be written"):
            run(src, out)
    finally:
        out.chmod(0o700)


def test_10_a_manifest_with_wrong_types_is_checked_again(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(src, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["articles"] = ["a", "b"]
    manifest["translation"] = "ok"
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result, recorder = run(src, out)
    assert any("damaged manifest" in w for w in recorder.warnings)
    assert set(statuses(result).values()) == {"unchanged"}  # the records still prove it
    assert isinstance(json.loads((out / "manifest.json").read_text("utf-8"))["articles"], dict)


def test_10_damaged_torch_weights_are_a_clear_message(
    src: Path, tmp_path: Path, tiny_marian: Any
) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_marian.path, model)
    weights = model / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "run", str(src), "-o", str(out), "--model", str(model), "--backend", "torch", "-q",
    ])
    assert result.exit_code == 0, result.output
    assert "damaged or incomplete weights" in result.output
    assert (out / "a.da.txt").is_file() and (out / "index.html").is_file()
    assert "missing" in (out / "a.en.txt").read_text(encoding="utf-8")


def test_10_output_errors_in_file_commands_are_one_line(tmp_path: Path) -> None:
    article = write(tmp_path, "in/a.txt")
    blocker = write(tmp_path, "afile", "not a folder")
    for command in ("clean", "normalize", "fix"):
        result = CliRunner().invoke(app, [command, str(article), "-o", str(blocker)])
        assert result.exit_code == 1, (command, result.output)
        assert "cannot be written" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_10_export_to_an_unwritable_place_and_diff_html_to_a_folder(
    src: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run(src, out)
    blocker = write(tmp_path, "afile", "x")
    result = CliRunner().invoke(app, ["export", str(out), "-o", str(blocker / "sub")])
    assert result.exit_code == 1 and "cannot be written" in said(result)
    folder = tmp_path / "reports"
    folder.mkdir()
    result = CliRunner().invoke(app, ["diff", str(out), str(out), "--html", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "diff.html").is_file()


def test_10_hand_damaged_records_give_clear_errors(src: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "A", tmp_path / "B"
    run(src, a)
    run(src, b, quote_style="english")
    record = json.loads((b / "a.json").read_text(encoding="utf-8"))
    record["paragraphs"] = [{"kind": "text", "sentences": "not a list"}]
    (b / "a.json").write_text(json.dumps(record), encoding="utf-8")
    result = CliRunner().invoke(app, ["export", str(b)])
    assert result.exit_code == 1 and "a.json: changed or damaged since the run" in said(result)
    manifest = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    del manifest["articles"]["a"]["record_sha256"]  # without the digest: read, and refused
    (b / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = CliRunner().invoke(app, ["export", str(b)])
    assert result.exit_code == 1 and "a.json: not a valid article record" in said(result)
    result = CliRunner().invoke(app, ["diff", str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert "unreadable" in result.output or "damaged" in result.output


def test_10_input_folders_named_like_the_batch_files(src: Path, tmp_path: Path) -> None:
    write(src, "index.html/x.txt")
    write(src, "manifest.json/y.txt")
    out = tmp_path / "out"
    result, _ = run(src, out)
    assert statuses(result)["index.html/x.txt"] == "failed"
    assert statuses(result)["manifest.json/y.txt"] == "failed"
    assert statuses(result)["a.txt"] == "done"
    assert (out / "index.html").is_file() and (out / "manifest.json").is_file()


# -- 11: cleaned and written chunk by chunk --------------------------------------------------------


class Interrupting(FakeTranslator):
    """Translates, and on call ``at`` acts as if the user pressed Ctrl-C."""

    def __init__(self, at: int, out: Path, recorder: Recorder) -> None:
        super().__init__()
        self.at, self.out, self.recorder = at, out, recorder
        self.failed_seen: list[list[str]] = []

    def translate_texts(self, texts: list[str], progress: Any = None) -> Any:
        self.failed_seen.append([o.source for o in self.recorder.outcomes if o.status == "failed"])
        if len(self.calls) + 1 == self.at:
            raise KeyboardInterrupt
        return super().translate_texts(texts, progress)


def test_11_12_cleaned_and_written_chunk_by_chunk_and_ctrl_c_keeps_them(
    tmp_path: Path,
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    for name in ("a", "b", "d", "e"):
        write(src, f"{name}.txt", f"{name}: kunden er vigtig. det er godt.\n")
    write(src, "c.txt", b"hej \x81\x8d med dig.\n")  # not text: fails when it is cleaned
    recorder = Recorder()
    translator = Interrupting(3, out, recorder)
    with pytest.raises(RunInterrupted, match=r"2 article\(s\) written .* run the same command"):
        run_batch(src, out, Settings.from_options(chunk_sentences=1), translator=translator,
                  reporter=recorder)
    # c is cleaned only once its chunk comes: not before the first chunks are translated
    assert translator.failed_seen[0] == [] and translator.failed_seen[2] == ["c.txt"]
    assert (out / "a.json").is_file() and (out / "b.json").is_file()
    assert not (out / "d.json").exists()
    saved = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(saved["articles"]) == ["a", "b"]
    result, _ = run(src, out)  # the re-run continues
    assert statuses(result) == {
        "a.txt": "unchanged", "b.txt": "unchanged", "c.txt": "failed",
        "d.txt": "done", "e.txt": "done",
    }


# -- 12: Ctrl-C exits 130 with one line saying what is done ----------------------------------------


@pytest.mark.process
@POSIX
def test_12_ctrl_c_exits_130_with_one_line(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    for i in range(40):
        write(src, f"a{i:02}.txt", f"artikel {i}. kunden er vigtig.\n")
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(src), "-o", str(out), "-q",
         "--translator", "fake", "--fake-delay", "0.1", "--chunk-sentences", "2"],
        stderr=subprocess.PIPE, text=True, env=env,
    )
    deadline = time.monotonic() + 120
    while not (out / "a00.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    assert stderr.strip().count("\n") == 0, stderr
    assert "interrupted" in stderr and "run the same command again" in stderr
    again = daen("run", str(src), "-o", str(out), "--translator", "fake", "-q")
    assert again.returncode == 0, again.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["totals"]["unchanged"] >= 1 and manifest["totals"]["failed"] == 0


# -- 13: nothing hangs on a FIFO or a device -------------------------------------------------------


@pytest.mark.process
@POSIX
@pytest.mark.parametrize("command", ["normalize", "clean", "fix", "translate"])
def test_13_file_commands_refuse_fifos_and_devices(command: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    args = ["-o", str(tmp_path / "out")] if command in ("clean", "translate") else []
    done = daen(command, str(fifo), "/dev/zero", *args, timeout=60)
    assert "not a regular file" in done.stderr
    assert done.stderr.count("not a regular file") == 2
    assert done.returncode != 0 and "Traceback" not in done.stderr


# -- 14: every stage linear in its input (sizes: bench/adversarial.py measures the times) --------

HOSTILE = {
    "a": "a", "1.": "1.", "dots": ".", "a ' s": "a ' s ", "a+newline": "a\n",
    "quotes": '"', "dashes": "-", "brackets": "(", "urls": "https://example.com/a ",
    "emails": "a@b.dk ", "abbreviations": "f.eks. ", "initials": "A. ",
    "mojibake": "Ã¸", "capitals": "A", "tags": "<b>a</b> ",
}


@pytest.fixture(scope="module")
def fix_rules() -> object:
    from pipeline.fix.stage import load_fix_rules

    return load_fix_rules()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_14_hostile_input_goes_through_every_stage_sound(name: str, fix_rules: object) -> None:
    from pipeline.fix.stage import fix_article
    from pipeline.render.html import review_page
    from pipeline.render.text import word_diff_text
    from pipeline.text.normalize import normalize_article
    from pipeline.text.reader import article_from_bytes

    unit = HOSTILE[name]
    text = unit * (4000 // len(unit))
    article = fix_article(normalize_article(article_from_bytes(text.encode(), "h.txt")),
                          fix_rules)  # type: ignore[arg-type]
    for sentence in article.sentences():
        assert sentence.replay() == sentence.text
    page = review_page(article)
    assert "<b>a</b>" not in page  # article text is escaped
    assert word_diff_text(article)


def test_14_a_long_run_without_spaces_is_protected_whole_not_scanned() -> None:
    run = "a" * (LONGEST_SCANNED_RUN + 1)
    text = f"Se www.dr.dk og {run} nu."
    assert protected_spans(text) == [(3, 12), (16, 16 + len(run))]
    assert protected_spans("x" * LONGEST_SCANNED_RUN) == []  # short enough: scanned, no address


def test_14_address_protection_starts_only_where_a_run_starts() -> None:
    assert protected_spans("skriv til info@kvidre.dk eller se dr.dk/nyheder") == [
        (10, 24), (34, 47)
    ]
    assert protected_spans("1." * 300) == [(0, 600)]  # long: whole
    assert protected_spans("a@" * 50) == []


def test_14_span_lookup_agrees_with_a_plain_scan() -> None:
    rng = random.Random(5)
    for _ in range(300):
        spans = [(a, a + rng.randint(0, 5)) for a in rng.sample(range(60), rng.randint(0, 8))]
        index = Spans(spans)
        for _ in range(20):
            start = rng.randint(0, 60)
            end = start + rng.randint(0, 6)
            expected = any(start < b and a < end for a, b in spans)
            assert index.overlaps(start, end) == expected, (spans, start, end)


def _trace_by_rescan(original: str, edits: list[Edit]) -> list[tuple[str, tuple[int, ...]]]:
    """The review page's edit tracing done the slow, obvious way (every piece, every edit)."""
    pieces: list[tuple[str, tuple[int, ...]]] = [(original, ())] if original else []
    for index, edit in enumerate(edits):
        before, after, covered, position = [], [], {index}, 0
        for text, owners in pieces:
            start, end = position, position + len(text)
            position = end
            if start == end:
                if start <= edit.start:
                    before.append((text, owners))
                elif start >= edit.end:
                    after.append((text, owners))
                else:
                    covered.update(owners)
                continue
            if start < edit.start:
                before.append((text[: min(end, edit.start) - start], owners))
            if start < edit.end and end > edit.start:
                covered.update(owners)
            if end > edit.end:
                after.append((text[max(start, edit.end) - start :], owners))
        pieces = [*before, (edit.after, tuple(sorted(covered))), *after]
    return pieces


def test_14_edit_tracing_matches_the_obvious_algorithm() -> None:
    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choice("ab ") for _ in range(rng.randint(0, 8)))
        current, edits = text, []
        for _ in range(rng.randint(0, 6)):
            start = rng.randint(0, len(current))
            end = rng.randint(start, min(len(current), start + 3))
            after = "".join(rng.choice("XY") for _ in range(rng.randint(0, 2)))
            if current[start:end] != after:
                edits.append(Edit("n", "r", start, end, current[start:end], after))
                current = current[:start] + after + current[end:]
        traced = [(p.text, p.edits) for p in trace_edits(text, edits)]
        assert traced == _trace_by_rescan(text, edits)
        assert "".join(t for t, _ in traced) == current


# -- 15: a large article is rendered and written one output at a time (memory holds one) -----------


def test_15_a_large_article_is_written_one_output_at_a_time(tmp_path: Path) -> None:
    from pipeline.document import Article, Paragraph, Sentence
    from pipeline.run.records import (
        LARGE_ARTICLE_CHARS,
        is_large,
        output_paths,
        write_outputs,
    )

    paths = output_paths(tmp_path, "a")
    on_disk: list[tuple[str, list[str]]] = []

    def renderer(kind: str) -> Any:
        def render() -> str:
            on_disk.append((kind, sorted(p.name for p in tmp_path.iterdir())))
            return kind

        return render

    kinds = ["da", "en", "diff", "html"]
    write_outputs(paths, {k: renderer(k) for k in kinds}, lambda: "{}", None, root=tmp_path)
    assert on_disk == [
        ("da", []), ("en", ["a.da.txt"]), ("diff", ["a.da.txt", "a.en.txt"]),
        ("html", ["a.da.txt", "a.diff", "a.en.txt"]),
    ]
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == "html"
    text = "x" * (LARGE_ARTICLE_CHARS // 2)
    article = Article("a.txt", [Paragraph([Sentence(text, text)])] * 3)
    assert is_large(article) and not is_large(Article("b.txt", article.paragraphs[:1]))


# -- 16: numeric options within sane bounds --------------------------------------------------------


@pytest.mark.parametrize("option", [
    ["--threads", "100000"], ["--beams", "100000"], ["--precision", "nonsense"],
    ["--device", "nonsense"], ["--originals", "/nonexistent/originals"],
    ["--batch-tokens", "0"],
])
def test_16_19_bad_settings_exit_2_before_work(
    option: list[str], src: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), "-o", str(out), *option])
    assert result.exit_code == 2, result.output
    assert not out.exists()


@pytest.mark.parametrize("option", [["--threads", "100000"], ["--beams", "100000"]])
def test_16_translate_checks_bounds_too(option: list[str], src: Path) -> None:
    result = CliRunner().invoke(app, ["translate", str(src / "a.txt"), *option])
    assert result.exit_code == 2 and "must be within" in result.output


# -- 17: a damaged record is redone, never reported "unchanged" ------------------------------------


@pytest.mark.parametrize("damage", ["truncate", "edit"])
def test_17_a_record_that_does_not_match_the_manifest_is_redone(
    damage: str, src: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run(src, out)
    record = out / "a.json"
    text = record.read_text(encoding="utf-8")
    if damage == "truncate":
        record.write_text(text[: len(text) // 2], encoding="utf-8")
    else:
        record.write_text(text.replace('"text": "Vi ved', '"text": "Vi vidste'), encoding="utf-8")
    result, _ = run(src, out)
    assert statuses(result) == {"a.txt": "done", "b.txt": "unchanged", "sub/c.txt": "unchanged"}
    assert record.read_text(encoding="utf-8") != text or damage == "edit"
    json.loads(record.read_text(encoding="utf-8"))
    result = CliRunner().invoke(app, ["export", str(out)])
    assert result.exit_code == 0, result.output


# -- 18: exports read the run's manifest, not the folder -------------------------------------------


def test_18_export_reads_the_manifest(src: Path, tmp_path: Path) -> None:
    from pipeline.editor.export import export_run

    write(src, "exports/d.txt")
    out = tmp_path / "out"
    run(src, out)
    (src / "b.txt").unlink()
    run(src, out)  # b is gone from the run; its old record stays in the folder
    assert (out / "b.json").is_file()
    write(out, "notes.json", '{"mine": true}')  # a stray JSON file
    write(out, "sub/broken.json", "{")
    names = sorted(p.name for p in export_run(out, "xliff"))
    assert names == ["a.xlf", "c.xlf", "d.xlf"]


# -- 19: settings that cannot work exit 2 before any work; missing folders are usage errors --------


def test_19_rules_check_of_a_missing_folder_fails() -> None:
    result = CliRunner().invoke(app, ["rules", "check", "--data", "/nonexistent"])
    assert result.exit_code == 2 and "not a folder" in result.output
    assert "ok" not in result.output.split()


# -- 20: a damaged CTranslate2 conversion is rebuilt once, and said --------------------------------


def test_20_a_damaged_conversion_is_rebuilt_once_and_said(tiny_marian: Any) -> None:
    pytest.importorskip("ctranslate2")
    from pipeline.translate.translator import load_translator

    warnings: list[str] = []
    first = load_translator(str(tiny_marian.path), backend="ct2", cache=False)
    converted = first.backend.model_dir  # type: ignore[attr-defined]
    weights = converted / "model.bin"
    weights.write_bytes(weights.read_bytes()[:5000])
    again = load_translator(str(tiny_marian.path), backend="ct2", cache=False,
                            warn=warnings.append)
    assert len(warnings) == 1 and "converted again" in warnings[0]
    source, expected = tiny_marian.pairs[0]
    assert again.translate_texts([source])[0].text == expected
    assert (converted / "model.bin").stat().st_size > 5000


# -- 21: --backend auto is the best that works (falls back to torch with one warning) --------------


def test_21_auto_falls_back_to_torch_when_ct2_cannot_convert(
    tiny_marian: Any, tmp_path: Path
) -> None:
    pytest.importorskip("ctranslate2")
    from pipeline.errors import ModelUnavailableError
    from pipeline.translate.translator import load_translator

    model = tmp_path / "model"
    shutil.copytree(tiny_marian.path, model)
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    config["activation_function"] = "mish"  # torch runs it; CTranslate2's converter does not
    (model / "config.json").write_text(json.dumps(config), encoding="utf-8")
    warnings: list[str] = []
    translator = load_translator(str(model), backend="auto", cache=False, warn=warnings.append)
    assert translator.identity["backend"] == "torch"
    assert len(warnings) == 1 and "using torch instead" in warnings[0]
    assert translator.translate_texts([tiny_marian.pairs[0][0]])[0].text
    with pytest.raises(ModelUnavailableError, match="cannot convert"):
        load_translator(str(model), backend="ct2", cache=False)


def test_21_auto_falls_back_when_the_conversion_cache_cannot_be_made(
    tiny_marian: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("ctranslate2")
    blocker = write(tmp_path, "not-a-folder", "x")
    monkeypatch.setenv("DAEN_CACHE_DIR", str(blocker / "daen"))
    src = write(tmp_path, "in/a.txt", tiny_marian.pairs[0][0] + "\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["translate", str(src), "-o", str(out), "--no-cache",
                                      "--model", str(tiny_marian.path)])
    assert result.exit_code == 0, result.output
    assert result.output.count("using torch instead") == 1
    assert (out / "a.en.txt").read_text(encoding="utf-8").strip() == tiny_marian.pairs[0][1]
    result = CliRunner().invoke(app, ["translate", str(src), "-o", str(out), "--no-cache",
                                      "--model", str(tiny_marian.path), "--backend", "ct2"])
    assert result.exit_code == 1 and "conversion cache" in said(result)


# -- 22: messages that do not mislead --------------------------------------------------------------


def test_22_utf16_with_a_bom_is_decoded(src: Path, tmp_path: Path) -> None:
    write(src, "u16.txt", ARTICLE.encode("utf-16"))
    result, _ = run(src, tmp_path / "out")
    assert statuses(result)["u16.txt"] == "done"
    assert (tmp_path / "out" / "u16.da.txt").read_text(encoding="utf-8").startswith("Vi ved")


def test_22_the_size_limit_is_said_in_mib(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(51 * 2**20)  # sparse: takes no disk
    result = CliRunner().invoke(app, ["normalize", str(big)])
    assert "51.0 MiB; articles over 50 MiB are refused" in result.output
    assert " MB" not in result.output


def test_22_a_model_that_is_a_file_is_called_a_file(src: Path, tmp_path: Path) -> None:
    model = write(tmp_path, "model.bin", b"\x00" * 10)
    result = CliRunner().invoke(app, ["translate", str(src / "a.txt"), "--model", str(model)])
    assert result.exit_code == 2  # a usage error before any work (issue 20 item 9)
    assert "is a file" in said(result) and "does not exist" not in said(result)


@pytest.mark.process
@POSIX
def test_22_escape_codes_in_file_names_are_printed_escaped(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    write(src, "\x1b[31mred\x1b[0m.txt", "")  # empty: fails, so its name is printed
    write(src, "a.txt")
    done = daen("run", str(src), "-o", str(out), "--translator", "fake", "-v")
    assert "\x1b" not in done.stdout + done.stderr
    assert "\\x1b[31mred" in done.stderr
    single = daen("normalize", str(src / "\x1b[31mred\x1b[0m.txt"))
    assert "\x1b" not in single.stderr and "\\x1b[31mred" in single.stderr


@pytest.mark.process
@POSIX
def test_22_clean_reports_fifos_loops_and_broken_links(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder, "a.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "broken.txt").symlink_to(folder / "missing.txt")
    done = daen("clean", str(folder), "-o", str(tmp_path / "out"), timeout=60)
    assert done.returncode == 1
    for name, problem in (("pipe.txt", "not a regular file"), ("loop.txt", "link loop"),
                          ("broken.txt", "broken link")):
        assert f"{name}: {problem}" in done.stderr, done.stderr
    assert (tmp_path / "out" / "a.txt").is_file()


def test_22_index_after_manifest_damage_says_translated(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(src, out)
    (out / "manifest.json").write_text("{", encoding="utf-8")
    run(src, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["translation"]["status"] == "ok"
    assert manifest["translation"]["model"] == "fake-echo"
    assert "not needed" not in (out / "index.html").read_text(encoding="utf-8")


# -- 23: make run fetches the model once when online; offline it says so and carries on ------------


@pytest.mark.process
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_23_make_model_offline_is_one_note_and_fetches_nothing(tmp_path: Path) -> None:
    venv = tmp_path / "venv" / "bin"  # the project's commands, without building a venv
    venv.mkdir(parents=True)
    (venv / "python").symlink_to(sys.executable)
    (venv / "daen").write_text(
        f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m pipeline \"$@\"\n"
    )
    (venv / "daen").chmod(0o755)
    env = os.environ | {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    done = subprocess.run(
        ["make", "-s", "-f", str(ROOT / "Makefile"), "-o", "setup", "model",
         f"VENV={tmp_path / 'venv'}"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == (
        "note: HF_HUB_OFFLINE is set; the back-translation model is not fetched"
    )
    assert not (tmp_path / "hf").exists()


# == issue 20: trust under hostile input ==========================================================


def _cjk_article(size: int, seed: int = 5, clause: tuple[int, int] = (25, 45)) -> str:
    """Paragraphs of Chinese clauses of 25-45 characters (each clause one "word" to lt-proc)."""
    rng = random.Random(seed)
    cjk = [chr(c) for c in range(0x4E00, 0x9FA5)]
    paragraphs: list[str] = []
    while sum(len(p.encode()) + 2 for p in paragraphs) < size:
        paragraphs.append("".join(
            "".join(rng.choice(cjk) for _ in range(rng.randint(*clause))) + rng.choice("，。；")
            for _ in range(20)
        ))
    return "\n\n".join(paragraphs) + "\n"


@pytest.mark.skipif(shutil.which("lt-proc") is None, reason="needs lt-proc")
def test_20_2_analyser_does_not_deadlock_on_a_large_batch() -> None:
    from pipeline.fix.analyser import load_analyser

    analyser = load_analyser()
    if analyser is None:
        pytest.skip("needs apertium-dan-nor")
    # Clauses of 70-79 characters: words the analyser is asked about (its limit is 80), and
    # one batch of 1,000 is over 200 KB, far more than both pipes hold.
    clauses = re.split("[，。；\n]", _cjk_article(300_000, clause=(70, 79)))
    words = sorted({c for c in clauses if c})
    assert len("\n".join(words[:1000]).encode()) > 200_000
    done = threading.Event()
    worker = threading.Thread(target=lambda: (analyser.analyse(words), done.set()), daemon=True)
    worker.start()
    worker.join(timeout=60)
    if not done.is_set():  # ending lt-proc unblocks both sides, so the test itself ends
        for process in analyser._processes.values():
            process.kill()
        pytest.fail("the analyser and lt-proc were still blocked on their pipes after 60 s")
    assert analyser.readings(words[0]) == [] and analyser.readings(words[-1]) == []
    assert analyser.knows("hunden")
    analyser.close()


@pytest.mark.slow  # ~30 s, nearly all of it the lexicon on CJK "words" (issue 20 item 1)
@pytest.mark.skipif(shutil.which("lt-proc") is None, reason="needs lt-proc")
def test_20_2_clean_of_a_300_kb_cjk_article_finishes(tmp_path: Path) -> None:
    article = write(tmp_path, "zh.txt", _cjk_article(300_000))
    done = daen("clean", str(article), "-o", str(tmp_path / "out"), timeout=240)
    assert done.returncode == 0, done.stderr
    assert "1 article(s)" in done.stdout + done.stderr
    assert (tmp_path / "out" / "zh.txt").stat().st_size > 250_000


def test_20_5_a_damaged_cache_at_the_default_place_is_set_aside_and_rebuilt(
    tmp_path: Path, tiny_marian: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAEN_CACHE_DIR", str(tmp_path / "cache"))
    src = write(tmp_path / "in", "a.txt", tiny_marian.pairs[0][0] + "\n").parent
    model = ["--model", str(tiny_marian.path), "--backend", "torch"]
    first = daen("run", str(src), "-o", str(tmp_path / "out1"), *model, "-q")
    assert first.returncode == 0, first.stderr
    default = tmp_path / "cache" / "translations.sqlite3"
    os.truncate(default, 100)  # shorter than one page: no longer recognisably a daen cache
    done = daen("run", str(src), "-o", str(tmp_path / "out2"), *model, "-q")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("Warning: ") == 1 and "moved it to" in done.stderr, done.stderr
    assert (tmp_path / "out2" / "a.en.txt").is_file()
    aside = list((tmp_path / "cache").glob("translations.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].stat().st_size == 100
    with TranslationCache(default) as cache:
        assert len(cache) == 1  # rebuilt, and holds the new translation
    # A path the user gives is still the user's: the same damage there is refused, untouched.
    mine = tmp_path / "mine.sqlite3"
    mine.write_bytes(aside[0].read_bytes())
    with pytest.raises(CachePathError, match="daen leaves it alone"):
        TranslationCache(mine)
    assert mine.stat().st_size == 100


def _fill_cache(path: Path) -> None:
    with TranslationCache(path) as cache:
        cache.put_many({f"k{i}": (f"Translation {i}.", -0.1) for i in range(50)})


def test_20_7_a_full_disk_keeps_the_cache_and_warns_once(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    _fill_cache(path)
    warnings: list[str] = []
    cache = TranslationCache(path, warn=warnings.append)
    assert cache._conn is not None
    pages = cache._conn.execute("PRAGMA page_count").fetchone()[0]
    # SQLite's own "database or disk is full" (SQLITE_FULL), as on a full disk.
    cache._conn.execute(f"PRAGMA max_page_count = {pages}")
    for batch in range(3):
        cache.put_many({f"new{batch}-{i}": ("x" * 4000, None) for i in range(20)})
    assert cache.enabled and cache.get_many(["k1"]) == {"k1": ("Translation 1.", -0.1)}
    cache.close()
    assert len(warnings) == 1 and "could not be saved" in warnings[0], warnings
    assert "kept as it was" in warnings[0]
    assert not list(tmp_path.glob("*.corrupt-*"))
    with TranslationCache(path) as again:  # once space is back, every entry is still there
        assert len(again) == 50


def test_20_7_a_quota_error_is_told_from_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.translate import cache as cache_module

    io_error = sqlite3.OperationalError("disk I/O error")
    assert not cache_module.out_of_space(io_error, tmp_path)  # space left: a real I/O error

    def over_quota(fd: int) -> None:
        raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))

    monkeypatch.setattr(cache_module.os, "fsync", over_quota)
    assert cache_module.out_of_space(io_error, tmp_path)
    assert not cache_module.out_of_space(sqlite3.DatabaseError("file is not a database"), tmp_path)


@POSIX
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mounts a tmpfs")
def test_20_7_run_on_a_full_disk_uses_the_cache_and_never_sets_it_aside(
    tmp_path: Path, tiny_marian: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = tmp_path / "full"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        monkeypatch.setenv("DAEN_CACHE_DIR", str(disk / "cache"))
        src = write(tmp_path / "in", "a.txt", tiny_marian.pairs[0][0] + "\n").parent
        other = write(tmp_path / "in2", "b.txt", tiny_marian.pairs[1][0] + "\n").parent
        model = ["--model", str(tiny_marian.path), "--backend", "torch"]
        assert daen("run", str(src), "-o", str(tmp_path / "o1"), *model, "-q").returncode == 0
        with contextlib.suppress(OSError), (disk / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        done = daen("run", str(other), "-o", str(tmp_path / "o2"), *model, "-q")
        assert done.returncode == 0, done.stderr
        assert done.stderr.count("Warning: ") == 1 and "cannot be written" in done.stderr
        assert "using it without storing" in done.stderr
        assert not list((disk / "cache").glob("*.corrupt-*"))
        (disk / "filler").unlink()
        again = daen("translate", str(src / "a.txt"), "-o", str(tmp_path / "t"), *model)
        assert again.returncode == 0, again.stderr
        assert "1 from the cache" in again.stdout + again.stderr
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_20_8_a_cr_only_article_over_200_kb_is_many_lines(tmp_path: Path) -> None:
    rng = random.Random(1)
    words = "hunden katten løber sover i parken på sofaen og men".split()
    paragraphs = [" ".join(rng.choice(words) for _ in range(8)).capitalize() + "."
                  for _ in range(6000)]
    write(tmp_path / "in", "cr.txt", ("\r\r".join(paragraphs) + "\r").encode())
    write(tmp_path / "in", "lf.txt", "\n\n".join(paragraphs) + "\n")
    assert (tmp_path / "in" / "cr.txt").stat().st_size > 200_000
    out = tmp_path / "out"
    done = daen("run", str(tmp_path / "in"), "-o", str(out), "--no-translate")
    assert done.returncode == 0, done.stderr
    assert "2 updated, 0 unchanged, 0 failed" in done.stdout + done.stderr
    assert (out / "cr.da.txt").read_bytes() == (out / "lf.da.txt").read_bytes()
    # One line too long is still refused, whichever line ends the others have.
    write(tmp_path / "in2", "long.txt", ("Hej.\r" + "a " * 110_000 + "\r").encode())
    refused = daen("run", str(tmp_path / "in2"), "-o", str(tmp_path / "out2"), "--no-translate")
    assert refused.returncode == 1
    assert "long.txt: line 2 is 220,000 bytes long" in refused.stdout + refused.stderr


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be-bom"])
def test_20_14_utf32_with_its_bom_is_decoded_as_utf32(encoding: str, tmp_path: Path) -> None:
    text = "Hunden løber i parken.\n\nKatten sover.\n"
    data = (text.encode("utf-32") if encoding == "utf-32"
            else b"\x00\x00\xfe\xff" + text.encode("utf-32-be"))
    write(tmp_path / "in", "u32.txt", data)
    out = tmp_path / "out"
    done = daen("run", str(tmp_path / "in"), "-o", str(out), "--no-translate", "-q")
    assert done.returncode == 0, done.stderr
    record = json.loads((out / "u32.json").read_text(encoding="utf-8"))
    assert record["encoding"] == "utf-32"
    assert sum(len(s["edits"]) for p in record["paragraphs"] for s in p["sentences"]) == 0
    assert (out / "u32.da.txt").read_text(encoding="utf-8") == text
    for name in ("u32.html", "u32.diff", "u32.da.txt"):
        assert b"\x00" not in (out / name).read_bytes()


def test_20_14_nul_characters_behind_a_bom_are_binary(tmp_path: Path) -> None:
    write(tmp_path / "in", "nul.txt", "Hej.\x00\x00 verden.\n".encode("utf-16"))
    done = daen("clean", str(tmp_path / "in" / "nul.txt"), "-o", str(tmp_path / "out"))
    assert done.returncode == 1
    assert "nul.txt: binary file (NUL character 4 in its UTF-16 text), not text" in done.stderr
    assert "Traceback" not in done.stderr


def _data_copy(tmp_path: Path) -> Path:
    data = tmp_path / "d"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("articles"))
    return data


@pytest.mark.parametrize("pattern", ["(a+)+$", r"(?:\w*\s?)*x", "(?:ab|a{1,4})*c"])
def test_20_15_rules_check_refuses_a_catastrophic_pattern(pattern: str, tmp_path: Path) -> None:
    data = _data_copy(tmp_path)
    table = data / "phrases.tsv"
    line = len(table.read_text(encoding="utf-8").splitlines()) + 1
    with table.open("a", encoding="utf-8") as handle:
        handle.write(f"phrase.catastrophic\t{pattern}\tflag\t\tgrund\tsrc\n")
    done = daen("rules", "check", "--data", str(data), timeout=30)
    assert done.returncode == 1, done.stderr
    message = done.stderr.strip()
    assert message.count("\n") == 0 and "Traceback" not in message
    assert message.startswith(f"Error: {table}:{line}: pattern {pattern!r} repeats a part")
    article = write(tmp_path / "in", "x.txt", "Hej " + "a" * 40 + "! Farvel.\n")
    started = time.monotonic()
    cleaned = daen("clean", str(article), "-o", str(tmp_path / "c"), "--data", str(data),
                   timeout=30)
    assert cleaned.returncode != 0 and time.monotonic() - started < 30
    assert "repeats a part that itself repeats" in cleaned.stderr
    assert not (tmp_path / "c" / "x.txt").exists()


def test_20_15_a_bom_at_the_start_of_phrases_tsv_is_skipped(tmp_path: Path) -> None:
    data = _data_copy(tmp_path)
    plain = daen("rules", "check", "--data", str(data), timeout=30)
    for table in (data / "phrases.tsv", data / "english_fragments.txt"):
        table.write_bytes(b"\xef\xbb\xbf" + table.read_bytes())
    done = daen("rules", "check", "--data", str(data), timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout == plain.stdout and done.stdout.startswith("ok: ")


def test_20_16_an_abbreviation_before_a_comma_is_no_sentence_end(tmp_path: Path) -> None:
    article = write(tmp_path, "kr.txt", "Billetten koster 145 kr. , og børn kommer gratis ind.\n")
    done = daen("clean", str(article), "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "kr.txt").read_text(encoding="utf-8") == (
        "Billetten koster 145 kr., og børn kommer gratis ind.\n"
    )
    run(write(tmp_path / "in", "kr.txt", article.read_text(encoding="utf-8")).parent,
        tmp_path / "run")
    record = json.loads((tmp_path / "run" / "kr.json").read_text(encoding="utf-8"))
    assert [len(p["sentences"]) for p in record["paragraphs"]] == [1]


@pytest.mark.parametrize("separator", ["\f", "\v", "\x85", "\u2028", "\u2029"])
def test_20_16_paragraph_separators_separate_paragraphs(separator: str, tmp_path: Path) -> None:
    src = write(tmp_path / "in", "a.txt", f"Hunden løber i parken.{separator}Katten sover.\n")
    out = tmp_path / "out"
    done = daen("run", str(src.parent), "-o", str(out), "--no-translate", "-q")
    assert done.returncode == 0, done.stderr
    record = json.loads((out / "a.json").read_text(encoding="utf-8"))
    assert len(record["paragraphs"]) == 2
    assert (out / "a.da.txt").read_text(encoding="utf-8") == (
        "Hunden løber i parken.\n\nKatten sover.\n"
    )


def _has_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


@pytest.mark.parametrize("command", ["run", "translate"])
@pytest.mark.parametrize("device", ["cuda", "cuda:99"])
def test_20_9_a_device_this_machine_lacks_is_a_usage_error(
    command: str, device: str, src: Path, tmp_path: Path
) -> None:
    if device == "cuda" and _has_cuda():
        pytest.skip("this machine has CUDA")
    out = tmp_path / "out"
    where = str(src) if command == "run" else str(src / "a.txt")
    done = daen(command, where, "-o", str(out), "--device", device, "--backend", "torch")
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and f"device {device}: this machine has" in errors[0]
    assert "Traceback" not in done.stderr
    assert not out.exists()  # before any work


@pytest.mark.parametrize("model", ["./opus-mt-typo", "/nonexistent/opus-mt-da-en",
                                   "~/nonexistent-daen-model", "FILE", "EMPTY_FOLDER"])
def test_20_9_a_mistyped_model_path_is_a_usage_error(
    model: str, src: Path, tmp_path: Path
) -> None:
    if model == "FILE":
        model = str(write(tmp_path, "model.bin", b"\x00" * 10))
        problem = "is a file"
    elif model == "EMPTY_FOLDER":
        (tmp_path / "model").mkdir()
        model, problem = str(tmp_path / "model"), "is incomplete (missing config.json"
    else:
        problem = f"model folder {model} does not exist"
    out = tmp_path / "out"
    done = daen("run", str(src), "-o", str(out), "--model", model, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and problem in errors[0], done.stderr
    assert not out.exists()
    # The cleanup alone does not need the model: no check then.
    cleaned = daen("run", str(src), "-o", str(out), "--model", model, "--no-translate", "-q")
    assert cleaned.returncode == 0, cleaned.stderr


def test_20_17_model_download_without_a_network_fails_fast_in_one_line(tmp_path: Path) -> None:
    env = os.environ | {"PYTHONPATH": str(ROOT), "HF_HOME": str(tmp_path / "hf"),
                        "HF_ENDPOINT": "http://127.0.0.1:9"}  # the discard port: refused
    env.pop("HF_HUB_OFFLINE", None)
    env.pop("HF_HUB_CACHE", None)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pipeline", "model", "download"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    took = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("Error: could not download Helsinki-NLP/opus-mt-da-en: "
                                  "cannot reach http://127.0.0.1:9 (")
    assert done.stderr.count("\n") == 1 and "Retry" not in done.stderr, done.stderr
    assert "check the network connection" in done.stderr
    assert took < 15, f"{took:.1f} s"
    assert not list((tmp_path / "hf").rglob("*.safetensors"))
