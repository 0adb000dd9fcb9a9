"""The review page of one article: original | cleaned | English, sentence by sentence.

A self-contained HTML file (inline CSS, one small inline script, no network), readable from
``file://``, printable, and readable with JavaScript off. Every piece of article text goes
through :func:`html.escape`; the page's Content-Security-Policy allows only its own script
(by hash), so even markup that slipped through could not run.

Each edit in the cleaned column is an ``<ins>`` carrying its rule id and reason (shown on hover
and on keyboard focus); flags are ``<mark>``s; each flag and each low-confidence translation
also has a note under its sentence, which the flag list links to and the script steps through
(buttons, or the keys ``n`` and ``p``).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import heapq
import html
import itertools
from dataclasses import dataclass

from pipeline.document import Article, Edit, Flag, Sentence
from pipeline.qa.check import OriginalCell, original_cells
from pipeline.registry import kind_of
from pipeline.render import (
    TranslationNote,
    counts,
    is_low_confidence,
    low_confidence_reason,
    sentence_label,
    translation_state,
)
from pipeline.render.worddiff import side_html, word_diff
from pipeline.rules import KINDS, Kind

_SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def esc(text: str) -> str:
    """Escape text for element content and quoted attribute values."""
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------------------------
# Tracing edits to the final text


@dataclass(frozen=True)
class Piece:
    """A run of the sentence's final text and the edits (indexes) that produced it.

    An empty ``text`` with edits marks where text was removed.
    """

    text: str
    edits: tuple[int, ...] = ()


def trace_edits(original: str, edits: list[Edit]) -> list[Piece]:
    """Split the final text into pieces, each knowing which edits made it.

    >>> from pipeline.document import Edit
    >>> edits = [Edit("fix", "casing", 0, 1, "v", "V"), Edit("n", "x", 2, 6, " ved", "")]
    >>> trace_edits("vi ved", edits)
    [Piece(text='V', edits=(0,)), Piece(text='i', edits=()), Piece(text='', edits=(1,))]
    """
    # A gap buffer: ``left`` holds the pieces before the cursor, ``right`` those after it,
    # nearest last. Each edit moves the cursor to its start, so edits applied back to front
    # (as every rule applies them) cost time linear in the pieces passed, not in all of them.
    left: list[Piece] = []
    right: list[Piece] = [Piece(original)] if original else []
    left_len = 0
    for index, edit in enumerate(edits):
        start, end = edit.start, edit.end
        while left and left_len > start:
            right.append(left.pop())
            left_len -= len(right[-1].text)
        while right and left_len + len(right[-1].text) <= start:  # removal markers at start too
            left.append(right.pop())
            left_len += len(left[-1].text)
        covered = {index}
        if right and left_len < start:  # a piece runs across the edit's start: split it
            piece = right.pop()
            covered.update(piece.edits)
            left.append(Piece(piece.text[: start - left_len], piece.edits))
            right.append(Piece(piece.text[start - left_len :], piece.edits))
            left_len = start
        position = start
        while right:
            piece = right[-1]
            if position >= end:  # (no removal marker is left at ``start`` itself)
                break
            right.pop()
            covered.update(piece.edits)
            if position + len(piece.text) > end:
                right.append(Piece(piece.text[end - position :], piece.edits))
                break
            position += len(piece.text)
        left.append(Piece(edit.after, tuple(sorted(covered))))
        left_len += len(edit.after)
    return [*left, *reversed(right)]


# --------------------------------------------------------------------------------------------
# Rendering one sentence


class _Numbering:
    """Numbers flags (and low-confidence translations) in page order."""

    def __init__(self) -> None:
        self.count = 0
        # number, sentence label, rule id, reason, flagged text
        self.entries: list[tuple[int, str, str, str, str]] = []

    def next(self, label: str, rule: str, reason: str, snippet: str = "") -> int:
        self.count += 1
        self.entries.append((self.count, label, rule, reason, snippet))
        return self.count


def _snippet(sentence: Sentence, flag: Flag, limit: int = 60) -> str:
    text = sentence.text[max(0, flag.start) : max(0, flag.end)]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _edit_tip(edits: list[Edit], indexes: tuple[int, ...]) -> str:
    parts = []
    for i in indexes:
        edit = edits[i]
        change = f"«{edit.before}» → «{edit.after}»" if edit.before else f"added «{edit.after}»"
        if not edit.after:
            change = f"removed «{edit.before}»"
        parts.append(f"{edit.rule_id} ({edit.stage}): {edit.reason} {change}")
    return " | ".join(parts)


def _flag_tip(flag: Flag) -> str:
    tip = f"{flag.rule_id}: {flag.reason}"
    if flag.suggestion:
        tip += f" Suggestion: {flag.suggestion}"
    return tip


def cleaned_html(sentence: Sentence, flag_numbers: dict[int, int]) -> str:
    """The sentence's final text with edits as ``<ins>`` and flagged spans as ``<mark>``."""
    pieces = trace_edits(sentence.original, sentence.edits)
    spans = [(i, f) for i, f in enumerate(sentence.flags) if f.end > f.start]
    cut_set = {0, len(sentence.text)}
    for _, flag in spans:
        cut_set.update((max(0, flag.start), min(len(sentence.text), flag.end)))
    cuts = sorted(cut_set)
    # The flags that cover the current stretch: added as their start is passed, dropped as
    # their end is (the stretches are cut at every flag's ends), so each is handled twice.
    by_start = sorted(range(len(spans)), key=lambda k: spans[k][1].start)
    next_flag = 0
    active: list[tuple[int, int]] = []  # (end, k) as a heap
    out: list[str] = []
    position = 0
    for piece in pieces:
        if not piece.text:
            tip = _edit_tip(sentence.edits, piece.edits)
            out.append(
                f'<ins class="edit removal tip" tabindex="0" data-tip="{esc(tip)}" '
                f'aria-label="{esc(tip)}"></ins>'
            )
            continue
        start, end = position, position + len(piece.text)
        position = end
        within = cuts[bisect.bisect_right(cuts, start) : bisect.bisect_left(cuts, end)]
        inner = [start, *within, end]
        for a, b in itertools.pairwise(inner):
            text = esc(piece.text[a - start : b - start])
            if piece.edits:
                tip = _edit_tip(sentence.edits, piece.edits)
                rules = " ".join(sentence.edits[i].rule_id for i in piece.edits)
                text = (
                    f'<ins class="edit tip" tabindex="0" data-rule="{esc(rules)}" '
                    f'data-tip="{esc(tip)}">{text}</ins>'
                )
            while next_flag < len(by_start) and spans[by_start[next_flag]][1].start <= a:
                k = by_start[next_flag]
                heapq.heappush(active, (spans[k][1].end, k))
                next_flag += 1
            while active and active[0][0] < b:
                heapq.heappop(active)
            covering = [spans[k] for k in sorted(k for _, k in active)]
            if covering:
                worst = max(covering, key=lambda item: _SEVERITY_RANK.get(item[1].severity, 1))
                tip = " | ".join(_flag_tip(f) for _, f in covering)
                numbers = " ".join(str(flag_numbers[i]) for i, _ in covering)
                kinds = " ".join(sorted({kind_of(f.rule_id).name for _, f in covering}))
                text = (
                    f'<mark class="flag sev-{esc(worst[1].severity)} tip" tabindex="0" '
                    f'data-flag="{numbers}" data-kinds="{kinds}" data-tip="{esc(tip)}">'
                    f"{text}</mark>"
                )
            out.append(text)
    return "".join(out)


