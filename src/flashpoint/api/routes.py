"""The JSON API under ``/api``: events (list, one, exports), canonical events (clusters: list,
one, split, merge), map points, a per-day timeline, actors, articles and store statistics.
Every route goes through the store's filter, query and cluster methods, so all SQL stays in
the store with its values bound. Edits (split, merge) answer 403 unless the app was created
with ``allow_edits``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ..errors import Errors, FlashpointError
from ..export import to_csv, to_geojson, to_json
from ..store import EventFilter, Store
from ..store import web as web_queries
from .detail import event_detail
from .params import MAX_EXPORT, MAX_PAGE, MAX_POINTS, paged_filter, strict_query, unpaged_filter

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
PageFilter = Annotated[EventFilter, Depends(paged_filter(default=50, maximum=MAX_PAGE))]
ExportFilter = Annotated[EventFilter, Depends(paged_filter(default=1000, maximum=MAX_EXPORT))]
AllFilter = Annotated[EventFilter, Depends(unpaged_filter)]


@router.get(
    "/events", tags=["events"], summary="Events matching the filters, newest first, one page"
)
def list_events(store: StoreDep, flt: PageFilter) -> dict[str, Any]:
    """Each event is its contract dict plus ``article`` metadata, ``cluster_id`` and
    ``source_count``. ``total`` counts all matches; ``next_offset`` is null on the last page."""
    return _page(flt, store.count_events(flt), "events", store.query_events(flt))


def _page(flt: EventFilter, total: int, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    end = flt.offset + len(items)
    return {
        "total": total,
        "limit": flt.limit,
        "offset": flt.offset,
        "next_offset": end if end < total and items else None,
        key: items,
    }


def _attachment(body: str, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/events.csv",
    tags=["exports"],
    summary="Export as ACLED-style CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(
    store: StoreDep,
    flt: ExportFilter,
    spreadsheet_safe: Annotated[
        bool,
        Query(
            description="Prefix cells a spreadsheet would run as formulas with ' (the default; "
            "false gives the text unaltered)."
        ),
    ] = True,
) -> Response:
    """ACLED columns, UCDP-style death ranges, then Flashpoint's own fields (see the export
    module for the full list)."""
    body = to_csv(store.query_events(flt), spreadsheet_safe=spreadsheet_safe)
    return _attachment(body, "text/csv; charset=utf-8", "events.csv")


@router.get(
    "/events.geojson",
    tags=["exports"],
    summary="Export located events as a GeoJSON FeatureCollection",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def export_geojson(store: StoreDep, flt: ExportFilter) -> Response:
    return _attachment(
        to_geojson(store.query_events(flt)), "application/geo+json", "events.geojson"
    )


@router.get(
    "/events.json",
    tags=["exports"],
    summary="Export as contract JSON",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}}},
)
def export_json(store: StoreDep, flt: ExportFilter) -> Response:
    return _attachment(to_json(store.query_events(flt)), "application/json", "events.json")


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
    return event_detail(store, event)


@router.get(
    "/clusters",
    tags=["clusters"],
    summary="Canonical events (one per real-world event), newest first, one page",
)
def list_clusters(store: StoreDep, flt: PageFilter) -> dict[str, Any]:
    """Each canonical event is fused from its reports: ``mentions`` (every member event),
    ``sources`` (every reporting article), ``source_count`` (independent sources, near-copies
    collapsed). The event filters select clusters with a matching member; ``min_sources``
    counts independent sources."""
    return _page(flt, store.count_clusters(flt), "clusters", store.query_clusters(flt))


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
    return _edit(lambda: store.split_event(body.event_id, note=body.note))


@router.post(
    "/clusters/merge",
    tags=["clusters"],
    summary="Merge two clusters into one canonical event (kept merged by later linking)",
    dependencies=[Depends(_editable)],
)
def merge_cluster(store: StoreDep, body: MergeRequest) -> dict[str, Any]:
    return _edit(lambda: store.merge_clusters(body.into, body.other, note=body.note))


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
    return article


@router.get(
    "/stats", tags=["dashboard"], summary="Totals and breakdowns by type, modality and country"
)
def stats(store: StoreDep) -> dict[str, Any]:
    out = store.stats()
    out.pop("url", None)  # a local file path is nobody's business over HTTP
    return out
