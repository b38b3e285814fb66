"""Watch RSS/Atom feeds: ingest each new entry once and raise alerts for matching events.

watcher = Watcher(read_feed_list("FEEDS.txt"), open_store("events.db"), Pipeline(),
                  rules=[AlertRule.parse("country=IRQ type=ASSAULT")],
                  notify=[printer(sys.stdout)], state=WatchState(Path("events.db.watch.json")))
watcher.run(parse_interval("15m"))
"""

from __future__ import annotations

from .alerts import Alert, AlertError, AlertRule, printer, webhook
from .feeds import FeedError, FeedItem, FeedResult, fetch_feed, read_feed_list
from .state import WatchState
from .watcher import PollReport, Watcher, parse_interval

__all__ = [
    "Alert",
    "AlertError",
    "AlertRule",
    "FeedError",
    "FeedItem",
    "FeedResult",
    "PollReport",
    "WatchState",
    "Watcher",
    "fetch_feed",
    "parse_interval",
    "printer",
    "read_feed_list",
    "webhook",
]
