"""``daen review OUT_DIR``: a local web app where an editor decides on a run's edits and flags.

Built on the standard library's :class:`~http.server.ThreadingHTTPServer`: one editor on one
machine, a few pages and three JSON actions, so a framework would add dependencies and start-up
time without adding anything needed; the security checks it would not do for us anyway are
below (about 40 lines).

Security (a web page open in the same browser must not be able to read or change decisions):

- binds ``127.0.0.1`` by default, and answers only requests whose ``Host`` is this address;
- a random session token: the URL opened in the browser carries it once, the app answers with
  a ``SameSite=Strict``, ``HttpOnly`` cookie and a redirect; every request needs the cookie;
- every state-changing request is a JSON ``POST`` that must also carry the token in the
  ``X-Daen-Token`` header (which another origin cannot set without a CORS preflight, which the
  app never grants), an ``Origin`` (when sent) equal to the app's own, and a
  ``Sec-Fetch-Site`` (when sent) of ``same-origin``;
- pages are self-contained (inline CSS and one script allowed by hash; nothing from the
  network) and every piece of article text is escaped.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from pipeline.document import Article
from pipeline.editor.review import page
from pipeline.errors import DaenError
from pipeline.run.decision_store import (
    ACTIONS,
    Action,
    Decision,
    DecisionConflict,
    DecisionError,
    Decisions,
    edit_key,
    flag_key,
    load_decisions,
    save_decisions,
    sentence_keys,
    text_key,
)
from pipeline.run.decisions import Applied, apply_decisions, write_final
from pipeline.run.folder import RunFolder
from pipeline.run.ignore import add_to_ignore_list
from pipeline.run.manifest import MANIFEST, RunEntry

COOKIE = "daen_review"
TOKEN_HEADER = "X-Daen-Token"
MAX_BODY = 1_000_000


class ReviewError(DaenError):
    """The review app cannot start (no run in the folder, port taken)."""


@dataclass
class _Cached:
    key: tuple[int, str | None]  # the record's mtime and the digest the manifest has for it
    article: Article


class Review:
    """The run folder as the app sees it: articles, records and decisions; no HTTP here.

    The run is read through :class:`~pipeline.run.folder.RunFolder` only: the articles are
    the manifest's (opened again when a ``daen run`` saved a new one), and a record that is
    missing, lies outside the folder or changed since the run is refused with its error.
    """

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self._records: dict[str, _Cached] = {}
        self._lock = threading.Lock()  # one save at a time (the version check, then the write)
        self._opening = threading.Lock()
        self._run, self._manifest_mtime = self._open()
        if not len(self._run):
            raise ReviewError(
                f"{output_dir}: the run has no finished articles; run `daen run` first"
            )

    def _open(self) -> tuple[RunFolder, int]:
        mtime = self._mtime()
        return RunFolder.open(self.output_dir), mtime

    def _mtime(self) -> int:
        try:
            return (self.output_dir / MANIFEST).stat().st_mtime_ns
        except OSError:
            return -1

    @property
    def run(self) -> RunFolder:
        """The run folder, read again when its manifest changed (a ``daen run`` since)."""
        with self._opening:
            if self._mtime() != self._manifest_mtime:
                self._run, self._manifest_mtime = self._open()
            return self._run

    @property
    def names(self) -> dict[str, RunEntry]:
        """Output name -> manifest entry, in manifest order."""
        return self.run.entries

    def record(self, name: str) -> Article:
        """The article's record as the run wrote it (read again when the file changed);
        KeyError for a name the run does not have, RecordError for a record it refuses."""
        run = self.run
        entry = run.entry(name)  # KeyError: not an article of this run
        path = run.record_path(name)
        try:
            key = (path.stat().st_mtime_ns, entry.record_sha256)
        except OSError:
            key = (-1, entry.record_sha256)
        cached = self._records.get(name)
        if cached is None or cached.key != key:
            cached = _Cached(key, run.record(name))
            self._records[name] = cached
        return cached.article

    def decisions(self, name: str) -> Decisions:
        return load_decisions(self.run.decisions_path(name), self.record(name).path)

    def applied(self, name: str) -> Applied:
        return apply_decisions(self.record(name), self.decisions(name))

    def index_entries(self) -> list[page.IndexEntry]:
        """One row per article, from the manifest and the decisions (no record is read: one
        that the run refuses shows its error on its own page, not here)."""
        run = self.run
        entries = []
        for name, entry in sorted(run.entries.items()):
            decisions = load_decisions(run.decisions_path(name), entry.source)
            entries.append(page.IndexEntry(
                name, entry.source or name, decisions.state, entry.counts.to_json(),
                len(decisions.items), len(decisions.orphaned),
            ))
        return entries

    def change(self, name: str, request: dict[str, Any]) -> tuple[Applied, str | None]:
        """Apply one action (decide, undo, done) based on version ``request['base']``.

        Returns the decided article and the key of the item touched. Raises
        :class:`DecisionConflict` when another tab saved since, :class:`DecisionError` for an
        action that makes no sense.
        """
        base = request.get("base")
        if not isinstance(base, int):
            raise DecisionError("the request names no version to save on")
        with self._lock:
            decisions = self.decisions(name)
            path = self.run.decisions_path(name)
            if decisions.version != base:
                raise DecisionConflict(path, base, decisions.version)
            touched = self._apply(name, decisions, request)
            save_decisions(path, decisions, base)
            applied = apply_decisions(self.record(name), decisions)
            write_final(self.output_dir, name, applied)
        return applied, touched

    def _apply(self, name: str, decisions: Decisions, request: dict[str, Any]) -> str | None:
        kind = request.get("op")
        if kind == "undo":
            return decisions.undo()
        if kind == "done":
            decisions.mark_done(bool(request.get("done")))
            return None
        key = str(request.get("item", ""))
        action = str(request.get("action", ""))
        if action == "clear":
            decisions.clear(key)
            return key
        decisions.decide(self._decision(name, key, action, request))
        return key

    def ignore(self, name: str, request: dict[str, Any]) -> str:
        """Add a flag's word, or its rule, to the batch's ignore list; what to tell the editor."""
        kind = request.get("kind")
        key = str(request.get("item", ""))
        article = self.record(name)
        for skey, sentence in zip(sentence_keys(article), article.sentences(), strict=True):
            for flag in sentence.flags if key.startswith(skey + ":") else []:
                if flag_key(skey, flag) != key:
                    continue
                if kind == "word":
                    word = sentence.text[flag.start : flag.end].strip()
                    add_to_ignore_list(self.output_dir, "word", word)
                    return f"The next `daen run` flags «{word}» nowhere in this batch (ignore.txt)."
                if kind == "rule":
                    add_to_ignore_list(self.output_dir, "rule", flag.rule_id)
                    return f"The next `daen run` leaves out rule {flag.rule_id} (ignore.txt)."
        raise DecisionError(f"nothing to ignore for item {key!r}")

    def _decision(self, name: str, key: str, action: str, request: dict[str, Any]) -> Decision:
        """The decision on item ``key``, built from the record (never from the request)."""
        article = self.record(name)
        note = str(request.get("note", ""))[:2000]
        for skey, sentence in zip(sentence_keys(article), article.sentences(), strict=True):
            if not key.startswith(skey + ":"):
                continue
            if key == text_key(skey) and action == "edit":
                text = str(request.get("text", ""))
                if "\n" in text.strip():
                    raise DecisionError("a sentence's text cannot hold a line break")
                return Decision(skey, "text", "edit", after=text.strip(), note=note,
                                context=sentence.original)
            for edit in sentence.edits:
                if edit_key(skey, edit) == key and action in ACTIONS["edit"]:
                    return Decision(skey, "edit", cast(Action, action), edit.rule_id,
                                    edit.start, edit.end, edit.before, edit.after, note,
                                    context=sentence.original)
            for flag in sentence.flags:
                if flag_key(skey, flag) == key and action in ACTIONS["flag"]:
                    return Decision(skey, "flag", cast(Action, action), flag.rule_id,
                                    flag.start, flag.end, note=note, context=sentence.original)
        raise DecisionError(f"no {action!r} for item {key!r} in {name}")


# --------------------------------------------------------------------------------------------
# HTTP


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    review: Review
    token: str
    origins: frozenset[str]
    refused: int


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "daen-review"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the terminal shows the URL and errors only

    # -- checks ------------------------------------------------------------------------------

    def _host_ok(self) -> bool:
        return self.headers.get("Host", "") in {o.split("://", 1)[1] for o in self.server.origins}

    def _cookie_token(self) -> str:
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE:
                return value
        return ""

    def _same(self, value: str) -> bool:
        return bool(value) and hmac.compare_digest(value.encode(), self.server.token.encode())

    def _refuse(self, status: HTTPStatus, message: str) -> None:
        self.server.refused += 1
        self._send(status, page.error_json(message), "application/json")

    def _post_allowed(self) -> str | None:
        """Why a state-changing request is refused (``None``: allowed)."""
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.server.origins:
            return "requests from other origins are refused"
        if self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return "requests from other sites are refused"
        if not self._same(self.headers.get(TOKEN_HEADER, "")):
            return "missing or wrong session token"
        if not self._same(self._cookie_token()):
            return "missing session cookie: open the link that `daen review` printed"
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            return "expected JSON"
        return None

    # -- responses ---------------------------------------------------------------------------

    def _send(
        self, status: HTTPStatus, body: bytes, content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _html(self, text: str) -> None:
        self._send(HTTPStatus.OK, text.encode("utf-8"), "text/html; charset=utf-8")

    # -- GET ---------------------------------------------------------------------------------

    def do_GET(self) -> None:
        if not self._host_ok():
            self._refuse(HTTPStatus.FORBIDDEN, "unknown host")
            return
        url = urlsplit(self.path)
        given = parse_qs(url.query).get("token", [""])[0]
        if given:
            if not self._same(given):
                self._refuse(HTTPStatus.FORBIDDEN, "wrong session token")
                return
            cookie = f"{COOKIE}={self.server.token}; Path=/; HttpOnly; SameSite=Strict"
            self._send(HTTPStatus.SEE_OTHER, b"", "text/plain",
                       {"Location": url.path or "/", "Set-Cookie": cookie})
            return
        if url.path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "text/plain")
            return
        if not self._same(self._cookie_token()):
            self._refuse(HTTPStatus.FORBIDDEN, "open the link that `daen review` printed")
            return
        review = self.server.review
        try:
            if url.path == "/":
                self._html(page.index_page(str(review.output_dir), review.index_entries()))
            elif url.path.startswith("/article/"):
                name = unquote(url.path[len("/article/"):])
                article = review.record(name)
                self._html(page.article_page(
                    name, review.applied(name), list(article.sentences()), self.server.token
                ))
            else:
                self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
        except KeyError:
            self._send(HTTPStatus.NOT_FOUND, b"no such article", "text/plain")
        except DaenError as error:
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, str(error).encode(), "text/plain")

    # -- POST --------------------------------------------------------------------------------

    def do_POST(self) -> None:
        if not self._host_ok():
            self._refuse(HTTPStatus.FORBIDDEN, "unknown host")
            return
        problem = self._post_allowed()
        if problem is not None:
            self._refuse(HTTPStatus.FORBIDDEN, problem)
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request too large")
            return
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            self._send(HTTPStatus.BAD_REQUEST, page.error_json("bad JSON"), "application/json")
            return
        ops = {"/api/decide": "decide", "/api/undo": "undo", "/api/done": "done"}
        path = urlsplit(self.path).path
        if path == "/api/ignore":
            self._ignore(request)
            return
        if path not in ops:
            self._send(HTTPStatus.NOT_FOUND, page.error_json("no such action"), "application/json")
            return
        request["op"] = ops[path]
        self._change(request)

    def do_OPTIONS(self) -> None:
        """A CORS preflight: another origin asking to send the token header. Never granted."""
        self._refuse(HTTPStatus.FORBIDDEN, "requests from other origins are refused")

    def _ignore(self, request: dict[str, Any]) -> None:
        review = self.server.review
        name = str(request.get("article", ""))
        try:
            message = review.ignore(name, request)
            applied = review.applied(name)
        except KeyError:
            self._send(HTTPStatus.NOT_FOUND, page.error_json("no such article"),
                       "application/json")
            return
        except DaenError as error:
            self._send(HTTPStatus.BAD_REQUEST, page.error_json(str(error)), "application/json")
            return
        sentences = list(review.record(name).sentences())
        payload = page.update_payload(applied, sentences, [], message)
        self._send(HTTPStatus.OK, json.dumps(payload).encode("utf-8"), "application/json")

    def _change(self, request: dict[str, Any]) -> None:
        review = self.server.review
        name = str(request.get("article", ""))
        try:
            applied, touched = review.change(name, request)
        except KeyError:
            self._send(HTTPStatus.NOT_FOUND, page.error_json("no such article"),
                       "application/json")
            return
        except DecisionConflict as error:
            self._send(HTTPStatus.CONFLICT, page.error_json(str(error)), "application/json")
            return
        except DaenError as error:
            self._send(HTTPStatus.BAD_REQUEST, page.error_json(str(error)), "application/json")
            return
        sentences = list(review.record(name).sentences())
        sentence = touched.split(":", 1)[0] if touched and ":" in touched else None
        rows = page.article_rows(applied, sentences, sentence) if sentence else []
        message = "Undone." if request["op"] == "undo" else "Saved."
        if request["op"] == "undo" and touched is None:
            message = "Nothing to undo."
        payload = page.update_payload(applied, sentences, rows, message)
        self._send(HTTPStatus.OK, json.dumps(payload).encode("utf-8"), "application/json")


# --------------------------------------------------------------------------------------------
# Starting


@dataclass
class RunningApp:
    server: _Server
    url: str  # with the token: open this
    base: str  # without it

    @property
    def refused(self) -> int:
        return self.server.refused

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_app(
    output_dir: Path, *, host: str = "127.0.0.1", port: int = 0, token: str | None = None
) -> RunningApp:
    """Bind the review app (``port`` 0: any free port); serve with ``serve_forever``."""
    review = Review(output_dir)
    try:
        server = _Server((host, port), _Handler)
    except OSError as error:
        raise ReviewError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None
    bound = server.server_address[1]
    server.review = review
    server.token = token or secrets.token_urlsafe(32)
    server.refused = 0
    names = {host, "127.0.0.1", "localhost"} if host in ("127.0.0.1", "localhost") else {host}
    server.origins = frozenset(f"http://{name}:{bound}" for name in names)
    base = f"http://{host}:{bound}"
    return RunningApp(server, f"{base}/?token={server.token}", base)


def serve(
    output_dir: Path, *, host: str = "127.0.0.1", port: int = 0, open_browser: bool = True,
    echo: Any = print,
) -> None:
    """``daen review``: start the app, print its link, open it in the browser, serve until ^C."""
    started = time.perf_counter()
    app = start_app(output_dir, host=host, port=port)
    echo(f"Review app for {output_dir} at {app.url}")
    echo("Press Ctrl+C to stop. Decisions are saved as you make them.")
    if open_browser:
        import webbrowser

        webbrowser.open(app.url)
    echo(f"ready in {time.perf_counter() - started:.2f} s")
    try:
        app.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        app.server.server_close()
