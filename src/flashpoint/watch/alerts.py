"""Alert rules and where matching events go (standard output, a webhook).

A rule is the same filter language as ``flashpoint events`` and ``/api/events``, written as
``name=value`` words: ``country=IRQ type=ASSAULT``, ``actor="Islamic State" min_sources=2``. It is
validated once by ``EventFilter`` and applied by the store to the new article's events, so an
alert fires for exactly the events the same query would list.
"""

from __future__ import annotations

import json
import shlex
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urlsplit

from .. import __version__
from ..errors import Errors, FlashpointError
from ..store import EventFilter, InvalidFilter

# Names a rule may use: the event filters that describe an event (paging and article_id are
# set by the watcher itself).
RULE_FIELDS = (
    "since",
    "until",
    "country",
    "type",
    "mode",
    "modality",
    "actor",
    "text",
    "bbox",
    "min_sources",
)


class AlertError(FlashpointError):
    """An alert rule or webhook that cannot be used (E074, E076)."""


@dataclass(frozen=True, slots=True)
class AlertRule:
    text: str
    params: dict[str, str]

    @classmethod
    def parse(cls, text: str) -> AlertRule:
        """``'country=IRQ type=ASSAULT'`` → a validated rule; raises E074 when unusable."""
        try:
            words = shlex.split(text)
        except ValueError as err:
            raise AlertError(Errors.E074.format(rule=text, detail=str(err))) from err
        if not words:
            raise AlertError(Errors.E074.format(rule=text, detail="empty rule"))
        params: dict[str, str] = {}
        for word in words:
            name, sep, value = word.partition("=")
            name = name.strip().lower()
            if not sep or not value.strip():
                raise AlertError(
                    Errors.E074.format(rule=text, detail=f"expected name=value, got {word!r}")
                )
            if name not in RULE_FIELDS:
                raise AlertError(
                    Errors.E074.format(
                        rule=text,
                        detail=f"unknown name {name!r}; choose from {', '.join(RULE_FIELDS)}",
                    )
                )
            if name in params:
                raise AlertError(Errors.E074.format(rule=text, detail=f"{name} given twice"))
            params[name] = value.strip()
        try:
            EventFilter.from_params(params)
        except InvalidFilter as err:
            raise AlertError(Errors.E074.format(rule=text, detail=str(err))) from err
        return cls(text, params)

    def filter_for(self, article_id: str) -> EventFilter:
        """This rule restricted to one article's events, unpaged."""
        flt = EventFilter.from_params({**self.params, "article_id": article_id})
        flt.limit = None
        return flt


@dataclass(slots=True)
class Alert:
    """One new event that matched, with the rules it matched (``*`` when no rules are set)."""

    rules: list[str]
    event: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"rules": self.rules, "event": self.event}

    def line(self) -> str:
        ev = self.event
        date = (ev.get("date") or {}).get("start") or "undated"
        who = " → ".join(
            ", ".join(a["name"] for a in ev.get("actors") or [] if a.get("role") == role)
            for role in ("source", "target")
        ).strip(" →")
        loc = ev.get("location") or {}
        where = f" @ {loc.get('name')} ({loc.get('country') or '?'})" if loc else ""
        art = ev.get("article") or {}
        cite = art.get("url") or art.get("title") or art.get("id") or ""
        kind = ev["type"] + (f" {ev['mode']}" if ev.get("mode") else "")
        return f"[{' | '.join(self.rules)}] {date} {kind} {who}{where} — {cite}".replace("  ", " ")


Notify = Callable[[Alert], None]


def printer(stream: TextIO, as_json: bool = False) -> Notify:
    """Write each alert to ``stream`` as one line of text, or one JSON object per line."""

    def notify(alert: Alert) -> None:
        if as_json:
            stream.write(json.dumps(alert.to_dict(), ensure_ascii=False) + "\n")
        else:
            stream.write(alert.line() + "\n")
        stream.flush()

    return notify


def check_webhook(url: str) -> str:
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise AlertError(Errors.E076.format(url=url, detail="expected an http(s) URL"))
    return url


def webhook(url: str, timeout: float = 10.0) -> Notify:
    """POST each alert to ``url`` as JSON; raises ``AlertError`` (E076) when that fails.

    The URL is the user's own configuration, so private addresses (a local chat bridge) are
    allowed, unlike article links found in feeds.
    """
    check_webhook(url)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"Flashpoint/{__version__} (+alerts)",
    }

    def notify(alert: Alert) -> None:
        body = json.dumps(alert.to_dict(), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                resp.read(65536)
        except urllib.error.HTTPError as err:
            raise AlertError(
                Errors.E076.format(url=url, detail=f"HTTP {err.code} {err.reason}")
            ) from err
        except (urllib.error.URLError, OSError, ValueError) as err:
            raise AlertError(
                Errors.E076.format(url=url, detail=str(getattr(err, "reason", err)))
            ) from err

    return notify
