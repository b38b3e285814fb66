"""Guarded HTTP(S) requests: the one client for article pages, feeds and alert webhooks.

URLs come from feeds, spreadsheets and other people, so a request must not be steerable at the
machine's own network (SSRF): every host name is resolved and the answer checked *at connect
time*, on the first request and again on each redirect, and the socket connects to the checked
address itself, so a DNS answer that changes between the check and the connection (rebinding)
reaches nothing. ``AddressPolicy`` holds the rule and the resolver (injectable, for tests and
for callers with their own DNS).

``timeout`` is a deadline for the whole request: connecting, redirects, headers and body. A
per-read socket timeout alone lets a server that sends one byte a second hold a caller for ever,
so a watchdog shuts the socket down when the deadline passes, whatever read is blocked on it.
Bodies are read with a size cap, decompressing gzip/deflate in bounded steps.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..errors import Errors, InputError

MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 65536

# One ``socket.getaddrinfo`` answer: (family, type, proto, canonname, sockaddr).
AddrInfo = tuple[Any, ...]
Resolver = Callable[[str, int], Sequence[AddrInfo]]


class FetchError(InputError):
    """A request failed; ``detail`` says why, for callers that report it under their own code
    (a feed as E073, a webhook as E076). A refused private address keeps E009."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


def _failed(url: str, detail: str) -> FetchError:
    return FetchError(Errors.E008.format(url=url, detail=detail), detail)


# IPv6 ranges that carry an IPv4 address in their last 32 bits and reach it through a
# translator or tunnel: NAT64 (RFC 6052, RFC 8215) and the deprecated IPv4-compatible ::/96.
_NAT64 = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("::/96"),
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to, where it embeds one."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:  # 2002:AABB:CCDD::/48
        return ip.sixtofour
    if ip.teredo is not None:  # 2001:0::/32: (server, client); the client is the target
        return ip.teredo[1]
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """True for addresses on the public internet (not private, loopback, link-local, ...).

    An IPv6 address that embeds an IPv4 one (``::ffff:127.0.0.1``, ``::127.0.0.1``,
    ``64:ff9b::a9fe:a9fe``, ``2002:7f00:1::``, Teredo) is judged by that IPv4 address, since
    a host with a translator or tunnel delivers the connection there.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64[2] and int(ip) <= 1:  # :: and ::1, not IPv4 0.0.0.0 / 0.0.0.1
            return False
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


def system_resolver(host: str, port: int) -> Sequence[AddrInfo]:
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Where a request may connect: public addresses only, unless ``allow_private``.

    ``resolve`` answers like ``socket.getaddrinfo``; ``public`` judges one address. Both are
    asked once per connection, and the connection goes to the very address judged.
    """

    allow_private: bool = False
    resolve: Resolver = system_resolver
    public: Callable[[str], bool] = is_public_address

    def connect(self, host: str, port: int, deadline: float, url: str) -> socket.socket:
        try:
            infos = list(self.resolve(host, port))
        except OSError as err:
            raise _failed(url, f"cannot resolve {host}: {err}") from err
        if not infos:
            raise _failed(url, f"cannot resolve {host}: no address")
        if not self.allow_private and any(not self.public(str(i[4][0])) for i in infos):
            raise FetchError(Errors.E009.format(url=url), "private or loopback address")
        last: OSError | None = None
        for family, kind, proto, _, address in infos:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            sock = socket.socket(family, kind, proto)
            sock.settimeout(remaining)
            try:
                sock.connect(address)
                return sock
            except OSError as err:
                sock.close()
                last = err
        raise _failed(url, f"cannot connect: {last}" if last else "timed out")


