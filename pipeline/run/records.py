"""Every article's output files and its record: the one module that writes and reads them.

For an article named ``NAME`` (its input path without the suffix) a run writes
``NAME.da.txt``, ``NAME.en.txt``, ``NAME.diff``, ``NAME.html`` and, last, the record
``NAME.json``: the article (:meth:`~pipeline.document.Article.to_dict`) plus its ``run``
entry (input hash, run key, counts, translation state, timings), which is also what the
manifest keeps per article. An article is finished only when its record is there.
``daen run`` and the file-by-file commands write and read them here; the readers of a
finished run (``daen export``, ``daen diff``, ``daen review``) go through
:class:`pipeline.run.folder.RunFolder`, which checks each record against the manifest.
A new output is one more entry in :data:`OUTPUT_SUFFIXES` and one more renderer in
:func:`render_outputs`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import fsutil
from pipeline.document import Article
from pipeline.errors import DaenError
from pipeline.fsutil import write_atomic
from pipeline.run.manifest import ManifestError, RunEntry

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from pipeline.render import TranslationNote

OUTPUT_SUFFIXES = {
    "da": ".da.txt",
    "en": ".en.txt",
    "diff": ".diff",
    "html": ".html",
    "json": ".json",  # the record: written last
}


class RecordError(DaenError):
    """A record that cannot be read."""


def output_paths(output_dir: Path, name: str) -> dict[str, Path]:
    return {kind: output_dir / f"{name}{suffix}" for kind, suffix in OUTPUT_SUFFIXES.items()}


def remove_stale_temp_files(output_dir: Path) -> int:
    """Delete temporary files killed runs left behind (only those this tool proves it made)."""
    return fsutil.remove_stale_temp_files(output_dir)


# --------------------------------------------------------------------------------------------
# Writing


# An article with more text than this is rendered and written one output at a time, so that
# memory holds one rendered output, not all of them.
LARGE_ARTICLE_CHARS = 1_000_000


def output_renderers(
    article: Article, note: TranslationNote | None
) -> dict[str, Callable[[], str | list[str]]]:
    """Every output but the record, by kind, each rendered when called (the review page as
    a list of pieces, which :func:`pipeline.fsutil.write_atomic` writes one by one)."""
    from pipeline.render.html import review_page_pieces
    from pipeline.render.text import danish_text, english_text, word_diff_text

    return {
        "da": lambda: danish_text(article),
        "en": lambda: english_text(article, note),
        "diff": lambda: word_diff_text(article),
        "html": lambda: review_page_pieces(article, note),
    }


def render_outputs(article: Article, note: TranslationNote | None) -> dict[str, str]:
    """Every output but the record, by kind."""
    outputs = {}
    for kind, render in output_renderers(article, note).items():
        text = render()
        outputs[kind] = text if isinstance(text, str) else "".join(text)
    return outputs


def is_large(article: Article) -> bool:
    """Whether ``article`` is written one output at a time (:data:`LARGE_ARTICLE_CHARS`)."""
    return sum(len(p.text) for p in article.paragraphs) > LARGE_ARTICLE_CHARS


def record_text(article: Article, entry: dict[str, Any] | None = None) -> str:
    """The record: the article, with its run entry when it comes from ``daen run``."""
    return "".join(record_pieces(article, entry))


def record_pieces(article: Article, entry: dict[str, Any] | None = None) -> list[str]:
    """:func:`record_text` in pieces (about one per paragraph), for :func:`text_digest` and
    :func:`pipeline.fsutil.write_atomic` to take one by one: a large record is then never
    held as one string."""
    # Paragraph by paragraph: the whole record as one tree of dicts (and the encoder's
    # pieces of it) took several times the memory of the article itself.
    record = article.to_dict(paragraphs=False)
    record["paragraphs"] = []
    if entry is not None:
        record["run"] = entry
    head, tail = json.dumps(record, ensure_ascii=False, indent=1).split(
        '\n "paragraphs": [],\n', 1
    )
    if not article.paragraphs:
        return [f'{head}\n "paragraphs": [],\n{tail}\n']
    pieces = [head, '\n "paragraphs": [\n']
    for index, paragraph in enumerate(article.paragraphs):
        text = json.dumps(asdict(paragraph), ensure_ascii=False, indent=1)
        pieces += (",\n" if index else "", "  ", text.replace("\n", "\n  "))
    pieces += ("\n ],\n", tail, "\n")
    return pieces


def write_outputs(
    paths: dict[str, Path],
    outputs: dict[str, str] | dict[str, Callable[[], str | list[str]]],
    record: Callable[[], str | list[str]],
    pool: Executor | None = None,
    root: Path | None = None,
) -> None:
    """Write ``outputs`` (by kind), then the record, all atomically; raises OSError.

    With a thread ``pool`` the outputs are written at the same time (each write waits for its
    fsync, which threads overlap) while ``record()`` renders; the record is written only once
    all of them are on disk. Outputs may be given as renderers (:func:`output_renderers`):
    without a pool each is then rendered just before it is written, so memory holds one at a
    time. With ``root`` (the output folder) nothing is written through a link below it
    (:func:`pipeline.fsutil.write_atomic`).
    """
    if pool is None:
        for kind, output in outputs.items():
            write_atomic(paths[kind], output() if callable(output) else output, root=root)
        pending = []
    else:
        pending = [
            pool.submit(write_atomic, paths[k], text() if callable(text) else text, root=root)
            for k, text in outputs.items()
        ]
    text = record()
    for future in pending:
        future.result()  # raises the first write error; the record is then not written
    write_atomic(paths["json"], text, root=root)


# --------------------------------------------------------------------------------------------
# Reading


class OutputListing:
    """File names per output folder, read once per run (cheaper than a stat per output)."""

    def __init__(self) -> None:
        self.folders: dict[Path, set[str]] = {}

    def exists(self, path: Path) -> bool:
        names = self.folders.get(path.parent)
        if names is None:
            try:
                names = {e.name for e in os.scandir(path.parent) if e.is_file()}
            except OSError:
                names = set()
            self.folders[path.parent] = names
        return path.name in names


def entry_is_current(
    entry: RunEntry | None, digest: str, key: str, paths: dict[str, Path], listing: OutputListing
) -> bool:
    """Whether a run entry says the article is finished for this input and run key."""
    return (
        entry is not None
        and entry.input_sha256 == digest
        and entry.key == key
        and all(listing.exists(path) for path in paths.values())
    )


def parse_entry(data: object) -> RunEntry | None:
    """A run entry read back from a manifest or record; None when it is damaged (the article
    is then done again)."""
    try:
        return RunEntry.from_json(data)
    except ManifestError:
        return None


def text_digest(text: str | list[str]) -> str:
    """The SHA-256 of a record's text (or its pieces), as the manifest keeps it
    (``record_sha256``)."""
    digest = hashlib.sha256()
    for piece in [text] if isinstance(text, str) else text:
        digest.update(piece.encode("utf-8"))
    return digest.hexdigest()


def record_digest(path: Path) -> str | None:
    """The SHA-256 of the record file at ``path`` (None when it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def entry_from_record(path: Path) -> RunEntry | None:
    """The run entry stored in an article's record (written last when it was finished), with
    the record's digest; None when the record is missing, damaged or has no entry."""
    try:
        data = path.read_bytes()
        entry = json.loads(data.decode("utf-8")).get("run")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(entry, dict):
        return None
    return parse_entry({**entry, "record_sha256": hashlib.sha256(data).hexdigest()})


@dataclass
class RunRecord:
    """One article record of a run folder."""

    name: str  # the record's path relative to the run folder, without ``.json``
    article: Article
    entry: dict[str, Any] = field(default_factory=dict)  # its run entry, if any


def read_record(path: Path, name: str) -> RunRecord | None:
    """The record at ``path``; None when the JSON is not an article record; RecordError when
    it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordError(f"{path}: not a readable record ({error})") from None
    if not isinstance(data, dict) or "paragraphs" not in data or "path" not in data:
        return None
    return _record_from(path, name, data, "")


def parse_record(path: Path, data: bytes, redo: str) -> RunRecord:
    """The record in ``data`` (the bytes of ``path``), which must be an article record;
    RecordError (ending with ``redo``: what to do about it) when it is not."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordError(f"{path}: not a readable record ({error}); {redo}") from None
    if not isinstance(parsed, dict) or "paragraphs" not in parsed or "path" not in parsed:
        raise RecordError(f"{path}: not an article record; {redo}")
    return _record_from(path, path.stem, parsed, f"; {redo}")


def _record_from(path: Path, name: str, data: dict[str, Any], redo: str) -> RunRecord:
    try:
        article = Article.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise RecordError(f"{path}: not a valid article record ({error}){redo}") from None
    entry = data.get("run")
    return RunRecord(name, article, entry if isinstance(entry, dict) else {})
