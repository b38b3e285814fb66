"""``flashpoint watch`` against feeds and article pages served on 127.0.0.1 by the test itself,
with the real pipeline and a real SQLite store."""

from __future__ import annotations

import html
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flashpoint.cli import app
from flashpoint.errors import FlashpointError
from flashpoint.store import EventFilter, Store, open_store
from flashpoint.watch import (
    Alert,
    AlertRule,
    Watcher,
    WatchState,
    parse_interval,
    read_feed_list,
    webhook,
)

from .conftest import EXAMPLE, need

# Written for these tests: two short reports in the style of wire copy.
SOMALIA = (
    "Al-Shabaab fighters attacked a military base in Somalia's Lower Shabelle region on "
    "Tuesday, killing five soldiers, a Somali army officer said.",
    "The militants stormed the base near the town of Afgoye before dawn and were pushed back "
    "after several hours of fighting, the officer told reporters.",
)
SUDAN = (
    "The Rapid Support Forces shelled residential areas of El Fasher in Sudan's North Darfur "
    "state on Monday, killing at least 12 civilians, local activists said.",
    "The paramilitary group has besieged the city for months.",
)


@dataclass
class Site:
    """What the local server answers: path → (status, content type, body, etag)."""

    routes: dict[str, tuple[int, str, bytes, str | None]] = field(default_factory=dict)
    log: list[tuple[str, str, int]] = field(default_factory=list)  # method, path, status
    posts: dict[str, list[Any]] = field(default_factory=dict)
    down: set[str] = field(default_factory=set)  # webhook paths answering 503 for now
    base: str = ""

    def hits(self, path: str, status: int | None = None) -> int:
        return sum(1 for _, p, s in self.log if p == path and (status is None or s == status))


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _answer(self, status: int, ctype: str, body: bytes, etag: str | None) -> None:
            site.log.append((self.command, self.path, status))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            status, ctype, body, etag = site.routes.get(
                self.path, (404, "text/plain", b"not found", None)
            )
            if etag and self.headers.get("If-None-Match") == etag:
                self._answer(304, ctype, b"", etag)
                return
            self._answer(status, ctype, body, etag)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length))
            site.posts.setdefault(self.path, []).append(payload)
            status = 204
            if self.path.endswith("-down") or self.path in site.down:
                status = 503
            elif self.path.endswith("-refuses"):
                status = 400
            self._answer(status, "text/plain", b"", None)

    return Handler


def _page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>{html.escape(title)}</h1>{body}"
        "</article><footer>Contact us</footer></body></html>"
    ).encode()


def _rss(site: Site, items: list[dict[str, str]]) -> bytes:
    entries = []
    for item in items:
        content = item.get("content")
        encoded = f"<content:encoded>{html.escape(content)}</content:encoded>" if content else ""
        entries.append(
            f"<item><title>{html.escape(item['title'])}</title>"
            f"<link>{site.base}{item['path']}</link><guid>{site.base}{item['path']}</guid>"
            f"<pubDate>{item['date']}</pubDate>"
            f"<description>{html.escape(item.get('summary', ''))}</description>{encoded}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Test Wire</title><link>{site.base}/</link><description>test</description>"
        + "".join(entries)
        + "</channel></rss>"
    ).encode()


def _date(day: int, month: int = 1) -> str:
    import datetime as dt

    return format_datetime(dt.datetime(2024, month, day, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def site() -> Iterator[Site]:
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    example = need(EXAMPLE).read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in example.split("\n\n") if len(p.strip()) > 60]
    site.routes["/news/us-strikes-iraq"] = (
        200,
        "text/html; charset=utf-8",
        _page("US strikes facilities used by Iranian-backed groups in Iraq", paragraphs),
        None,
    )
    site.routes["/news/somalia-base"] = (
        200,
        "text/html; charset=utf-8",
        _page("Al-Shabaab attacks army base in Lower Shabelle", list(SOMALIA)),
        None,
    )
    site.routes["/broken.xml"] = (500, "text/plain", b"internal error", None)
    site.routes["/not-a-feed"] = (200, "text/html", b"<html><body><p>Hello</p></body></html>", None)
    publish_feed(site, [FIRST_ITEMS[0], FIRST_ITEMS[1]], etag='"v1"')
    yield site
    server.shutdown()
    server.server_close()


FIRST_ITEMS = [
    {
        "title": "US strikes facilities used by Iranian-backed groups in Iraq",
        "path": "/news/us-strikes-iraq",
        "date": _date(24),
    },
    {
        "title": "Al-Shabaab attacks army base in Lower Shabelle",
        "path": "/news/somalia-base",
        "date": _date(17, 4),
    },
]
LATE_ITEM = {
    "title": "RSF shelling kills civilians in El Fasher",
    "path": "/news/el-fasher",
    "date": _date(6, 5),
    "summary": SUDAN[0],
    "content": "".join(f"<p>{p}</p>" for p in SUDAN),
}


def publish_feed(site: Site, items: list[dict[str, str]], etag: str) -> None:
    site.routes["/feed.xml"] = (200, "application/rss+xml", _rss(site, items), etag)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "events.db") as s:
        yield s


