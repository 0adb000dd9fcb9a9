"""``daen diff RUN_A RUN_B``: what changed between two output folders of ``daen run``.

Articles are matched by output name. An article changed when its cleaned Danish or its
English back-translation differs; for each one the paragraphs that differ are shown as word
diffs, in the terminal and in ``diff.html``. Both views are renderings of the two runs' records
(``<name>.json``), so rule changes and model changes show the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Literal

from pipeline.errors import DaenError, printable
from pipeline.render.html import esc, page
from pipeline.render.worddiff import Chunk, to_ansi, to_html, to_markers, word_diff
from pipeline.run.folder import RunFolder
from pipeline.run.manifest import RunEntry, RunManifest
from pipeline.run.records import RecordError

ChangeKind = Literal["changed", "added", "removed", "unchanged", "unreadable"]
# In the terminal, unchanged stretches longer than this are shortened to their ends.
CONTEXT_CHARS = 60


class RunDiffError(DaenError):
    """The comparison cannot be written (a folder that is not a run is
    :class:`~pipeline.run.folder.NotARunFolder`)."""


@dataclass
class RunArticle:
    """What ``daen diff`` compares of one article in one run."""

    name: str
    source: str
    danish: list[str]
    english: list[str]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class ParagraphDiff:
    label: str  # "¶3" or "¶3→4"
    chunks: list[Chunk]


@dataclass
class ArticleDiff:
    name: str
    source: str
    kind: ChangeKind
    danish: list[ParagraphDiff] = field(default_factory=list)
    english: list[ParagraphDiff] = field(default_factory=list)
    counts_a: dict[str, int] = field(default_factory=dict)
    counts_b: dict[str, int] = field(default_factory=dict)
    message: str = ""

    def count_changes(self) -> str:
        if self.kind != "changed":
            return ""
        parts = []
        for key in ("sentences", "edits", "flags", "low_confidence"):
            a, b = self.counts_a.get(key), self.counts_b.get(key)
            if a != b and (a is not None or b is not None):
                label = "to check" if key == "low_confidence" else key
                parts.append(f"{label} {a if a is not None else '-'}→{b if b is not None else '-'}")
        return " · ".join(parts)


@dataclass
class RunDiff:
    run_a: Path
    run_b: Path
    articles: list[ArticleDiff]
    settings_a: dict[str, Any]
    settings_b: dict[str, Any]

    def by_kind(self, kind: ChangeKind) -> list[ArticleDiff]:
        return [a for a in self.articles if a.kind == kind]


# --------------------------------------------------------------------------------------------
# Loading runs


def read_run_article(run: RunFolder, name: str) -> RunArticle:
    """Load one article's record from a run folder (checked: :meth:`RunFolder.record`)."""
    from pipeline.render.text import english_paragraphs

    entry = run.entry(name)
    article = run.record(name)  # RecordError when it cannot be used
    return RunArticle(
        name, entry.source, [p.text for p in article.paragraphs],
        english_paragraphs(article), entry.counts.to_json(),
    )


def paragraph_diffs(before: list[str], after: list[str]) -> list[ParagraphDiff]:
    """Word diffs of the paragraphs that differ, paragraphs matched in order."""
    diffs = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = max(i2 - i1, j2 - j1)
        for k in range(pairs):
            i, j = i1 + k, j1 + k
            a = before[i] if i < i2 else ""
            b = after[j] if j < j2 else ""
            if i < i2 and j < j2:
                label = f"¶{i + 1}" if i == j else f"¶{i + 1}→{j + 1}"
            elif i < i2:
                label = f"¶{i + 1} (removed)"
            else:
                label = f"¶{j + 1} (added)"
            diffs.append(ParagraphDiff(label, word_diff(a, b)))
    return diffs


