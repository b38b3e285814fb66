"""Query parameters: declared once for the OpenAPI docs, validated by ``EventFilter``.

Filter values arrive as text and go through ``EventFilter.from_params``, so the API rejects
exactly what the CLI and the library reject, with the same E070 message. Unknown or repeated
parameters are errors too: a typo such as ``?contry=IRQ`` silently widening a query to every
country is worse than a 400.
"""

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from ..errors import Errors
from ..store import EventFilter, InvalidFilter

MAX_PAGE = 500
"""Most events one ``/api/events`` page may ask for."""
MAX_EXPORT = 10_000
"""Most events one export may ask for; page through larger sets with ``offset``."""
MAX_POINTS = 50_000
"""Most map points one request may ask for."""
MAX_OFFSET = 10_000_000

Since = Annotated[
    str | None,
    Query(
        description="Events still going on at or after this day (YYYY-MM-DD).",
        examples=["2024-01-01"],
    ),
]
Until = Annotated[
    str | None,
    Query(description="Events begun at or before this day (YYYY-MM-DD).", examples=["2024-01-31"]),
]
BBox = Annotated[
    str | None,
    Query(
        description="min_lon,min_lat,max_lon,max_lat; min_lon > max_lon crosses the antimeridian.",
        examples=["38.7,29.0,48.6,37.4"],
    ),
]
Country = Annotated[
    str | None,
    Query(description="Country of the event location, ISO 3166 alpha-3.", examples=["IRQ"]),
]
Type = Annotated[str | None, Query(description="PLOVER event type.", examples=["ASSAULT"])]
Mode = Annotated[str | None, Query(description="Event mode, e.g. airstrike, drone, shelling.")]
Modality = Annotated[
    str | None,
    Query(description="asserted, negated, future, hypothetical, threat or denied."),
]
ActorName = Annotated[
    str | None, Query(description="Actor name or text, a case-insensitive substring.")
]
Text = Annotated[
    str | None,
    Query(
        description='Full-text search in evidence sentences (all words; "quoted phrase"; prefix*).',
        examples=["missile"],
    ),
]
MinSources = Annotated[
    int | None, Query(ge=1, description="Only events reported by at least this many articles.")
]
ArticleId = Annotated[str | None, Query(description="Only events reported by this article.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Events to skip (paging).")]


def unpaged_filter(
    since: Since = None,
    until: Until = None,
    bbox: BBox = None,
    country: Country = None,
    type: Type = None,
    mode: Mode = None,
    modality: Modality = None,
    actor: ActorName = None,
    text: Text = None,
    min_sources: MinSources = None,
    article_id: ArticleId = None,
) -> EventFilter:
    """Every filter, no paging: for aggregates over all matching events."""
    flt = EventFilter.from_params(
        {
            "since": since,
            "until": until,
            "bbox": bbox,
            "country": country,
            "type": type,
            "mode": mode,
            "modality": modality,
            "actor": actor,
            "text": text,
            "min_sources": None if min_sources is None else str(min_sources),
            "article_id": article_id,
        }
    )
    flt.limit = None
    return flt


def paged_filter(default: int, maximum: int) -> Callable[..., EventFilter]:
    """A dependency reading every filter (``unpaged_filter``) plus ``limit`` (≤ ``maximum``)
    and ``offset``."""

    def dependency(
        base: Annotated[EventFilter, Depends(unpaged_filter)],
        limit: Annotated[
            int, Query(ge=0, le=maximum, description=f"Events per page, at most {maximum}.")
        ] = default,
        offset: Offset = 0,
    ) -> EventFilter:
        return replace(base, limit=limit, offset=offset)

    return dependency


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def strict_query(request: Request) -> None:
    """Reject query parameters the matched route does not declare, and repeated ones."""
    route: Any = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = _query_names(route.dependant)  # a few dozen names; no cache to go stale
    params = request.query_params
    for name in params:
        if name not in declared:
            choices = ", ".join(sorted(declared)) or "none"
            raise InvalidFilter(
                Errors.E070.format(
                    name=name,
                    value=params[name],
                    detail=f"unknown parameter; choose from {choices}",
                )
            )
        if len(params.getlist(name)) > 1:
            raise InvalidFilter(
                Errors.E070.format(
                    name=name, value=params.getlist(name), detail="given more than once"
                )
            )
