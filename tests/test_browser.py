"""The review pages in a real browser: Debian's headless Chromium, driven by selenium.

Selenium talks to Debian's ``chromedriver`` (given by path, so nothing is downloaded). Two
pages: the static review page a run writes (``NAME.html``, flag navigation) and the review app
(``daen review``): accept, reject, undo and the keyboard, a hand edit, persistence across a
restart of the app, two tabs saving at once, a page from another origin trying to change
decisions, and article text with ``<script>`` shown as text. Everything is skipped when
chromium, chromedriver or selenium is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pipeline.editor.review.app import RunningApp, start_app
from pipeline.run.batch import run_batch
from pipeline.run.decision_store import decisions_path, final_path, load_decisions
from pipeline.settings import Settings
from pipeline.translate.translator import FakeTranslator

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

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
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    (root / "in").mkdir()
    (root / "in" / "farlig.txt").write_text(HOSTILE, encoding="utf-8")
    options = Settings.from_options(quote_style="guillemets")  # the assertions below expect »«
    run_batch(root / "in", root / "out", options, translator=FakeTranslator())
    return root / "out"


@pytest.fixture
def fresh_run(run_dir: Path, tmp_path: Path) -> Path:
    """A copy of the run, so each test starts without decisions."""
    target = tmp_path / "out"
    shutil.copytree(run_dir, target)
    return target


@needs_chromium
def test_dump_dom_shows_markup_as_text_and_runs_only_the_page_script(
    run_dir: Path, tmp_path: Path
) -> None:
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=3000", "--dump-dom", (run_dir / "farlig.html").as_uri()],
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


# -- selenium ----------------------------------------------------------------------------------


def make_driver(profile: Path) -> WebDriver:
    """Headless Chromium through Debian's chromedriver (skips the test when one is missing)."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("chromium and chromedriver are needed")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}", "--window-size=1400,1000"]:
        options.add_argument(flag)
    driver: WebDriver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(30)
    return driver


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    driver = make_driver(tmp_path / "profile")
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: WebDriver, condition: Callable[[], Any], what: str) -> Any:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # a save replaces its row: an element found just before may be gone by the time it is read
    wait = WebDriverWait(driver, 15, ignored_exceptions=[StaleElementReferenceException])
    return wait.until(lambda _: condition(), message=what)