def _notes_html(
    sentence: Sentence, label: str, flag_numbers: dict[int, int]
) -> str:
    items = []
    for i, flag in enumerate(sentence.flags):
        number = flag_numbers[i]
        suggestion = (
            f' <span class="suggestion">Suggestion: {esc(flag.suggestion)}</span>'
            if flag.suggestion
            else ""
        )
        kind = kind_of(flag.rule_id)
        items.append(
            f'<li class="flag-note flag-target sev-{esc(flag.severity)}" id="flag-{number}" '
            f'data-kind="{kind.name}" tabindex="-1"><span class="badge">⚑ {number}</span> '
            f'<span class="kind">{esc(kind.label)}</span> '
            f'<code>{esc(flag.rule_id)}</code> {esc(flag.reason)}{suggestion}</li>'
        )
    seen: dict[str, tuple[str, int]] = {}
    for edit in sentence.edits:
        reason, count = seen.get(edit.rule_id, (edit.reason, 0))
        seen[edit.rule_id] = (reason, count + 1)
    if seen:
        rules = ", ".join(
            f'<code class="tip" tabindex="0" data-tip="{esc(reason)}">{esc(rule)}</code>'
            + (f" ×{count}" if count > 1 else "")
            for rule, (reason, count) in seen.items()
        )
        items.append(f'<li class="edit-note">Edits: {rules}</li>')
    if not items:
        return ""
    return f'<ul class="notes" aria-label="Notes on sentence {esc(label)}">{"".join(items)}</ul>'