def test_poll_ingests_each_entry_once_and_survives_feed_errors(
    site: Site, store: Store, pipeline: Any, tmp_path: Path
) -> None:
    alerts: list[Alert] = []
    feeds = [
        f"{site.base}/feed.xml",
        f"{site.base}/broken.xml",
        f"{site.base}/not-a-feed",
        closed_port_url(),
    ]
    state_file = tmp_path / "watch.json"
    watcher = Watcher(
        feeds,
        store,
        pipeline,
        rules=[AlertRule.parse("country=IRQ type=ASSAULT")],
        notify=[alerts.append],
        state=WatchState(state_file),
        allow_private=True,
        retries=2,
    )
    first = watcher.poll()
    assert len(first.feeds_failed) == 3 and all("E073" in m for m in first.feeds_failed)
    assert first.entries_new == 2 and first.articles_stored == 2, first
    assert store.stats()["articles"] == 2
    assert site.hits("/news/us-strikes-iraq") == 1 and site.hits("/news/somalia-base") == 1
    expected = store.query_events(EventFilter(country="IRQ", type="ASSAULT", limit=None))
    assert expected and sorted(a.event["id"] for a in alerts) == sorted(e["id"] for e in expected)
    assert all(a.rules == ["country=IRQ type=ASSAULT"] for a in alerts)
    # what watch stores it also clusters, as ingest does: every event is in a cluster
    everything = store.query_events(EventFilter(limit=None))
    clustered = {c["id"] for c in store.query_clusters(EventFilter(limit=None))}
    assert clustered and {e["cluster_id"] for e in everything} == clustered
    assert all(store.get_cluster(e["id"]) is not None for e in everything)

    second = watcher.poll()  # unchanged feed: a 304, nothing fetched, nothing stored
    assert second.entries_new == 0 and second.articles_stored == 0 and not second.alerts
    assert site.hits("/feed.xml", 304) == 1
    assert site.hits("/news/us-strikes-iraq") == 1 and site.hits("/news/somalia-base") == 1

    # A new entry whose page is gone: retried, then taken from the feed's own text.
    publish_feed(site, [LATE_ITEM, *FIRST_ITEMS], etag='"v2"')
    third = watcher.poll()
    assert third.entries_new == 1 and third.retrying == 1 and third.articles_stored == 0
    fourth = watcher.poll()
    assert fourth.entries_new == 1 and fourth.articles_stored == 1 and fourth.retrying == 0
    assert site.hits("/news/el-fasher") == 2
    sudan = store.query_events(EventFilter(text="El Fasher", limit=None))
    assert sudan and sudan[0]["article"]["url"] == f"{site.base}/news/el-fasher"
    assert not fourth.alerts  # Sudan matches no Iraq rule

    # A new watcher reading the saved state starts where this one stopped.
    fresh = Watcher(feeds[:1], store, pipeline, state=WatchState(state_file), allow_private=True)
    publish_feed(site, [LATE_ITEM, *FIRST_ITEMS], etag='"v3"')
    again = fresh.poll()
    assert again.entries_new == 0 and store.stats()["articles"] == 3
    assert json.loads(state_file.read_text())["feeds"][feeds[0]]["etag"] == '"v3"'