def press(driver: WebDriver, keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(keys).perform()


def test_flag_navigation_hover_tips_and_no_injected_script(
    browser: WebDriver, run_dir: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get((run_dir / "farlig.html").as_uri())
    assert browser.title == "Review: farlig.txt"
    assert browser.execute_script("return window.pwned === undefined") is True
    original = browser.find_element(By.CSS_SELECTOR, "#s1-1 td.orig").text
    assert "<script>document.title='pwned'</script>" in original
    original = browser.find_element(By.CSS_SELECTOR, "#s1-2 td.orig").text
    assert '<img src=x onerror="window.pwned=1">' in original
    cleaned = browser.find_element(By.CSS_SELECTOR, "#s1-1 td.clean").text
    assert "<script>document.title=»pwned«</script>" in cleaned

    count = len(browser.find_elements(By.CSS_SELECTOR, ".flag-target"))
    assert count >= 3
    assert browser.find_element(By.ID, "next-flag").is_displayed()

    def current() -> tuple[str, str, str]:
        state = browser.execute_script(
            "return [document.activeElement.id, location.hash, "
            "document.getElementById('flag-pos').textContent]"
        )
        return state[0], state[1], state[2]

    press(browser, "n")
    assert current() == ("flag-1", "#flag-1", f"Flag 1 of {count}")
    press(browser, "n")
    assert current()[0] == "flag-2"
    press(browser, "p")
    assert current()[0] == "flag-1"
    press(browser, "p")  # wraps around to the last flag
    assert current()[0] == f"flag-{count}"
    browser.find_element(By.ID, "next-flag").click()
    assert current()[0] == "flag-1"
    assert len(browser.find_elements(By.CSS_SELECTOR, ".flag-target.current")) == 1

    # an edit shows its rule id and reason when focused (keyboard) or hovered
    tip = browser.execute_script(
        "const e = document.querySelector('td.clean ins.edit'); e.focus();"
        "return [e.dataset.tip, getComputedStyle(e, '::after').content]"
    )
    assert tip[0] and tip[1].strip('"') == tip[0]
    assert browser.execute_script("return window.pwned === undefined") is True


# -- the review app ------------------------------------------------------------------------------


@pytest.fixture
def app(fresh_run: Path) -> Iterator[RunningApp]:
    running = start_app(fresh_run)
    running.serve_in_thread()
    yield running
    running.close()


def open_article(
    driver: WebDriver, running: RunningApp, state: str = "not started", name: str = "farlig"
) -> None:
    from selenium.webdriver.common.by import By

    driver.get(running.url)  # the token link: the app sets its cookie and shows the index
    assert driver.current_url == running.base + "/"
    assert f"{name}.txt {state}" in driver.find_element(By.TAG_NAME, "table").text
    driver.find_element(By.LINK_TEXT, f"{name}.txt").click()
    wait_for(driver, lambda: driver.title == f"Review: {name}.txt", "the article view")


def current_item(driver: WebDriver) -> WebElement:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, ".item.current")


def item_state(driver: WebDriver, key: str) -> str:
    state: str = driver.execute_script(
        "for (const e of document.querySelectorAll('.item')) {"
        "  if (e.dataset.key === arguments[0]) { return e.dataset.state; } }"
        "return null;", key,
    )
    return state


def saved(running: RunningApp, name: str = "farlig") -> dict[str, str]:
    decisions = load_decisions(decisions_path(running.server.review.output_dir, name))
    return {key: d.action for key, d in decisions.items.items()}


def test_accept_reject_undo_dismiss_and_hand_edit_with_the_keyboard(
    browser: WebDriver, app: RunningApp
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_article(browser, app)
    # article text with markup is shown as text, and never runs
    assert browser.execute_script("return window.pwned === undefined") is True
    assert "<script>document.title='pwned'</script>" in browser.find_element(
        By.CSS_SELECTOR, "#s1-1 td.orig").text
    assert browser.find_elements(By.CSS_SELECTOR, "td script, td img") == []

    press(browser, "n")
    first = current_item(browser)
    key, kind = first.get_attribute("data-key"), first.get_attribute("data-kind")
    assert kind == "edit" and browser.switch_to.active_element == first
    cleaned_before = browser.find_element(By.CSS_SELECTOR, "#s1-1 td.clean").text

    press(browser, "r")
    wait_for(browser, lambda: item_state(browser, key) == "reject", "the reject to show")
    assert saved(app) == {key: "reject"}
    cleaned_after = browser.find_element(By.CSS_SELECTOR, "#s1-1 td.clean").text
    assert cleaned_after != cleaned_before  # the edit was undone in the cleaned text
    out = app.server.review.output_dir
    final = final_path(out, "farlig").read_text(encoding="utf-8")
    assert final != (out / "farlig.da.txt").read_text(encoding="utf-8")  # the final text too

    press(browser, "u")
    wait_for(browser, lambda: item_state(browser, key) == "", "the undo to show")
    assert saved(app) == {}
    press(browser, "a")
    wait_for(browser, lambda: item_state(browser, key) == "accept", "the accept to show")

    # on to the first flag: dismiss it with a note typed into its note field
    for _ in range(30):
        press(browser, "n")
        if current_item(browser).get_attribute("data-kind") == "flag":
            break
    flag = current_item(browser)
    flag_key = flag.get_attribute("data-key")
    flag.find_element(By.CSS_SELECTOR, "input.note").send_keys("a loanword")
    flag.find_element(By.CSS_SELECTOR, "button[data-act=dismiss]").click()
    wait_for(browser, lambda: item_state(browser, flag_key) == "dismiss", "the dismiss")
    decisions = load_decisions(decisions_path(app.server.review.output_dir, "farlig"))
    assert decisions.items[flag_key].note == "a loanword"

    # a hand edit of a sentence, saved with Ctrl+Enter
    row = browser.find_element(By.ID, "s3-1")
    row.find_element(By.CSS_SELECTOR, "button[data-act=open-edit]").click()
    area = row.find_element(By.TAG_NAME, "textarea")
    area.clear()
    area.send_keys("Mange firmaer taler om det.")
    area.send_keys(Keys.CONTROL, Keys.ENTER)
    wait_for(browser, lambda: "✎ edited by hand" in browser.find_element(By.ID, "s3-1").text,
             "the hand edit")
    final = final_path(app.server.review.output_dir, "farlig").read_text(encoding="utf-8")
    assert "Mange firmaer taler om det." in final

    browser.find_element(By.ID, "done").click()
    wait_for(browser, lambda: browser.find_element(By.ID, "review-state").text == "done",
             "the article marked done")
    press(browser, "u")
    wait_for(browser, lambda: browser.find_element(By.ID, "review-state").text == "in progress",
             "undo of done")


def test_decisions_persist_across_a_restart_of_the_app(
    browser: WebDriver, app: RunningApp
) -> None:
    open_article(browser, app)
    press(browser, "n")
    press(browser, "n")
    key = current_item(browser).get_attribute("data-key")
    press(browser, "r")
    wait_for(browser, lambda: item_state(browser, key) == "reject", "the reject")
    folder = app.server.review.output_dir
    app.close()

    restarted = start_app(folder)  # a new process would do the same: new port, new token
    restarted.serve_in_thread()
    try:
        open_article(browser, restarted, "in progress")
        assert item_state(browser, key) == "reject"
        assert "1 decided" in browser.find_element("id", "summary").text
    finally:
        restarted.close()


def test_two_tabs_saving_at_once_lose_no_decision(browser: WebDriver, app: RunningApp) -> None:
    from selenium.webdriver.common.by import By

    open_article(browser, app)
    first_tab = browser.current_window_handle
    browser.switch_to.new_window("tab")
    open_article(browser, app, "not started")
    second_tab = browser.current_window_handle

    browser.switch_to.window(first_tab)
    press(browser, "n")
    first_key = current_item(browser).get_attribute("data-key")
    press(browser, "r")
    wait_for(browser, lambda: item_state(browser, first_key) == "reject", "tab 1 saved")

    browser.switch_to.window(second_tab)  # still on version 0
    press(browser, "n")
    press(browser, "n")
    second_key = current_item(browser).get_attribute("data-key")
    press(browser, "a")
    message = wait_for(
        browser, lambda: browser.find_element(By.ID, "message").text or None, "the conflict"
    )
    assert "another tab or window" in message and "Nothing was saved" in message
    assert saved(app) == {first_key: "reject"}  # tab 1's decision is kept

    browser.find_element(By.ID, "reload").click()  # the message's way out
    wait_for(browser, lambda: item_state(browser, first_key) == "reject", "the reload")
    press(browser, "n")
    press(browser, "n")
    assert current_item(browser).get_attribute("data-key") == second_key
    press(browser, "a")
    wait_for(browser, lambda: item_state(browser, second_key) == "accept", "tab 2 saved")
    assert saved(app) == {first_key: "reject", second_key: "accept"}


class _Evil(BaseHTTPRequestHandler):
    page = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_page_from_another_origin_cannot_change_decisions(
    browser: WebDriver, app: RunningApp
) -> None:
    open_article(browser, app)  # the editor's browser has the app's cookie
    token_guess = "x"
    target = app.base + "/api/decide"
    body = json.dumps({"article": "farlig", "base": 0, "item": "any", "action": "reject"})
    _Evil.page = f"""<!DOCTYPE html><title>evil</title><body><script>
    var tries = [
      fetch({json.dumps(target)}, {{method: "POST", mode: "no-cors", credentials: "include",
        headers: {{"Content-Type": "text/plain"}}, body: {json.dumps(body)}}}),
      fetch({json.dumps(target)}, {{method: "POST", credentials: "include",
        headers: {{"Content-Type": "application/json", "X-Daen-Token": "{token_guess}"}},
        body: {json.dumps(body)}}})
    ];
    Promise.allSettled(tries).then(function (r) {{
      document.title = "done " + r.map(function (x) {{ return x.status; }}).join(",");
    }});
    </script></body>""".encode()
    evil = ThreadingHTTPServer(("127.0.0.1", 0), _Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        refused = app.refused
        browser.get(f"http://localhost:{evil.server_address[1]}/")
        title = wait_for(browser, lambda: browser.title.startswith("done") and browser.title,
                         "the other origin's requests")
        assert title == "done rejected,rejected"  # neither got an answer it could read
        # both reached the server, which refused them: the plain POST, and the CORS preflight
        # (OPTIONS) of the one with the token header
        assert app.refused >= refused + 2
        assert not decisions_path(app.server.review.output_dir, "farlig").exists()
    finally:
        evil.shutdown()
        evil.server_close()
