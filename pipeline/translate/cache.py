"""Translation cache: one SQLite file, so a re-run translates only the sentences that changed.

Each entry is keyed by the SHA-256 of the model identity (id and revision or weight hash), the
backend, its compute type, the generation settings and the sentence text: change any of them and
the old entries simply stop matching. The file runs in WAL mode with a busy timeout, so two runs
can share it. A corrupt cache is renamed aside with a warning and rebuilt; a cache that still
fails is switched off with a warning. The cache never stops a translation.

Only a daen cache is ever renamed: a folder, or a file that is not a daen cache (another
database, a text file), given as the cache path is a :class:`CachePathError` (a usage error),
and the file is left as it is. The one exception is daen's own default location
(:func:`default_cache_path`): whatever file lies there is daen's, so a cache damaged beyond
recognition there is set aside and rebuilt like any other (``daen run`` has no option to
choose another path). A cache we may not write is used read-only.

A full disk (or quota) is not damage: the cache is kept as it is, used read-only when it cannot
be opened for writing, and new translations go unsaved with one warning.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from urllib.parse import quote

from pipeline.errors import UsageError

SCHEMA = 1
SQLITE_HEADER = b"SQLite format 3\x00"
# The schema text SQLite keeps on the first page of every daen cache.
_SIGNATURE = b"CREATE TABLE translations ("
BUSY_TIMEOUT_MS = 30_000

Warn = Callable[[str], None]


def default_cache_path() -> Path:
    """``$DAEN_CACHE_DIR/translations.sqlite3``, else under ``$XDG_CACHE_HOME/daen`` or
    ``~/.cache/daen`` (read at call time, never at import)."""
    folder = os.environ.get("DAEN_CACHE_DIR")
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = str(Path(base) / "daen")
    return Path(folder).expanduser() / "translations.sqlite3"


def warn_stderr(message: str) -> None:
    sys.stderr.write(f"Warning: {message}\n")


def cache_key(identity: Mapping[str, object], text: str) -> str:
    """The entry key: SHA-256 of the identity and settings (sorted JSON) and the text.

    >>> cache_key({"model": "m"}, "Hej.") == cache_key({"model": "m"}, "Hej.")
    True
    >>> cache_key({"model": "m", "beams": 4}, "Hej.") == cache_key({"model": "m"}, "Hej.")
    False
    """
    payload = json.dumps({"identity": dict(identity), "text": text}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Opening a cache another run is switching to WAL mode can fail with "database is locked" at
# once (SQLite does not wait then): tried again this many times before it counts as broken.
LOCKED_RETRIES = 5


class CachePathError(UsageError):
    """A cache path that holds something other than a daen cache (left untouched)."""


def is_daen_cache(path: Path) -> bool:
    """Whether ``path`` is a file this tool made as a cache (an SQLite file with its schema).

    Read from the raw first page, so that a cache damaged further on is still recognised; a
    cache still open elsewhere may hold its schema in the write-ahead log (``-wal``) so far.
    """
    heads = []
    for name in (path.name, f"{path.name}-wal"):
        try:
            with (path.parent / name).open("rb") as handle:
                heads.append(handle.read(65536))
        except OSError:
            heads.append(b"")
    if not heads[0].startswith(SQLITE_HEADER):
        return False
    if any(_SIGNATURE in head for head in heads):
        return True
    # Being created by another run right now: no schema yet, in the file or its log.
    return _no_schema(heads[0]) and b"CREATE " not in heads[1]


def _no_schema(head: bytes) -> bool:
    """Whether an SQLite file's first page (the schema table, a leaf page) holds no entries."""
    return len(head) >= 105 and head[100] == 0x0D and int.from_bytes(head[103:105], "big") == 0


def check_cache_path(path: Path) -> None:
    """Raise :class:`CachePathError` unless ``path`` is absent, empty or a daen cache."""
    if path.is_dir():
        raise CachePathError(f"{path}: is a folder, not a translation cache file; "
                             "give a file path (e.g. DIR/translations.sqlite3)")
    if not path.exists():
        return
    if not path.is_file():
        raise CachePathError(f"{path}: is not a regular file; give a translation cache file")
    if path.stat().st_size == 0 or is_daen_cache(path):
        return
    try:
        with path.open("rb") as handle:
            sqlite = handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError as error:
        raise CachePathError(f"{path}: cannot be read ({error.strerror or error})") from None
    what = "an SQLite database of something else" if sqlite else "not a daen translation cache"
    raise CachePathError(f"{path}: is {what}; daen leaves it alone (choose another cache path)")


