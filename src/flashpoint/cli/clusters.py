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
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ..errors import Errors
from .options import ActorText, Country, DbOption, EventType, FullText, Since, Until

if TYPE_CHECKING:
    from ..store import Store

clusters_app = typer.Typer(
    no_args_is_help=True,
    help="Canonical events (one per real-world event, all its reports): list, show, split, merge.",
)
err_console = Console(stderr=True)

FORMATS = ("table", "json")


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


def _table(clusters: list[dict[str, Any]]) -> Table:
    table = Table()
    for col in ("cluster", "date", "type", "mode", "location", "sources", "mentions", "killed",
                "injured", "actors"):
        table.add_column(col)
    for c in clusters:
        loc = c.get("location") or {}
        table.add_row(
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
    return table


@clusters_app.command("list")
def list_(
    db: DbOption = "events.db",
    since: Since = None,
    until: Until = None,
    country: Country = None,
    type_: EventType = None,
    actor: ActorText = None,
    text: FullText = None,
    min_sources: Annotated[
        int | None, typer.Option(help="At least this many independent sources")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many clusters")] = 50,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Canonical events, newest first (filters apply to any of their reports)."""
    from ..store import EventFilter

    _check_format(fmt)
    flt = EventFilter.from_params({
        "since": since, "until": until, "country": country, "type": type_, "actor": actor,
        "text": text, "min_sources": None if min_sources is None else str(min_sources),
        "limit": str(limit),
    })
    with _open(db) as store:
        found = store.query_clusters(flt)
    if fmt == "json":
        _json(found)
    else:
        Console().print(_table(found))


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
    with _open(db) as store:
        _json(store.split_event(event_id, note=note))


@clusters_app.command()
def merge(
    first: Annotated[str, typer.Argument(help="Cluster (or event) that absorbs the other.")],
    second: Annotated[str, typer.Argument(help="Cluster (or event) merged into the first.")],
    db: DbOption = "events.db",
    note: Annotated[str | None, typer.Option(help="Why (kept in the audit trail).")] = None,
) -> None:
    """Merge two clusters into one canonical event and keep them merged."""
    with _open(db) as store:
        _json(store.merge_clusters(first, second, note=note))


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