def compare_runs(run_a: Path, run_b: Path) -> RunDiff:
    """Compare two output folders of ``daen run``."""
    folder_a, folder_b = RunFolder.open(run_a), RunFolder.open(run_b)
    entries_a, entries_b = folder_a.entries, folder_b.entries
    results = []
    for name in sorted(set(entries_a) | set(entries_b)):
        entry_a, entry_b = entries_a.get(name), entries_b.get(name)
        source = next(e.source for e in (entry_b, entry_a) if e is not None) or name
        counts_a = entry_a.counts.to_json() if entry_a is not None else {}
        counts_b = entry_b.counts.to_json() if entry_b is not None else {}
        if entry_a is None or entry_b is None:
            kind: ChangeKind = "added" if entry_a is None else "removed"
            results.append(ArticleDiff(name, source, kind, counts_a=counts_a, counts_b=counts_b))
            continue
        if _same_run_of_same_input(entry_a, entry_b):
            results.append(
                ArticleDiff(name, source, "unchanged", counts_a=counts_a, counts_b=counts_b)
            )
            continue
        try:
            a = read_run_article(folder_a, name)
            b = read_run_article(folder_b, name)
        except RecordError as error:
            results.append(ArticleDiff(name, source, "unreadable", message=str(error)))
            continue
        except (AttributeError, TypeError, ValueError, KeyError, IndexError) as error:
            message = f"{name}: a damaged record ({type(error).__name__}: {error})"
            results.append(ArticleDiff(name, source, "unreadable", message=message))
            continue
        danish = paragraph_diffs(a.danish, b.danish)
        english = paragraph_diffs(a.english, b.english)
        kind = "changed" if danish or english else "unchanged"
        results.append(ArticleDiff(name, source, kind, danish, english, a.counts, b.counts))
    return RunDiff(
        run_a, run_b, results, _settings(folder_a.manifest), _settings(folder_b.manifest)
    )


def _same_run_of_same_input(a: RunEntry, b: RunEntry) -> bool:
    """Records certainly equal: same input, same run key and same model."""
    return bool(a.input_sha256) and (a.input_sha256, a.key, a.model, a.translation) == (
        b.input_sha256, b.key, b.model, b.translation
    )


def _settings(manifest: RunManifest) -> dict[str, Any]:
    translation = manifest.translation
    return {
        "version": manifest.version or None,
        "finished": manifest.finished,
        "model": translation.get("model"),
        "revision": translation.get("revision"),
        "backend": translation.get("backend"),
        "settings": manifest.settings,
        "rules": manifest.rules,
    }


def setting_changes(diff: RunDiff) -> list[str]:
    """One line per setting that differs between the runs (model, rule tables, options)."""
    lines = []
    a, b = diff.settings_a, diff.settings_b
    for key in ("version", "model", "revision", "backend"):
        if a.get(key) != b.get(key):
            lines.append(f"{key}: {a.get(key)} → {b.get(key)}")
    for key in sorted(set(a["settings"]) | set(b["settings"])):
        if a["settings"].get(key) != b["settings"].get(key):
            lines.append(f"{key}: {a['settings'].get(key)} → {b['settings'].get(key)}")
    tables_a = a["rules"].get("tables", {})
    tables_b = b["rules"].get("tables", {})
    for table in sorted(set(tables_a) | set(tables_b)):
        if tables_a.get(table) != tables_b.get(table):
            lines.append(f"rule table {table} changed")
    code_a, code_b = a["rules"].get("code", {}), b["rules"].get("code", {})
    for stage in sorted(set(code_a) | set(code_b)):
        if code_a.get(stage) != code_b.get(stage):
            lines.append(f"the code of the {stage} stage differs")
    return lines


# --------------------------------------------------------------------------------------------
# Terminal


def shorten(chunks: list[Chunk], context: int = CONTEXT_CHARS) -> list[Chunk]:
    """Shorten long unchanged stretches to their ends, so a terminal shows just the changes."""
    out = []
    for index, chunk in enumerate(chunks):
        text = chunk.after
        if chunk.tag != "equal" or len(text) <= 2 * context:
            out.append(chunk)
            continue
        head = text[:context] if index > 0 else ""
        tail = text[-context:] if index < len(chunks) - 1 else ""
        short = f"{head}…{tail}"
        out.append(Chunk("equal", short, short))
    return out


