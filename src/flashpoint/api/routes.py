"""The JSON API under ``/api``: events (list, one, exports), canonical events (clusters: list,
one, split, merge), map points, a per-day timeline, actors, articles and store statistics.
Every route goes through the store's filter, query and cluster methods, so all SQL stays in
the store with its values bound. Edits (split, merge) answer 403 unless the app was created
with ``allow_edits``."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from ..dedup import merge_clusters, split_event
from ..errors import Errors, FlashpointError
from ..export import ASSERTED_ONLY, batched, pieces
from ..store import EventFilter, Store
from ..store import pages as paging
from ..store import web as web_queries
from .detail import event_detail
from .params import (
    MAX_POINTS,
    PAGING_RULE,
    export_filter,
    list_filter,
    strict_query,
    unpaged_filter,
)
from .paths import hide_path, hide_paths, local_name

router = APIRouter(prefix="/api", dependencies=[Depends(strict_query)])

_ID = Path(min_length=1, max_length=128, description="Identifier as the API returns it.")
EventId = Annotated[str, _ID]
ArticleId = Annotated[str, _ID]


class NotFound(FlashpointError):
    """A well-formed request for something the store does not hold (404)."""


class Forbidden(FlashpointError):
    """An edit on a server started read-only (403)."""


class Conflict(FlashpointError):
    """An edit the data does not allow, e.g. splitting a one-report cluster (409)."""


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]
PageFilter = Annotated[EventFilter, Depends(list_filter)]
ExportFilter = Annotated[EventFilter, Depends(export_filter)]
AllFilter = Annotated[EventFilter, Depends(unpaged_filter)]


@router.get(
    "/events",
    tags=["events"],
    summary="Events matching the filters, newest first, one page",
    description=PAGING_RULE,
)
def list_events(store: StoreDep, flt: PageFilter, response: Response) -> dict[str, Any]:
    """Each event is its contract dict plus ``article`` metadata, ``cluster_id`` and
    ``source_count``. ``total`` counts all matches; ``next_cursor`` (and ``next_offset``) are
    null on the last page."""
    page = paging.events_page(store, flt)
    for event in page.items:
        hide_path(event)
    return _page(flt, store.count_events(flt), "events", page, response)


def _page(
    flt: EventFilter, total: int, key: str, page: paging.Page, response: Response
) -> dict[str, Any]:
    end = flt.offset + len(page.items)
    response.headers["X-Total-Count"] = str(total)
    if page.next_cursor:
        response.headers["X-Next-Cursor"] = page.next_cursor
    return {
        "total": total,
        "limit": flt.limit,
        "offset": flt.offset,
        "next_cursor": page.next_cursor,
        # an offset means nothing after a cursor: page on with next_cursor
        "next_offset": end if page.next_cursor and flt.cursor is None else None,
        key: page.items,
    }


class ExportFormat(StrEnum):
    csv = "csv"
    acled = "acled"
    ucdp = "ucdp"
    geojson = "geojson"
    json = "json"
    plover = "plover"


# media type and download name of each export
_EXPORTS = {
    ExportFormat.csv: ("text/csv; charset=utf-8", "events.csv"),
    ExportFormat.acled: ("text/csv; charset=utf-8", "events-acled.csv"),
    ExportFormat.ucdp: ("text/csv; charset=utf-8", "events-ucdp.csv"),
    ExportFormat.geojson: ("application/geo+json", "events.geojson"),
    ExportFormat.json: ("application/json", "events.json"),
    ExportFormat.plover: ("application/x-ndjson", "events-plover.jsonl"),
}


@router.get(
    "/events.{fmt}",
    tags=["exports"],
    summary="Export every matching event, streamed: csv (ACLED's columns and Flashpoint's), "
    "acled, ucdp (UCDP GED), geojson, json, plover (JSON Lines)",
    description=PAGING_RULE,
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                media: {} for media in sorted({m for m, _ in _EXPORTS.values()})
            }
        }
    },
)
def export_events(
    store: StoreDep,
    fmt: ExportFormat,
    flt: ExportFilter,
    spreadsheet_safe: Annotated[
        bool,
        Query(
            description="CSV formats: prefix cells a spreadsheet would run as formulas with ' "
            "(the default; false gives the text unaltered)."
        ),
    ] = True,
    all_modalities: Annotated[
        bool,
        Query(
            description="acled and ucdp: also export events that did not happen as reported "
            "(negated, future, threat, hypothetical, denied); by default only asserted ones."
        ),
    ] = False,
) -> StreamingResponse:
    """Written page by page as the store is read, in constant memory at any size.
    ``X-Total-Count`` counts the matching events (GeoJSON has no feature for events without
    coordinates, UCDP no row for events that are not organised violence)."""
    if fmt.value in ASSERTED_ONLY and not all_modalities and flt.modality is None:
        flt = replace(flt, modality="asserted")
    total = store.count_events(flt)
    media, name = _EXPORTS[fmt]
    events = hide_paths(paging.iter_events(store, flt))
    body = pieces(events, fmt.value, spreadsheet_safe=spreadsheet_safe)
    return StreamingResponse(
        batched(body),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Total-Count": str(total),
        },
    )


@router.get(
    "/events/{event_id}", tags=["events"], summary="One event with its mentions, sources and links"
)
def get_event(store: StoreDep, event_id: EventId) -> dict[str, Any]:
    """The event's contract dict plus ``mentions`` (each report: article and evidence sentences,
    each with ``marks``, the extracted spans as sentence offsets), ``sources`` (article metadata)
    and ``related_events`` (links either way, with a summary of the other event)."""
    event = store.get_event(event_id)
    if event is None:
        raise NotFound(Errors.E042.format(id=event_id))
    detail = event_detail(store, event)
    for record in (detail, *detail["mentions"]):
        hide_path(record)
    return detail


@router.get(
    "/clusters",
    tags=["clusters"],
    summary="Canonical events (one per real-world event), newest first, one page",
    description=PAGING_RULE,
)
def list_clusters(store: StoreDep, flt: PageFilter, response: Response) -> dict[str, Any]:
    """Each canonical event is fused from its reports: ``mentions`` (every member event),
    ``sources`` (every reporting article), ``source_count`` (independent sources, near-copies
    collapsed). The event filters select clusters with a matching member; ``min_sources``
    counts independent sources. Paged like ``/api/events``."""
    page = paging.clusters_page(store, flt)
    return _page(flt, store.count_clusters(flt), "clusters", page, response)


@router.get(
    "/clusters/{cluster_id}",
    tags=["clusters"],
    summary="One canonical event (by its id or any member event id), with its edit history",
)
def get_cluster(store: StoreDep, cluster_id: EventId) -> dict[str, Any]:
    found = store.get_cluster(cluster_id)
    if found is None:
        raise NotFound(Errors.E045.format(id=cluster_id))
    return {**found, "history": store.cluster_history(found["id"])}


class SplitRequest(BaseModel):
    event_id: str = Field(min_length=1, max_length=128, description="The report to take out.")
    note: str | None = Field(default=None, max_length=2000, description="Why (audit trail).")


class MergeRequest(BaseModel):
    into: str = Field(min_length=1, max_length=128, description="Cluster (or event) that stays.")
    other: str = Field(min_length=1, max_length=128, description="Cluster (or event) absorbed.")
    note: str | None = Field(default=None, max_length=2000, description="Why (audit trail).")


def _editable(request: Request) -> None:
    if not getattr(request.app.state, "allow_edits", False):
        raise Forbidden(Errors.E047)


def _edit(action: Any) -> dict[str, Any]:
    try:
        result: dict[str, Any] = action()
    except FlashpointError as err:
        if err.code == "E045":
            raise NotFound(str(err)) from err
        if err.code == "E046":
            raise Conflict(str(err)) from err
        raise
    return result


@router.post(
    "/clusters/split",
    tags=["clusters"],
    summary="Take one report out of its cluster (kept out by later linking)",
    dependencies=[Depends(_editable)],
)
def split_cluster(store: StoreDep, body: SplitRequest) -> dict[str, Any]:
    """Reversible with ``/api/clusters/merge``; recorded in the cluster's history."""
    return _edit(lambda: split_event(store, body.event_id, note=body.note))


