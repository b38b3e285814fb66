"""What the watcher remembers between polls and runs: per feed, the entries already handled, the
fetch attempts of entries still pending, and the validators for conditional GET.

Kept in a small JSON file beside the database (written atomically, so a crash mid-write leaves
the previous state), not in the database itself: it is bookkeeping of one watcher, and the store
already refuses an article twice, so losing the file costs refetching, never duplicates.
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
        if path is not None and path.exists():
            self._load(path)

    def feed(self, url: str) -> FeedState:
        return self.feeds.setdefault(url, FeedState())

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
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            # A damaged state file only means entries are looked at again; the store still
            # refuses articles it holds.
            log.warning("ignoring unreadable watch state %s: %s", path, err)
            self.feeds = {}

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
