"""Alert rules and where matching events go (standard output, a webhook).

A rule is the same filter language as ``flashpoint events`` and ``/api/events``, written as
``name=value`` words: ``country=IRQ type=ASSAULT``, ``actor="Islamic State" min_sources=2``. It is
validated once by ``EventFilter`` and applied by the store to the new article's events, so an
alert fires for exactly the events the same query would list.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urlsplit

from .. import __version__
from ..errors import Errors, FlashpointError
from ..ingest.net import AddressPolicy, FetchError, is_public_address, request
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
    """An alert rule or webhook that cannot be used (E074, E076).

    ``retryable``: a delivery that may succeed later (the hook down or overloaded), so the
    watcher keeps the alert for its next poll.
    """

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        return cls([str(r) for r in data["rules"]], dict(data["event"]))

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


def _named_private(host: str) -> bool:
    """Whether the user named a private place outright: ``localhost`` or a private IP."""
    if host.rstrip(".").lower() == "localhost":
        return True
    try:
        return not is_public_address(host)
    except ValueError:  # a name, not an address
        return False


class Webhook:
    """POSTs each alert to ``url`` as JSON, retrying with backoff; ``target`` names it.

    Raises ``AlertError`` (E076) when every try failed; ``retryable`` is False when the hook
    answered that it refuses the alert (a 4xx other than 408 and 429), which no retry mends.
    The URL is the user's own configuration, so a private address it names outright (a local
    chat bridge at ``http://127.0.0.1:8065/hook`` or ``localhost``) is allowed; a host *name*
    must resolve to public addresses (unless ``allow_private``), and the connection goes to
    the address checked, so a name that re-resolves to this machine reaches nothing.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        attempts: int = 3,
        backoff: float = 0.5,
        allow_private: bool = False,
        policy: AddressPolicy | None = None,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.url = self.target = check_webhook(url)
        private = allow_private or _named_private(urlsplit(url).hostname or "")
        self.policy = policy or AddressPolicy(allow_private=private)
        self.timeout = timeout
        self.attempts = max(attempts, 1)
        self.backoff = backoff
        self.sleep = sleep
        self.headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"Flashpoint/{__version__} (+alerts)",
            "Connection": "close",
        }

    def __call__(self, alert: Alert) -> None:
        body = json.dumps(alert.to_dict(), ensure_ascii=False).encode("utf-8")
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                self._post(body)
                return
            except AlertError as err:
                if not err.retryable or attempt + 1 == self.attempts:
                    raise

    def _post(self, body: bytes) -> None:
        try:
            resp = request(
                self.url,
                method="POST",
                body=body,
                headers=self.headers,
                policy=self.policy,
                timeout=self.timeout,
                max_bytes=65536,
            )
        except FetchError as err:
            # E008: unreachable, reset or too slow, worth another try; a refused address (E009)
            # or a reply over the cap (E004) stays so
            detail = str(err) if err.code == "E009" else err.detail
            raise AlertError(Errors.E076.format(url=self.url, detail=detail),
                             retryable=err.code == "E008") from err
        if not 200 <= resp.status < 300:
            raise AlertError(
                Errors.E076.format(url=self.url, detail=f"HTTP {resp.status} {resp.reason}"),
                retryable=resp.status >= 500 or resp.status in (408, 429),
            )


def webhook(url: str, timeout: float = 10.0, **options: Any) -> Webhook:
    """A ``Webhook`` notifier for ``url`` (options as for ``Webhook``)."""
    return Webhook(url, timeout=timeout, **options)
