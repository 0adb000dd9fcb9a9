"""Benchmark: the review app (``daen review``) on an article of N sentences (default 200).

Builds a run with the fake translator from the sample articles (their paragraphs repeated until
the article has N sentences), then, in the same session:

1. **start-up**: ``python -m pipeline review OUT --no-browser`` as a subprocess; the time from
   starting it until the article page has been served (the link printed, the cookie set, the
   page fetched), against the baseline ``python -m pipeline --version`` (interpreter and CLI
   imports);
2. **save round trip**: POST a decision (reject an edit) and its undo, each answered with the
   re-rendered row; median over the repetitions, against a plain GET of the article page;
3. **memory**: the app's RSS (``VmRSS`` and ``VmHWM`` from ``/proc``) after the saves;
4. with ``--browser`` (or ``--screenshots``): the time from starting ``daen review`` until the
   article is usable in an already open headless Chromium (loaded, its script ran);
5. with ``--screenshots``: headless Chromium (selenium) saves ``docs/review-article.png`` (a few
   decisions made with the keyboard) and ``docs/rules-stats.png`` (``daen rules stats`` output
   rendered as a terminal).

    python bench/review_app.py [--sentences 200] [--repeat 20] [--browser] [--screenshots]

The last line is one JSON object with every number.
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "out" / "review_app"


def build_run(sentences: int) -> Path:
    from pipeline.run.batch import run_batch
    from pipeline.settings import Settings
    from pipeline.translate.translator import FakeTranslator

    paragraphs = []
    for path in sorted((ROOT / "data" / "articles").glob("*.txt")):
        paragraphs += [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    text, count = [], 0
    while count < sentences:
        paragraph = paragraphs[len(text) % len(paragraphs)]
        text.append(paragraph)
        count += len(re.findall(r"[.!?](?:\s|$)", paragraph)) or 1
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "in").mkdir(parents=True)
    (WORK / "in" / "lang.txt").write_text("\n\n".join(text) + "\n", encoding="utf-8")
    run_batch(WORK / "in", WORK / "out", Settings.from_options(), translator=FakeTranslator())
    return WORK / "out"


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}


def start_app(out: Path) -> tuple[subprocess.Popen[str], str, float]:
    """Start ``daen review``; its process, link, and the seconds until the article page came."""
    t0 = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "review", str(out), "--no-browser"],
        stderr=subprocess.PIPE, text=True, env=child_env(), cwd=ROOT,
    )
    assert process.stderr is not None
    url = ""
    while not url:
        line = process.stderr.readline()
        if not line:
            raise SystemExit("daen review stopped before printing its link")
        if match := re.search(r"(http://\S+)", line):
            url = match[1]
    cookie = get(url, "")[1].get("Set-Cookie", "").split(";")[0]
    status, _, body = get(url.split("?")[0] + "article/lang", cookie)
    assert status == 200 and b"data-version" in body
    return process, url, time.perf_counter() - t0


def get(url: str, cookie: str) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=30)
    connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                       headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    result = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return result


def post(base: str, cookie: str, token: str, path: str, body: dict[str, object]) -> dict:
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=30)
    connection.request("POST", path, body=json.dumps(body), headers={
        "Cookie": cookie, "X-Daen-Token": token, "Content-Type": "application/json",
        "Origin": base,
    })
    response = connection.getresponse()
    data = json.loads(response.read())
    connection.close()
    assert response.status == 200, data
    return data


def rss_kib(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {k: int(number(rf"{k}:\s+(\d+)", status)) for k in ("VmRSS", "VmHWM")}


def number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match is not None, pattern
    return int(match[1])


def measure(out: Path, repeat: int) -> dict[str, float]:
    baseline = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline", "--version"], check=True,
                       capture_output=True, env=child_env(), cwd=ROOT)
        baseline.append(time.perf_counter() - t0)
    process, url, startup = start_app(out)
    try:
        base = url.split("/?")[0]
        token = url.split("token=")[1]
        cookie = get(url, "")[1]["Set-Cookie"].split(";")[0]
        gets = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            _, _, page = get(base + "/article/lang", cookie)
            gets.append(time.perf_counter() - t0)
        keys = re.findall(r'data-kind="edit" data-key="([^"]+)"', page.decode())
        version = number(r'data-version="(\d+)"', page.decode())
        saves = []
        for index in range(repeat):
            t0 = time.perf_counter()
            data = post(base, cookie, token, "/api/decide", {
                "article": "lang", "base": version, "item": keys[index % len(keys)],
                "action": "reject",
            })
            saves.append(time.perf_counter() - t0)
            version = data["version"]
            t0 = time.perf_counter()
            version = post(base, cookie, token, "/api/undo",
                           {"article": "lang", "base": version})["version"]
            saves.append(time.perf_counter() - t0)
        memory = rss_kib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
    sentences = page.decode().count('<tr id="s')
    return {
        "sentences": sentences,
        "edits": len(keys),
        "startup_to_article_page_s": round(startup, 3),
        "baseline_cli_version_s": round(statistics.median(baseline), 3),
        "startup_ratio_to_baseline": round(startup / statistics.median(baseline), 2),
        "article_get_ms": round(1000 * statistics.median(gets), 1),
        "save_round_trip_ms": round(1000 * statistics.median(saves), 1),
        "save_p90_ms": round(1000 * sorted(saves)[int(0.9 * len(saves))], 1),
        "save_ratio_to_get": round(statistics.median(saves) / statistics.median(gets), 2),
        "rss_mib": round(memory["VmRSS"] / 1024, 1),
        "peak_rss_mib": round(memory["VmHWM"] / 1024, 1),
    }


def chromium(profile: Path) -> object:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,900",
                 "--hide-scrollbars", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(
        service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options
    )


def browser_startup(out: Path) -> float:
    """Seconds from starting ``daen review`` until the 200-sentence article is usable in an
    already open headless Chromium (page loaded, its script ran)."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver: Any = chromium(WORK / "profile")
    try:
        t0 = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "review", str(out), "--no-browser"],
            stderr=subprocess.PIPE, text=True, env=child_env(), cwd=ROOT,
        )
        assert process.stderr is not None
        url = ""
        while not url:
            match = re.search(r"(http://\S+)", process.stderr.readline())
            url = match[1] if match else ""
        driver.get(url)
        driver.get(url.split("/?")[0] + "/article/lang")
        WebDriverWait(driver, 30).until(
            lambda d: "item(s)" in d.find_element("id", "item-pos").text
        )
        seconds = time.perf_counter() - t0
        process.terminate()
        process.wait(timeout=10)
        return seconds
    finally:
        driver.quit()


