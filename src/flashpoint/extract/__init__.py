"""The extract stage: a parsed article in, contract events (and quotes) out."""

from __future__ import annotations

from ..nlp import ParsedArticle
from ..types import Extraction
from .assemble import extract_events


def extract(parsed: ParsedArticle) -> Extraction:
    events, quotes = extract_events(parsed)
    return Extraction(parsed.article, events, quotes)


__all__ = ["extract"]
