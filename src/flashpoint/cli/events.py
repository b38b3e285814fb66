"""``flashpoint extract`` (one source, printed) and ``flashpoint events`` (query and export).

    flashpoint extract ARTICLE.txt --format json        # one article: one JSON object
    flashpoint extract folder/ --format jsonl           # one line per article
    flashpoint events --db events.db --country IRQ --format csv > iraq.csv     # every match
    flashpoint events --db events.db --format parquet --output events.parquet
    flashpoint events --db events.db --format ucdp > ged.csv                   # asserted only

File formats export every match by default, streamed from the store a page at a time (constant
memory at any size); the table shows a page (100 by default) and how to get the next. Every
list ends with a line on stderr saying how many were written of how many matched.

Registered on the main app in ``cli/__init__.py``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import Errors
from ..ingest.names import printable
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
    event_filter,
)
from .output import print_table

if TYPE_CHECKING:
    from ..store import Store
    from ..types import Extraction

err_console = Console(stderr=True)

TABLE_LIMIT = 100
"""Events the table shows when no --limit is given (file formats export every match)."""

EVENT_COLUMNS = (
    "date", "type", "mode", "modality", "source", "target", "location", "killed", "attribution",
)


class EventFormat(StrEnum):
    table = "table"
    csv = "csv"
    acled = "acled"
    ucdp = "ucdp"
    geojson = "geojson"
    json = "json"
    plover = "plover"
    parquet = "parquet"


class ExtractFormat(StrEnum):
    json = "json"
    jsonl = "jsonl"
    table = "table"


def _line(text: str) -> str:
    return escape(printable(text))


def event_row(e: dict[str, Any]) -> tuple[str, ...]:
    """The table row of an event dict (``EVENT_COLUMNS``)."""
    actors = e.get("actors") or []
    killed = (e.get("casualties") or {}).get("killed") or {}
    loc = e.get("location") or {}
    date = e.get("date") or {}
    best = killed.get("best") if killed.get("best") is not None else killed.get("low")
    return (
        " ".join(x for x in (date.get("start") or "?", date.get("time") or "") if x),
        e["type"],
        e.get("mode") or "",
        e["modality"],
        ", ".join(a["name"] for a in actors if a["role"] == "source"),
        ", ".join(a["name"] for a in actors if a["role"] == "target"),
        f"{loc.get('name', '')} ({loc.get('country') or '?'}, {loc.get('precision')})"
        if loc
        else "",
        "" if best is None else str(best),
        (e.get("attribution") or {}).get("name") or "",
    )


def extract(
    source: Annotated[
        str, typer.Argument(help="A file, a folder, a URL, or - for standard input.")
    ],
    fmt: Annotated[
        ExtractFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="json: one object for one article, a list for a folder or several articles; "
            "jsonl: one object per line; table.",
        ),
    ] = ExtractFormat.json,
    quotes: Annotated[
        bool, typer.Option("--quotes", help="Include direct quotes with speakers.")
    ] = False,
    model: Annotated[
        str | None, typer.Option(help="spaCy model name (default: en_core_web_sm if installed)")
    ] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Allow fetching loopback/private URLs.")
    ] = False,
) -> None:
    """Extract events from articles and print them (nothing is stored)."""
    from ..config import Settings
    from ..pipeline import Pipeline

    pipeline = Pipeline(Settings.from_env(model=model))
    done: list[Extraction] = []
    for o in pipeline.run([source], allow_private=allow_private):
        if o.extraction is None:
            err_console.print(f"[red]{o.status}[/red] {_line(f'{o.source}: {o.message}')}")
        else:
            done.append(o.extraction)
    if not done:
        raise typer.Exit(1)
    docs = [ex.to_dict(quotes=quotes) for ex in done]
    if fmt is ExtractFormat.jsonl:
        for doc in docs:
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    elif fmt is ExtractFormat.json:
        # one document either way: an object for one article (the contract), else a list
        many = len(docs) > 1 or Path(source).is_dir()
        body = docs if many else docs[0]
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    elif sys.stdout.isatty():
        for ex in done:
            a = ex.article
            print_table(
                EVENT_COLUMNS,
                (event_row(e.to_dict()) for e in ex.events),
                title=f"{a.title or a.source} — {a.publisher or '?'}, {a.published or '?'}",
            )
            if quotes:
                for q in ex.quotes:
                    Console().print(escape(f"  {q.speaker_name or q.speaker or '?'}: {q.text}"))
    else:
        print_table(
            ("article", *EVENT_COLUMNS),
            ((ex.article.id, *event_row(e.to_dict())) for ex in done for e in ex.events),
        )


def events(
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
            help=f"At most N events; 0: no limit. Default: every match for file formats, "
            f"{TABLE_LIMIT} for the table.",
            metavar="N",
        ),
    ] = None,
    offset: Offset = 0,
    cursor: Cursor = None,
    fmt: Annotated[
        EventFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="table (TSV when piped), csv (ACLED's columns and Flashpoint's), acled, ucdp "
            "(UCDP GED), geojson, json, plover (JSON Lines), parquet (needs --output).",
        ),
    ] = EventFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of standard output."),
    ] = None,
    all_modalities: Annotated[
        bool,
        typer.Option(
            "--all-modalities",
            help="acled and ucdp: also export negated, future, threatened, hypothetical and "
            "denied events (by default only asserted ones, as those datasets record only "
            "what happened).",
        ),
    ] = False,
    spreadsheet_safe: Annotated[
        bool,
        typer.Option(
            help="CSV formats: prefix with ' each cell a spreadsheet would run as a formula "
            "(=, +, -, @); --no-spreadsheet-safe writes the text unaltered."
        ),
    ] = True,
) -> None:
    """Query stored events: a table to read, or every match exported to a file format."""
    from ..export import ASSERTED_ONLY
    from ..store.pages import events_page, iter_events

    flt = event_filter(
        limit=limit, since=since, until=until, country=country, type_=type_, mode=mode,
        modality=modality, actor=actor, actor_kind=actor_kind, text=text, bbox=bbox,
        min_sources=min_sources, sub_event_type=sub_event_type, precision=precision,
        offset=offset, cursor=cursor,
    )
    name = fmt.value
    if name == "table" and limit is None:
        flt = replace(flt, limit=TABLE_LIMIT)
    asserted_only = name in ASSERTED_ONLY and not all_modalities and flt.modality is None
    if asserted_only:
        flt = replace(flt, modality="asserted")
    if name == "parquet" and output is None:
        raise typer.BadParameter(Errors.E079.format(fmt=name), param_hint="'--output'")
    with open_database(db) as store:
        total = store.count_events(flt)
        if name == "table":
            page = events_page(store, flt)
            with _piped():
                print_table(EVENT_COLUMNS, (event_row(e) for e in page.items))
            more = f"; next page: --cursor {page.next_cursor}" if page.next_cursor else ""
            err_console.print(
                f"showing {len(page.items)} of {total} matching events{more}", soft_wrap=True
            )
            return
        found = iter_events(store, flt)
        if name == "parquet":
            from ..export.frame import write_parquet

            assert output is not None
            written = write_parquet(found, output)
        else:
            written = _write_text(found, name, output, spreadsheet_safe)
    err_console.print(_summary(name, written, total, flt.limit, asserted_only), soft_wrap=True)


def _write_text(
    found: Iterable[dict[str, Any]], fmt: str, output: Path | None, spreadsheet_safe: bool
) -> int:
    from ..export import write

    with ExitStack() as stack, _piped():
        out: IO[str] = (
            stack.enter_context(output.open("w", encoding="utf-8", newline=""))
            if output is not None
            else sys.stdout
        )
        written = write(found, fmt, out, spreadsheet_safe=spreadsheet_safe)
    return written


def _summary(fmt: str, written: int, total: int, limit: int | None, asserted: bool) -> str:
    notes = []
    if limit is not None and total > limit:
        notes.append(f"--limit {limit}")
    if asserted:
        notes.append("asserted events only: --all-modalities for the rest")
    if fmt == "geojson":
        notes.append("events without coordinates have no feature")
    if fmt == "ucdp":
        notes.append("only organised violence has a UCDP row")
    tail = f" ({'; '.join(notes)})" if notes else ""
    return f"wrote {written} of {total} matching events as {fmt}{tail}"


@contextmanager
def _piped() -> Iterator[None]:
    """Ends quietly when the reader of stdout goes away (``flashpoint events | head``)."""
    try:
        yield
    except BrokenPipeError:
        # what is still buffered for the closed pipe would fail again at exit
        with suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None


def open_database(db: str) -> Store:
    """The store at ``db``; a missing SQLite file is a usage error (never created by a query)."""
    from ..store import open_store

    if "://" not in db and db != ":memory:" and not Path(db).expanduser().exists():
        raise typer.BadParameter(
            f"no database at {db} (create one with flashpoint ingest)", param_hint="'--db'"
        )
    return open_store(db)
