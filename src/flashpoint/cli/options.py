"""Command-line options several commands share, declared once so their names and help agree.

The event filters are the store's (``store.filters``): their help comes from ``FILTER_HELP``
and every command turns them into an ``EventFilter`` through ``event_filter``, so ``flashpoint
events``, ``flashpoint clusters list`` and the HTTP API accept and refuse exactly the same
values. A refused filter is a usage error: message E070, exit code 2, like any bad option.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..store.filters import FILTER_HELP

if TYPE_CHECKING:
    from ..store import EventFilter

DbOption = Annotated[
    str, typer.Option(help="Database: a SQLite path or URL.", metavar="PATH|URL")
]
Since = Annotated[str | None, typer.Option(help=FILTER_HELP["since"], metavar="YYYY-MM-DD")]
Until = Annotated[str | None, typer.Option(help=FILTER_HELP["until"], metavar="YYYY-MM-DD")]
Country = Annotated[str | None, typer.Option(help=FILTER_HELP["country"], metavar="ISO3")]
EventType = Annotated[
    str | None, typer.Option("--type", help=FILTER_HELP["type"], metavar="TYPE")
]
Mode = Annotated[str | None, typer.Option(help=FILTER_HELP["mode"], metavar="MODE")]
Modality = Annotated[
    str | None, typer.Option(help=FILTER_HELP["modality"], metavar="MODALITY")
]
ActorText = Annotated[str | None, typer.Option(help=FILTER_HELP["actor"], metavar="TEXT")]
ActorKind = Annotated[str | None, typer.Option(help=FILTER_HELP["actor_kind"], metavar="KIND")]
FullText = Annotated[str | None, typer.Option(help=FILTER_HELP["text"], metavar="WORDS")]
BBox = Annotated[
    str | None, typer.Option(help=FILTER_HELP["bbox"], metavar="W,S,E,N")
]
MinSources = Annotated[int | None, typer.Option(help=FILTER_HELP["min_sources"], metavar="N")]
SubEventType = Annotated[
    str | None, typer.Option(help=FILTER_HELP["sub_event_type"], metavar="SUBTYPE")
]
Precision = Annotated[
    str | None, typer.Option(help=FILTER_HELP["precision"], metavar="LEVEL[,LEVEL...]")
]
Offset = Annotated[int, typer.Option(help=FILTER_HELP["offset"], metavar="N")]
Cursor = Annotated[str | None, typer.Option(help=FILTER_HELP["cursor"], metavar="TOKEN")]


def event_filter(
    *,
    limit: int | None,
    since: str | None = None,
    until: str | None = None,
    country: str | None = None,
    type_: str | None = None,
    mode: str | None = None,
    modality: str | None = None,
    actor: str | None = None,
    actor_kind: str | None = None,
    text: str | None = None,
    bbox: str | None = None,
    min_sources: int | None = None,
    sub_event_type: str | None = None,
    precision: str | None = None,
    offset: int = 0,
    cursor: str | None = None,
) -> EventFilter:
    """The ``EventFilter`` for these options; a refused value exits with a usage error (2).

    ``limit``: None or 0 for every match (``--limit 0`` once printed nothing at all).
    """
    from ..store import EventFilter, InvalidFilter

    raw: dict[str, str | None] = {
        "since": since, "until": until, "country": country, "type": type_, "mode": mode,
        "modality": modality, "actor": actor, "actor_kind": actor_kind, "text": text,
        "bbox": bbox, "sub_event_type": sub_event_type, "precision": precision,
        "cursor": cursor,
        "min_sources": None if min_sources is None else str(min_sources),
        "offset": str(offset),
    }
    if limit is not None and limit < 0:
        raw["limit"] = str(limit)  # refused with the same message as elsewhere
    try:
        flt = EventFilter.from_params(raw)
    except InvalidFilter as err:
        raise typer.BadParameter(str(err)) from None
    flt.limit = limit or None
    return flt
