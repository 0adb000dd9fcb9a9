"""Errors meant for users: the CLI prints them as one ``Error: …`` line, never a traceback."""

from __future__ import annotations


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


class ModelUnavailableError(DaenError):
    """The translation model cannot be loaded; the message says how to get it."""


class UsageError(DaenError):
    """Arguments that cannot work: the user must change the command (exit code 2)."""
