"""GeoJSON (RFC 7946) FeatureCollection: one Point per event that has usable coordinates.

Coordinates are ``[longitude, latitude]`` as the RFC requires. Properties are the flat summary
from ``fields.summary`` (scalars only, so GIS tools show them as attribute columns); the feature
``id`` is the event id. Events without a location are left out; callers that need to report
them can compare counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from . import fields
from .stream import Pieces


def feature(ev: dict[str, Any]) -> dict[str, Any] | None:
    """The event's Feature, or None when it has no usable point."""
    point = fields.coordinates(ev)
    if point is None:
        return None
    return {
        "type": "Feature",
        "id": ev.get("id"),
        "geometry": {"type": "Point", "coordinates": [point[0], point[1]]},
        "properties": fields.summary(ev),
    }


def iter_geojson(events: Iterable[dict[str, Any]]) -> Pieces:
    """The FeatureCollection, feature by feature; returns the features (events without a
    usable point are left out)."""
    yield '{"type": "FeatureCollection", "features": ['
    written = 0
    for ev in events:
        feat = feature(ev)
        if feat is None:
            continue
        yield ("\n" if not written else ",\n") + json.dumps(
            feat, ensure_ascii=False, allow_nan=False
        )
        written += 1
    yield "\n]}\n"
    return written


def to_geojson(events: Iterable[dict[str, Any]]) -> str:
    return "".join(iter_geojson(events))