def _same_path(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except OSError:  # a link loop, say: not daen's own place
        return False


def is_default_location(path: Path) -> bool:
    """Whether ``path`` is daen's own default cache file (in daen's own folder)."""
    return _same_path(path, default_cache_path())


SPACE_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def _no_space_left(folder: Path) -> bool:
    """Whether a small write (with its fsync) into ``folder`` fails for want of space."""
    try:
        with tempfile.TemporaryFile(dir=folder) as probe:
            probe.write(b"\0" * 65536)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as error:
        return error.errno in SPACE_ERRNOS
    return False


def out_of_space(exc: sqlite3.Error, folder: Path) -> bool:
    """Whether SQLite failed for want of disk space (or quota) rather than a damaged file.

    SQLite says SQLITE_FULL for ENOSPC; any other failed write (EDQUOT) is a plain I/O error,
    so then the folder is probed with a small write.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == sqlite3.SQLITE_FULL or "disk is full" in str(exc):
        return True
    if primary == sqlite3.SQLITE_IOERR or "disk I/O error" in str(exc):
        return _no_space_left(folder)
    return False


def _writable(path: Path) -> bool:
    """Whether this process may write ``path`` (tried, as root ignores permission bits)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return os.access(path.parent, os.W_OK)


class TranslationCache:
    """Maps cache keys to ``(translation, score)``; every failure becomes a warning.

    Raises :class:`CachePathError` when ``path`` holds something that is not a daen cache.
    """

    def __init__(self, path: Path | str, warn: Warn = warn_stderr) -> None:
        self.path = Path(path)
        self.warn = warn
        self.enabled = True
        self.read_only = False
        self._conn: sqlite3.Connection | None = None
        self._unsaved_said = False
        try:
            check_cache_path(self.path)
        except CachePathError:
            # daen's own file at daen's own place, damaged so that it is no longer
            # recognisable (its first bytes): opened below, it fails and is set aside.
            if not (self.path.is_file() and is_default_location(self.path)):
                raise
        # Whether the file is known to be ours: set aside only then (a file at the default
        # location is in daen's own folder).
        self._ours = self.path.exists() and self.path.stat().st_size > 0
        if self.path.exists() and not _writable(self.path):
            self._open_read_only()
            return
        self._open_or_rebuild()

    def _open_read_only(self, message: str = "") -> None:
        uri = f"file:{quote(str(self.path.resolve()))}"
        for options in ("?mode=ro", "?mode=ro&immutable=1"):
            conn = sqlite3.connect(uri + options, uri=True, isolation_level=None)
            try:
                conn.execute("SELECT count(*) FROM translations WHERE key = ''").fetchone()
            except sqlite3.DatabaseError:
                conn.close()
                continue
            self._conn = conn
            self.read_only = True
            self.warn(message or f"translation cache {self.path} is read-only; "
                      "using it without storing new translations")
            return
        self._disable(f"translation cache {self.path} is read-only and cannot be read; "
                      "not caching")

    # -- opening ---------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.is_dir():  # made meanwhile: never replace a folder
            raise OSError(f"{self.path} is a folder")
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS translations ("
                " key TEXT PRIMARY KEY, text TEXT NOT NULL, score REAL, created REAL NOT NULL)"
            )
            conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            row = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT OR IGNORE INTO meta (name, value) VALUES ('schema', ?)", (str(SCHEMA),)
                )
            elif row[0] != str(SCHEMA):
                raise sqlite3.DatabaseError(f"cache schema {row[0]} is not {SCHEMA}")
            conn.execute("SELECT count(*) FROM translations WHERE key = ''").fetchone()
        except BaseException:
            conn.close()
            raise
        self._ours = True
        return conn

    def _open_or_rebuild(self) -> None:
        for attempt in range(LOCKED_RETRIES + 1):
            try:
                self._conn = self._connect()
                return
            except sqlite3.OperationalError as exc:  # another run is setting the file up
                problem = str(exc)
                if out_of_space(exc, self.path.parent):
                    self._open_without_space(problem)
                    return
                if "locked" not in problem or attempt == LOCKED_RETRIES:
                    break
                time.sleep(0.05 * (attempt + 1))
            except sqlite3.DatabaseError as exc:
                problem = str(exc)
                break
            except OSError as exc:
                self._disable(
                    f"translation cache {self.path} cannot be opened ({exc}); not caching"
                )
                return
        self._set_aside(problem)

    def _open_without_space(self, problem: str) -> None:
        """A full disk at opening: the cache as it is, read-only (never set aside)."""
        self.close()
        if self.path.exists() and self.path.stat().st_size > 0:
            self._open_read_only(
                f"translation cache {self.path} cannot be written ({problem}); "
                "using it without storing new translations"
            )
            return
        self._disable(f"translation cache {self.path} cannot be created ({problem}); "
                      "not caching")

    def _unsaved(self, problem: str) -> None:
        """A full disk while storing: these translations are not saved, said once."""
        if not self._unsaved_said:
            self._unsaved_said = True
            self.warn(f"translation cache {self.path} could not be saved ({problem}); "
                      "new translations are not cached, the cache is kept as it was")

    def _set_aside(self, problem: str) -> None:
        """Move a broken cache file (and its WAL files) aside and start a fresh one.

        Only a file known to be a daen cache is moved; anything else switches caching off.
        """
        self.close()
        ours = self._ours or is_daen_cache(self.path) or not self.path.exists()
        if not ours and self.path.resolve() != default_cache_path().resolve():
            self._disable(
                f"translation cache {self.path} is unusable ({problem}) and not recognisably "
                "a daen cache, so it is left as it is; not caching"
            )
            return
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            if self.path.exists():
                os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, aside.with_name(aside.name + suffix))
            self._conn = self._connect()
        except (OSError, sqlite3.DatabaseError) as exc:
            self._disable(
                f"translation cache {self.path} is unusable ({problem}; {exc}); not caching"
            )
            return
        self.warn(
            f"translation cache {self.path} was unreadable ({problem}); "
            f"moved it to {aside.name} and started a new one"
        )

    def _disable(self, message: str) -> None:
        self.close()
        self.enabled = False
        self.warn(message)

    # -- use -------------------------------------------------------------------------------

    def get_many(self, keys: Iterable[str]) -> dict[str, tuple[str, float | None]]:
        """The entries found for ``keys``."""
        wanted = list(dict.fromkeys(keys))
        for attempt in range(2):
            if self._conn is None:
                return {}
            try:
                found: dict[str, tuple[str, float | None]] = {}
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    for key, text, score in self._conn.execute(
                        f"SELECT key, text, score FROM translations WHERE key IN ({marks})", chunk
                    ):
                        found[key] = (text, score)
                return found
            except sqlite3.DatabaseError as exc:
                self._recover(exc, attempt)
        return {}

    def put_many(self, entries: Mapping[str, tuple[str, float | None]]) -> None:
        """Store entries in one short transaction (another run may be writing too)."""
        if not entries or self.read_only:
            return
        now = time.time()
        rows = [(key, text, score, now) for key, (text, score) in entries.items()]
        for attempt in range(2):
            if self._conn is None:
                return
            try:
                with self._conn:
                    self._conn.execute("BEGIN IMMEDIATE")
                    self._conn.executemany(
                        "INSERT OR REPLACE INTO translations (key, text, score, created)"
                        " VALUES (?, ?, ?, ?)",
                        rows,
                    )
                return
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    self.warn(f"translation cache {self.path} is busy; these results not cached")
                    return
                if out_of_space(exc, self.path.parent):
                    self._unsaved(str(exc))
                    return
                self._recover(exc, attempt)
            except sqlite3.DatabaseError as exc:
                self._recover(exc, attempt)

    def _recover(self, exc: sqlite3.DatabaseError, attempt: int) -> None:
        if out_of_space(exc, self.path.parent):  # not damage: keep the file, read what we can
            self._unsaved(str(exc))
            return
        if attempt == 0:
            self._set_aside(str(exc))
        else:
            self._disable(f"translation cache {self.path} keeps failing ({exc}); not caching")

    def __len__(self) -> int:
        if self._conn is None:
            return 0
        try:
            return int(self._conn.execute("SELECT count(*) FROM translations").fetchone()[0])
        except sqlite3.DatabaseError:
            return 0

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
