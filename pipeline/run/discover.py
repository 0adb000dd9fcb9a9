"""Finding and reading input files: the first step of every command.

:func:`discover` finds a batch's articles (``daen run``), :func:`discover_paths` those named
on a file-by-file command line; :func:`read_source` reads one and refuses what is not an
article, with one message per kind of bad input. Input files are only ever read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError
from pipeline.fsutil import read_input

ARTICLE_SUFFIXES = (".txt", ".md")
ORIGINAL_SUFFIX = ".en.txt"  # an article's English original (pipeline.qa.check), not an article
RESERVED_NAMES = frozenset({"index", "manifest", "diff"})  # batch-level files at the top
# NAME.decisions.json and NAME.final.da.txt hold an editor's review (pipeline.run.decisions).
RESERVED_ENDINGS = (".decisions", ".final")
# A line longer than this is not prose (minified text, a data dump): the file is refused.
MAX_LINE_BYTES = 200_000
NAME_MAX = 255  # bytes in one file name, on the usual Linux and macOS file systems
# Top folders of an output whose names the batch's own files take.
RESERVED_FOLDERS = frozenset({"index.html", "manifest.json", "diff.html"})


@dataclass
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True)
class Source:
    path: Path
    relative: str  # POSIX path relative to the input folder
    name: str  # output name: ``relative`` without its suffix


def discover(
    input_dir: Path, output_dir: Path | None = None, *, follow_links: bool = False
) -> tuple[list[Source], list[SkippedFile], list[str]]:
    """Article files under ``input_dir``, files skipped, and warnings (e.g. folder loops).

    Hidden files and folders (``.name``) are ignored. Links to files and folders inside the
    input folder are followed, each real folder visited once, so a link loop is reported
    instead of followed forever; links that point outside it are skipped with a warning
    unless ``follow_links``. The output folder is never read as input.
    """
    root = input_dir.resolve()
    skip_dir = output_dir.resolve() if output_dir is not None else None
    sources: list[Source] = []
    skipped: list[SkippedFile] = []
    warnings: list[str] = []
    seen = {_dir_key(root)}
    stack = [(input_dir, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            warnings.append(f"{prefix or '.'}: folder cannot be read ({error.strerror}); skipped")
            continue
        subfolders = []
        for entry in entries:
            relative = f"{prefix}{entry.name}"
            if entry.name.startswith("."):
                continue
            if not follow_links and entry.is_symlink() and not _inside(Path(entry.path), root):
                warnings.append(
                    f"{relative}: a link to outside the input folder; skipped "
                    "(--follow-links reads it)"
                )
                skipped.append(SkippedFile(relative, "link to outside the input folder"))
                continue
            try:
                is_dir = entry.is_dir()  # follows links
            except OSError:
                is_dir = False
            if is_dir:
                path = Path(entry.path)
                real = path.resolve()
                if skip_dir is not None and real == skip_dir:
                    warnings.append(
                        f"{relative}/: the output folder is inside the input folder; "
                        "its files are not read as articles"
                    )
                    continue
                try:
                    key = _dir_key(path)
                except OSError as error:
                    warnings.append(f"{relative}/: cannot be read ({error.strerror}); skipped")
                    continue
                if key in seen:
                    warnings.append(
                        f"{relative}/: link to a folder already read (a link loop?); skipped"
                    )
                    continue
                seen.add(key)
                subfolders.append((path, relative + "/"))
            elif entry.name.lower().endswith(ORIGINAL_SUFFIX):
                skipped.append(SkippedFile(relative, "English original of an article (for QA)"))
            elif entry.name.lower().endswith(ARTICLE_SUFFIXES):
                stem = relative.rsplit(".", 1)[0]
                sources.append(Source(Path(entry.path), relative, stem))
            else:
                skipped.append(SkippedFile(relative, "not a .txt or .md file"))
        stack.extend(reversed(subfolders))
    sources.sort(key=lambda s: s.relative)
    skipped.sort(key=lambda s: s.path)
    return sources, skipped, warnings


def discover_paths(paths: Iterable[Path]) -> Iterator[Source]:
    """The inputs of a file-by-file command: a file keeps its own name; a folder's articles
    (``.txt`` and ``.md``, recursively, English originals ``NAME.en.txt`` excepted) keep their
    path relative to that folder. A file is named as given in messages."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.suffix.lower() in ARTICLE_SUFFIXES
                    and not child.name.lower().endswith(ORIGINAL_SUFFIX)
                    and not _is_dir(child)
                ):  # a FIFO, broken link or link loop is yielded, and refused when read
                    relative = child.relative_to(path).as_posix()
                    yield Source(child, relative, relative.rsplit(".", 1)[0])
        else:
            yield Source(path, path.name, path.name.rsplit(".", 1)[0] if "." in path.name
                         else path.name)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path``, links resolved, is ``root`` or under it (a broken link: where it
    would point)."""
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a link loop
        return True  # reported as a loop when read


def _dir_key(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_dev, info.st_ino


def find_collisions(
    sources: Sequence[Source], suffixes: Sequence[str] = (ORIGINAL_SUFFIX,)
) -> dict[str, str]:
    """Sources whose outputs would overwrite another's (or the batch files), or whose name
    cannot carry its derived names (``NAME`` + each of ``suffixes``): name -> message.

    Names are compared ignoring case, so a batch copied to a case-insensitive disk keeps
    every file.
    """
    problems: dict[str, str] = {}
    by_key: dict[str, list[Source]] = {}
    for source in sources:
        by_key.setdefault(source.name.casefold(), []).append(source)
    for group in by_key.values():
        if len(group) > 1:
            names = ", ".join(s.relative for s in group)
            for source in group:
                problems[source.relative] = (
                    f"{source.relative}: its outputs would have the same names as those of "
                    f"another input ({names}); rename one of them"
                )
    for source in sources:
        top = source.name.split("/", 1)[0]
        if source.name.casefold() in RESERVED_NAMES:
            problems[source.relative] = (
                f"{source.relative}: its outputs would overwrite the batch's own "
                f"{source.name}.html/{source.name}.json; rename the file"
            )
        elif source.name.casefold().endswith(RESERVED_ENDINGS):  # the review's own files
            problems[source.relative] = (
                f"{source.relative}: its outputs would be taken for an editor's decisions or "
                f"final text ({', '.join(RESERVED_ENDINGS)}); rename the file"
            )
        elif "/" in source.name and top.casefold() in RESERVED_FOLDERS:
            problems[source.relative] = (
                f"{source.relative}: its folder {top}/ has the name of one of the batch's own "
                "files; rename the folder"
            )
        elif (longest := name_overflow(source.name, suffixes)) is not None:
            problems[source.relative] = (
                f"{source.relative}: the file name is too long to carry its output names "
                f"({longest} would be over {NAME_MAX} bytes); shorten it"
            )
    return problems


def name_overflow(name: str, suffixes: Sequence[str]) -> str | None:
    """The first derived file name (last part of ``name`` + a suffix) too long for a folder.

    >>> name_overflow("a/" + "x" * 250, (".da.txt",))[-10:]
    'xxx.da.txt'
    >>> name_overflow("kort", (".da.txt",)) is None
    True
    """
    stem = name.rsplit("/", 1)[-1]
    for suffix in suffixes:
        derived = stem + suffix
        if len(derived.encode("utf-8", "surrogateescape")) > NAME_MAX:
            return derived
    return None



def check_text_shape(data: bytes, name: str) -> None:
    """Refuse what cannot be an article: an empty file, or a line too long to be prose."""
    if not data.strip():
        raise InputError(name, "empty file: there is nothing to clean")
    longest, line_number = 0, 0
    # Lines end in \n, \r\n or a lone \r (classic Mac OS): a CR-only article is many lines.
    for number, line in enumerate(data.splitlines(), start=1):
        if len(line) > longest:
            longest, line_number = len(line), number
    if longest > MAX_LINE_BYTES:
        raise InputError(
            name,
            f"line {line_number} is {longest:,} bytes long; lines over {MAX_LINE_BYTES:,} bytes "
            "are not article text (minified or data file?), so the file is refused",
        )


def read_source(path: Path, name: str) -> tuple[bytes, str]:
    """Read one input and refuse what cannot be an article: its bytes and their SHA-256."""
    data = read_input(path, name)
    check_text_shape(data, name)
    return data, hashlib.sha256(data).hexdigest()
