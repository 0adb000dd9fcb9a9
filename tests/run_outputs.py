"""Comparing two runs' output folders: what must be byte-identical, and what may differ.

Every output file is compared byte for byte, except what records *when* and *how fast*:
each record's ``run.seconds`` and ``run.finished``, the manifest (timings, start and end
times) and the index page (its finishing time).
"""

from __future__ import annotations

import json
from pathlib import Path

TIMED = ("manifest.json", "index.html")


def comparable_outputs(folder: Path) -> dict[str, object]:
    """Every output file under ``folder`` by relative path: bytes, or the record's JSON
    without its timing fields."""
    found: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if not path.is_file() or name in TIMED:
            continue
        data = path.read_bytes()
        if name.endswith(".json"):
            record = json.loads(data)
            run = record.get("run") or {}
            run.pop("seconds", None)
            run.pop("finished", None)
            found[name] = json.dumps(record, ensure_ascii=False, sort_keys=True)
        else:
            found[name] = data
    return found


def article_entries(folder: Path) -> dict[str, object]:
    """The manifest's article entries without timings (nor the record's digest, which covers
    them); failed articles with their messages."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    left_out = ("seconds", "finished", "record_sha256")
    articles = {
        name: {k: v for k, v in entry.items() if k not in left_out}
        for name, entry in manifest["articles"].items()
    }
    return {"articles": articles, "failed": manifest["failed"]}