def test_webhook_gets_every_new_event_and_a_dead_hook_stops_nothing(
    site: Site, store: Store, pipeline: Any, tmp_path: Path
) -> None:
    naps: list[float] = []
    state_file = tmp_path / "watch.json"
    watcher = Watcher(
        [f"{site.base}/feed.xml"],
        store,
        pipeline,
        notify=[
            webhook(f"{site.base}/hook"),
            webhook(f"{site.base}/hook-down", backoff=0.25, sleep=naps.append),
            webhook(f"{site.base}/hook-refuses", sleep=naps.append),
        ],
        state=WatchState(state_file),
        allow_private=True,
    )
    report = watcher.poll()
    stored = store.query_events(EventFilter(limit=None))
    assert stored and report.articles_stored == 2 and len(report.alerts) == len(stored)
    posted = site.posts["/hook"]
    assert sorted(p["event"]["id"] for p in posted) == sorted(e["id"] for e in stored)
    assert all(p["rules"] == ["*"] and p["event"]["article"]["url"] for p in posted)
    # down (503): the first alert tried three times with backoff, the rest wait untried
    assert len(site.posts["/hook-down"]) == 3 and naps == [0.25, 0.5]
    # refused (400): each alert tried once, not kept (no retry mends a refusal)
    assert len(site.posts["/hook-refuses"]) == len(stored)
    assert report.queued == len(stored) and report.notify_failed == 2 * len(stored)
    assert not report.ok
    kept = json.loads(state_file.read_text())["outbox"]
    assert list(kept) == [f"{site.base}/hook-down"]
    order = [p["event"]["id"] for p in posted]
    assert [a["event"]["id"] for a in kept[f"{site.base}/hook-down"]] == order


def test_alerts_kept_for_a_hook_that_was_down_go_out_next_time(
    site: Site, store: Store, pipeline: Any, tmp_path: Path
) -> None:
    state_file = tmp_path / "watch.json"
    site.down.add("/hook")

    def watcher() -> Watcher:  # a new one each time: the next run of `watch --once`
        hook = webhook(f"{site.base}/hook", backoff=0.01)
        return Watcher([f"{site.base}/feed.xml"], store, pipeline, notify=[hook],
                       state=WatchState(state_file), allow_private=True)

    first = watcher().poll()
    assert first.alerts and first.queued == len(first.alerts) and not first.ok
    expected = [a.event["id"] for a in first.alerts]
    assert "waiting for delivery" in first.summary()
    still_down = watcher().poll()  # nothing new, the hook still down: still kept
    assert still_down.queued == len(expected) and still_down.delivered_late == 0
    site.down.clear()
    site.posts.clear()
    back = watcher().poll()
    assert [p["event"]["id"] for p in site.posts["/hook"]] == expected  # in order, once each
    assert back.delivered_late == len(expected) and back.queued == 0 and back.ok
    assert json.loads(state_file.read_text())["outbox"] == {}
    assert watcher().poll().delivered_late == 0 and len(site.posts["/hook"]) == len(expected)


def test_atom_feed_text_is_used_without_fetching_pages(
    site: Site, store: Store, pipeline: Any
) -> None:
    body = "".join(f"<p>{p}</p>" for p in SOMALIA)
    site.routes["/atom.xml"] = (
        200,
        "application/atom+xml",
        (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>Atom Wire</title><id>urn:test:wire</id><updated>2024-04-17T09:00:00Z</updated>"
            "<entry><title>Al-Shabaab attacks army base in Lower Shabelle</title>"
            f'<link href="{site.base}/news/somalia-base"/><id>urn:test:somalia</id>'
            "<updated>2024-04-17T09:00:00Z</updated>"
            f'<content type="html">{html.escape(body)}</content></entry></feed>'
        ).encode(),
        None,
    )
    watcher = Watcher(
        [f"{site.base}/atom.xml"], store, pipeline, fetch_pages=False, allow_private=True
    )
    report = watcher.poll()
    assert report.articles_stored == 1 and site.hits("/news/somalia-base") == 0
    events = store.query_events()
    assert events and len({e["article"]["id"] for e in events}) == 1
    article = store.get_article(events[0]["article"]["id"])
    assert article is not None and article["published"] == "2024-04-17"
    assert article["url"] == f"{site.base}/news/somalia-base" and "Afgoye" in article["text"]
    assert watcher.poll().entries_new == 0


def test_private_addresses_are_refused_unless_allowed(
    site: Site, store: Store, pipeline: Any
) -> None:
    report = Watcher([f"{site.base}/feed.xml"], store, pipeline).poll()
    assert report.feeds_failed and "E009" in report.feeds_failed[0]
    assert store.stats()["articles"] == 0 and site.hits("/feed.xml") == 0


def test_run_loop_polls_and_waits(site: Site, store: Store, pipeline: Any) -> None:
    waits: list[float] = []
    reports: list[Any] = []
    watcher = Watcher([f"{site.base}/feed.xml"], store, pipeline, allow_private=True)
    watcher.run(30.0, max_polls=3, on_poll=reports.append, sleep=waits.append)
    assert [r.articles_stored for r in reports] == [2, 0, 0]
    assert len(waits) == 2 and all(0 < w <= 30 for w in waits)


