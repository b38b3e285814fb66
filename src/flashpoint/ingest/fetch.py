"""Fetch one web page to extract events from: HTML or text only, within a size and time cap.

The request goes through ``net.request``, which resolves and checks every host at connect time
(on each redirect too), connects to the checked address, and bounds the whole fetch with one
deadline; here the page is refused early when it declares a type that is not text or a length
over the cap.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass

from .. import __version__
from ..errors import Errors, InputError
from .net import MAX_REDIRECTS, AddressPolicy, is_public_address, request

ALLOWED_TYPES = frozenset({"text/html", "text/plain", "application/xhtml+xml"})
_HEADERS = {
    "User-Agent": f"Flashpoint/{__version__} (+news event extraction)",
    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9",
    "Accept-Encoding": "gzip, deflate",
    "Connection": "close",
}

__all__ = ["ALLOWED_TYPES", "MAX_REDIRECTS", "Fetched", "fetch_url", "is_public_address"]


@dataclass(slots=True)
class Fetched:
    url: str  # after redirects
    body: bytes
    content_type: str | None  # e.g. "text/html"; None when the server sent none
    charset: str | None


def fetch_url(
    url: str,
    *,
    allow_private: bool = False,
    max_bytes: int = 20_000_000,
    timeout: float = 20.0,
    policy: AddressPolicy | None = None,
) -> Fetched:
    """GET ``url``; ``timeout`` bounds the whole fetch (connects, redirects and body).

    ``policy`` replaces the address rule that ``allow_private`` would make (its resolver too).
    """

    def inspect(resp: http.client.HTTPResponse, current: str) -> None:
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
            raise InputError(Errors.E004.format(size=int(length), cap=max_bytes, source=current))

    resp = request(
        url,
        headers=_HEADERS,
        policy=policy or AddressPolicy(allow_private=allow_private),
        timeout=timeout,
        max_bytes=max_bytes,
        inspect=inspect,
    )
    if resp.status != 200:  # a 304 or a redirect loop's last answer: never asked for
        raise InputError(Errors.E008.format(url=resp.url, detail=f"HTTP {resp.status}"))
    declared = resp.headers.get("Content-Type")
    ctype = resp.headers.get_content_type() if declared else None
    return Fetched(resp.url, resp.body, ctype, resp.headers.get_content_charset())