def _english_html(sentence: Sentence, numbering: _Numbering, label: str) -> tuple[str, str]:
    """The English cell and the row's extra class."""
    translation = sentence.translation
    if translation is None:
        return '<span class="missing">back-translation missing</span>', ""
    score = (
        f'<span class="score">score {translation.score:.2f}</span>'
        if translation.score is not None
        else ""
    )
    body = esc(translation.text)
    if not is_low_confidence(translation):
        return body, ""
    reason = low_confidence_reason(translation)
    number = numbering.next(label, "low confidence", reason)
    note = (
        f'<p class="lowconf-note flag-target" id="flag-{number}" tabindex="-1">'
        f'<span class="badge">⚑ {number}</span> Check this back-translation: {esc(reason)}</p>'
    )
    return f'<span class="lowconf">{body}</span> {score}{note}', " lowconf-row"


def _original_html(cell: OriginalCell) -> str:
    """The English original beside a sentence (pipeline.qa.check): aligned text and its chrF."""
    if cell.continued:
        body = '<span class="hint">↑ (one English sentence, two Danish)</span>'
    elif not cell.text:
        body = '<span class="missing">no English counterpart</span>'
    else:
        score = f" chrF {cell.score:.0f}" if cell.score is not None else ""
        body = f'{esc(cell.text)} <span class="score">{score}</span>'
    extra = " diverge" if cell.flag == "qa.divergent" else ""
    return f'<td class="en-orig{extra}" lang="en">{body}</td>'


# --------------------------------------------------------------------------------------------
# The page

