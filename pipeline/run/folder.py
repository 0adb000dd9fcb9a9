"""A finished run folder, read one way: its manifest, its entries, and its records checked.

Every reader of a run (``daen export``, ``daen diff``, ``daen review``, ``daen rules stats``)
opens the folder with :meth:`RunFolder.open` and reads each article through
:meth:`RunFolder.record`, which refuses what the run did not write:

- a folder without ``manifest.json`` is :class:`NotARunFolder` (a usage error, exit code 2);
- a manifest that cannot be read, or with a damaged entry, is a
  :class:`~pipeline.run.manifest.ManifestError` naming the folder and the article;
- a record that is missing, whose bytes no longer match the SHA-256 the manifest keeps
  (``record_sha256``), that is not an article record, or whose path (or the article's name)
  leads outside the run folder is a :class:`~pipeline.run.records.RecordError`; the message
  is the same whichever command reads it.

Only the records the manifest lists are read: other JSON in the folder (exports, decisions,
a user's notes) is never taken for an article.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline.document import Article
from pipeline.errors import UsageError
from pipeline.run.decision_store import decisions_path, final_path
from pipeline.run.manifest import MANIFEST, ManifestError, RunEntry, RunManifest
from pipeline.run.records import RecordError, parse_record

REDO = "run `daen run` again to redo it"


class NotARunFolder(UsageError):
    """A path that is not the output folder of ``daen run``: the command must change."""


@dataclass(frozen=True)
class RunFolder:
    """One output folder of ``daen run``, its manifest read and checked once."""

    path: Path
    manifest: RunManifest

    @classmethod
    def open(cls, path: Path) -> RunFolder:
        if not path.is_dir():
            raise NotARunFolder(f"{path}: not a folder (give the output folder of `daen run`)")
        manifest_path = path / MANIFEST
        try:
            data = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotARunFolder(
                f"{path}: no {MANIFEST} here; give a folder written by `daen run`"
            ) from None
        except (OSError, ValueError) as error:
            raise ManifestError(f"{manifest_path}: cannot be read ({error})") from None
        return cls(path, RunManifest.from_json(data, manifest_path))

    @property
    def entries(self) -> dict[str, RunEntry]:
        """Output name -> entry, in manifest order."""
        return dict(self.manifest.entries)

    def __iter__(self) -> Iterator[tuple[str, RunEntry]]:
        """``(name, entry)`` in manifest order."""
        return iter(self.manifest.entries.items())

    def __len__(self) -> int:
        return len(self.manifest.entries)

    def entry(self, name: str) -> RunEntry:
        """The entry of article ``name``; KeyError when the run has none."""
        return self.manifest.entries[name]

    # -- paths, checked -------------------------------------------------------------------

    def _inside(self, name: str, relative: str, what: str) -> Path:
        """``relative`` (POSIX) under the run folder, or a RecordError: absolute, ``..`` or a
        link out of the folder all count as outside."""
        pure = PurePosixPath(relative)
        path = self.path / pure
        outside = pure.is_absolute() or ".." in pure.parts or not relative
        if not outside:
            try:
                outside = not path.resolve().is_relative_to(self.path.resolve())
            except (OSError, RuntimeError):  # a link loop
                outside = True
        if outside:
            raise RecordError(
                f"{self.path / MANIFEST}: {name}: {what} {relative!r} is not in the run"
            )
        return path

    def record_path(self, name: str) -> Path:
        """Where the record of ``name`` is (its manifest entry says), checked to be inside."""
        self._inside(name, name, "article name")
        return self._inside(name, self.entry(name).outputs.record, "record path")

    def decisions_path(self, name: str) -> Path:
        """``NAME.decisions.json`` of an article of this run (its name checked)."""
        self.entry(name)
        self._inside(name, name, "article name")
        return decisions_path(self.path, name)

    def final_path(self, name: str) -> Path:
        """``NAME.final.da.txt`` of an article of this run (its name checked)."""
        self.entry(name)
        self._inside(name, name, "article name")
        return final_path(self.path, name)

    # -- records ----------------------------------------------------------------------------

    def record_bytes(self, name: str) -> tuple[Path, bytes]:
        """The record file of ``name`` as the run wrote it: its digest checked against the
        manifest's."""
        path = self.record_path(name)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise RecordError(f"{path}: missing; {REDO}") from None
        except OSError as error:
            problem = error.strerror or error
            raise RecordError(f"{path}: cannot be read ({problem}); {REDO}") from None
        recorded = self.entry(name).record_sha256
        if recorded is not None and hashlib.sha256(data).hexdigest() != recorded:
            raise RecordError(f"{path}: changed or damaged since the run; {REDO}")
        return path, data

    def record(self, name: str) -> Article:
        """The article of ``name``, from its checked record; RecordError says what is wrong,
        KeyError when the run has no such article."""
        path, data = self.record_bytes(name)
        return parse_record(path, data, REDO).article

    def records(self) -> Iterator[tuple[str, RunEntry, Article]]:
        """Every article with its entry, in manifest order (the first bad record raises)."""
        for name, entry in self:
            yield name, entry, self.record(name)
