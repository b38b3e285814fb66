"""Query parameters: declared once for the OpenAPI docs, validated by ``EventFilter``.

Filter values arrive as text and go through ``EventFilter.from_params``, so the API rejects
exactly what the CLI and the library reject, with the same E070 message; their descriptions are
the store's ``FILTER_HELP``, the same text ``flashpoint events --help`` shows. Unknown or
repeated parameters are errors too: a typo such as ``?contry=IRQ`` silently widening a query to
every country is worse than a 400.

One paging rule for every list and export (``PAGING_RULE``).
"""

from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from ..errors import Errors
from ..store import EventFilter, InvalidFilter
from ..store.filters import FILTER_HELP

DEFAULT_PAGE = 50
"""Rows a list returns when no ``limit`` is given."""
MAX_PAGE = 500
"""Most rows one list page may ask for."""
MAX_POINTS = 50_000
"""Most map points one request may ask for."""
MAX_OFFSET = 10_000_000

PAGING_RULE = (
    f"Lists (`/api/events`, `/api/clusters`) return one page: `limit` rows (default "
    f"{DEFAULT_PAGE}, at most {MAX_PAGE}); exports (`/api/events.{{format}}`) stream every "
    "match unless `limit` is given (0 also means every match). Every list and export sends "
    "the number of matches in the `X-Total-Count` header. To page, pass the `next_cursor` of "
    "a page (also sent as `X-Next-Cursor`) back as `cursor`: a keyset cursor, stable while "
    "events are added and as fast on the last page as on the first; `offset` works too."
)


def _q(name: str, **extra: Any) -> Any:
    return Query(description=FILTER_HELP[name], **extra)


Since = Annotated[str | None, _q("since", examples=["2024-01-01"])]
Until = Annotated[str | None, _q("until", examples=["2024-01-31"])]
BBox = Annotated[str | None, _q("bbox", examples=["38.7,29.0,48.6,37.4"])]
Country = Annotated[str | None, _q("country", examples=["IRQ"])]
Type = Annotated[str | None, _q("type", examples=["ASSAULT"])]
Mode = Annotated[str | None, _q("mode")]
Modality = Annotated[str | None, _q("modality")]
ActorName = Annotated[str | None, _q("actor")]
ActorKind = Annotated[str | None, _q("actor_kind")]
Text = Annotated[str | None, _q("text", examples=["missile"])]
MinSources = Annotated[int | None, _q("min_sources", ge=1)]
SubEventType = Annotated[str | None, _q("sub_event_type", examples=["Air/drone strike"])]
Precision = Annotated[str | None, _q("precision", examples=["site,city"])]
ArticleId = Annotated[str | None, _q("article_id")]
Offset = Annotated[int, _q("offset", ge=0, le=MAX_OFFSET)]
Cursor = Annotated[str | None, _q("cursor", max_length=1000)]


def unpaged_filter(
    since: Since = None,
    until: Until = None,
    bbox: BBox = None,
    country: Country = None,
    type: Type = None,
    mode: Mode = None,
    modality: Modality = None,
    actor: ActorName = None,
    actor_kind: ActorKind = None,
    text: Text = None,
    min_sources: MinSources = None,
    sub_event_type: SubEventType = None,
    precision: Precision = None,
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
            "actor_kind": actor_kind,
            "text": text,
            "min_sources": None if min_sources is None else str(min_sources),
            "sub_event_type": sub_event_type,
            "precision": precision,
            "article_id": article_id,
        }
    )
    flt.limit = None
    return flt


def _paged(base: EventFilter, limit: int | None, offset: int, cursor: str | None) -> EventFilter:
    return replace(base, limit=limit, offset=offset, cursor=cursor)  # validated again (E070)


def list_filter(
    base: Annotated[EventFilter, Depends(unpaged_filter)],
    limit: Annotated[
        int,
        Query(ge=1, le=MAX_PAGE, description=f"Rows per page (default {DEFAULT_PAGE}, at most "
              f"{MAX_PAGE})."),
    ] = DEFAULT_PAGE,
    offset: Offset = 0,
    cursor: Cursor = None,
) -> EventFilter:
    """Every filter (``unpaged_filter``) plus one page: ``limit``, ``offset`` or ``cursor``."""
    return _paged(base, limit, offset, cursor)


def export_filter(
    base: Annotated[EventFilter, Depends(unpaged_filter)],
    limit: Annotated[
        int | None, Query(ge=0, description="At most this many (absent or 0: every match).")
    ] = None,
    offset: Offset = 0,
    cursor: Cursor = None,
) -> EventFilter:
    """Every filter plus an optional cap: an export streams every match by default."""
    return _paged(base, limit or None, offset, cursor)


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
