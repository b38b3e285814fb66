"""Geocoding: a GeoNames-derived gazetteer and context-aware toponym resolution.

``resolve_places(text, spans)`` turns toponym spans into ``Location``s; ``find_toponyms(text)``
spots the multiword places (bases, seas, territories, "western Iraq") that NER misses;
``Gazetteer.default()`` gives direct access to the indexed gazetteer.
"""

from __future__ import annotations

from .gazetteer import Gazetteer, Match, Place, haversine_km
from .matcher import country_cues, find_toponyms
from .names import loose_key, strict_key
from .resolver import prior, resolve_place, resolve_places

__all__ = [
    "Gazetteer",
    "Match",
    "Place",
    "country_cues",
    "find_toponyms",
    "haversine_km",
    "loose_key",
    "prior",
    "resolve_place",
    "resolve_places",
    "strict_key",
]
