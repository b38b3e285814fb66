"""Fetch and parse RSS/Atom feeds into plain items.

Feeds are fetched here rather than by feedparser, through the same guarded client as article
pages (``ingest.net``): one deadline for the whole request however slowly the server sends, a
size cap, conditional GET (ETag / Last-Modified, so an unchanged feed costs one small
response), and the private-address refusal with the checked DNS answer pinned, on every
redirect too. The bytes are then handed to feedparser as a stream, never as a string it might
treat as a URL or file name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser

from .. import __version__
from ..errors import Errors, FlashpointError
from ..ingest.net import AddressPolicy, FetchError, request

MAX_FEED_BYTES = 10_000_000
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)


class FeedError(FlashpointError):
    """One feed could not be fetched or parsed (E073); the other feeds carry on."""


@dataclass(slots=True)
class FeedItem:
    """One entry of a feed, reduced to what ingestion needs."""

    key: str  # stable identity: the entry id, else its link
    link: str | None
    title: str | None
    published: dt.date | None
    content: str | None  # HTML from the feed itself (content, else summary)
    feed_title: str | None = None


@dataclass(slots=True)
class FeedResult:
    url: str
    items: list[FeedItem] = field(default_factory=list)
    not_modified: bool = False
    etag: str | None = None
    modified: str | None = None
    title: str | None = None


def read_feed_list(path: str | Path) -> list[str]:
    """Feed URLs from a text file: one per line; blank lines and ``#`` comment lines ignored."""
    source = Path(path)
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise FlashpointError(Errors.E001.format(path=f"{source} ({err.strerror})")) from err
    urls: list[str] = []
    for line in lines:
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        if urlsplit(url).scheme not in ("http", "https"):
            raise FlashpointError(Errors.E010.format(url=url))
        if url not in urls:
            urls.append(url)
    if not urls:
        raise FlashpointError(Errors.E077.format(path=source))
    return urls


def fetch_feed(
    url: str,
    *,
    etag: str | None = None,
    modified: str | None = None,
    allow_private: bool = False,
    timeout: float = 20.0,
    max_bytes: int = MAX_FEED_BYTES,
    policy: AddressPolicy | None = None,
) -> FeedResult:
    """GET and parse one feed; raise ``FeedError`` (E073) or E009 on failure.

    ``timeout`` bounds the whole fetch, however slowly the server sends; ``policy`` replaces
    the address rule that ``allow_private`` would make (its resolver too).
    """
    headers = {
        "User-Agent": f"Flashpoint/{__version__} (+feed watcher)",
        "Accept": _ACCEPT,
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    try:
        resp = request(
            url,
            headers=headers,
            policy=policy or AddressPolicy(allow_private=allow_private),
            timeout=timeout,
            max_bytes=max_bytes,
        )
    except FetchError as err:
        if err.code == "E009":
            raise FeedError(str(err)) from err
        raise FeedError(Errors.E073.format(url=url, detail=err.detail)) from err
    if resp.status == 304:
        return FeedResult(url, not_modified=True, etag=etag, modified=modified)
    if resp.status != 200:
        raise FeedError(Errors.E073.format(url=url, detail=f"HTTP {resp.status} {resp.reason}"))
    parsed = feedparser.parse(
        io.BytesIO(resp.body),
        response_headers={
            "content-location": resp.url,
            "content-type": resp.headers.get("Content-Type", ""),
        },
    )
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception") or "no RSS or Atom feed found"
        raise FeedError(Errors.E073.format(url=url, detail=str(problem)))
    title = _text(parsed.feed.get("title"))
    items = [item for entry in parsed.entries if (item := _item(entry, title)) is not None]
    return FeedResult(
        url,
        items,
        etag=resp.headers.get("ETag"),
        modified=resp.headers.get("Last-Modified"),
        title=title,
    )


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _date(entry: Any) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        stamp = entry.get(key)
        if stamp:
            try:
                return dt.date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
            except ValueError:
                continue
    return None


def _content(entry: Any) -> str | None:
    parts: Iterable[Any] = entry.get("content") or []
    best = max((p.get("value") or "" for p in parts), key=len, default="")
    summary = entry.get("summary") or ""
    text = best if len(best) >= len(summary) else summary
    return text.strip() or None


def _item(entry: Any, feed_title: str | None) -> FeedItem | None:
    link = _text(entry.get("link"))
    if link and urlsplit(link).scheme not in ("http", "https"):
        link = None
    content = _content(entry)
    key = _text(entry.get("id")) or link
    if key is None:
        if content is None:
            return None
        key = "sha256:" + hashlib.sha256(content.encode("utf-8")).hexdigest()
    return FeedItem(
        key=key,
        link=link,
        title=_text(entry.get("title")),
        published=_date(entry),
        content=content,
        feed_title=feed_title,
    )
