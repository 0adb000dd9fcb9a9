"""File writing that never leaves a half-written output behind, never writes through a link,
and cleans up only the temporary files this tool can prove it made; and reading one input file
with an error that names the file and the problem (:func:`read_input`).

Temporary files are named ``.<name>.daen-tmp-<host>-<pid>-<random>.tmp``: the fixed
``daen-tmp`` marker says this tool made it, host and process id say which run. The sweep
(:func:`remove_stale_temp_files`) removes a file only when it carries the marker, belongs to
this host, and its process is gone: a user's own ``.x.abcdefgh.tmp`` and the in-flight files of
a run still going are never touched.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import re
import secrets
import socket
import stat
from collections.abc import Iterable
from pathlib import Path

from pipeline.errors import InputError

MAX_ARTICLE_BYTES = 50 * 1024 * 1024
TEMP_MARKER = "daen-tmp"
_TEMP_NAME = re.compile(
    rf"^\..*\.{TEMP_MARKER}-(?P<host>[0-9a-f]{{8}})-(?P<pid>[0-9]+)-[0-9a-f]{{8}}\.tmp$", re.S
)


@functools.cache
def host_tag() -> str:
    """Eight hex digits that name this machine in temporary file names."""
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def temp_name(name: str) -> str:
    """A temporary file name for ``name`` that this process can later prove it made.

    >>> parse_temp_name(temp_name("a.html")) == (host_tag(), os.getpid())
    True
    >>> parse_temp_name(".a.html.abcdefgh.tmp") is None
    True
    """
    return f".{name}.{TEMP_MARKER}-{host_tag()}-{os.getpid()}-{secrets.token_hex(4)}.tmp"


def parse_temp_name(name: str) -> tuple[str, int] | None:
    """``(host, pid)`` of a temporary file this tool made, or None for any other name."""
    match = _TEMP_NAME.match(name)
    return (match["host"], int(match["pid"])) if match else None


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (one we cannot signal counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale_temp_file(name: str) -> bool:
    """A temporary file this tool made on this machine whose process has ended.

    >>> is_stale_temp_file(".a.html.abcdefgh.tmp")  # a user's file: never ours
    False
    >>> is_stale_temp_file(temp_name("a.html"))  # ours, and this process still runs
    False
    """
    owner = parse_temp_name(name)
    return owner is not None and owner[0] == host_tag() and not process_alive(owner[1])


def remove_stale_temp_files(output_dir: Path) -> int:
    """Delete the temporary files killed runs of this tool left under ``output_dir``.

    Links are not followed; only files :func:`is_stale_temp_file` accepts are removed.
    """
    removed = 0
    if not output_dir.is_dir():
        return 0
    for folder, _, files in os.walk(output_dir):
        for name in files:
            if is_stale_temp_file(name):
                path = Path(folder) / name
                try:
                    if path.is_symlink() or not path.is_file():
                        continue
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
    return removed


class LinkedPathError(OSError):
    """An output path that passes through a symbolic link (outputs are never written there)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            errno.ELOOP, f"{path} is a symbolic link; outputs are never written through links"
        )
        self.path = path


def check_no_links(root: Path, path: Path) -> None:
    """Raise :class:`LinkedPathError` when any part of ``path`` below ``root`` is a link.

    ``root`` itself may be a link (the user named it); everything under it must be real
    folders, and the file itself must not be a link. Parts that do not exist yet are fine.
    """
    relative = path.relative_to(root)
    current = root
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            raise LinkedPathError(current)


def write_atomic(
    path: Path, data: str | bytes | Iterable[str], *, root: Path | None = None
) -> None:
    """Write ``data`` (text, bytes, or text in pieces) to ``path`` through a temporary file in
    the same folder and a rename.

    ``data`` may be a list of pieces of text, written one after another (a large output is
    then never held as one string or one block of bytes).

    A crash at any moment leaves either the old file or the new one, never a mix. With
    ``root`` (the output folder), no part of ``path`` below it may be a symbolic link: the
    write fails with :class:`LinkedPathError` (an ``OSError``) rather than land elsewhere.
    """
    if root is not None:
        check_no_links(root, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if root is not None:
        check_no_links(root, path)  # again: a folder made meanwhile by someone else
    pieces: Iterable[bytes] = (
        (data.encode("utf-8"),) if isinstance(data, str)
        else (data,) if isinstance(data, bytes)
        else (piece.encode("utf-8") for piece in data)
    )
    tmp_path = path.parent / temp_name(path.name)
    if len(tmp_path.name.encode("utf-8", "surrogateescape")) > 255:  # keep within NAME_MAX
        tmp_path = path.parent / temp_name(hashlib.sha256(path.name.encode()).hexdigest()[:16])
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp_path, flags, 0o666)  # the usual permissions: 0o666 less the umask
    try:
        with os.fdopen(fd, "wb") as handle:
            for payload in pieces:
                handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_path, path)  # replaces a link at ``path`` itself, never its target
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def read_input(path: Path, name: str) -> bytes:
    """The bytes of one input file, or an :class:`InputError` naming the file and problem."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(name, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(name, "not a regular file (a device, pipe or socket)")
        if info.st_size > MAX_ARTICLE_BYTES:
            raise InputError(
                name, f"file is {info.st_size / 2**20:.1f} MiB; articles over "
                f"{MAX_ARTICLE_BYTES / 2**20:.0f} MiB are refused"
            )
        with path.open("rb") as handle:
            data = handle.read()
    except InputError:
        raise
    except PermissionError:
        raise InputError(name, "permission denied: the file cannot be read") from None
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError(name, "broken link: the file it points to does not exist") from None
        raise InputError(name, "no such file") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise InputError(name, "link loop: the link points (indirectly) to itself") from None
        raise InputError(name, f"cannot be read ({error.strerror or error})") from None
    return data
