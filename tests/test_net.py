"""The guarded HTTP client (``ingest.net``) as feeds, webhooks and article fetches use it, against
servers on loopback: a DNS answer that changes after the check reaches nothing (the checked
address is the one connected to, on every redirect too), and a server that sends one byte at a
time cannot hold a fetch past its deadline."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flashpoint.cli import app
from flashpoint.errors import InputError
from flashpoint.ingest import fetch_url
from flashpoint.ingest.net import AddressPolicy, AddrInfo
from flashpoint.watch import Alert, AlertError, FeedError, fetch_feed, webhook

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
    b"<item><title>One</title><link>https://example.org/one</link><guid>one</guid></item>"
    b"</channel></rss>"
)
ALERT = Alert(["*"], {"id": "e1", "type": "ASSAULT"})


@dataclass
class Server:
    """An HTTP server on one loopback address; ``seen`` lists (method, path) it was asked."""

    host: str
    port: int
    seen: list[tuple[str, str]] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes = b"", **headers: str) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            server.seen.append(("GET", self.path))
            if self.path in server.redirects:
                self._send(302, Location=server.redirects[self.path])
            elif self.path == "/feed.xml":
                self._send(200, RSS, Content_Type="application/rss+xml")
            else:
                self._send(200, b"<html><body><p>page</p></body></html>", Content_Type="text/html")

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            server.seen.append(("POST", self.path))
            self._send(204)

    return Handler


def _serve(host: str, port: int) -> tuple[Server, ThreadingHTTPServer]:
    spec = Server(host, port)
    httpd = ThreadingHTTPServer((host, port), _handler(spec))
    spec.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return spec, httpd


@pytest.fixture
def pair() -> Iterator[tuple[Server, Server]]:
    """Two servers on one port: 127.0.0.1 (where the checked name points) and 127.0.0.2 (the
    "internal" address a rebinding answer points at afterwards)."""
    for _ in range(20):
        good, first = _serve("127.0.0.1", 0)
        try:
            evil, second = _serve("127.0.0.2", good.port)
        except OSError:  # that port is taken on 127.0.0.2: try another
            first.shutdown()
            first.server_close()
            continue
        break
    else:
        pytest.skip("cannot bind 127.0.0.2 on the port of 127.0.0.1")
    yield good, evil
    for httpd in (first, second):
        httpd.shutdown()
        httpd.server_close()


class Rebinding:
    """DNS whose first answer for each name is ``first`` and every later one ``then``."""

    def __init__(self, answers: dict[str, tuple[str, str]]) -> None:
        self.answers = answers
        self.asked: Counter[str] = Counter()

    def __call__(self, host: str, port: int) -> list[AddrInfo]:
        self.asked[host] += 1
        first, then = self.answers[host]
        ip = first if self.asked[host] == 1 else then
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port))]


def _policy(dns: Rebinding) -> AddressPolicy:
    # 127.0.0.1 stands in for a public address, 127.0.0.2 for the machine's own network
    return AddressPolicy(resolve=dns, public=lambda address: address == "127.0.0.1")


def test_a_feed_connects_to_the_address_it_checked(pair: tuple[Server, Server]) -> None:
    good, evil = pair
    dns = Rebinding({"feed.test": ("127.0.0.1", "127.0.0.2")})
    result = fetch_feed(f"http://feed.test:{good.port}/feed.xml", policy=_policy(dns))
    assert [item.title for item in result.items] == ["One"]
    assert good.seen == [("GET", "/feed.xml")] and evil.seen == []
    assert dns.asked["feed.test"] == 1  # resolved once, and that answer was used
    # a second fetch resolves again, gets the internal answer, and is refused before connecting
    with pytest.raises(FeedError, match="E009"):
        fetch_feed(f"http://feed.test:{good.port}/feed.xml", policy=_policy(dns))
    assert evil.seen == []


def test_a_feed_redirect_is_checked_and_pinned_too(pair: tuple[Server, Server]) -> None:
    good, evil = pair
    good.redirects["/moved"] = f"http://next.test:{good.port}/feed.xml"
    good.redirects["/inside"] = f"http://inside.test:{good.port}/feed.xml"
    dns = Rebinding({
        "feed.test": ("127.0.0.1", "127.0.0.1"),
        "next.test": ("127.0.0.1", "127.0.0.2"),
        "inside.test": ("127.0.0.2", "127.0.0.2"),
    })
    result = fetch_feed(f"http://feed.test:{good.port}/moved", policy=_policy(dns))
    assert result.items and good.seen == [("GET", "/moved"), ("GET", "/feed.xml")]
    assert dns.asked["next.test"] == 1
    with pytest.raises(FeedError, match="E009"):
        fetch_feed(f"http://feed.test:{good.port}/inside", policy=_policy(dns))
    assert evil.seen == []


def test_a_webhook_posts_to_the_address_it_checked(pair: tuple[Server, Server]) -> None:
    good, evil = pair
    dns = Rebinding({"hook.test": ("127.0.0.1", "127.0.0.2")})
    hook = webhook(f"http://hook.test:{good.port}/hook", policy=_policy(dns), attempts=1)
    hook(ALERT)
    assert good.seen == [("POST", "/hook")] and dns.asked["hook.test"] == 1
    with pytest.raises(AlertError, match="E009") as refused:
        hook(ALERT)  # the name now points inside: refused, never connected
    assert not refused.value.retryable and evil.seen == []


def test_a_webhook_may_name_a_private_address_outright(pair: tuple[Server, Server]) -> None:
    good, _ = pair
    webhook(f"http://127.0.0.1:{good.port}/hook", attempts=1)(ALERT)
    webhook(f"http://localhost:{good.port}/hook", attempts=1)(ALERT)
    assert good.seen == [("POST", "/hook"), ("POST", "/hook")]


class Dribble:
    """A server that answers every connection one byte every ``pause`` seconds, for ever
    (``headers`` first, then the body), until the client goes away."""

    def __init__(self, headers: bytes, pause: float = 0.2) -> None:
        self.headers, self.pause = headers, pause
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(1)
            try:
                conn.recv(65536)
                for index in range(10**6):
                    byte = self.headers[index:index + 1] or b"x"
                    conn.sendall(byte)
                    time.sleep(self.pause)
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def slow_headers() -> Iterator[Dribble]:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nX-Pad: " + b"a" * 500
    server = Dribble(head)
    yield server
    server.close()


@pytest.fixture
def slow_body() -> Iterator[Dribble]:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
    server = Dribble(head, pause=0.0005)  # headers arrive at once, then a byte at a time
    yield server
    server.close()


def _raised_within(seconds: float, call: Callable[[], object]) -> BaseException:
    """What ``call`` raised, failing the test if it ran longer than ``seconds`` (a fetch
    without a deadline would otherwise hang the test for as long as the server dribbles)."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as err:
            raised.append(err)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still fetching after {seconds} s"
    assert raised, "the fetch returned instead of timing out"
    return raised[0]


