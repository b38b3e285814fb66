"""Fetch one web page over HTTP(S) with the guards a batch tool needs for untrusted URL lists.

URL lists come from feeds, spreadsheets and other people, so a fetch must not be steerable at the
machine's own network (SSRF): every hostname is resolved and checked *at connect time*, on the
first request and again on each redirect, and the socket connects to the checked address itself,
so a DNS answer cannot change between the check and the connection. Size and time are capped
while streaming, so one hostile or broken server cannot stall or flood a batch.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .. import __version__
from ..errors import Errors, InputError

ALLOWED_TYPES = frozenset({"text/html", "text/plain", "application/xhtml+xml"})
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 65536
_HEADERS = {
    "User-Agent": f"Flashpoint/{__version__} (+news event extraction)",
    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9",
    "Accept-Encoding": "gzip, deflate",
    "Connection": "close",
}


@dataclass(slots=True)
class Fetched:
    url: str  # after redirects
    body: bytes
    content_type: str | None  # e.g. "text/html"; None when the server sent none
    charset: str | None


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


def _connect(host: str, port: int, timeout: float, allow_private: bool, url: str) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as err:
        raise InputError(
            Errors.E008.format(url=url, detail=f"cannot resolve {host}: {err}")
        ) from err
    if not allow_private and any(not is_public_address(str(info[4][0])) for info in infos):
        raise InputError(Errors.E009.format(url=url))
    last: OSError | None = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
            return sock
        except OSError as err:
            sock.close()
            last = err
    raise InputError(Errors.E008.format(url=url, detail=f"cannot connect: {last}"))


class _GuardedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, timeout: float, allow_private: bool, url: str) -> None:
        super().__init__(host, port, timeout=timeout)
        self._allow_private = allow_private
        self._url = url

    def connect(self) -> None:
        self.sock = _connect(
            self.host, self.port, float(self.timeout or 20), self._allow_private, self._url
        )


class _GuardedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, timeout: float, allow_private: bool, url: str) -> None:
        self._ssl = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._ssl)
        self._allow_private = allow_private
        self._url = url

    def connect(self) -> None:
        raw = _connect(
            self.host, self.port, float(self.timeout or 20), self._allow_private, self._url
        )
        self.sock = self._ssl.wrap_socket(raw, server_hostname=self.host)


def _read_capped(
    resp: http.client.HTTPResponse, url: str, max_bytes: int, deadline: float
) -> bytes:
    encoding = (resp.getheader("Content-Encoding") or "identity").strip().lower()
    inflate = None
    if encoding in ("gzip", "x-gzip"):
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflate = zlib.decompressobj()
    elif encoding not in ("identity", ""):
        raise InputError(
            Errors.E008.format(url=url, detail=f"unsupported Content-Encoding {encoding}")
        )
    parts: list[bytes] = []
    size = 0
    while chunk := resp.read1(_CHUNK):
        if inflate is not None:
            # Bounded output per step guards against decompression bombs.
            chunk = inflate.decompress(chunk, max_bytes + 1 - size)
        size += len(chunk)
        if size > max_bytes:
            raise InputError(Errors.E004.format(size=f">{max_bytes}", cap=max_bytes, source=url))
        parts.append(chunk)
        if time.monotonic() > deadline:
            raise InputError(Errors.E008.format(url=url, detail="timed out while reading"))
    return b"".join(parts)


def fetch_url(
    url: str, *, allow_private: bool = False, max_bytes: int = 20_000_000, timeout: float = 20.0
) -> Fetched:
    """GET ``url``; ``timeout`` bounds the whole fetch (connects, redirects and body)."""
    deadline = time.monotonic() + timeout
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https"):
            raise InputError(Errors.E010.format(url=current))
        try:
            host, port = parts.hostname, parts.port
        except ValueError as err:
            raise InputError(Errors.E008.format(url=current, detail=str(err))) from err
        if not host:
            raise InputError(Errors.E008.format(url=current, detail="no host name"))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise InputError(Errors.E008.format(url=url, detail="timed out"))
        cls = _GuardedHTTPS if parts.scheme == "https" else _GuardedHTTP
        conn = cls(
            host,
            port or (443 if parts.scheme == "https" else 80),
            remaining,
            allow_private,
            current,
        )
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("GET", target, headers=_HEADERS)
            resp = conn.getresponse()
            if resp.status in _REDIRECTS:
                location = resp.getheader("Location")
                if not location:
                    raise InputError(
                        Errors.E008.format(
                            url=current, detail=f"HTTP {resp.status} without Location"
                        )
                    )
                current = urljoin(current, location.strip())
                continue
            if resp.status != 200:
                raise InputError(
                    Errors.E008.format(url=current, detail=f"HTTP {resp.status} {resp.reason}")
                )
            declared = resp.getheader("Content-Type")
            ctype = resp.headers.get_content_type() if declared else None
            if ctype is not None and ctype not in ALLOWED_TYPES:
                raise InputError(Errors.E011.format(url=current, ctype=ctype))
            length = resp.getheader("Content-Length")
            if length and length.strip().isdigit() and int(length) > max_bytes:
                raise InputError(
                    Errors.E004.format(size=int(length), cap=max_bytes, source=current)
                )
            body = _read_capped(resp, current, max_bytes, deadline)
            return Fetched(current, body, ctype, resp.headers.get_content_charset())
        except InputError:
            raise
        except (OSError, http.client.HTTPException, zlib.error) as err:
            raise InputError(
                Errors.E008.format(url=current, detail=str(err) or type(err).__name__)
            ) from err
        finally:
            conn.close()
    raise InputError(Errors.E008.format(url=url, detail=f"more than {MAX_REDIRECTS} redirects"))
