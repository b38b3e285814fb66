"""What the watcher remembers between polls and runs: per feed, the entries already handled, the
fetch attempts of entries still pending, and the validators for conditional GET; per alert
target (a webhook), the alerts it has not taken yet, delivered first on the next poll.

Kept in a small JSON file beside the database (written atomically, so a crash mid-write leaves
the previous state), not in the database itself: it is bookkeeping of one watcher, and the store
already refuses an article twice, so losing the file costs refetching, never duplicates (but
alerts still waiting for a webhook that was down are lost with it).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

STATE_VERSION = 1
MAX_SEEN_PER_FEED = 5000
"""Remembered entries per feed; feeds list far fewer, so older keys can never come back."""
MAX_QUEUED = 1000
"""Undelivered alerts kept per target; beyond it the oldest go (W071), so a hook that never
comes back cannot grow the state file without bound."""


@dataclass(slots=True)
class FeedState:
    etag: str | None = None
    modified: str | None = None
    seen: dict[str, str] = field(default_factory=dict)  # entry key → when handled (ISO)
    attempts: dict[str, int] = field(default_factory=dict)  # entry key → failed fetches

    def mark_seen(self, key: str) -> None:
        self.seen[key] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.attempts.pop(key, None)
        if len(self.seen) > MAX_SEEN_PER_FEED:
            oldest = sorted(self.seen, key=self.seen.__getitem__)
            for stale in oldest[: len(self.seen) - MAX_SEEN_PER_FEED]:
                del self.seen[stale]


class WatchState:
    """Per-feed state, loaded from and saved to ``path`` (None: in memory only)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.feeds: dict[str, FeedState] = {}
        # target (webhook URL) → alerts (``Alert.to_dict``) not delivered yet, oldest first
        self.outbox: dict[str, list[dict[str, Any]]] = {}
        if path is not None and path.exists():
            self._load(path)

    def feed(self, url: str) -> FeedState:
        return self.feeds.setdefault(url, FeedState())

    def queued(self, target: str) -> list[dict[str, Any]]:
        return list(self.outbox.get(target, ()))

    def keep(self, target: str, alerts: list[dict[str, Any]]) -> int:
        """Make ``alerts`` the ones waiting for ``target``; return how many were dropped."""
        dropped = max(len(alerts) - MAX_QUEUED, 0)
        if alerts[dropped:]:
            self.outbox[target] = alerts[dropped:]
        else:
            self.outbox.pop(target, None)
        return dropped

    def _load(self, path: Path) -> None:
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
            feeds = raw["feeds"] if raw.get("version") == STATE_VERSION else {}
            for url, data in feeds.items():
                self.feeds[str(url)] = FeedState(
                    etag=data.get("etag"),
                    modified=data.get("modified"),
                    seen={str(k): str(v) for k, v in (data.get("seen") or {}).items()},
                    attempts={str(k): int(v) for k, v in (data.get("attempts") or {}).items()},
                )
            outbox = raw.get("outbox") or {} if raw.get("version") == STATE_VERSION else {}
            for target, alerts in outbox.items():
                kept = [
                    a for a in alerts
                    if isinstance(a, dict) and isinstance(a.get("rules"), list)
                    and isinstance(a.get("event"), dict)
                ]
                if kept:
                    self.outbox[str(target)] = kept
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            # A damaged state file only means entries are looked at again; the store still
            # refuses articles it holds.
            log.warning("ignoring unreadable watch state %s: %s", path, err)
            self.feeds, self.outbox = {}, {}

    def save(self) -> None:
        if self.path is None:
            return
        data = {
            "version": STATE_VERSION,
            "feeds": {
                url: {
                    "etag": s.etag,
                    "modified": s.modified,
                    "seen": s.seen,
                    "attempts": s.attempts,
                }
                for url, s in self.feeds.items()
            },
            "outbox": self.outbox,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name, suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