_CSS = """
:root{--ins:#d8f5d0;--ins-line:#2e7d32;--del:#fbd9d9;--flag:#ffe9a8;--flag-err:#ffc4b8;
--muted:#666;--line:#ddd;--focus:#1a56db}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#111;
background:#fff}
header{padding:1rem 1.5rem .5rem;border-bottom:1px solid var(--line)}
h1{font-size:1.3rem;margin:0 0 .3rem;word-break:break-all}
.summary{margin:.2rem 0;color:var(--muted)}
.banner{background:#fff4e5;border:1px solid #f0b35a;padding:.5rem .8rem;border-radius:4px;
margin:.5rem 0}
.banner.error{background:#fde8e8;border-color:#e07a7a}
.flagnav{position:sticky;top:0;z-index:5;background:#f7f7f7;border-bottom:1px solid var(--line);
padding:.4rem 1.5rem;display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}
.flagnav button{font:inherit;padding:.2rem .7rem;border:1px solid #999;border-radius:4px;
background:#fff;cursor:pointer}
.flagnav button:focus{outline:2px solid var(--focus)}
.hint{color:var(--muted);font-size:.85rem}
details{margin:.4rem 0}
details ol,details ul{margin:.3rem 0;padding-left:1.6rem}
.flag-list ol{columns:2 28rem;column-gap:2rem;font-size:.88rem}
.flag-list li{break-inside:avoid}
q.snippet{quotes:"«" "»";background:var(--flag)}
summary{cursor:pointer}
main{padding:0 1rem 2rem}
table.review{width:100%;border-collapse:collapse;table-layout:fixed}
table.review th{position:sticky;top:2.4rem;background:#fff;text-align:left;
border-bottom:2px solid #999;padding:.3rem .5rem;z-index:4}
table.review td{vertical-align:top;padding:.35rem .5rem;border-top:1px solid var(--line);
overflow-wrap:anywhere}
th.num,td.num{width:3.6rem;color:var(--muted);font-size:.8rem;text-align:right}
td.num a{color:inherit;text-decoration:none}
tr.para-start td{border-top:2px solid #aaa}
tr.heading td.orig,tr.heading td.clean,tr.heading td.en{font-weight:600}
tr.heading ul.notes,tr.heading .lowconf-note{font-weight:400}
tr.unchanged td.orig{color:var(--muted)}
del{background:var(--del);text-decoration:line-through;text-decoration-color:#b33}
ins{text-decoration:none}
ins.edit{background:var(--ins);border-bottom:2px solid var(--ins-line);border-radius:2px}
ins.removal::before{content:"‸";color:#b33;font-weight:700;padding:0 1px}
mark.flag{background:var(--flag);border-bottom:2px dotted #b7791f;color:inherit}
mark.flag.sev-error{background:var(--flag-err)}
.tip{position:relative;cursor:help}
.tip:focus{outline:2px solid var(--focus)}
.tip:hover::after,.tip:focus::after{content:attr(data-tip);position:absolute;left:0;top:100%;
z-index:10;background:#222;color:#fff;padding:.3rem .5rem;border-radius:4px;font-size:.8rem;
font-weight:400;line-height:1.35;width:max-content;max-width:26rem;white-space:normal}
ul.notes{list-style:none;margin:.3rem 0 0;padding:0;font-size:.82rem;color:#333}
ul.notes li{margin:.1rem 0}
.badge{display:inline-block;background:#b7791f;color:#fff;border-radius:3px;padding:0 .3rem;
font-size:.75rem;font-weight:600}
.flag-note.sev-info .badge{background:#5a6b7b}
.flag-note.sev-error .badge{background:#c0392b}
.edit-note{color:var(--muted)}
.flag-target.current{outline:3px solid var(--focus);outline-offset:2px;background:#eef3ff}
.missing{color:#a15c00;font-style:italic}
.lowconf{background:#fde8e8;border-bottom:2px dotted #c0392b}
.lowconf-note{font-size:.82rem;margin:.3rem 0 0}
.score{color:var(--muted);font-size:.75rem;white-space:nowrap}
td.en-orig{color:#333}
td.en-orig.diverge{background:var(--flag)}
.legend dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:.3rem 0}
.legend dd{margin:0}
code{font-size:.85em}
@media (max-width:800px){table.review th{top:0}body{font-size:14px}}
@media print{
.flagnav,.hint{display:none}
body{font-size:9.5pt}
header{border:0}
table.review th{position:static}
thead{display:table-header-group}
tr{break-inside:avoid}
.tip::after{display:none!important}
ins.edit{background:none;text-decoration:underline;text-decoration-color:#2e7d32}
mark.flag{background:none;border-bottom:1.5px dotted #000}
a{color:inherit;text-decoration:none}
}
"""

# Each kind of flag can be hidden (the script sets hide-KIND on the body).
_CSS += ".kind-filter{display:none;border:0;padding:0;margin:.3rem 0}"
_CSS += ".js .kind-filter{display:block}"
_CSS += ".flag-note .kind{font-size:.8rem;color:#555}.flag-list h3{font-size:.95rem;margin:.4rem 0}"
_CSS += "".join(
    f'.hide-{k.name} [data-kind="{k.name}"]{{display:none}}'
    f'.hide-{k.name} mark[data-kinds="{k.name}"]{{background:none;border-bottom:0}}'
    for k in KINDS
)

REVIEW_CSS = _CSS  # the review app builds on this page's look

