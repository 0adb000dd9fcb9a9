"""The SQLite translation cache: keys, sharing between runs, and corrupt files."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from pipeline.translate.cache import TranslationCache, cache_key, default_cache_path


def test_put_and_get(tmp_path: Path) -> None:
    with TranslationCache(tmp_path / "c.sqlite3") as cache:
        key = cache_key({"model": "m"}, "Hej.")
        assert cache.get_many([key]) == {}
        cache.put_many({key: ("Hi.", -0.25), cache_key({"model": "m"}, "Nej."): ("No.", None)})
        assert cache.get_many([key, "absent"]) == {key: ("Hi.", -0.25)}
        assert len(cache) == 2


def test_wal_mode_and_busy_timeout(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "c.sqlite3")
    assert cache._conn is not None
    assert cache._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert cache._conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


@pytest.mark.parametrize(
    "change",
    [{"model": "other"}, {"revision": "2"}, {"backend": "ct2"}, {"compute_type": "int8"},
     {"beams": "1"}],
)
def test_key_depends_on_identity_settings_and_text(change: dict[str, str]) -> None:
    identity = {"model": "m", "revision": "1", "backend": "torch", "compute_type": "float32",
                "beams": "4"}
    assert cache_key(identity, "Hej.") != cache_key({**identity, **change}, "Hej.")
    assert cache_key(identity, "Hej.") != cache_key(identity, "Hej!")


def test_default_path_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAEN_CACHE_DIR", str(tmp_path / "d"))
    assert default_cache_path() == tmp_path / "d" / "translations.sqlite3"
    monkeypatch.delenv("DAEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert default_cache_path() == tmp_path / "x" / "daen" / "translations.sqlite3"


def test_corrupt_file_is_set_aside_with_a_warning_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    TranslationCache(path).close()
    page = path.read_bytes()[:4096]  # a daen cache (its schema page) with garbage after it
    path.write_bytes(page + b"this is not a database" * 100)
    path.with_name("c.sqlite3-wal").unlink(missing_ok=True)
    warnings: list[str] = []
    cache = TranslationCache(path, warn=warnings.append)
    assert cache.enabled
    assert len(warnings) == 1 and "moved it to" in warnings[0]
    aside = list(tmp_path.glob("c.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().endswith(b"not a database")
    cache.put_many({"k": ("v", None)})
    assert cache.get_many(["k"]) == {"k": ("v", None)}


def test_file_corrupted_while_in_use_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    warnings: list[str] = []
    cache = TranslationCache(path, warn=warnings.append)
    cache.put_many({"k": ("v", None)})
    cache.close()
    with path.open("r+b") as handle:  # clobber the header and the first pages
        handle.write(b"\xff" * 4096)
    cache._conn = sqlite3.connect(path, isolation_level=None)
    assert cache.get_many(["k"]) == {}  # never raises
    cache.put_many({"k2": ("v2", -1.0)})
    assert cache.get_many(["k2"]) == {"k2": ("v2", -1.0)}
    assert warnings and "moved it to" in warnings[0]


def test_unusable_location_switches_the_cache_off(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    warnings: list[str] = []
    cache = TranslationCache(blocker / "c.sqlite3", warn=warnings.append)
    assert not cache.enabled and warnings
    assert cache.get_many(["k"]) == {}
    cache.put_many({"k": ("v", None)})  # no crash


def test_two_runs_share_one_cache(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    errors: list[BaseException] = []

    def run(prefix: str) -> None:
        try:
            cache = TranslationCache(path, warn=lambda m: errors.append(AssertionError(m)))
            for i in range(40):
                cache.put_many({f"{prefix}{i}-{j}": (f"t{i}", -0.1) for j in range(5)})
                cache.get_many([f"{prefix}{i}-0", f"other{i}"])
            cache.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with TranslationCache(path) as cache:
        assert len(cache) == 3 * 40 * 5