def test_cli_watch_once_prints_matching_events(site: Site, tmp_path: Path) -> None:
    feeds = tmp_path / "FEEDS.txt"
    feeds.write_text(f"# test wire\n{site.base}/feed.xml\n\n{site.base}/broken.xml\n")
    db = tmp_path / "events.db"
    args = [
        "watch",
        str(feeds),
        "--db",
        str(db),
        "--once",
        "--allow-private",
        "--json",
        "--alert",
        "country=IRQ type=ASSAULT",
        "--webhook",
        f"{site.base}/hook",
    ]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    lines = [json.loads(line) for line in first.stdout.splitlines() if line.strip()]
    assert lines and all(
        e["event"]["type"] == "ASSAULT" and e["event"]["location"]["country"] == "IRQ"
        for e in lines
    )
    assert len(site.posts["/hook"]) == len(lines)
    assert (tmp_path / "events.db.watch.json").exists()
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and again.stdout.strip() == ""
    with open_store(db) as s:
        assert s.stats()["articles"] == 2


def test_cli_watch_once_fails_when_alerts_are_not_delivered_or_every_feed_fails(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPOINT_CODER", "0")
    feeds = tmp_path / "FEEDS.txt"
    feeds.write_text(f"{site.base}/feed.xml\n{site.base}/broken.xml\n")
    db = tmp_path / "events.db"
    base = ["watch", str(feeds), "--db", str(db), "--once", "--allow-private", "--quiet"]
    site.down.add("/hook")
    down = CliRunner().invoke(app, [*base, "--webhook", f"{site.base}/hook"])
    assert down.exit_code == 1, down.output
    waiting = json.loads((tmp_path / "events.db.watch.json").read_text())["outbox"]
    assert len(waiting[f"{site.base}/hook"]) > 0
    site.down.clear()
    back = CliRunner().invoke(app, [*base, "--webhook", f"{site.base}/hook"])
    assert back.exit_code == 0, back.output  # one feed of two failing is not a failed run
    assert len(site.posts["/hook"]) == 3 + len(waiting[f"{site.base}/hook"])  # 3 tries, then
    broken = tmp_path / "BROKEN.txt"
    broken.write_text(f"{site.base}/broken.xml\n{closed_port_url()}\n")
    none = CliRunner().invoke(app, ["watch", str(broken), "--db", str(db), "--once"])
    assert none.exit_code == 1, none.output


def test_cli_rejects_bad_options(tmp_path: Path) -> None:
    feeds = tmp_path / "FEEDS.txt"
    feeds.write_text("https://example.org/feed.xml\n")
    for extra in (["--every", "soon"], ["--alert", "country=Iraq"], ["--webhook", "ftp://x"]):
        result = CliRunner().invoke(
            app, ["watch", str(feeds), "--db", str(tmp_path / "x.db"), *extra]
        )
        assert result.exit_code != 0
        assert isinstance(result.exception, FlashpointError | SystemExit), result.exception


@pytest.mark.parametrize(
    ("text", "seconds"), [("900", 900), ("15m", 900), ("1h30m", 5400), ("45s", 45), ("1.5h", 5400)]
)
def test_parse_interval(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "-5", "soon", "15x", "m15", "15m 2", "0.5s", "inf"])
def test_parse_interval_rejects(text: str) -> None:
    with pytest.raises(FlashpointError, match="E075"):
        parse_interval(text)


def test_alert_rules() -> None:
    rule = AlertRule.parse("country=irq type=ASSAULT actor='Islamic State'")
    assert rule.params == {"country": "irq", "type": "ASSAULT", "actor": "Islamic State"}
    flt = rule.filter_for("abc")
    assert (flt.country, flt.article_id, flt.actor, flt.limit) == (
        "IRQ",
        "abc",
        "Islamic State",
        None,
    )
    for bad in (
        "",
        "country",
        "country=Iraq",
        "colour=red",
        "type=X",
        "type=ASSAULT type=AID",
        "article_id=abc",
        "text='unclosed",
    ):
        with pytest.raises(FlashpointError, match="E074"):
            AlertRule.parse(bad)


def test_feed_list(tmp_path: Path) -> None:
    path = tmp_path / "feeds.txt"
    path.write_text(
        "# wires\nhttps://a.example/rss\n\n  https://b.example/atom#x  \nhttps://a.example/rss\n"
    )
    assert read_feed_list(path) == ["https://a.example/rss", "https://b.example/atom#x"]
    path.write_text("# nothing here\n\n")
    with pytest.raises(FlashpointError, match="E077"):
        read_feed_list(path)
    path.write_text("file:///etc/passwd\n")
    with pytest.raises(FlashpointError, match="E010"):
        read_feed_list(path)
    with pytest.raises(FlashpointError, match="E001"):
        read_feed_list(tmp_path / "missing.txt")
