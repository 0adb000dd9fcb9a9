"""The review app over HTTP (no browser): session token, origin checks, saves and conflicts.

The browser tests (tests/test_browser.py) cover the page itself; these check what a browser
would hide: every refusal is made by the server, whatever the client does.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app as cli_app
from pipeline.editor.review.app import RunningApp, start_app
from pipeline.run.batch import run_batch
from pipeline.run.decision_store import decisions_path, final_path, load_decisions
from pipeline.run.folder import NotARunFolder
from pipeline.settings import Settings
from pipeline.translate.translator import FakeTranslator

TEXT = (
    "vi ved alle, at <script>window.pwned=1</script> er farligt.\n\n"
    "Kunderne elsker cashback og Dominos.\n"
)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningApp]:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(TEXT, encoding="utf-8")
    run_batch(
        tmp_path / "in", tmp_path / "out", Settings.from_options(), translator=FakeTranslator()
    )
    started = start_app(tmp_path / "out")
    started.serve_in_thread()
    yield started
    started.close()


class Client:
    def __init__(self, running: RunningApp) -> None:
        self.app = running
        self.host = running.base.split("//", 1)[1]
        self.cookie = ""

    def request(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, timeout=30)
        data = json.dumps(body) if body is not None else None
        all_headers = {"Cookie": self.cookie} if self.cookie else {}
        all_headers.update(headers or {})
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        result = response.status, dict(response.getheaders()), response.read()
        connection.close()
        return result

    def login(self) -> None:
        status, headers, _ = self.request("GET", f"/?token={self.app.server.token}")
        assert status == 303
        assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
        self.cookie = headers["Set-Cookie"].split(";")[0]

    def post(self, path: str, body: dict[str, object], **headers: str) -> tuple[int, dict]:
        sent = {
            "Content-Type": "application/json", "X-Daen-Token": self.app.server.token,
            "Origin": self.app.base, "Sec-Fetch-Site": "same-origin",
        }
        sent.update({k.replace("_", "-"): v for k, v in headers.items()})
        sent = {k: v for k, v in sent.items() if v}
        status, _, data = self.request("POST", path, body, sent)
        return status, json.loads(data)


def _items(page: str, kind: str) -> list[str]:
    return re.findall(rf'data-kind="{kind}" data-key="([^"]+)"', page)


def test_pages_need_the_session_token(running: RunningApp) -> None:
    client = Client(running)
    assert client.request("GET", "/")[0] == 403
    assert client.request("GET", "/?token=wrong")[0] == 403
    client.login()
    status, headers, body = client.request("GET", "/")
    assert status == 200 and b"not started" in body
    assert headers["X-Frame-Options"] == "DENY"
    status, _, _ = client.request("GET", "/", headers={"Host": "evil.example"})
    assert status == 403  # DNS rebinding: another host name is refused


def test_article_text_is_escaped_and_only_the_page_script_may_run(running: RunningApp) -> None:
    client = Client(running)
    client.login()
    status, _, body = client.request("GET", "/article/a")
    page = body.decode()
    assert status == 200
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert "<script>window.pwned" not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None and "connect-src 'self'" in csp[1] and "default-src 'none'" in csp[1]
    assert page.count("<script>") == 1


def test_a_decision_is_saved_with_the_final_text_and_a_stale_one_is_refused(
    running: RunningApp,
) -> None:
    client = Client(running)
    client.login()
    page = client.request("GET", "/article/a")[2].decode()
    edit = next(k for k in _items(page, "edit") if k)
    status, data = client.post("/api/decide", {"article": "a", "base": 0, "item": edit,
                                               "action": "reject"})
    assert status == 200 and data["version"] == 1 and list(data["rows"]) == ["s1-1"]
    out = running.server.review.output_dir
    assert load_decisions(decisions_path(out, "a")).items[edit].action == "reject"
    assert final_path(out, "a").read_text(encoding="utf-8").startswith("vi ved alle")
    status, data = client.post("/api/decide", {"article": "a", "base": 0, "item": edit,
                                               "action": "accept"})
    assert status == 409 and "another tab or window" in data["error"]
    assert load_decisions(decisions_path(out, "a")).items[edit].action == "reject"
    status, data = client.post("/api/undo", {"article": "a", "base": 1})
    assert status == 200 and data["version"] == 2
    assert not load_decisions(decisions_path(out, "a")).items
    status, data = client.post("/api/decide", {"article": "a", "base": 2, "item": "x:e:1",
                                               "action": "reject"})
    assert status == 400


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ({"Origin": "http://evil.example"}, "other origins"),
        ({"Sec_Fetch_Site": "cross-site"}, "other sites"),
        ({"X_Daen_Token": ""}, "session token"),
        ({"X_Daen_Token": "guessed"}, "session token"),
        ({"Content_Type": "text/plain"}, "expected JSON"),
    ],
)
def test_state_changing_requests_from_elsewhere_are_refused(
    running: RunningApp, headers: dict[str, str], problem: str
) -> None:
    client = Client(running)
    client.login()
    page = client.request("GET", "/article/a")[2].decode()
    edit = _items(page, "edit")[0]
    status, data = client.post(
        "/api/decide", {"article": "a", "base": 0, "item": edit, "action": "reject"}, **headers
    )
    assert status == 403 and problem in data["error"]
    assert not decisions_path(running.server.review.output_dir, "a").exists()


def test_a_post_without_the_cookie_is_refused(running: RunningApp) -> None:
    client = Client(running)  # has the token header (e.g. stolen), not the cookie
    status, data = client.post("/api/undo", {"article": "a", "base": 0})
    assert status == 403 and "cookie" in data["error"]


def test_review_command_refuses_a_folder_without_a_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["review", str(tmp_path), "--no-browser"])
    assert result.exit_code == 2  # a usage error: not a run folder
    assert "no manifest.json" in result.output


def test_never_flag_a_word_from_the_page_takes_effect_in_the_next_run(
    running: RunningApp,
) -> None:
    client = Client(running)
    client.login()
    page = client.request("GET", "/article/a")[2].decode()
    flags = re.findall(
        r'data-kind="flag" data-key="([^"]+)"[^>]*>.*?<q class="snippet">([^<]*)</q>', page
    )
    key = next(k for k, word in flags if word == "cashback")
    status, data = client.post("/api/ignore", {"article": "a", "item": key, "kind": "word"})
    assert status == 200 and "«cashback»" in data["message"]
    out = running.server.review.output_dir
    assert "word cashback" in (out / "ignore.txt").read_text(encoding="utf-8").splitlines()
    run_batch(out.parent / "in", out, Settings.from_options(), translator=FakeTranslator())
    page = client.request("GET", "/article/a")[2].decode()
    assert "<q class=\"snippet\">cashback</q>" not in page
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["ignore"]["words"] == ["cashback"]


def test_marking_done_shows_in_the_index(running: RunningApp) -> None:
    client = Client(running)
    client.login()
    status, data = client.post("/api/done", {"article": "a", "base": 0, "done": True})
    assert status == 200 and data["done"] is True
    index = client.request("GET", "/")[2].decode()
    assert '<span class="state-badge done">done</span>' in index


def test_orphaned_decisions_are_listed_on_the_article_page(running: RunningApp) -> None:
    client = Client(running)
    client.login()
    page = client.request("GET", "/article/a")[2].decode()
    edit = _items(page, "edit")[0]  # on the first sentence
    assert client.post("/api/decide", {"article": "a", "base": 0, "item": edit,
                                       "action": "reject", "note": "nej"})[0] == 200
    out = running.server.review.output_dir
    (out.parent / "in" / "a.txt").write_text(TEXT.replace("vi ved alle", "vi ved nu"),
                                            encoding="utf-8")
    run_batch(out.parent / "in", out, Settings.from_options(), translator=FakeTranslator())
    page = client.request("GET", "/article/a")[2].decode()
    assert "Orphaned decisions (1)" in page
    assert "<q>vi ved alle, at &lt;script&gt;window.pwned=1&lt;/script&gt; er farligt.</q>" in page
    assert "“nej”" in page


def test_a_run_without_its_manifest_is_refused_not_guessed(tmp_path: Path) -> None:
    """The app reads the articles the manifest lists (pipeline.run.folder), never every
    ``*.json`` it finds: without the manifest there is no run to review."""
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "sub" / "b.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    run_batch(tmp_path / "in", out, Settings.from_options(), translator=FakeTranslator())
    started = start_app(out)
    started.serve_in_thread()
    try:
        client = Client(started)
        client.login()
        index = client.request("GET", "/")[2].decode()
        assert 'href="/article/sub/b"' in index and "sub/b.txt" in index
        assert client.request("GET", "/article/sub/b")[0] == 200
        assert client.request("GET", "/article/../a")[0] == 404
    finally:
        started.close()
    (out / "manifest.json").unlink()
    with pytest.raises(NotARunFolder, match=r"no manifest\.json"):
        start_app(out)
