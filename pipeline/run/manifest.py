"""The batch's record: ``manifest.json`` and the run entries that make ``daen run`` incremental.

The manifest holds the run's settings and run key, one entry per finished article and one per
failed article. Each article's own record (``<name>.json``) holds its run entry too, written
last, so a run killed before the manifest was saved still finds what it finished.

An article's entry is a :class:`RunEntry` (its JSON is :meth:`RunEntry.to_json`, key for key
what the manifest holds); a finished run's manifest as a whole is a :class:`RunManifest`, read
once by :class:`pipeline.run.folder.RunFolder`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import __version__
from pipeline.document import SCHEMA_VERSION
from pipeline.errors import DaenError
from pipeline.fsutil import write_atomic

if TYPE_CHECKING:
    from pipeline.settings import Settings

# The batch's own files, at the top of the output folder.
MANIFEST = "manifest.json"
INDEX = "index.html"
MANIFEST_SAVE_SECONDS = 2.0
MANIFEST_SCHEMA = 1


def load_manifest(output_dir: Path) -> tuple[dict[str, Any], str | None]:
    """The last saved manifest (empty when there is none), and a warning if it was unusable."""
    path = output_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError) as error:
        return {}, f"{path}: unreadable manifest ({error}); every article is checked again"
    if not isinstance(data, dict) or data.get("manifest_schema") != MANIFEST_SCHEMA:
        return {}, f"{path}: manifest from another version; every article is checked again"
    wrong = [k for k, kind in _MANIFEST_TYPES.items() if not isinstance(data.get(k, kind()), kind)]
    if wrong:
        return {}, (
            f"{path}: damaged manifest ({', '.join(wrong)} of the wrong type); "
            "every article is checked again"
        )
    return data, None


# The parts of a saved manifest a run reads back, and their types.
_MANIFEST_TYPES: dict[str, type] = {"articles": dict, "failed": dict, "translation": dict}


class ManifestError(DaenError):
    """A run folder's manifest that cannot be used: unreadable, from another version of daen,
    or with a damaged entry (the message names the folder, and the article)."""


# --------------------------------------------------------------------------------------------
# One article's entry, typed

_REDO = "run `daen run` again to rewrite it"


def _damaged(where: str, problem: str) -> ManifestError:
    return ManifestError(f"{where}: damaged entry ({problem}); {_REDO}")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _take(data: Mapping[str, Any], key: str, where: str, check: Any, wanted: str) -> Any:
    """``data[key]`` when ``check(value)`` holds; a :class:`ManifestError` naming it if not."""
    if key not in data:
        raise _damaged(where, f"no {key!r}")
    value = data[key]
    if not check(value):
        raise _damaged(where, f"{key!r} is {type(value).__name__}, not {wanted}")
    return value


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_dict(value: object) -> bool:
    return isinstance(value, dict)


def _exact_keys(data: Mapping[str, Any], names: tuple[str, ...], where: str) -> None:
    """Refuse keys the type does not know: :meth:`to_json` would silently drop them."""
    unknown = [k for k in data if k not in names]
    if unknown:
        raise _damaged(where, f"unknown {', '.join(map(repr, unknown))}")


@dataclass(frozen=True)
class Counts:
    """What one article holds (:func:`pipeline.render.counts`), in the manifest's order."""

    paragraphs: int
    sentences: int
    changed_sentences: int
    edits: int
    flags: int
    translated: int
    low_confidence: int

    def to_json(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: object, where: str = "counts") -> Counts:
        """
        >>> Counts.from_json({"paragraphs": 1, "sentences": 2, "changed_sentences": 0,
        ...     "edits": 0, "flags": 0, "translated": 2, "low_confidence": 0}).sentences
        2
        """
        if not isinstance(data, dict):
            raise _damaged(where, f"{type(data).__name__}, not an object")
        names = tuple(f.name for f in fields(cls))
        _exact_keys(data, names, where)
        wanted = "a whole number"
        is_count = lambda v: isinstance(v, int) and not isinstance(v, bool)  # noqa: E731
        return cls(*(_take(data, name, where, is_count, wanted) for name in names))


@dataclass(frozen=True)
class Seconds:
    """How long the article's stages took (rounded as written, int or float as read)."""

    cleanup: float
    translate: float
    write: float

    def to_json(self) -> dict[str, float]:
        return {"cleanup": self.cleanup, "translate": self.translate, "write": self.write}

    @classmethod
    def from_json(cls, data: object, where: str = "seconds") -> Seconds:
        if not isinstance(data, dict):
            raise _damaged(where, f"{type(data).__name__}, not an object")
        names = ("cleanup", "translate", "write")
        _exact_keys(data, names, where)
        return cls(*(_take(data, name, where, _number, "a number") for name in names))


