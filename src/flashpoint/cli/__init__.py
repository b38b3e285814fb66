"""The command line: thin wrappers that parse options and call the pipeline, store and eval."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import Errors, FlashpointError
from ..ingest.names import printable
from ..pipeline import Pipeline
from ..types import Extraction
from .options import ActorText, Country, DbOption, EventType, FullText, Since, Until

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Flashpoint: structured, evidence-linked conflict events from news reports.",
)
err_console = Console(stderr=True)

EVENT_FORMATS = ("table", "json", "csv", "geojson", "plover")


def _line(text: str) -> str:
    """``text`` as one console line: control characters of file names escaped (a newline in a
    name once forged a line of the summary), and rich's ``[...]`` markup taken literally."""
    return escape(printable(text))


class _StoreDown(Exception):
    """The database refused a write for a reason no article escapes; ends an ingest run.

    ``lost``: the articles extracted but not stored because of it.
    """

    def __init__(self, error: Exception, lost: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.lost = lost


def _fatal_store_error(err: Exception) -> bool:
    """Whether a failed write means the database itself is unusable (disk full, I/O error,
    lost connection), rather than that one article's data was refused.

    PEP 249 names the exception classes of every database driver, sqlite3 and psycopg alike:
    IntegrityError and DataError are about the rows written; the others about the database.
    """
    names = {cls.__name__ for cls in type(err).__mro__}
    if names & {"IntegrityError", "DataError"}:
        return False
    return isinstance(err, OSError) or bool(names & {"DatabaseError", "InterfaceError"})


def _pipeline(model: str | None) -> Pipeline:
    from ..config import Settings

    return Pipeline(Settings.from_env(model=model))


def _event_rows(events: list[dict]) -> Table:
    table = Table(show_lines=False)
    for col in (
        "date",
        "type",
        "mode",
        "modality",
        "source",
        "target",
        "location",
        "killed",
        "attribution",
    ):
        table.add_column(col)
    for e in events:
        actors = e.get("actors", [])
        killed = (e.get("casualties") or {}).get("killed") or {}
        loc = e.get("location") or {}
        date = e.get("date") or {}
        table.add_row(
            " ".join(x for x in (date.get("start") or "?", date.get("time") or "") if x),
            e["type"],
            e.get("mode") or "",
            e["modality"],
            ", ".join(a["name"] for a in actors if a["role"] == "source"),
            ", ".join(a["name"] for a in actors if a["role"] == "target"),
            f"{loc.get('name', '')} ({loc.get('country') or '?'}, {loc.get('precision')})"
            if loc
            else "",
            str(killed.get("best") if killed.get("best") is not None else killed.get("low") or ""),
            (e.get("attribution") or {}).get("name") or "",
        )
    return table


@app.command()
def extract(
    source: Annotated[str, typer.Argument(help="A file, a URL, or - for standard input.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or table")] = "json",
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
    """Extract events from one article and print them."""
    if fmt not in ("json", "table"):
        raise typer.BadParameter(Errors.E071.format(fmt=fmt, choices="json, table"))
    outcomes = list(_pipeline(model).run([source], allow_private=allow_private))
    done: list[Extraction] = [o.extraction for o in outcomes if o.extraction is not None]
    for o in outcomes:
        if o.extraction is None:
            err_console.print(f"[red]{o.status}[/red] {_line(f'{o.source}: {o.message}')}")
    if not done:
        raise typer.Exit(1)
    for ex in done:
        if fmt == "json":
            sys.stdout.write(
                json.dumps(ex.to_dict(quotes=quotes), ensure_ascii=False, indent=2) + "\n"
            )
        else:
            a = ex.article
            Console().print(
                f"[bold]{a.title or a.source}[/bold] — {a.publisher or '?'}, {a.published or '?'}"
            )
            Console().print(_event_rows([e.to_dict() for e in ex.events]))
            if quotes:
                for q in ex.quotes:
                    Console().print(f"  {q.speaker_name or q.speaker or '?'}: {q.text}")


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, URLs or - (stdin).")],
    db: DbOption = "events.db",
    batch_size: Annotated[int, typer.Option(help="Articles per database transaction.")] = 64,
    model: Annotated[str | None, typer.Option(help="spaCy model name")] = None,
    strict: Annotated[bool, typer.Option(help="Exit non-zero when any item failed.")] = False,
    allow_private: Annotated[bool, typer.Option("--allow-private")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    engine: Annotated[
        str, typer.Option(help="local: worker processes here; ray: Ray Data actors.")
    ] = "local",
    workers: Annotated[
        int | None, typer.Option(help="Worker processes or Ray actors (default: all cores).")
    ] = None,
    parquet: Annotated[
        Path | None,
        typer.Option(help="Also write Parquet shards here (with --engine ray: ./parquet)."),
    ] = None,
    ray_address: Annotated[
        str | None, typer.Option(help="Join this Ray cluster instead of starting a local one.")
    ] = None,
) -> None:
    """Extract events from many articles into a database (idempotent, resumable).

    Reads files, folders, glob patterns, JSON Lines and WARC files; the database may be a
    SQLite file or postgresql://user@host/dbname.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ..config import Settings
    from ..dedup import link_and_cluster
    from ..engine import AlreadyStored, open_engine
    from ..store import open_store

    store = open_store(db)
    if parquet is None and engine == "ray":
        parquet = Path("parquet")
    runner = open_engine(
        engine,
        workers=workers,
        settings=Settings.from_env(model=model),
        parquet_dir=parquet,
        address=ray_address,
    )
    # articles already in the store are recognised after cleaning and skip the NLP, so a
    # killed or repeated run resumes where it stopped and stores each article once; workers
    # check through their own connection, so the check travels as the database URL
    skip = AlreadyStored(db) if AlreadyStored.shareable(db) else None
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    events_added = 0
    pending: list[Extraction] = []

    def report(status: str, code: str | None, source: str, message: str) -> None:
        counts[status] += 1
        reasons[f"{status} {code}"] += 1
        err_console.print(f"[yellow]{status}[/yellow] " + _line(f"{source}: {message}"))

    def write(batch: list[Extraction]) -> int:
        nonlocal events_added
        res = store.add(batch)
        events_added += res.events_added
        counts["duplicate"] += res.articles_skipped
        counts["stored"] += res.articles_added
        return res.articles_added

    def flush() -> None:
        batch = pending[:]
        pending.clear()
        if not batch:
            return
        try:
            added = write(batch)
        except Exception as err:
            if _fatal_store_error(err):
                raise _StoreDown(err, len(batch)) from err
            # one article's data was refused and the transaction rolled back: store the
            # articles one by one, so that only the refused one fails
            added = 0
            for index, ex in enumerate(batch):
                try:
                    added += write([ex])
                except Exception as one:
                    if _fatal_store_error(one):
                        raise _StoreDown(one, len(batch) - index) from one
                    source = printable(ex.article.source)
                    report("failed", "E048", source, Errors.E048.format(source=source, detail=one))
        if added:
            try:
                # syndicated copies and reports of the same event join their clusters now
                link_and_cluster(store, [ex.article.id for ex in batch])
            except Exception as err:
                raise _StoreDown(err, 0) from err

    stopped: _StoreDown | None = None
    try:
        with runner, Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            disable=not progress or not sys.stderr.isatty(),
            transient=True,
        ) as bar:
            task = bar.add_task("ingesting", total=None)
            for outcome in runner.run(paths, allow_private=allow_private, skip=skip):
                if outcome.extraction is not None:
                    pending.append(outcome.extraction)
                    if len(pending) >= batch_size:
                        flush()
                elif outcome.status == "present":
                    counts["duplicate"] += 1
                else:
                    report(outcome.status, outcome.code, outcome.source, outcome.message or "")
                bar.update(
                    task,
                    advance=1,
                    description=f"ingesting ({sum(counts.values()) + len(pending)} items)",
                )
            flush()
    except _StoreDown as down:
        stopped = down
        counts["failed"] += down.lost
        reasons["failed E049"] += down.lost
    store.close()
    summary = (
        f"stored {counts['stored']} articles ({events_added} events), "
        f"already present {counts['duplicate']}, skipped {counts['skipped']}, "
        f"failed {counts['failed']}"
    )
    err_console.print(summary)
    for reason, n in sorted(reasons.items()):
        err_console.print(f"  {reason}: {n}")
    if stopped is not None:
        message = Errors.E049.format(detail=f"{type(stopped.error).__name__}: {stopped.error}")
        err_console.print(f"[red]error[/red] {_line(message)}")
        raise typer.Exit(1)
    # documented skips (not English, no article text) are expected in any real feed
    if strict and counts["failed"]:
        raise typer.Exit(2)


@app.command()
def events(
    db: DbOption = "events.db",
    since: Since = None,
    until: Until = None,
    country: Country = None,
    type_: EventType = None,
    actor: ActorText = None,
    text: FullText = None,
    limit: Annotated[int, typer.Option(help="At most this many events")] = 100,
    fmt: Annotated[str, typer.Option("--format", "-f", help="|".join(EVENT_FORMATS))] = "table",
    spreadsheet_safe: Annotated[
        bool,
        typer.Option(
            help="CSV: prefix with ' each cell a spreadsheet would run as a formula (=, +, -, @); "
            "--no-spreadsheet-safe writes the text unaltered."
        ),
    ] = True,
) -> None:
    """Query stored events."""
    from ..export import to_csv, to_geojson, to_json, to_plover
    from ..store import EventFilter, open_store

    if fmt not in EVENT_FORMATS:
        raise typer.BadParameter(Errors.E071.format(fmt=fmt, choices=", ".join(EVENT_FORMATS)))
    for name, value in (("since", since), ("until", until)):
        if value:
            try:
                dt.date.fromisoformat(value)
            except ValueError as err:
                raise typer.BadParameter(
                    Errors.E070.format(name=name, value=value, detail="use YYYY-MM-DD")
                ) from err
    if not Path(db).exists() and "://" not in db:
        raise typer.BadParameter(f"no database at {db}")
    store = open_store(db)
    flt = EventFilter(
        since=dt.date.fromisoformat(since) if since else None,
        until=dt.date.fromisoformat(until) if until else None,
        country=country.upper() if country else None,
        type=type_.upper() if type_ else None,
        actor=actor,
        text=text,
        limit=limit,
    )
    rows = store.query_events(flt)
    store.close()
    if fmt == "table":
        Console().print(_event_rows(rows))
        return
    if fmt == "csv":
        text = to_csv(rows, spreadsheet_safe=spreadsheet_safe)
    else:
        text = {"json": to_json, "geojson": to_geojson, "plover": to_plover}[fmt](rows)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command("eval")
def eval_(
    gold: Annotated[
        list[Path] | None,
        typer.Argument(help="Gold JSONL files (or corpus files for places/body)."),
    ] = None,
    stage: Annotated[str, typer.Option(help="events | places | body")] = "events",
    corpus: Annotated[
        str | None,
        typer.Option(
            help="A shared corpus: wikievents, geoparsing-dev, geoparsing-test, body"
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N documents.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the full JSON report here.")] = None,
    model: Annotated[str | None, typer.Option(help="spaCy model name")] = None,
) -> None:
    """Measure accuracy against gold data and print precision/recall/F1."""
    from ..eval import CORPORA, run_eval, shared_data_dir

    paths = list(gold or [])
    if corpus:
        if corpus not in CORPORA:
            raise typer.BadParameter(f"unknown corpus {corpus!r}; choose from {', '.join(CORPORA)}")
        stage, rel = CORPORA[corpus]
        base = shared_data_dir()
        paths = [base / r for r in rel.split(",")]
    if not paths:
        raise typer.BadParameter("give gold files or --corpus")
    for p in paths:
        if not p.exists():
            raise typer.BadParameter(Errors.E001.format(path=p))
    result = run_eval(stage, paths, limit=limit, model=model)
    _print_report(stage, result)
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
        err_console.print(f"report written to {report}")


def _print_report(stage: str, result: dict) -> None:
    console = Console()
    for path, rep in result.items():
        console.print(f"[bold]{stage}[/bold] {path}")
        if stage == "events":
            table = Table("type", "P", "R", "F1", "pred", "gold")
            for t, row in [*rep["per_type"].items(), ("MICRO", rep["micro"])]:
                table.add_row(
                    t,
                    f"{row['precision']:.3f}",
                    f"{row['recall']:.3f}",
                    f"{row['f1']:.3f}",
                    str(row["predicted"]),
                    str(row["gold"]),
                )
            console.print(table)
            args = rep["arguments"]
            console.print(
                f"roles: source acc {args['source']['accuracy']} "
                f"prec {args['source']['precision']}, "
                f"target acc {args['target']['accuracy']} prec {args['target']['precision']}, "
                f"swaps {args['role_swaps']}, speaker-as-source {args['speaker_as_source']}, "
                f"media-as-actor {args['media_as_actor']}"
            )
            console.print(f"locations: {rep['locations']}  dates: {rep['dates']}")
            base = rep.get("baseline_sentence_order")
            if base:
                console.print(
                    f"baseline (first/second named actor in the sentence): source acc "
                    f"{base['source']['accuracy']}, target acc {base['target']['accuracy']}, "
                    f"swaps {base['role_swaps']}, speaker-as-source {base['speaker_as_source']}"
                )
        else:
            console.print({k: v for k, v in rep.items() if not isinstance(v, list | dict)})


from .serve import serve, watch  # noqa: E402 - registered after the app exists

app.command()(serve)
app.command()(watch)

from .clusters import clusters_app  # noqa: E402 - registered after the app exists

app.add_typer(clusters_app, name="clusters")


def main() -> None:
    try:
        app()
    except FlashpointError as err:
        err_console.print(f"[red]error[/red] {_line(str(err))}")
        raise SystemExit(1) from err
