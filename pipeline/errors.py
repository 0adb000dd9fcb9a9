"""Errors meant for users: the CLI prints them as one ``Error: …`` line, never a traceback."""

from __future__ import annotations

import re

# Control characters (terminal escape codes among them) that a file name may hold.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class DaenError(Exception):
    """An error the user can act on; its message is the whole story."""


class InputError(DaenError):
    """An input file that cannot be processed; names the file and the problem."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class RuleTableError(DaenError):
    """A broken rule table; names the file and line."""

    def __init__(self, path: str, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem

    def __reduce__(self) -> tuple[type[RuleTableError], tuple[str, int, str]]:
        """Pickled as its parts (raised in a worker process, re-raised in the driver)."""
        return type(self), (self.path, self.line, self.problem)


class ModelUnavailableError(DaenError):
    """The translation model cannot be loaded; the message says how to get it."""


class UsageError(DaenError):
    """Arguments that cannot work: the user must change the command (exit code 2)."""


class RunInterrupted(DaenError):
    """Ctrl-C during a run: what is finished stays finished, and a re-run continues (the CLI
    exits with code 130)."""


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (escape codes in a file name)
    are shown escaped, never sent raw.

    >>> printable("a\\x1b[31mb")
    'a\\\\x1b[31mb'
    """
    return _CONTROL.sub(lambda m: ascii(m.group())[1:-1], text)