@router.post(
    "/clusters/merge",
    tags=["clusters"],
    summary="Merge two clusters into one canonical event (kept merged by later linking)",
    dependencies=[Depends(_editable)],
)
def merge_cluster(store: StoreDep, body: MergeRequest) -> dict[str, Any]:
    return _edit(lambda: merge_clusters(store, body.into, body.other, note=body.note))


@router.get("/points", tags=["dashboard"], summary="Located events as compact map points")
def list_points(
    store: StoreDep,
    flt: AllFilter,
    limit: Annotated[
        int, Query(ge=1, le=MAX_POINTS, description=f"At most this many points (≤ {MAX_POINTS}).")
    ] = 20_000,
) -> dict[str, Any]:
    """``total`` counts every matching event, ``located`` those with coordinates; ``truncated``
    says the newest ``limit`` of them were returned."""
    pts = web_queries.points(store, flt, limit)
    located = web_queries.count_located(store, flt)
    return {
        "total": store.count_events(flt),
        "located": located,
        "truncated": located > len(pts),
        "points": pts,
    }


@router.get("/timeline", tags=["dashboard"], summary="Matching events counted by start day")
def timeline(store: StoreDep, flt: AllFilter) -> dict[str, Any]:
    days, undated = web_queries.per_day(store, flt)
    return {"days": [{"date": d, "count": n} for d, n in days], "undated": undated}


@router.get("/actors", tags=["actors"], summary="Actors by number of events")
def list_actors(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many actors.")] = 100,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Only names containing this (case-insensitive)."),
    ] = None,
) -> dict[str, Any]:
    """Canonical names with their usual kind and country and how often each is source/target."""
    needle = (q or "").strip().casefold()
    if not needle:
        return {"actors": store.actors(limit)}
    # The store ranks every name; the substring filter applies before the limit.
    matches = [a for a in store.actors(limit=1_000_000) if needle in a["name"].casefold()]
    return {"actors": matches[:limit]}


@router.get(
    "/articles/{article_id}",
    tags=["articles"],
    summary="One article: metadata, clean text, event ids",
)
def get_article(store: StoreDep, article_id: ArticleId) -> dict[str, Any]:
    """Every span in the API is an offset into this ``text``."""
    article = store.get_article(article_id)
    if article is None:
        raise NotFound(Errors.E072.format(id=article_id))
    article["source"] = local_name(article.get("source"))
    return article


@router.get(
    "/stats", tags=["dashboard"], summary="Totals and breakdowns by type, modality and country"
)
def stats(store: StoreDep) -> dict[str, Any]:
    out = store.stats()
    out.pop("url", None)  # a local file path is nobody's business over HTTP
    return out
