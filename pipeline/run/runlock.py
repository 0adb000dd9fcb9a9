"""A lock on an output folder, so that two runs never write into it at the same time.

The lock is ``<output>/.daen.lock``, held with ``flock`` for as long as the run lasts and
holding the owner's host, process id and start time. The kernel releases it when the owner
ends, however it ends: a lock file left by a killed run is stale, is detected as such (nobody
holds it) and is taken over. A second run either waits for the first (``wait_s``) or is refused
with a :class:`FolderLockedError` that says which run holds the folder.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from pipeline.errors import DaenError

LOCK_NAME = ".daen.lock"
POLL_S = 0.2


class FolderLockedError(DaenError):
    """Another run is writing into the same output folder."""


class OutputLock:
    """Hold the lock on ``folder`` (``with OutputLock(out): ...``).

    ``wait_s`` is how long to wait for another run to finish (0: refuse at once);
    ``notify`` is told once, in one line, that this run is waiting. ``took_over`` is True when
    a lock file of an ended run was found and taken over.
    """

    def __init__(
        self, folder: Path, wait_s: float = 0.0, notify: Callable[[str], None] | None = None
    ) -> None:
        self.path = Path(folder) / LOCK_NAME
        self.wait_s = wait_s
        self.notify = notify
        self.took_over = False
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl  # POSIX only; imported here so that the module imports anywhere

        self.path.parent.mkdir(parents=True, exist_ok=True)
        existed = self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
        deadline = time.monotonic() + self.wait_s
        told = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    owner = describe_owner(self.path)
                    if time.monotonic() >= deadline:
                        raise FolderLockedError(
                            f"{self.path.parent}: another daen run is writing here ({owner}); "
                            "wait for it to finish, or choose another -o"
                        ) from None
                    if not told and self.notify is not None:
                        self.notify(f"{self.path.parent}: waiting for another daen run ({owner})")
                        told = True
                    time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))
        except BaseException:
            os.close(fd)
            raise
        self.took_over = existed and os.fstat(fd).st_size > 0
        record = {"host": socket.gethostname(), "pid": os.getpid(), "started": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode("utf-8"), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        import fcntl

        # Empty the file first: a lock file that is empty was released, not left by a kill.
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()


def describe_owner(path: Path) -> str:
    """``pid 123 on host, since 12:00:05`` from a lock file ('unknown run' if unreadable)."""
    try:
        owner = json.loads(path.read_text("utf-8"))
        since = time.strftime("%H:%M:%S", time.localtime(float(owner["started"])))
        return f"pid {int(owner['pid'])} on {owner['host']}, since {since}"
    except (OSError, ValueError, KeyError, TypeError):
        return "unknown run"
