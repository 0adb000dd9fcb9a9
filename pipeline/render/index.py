"""The batch index page: every article with its counts and status, linked to its outputs."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pipeline.render.html import esc, page

_CSS = """
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:72rem;padding:1rem 1.5rem 2rem;color:#111}
h1{font-size:1.35rem;margin:.2rem 0}
h2{font-size:1.1rem;margin:1.5rem 0 .4rem}
.meta{color:#555;margin:.2rem 0}
.banner{background:#fde8e8;border:1px solid #e07a7a;padding:.5rem .8rem;border-radius:4px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
th{border-bottom:2px solid #999}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.name{overflow-wrap:anywhere}
.files a{margin-right:.5rem;font-size:.85rem}
.state-translated{color:#2e7d32}
.state-missing,.state-partial{color:#a15c00;font-weight:600}
.state-disabled{color:#666}
.run-done{font-weight:600}
.run-unchanged{color:#666}
tr.failed td{background:#fdf0f0}
code{font-size:.85em}
@media print{a{color:inherit;text-decoration:none}.files{display:none}}
"""

_RUN_LABEL = {"done": "updated", "unchanged": "unchanged", "failed": "failed"}


def _href(path: str) -> str:
    return esc(quote(path))


def _by_divergence(articles: dict[str, Any]) -> list[tuple[str, Any]]:
    """Articles compared with an English original first, most divergent first (pipeline.qa.check);
    then the others, in name order."""
    def key(item: tuple[str, Any]) -> tuple[float, str]:
        qa = item[1].get("qa") or {}
        value = qa.get("divergence")
        return (-float(value) if value is not None else 1.0, item[0])

    return sorted(articles.items(), key=key)


def _divergence_cell(entry: dict[str, Any]) -> str:
    qa = entry.get("qa") or {}
    if qa.get("divergence") is None:
        return '<td class="n">–</td>'
    counts = qa.get("counts") or {}
    tip = (
        f"{counts.get('qa.divergent', 0)} divergent, {counts.get('qa.content_lost', 0)} lost, "
        f"{counts.get('qa.content_added', 0)} added (vs {qa.get('original', '')})"
    )
    return f'<td class="n" title="{esc(tip)}">{100 * float(qa["divergence"]):.0f}%</td>'


def index_page(manifest: dict[str, Any], this_run: dict[str, str] | None = None) -> str:
    """Render ``index.html`` from the manifest; ``this_run`` maps names to this run's status."""
    this_run = this_run or {}
    articles: dict[str, Any] = manifest.get("articles", {})
    failed: dict[str, Any] = manifest.get("failed", {})
    skipped: list[dict[str, str]] = manifest.get("skipped", [])
    translation = manifest.get("translation", {})
    rows = []
    totals = {"sentences": 0, "edits": 0, "flags": 0, "low_confidence": 0}
    has_qa = any(entry.get("qa") for entry in articles.values())
    for name, entry in _by_divergence(articles) if has_qa else articles.items():
        counts = entry.get("counts", {})
        for key in totals:
            totals[key] += int(counts.get(key, 0))
        outputs = entry.get("outputs", {})
        state = entry.get("translation", "")
        run_state = this_run.get(name, "unchanged")
        files = " ".join(
            f'<a href="{_href(outputs[kind])}">{label}</a>'
            for kind, label in (("da", "da.txt"), ("en", "en.txt"), ("diff", "diff"),
                                ("json", "json"))
            if kind in outputs
        )
        rows.append(
            "<tr>"
            f'<td class="name"><a href="{_href(outputs.get("html", name + ".html"))}">'
            f"{esc(entry.get('source', name))}</a><div class=\"files\">{files}</div></td>"
            f'<td class="n">{counts.get("sentences", 0)}</td>'
            f'<td class="n">{counts.get("edits", 0)}</td>'
            f'<td class="n">{counts.get("flags", 0)}</td>'
            + (_divergence_cell(entry) if has_qa else "")
            + f'<td class="state-{esc(state)}">{esc(state)}'
            + (f' ({counts["low_confidence"]} to check)' if counts.get("low_confidence") else "")
            + f'</td><td class="run-{esc(run_state)}">{esc(_RUN_LABEL.get(run_state, run_state))}'
            "</td></tr>"
        )
    for name, entry in failed.items():
        rows.append(
            f'<tr class="failed"><td class="name">{esc(entry.get("source", name))}</td>'
            f'<td colspan="{5 if has_qa else 4}">{esc(entry.get("message", ""))}</td>'
            "<td>failed</td></tr>"
        )
    model = translation.get("model") or "-"
    status = translation.get("status", "")
    model_line = f"{model} ({status})" if status else str(model)
    if translation.get("revision"):
        model_line = f"{model} @ {translation['revision']} · {translation.get('backend', '')}"
    banner = ""
    if translation.get("status") == "missing":
        banner = (
            '<p class="banner">Back-translation missing: '
            f"{esc(translation.get('error') or 'the model was not available')}</p>"
        )
    skipped_html = ""
    if skipped:
        items = "".join(
            f"<li><code>{esc(s['path'])}</code>: {esc(s['reason'])}</li>" for s in skipped
        )
        skipped_html = f"<h2>Skipped files ({len(skipped)})</h2><ul>{items}</ul>"
    warnings = manifest.get("warnings", [])
    warnings_html = ""
    if warnings:
        items = "".join(f"<li>{esc(w)}</li>" for w in warnings)
        warnings_html = f"<h2>Warnings</h2><ul>{items}</ul>"
    body = (
        f"<h1>daen run: {len(articles)} article(s)"
        + (f", {len(failed)} failed" if failed else "")
        + "</h1>"
        f'<p class="meta">Input <code>{esc(str(manifest.get("input", "")))}</code> · '
        f'finished {esc(str(manifest.get("finished") or manifest.get("started", "")))} · '
        f'daen {esc(str(manifest.get("version", "")))}</p>'
        f'<p class="meta">Back-translation model: {esc(model_line)}</p>'
        f'<p class="meta">{totals["sentences"]} sentences · {totals["edits"]} edits · '
        f'{totals["flags"]} flags · {totals["low_confidence"]} translations to check</p>'
        f"{banner}"
        '<table><thead><tr><th>Article</th><th class="n">Sentences</th><th class="n">Edits</th>'
        '<th class="n">Flags</th>'
        + ('<th class="n" title="Share of the text that differs from the English original">'
           "Diverges</th>" if has_qa else "")
        + "<th>Back-translation</th><th>This run</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"{skipped_html}{warnings_html}"
    )
    return page("daen run: index", body, script=None, css=_CSS)
