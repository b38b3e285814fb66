"""The extract stage: a parsed article in, contract events (and quotes) out."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from ..nlp import ParsedArticle
from ..resolve.actors import ActorRegistry
from ..types import Extraction
from .assemble import extract_events


@lru_cache(maxsize=8)
def registry_for(actor_files: tuple[Path, ...]) -> ActorRegistry:
    """The shipped actor registry plus a user's files (``FLASHPOINT_ACTORS``), built once."""
    return ActorRegistry.load(actor_files) if actor_files else ActorRegistry.default()


def extract(parsed: ParsedArticle, actor_files: Sequence[Path] = ()) -> Extraction:
    events, quotes = extract_events(parsed, registry=registry_for(tuple(actor_files)))
    return Extraction(parsed.article, events, quotes)


__all__ = ["extract", "registry_for"]
