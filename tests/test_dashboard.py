"""The dashboard end to end in real headless Chromium against the real server and pipeline.

Needs Debian's ``chromium`` at /usr/bin/chromium (Playwright drives it; no browser download).
Set ``FLASHPOINT_SCREENSHOT=docs/dashboard.png`` to refresh the README screenshot.
"""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flashpoint.api import create_app
from flashpoint.api.server import background
from flashpoint.store import open_store
from flashpoint.types import Extraction

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Hostile markup in every text field a reader sees: title, body, link. Run through the real
# pipeline, so it reaches the page exactly as stored news text would.
HOSTILE_TITLE = 'Militants attack checkpoint near Mosul <img src=x onerror="window.__xss=1">'
HOSTILE = (
    f"{HOSTILE_TITLE}\n\n"
    "MOSUL, Iraq (Example News) - Gunmen from the Islamic State <script>window.__xss=2</script> "
    "attacked an army checkpoint south of Mosul on Sunday, killing four soldiers, Iraqi security "
    "officials said.\n\n"
    'The attack <b onmouseover="window.__xss=3">was the deadliest</b> in the province this month, '
    "officials said.\n"
)
HOSTILE_URL = "javascript:window.__xss=4//example.org/mosul"


def _api(base: str, path: str, **params: Any) -> Any:
    query = "?" + urllib.parse.urlencode(params) if params else ""
    with urllib.request.urlopen(base + path + query, timeout=30) as resp:
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, example_extraction: Extraction) -> Iterator[str]:
    path = tmp_path_factory.mktemp("dashboard") / "events.db"
    with open_store(path) as store:
        store.add([example_extraction])
    with background(create_app(path)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chrome
        chrome.close()


class Page:
    """A page that records console errors, page errors, failed and off-site requests."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.page = browser.new_page(viewport={"width": 1400, "height": 850})
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("request", self._request)
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def _console(self, msg: Any) -> None:
        if msg.type in ("error", "warning"):
            self.problems.append(f"console {msg.type}: {msg.text}")

    def _request(self, request: Any) -> None:
        if not request.url.startswith((self.base, "data:")):
            self.problems.append(f"off-site request: {request.url}")

    def open(self, fragment: str = "") -> Any:
        self.page.goto(self.base + "/" + fragment)
        self.page.wait_for_selector("body[data-ready]:not([data-loading])")
        return self.page

    def wait_count(self, total: int) -> None:
        self.page.wait_for_selector(f'#count[data-total="{total}"]')
        self.page.wait_for_selector("body:not([data-loading])")

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def page(browser: Any, base: str) -> Iterator[Page]:
    p = Page(browser, base)
    yield p
    p.close()


# Events on the map: single markers plus the counts inside cluster icons. Cluster animations
# briefly show old and new icons together, so tests wait for the sum rather than read it once.
ON_MAP = """() => document.querySelectorAll('.fp-marker').length
    + Array.from(document.querySelectorAll('.marker-cluster span'))
        .reduce((n, s) => n + Number(s.textContent), 0)"""


def test_page_loads_with_no_console_errors(page: Page, base: str) -> None:
    p = page.open()
    stats = _api(base, "/api/stats")
    assert p.locator("#count").get_attribute("data-total") == str(stats["events"])
    assert p.locator("#f-type option").count() == len(stats["by_type"]) + 1
    assert p.locator("#event-list li").count() == stats["events"]
    p.wait_for_timeout(300)  # let late resource errors surface
    assert page.problems == []


def test_markers_appear_for_the_examples_events(page: Page, base: str) -> None:
    p = page.open()
    points = _api(base, "/api/points")
    assert points["located"] > 0
    assert p.locator("#count").get_attribute("data-located") == str(points["located"])
    p.wait_for_function(f"n => ({ON_MAP})() === n", arg=points["located"])
    p.wait_for_timeout(300)
    assert p.evaluate(ON_MAP) == points["located"]
    colours = p.eval_on_selector_all(
        ".fp-marker", "els => els.map(e => getComputedStyle(e).backgroundColor)"
    )
    assert colours and all(c not in ("", "rgba(0, 0, 0, 0)") for c in colours)
    assert page.problems == []


def _click_some_marker(p: Any) -> str:
    """Click a single marker, opening clusters until one shows; return its event id."""
    for _ in range(12):
        single = p.locator(".fp-marker").first
        if single.count():
            event_id = str(single.get_attribute("data-event-id"))
            single.click()
            return event_id
        p.locator(".marker-cluster").first.click()
        p.wait_for_timeout(450)  # zoom or spiderfy animation
    raise AssertionError("no single marker after opening clusters")


def test_clicking_a_marker_shows_its_evidence(page: Page, base: str) -> None:
    p = page.open()
    event_id = _click_some_marker(p)
    p.wait_for_selector(f'#panel[data-event-id="{event_id}"] .evidence-sentence')
    detail = _api(base, f"/api/events/{event_id}")
    shown = p.locator("#panel .evidence-sentence").all_inner_texts()
    expected = [e["sentence"] for m in detail["mentions"] for e in m["evidence"]]
    assert [s.strip() for s in shown] == [s.strip() for s in expected]
    marks = [
        e["sentence"][m["start"] : m["end"]]
        for mention in detail["mentions"]
        for e in mention["evidence"]
        for m in e["marks"]
    ]
    shown_marks = p.locator("#panel .evidence-sentence mark").all_inner_texts()
    assert sorted(shown_marks) == sorted(marks)
    assert page.problems == []


def test_evidence_highlights_the_airstrike_spans(page: Page, base: str) -> None:
    events = _api(base, "/api/events", mode="airstrike")["events"]
    strike = events[0]
    p = page.open(f"#event={strike['id']}")
    p.wait_for_selector(f'#panel[data-event-id="{strike["id"]}"] .evidence-sentence')
    panel = p.locator("#panel")
    assert "US" in panel.locator("mark.k-actor.r-source").all_inner_texts()
    targets = " ".join(panel.locator("mark.k-actor.r-target").all_inner_texts())
    assert "Kataib Hezbollah" in targets
    assert "Tuesday" in panel.locator("mark.k-date").all_inner_texts()
    assert panel.locator("mark.k-trigger").count() >= 1
    assert (
        panel.locator(".mention .source").first.inner_text().startswith(strike["article"]["title"])
    )
    if os.environ.get("FLASHPOINT_SCREENSHOT"):
        p.wait_for_timeout(500)
        p.screenshot(path=os.environ["FLASHPOINT_SCREENSHOT"])
    assert page.problems == []


def test_date_filter_changes_the_count(page: Page, base: str) -> None:
    p = page.open()
    total = _api(base, "/api/stats")["events"]
    days = [d["date"] for d in _api(base, "/api/timeline")["days"]]
    assert len(days) >= 2, "the example should have events on more than one day"
    since = days[-1]
    expected = _api(base, "/api/events", since=since, limit=1)["total"]
    assert 0 < expected < total
    p.fill("#f-since", since)
    p.click("#apply")
    page.wait_count(expected)
    assert p.locator("#event-list li").count() == expected
    assert f"since={since}" in p.url
    # Brushing the timeline sets the range too: drag across its left half.
    box = p.locator("#timeline").bounding_box()
    p.click("#clear-dates")
    page.wait_count(total)
    p.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
    p.mouse.down()
    p.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2, steps=5)
    p.mouse.up()
    p.wait_for_function("document.querySelector('#f-until').value !== ''")
    chosen = {k: p.input_value(f"#f-{k}") for k in ("since", "until")}
    brushed = _api(base, "/api/events", limit=1, **chosen)["total"]
    page.wait_count(brushed)
    assert brushed < total and chosen["since"] <= days[0] <= chosen["until"]
    assert page.problems == []


def test_api_docs_render_offline(page: Page, base: str) -> None:
    p = page.page
    p.goto(base + "/docs")
    p.wait_for_selector(".opblock")
    paths = _api(base, "/openapi.json")["paths"]
    assert p.locator(".opblock").count() == sum(len(ops) for ops in paths.values())
    assert page.problems == []


def test_script_in_an_article_never_runs(
    browser: Any, tmp_path: Path, example_extraction: Extraction, pipeline: Any
) -> None:
    hostile: Extraction = pipeline.extract_text(
        HOSTILE, published="2024-02-12", title=HOSTILE_TITLE, url=HOSTILE_URL
    )
    assert hostile.events and any(
        "<script>" in v.sentence for e in hostile.events for v in e.evidence
    )
    path = tmp_path / "events.db"
    with open_store(path) as store:
        store.add([example_extraction, hostile])
    with background(create_app(path)) as url:
        page = Page(browser, url)
        try:
            p = page.open()
            target = next(
                e for e in hostile.events if any("<script>" in v.sentence for v in e.evidence)
            )
            p.click(f'#event-list button[data-event-id="{target.id}"]')
            p.wait_for_selector(f'#panel[data-event-id="{target.id}"] .evidence-sentence')
            p.click("#panel .mention button.link")  # show the whole article text
            p.wait_for_selector("#panel .article-text")
            p.hover("#panel .article-text")
            panel_text = p.locator("#panel").inner_text()
            assert "<script>window.__xss=2</script>" in panel_text  # shown as text
            assert '<img src=x onerror="window.__xss=1">' in panel_text
            assert p.locator("#panel script, #panel img, #panel b, #event-list img").count() == 0
            assert p.locator("#panel a").count() == 0  # the javascript: URL is not a link
            p.wait_for_timeout(200)
            assert p.evaluate("typeof window.__xss") == "undefined"
            assert page.problems == []
        finally:
            page.close()
