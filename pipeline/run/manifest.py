"""The batch's record: ``manifest.json`` and the run entries that make ``daen run`` incremental.

The manifest holds the run's settings and run key, one entry per finished article and one per
failed article. Each article's own record (``<name>.json``) holds its run entry too, written
last, so a run killed before the manifest was saved still finds what it finished.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
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
    """A folder without a usable manifest, where one is required (``daen diff``)."""


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a finished run folder; ManifestError says why there is none."""
    if not folder.is_dir():
        raise ManifestError(f"{folder}: not a folder")
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(
            f"{folder}: no {MANIFEST} here; give a folder written by `daen run`"
        ) from None
    except (OSError, ValueError) as error:
        raise ManifestError(f"{path}: cannot be read ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("articles"), dict):
        raise ManifestError(f"{path}: not a daen run manifest")
    return data


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