def terminal_lines(diff: RunDiff, *, color: bool = False, details: bool = True) -> list[str]:
    render = to_ansi if color else to_markers
    changed, added = diff.by_kind("changed"), diff.by_kind("added")
    removed, unchanged = diff.by_kind("removed"), diff.by_kind("unchanged")
    unreadable = diff.by_kind("unreadable")
    lines = [
        f"{diff.run_a} → {diff.run_b}: {len(changed)} changed, {len(added)} added, "
        f"{len(removed)} removed, {len(unchanged)} unchanged"
        + (f", {len(unreadable)} unreadable" if unreadable else "")
    ]
    lines += [f"  {line}" for line in setting_changes(diff)]
    for article in diff.articles:
        if article.kind == "unchanged":
            continue
        note = article.count_changes() or article.message
        name = printable(article.source)
        lines.append(f"{article.kind:<10} {name}" + (f"   {printable(note)}" if note else ""))
    if details:
        for article in changed:
            lines.append("")
            lines.append(f"=== {printable(article.source)} ===")
            for title, paragraphs in (("Danish", article.danish), ("English", article.english)):
                if not paragraphs:
                    continue
                lines.append(f"{title}:")
                for paragraph in paragraphs:
                    lines.append(f"  {paragraph.label}  {render(shorten(paragraph.chunks))}")
    return lines


# --------------------------------------------------------------------------------------------
# HTML

_CSS = """
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:72rem;padding:1rem 1.5rem 2rem;color:#111}
h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:2rem;border-top:2px solid #aaa;
padding-top:.6rem}h3{font-size:.95rem;margin:.8rem 0 .3rem;color:#444}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
th{border-bottom:2px solid #999}
.kind-changed{color:#a15c00;font-weight:600}.kind-added{color:#2e7d32}
.kind-removed,.kind-unreadable{color:#c0392b}
del{background:#fbd9d9;text-decoration:line-through}
ins{background:#d8f5d0;text-decoration:none}
.para{margin:.3rem 0;padding:.3rem .5rem;border-left:3px solid #ddd}
.label{color:#666;font-size:.8rem;margin-right:.5rem}
ul.settings{color:#444}
@media print{h2{break-before:auto}.para{break-inside:avoid}}
"""


def diff_page(diff: RunDiff) -> str:
    rows = []
    for article in diff.articles:
        if article.kind == "unchanged":
            continue
        name = esc(article.source)
        if article.kind == "changed":
            name = f'<a href="#a-{esc(article.name)}">{name}</a>'
        note = article.count_changes() or article.message
        rows.append(
            f'<tr><td>{name}</td><td class="kind-{article.kind}">{article.kind}</td>'
            f"<td>{esc(note)}</td></tr>"
        )
    counts = {k: len(diff.by_kind(k)) for k in ("changed", "added", "removed", "unchanged")}
    settings = "".join(f"<li>{esc(line)}</li>" for line in setting_changes(diff))
    sections = []
    for article in diff.by_kind("changed"):
        parts = [f'<h2 id="a-{esc(article.name)}">{esc(article.source)}</h2>']
        for title, paragraphs in (("Danish (cleaned)", article.danish),
                                  ("English (back-translation)", article.english)):
            if not paragraphs:
                continue
            parts.append(f"<h3>{title}</h3>")
            lang = "da" if title.startswith("Danish") else "en"
            for paragraph in paragraphs:
                parts.append(
                    f'<p class="para" lang="{lang}"><span class="label">{esc(paragraph.label)}'
                    f"</span>{to_html(paragraph.chunks)}</p>"
                )
        sections.append("".join(parts))
    body = (
        f"<h1>daen diff</h1><p><code>{esc(str(diff.run_a))}</code> → "
        f"<code>{esc(str(diff.run_b))}</code>: {counts['changed']} changed, "
        f"{counts['added']} added, {counts['removed']} removed, "
        f"{counts['unchanged']} unchanged.</p>"
        + (f'<ul class="settings">{settings}</ul>' if settings else "")
        + (
            "<table><thead><tr><th>Article</th><th>Change</th><th>Counts</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>" if rows else "<p>No article changed.</p>"
        )
        + "".join(sections)
    )
    return page("daen diff", body, script=None, css=_CSS)


def diff_command(
    run_a: Path, run_b: Path, html_path: Path | None = None, *, quiet: bool = False
) -> int:
    """``daen diff``: print the comparison and write ``diff.html``; exit code 0."""
    import sys

    from pipeline.fsutil import write_atomic

    diff = compare_runs(run_a, run_b)
    target = html_path or run_b / "diff.html"
    if target.is_dir():
        target = target / "diff.html"
    try:
        write_atomic(target, diff_page(diff))
    except OSError as error:
        raise RunDiffError(f"{target}: cannot be written ({error.strerror or error})") from None
    color = sys.stdout.isatty()
    for line in terminal_lines(diff, color=color, details=not quiet):
        print(line)
    print(printable(f"\nHTML report: {target}"))
    return 0
