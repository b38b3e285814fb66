"""The polling loop: feeds → new entries → articles → events in the store → alerts.

Each entry is ingested once: the state file remembers handled entries, and the article id is the
hash of the entry's link, so the store is asked before anything is fetched. A feed that fails,
an article page that cannot be fetched, a webhook that is down or a database that is briefly
locked costs that item or that poll, never the watcher; unfinished entries are retried on later
polls (article pages up to ``retries`` times, then the feed's own text is used if it has any).

Articles are stored through ``engine.writer.BatchWriter``, as ``flashpoint ingest`` stores them:
linked into clusters in the same transaction, so ``min_sources`` rules see the new report
counted. Alerts a webhook did not take (it was down, after its own retries) wait in the state
file and go first on the next poll, in order.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..clean.core import article_id
from ..engine.writer import BatchWriter, StoreDown
from ..errors import Errors, FlashpointError, Warnings
from ..ingest import InputFailure, read_inputs
from ..pipeline import Pipeline
from ..store import EventFilter, Store
from ..types import Document, Extraction
from .alerts import Alert, AlertError, AlertRule, Notify
from .feeds import FeedItem, fetch_feed
from .state import MAX_QUEUED, FeedState, WatchState

log = logging.getLogger(__name__)

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([hms])")


def parse_interval(text: str) -> float:
    """Seconds in ``"900"``, ``"15m"``, ``"1h30m"`` or ``"45s"``; at least one second."""
    raw = text.strip().lower()
    seconds: float | None = None
    try:
        seconds = float(raw)
    except ValueError:
        pos, total = 0, 0.0
        for match in _DURATION.finditer(raw):
            if match.start() != pos:
                break
            total += float(match.group(1)) * {"h": 3600, "m": 60, "s": 1}[match.group(2)]
            pos = match.end()
        else:
            seconds = total if pos == len(raw) and pos else None
    if seconds is None or not seconds >= 1 or seconds == float("inf"):
        raise FlashpointError(Errors.E075.format(value=text))
    return seconds


@dataclass(slots=True)
class PollReport:
    """What one poll did, for the log line and for tests."""

    feeds: int = 0
    feeds_failed: list[str] = field(default_factory=list)  # error messages
    entries_new: int = 0
    articles_stored: int = 0
    events_added: int = 0
    skipped: int = 0
    failed: int = 0
    retrying: int = 0
    alerts: list[Alert] = field(default_factory=list)
    notify_failed: int = 0  # alerts a notifier did not take this poll (kept or refused)
    delivered_late: int = 0  # alerts kept from an earlier poll, delivered now
    queued: int = 0  # alerts waiting for the next poll
    error: str | None = None  # the poll itself failed (an unforeseen error, logged)

    def summary(self) -> str:
        late = f", {self.delivered_late} delivered late" if self.delivered_late else ""
        waiting = f", {self.queued} waiting for delivery" if self.queued else ""
        return (
            f"{self.feeds} feeds ({len(self.feeds_failed)} failed), {self.entries_new} new "
            f"entries: stored {self.articles_stored} articles ({self.events_added} events), "
            f"skipped {self.skipped}, failed {self.failed}, retrying {self.retrying}; "
            f"{len(self.alerts)} alerts{late}{waiting}"
        )

    @property
    def ok(self) -> bool:
        """False when every feed failed or an alert was not delivered (``watch --once``)."""
        all_failed = self.feeds > 0 and len(self.feeds_failed) >= self.feeds
        return not all_failed and not self.notify_failed and self.error is None


@dataclass(slots=True)
class _Pending:
    feed: FeedState
    item: FeedItem
    doc: Document | None = None


class Watcher:
    """Polls ``feeds`` into ``store`` with ``pipeline``; calls each of ``notify`` per alert."""

    def __init__(
        self,
        feeds: Sequence[str],
        store: Store,
        pipeline: Pipeline,
        *,
        rules: Sequence[AlertRule] = (),
        notify: Sequence[Notify] = (),
        state: WatchState | None = None,
        fetch_pages: bool = True,
        allow_private: bool = False,
        retries: int = 3,
        timeout: float = 20.0,
        workers: int = 4,
    ) -> None:
        self.feeds = list(feeds)
        self.store = store
        self.pipeline = pipeline
        self.rules = list(rules)
        self.notify = list(notify)
        self.state = state or WatchState(None)
        self.fetch_pages = fetch_pages
        self.allow_private = allow_private
        self.retries = max(retries, 1)
        self.timeout = timeout
        self.workers = max(workers, 1)
        self.writer = BatchWriter(store)
        self._caught_up = False

    # -- one poll --------------------------------------------------------------------------

    def poll(self) -> PollReport:
        report = PollReport(feeds=len(self.feeds))
        if not self._caught_up:
            self._catch_up()
        pending: list[_Pending] = []
        for url in self.feeds:
            feed = self.state.feed(url)
            try:
                result = fetch_feed(
                    url,
                    etag=feed.etag,
                    modified=feed.modified,
                    allow_private=self.allow_private,
                    timeout=self.timeout,
                )
            except FlashpointError as err:
                report.feeds_failed.append(str(err))
                log.warning("%s", err)
                continue
            except Exception as err:  # a parser bug on one feed must not stop the others
                log.exception("feed %s failed", url)
                report.feeds_failed.append(Errors.E073.format(url=url, detail=repr(err)))
                continue
            if result.not_modified:
                continue
            feed.etag, feed.modified = result.etag, result.modified
            listed = {item.key for item in result.items}
            feed.attempts = {k: n for k, n in feed.attempts.items() if k in listed}
            keys = {p.item.key for p in pending}
            for item in result.items:
                if item.key in feed.seen or item.key in keys:
                    continue
                if item.link and self.store.has_article(article_id(item.link, "")):
                    feed.mark_seen(item.key)  # already ingested (another feed, an earlier run)
                    continue
                pending.append(_Pending(feed, item))
                keys.add(item.key)
        report.entries_new = len(pending)
        if pending:
            self._ingest(pending, report)
        for p in pending:
            if p.item.key not in p.feed.seen:
                # Left for a later poll: fetch the feed in full next time rather than be told
                # "not modified" and never see this entry again.
                p.feed.etag = p.feed.modified = None
        self._deliver(report)
        self.state.save()
        return report

    def _catch_up(self) -> None:
        """Link what an interrupted run stored without linking, once per watcher."""
        try:
            done = self.writer.finish_pending()
        except StoreDown as err:  # tried again on the next poll
            log.error("linking earlier articles failed: %s", err.error)
            return
        self._caught_up = True
        if done.articles:
            log.warning("%s", Warnings.W040.format(articles=done.articles, mentions=done.mentions))

    def _document(self, item: FeedItem, fetched: Document | None) -> Document | None:
        """The article for ``item``: its fetched page, else the feed's own text."""
        link_id = article_id(item.link, "") if item.link else None
        if fetched is not None:
            fetched.id = link_id or fetched.id
            fetched.title = item.title or fetched.title
            fetched.published = fetched.published or item.published
            return fetched
        if not item.content:
            return None
        return Document(
            source=item.link or item.key,
            content=item.content,
            content_type="html",
            id=link_id,
            url=item.link,
            title=item.title,
            publisher=item.feed_title,
            published=item.published,
        )

    def _fetch(self, link: str) -> Document | InputFailure:
        items = list(read_inputs([link], allow_private=self.allow_private, timeout=self.timeout))
        docs = [d for d in items if isinstance(d, Document)]
        if docs:
            return docs[0]
        failure = next((d for d in items if isinstance(d, InputFailure)), None)
        return failure or InputFailure(link, "E008", Errors.E008.format(url=link, detail="empty"))

    def _ingest(self, pending: list[_Pending], report: PollReport) -> None:
        links = [p.item.link if self.fetch_pages else None for p in pending]
        with ThreadPoolExecutor(self.workers) as pool:
            pages = list(pool.map(lambda u: self._fetch(u) if u else None, links))
        ready: list[_Pending] = []
        for p, page in zip(pending, pages, strict=True):
            fetched = page if isinstance(page, Document) else None
            if isinstance(page, InputFailure):
                tries = p.feed.attempts.get(p.item.key, 0) + 1
                p.feed.attempts[p.item.key] = tries
                log.warning("%s (attempt %d of %d)", page.message, tries, self.retries)
                if tries < self.retries:
                    report.retrying += 1
                    continue
            p.doc = self._document(p.item, fetched)
            if p.doc is None:
                report.failed += 1
                p.feed.mark_seen(p.item.key)
                continue
            ready.append(p)
        if not ready:
            return
        extractions: list[Extraction] = []
        outcomes = self.pipeline.run_documents([p.doc for p in ready if p.doc is not None])
        for p, outcome in zip(ready, outcomes, strict=True):
            if outcome.extraction is None:
                if outcome.status == "skipped":
                    report.skipped += 1
                else:
                    report.failed += 1
                log.info("%s %s: %s", outcome.status, outcome.source, outcome.message)
                p.feed.mark_seen(p.item.key)
                continue
            extractions.append(outcome.extraction)
        new: dict[str, Extraction] = {}
        for ex in extractions:  # two entries may link one article
            if ex.article.id not in new and not self.store.has_article(ex.article.id):
                new[ex.article.id] = ex
        try:
            written = self.writer.write(new.values())
        except StoreDown as err:  # e.g. database locked: the entries stay unseen, so retried
            log.error("storing %d articles failed: %s", len(new), err.error)
            report.failed += len(new)
            return
        for ex, problem in written.refused:  # its data, not the database: no retry mends it
            log.warning("%s", Errors.E048.format(source=ex.article.source, detail=problem))
            report.failed += 1
        for p in ready:
            p.feed.mark_seen(p.item.key)
        report.articles_stored += written.articles_added
        report.events_added += written.events_added
        for ex in written.stored:
            self._alert(ex, report)

    # -- alerts ------------------------------------------------------------------------------

    def _alert(self, extraction: Extraction, report: PollReport) -> None:
        matched: dict[str, Alert] = {}
        if not self.rules:
            every = EventFilter(article_id=extraction.article.id, limit=None)
            for ev in self.store.query_events(every):
                matched[ev["id"]] = Alert(["*"], ev)
        for rule in self.rules:
            for ev in self.store.query_events(rule.filter_for(extraction.article.id)):
                if ev["id"] in matched:
                    matched[ev["id"]].rules.append(rule.text)
                else:
                    matched[ev["id"]] = Alert([rule.text], ev)
        report.alerts.extend(matched.values())

    def _deliver(self, report: PollReport) -> None:
        """Hand this poll's alerts to every notifier, after what a target still owes.

        A notifier with a ``target`` (a webhook) keeps what it could not take for the next
        poll, in order; once it is found down, the rest of this poll's alerts wait without
        being tried. An alert it refuses outright (``retryable`` False) is logged and dropped.
        """
        for notify in self.notify:
            target: str | None = getattr(notify, "target", None)
            backlog = [Alert.from_dict(a) for a in self.state.queued(target)] if target else []
            left: list[Alert] = []
            for index, alert in enumerate([*backlog, *report.alerts]):
                if left:
                    left.append(alert)
                    continue
                try:
                    notify(alert)
                    report.delivered_late += index < len(backlog)
                except AlertError as err:
                    log.warning("%s", err)
                    if target is not None and err.retryable:
                        left.append(alert)
                    else:
                        report.notify_failed += 1
                except Exception:  # a broken notifier must not stop the watcher
                    report.notify_failed += 1
                    log.exception("alert delivery failed")
            if target is None:
                continue
            dropped = self.state.keep(target, [a.to_dict() for a in left])
            report.notify_failed += len(left)
            report.queued += len(left) - dropped
            if left:
                log.warning("%s", Warnings.W070.format(
                    count=len(left), target=target, queued=len(left) - dropped))
            if dropped:
                log.warning("%s", Warnings.W071.format(
                    count=dropped, target=target, cap=MAX_QUEUED))

    # -- the loop ----------------------------------------------------------------------------

    def run(
        self,
        every: float,
        *,
        max_polls: int | None = None,
        on_poll: Callable[[PollReport], Any] | None = None,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        """Poll, wait ``every`` seconds, repeat (``max_polls`` times, or until interrupted)."""
        polls = 0
        while True:
            started = time.monotonic()
            try:
                report = self.poll()
            except Exception as err:  # anything unforeseen: log it and try again next time
                log.exception("poll failed")
                report = PollReport(feeds=len(self.feeds), failed=1, error=repr(err))
            polls += 1
            if on_poll is not None:
                on_poll(report)
            if max_polls is not None and polls >= max_polls:
                return
            sleep(max(0.0, every - (time.monotonic() - started)))
