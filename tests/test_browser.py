"""The review page in a real browser: Debian's headless Chromium (no Playwright download).

Two ways in: ``chromium --dump-dom`` (the DOM after the page's scripts ran) and, when
``chromedriver`` is installed too, a minimal W3C WebDriver client over HTTP that presses
``n``/``p`` and clicks the buttons. The article contains markup that would run if it were not
escaped; the tests check that it shows as text and never runs.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.batch import run_batch
from pipeline.settings import Settings
from pipeline.translate import FakeTranslator

pytestmark = pytest.mark.browser

CHROMIUM = next(
    (p for name in ("chromium", "chromium-browser", "google-chrome") if (p := shutil.which(name))),
    None,
)
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
]
HOSTILE = (
    "vi ved alle, at <script>document.title='pwned'</script> er farligt. "
    "Se <img src=x onerror=\"window.pwned=1\"> og \"citater\" & 'apostroffer'.\n\n"
    "en ‘trend’ i 2013 – og Dominos ved det. Det er ikke et stykke kage.\n\n"
    "mange virksomheder har en high street strategi; hvad mere er, så taler de om det.\n"
)

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


@pytest.fixture(scope="module")
def review_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    (root / "in").mkdir()
    (root / "in" / "farlig.txt").write_text(HOSTILE, encoding="utf-8")
    options = Settings.from_options(quote_style="guillemets")  # the assertions below expect »«
    run_batch(root / "in", root / "out", options, translator=FakeTranslator())
    return root / "out" / "farlig.html"


@needs_chromium
def test_dump_dom_shows_markup_as_text_and_runs_only_the_page_script(
    review_page: Path, tmp_path: Path
) -> None:
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=3000", "--dump-dom", review_page.as_uri()],
        capture_output=True, text=True, timeout=90,
    )
    dom = result.stdout
    assert "</html>" in dom, result.stderr[-2000:]
    assert "<title>Review: farlig.txt</title>" in dom  # not 'pwned'
    assert "&lt;script&gt;document.title=" in dom and "<script>document" not in dom
    assert "[en] Vi ved alle, at &lt;script&gt;document.title=»pwned«&lt;/script&gt;" in dom
    assert "<img" not in dom  # the tag in the article stayed text
    # the page's own script ran (under its CSP): it revealed the flag buttons
    assert re.search(r'<button type="button" id="next-flag">', dom)
    assert 'class="js"' in dom
    assert re.search(r'<ins class="edit tip" tabindex="0" data-rule="[^"]+"', dom)
    assert 'id="flag-1"' in dom


# -- WebDriver ---------------------------------------------------------------------------------


class WebDriver:
    """Just enough of the W3C WebDriver protocol for these tests."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.session = ""

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.base}{path}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")["value"]

    def start(self, profile: Path) -> None:
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM, "args": [*FLAGS, f"--user-data-dir={profile}"],
            },
        }
        value = self.call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = value["sessionId"]

    def go(self, url: str) -> None:
        self.call("POST", f"/session/{self.session}/url", {"url": url})

    def js(self, script: str) -> Any:
        return self.call(
            "POST", f"/session/{self.session}/execute/sync", {"script": script, "args": []}
        )

    def press(self, key: str) -> None:
        actions = [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]
        self.call(
            "POST", f"/session/{self.session}/actions",
            {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]},
        )

    def click(self, css: str) -> None:
        element = self.call(
            "POST", f"/session/{self.session}/element", {"using": "css selector", "value": css}
        )
        element_id = next(iter(element.values()))
        self.call("POST", f"/session/{self.session}/element/{element_id}/click", {})

    def quit(self) -> None:
        if self.session:
            self.call("DELETE", f"/session/{self.session}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("chromium and chromedriver are needed")
    port = _free_port()
    process = subprocess.Popen(
        [CHROMEDRIVER, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    driver = WebDriver(port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if driver.call("GET", "/status").get("ready"):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "chromedriver did not start"
            time.sleep(0.1)
        driver.start(tmp_path / "profile")
        yield driver
    finally:
        try:
            driver.quit()
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_flag_navigation_hover_tips_and_no_injected_script(
    browser: WebDriver, review_page: Path
) -> None:
    browser.go(review_page.as_uri())
    assert browser.js("return document.title") == "Review: farlig.txt"
    assert browser.js("return window.pwned === undefined") is True
    original = browser.js("return document.querySelector('#s1-1 td.orig').textContent")
    assert "<script>document.title='pwned'</script>" in original
    original = browser.js("return document.querySelector('#s1-2 td.orig').textContent")
    assert '<img src=x onerror="window.pwned=1">' in original
    cleaned = browser.js("return document.querySelector('#s1-1 td.clean').textContent")
    assert "<script>document.title=»pwned«</script>" in cleaned

    count = browser.js("return document.querySelectorAll('.flag-target').length")
    assert count >= 3
    assert browser.js("return document.getElementById('next-flag').hidden") is False

    def current() -> tuple[str, str, str]:
        state = browser.js(
            "return [document.activeElement.id, location.hash, "
            "document.getElementById('flag-pos').textContent]"
        )
        return state[0], state[1], state[2]

    browser.press("n")
    assert current() == ("flag-1", "#flag-1", f"Flag 1 of {count}")
    browser.press("n")
    assert current()[0] == "flag-2"
    browser.press("p")
    assert current()[0] == "flag-1"
    browser.press("p")  # wraps around to the last flag
    assert current()[0] == f"flag-{count}"
    browser.click("#next-flag")
    assert current()[0] == "flag-1"
    assert browser.js("return document.querySelectorAll('.flag-target.current').length") == 1

    # an edit shows its rule id and reason when focused (keyboard) or hovered
    tip = browser.js(
        "const e = document.querySelector('td.clean ins.edit'); e.focus();"
        "return [e.dataset.tip, getComputedStyle(e, '::after').content]"
    )
    assert tip[0] and tip[1].strip('"') == tip[0]
    assert browser.js("return window.pwned === undefined") is True
