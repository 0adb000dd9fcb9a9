"""Hostile inputs and a messy disk (issue 13), organised by the issue's item numbers.

Still to do in part B (the wiring in cli.py, batch.py, discover.py, reader.py, … after issue 10):
- 1: the CLI shows CachePathError as one line with exit 2 (``pipeline.errors.UsageError``; make
  ``batch.UsageError`` that class and map it to exit 2 in ``cli.main``).
- 2: refuse input/output overlap in either direction.
- 3, 7: batch passes ``root=output_dir`` to ``write_atomic`` (outputs never through a link).
- 4: ``run_batch`` holds ``runlock.OutputLock(output_dir)`` for the run (one line).
- 5, 6, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 21, 23: wiring items.
- 15: the batch's own memory (articles held until written) for the 10 MB article.
- 22: UTF-16 with a BOM, "52 MB" for 50 MiB (reader.py), and the other messages.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import fsutil
from pipeline.cache import CachePathError, TranslationCache
from pipeline.document import Edit
from pipeline.errors import UsageError
from pipeline.phrases import LONGEST_SCANNED_RUN, Spans, protected_spans
from pipeline.render.html import trace_edits
from pipeline.runlock import FolderLockedError, OutputLock

ROOT = Path(__file__).resolve().parent.parent


def dead_pid() -> int:
    """The id of a process that has ended (for temporary files of a killed run)."""
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True, text=True, check=True,
    )
    return int(ended.stdout)


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


# -- 3: the temporary-file sweep removes only what this tool proves it made ----------------------


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


# -- 4: two runs into one output folder -----------------------------------------------------------


def test_4_a_second_run_is_refused_with_a_clear_line(tmp_path: Path) -> None:
    with OutputLock(tmp_path / "out"), pytest.raises(FolderLockedError) as caught:
        OutputLock(tmp_path / "out").acquire()
    message = str(caught.value)
    assert "another daen run is writing here" in message and f"pid {os.getpid()}" in message
    assert "\n" not in message
    with OutputLock(tmp_path / "out") as again:  # released: free again
        assert not again.took_over


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


def test_4_a_killed_runs_lock_is_stale_and_taken_over(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            sys.path.insert(0, {str(ROOT)!r})
            from pathlib import Path
            from pipeline.runlock import OutputLock
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


# -- 14: every stage linear in its input (sizes: bench/adversarial.py measures the times) --------

HOSTILE = {
    "a": "a", "1.": "1.", "dots": ".", "a ' s": "a ' s ", "a+newline": "a\n",
    "quotes": '"', "dashes": "-", "brackets": "(", "urls": "https://example.com/a ",
    "emails": "a@b.dk ", "abbreviations": "f.eks. ", "initials": "A. ",
    "mojibake": "Ã¸", "capitals": "A", "tags": "<b>a</b> ",
}


@pytest.fixture(scope="module")
def fix_rules() -> object:
    from pipeline.fix import load_fix_rules

    return load_fix_rules()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_14_hostile_input_goes_through_every_stage_sound(name: str, fix_rules: object) -> None:
    from pipeline.fix import fix_article
    from pipeline.normalize import normalize_article
    from pipeline.reader import article_from_bytes
    from pipeline.render.html import review_page
    from pipeline.render.text import word_diff_text

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