class _Watchdog:
    """Shuts a connection's socket down at the deadline, ending whatever read is blocked."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            if not self.fired:
                return
        self._shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sock = self._sock
        if sock is not None:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        # the plain socket's shutdown, also under TLS: it unblocks a read in progress
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


class _Connection(http.client.HTTPConnection):
    def __init__(
        self, host: str, port: int, policy: AddressPolicy, url: str, watchdog: _Watchdog
    ) -> None:
        super().__init__(host, port, timeout=max(watchdog.deadline - time.monotonic(), 0.001))
        self._policy, self._url, self._watchdog = policy, url, watchdog

    def connect(self) -> None:
        self.sock = self._policy.connect(self.host, self.port, self._watchdog.deadline, self._url)
        self._watchdog.watch(self.sock)


class _TLSConnection(_Connection):
    def __init__(
        self, host: str, port: int, policy: AddressPolicy, url: str, watchdog: _Watchdog
    ) -> None:
        super().__init__(host, port, policy, url, watchdog)
        self._tls = ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        tls = self._tls.wrap_socket(
            self.sock, server_hostname=self.host, do_handshake_on_connect=False
        )
        self.sock = tls
        self._watchdog.watch(tls)
        tls.do_handshake()


@dataclass(slots=True)
class Response:
    url: str  # after redirects
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes = b""
    history: list[str] = field(default_factory=list)  # the URLs that redirected here


# Called with the response before its body is read: refuse it early (type, declared length).
Inspect = Callable[[http.client.HTTPResponse, str], None]


def request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    policy: AddressPolicy | None = None,
    timeout: float = 20.0,
    max_bytes: int = 20_000_000,
    redirects: int = MAX_REDIRECTS,
    inspect: Inspect | None = None,
) -> Response:
    """Send one request, following up to ``redirects`` redirects (GET and HEAD only).

    Returns the final response whatever its status, its body read (at most ``max_bytes``,
    decompressed) unless it is a 304 or a redirect not followed. Raises ``FetchError``: E008
    for a failure or the deadline, E009 for a refused address, E010 for a non-HTTP URL, E004
    for a body over the cap.
    """
    policy = policy or AddressPolicy()
    deadline = time.monotonic() + timeout
    current = url
    history: list[str] = []
    follow = redirects if method in ("GET", "HEAD") else 0
    while True:
        response = _once(current, method, body, headers or {}, policy, deadline, max_bytes,
                         inspect, follow > 0)
        if response.status in REDIRECTS and len(history) < follow:
            location = response.headers.get("Location")
            if not location:
                raise _failed(current, f"HTTP {response.status} without Location")
            history.append(current)
            current = urljoin(current, location.strip())
            continue
        if response.status in REDIRECTS and follow:
            raise _failed(url, f"more than {follow} redirects")
        response.history = history
        return response


def _once(
    url: str,
    method: str,
    body: bytes | None,
    headers: Mapping[str, str],
    policy: AddressPolicy,
    deadline: float,
    max_bytes: int,
    inspect: Inspect | None,
    may_redirect: bool,
) -> Response:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(Errors.E010.format(url=url), f"unsupported scheme {parts.scheme!r}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as err:
        raise _failed(url, str(err)) from err
    if not host:
        raise _failed(url, "no host name")
    if time.monotonic() >= deadline:
        raise _failed(url, "timed out")
    tls = parts.scheme == "https"
    watchdog = _Watchdog(deadline)
    cls = _TLSConnection if tls else _Connection
    conn = cls(host, port or (443 if tls else 80), policy, url, watchdog)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, target, body=body, headers=dict(headers))
        resp = conn.getresponse()
        out = Response(url, resp.status, resp.reason, resp.headers)
        if resp.status == 304 or method == "HEAD" or (resp.status in REDIRECTS and may_redirect):
            return _checked(out, watchdog, url)
        if inspect is not None:
            inspect(resp, url)
        out.body = _read_capped(resp, url, max_bytes)
        return _checked(out, watchdog, url)
    except InputError:
        if watchdog.fired:
            raise _failed(url, "timed out") from None
        raise
    except (OSError, http.client.HTTPException, zlib.error, ValueError) as err:
        detail = "timed out" if watchdog.fired else (str(err) or type(err).__name__)
        raise _failed(url, detail) from err
    finally:
        watchdog.cancel()
        conn.close()


def _checked(response: Response, watchdog: _Watchdog, url: str) -> Response:
    """``response``, unless the deadline cut it short (an early EOF looks like a short body)."""
    if watchdog.fired:
        raise _failed(url, "timed out")
    return response


def _read_capped(resp: http.client.HTTPResponse, url: str, max_bytes: int) -> bytes:
    encoding = (resp.getheader("Content-Encoding") or "identity").strip().lower()
    inflate = None
    if encoding in ("gzip", "x-gzip"):
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflate = zlib.decompressobj()
    elif encoding not in ("identity", ""):
        raise _failed(url, f"unsupported Content-Encoding {encoding}")
    parts: list[bytes] = []
    size = 0
    while chunk := resp.read1(_CHUNK):
        if inflate is not None:
            # Bounded output per step guards against decompression bombs.
            chunk = inflate.decompress(chunk, max_bytes + 1 - size)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(
                Errors.E004.format(size=f">{max_bytes}", cap=max_bytes, source=url),
                f"larger than {max_bytes} bytes",
            )
        parts.append(chunk)
    return b"".join(parts)