_SCRIPT = """
(function () {
  var targets = Array.prototype.slice.call(document.querySelectorAll(".flag-target"));
  var prev = document.getElementById("prev-flag");
  var next = document.getElementById("next-flag");
  var position = document.getElementById("flag-pos");
  var current = -1;
  Array.prototype.forEach.call(document.querySelectorAll(".kind-filter input"), function (box) {
    box.addEventListener("change", function () {
      document.body.classList.toggle("hide-" + box.value, !box.checked);
    });
  });
  if (!targets.length) { position.textContent = "No flags on this page."; return; }
  prev.hidden = false;
  next.hidden = false;
  position.textContent = targets.length + " flag(s). Keys: n next, p previous.";
  function show(index) {
    if (current >= 0) { targets[current].classList.remove("current"); }
    current = (index + targets.length) % targets.length;
    var target = targets[current];
    target.classList.add("current");
    target.scrollIntoView({block: "center"});
    target.focus({preventScroll: true});
    position.textContent = "Flag " + (current + 1) + " of " + targets.length;
    try { history.replaceState(null, "", "#" + target.id); } catch (e) {}
  }
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    if (event.key === "n") { show(current + 1); event.preventDefault(); }
    else if (event.key === "p") { show(current - 1); event.preventDefault(); }
  });
  document.body.classList.add("js");
})();
"""


def script_hash(script: str = _SCRIPT) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def page(
    title: str, body: str, *, script: str | None = _SCRIPT, css: str = _CSS, connect: bool = False
) -> str:
    """A complete self-contained page; only ``script`` (by hash) may run.

    ``connect`` lets the script talk to the server that served the page (the review app).
    """
    return "".join(page_pieces(title, [body], script=script, css=css, connect=connect))


def page_pieces(
    title: str,
    body: list[str],
    *,
    script: str | None = _SCRIPT,
    css: str = _CSS,
    connect: bool = False,
) -> list[str]:
    """:func:`page` as a list of pieces around ``body`` (itself pieces): a large page is
    written piece by piece, never held as one string."""
    script_src = f"'{script_hash(script)}'" if script else "'none'"
    csp = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {script_src}"
    if connect:
        csp += "; connect-src 'self'; form-action 'none'"
    script_tag = f"<script>{script}</script>" if script else ""
    head = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(title)}</title>\n<style>{css}</style>\n</head>\n"
        "<body>\n"
    )
    return [head, *body, f"\n{script_tag}\n</body>\n</html>\n"]


def _flags_by_kind(entries: list[tuple[int, str, str, str, str]]) -> str:
    """The flag list grouped by kind (grammar, English left in, …), with a show/hide box for
    each kind (the boxes work with JavaScript; without it every flag shows)."""
    groups: dict[Kind, list[str]] = {}
    for number, label, rule, reason, snippet in entries:
        groups.setdefault(kind_of(rule), []).append(
            f'<li><a href="#flag-{number}">{esc(label)}</a> '
            + (f'<q class="snippet">{esc(snippet)}</q> ' if snippet else "")
            + f"<code>{esc(rule)}</code> {esc(reason)}</li>"
        )
    order = [k for k in KINDS if k in groups]
    boxes = "".join(
        f'<label><input type="checkbox" value="{k.name}" checked> {esc(k.label)} '
        f"({len(groups[k])})</label> "
        for k in order
    )
    lists = "".join(
        f'<section data-kind="{k.name}"><h3>{esc(k.label)} ({len(groups[k])})</h3>'
        f"<ol>{''.join(groups[k])}</ol></section>"
        for k in order
    )
    return f'<fieldset class="kind-filter"><legend>Show</legend>{boxes}</fieldset>{lists}'


def _legend() -> str:
    return (
        '<details class="legend"><summary>How to read this page</summary><dl>'
        '<dt><ins class="edit">green</ins></dt><dd>text a rule changed; hover or focus '
        "(Tab) it for the rule id and reason</dd>"
        '<dt><ins class="edit removal"></ins></dt><dd>text a rule removed</dd>'
        '<dt><del>red</del></dt><dd>in the original: words that were changed or removed</dd>'
        '<dt><mark class="flag">yellow</mark></dt><dd>flagged for the editor: the text was left '
        "as it is; the note under the sentence says why</dd>"
        '<dt><span class="lowconf">red, dotted</span></dt><dd>back-translation to check: the '
        "model was unsure (a low score) or a check found a problem (numbers, length, "
        "repetition, untranslated text), so the Danish may be garbled or ambiguous</dd>"
        '<dt><span class="missing">missing</span></dt><dd>no back-translation (see the banner)'
        "</dd></dl></details>"
    )