@dataclass(frozen=True)
class Outputs:
    """The article's output files by kind (``da``, ``en``, …, ``json`` for the record), each a
    POSIX path relative to the run folder, in the order the run wrote them."""

    paths: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, paths: Mapping[str, Path], output_dir: Path) -> Outputs:
        """From :func:`pipeline.run.records.output_paths` (what ``daen run`` writes)."""
        return cls(tuple((k, p.relative_to(output_dir).as_posix()) for k, p in paths.items()))

    @property
    def record(self) -> str:
        """The record's path (``json``), relative to the run folder."""
        return dict(self.paths)["json"]

    def get(self, kind: str) -> str | None:
        return dict(self.paths).get(kind)

    def to_json(self) -> dict[str, str]:
        return dict(self.paths)

    @classmethod
    def from_json(cls, data: object, where: str = "outputs") -> Outputs:
        if not isinstance(data, dict):
            raise _damaged(where, f"{type(data).__name__}, not an object")
        for kind, path in data.items():
            if not isinstance(path, str):
                raise _damaged(where, f"{kind!r} is {type(path).__name__}, not a path")
        if "json" not in data:
            raise _damaged(where, "no 'json' (the record)")
        return cls(tuple(data.items()))


@dataclass(frozen=True)
class RunEntry:
    """One finished article in a run: what the manifest keeps (with the record's digest) and
    the record's own ``run`` entry (the same, without it).

    Frozen: a changed entry is a new one (:func:`dataclasses.replace`). ``model`` (the
    translator's identity) and ``qa`` (:func:`pipeline.qa.check.qa_summary`) are kept as the
    JSON objects they are; treat them as read-only.
    """

    source: str  # the input's path relative to the input folder
    input_sha256: str
    key: str  # the run key the outputs were made with
    outputs: Outputs
    counts: Counts
    translation: str  # pipeline.render.translation_state
    translation_note: str
    model: Mapping[str, Any] | None  # set when translated or partial
    qa: Mapping[str, Any] | None  # set when compared with an English original
    seconds: Seconds
    finished: str  # UTC, ISO 8601
    record_sha256: str | None = None  # the manifest's copy only

    def to_json(self) -> dict[str, Any]:
        """The entry as ``manifest.json`` (and, without ``record_sha256``, the record) holds
        it: these keys, in this order."""
        data: dict[str, Any] = {
            "source": self.source,
            "input_sha256": self.input_sha256,
            "key": self.key,
            "outputs": self.outputs.to_json(),
            "counts": self.counts.to_json(),
            "translation": self.translation,
            "translation_note": self.translation_note,
            "model": dict(self.model) if self.model is not None else None,
            "qa": dict(self.qa) if self.qa is not None else None,
            "seconds": self.seconds.to_json(),
            "finished": self.finished,
        }
        if self.record_sha256 is not None:
            data["record_sha256"] = self.record_sha256
        return data

    @classmethod
    def from_json(cls, data: object, where: str = "run entry") -> RunEntry:
        """The entry in ``data``; a :class:`ManifestError` starting with ``where`` (say the
        manifest and the article) that names the first field missing or of the wrong type."""
        if not isinstance(data, dict):
            raise _damaged(where, f"{type(data).__name__}, not an object")
        _exact_keys(data, _ENTRY_KEYS, where)

        def text(key: str) -> str:
            return str(_take(data, key, where, _is_str, "text"))

        def optional_object(key: str) -> dict[str, Any] | None:
            value = _take(data, key, where, lambda v: v is None or _is_dict(v), "an object")
            return dict(value) if value is not None else None

        digest = data.get("record_sha256")
        if digest is not None and not isinstance(digest, str):
            raise _damaged(where, f"'record_sha256' is {type(digest).__name__}, not text")
        return cls(
            source=text("source"),
            input_sha256=text("input_sha256"),
            key=text("key"),
            outputs=Outputs.from_json(_take(data, "outputs", where, _is_dict, "an object"),
                                      f"{where}: outputs"),
            counts=Counts.from_json(_take(data, "counts", where, _is_dict, "an object"),
                                    f"{where}: counts"),
            translation=text("translation"),
            translation_note=text("translation_note"),
            model=optional_object("model"),
            qa=optional_object("qa"),
            seconds=Seconds.from_json(_take(data, "seconds", where, _is_dict, "an object"),
                                      f"{where}: seconds"),
            finished=text("finished"),
            record_sha256=digest,
        )


_ENTRY_KEYS = (
    "source", "input_sha256", "key", "outputs", "counts", "translation", "translation_note",
    "model", "qa", "seconds", "finished", "record_sha256",
)


# --------------------------------------------------------------------------------------------
# A finished run's manifest, typed


@dataclass(frozen=True)
class FailedEntry:
    """An article the run could not finish, and why."""

    source: str
    message: str