def test_a_feed_sent_one_byte_at_a_time_ends_at_the_deadline(slow_headers: Dribble) -> None:
    url = f"http://127.0.0.1:{slow_headers.port}/feed.xml"
    err = _raised_within(2.5, lambda: fetch_feed(url, allow_private=True, timeout=1.0))
    assert isinstance(err, FeedError) and "E073" in str(err) and "timed out" in str(err)


def test_an_article_page_sent_slowly_ends_at_the_deadline(
    slow_headers: Dribble, slow_body: Dribble
) -> None:
    for server in (slow_headers, slow_body):
        url = f"http://127.0.0.1:{server.port}/a"
        err = _raised_within(2.5, lambda u=url: fetch_url(u, allow_private=True, timeout=1.0))
        assert isinstance(err, InputError) and "E008" in str(err) and "timed out" in str(err)


def test_watch_once_is_not_held_by_a_slow_feed(
    slow_headers: Dribble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPOINT_CODER", "0")
    feeds = tmp_path / "FEEDS.txt"
    feeds.write_text(f"http://127.0.0.1:{slow_headers.port}/feed.xml\n")
    args = ["watch", str(feeds), "--db", str(tmp_path / "events.db"), "--once",
            "--allow-private", "--timeout", "1"]
    started = time.monotonic()
    result = CliRunner().invoke(app, args)
    elapsed = time.monotonic() - started
    # every feed failed: --once says so with its exit status
    assert result.exit_code == 1, result.output
    assert "timed out" in result.output and slow_headers.connections == 1
    assert elapsed < 30, elapsed  # loading the model is most of it; the fetch took 1 s
    state = json.loads((tmp_path / "events.db.watch.json").read_text())
    assert state["outbox"] == {}
