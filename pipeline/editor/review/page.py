"""The review app's pages: the index of a run and the article view with its actions.

The article view is the static review page (:mod:`pipeline.render.html`: original | cleaned |
English) with, under each sentence, one *item* per edit and flag: its rule, its reason and its
buttons (accept/reject an edit, resolve/dismiss a flag with a note), plus a hand edit of the
sentence text. Every piece of article text is escaped; the page's one script runs under a
Content-Security-Policy that allows only it (by hash) and requests to the app itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pipeline.document import Edit, Flag, Sentence
from pipeline.render import counts, is_low_confidence, low_confidence_reason, sentence_label
from pipeline.render.html import REVIEW_CSS, cleaned_html, esc, page
from pipeline.render.worddiff import side_html, word_diff
from pipeline.run.decision_store import Decision, edit_key, flag_key, text_key
from pipeline.run.decisions import Applied

_STATE_LABEL = {
    "accept": "✓ accepted", "reject": "✗ rejected", "resolve": "✓ resolved",
    "dismiss": "✗ dismissed", "edit": "✎ edited by hand",
}

APP_CSS = """
.items{list-style:none;margin:.35rem 0 0;padding:0;font-size:.82rem;font-weight:400}
.item{border-left:3px solid #bbb;padding:.15rem .4rem;margin:.2rem 0;background:#fafafa}
.item.flag-item{border-left-color:#b7791f}
.item[data-state=accept],.item[data-state=resolve]{border-left-color:#2e7d32;background:#f1f8ef}
.item[data-state=reject],.item[data-state=dismiss]{border-left-color:#b33;background:#fbf0f0}
.item[data-state=reject] .change,.item[data-state=dismiss] .what{text-decoration:line-through}
.item.current{outline:3px solid var(--focus);outline-offset:1px}
.item .state{font-weight:600;margin-right:.3rem}
.item button,.rowtools button,.flagnav button,.done-form button{font:inherit;font-size:.78rem;
padding:.05rem .45rem;border:1px solid #999;border-radius:3px;background:#fff;cursor:pointer}
.item input.note{font:inherit;font-size:.78rem;width:11rem;margin:0 .2rem}
.item .note-text{color:#555;font-style:italic}
.rowtools{margin-top:.25rem;font-weight:400}
.rowtools textarea{width:100%;font:inherit;min-height:3.2rem}
.hand{color:#1a56db}
#message{margin:.4rem 0}
#message:empty{display:none}
.orphans li{margin:.2rem 0}
.state-badge{display:inline-block;padding:0 .45rem;border-radius:3px;font-size:.8rem;
background:#eee}
.state-badge.done{background:#d8f5d0}.state-badge.in-progress{background:#ffe9a8}
a.back{font-size:.9rem}
"""

APP_SCRIPT = r"""
(function () {
  "use strict";
  var token = document.querySelector('meta[name="daen-token"]').content;
  var body = document.body;
  var article = body.dataset.article;
  var message = document.getElementById("message");
  var position = document.getElementById("item-pos");
  var currentKey = null;
  var busy = false;

  function items() { return Array.prototype.slice.call(document.querySelectorAll(".item")); }
  function find(key) {
    var all = items();
    for (var i = 0; i < all.length; i++) { if (all[i].dataset.key === key) { return all[i]; } }
    return null;
  }
  function say(text, isError) {
    message.textContent = "";
    message.className = isError ? "banner error" : "";
    if (!text) { return; }
    message.appendChild(document.createTextNode(text));
    if (isError) {
      var reload = document.createElement("button");
      reload.type = "button"; reload.id = "reload"; reload.textContent = "Reload";
      reload.addEventListener("click", function () { location.reload(); });
      message.appendChild(document.createTextNode(" "));
      message.appendChild(reload);
    }
  }
  function show(index) {
    var all = items();
    if (!all.length) { position.textContent = "Nothing to decide on this page."; return; }
    var old = currentKey && find(currentKey);
    if (old) { old.classList.remove("current"); }
    index = (index + all.length) % all.length;
    var item = all[index];
    currentKey = item.dataset.key;
    item.classList.add("current");
    item.scrollIntoView({block: "center"});
    item.focus({preventScroll: true});
    position.textContent = "Item " + (index + 1) + " of " + all.length;
  }
  function step(delta) {
    var all = items();
    var at = -1;
    for (var i = 0; i < all.length; i++) { if (all[i].dataset.key === currentKey) { at = i; } }
    show(at < 0 ? (delta > 0 ? 0 : -1) : at + delta);
  }
  function current() { return currentKey ? find(currentKey) : null; }

  function post(path, payload) {
    if (busy) { return Promise.resolve(); }
    busy = true;
    payload.article = article;
    payload.base = parseInt(body.dataset.version, 10);
    return fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-Daen-Token": token},
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (data) { return [response.status, data]; });
    }).then(function (result) {
      var status = result[0], data = result[1];
      busy = false;
      if (status !== 200) { say(data.error || ("Not saved (" + status + ")."), true); return; }
      update(data);
    }).catch(function (error) {
      say("Not saved: the review app did not answer (" + error + ").", true);
    }).then(function () { busy = false; });
  }
  function update(data) {
    body.dataset.version = String(data.version);
    Object.keys(data.rows).forEach(function (id) {
      var row = document.getElementById(id);
      if (row) { row.outerHTML = data.rows[id]; }
    });
    document.getElementById("summary").textContent = data.summary;
    document.getElementById("review-state").outerHTML = data.state_html;
    document.getElementById("orphans").innerHTML = data.orphans_html;
    document.getElementById("done").textContent =
      data.done ? "Reopen article" : "Mark article done";
    say(data.message || "", false);
    var item = currentKey && find(currentKey);
    if (item) { item.classList.add("current"); item.focus({preventScroll: true}); }
  }
  function act(item, action) {
    if (!item) { return; }
    var note = item.querySelector("input.note");
    currentKey = item.dataset.key;
    var payload = {item: item.dataset.key, action: action, note: note ? note.value : ""};
    // pressing the key of the decision in force takes it back
    if (item.dataset.state === action) { payload.action = "clear"; }
    return post("/api/decide", payload);
  }
  function openEditor(row) {
    if (!row) { return; }
    var form = row.querySelector(".hand-form");
    form.hidden = false;
    var area = form.querySelector("textarea");
    area.focus();
  }
  function saveText(row) {
    var area = row.querySelector(".hand-form textarea");
    currentKey = row.dataset.sentence + ":t";
    return post("/api/decide", {item: currentKey, action: "edit", text: area.value, note: ""});
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button") : null;
    if (!button) { return; }
    var action = button.dataset.act;
    var row = button.closest("tr");
    if (button.dataset.ignore) {
      var item = button.closest(".item");
      currentKey = item.dataset.key;
      post("/api/ignore", {item: item.dataset.key, kind: button.dataset.ignore});
      return;
    }
    if (action === "open-edit") { openEditor(row); }
    else if (action === "save-edit") { saveText(row); }
    else if (action === "cancel-edit") { row.querySelector(".hand-form").hidden = true; }
    else if (action) { act(button.closest(".item"), action); }
  });
  document.getElementById("prev-item").addEventListener("click", function () { step(-1); });
  document.getElementById("next-item").addEventListener("click", function () { step(1); });
  document.getElementById("undo").addEventListener("click", function () {
    post("/api/undo", {});
  });
  document.getElementById("done").addEventListener("click", function () {
    post("/api/done", {done: body.dataset.done !== "true"}).then(function () {
      body.dataset.done = document.getElementById("review-state").dataset.done;
    });
  });
  document.addEventListener("keydown", function (event) {
    var tag = event.target && event.target.tagName;
    if (tag === "TEXTAREA" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      saveText(event.target.closest("tr")); event.preventDefault(); return;
    }
    if (tag === "TEXTAREA" && event.key === "Escape") {
      event.target.closest(".hand-form").hidden = true; return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    var item = current();
    var kind = item ? item.dataset.kind : "";
    var handled = true;
    if (event.key === "n") { step(1); }
    else if (event.key === "p") { step(-1); }
    else if (event.key === "a" && kind !== "text") {
      act(item, kind === "flag" ? "resolve" : "accept");
    }
    else if (event.key === "r" && kind === "edit") { act(item, "reject"); }
    else if (event.key === "d" && kind === "flag") { act(item, "dismiss"); }
    else if (event.key === "u") { post("/api/undo", {}); }
    else if (event.key === "e") { openEditor(item ? item.closest("tr") : null); }
    else { handled = false; }
    if (handled) { event.preventDefault(); }
  });
  body.classList.add("js");
  position.textContent = items().length + " item(s). Keys: n/p next/previous, a accept or " +
    "resolve, r reject, d dismiss, e edit text, u undo.";
})();
"""


@dataclass(frozen=True)
class Row:
    row_id: str
    html: str


def _edit_change(edit: Edit) -> str:
    if not edit.before:
        return f"added «{esc(edit.after)}»"
    if not edit.after:
        return f"removed «{esc(edit.before)}»"
    return f"«{esc(edit.before)}» → «{esc(edit.after)}»"


def _state(decision: Decision | None) -> str:
    return decision.action if decision is not None else ""


def _state_span(decision: Decision | None, extra: str = "") -> str:
    label = _STATE_LABEL.get(_state(decision), "") or extra
    note = (
        f' <span class="note-text">“{esc(decision.note)}”</span>'
        if decision is not None and decision.note else ""
    )
    return (f'<span class="state">{esc(label)}</span>' if label else "") + note


def _edit_item(key: str, edit: Edit, decision: Decision | None, also: str | None) -> str:
    state = _state(decision)
    extra = "undone with a rejected edit it rewrote" if also else ""
    return (
        f'<li class="item edit-item" tabindex="-1" data-kind="edit" data-key="{esc(key)}" '
        f'data-state="{state}">{_state_span(decision, extra)}'
        f'<code>{esc(edit.rule_id)}</code> <span class="change">{_edit_change(edit)}</span> '
        f'<span class="reason">{esc(edit.reason)}</span> '
        '<button type="button" data-act="accept" title="Accept (a)">Accept</button> '
        '<button type="button" data-act="reject" title="Reject (r)">Reject</button></li>'
    )


def _flag_item(key: str, sentence: Sentence, flag: Flag, decision: Decision | None) -> str:
    snippet = sentence.text[max(0, flag.start) : max(0, flag.end)]
    suggestion = f" Suggestion: {esc(flag.suggestion)}" if flag.suggestion else ""
    return (
        f'<li class="item flag-item sev-{esc(flag.severity)}" tabindex="-1" data-kind="flag" '
        f'data-key="{esc(key)}" data-state="{_state(decision)}">{_state_span(decision)}'
        f'<span class="what">⚑ <code>{esc(flag.rule_id)}</code> '
        + (f'<q class="snippet">{esc(snippet)}</q> ' if snippet else "")
        + f"{esc(flag.reason)}{suggestion}</span> "
        '<input class="note" type="text" aria-label="Note (optional)" placeholder="note"> '
        '<button type="button" data-act="resolve" title="Resolve (a)">Resolve</button> '
        '<button type="button" data-act="dismiss" title="Dismiss (d)">Dismiss</button> '
        '<button type="button" data-ignore="word" title="Add the word to the batch\'s ignore '
        'list: the next run flags it nowhere">Never flag this word</button> '
        '<button type="button" data-ignore="rule" title="Add the rule to the batch\'s ignore '
        'list: the next run leaves it out">Turn rule off</button></li>'
    )


def _hand_item(key: str, decision: Decision) -> str:
    return (
        f'<li class="item text-item" tabindex="-1" data-kind="text" data-key="{esc(key)}" '
        f'data-state="edit"><span class="state hand">✎ edited by hand</span> '
        '<button type="button" data-act="clear" title="Undo the hand edit">Take back</button>'
        "</li>"
    )


def _english(sentence: Sentence) -> str:
    translation = sentence.translation
    if translation is None:
        return '<span class="missing">back-translation missing</span>'
    if is_low_confidence(translation):
        reason = esc(low_confidence_reason(translation))
        text = esc(translation.text)
        return f'<span class="lowconf tip" tabindex="0" data-tip="{reason}">{text}</span>'
    return esc(translation.text)


def article_rows(
    applied: Applied, original_sentences: list[Sentence], only: str | None = None
) -> list[Row]:
    """One table row per sentence (``only``: just the row of the sentence with this key)."""
    items = applied.decisions.items
    rows = []
    position = 0
    for p_index, paragraph in enumerate(applied.article.paragraphs):
        for s_index, decided in enumerate(paragraph.sentences):
            automatic = original_sentences[position]
            key = applied.keys[position]
            position += 1
            if only is not None and key != only:
                continue
            rows.append(_row(p_index, s_index, paragraph.kind, key, automatic, decided, items,
                             applied.also_undone))
    return rows


def _row(
    p_index: int,
    s_index: int,
    kind: str,
    key: str,
    automatic: Sentence,
    decided: Sentence,
    items: dict[str, Decision],
    also_undone: dict[str, str],
) -> Row:
    label = sentence_label(p_index, s_index)
    row_id = f"s{p_index + 1}-{s_index + 1}"
    entries = []
    for edit in automatic.edits:
        ekey = edit_key(key, edit)
        entries.append(_edit_item(ekey, edit, items.get(ekey), also_undone.get(ekey)))
    for flag in automatic.flags:
        fkey = flag_key(key, flag)
        entries.append(_flag_item(fkey, automatic, flag, items.get(fkey)))
    hand = items.get(text_key(key))
    if hand is not None:
        entries.append(_hand_item(text_key(key), hand))
    numbers = {i: 0 for i in range(len(decided.flags))}
    cleaned = cleaned_html(decided, numbers)
    classes = ["para-start"] if s_index == 0 else []
    if kind != "text":
        classes.append(kind)
    if decided.text == decided.original:
        classes.append("unchanged")
    editor = (
        '<div class="rowtools"><button type="button" data-act="open-edit" title="Edit text (e)">'
        '✎ Edit text</button><div class="hand-form" hidden><textarea aria-label="Cleaned text of '
        f'sentence {esc(label)}">{esc(decided.text)}</textarea>'
        '<button type="button" data-act="save-edit">Save (Ctrl+Enter)</button> '
        '<button type="button" data-act="cancel-edit">Cancel (Esc)</button></div></div>'
    )
    listing = f'<ul class="items">{"".join(entries)}</ul>' if entries else ""
    original = side_html(word_diff(automatic.original, decided.text), "before")
    html = (
        f'<tr id="{row_id}" class="{" ".join(classes)}" data-sentence="{esc(key)}">'
        f'<td class="num"><a href="#{row_id}">{label}</a></td>'
        f'<td class="orig" lang="da">{original}</td>'
        f'<td class="clean" lang="da">{cleaned}{listing}{editor}</td>'
        f'<td class="en" lang="en">{_english(automatic)}</td></tr>'
    )
    return Row(row_id, html)


def summary_text(applied: Applied, original_sentences: list[Sentence]) -> str:
    stats = counts(applied.article)
    edits = sum(len(s.edits) for s in original_sentences)
    flags = sum(len(s.flags) for s in original_sentences)
    decided = len(applied.decisions.items)
    return (
        f"{stats['sentences']} sentences · {edits} edits · {flags} flags · {decided} decided"
        f" · {len(applied.orphaned)} orphaned · version {applied.decisions.version}"
    )


def state_html(applied: Applied) -> str:
    state = applied.decisions.state
    done = "true" if applied.decisions.done else "false"
    return (
        f'<span id="review-state" class="state-badge {state.replace(" ", "-")}" '
        f'data-done="{done}">{esc(state)}</span>'
    )


def orphans_html(applied: Applied) -> str:
    if not applied.orphaned:
        return ""
    entries = "".join(
        f"<li><code>{esc(d.rule_id or 'hand edit')}</code> "
        f"{esc(_STATE_LABEL.get(d.action, d.action))}"
        + (f" «{esc(d.before)}» → «{esc(d.after)}»" if d.kind == "edit" else "")
        + (f" (sentence: <q>{esc(d.context)}</q>)" if d.context else "")
        + (f" — “{esc(d.note)}”" if d.note else "")
        + "</li>"
        for d in applied.orphaned
    )
    return (
        '<details class="orphans banner" open><summary>Orphaned decisions '
        f"({len(applied.orphaned)}): their sentence, edit or flag changed in a later run, "
        f"so they no longer apply</summary><ul>{entries}</ul></details>"
    )


def update_payload(
    applied: Applied, original_sentences: list[Sentence], rows: list[Row], message: str = ""
) -> dict[str, Any]:
    """What the script needs after a save: the changed rows and the page's header."""
    return {
        "version": applied.decisions.version,
        "done": applied.decisions.done,
        "rows": {row.row_id: row.html for row in rows},
        "summary": summary_text(applied, original_sentences),
        "state_html": state_html(applied),
        "orphans_html": orphans_html(applied),
        "message": message,
    }


def article_page(
    name: str, applied: Applied, original_sentences: list[Sentence], token: str
) -> str:
    rows = article_rows(applied, original_sentences)
    decisions = applied.decisions
    done_label = "Reopen article" if decisions.done else "Mark article done"
    body = (
        f'<header><a class="back" href="/">← All articles</a><h1>{esc(applied.article.path)}</h1>'
        f'<p class="summary"><span id="summary">{esc(summary_text(applied, original_sentences))}'
        f"</span> {state_html(applied)} "
        f'<button type="button" id="done">{done_label}</button></p>'
        f'<div id="orphans">{orphans_html(applied)}</div>'
        '<div id="message" role="status" aria-live="polite"></div></header>\n'
        '<nav class="flagnav" aria-label="Review actions">'
        '<button type="button" id="prev-item">◂ Previous (p)</button>'
        '<button type="button" id="next-item">Next (n) ▸</button>'
        '<button type="button" id="undo">Undo (u)</button>'
        '<span id="item-pos" class="hint" aria-live="polite"></span></nav>\n'
        '<main><table class="review"><thead><tr><th class="num">#</th><th>Original</th>'
        "<th>Cleaned, with the editor's decisions</th><th>English (back-translation)</th>"
        "</tr></thead>\n<tbody>\n" + "\n".join(row.html for row in rows)
        + "\n</tbody></table></main>"
    )
    html = page(
        f"Review: {applied.article.path}", body, script=APP_SCRIPT,
        css=REVIEW_CSS + APP_CSS, connect=True,
    )
    meta = f'<meta name="daen-token" content="{esc(token)}">\n'
    attributes = (
        f'<body data-article="{esc(name)}" data-version="{decisions.version}" '
        f'data-done="{"true" if decisions.done else "false"}">'
    )
    return html.replace("<title>", meta + "<title>", 1).replace("<body>", attributes, 1)


@dataclass(frozen=True)
class IndexEntry:
    name: str
    path: str
    state: str
    counts: dict[str, int]
    decided: int
    orphaned: int


def index_page(title: str, entries: list[IndexEntry]) -> str:
    rows = "".join(
        f'<tr><td class="name"><a href="/article/{esc(quote(e.name))}">{esc(e.path)}</a></td>'
        f'<td><span class="state-badge {e.state.replace(" ", "-")}">{esc(e.state)}</span></td>'
        f'<td class="n">{e.counts.get("sentences", 0)}</td>'
        f'<td class="n">{e.counts.get("edits", 0)}</td>'
        f'<td class="n">{e.counts.get("flags", 0)}</td>'
        f'<td class="n">{e.decided}</td><td class="n">{e.orphaned}</td></tr>'
        for e in entries
    )
    states = [e.state for e in entries]
    summary = ", ".join(f"{states.count(s)} {s}" for s in ("not started", "in progress", "done"))
    body = (
        f"<main><h1>Review: {esc(title)}</h1><p class=\"meta\">{len(entries)} articles: "
        f"{esc(summary)}</p>"
        '<table><thead><tr><th>Article</th><th>Review</th><th class="n">Sentences</th>'
        '<th class="n">Edits</th><th class="n">Flags</th><th class="n">Decided</th>'
        f'<th class="n">Orphaned</th></tr></thead><tbody>{rows}</tbody></table></main>'
    )
    css = (
        "body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem}"
        "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;"
        "border-bottom:1px solid #ddd}td.n,th.n{text-align:right}"
        ".state-badge{padding:0 .45rem;border-radius:3px;background:#eee}"
        ".state-badge.done{background:#d8f5d0}.state-badge.in-progress{background:#ffe9a8}"
    )
    return page(f"Review: {title}", body, script=None, css=css)


def error_json(message: str) -> bytes:
    return json.dumps({"error": message}).encode("utf-8")