def screenshots() -> None:
    """docs/review-article.png and docs/rules-stats.png, with headless Chromium."""
    sys.path.insert(0, str(ROOT))
    from selenium.webdriver.common.action_chains import ActionChains

    from pipeline.editor.review.app import start_app as start_in_process
    from pipeline.run.batch import run_batch
    from pipeline.run.rulestats import rule_stats, stats_table
    from pipeline.settings import Settings
    from pipeline.translate.translator import FakeTranslator

    folder = WORK / "shots"
    shutil.rmtree(folder, ignore_errors=True)
    run_batch(
        ROOT / "data" / "articles", folder, Settings.from_options(), translator=FakeTranslator()
    )
    running = start_in_process(folder)
    running.serve_in_thread()
    driver: Any = chromium(folder / "profile")
    try:
        driver.get(running.url)
        # a few decisions with the keyboard in two articles (a demonstration, not a review)
        demo = (("omnikanal-kundeservice", "nanrnanandnd"), ("kundefokus", "nrnanan"))
        for name, presses in demo:
            driver.get(f"{running.base}/article/{name}")
            keys = ActionChains(driver)
            for key in presses:
                keys.send_keys(key).pause(0.3)
            keys.perform()
            time.sleep(0.5)
        driver.execute_script("window.scrollTo(0, 0)")
        (ROOT / "docs").mkdir(exist_ok=True)
        driver.save_screenshot(str(ROOT / "docs" / "review-article.png"))
        stats_text = "$ daen rules stats out/\n" + stats_table(rule_stats([folder]))
        page = (
            "<!DOCTYPE html><meta charset=utf-8><body style='margin:0;background:#1e1e1e'>"
            "<pre style='color:#ddd;font:14px/1.4 monospace;padding:16px;margin:0'>"
            f"{html.escape(stats_text)}</pre>"
        )
        shot = folder / "stats.html"
        shot.write_text(page, encoding="utf-8")
        driver.set_window_size(900, 260 + 20 * stats_text.count("\n"))
        driver.get(shot.as_uri())
        driver.save_screenshot(str(ROOT / "docs" / "rules-stats.png"))
        (ROOT / "docs" / "rules-stats.txt").write_text(stats_text, encoding="utf-8")
    finally:
        driver.quit()
        running.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--browser", action="store_true",
                        help="also time the page in headless Chromium (selenium)")
    parser.add_argument("--screenshots", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    out = build_run(args.sentences)
    result = measure(out, args.repeat)
    if args.browser or args.screenshots:
        result["browser_startup_to_usable_page_s"] = round(browser_startup(out), 3)
    for key, value in result.items():
        print(f"{key:<28} {value}")
    if args.screenshots:
        screenshots()
        print("screenshots: docs/review-article.png, docs/rules-stats.png")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
