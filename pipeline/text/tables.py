"""Where the rule tables are: the folder that ships with daen, or one given with ``--data``.

The tables are edited in the checkout's top-level ``data/``; pyproject.toml maps that folder
into the wheel as ``pipeline/data/``, so an installed daen reads them from its own package
(:func:`importlib.resources`), and a checkout (editable install, or ``PYTHONPATH``) reads
``data/`` beside the package. Every table must be there and hold something: a run without its
phrase rules or names would look like a clean run (:func:`require_tables`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pipeline.errors import RuleTableError

# The tables every data folder holds (fix stage: phrases, names, fragments; grammar checks:
# false friends, loanwords; class detectors: calques; normalize reads names.txt too).
TABLES = ("phrases.tsv", "names.txt", "english_fragments.txt", "false_friends.tsv",
          "loanwords.txt", "calques.tsv")


def default_data_dir() -> Path:
    """The rule tables that ship with daen: ``pipeline/data`` in an installed wheel, else the
    checkout's ``data/`` (the folder pyproject.toml maps there).

    >>> (default_data_dir() / "phrases.tsv").is_file()
    True
    """
    shipped = resources.files("pipeline") / "data"
    if shipped.is_dir():
        # daen is installed as files (a wheel unpacked into site-packages), never zipped, so
        # the resource is a real folder; Path() keeps the tables' paths printable and hashable.
        return Path(str(shipped))
    return Path(str(resources.files("pipeline"))).parent / "data"


def data_dir_or_default(data_dir: Path | str | None) -> Path:
    """``data_dir`` as a Path, or :func:`default_data_dir` for None."""
    return Path(data_dir) if data_dir is not None else default_data_dir()


def require_tables(data_dir: Path, names: tuple[str, ...] = TABLES) -> None:
    """Raise :class:`RuleTableError` naming every table of ``names`` that ``data_dir`` lacks,
    or that is empty (no line but blanks: a table that means nothing says so in a comment).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     try:
    ...         require_tables(Path(folder), ("names.txt", "phrases.tsv"))
    ...     except RuleTableError as error:
    ...         print(error.problem.split(" (")[0])
    missing rule table(s) names.txt, phrases.tsv
    """
    missing = [name for name in names if not (data_dir / name).is_file()]
    empty = [name for name in names if name not in missing and _is_empty(data_dir / name)]
    problems = []
    if missing:
        problems.append(f"missing rule table(s) {', '.join(missing)}")
    if empty:
        problems.append(f"empty rule table(s) {', '.join(empty)}")
    if problems:
        whole = "" if len(missing) == len(TABLES) else f" (a data folder holds {', '.join(TABLES)})"
        raise RuleTableError(str(data_dir), 0, "; ".join(problems) + whole)


def _is_empty(path: Path) -> bool:
    try:
        return not path.read_bytes().strip()
    except OSError:
        return False  # unreadable: the table's own loader says why
