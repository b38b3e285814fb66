"""Storing what a run extracted: each batch written and linked into clusters in one transaction.

``flashpoint ingest`` and ``flashpoint watch`` both store through ``BatchWriter``, so whatever
is stored is also clustered, and a crash cannot come between the two: ``Store.add`` and
``link_and_cluster`` share one ``Store.transaction``, so a kill leaves the whole batch stored
and linked, or none of it (and the resumed run extracts it again). ``finish_pending`` links
what an older version, a direct ``Store.add`` or an interrupted ``clusters link`` left unlinked,
so resuming such a database catches up rather than skipping those articles for ever.

A batch the database refuses is retried one article at a time, so only the refused article
fails (``refused``, E048). An error that says the database itself is unusable (disk full, I/O
error, lost connection) raises ``StoreDown``, with how many extracted articles it cost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..dedup import LinkResult, link_and_cluster, link_pending
from ..store import Store
from ..types import Extraction


class StoreDown(Exception):
    """The database refused a write for a reason no article escapes; ends a run.

    ``lost``: the extracted articles not stored because of it.
    """

    def __init__(self, error: Exception, lost: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.lost = lost


def fatal_store_error(err: Exception) -> bool:
    """Whether a failed write means the database itself is unusable (disk full, I/O error,
    lost connection), rather than that one article's data was refused.

    PEP 249 names the exception classes of every database driver, sqlite3 and psycopg alike:
    IntegrityError and DataError are about the rows written; the others about the database.
    """
    names = {cls.__name__ for cls in type(err).__mro__}
    if names & {"IntegrityError", "DataError"}:
        return False
    return isinstance(err, OSError) or bool(names & {"DatabaseError", "InterfaceError"})


@dataclass(slots=True)
class Written:
    """What storing some extractions did; ``+=`` totals a run."""

    articles_added: int = 0
    articles_present: int = 0
    events_added: int = 0
    linked: LinkResult = field(default_factory=LinkResult)
    # Extractions whose article this call stored (for alerts), and those the database refused.
    stored: list[Extraction] = field(default_factory=list)
    refused: list[tuple[Extraction, Exception]] = field(default_factory=list)

    def __iadd__(self, other: Written) -> Written:
        self.articles_added += other.articles_added
        self.articles_present += other.articles_present
        self.events_added += other.events_added
        self.linked += other.linked
        self.stored.extend(other.stored)
        self.refused.extend(other.refused)
        return self


class BatchWriter:
    """Buffers extractions and stores them ``batch_size`` at a time, each batch with its links.

    ``add`` and ``flush`` return what they stored; ``total`` keeps the running counts only (a
    long run would otherwise hold every extraction it stored).
    """

    def __init__(self, store: Store, batch_size: int = 64) -> None:
        self.store = store
        self.batch_size = max(int(batch_size), 1)
        self.pending: list[Extraction] = []
        self.total = Written()

    def finish_pending(self) -> LinkResult:
        """Link every stored article not linked yet (what an interrupted run left behind)."""
        try:
            return link_pending(self.store)
        except Exception as err:
            raise StoreDown(err, 0) from err

    def add(self, extraction: Extraction) -> Written | None:
        """Buffer one extraction; store the batch once it is full (then return what it did)."""
        self.pending.append(extraction)
        if len(self.pending) >= self.batch_size:
            return self.flush()
        return None

    def flush(self) -> Written:
        """Store what is buffered."""
        batch, self.pending = self.pending, []
        return self.write(batch)

    def write(self, extractions: Iterable[Extraction]) -> Written:
        """Store these extractions now, as one transaction (one per article if it is refused)."""
        batch = list(extractions)
        if not batch:
            return Written()
        try:
            done = self._commit(batch)
        except Exception as err:
            if fatal_store_error(err):
                raise StoreDown(err, len(batch)) from err
            # one article's data was refused and the transaction rolled back: store the
            # articles one by one, so that only the refused one fails
            done = Written()
            for index, ex in enumerate(batch):
                try:
                    done += self._commit([ex])
                except Exception as one:
                    if fatal_store_error(one):
                        self._tally(done)  # what was stored before the database gave out
                        raise StoreDown(one, len(batch) - index) from one
                    done.refused.append((ex, one))
        self._tally(done)
        return done

    def _tally(self, done: Written) -> None:
        self.total += Written(
            done.articles_added, done.articles_present, done.events_added, done.linked
        )

    def _commit(self, batch: list[Extraction]) -> Written:
        with self.store.transaction():
            known = {aid for aid in (ex.article.id for ex in batch) if self.store.has_article(aid)}
            result = self.store.add(batch)
            # syndicated copies and reports of the same event join their clusters now, in the
            # transaction that stores them
            linked = link_and_cluster(self.store, [ex.article.id for ex in batch])
        fresh: dict[str, Extraction] = {}
        for ex in batch:
            if ex.article.id not in known:
                fresh.setdefault(ex.article.id, ex)
        return Written(
            articles_added=result.articles_added,
            articles_present=result.articles_skipped,
            events_added=result.events_added,
            linked=linked,
            stored=list(fresh.values()),
        )
