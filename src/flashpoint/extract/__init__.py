"""The extract stage: a parsed article in, contract events (and quotes) out."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from ..nlp import ParsedArticle
from ..resolve.actors import ActorRegistry
from ..types import Extraction
from .assemble import extract_events
from .coder import Coder, default_coder


@lru_cache(maxsize=8)
def registry_for(actor_files: tuple[Path, ...]) -> ActorRegistry:
    """The shipped actor registry plus a user's files (``FLASHPOINT_ACTORS``), built once."""
    return ActorRegistry.load(actor_files) if actor_files else ActorRegistry.default()


def extract(
    parsed: ParsedArticle, actor_files: Sequence[Path] = (), coder: Coder | None = None
) -> Extraction:
    """Events and quotes of one parsed article; ``coder`` None codes with the lexicon alone."""
    events, quotes = extract_events(parsed, registry=registry_for(tuple(actor_files)), coder=coder)
    return Extraction(parsed.article, events, quotes)


__all__ = ["default_coder", "extract", "registry_for"]