@dataclass(frozen=True)
class RunManifest:
    """What a finished run's ``manifest.json`` says, read once and checked
    (:meth:`from_json`). ``settings``, ``rules`` and ``translation`` are the JSON objects the
    run wrote (treat them as read-only); ``entries`` are in manifest order."""

    version: str
    input: str
    started: str
    finished: str | None
    run_key: str
    settings: Mapping[str, Any]
    rules: Mapping[str, Any]
    translation: Mapping[str, Any]
    warnings: tuple[str, ...]
    entries: Mapping[str, RunEntry]
    failed: Mapping[str, FailedEntry]

    @classmethod
    def from_json(cls, data: object, path: Path) -> RunManifest:
        """``path`` is the manifest file, named in every error."""
        if not isinstance(data, dict) or not isinstance(data.get("articles"), dict):
            raise ManifestError(f"{path}: not a daen run manifest")
        if data.get("manifest_schema") != MANIFEST_SCHEMA:
            raise ManifestError(
                f"{path}: written by another version of daen (manifest schema "
                f"{data.get('manifest_schema')!r}); {_REDO}"
            )

        def top(key: str, kind: type, default: Any) -> Any:
            value = data.get(key, default)
            if value is not None and not isinstance(value, kind):
                raise ManifestError(f"{path}: damaged ({key!r} is {type(value).__name__}); {_REDO}")
            return value if value is not None else default

        entries = {
            str(name): RunEntry.from_json(entry, f"{path}: article {name!r}")
            for name, entry in data["articles"].items()
        }
        failed = {}
        for name, entry in top("failed", dict, {}).items():
            where = f"{path}: failed article {name!r}"
            if not isinstance(entry, dict):
                raise _damaged(where, f"{type(entry).__name__}, not an object")
            failed[str(name)] = FailedEntry(
                str(_take(entry, "source", where, _is_str, "text")),
                str(_take(entry, "message", where, _is_str, "text")),
            )
        warnings = top("warnings", list, [])
        return cls(
            version=str(top("version", str, "")),
            input=str(top("input", str, "")),
            started=str(top("started", str, "")),
            finished=top("finished", str, None),
            run_key=str(top("run_key", str, "")),
            settings=top("settings", dict, {}),
            rules=top("rules", dict, {}),
            translation=top("translation", dict, {}),
            warnings=tuple(str(w) for w in warnings),
            entries=entries,
            failed=failed,
        )


def manifest_lines(data: dict[str, Any]) -> Iterator[str]:
    r"""The manifest as JSON with one top-level key, and one article, per line: readable, and
    fast to write (``indent`` would switch json to its slow pure-Python encoder); a line at a
    time, so a large manifest is written without a second copy of it in memory.

    >>> "".join(manifest_lines({"a": 1, "articles": {"x": {"n": 2}}}))
    '{\n "a": 1,\n "articles": {\n  "x": {"n": 2}\n }\n}\n'
    """

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    yield "{\n"
    for number, (key, value) in enumerate(data.items()):
        comma = ",\n" if number else ""
        if key in ("articles", "failed") and isinstance(value, dict) and value:
            yield f"{comma} {dump(key)}: {{\n"
            separator = ""
            for name, entry in value.items():
                yield f"{separator}  {dump(name)}: {dump(entry)}"
                separator = ",\n"
            yield "\n }"
        else:
            yield f"{comma} {dump(key)}: {dump(value)}"
    yield "\n}\n"


class ManifestWriter:
    """Holds the manifest in memory and saves it atomically, at most every few seconds."""

    def __init__(self, output_dir: Path, data: dict[str, Any]) -> None:
        self.path = output_dir / MANIFEST
        self.data = data
        self.saved_at = time.monotonic()

    def save(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self.saved_at < MANIFEST_SAVE_SECONDS:
            return
        try:
            write_atomic(self.path, manifest_lines(self.data), root=self.path.parent)
        except OSError as error:
            raise DaenError(f"{self.path}: cannot be written ({error.strerror or error})") from None
        self.saved_at = time.monotonic()


def new_manifest(
    input_dir: Path,
    settings: Settings,
    key: str,
    rules: dict[str, Any],
    started_at: str,
    previous: dict[str, Any],
) -> dict[str, Any]:
    return {
        "manifest_schema": MANIFEST_SCHEMA,
        "tool": "daen",
        "version": __version__,
        "record_schema": SCHEMA_VERSION,
        "input": str(input_dir.resolve()),
        "started": started_at,
        "finished": None,
        "settings": settings.output_settings()
        | {"device": settings.translator.device, "force": settings.run.force},
        "run_key": key,
        "rules": rules,
        "translation": previous.get("translation", {}),
        "articles": {},
        "failed": {},
        "skipped": [],
        "warnings": [],
    }


def translation_block(
    settings: Settings,
    identity: dict[str, str] | None,
    error: str | None,
    previous: dict[str, Any],
    worked: bool,
) -> dict[str, Any]:
    if not settings.run.translate:
        return {"status": "disabled"}
    if identity is not None:
        return {"status": "ok", **identity}
    if error is not None:
        return {"status": "missing", "model": settings.translator.model_name, "error": error}
    block: dict[str, Any] = previous.get("translation") or {"status": "not needed"}
    return block if not worked else {"status": "missing", "model": settings.translator.model_name}


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
