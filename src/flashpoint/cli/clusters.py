"""``flashpoint clusters``: canonical events across outlets, and fixing wrong merges by hand.

    flashpoint clusters list --country IRQ --min-sources 3
    flashpoint clusters show EVENT_OR_CLUSTER_ID
    flashpoint clusters split EVENT_ID        # take a wrongly merged report out (kept out)
    flashpoint clusters merge ID_A ID_B       # force two clusters together (kept together)
    flashpoint clusters link                  # cluster a store filled before linking existed
    flashpoint clusters recluster             # redo all automatic decisions (keeps manual ones)

Registered on the main app in ``cli/__init__.py``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ..errors import Errors
from .options import (
    ActorKind,
    ActorText,
    BBox,
    Country,
    Cursor,
    DbOption,
    EventType,
    FullText,
    MinSources,
    Modality,
    Mode,
    Offset,
    Precision,
    Since,
    SubEventType,
    Until,
)

if TYPE_CHECKING:
    from ..store import Store

clusters_app = typer.Typer(
    no_args_is_help=True,
    help="Canonical events (one per real-world event, all its reports): list, show, split, merge.",
)
err_console = Console(stderr=True)

FORMATS = ("table", "json")
TABLE_LIMIT = 50
"""Clusters the table shows when no --limit is given (json lists every match)."""


class ListFormat(StrEnum):
    table = "table"
    json = "json"


def _open(db: str) -> Store:
    from ..store import open_store  # imported here so the rest of the CLI starts fast

    if "://" not in db and db != ":memory:" and not Path(db).expanduser().exists():
        raise typer.BadParameter(f"no database at {db} (create one with flashpoint ingest)")
    return open_store(db)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise typer.BadParameter(Errors.E071.format(fmt=fmt, choices=", ".join(FORMATS)))


def _json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _figure(count: dict[str, Any] | None) -> str:
    if not count:
        return ""
    low, best, high = count.get("low"), count.get("best"), count.get("high")
    if low is not None and high is not None and low != high:
        return f"{best} ({low}-{high})"
    return str(best if best is not None else low if low is not None else high)


CLUSTER_COLUMNS = (
    "cluster", "date", "type", "mode", "location", "sources", "mentions", "killed", "injured",
    "actors",
)


def _row(c: dict[str, Any]) -> tuple[str, ...]:
    loc = c.get("location") or {}
    return (
        c["id"],
        c["date"].get("start") or "?",
        c["type"],
        c.get("mode") or "",
        f"{loc.get('name', '')} ({loc.get('country') or '?'}, {loc.get('precision')})"
        if loc else "",
        str(c["source_count"]),
        str(c["mention_count"]),
        _figure(c["casualties"].get("killed")),
        _figure(c["casualties"].get("injured")),
        ", ".join(f"{a['role'][0]}:{a['name']}" for a in c["actors"][:4]),
    )


def _table(clusters: list[dict[str, Any]]) -> Table:
    table = Table(*CLUSTER_COLUMNS)
    for c in clusters:
        table.add_row(*_row(c))
    return table


@clusters_app.command("list")
def list_(
    db: DbOption = "events.db",
    since: Since = None,
    until: Until = None,
    country: Country = None,
    type_: EventType = None,
    mode: Mode = None,
    modality: Modality = None,
    actor: ActorText = None,
    actor_kind: ActorKind = None,
    text: FullText = None,
    bbox: BBox = None,
    min_sources: MinSources = None,
    sub_event_type: SubEventType = None,
    precision: Precision = None,
    limit: Annotated[
        int | None,
        typer.Option(
            help=f"At most N clusters; 0: no limit. Default: {TABLE_LIMIT} for the table, "
            "every match for json.",
            metavar="N",
        ),
    ] = None,
    offset: Offset = 0,
    cursor: Cursor = None,
    fmt: Annotated[
        ListFormat,
        typer.Option(
            "--format", "-f", case_sensitive=False, help="table (TSV when piped) or json (a list)"
        ),
    ] = ListFormat.table,
) -> None:
    """Canonical events, newest first (filters apply to any of their reports; --min-sources
    counts independent sources)."""
    from ..store.pages import clusters_page, iter_clusters
    from .events import open_database
    from .options import event_filter
    from .output import print_table

    flt = event_filter(
        limit=limit, since=since, until=until, country=country, type_=type_, mode=mode,
        modality=modality, actor=actor, actor_kind=actor_kind, text=text, bbox=bbox,
        min_sources=min_sources, sub_event_type=sub_event_type, precision=precision,
        offset=offset, cursor=cursor,
    )
    with open_database(db) as store:
        total = store.count_clusters(flt)
        if fmt is ListFormat.json:
            written = 0
            sys.stdout.write("[")
            for c in iter_clusters(store, flt):
                line = json.dumps(c, ensure_ascii=False)
                sys.stdout.write(("\n" if not written else ",\n") + line)
                written += 1
            sys.stdout.write("\n]\n")
            err_console.print(f"wrote {written} of {total} matching clusters", soft_wrap=True)
            return
        page = clusters_page(store, replace(flt, limit=flt.limit if limit else TABLE_LIMIT))
    print_table(CLUSTER_COLUMNS, (_row(c) for c in page.items))
    more = f"; next page: --cursor {page.next_cursor}" if page.next_cursor else ""
    err_console.print(
        f"showing {len(page.items)} of {total} matching clusters{more}", soft_wrap=True
    )


@clusters_app.command()
def show(
    ident: Annotated[str, typer.Argument(help="A cluster id or the id of any event in it.")],
    db: DbOption = "events.db",
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """One canonical event with every report, source and casualty figure behind it."""
    _check_format(fmt)
    with _open(db) as store:
        found = store.get_cluster(ident)
        history = store.cluster_history(found["id"]) if found else []
    if found is None:
        err_console.print(f"[red]error[/red] {Errors.E045.format(id=ident)}")
        raise typer.Exit(1)
    if fmt == "json":
        _json({**found, "history": history})
        return
    console = Console()
    console.print(_table([found]))
    mentions = Table("event", "article", "trigger", "date", "location", "how", "score")
    for m in found["mentions"]:
        score = "" if m["score"] is None else str(m["score"])
        mentions.add_row(m["event_id"], m["article_id"], m["trigger"] or "", m["date"] or "",
                         m["location"] or "", m["how"], score)
    console.print(mentions)
    sources = Table("article", "publisher", "published", "copy of", "title")
    for s in found["sources"]:
        sources.add_row(s["article_id"], s["publisher"] or "", s["published"] or "",
                        s["duplicate_of"] or "", s["title"] or "")
    console.print(sources)
    for report in found["casualties"]["reports"]:
        console.print(
            f"  {report['publisher'] or report['article_id']} ({report['published'] or '?'}): "
            f"killed {_figure(report['killed']) or '-'}, "
            f"injured {_figure(report['injured']) or '-'}"
            + (f" — per {report['attributed_to']}" if report.get("attributed_to") else "")
        )
    for link in found["related"]:
        console.print(f"  {link['relation']} → {link['event_id']} ({link['mentions']} mentions)")
    for step in history:
        console.print(f"  {step['at']} {step['action']} {step['from_cluster'] or ''} → "
                      f"{step['to_cluster'] or ''} {step['detail'] or ''}")


@clusters_app.command()
def split(
    event_id: Annotated[str, typer.Argument(help="The event to take out of its cluster.")],
    db: DbOption = "events.db",
    note: Annotated[str | None, typer.Option(help="Why (kept in the audit trail).")] = None,
) -> None:
    """Take one report out of its cluster; it will not be merged back automatically."""
    from ..dedup import split_event

    with _open(db) as store:
        _json(split_event(store, event_id, note=note))


@clusters_app.command()
def merge(
    first: Annotated[str, typer.Argument(help="Cluster (or event) that absorbs the other.")],
    second: Annotated[str, typer.Argument(help="Cluster (or event) merged into the first.")],
    db: DbOption = "events.db",
    note: Annotated[str | None, typer.Option(help="Why (kept in the audit trail).")] = None,
) -> None:
    """Merge two clusters into one canonical event and keep them merged."""
    from ..dedup import merge_clusters

    with _open(db) as store:
        _json(merge_clusters(store, first, second, note=note))


@clusters_app.command()
def link(db: DbOption = "events.db") -> None:
    """Detect near-copies and cluster every article not linked yet."""
    from ..dedup import link_pending

    with _open(db) as store:
        _json(link_pending(store).to_dict())


@clusters_app.command()
def recluster(db: DbOption = "events.db") -> None:
    """Redo every automatic clustering decision (manual splits and merges are kept)."""
    from ..dedup import recluster as run

    with _open(db) as store:
        _json(run(store).to_dict())