def review_page(article: Article, note: TranslationNote | None = None) -> str:
    """The review page of one article record."""
    return "".join(review_page_pieces(article, note))


def review_page_pieces(article: Article, note: TranslationNote | None = None) -> list[str]:
    """:func:`review_page` as a list of pieces (about one per sentence)."""
    numbering = _Numbering()
    header_flags = []
    for flag in article.flags:
        number = numbering.next("file", flag.rule_id, flag.reason)
        header_flags.append(
            f'<p class="banner flag-target" id="flag-{number}" tabindex="-1">'
            f'<span class="badge">⚑ {number}</span> <code>{esc(flag.rule_id)}</code> '
            f"{esc(flag.reason)}</p>"
        )
    rows = []
    originals = original_cells(article)  # the English original, when there is one
    position = 0
    for p_index, paragraph in enumerate(article.paragraphs):
        for s_index, sentence in enumerate(paragraph.sentences):
            label = sentence_label(p_index, s_index)
            flag_numbers = {
                i: numbering.next(label, flag.rule_id, flag.reason, _snippet(sentence, flag))
                for i, flag in enumerate(sentence.flags)
            }
            chunks = word_diff(sentence.original, sentence.text)
            original = side_html(chunks, "before")
            cleaned = cleaned_html(sentence, flag_numbers)
            notes = _notes_html(sentence, label, flag_numbers)
            english, extra = _english_html(sentence, numbering, label)
            classes = ["para-start"] if s_index == 0 else []
            if paragraph.kind != "text":
                classes.append(paragraph.kind)
            if not sentence.changed:
                classes.append("unchanged")
            row_id = f"s{p_index + 1}-{s_index + 1}"
            rows.append(
                f'<tr id="{row_id}" class="{" ".join(classes)}{extra}">'
                f'<td class="num"><a href="#{row_id}">{label}</a></td>'
                f'<td class="orig" lang="da">{original}</td>'
                f'<td class="clean" lang="da">{cleaned}{notes}</td>'
                f'<td class="en" lang="en">{english}</td>'
                + (_original_html(originals[position]) if originals is not None else "")
                + "</tr>"
            )
            position += 1
    stats = counts(article)
    state = translation_state(article, note)
    banner = ""
    if state in ("missing", "partial", "disabled"):
        headline = TranslationNote(state, note.message if note else "").headline
        banner = f'<p class="banner error" role="status">{esc(headline)}</p>'
    flag_list = ""
    if numbering.entries:
        opened = " open" if numbering.count <= 8 else ""
        flag_list = (
            f'<details class="flag-list"{opened}><summary>Flags ({numbering.count}): '
            "what the editor should look at</summary>"
            f"{_flags_by_kind(numbering.entries)}</details>"
        )
    summary = (
        f'{stats["sentences"]} sentences · {stats["edits"]} edits in '
        f'{stats["changed_sentences"]} sentences · {stats["flags"]} flags · '
        f'back-translation: {state}'
        + (f' ({stats["low_confidence"]} low-confidence)' if stats["low_confidence"] else "")
    )
    header = (
        f'<header><h1>{esc(article.path)}</h1><p class="summary">{esc(summary)}</p>'
        f'{banner}{"".join(header_flags)}{flag_list}{_legend()}</header>\n'
        '<nav class="flagnav" aria-label="Flag navigation">'
        '<button type="button" id="prev-flag" hidden>◂ Previous flag</button>'
        '<button type="button" id="next-flag" hidden>Next flag ▸</button>'
        '<span id="flag-pos" class="hint" aria-live="polite">'
        "Flags are listed at the top of the page.</span></nav>\n"
        '<main><table class="review"><thead><tr><th class="num">#</th><th>Original</th>'
        "<th>Cleaned</th><th>English (back-translation)</th>"
        + ("<th>English original</th>" if originals is not None else "")
        + "</tr></thead>\n<tbody>\n"
    )
    for index in range(1, len(rows)):  # the rows, one line each, in place of a joined copy
        rows[index] = "\n" + rows[index]
    return page_pieces(
        f"Review: {article.path}", [header, *rows, "\n</tbody></table></main>"]
    )
