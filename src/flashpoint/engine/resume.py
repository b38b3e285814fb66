"""Resuming a bulk run: skip articles the database already holds, in whichever process cleans them.

``Pipeline.run_documents`` takes a ``skip`` predicate, checked after cleaning (the article id
needs the clean text or URL) and before the NLP, which is where the time goes. A lambda over the
caller's open store cannot travel to worker processes, so ``AlreadyStored`` carries only the
database URL; each process opens its own connection the first time it asks and keeps it for
the rest of its life.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..store import Store, open_store
from ..store.connect import MEMORY, parse_url
from ..types import Article

_STORES: dict[str, Store] = {}


@dataclass(frozen=True, slots=True)
class AlreadyStored:
    """``skip`` predicate: True for an article already in the store at ``url``."""

    url: str

    def __call__(self, article: Article) -> bool:
        store = _STORES.get(self.url)
        if store is None:
            store = _STORES[self.url] = open_store(self.url)
        return store.has_article(article.id)

    @staticmethod
    def shareable(url: str) -> bool:
        """Whether other processes can open ``url`` (an in-memory database is private)."""
        return parse_url(url).location != MEMORY
