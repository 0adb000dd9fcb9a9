"""File writing that never leaves a half-written output behind."""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from pathlib import Path


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    A crash at any moment leaves either the old file or the new one, never a mix.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); outputs get the usual permissions instead.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


_UMASK_LOCK = threading.Lock()


@functools.cache
def _umask() -> int:
    # The umask can only be read by setting it and setting it back: once, under a lock.
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask
