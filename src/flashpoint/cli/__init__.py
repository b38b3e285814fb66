"""The command line: thin wrappers that parse options and call the pipeline, store and eval."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import Errors, FlashpointError, Warnings
from ..ingest.names import printable
from ..pipeline import Pipeline
from .options import DbOption

if TYPE_CHECKING:
    from ..engine.writer import Written

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Flashpoint: structured, evidence-linked conflict events from news reports.",
)
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        sys.stdout.write(f"flashpoint {__version__}\n")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Flashpoint: structured, evidence-linked conflict events from news reports."""

def _line(text: str) -> str:
    """``text`` as one console line: control characters of file names escaped (a newline in a
    name once forged a line of the summary), and rich's ``[...]`` markup taken literally."""
    return escape(printable(text))


def _pipeline(model: str | None) -> Pipeline:
    from ..config import Settings

    return Pipeline(Settings.from_env(model=model))


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
    from ..engine import AlreadyStored, open_engine
    from ..engine.writer import BatchWriter, StoreDown
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
    # each batch is stored and linked into clusters in one transaction (engine.writer)
    writer = BatchWriter(store, batch_size)
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()

    def report(status: str, code: str | None, source: str, message: str) -> None:
        counts[status] += 1
        reasons[f"{status} {code}"] += 1
        err_console.print(f"[yellow]{status}[/yellow] " + _line(f"{source}: {message}"))

    def refused(done: Written | None) -> None:
        for ex, err in done.refused if done is not None else ():
            source = printable(ex.article.source)
            report("failed", "E048", source, Errors.E048.format(source=source, detail=err))

    stopped: StoreDown | None = None
    try:
        # what a killed run (or an older version) stored without linking is linked first
        caught_up = writer.finish_pending()
        if caught_up.articles:
            warning = Warnings.W040.format(
                articles=caught_up.articles, mentions=caught_up.mentions
            )
            err_console.print(f"[yellow]warning[/yellow] {_line(warning)}")
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
                    refused(writer.add(outcome.extraction))
                elif outcome.status == "present":
                    counts["duplicate"] += 1
                else:
                    report(outcome.status, outcome.code, outcome.source, outcome.message or "")
                bar.update(
                    task,
                    advance=1,
                    description="ingesting "
                    f"({sum(counts.values()) + writer.total.articles_added + len(writer.pending)}"
                    " items)",
                )
            refused(writer.flush())
    except StoreDown as down:
        stopped = down
        counts["failed"] += down.lost
        reasons["failed E049"] += down.lost
    store.close()
    total = writer.total
    summary = (
        f"stored {total.articles_added} articles ({total.events_added} events), "
        f"already present {counts['duplicate'] + total.articles_present}, "
        f"skipped {counts['skipped']}, failed {counts['failed']}"
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


@app.command("eval")
def eval_(
    gold: Annotated[
        list[Path] | None,
        typer.Argument(help="Gold JSONL files (or corpus files for places/body)."),
    ] = None,
    stage: Annotated[str, typer.Option(help="events | records | places | body")] = "events",
    corpus: Annotated[
        str | None,
        typer.Option(
            help="A corpus: wikievents, test-events, acled-dev, acled-test (held out), "
            "geoparsing-dev, geoparsing-test, body"
        ),
    ] = None,
    without: Annotated[
        list[str] | None,
        typer.Option(help="Switch an extract pass off to measure it: coder | gate (repeatable)"),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N documents.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the full JSON report here.")] = None,
    model: Annotated[str | None, typer.Option(help="spaCy model name")] = None,
    gate: Annotated[
        bool, typer.Option("--gate", help="Check every dev figure against benchmarks/gate.yaml.")
    ] = False,
    lower_floors: Annotated[
        bool, typer.Option("--lower-floors", help="With --gate: move failed bounds (needs --note).")
    ] = False,
    note: Annotated[
        str | None, typer.Option(help="Why a floor is lowered (kept in history).")
    ] = None,
) -> None:
    """Measure accuracy against gold data and print precision/recall/F1."""
    from ..eval import CORPORA, run_eval, shared_data_dir

    if gate:
        _eval_gate(model, lower_floors, note)
        return
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
    result = run_eval(stage, paths, limit=limit, model=model, without=tuple(without or ()))
    _print_report(stage, result)
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
        err_console.print(f"report written to {report}")


def _eval_gate(model: str | None, lower_floors: bool, note: str | None) -> None:
    from ..eval import CORPORA, run_eval, shared_data_dir
    from ..eval.gate import run_gate

    def measure(name: str) -> tuple[Path, dict]:
        stage, rel = CORPORA[name]
        path = shared_data_dir() / rel
        if not path.exists():
            raise FlashpointError(Errors.E001.format(path=path))
        return path, run_eval(stage, [path], model=model)[str(path)]

    checks = run_gate(measure, lower_floors=lower_floors, note=note)
    table = Table("corpus", "figure", "bound", "measured", "")
    for c in checks:
        sign = ">=" if c.kind == "floor" else "<="
        verdict = "ok" if c.ok else "FAIL"
        table.add_row(c.corpus, c.figure, f"{sign} {c.bound}", str(c.measured), verdict)
    Console().print(table)
    if not all(c.ok for c in checks) and not lower_floors:
        err_console.print("[red]evaluation gate failed[/red]: a dev figure slid past its bound")
        raise typer.Exit(1)


def _print_report(stage: str, result: dict) -> None:
    console = Console()
    for path, rep in result.items():
        console.print(f"[bold]{stage}[/bold] {path}")
        if stage == "records":
            table = Table("sub-event type", "gold", "right", "most often instead")
            for sub, row in rep["per_subtype"].items():
                table.add_row(sub, str(row["gold"]), str(row["right"]), ", ".join(row["top_wrong"]))
            console.print(table)
            console.print(
                f"6 types {rep['acc_6_types']}, 25 subtypes {rep['acc_25_subtypes']} "
                f"(weighted F1 {rep['weighted_f1_25']}), no event {rep['no_event']}; "
                f"date exact {rep['date_exact']}, fatalities exact {rep['fatalities_exact']}, "
                f"country {rep['country']}; disasters/accidents with an ASSAULT "
                f"{rep['disaster_accident_violent_rate']}"
            )
            continue
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


from .events import events, extract  # noqa: E402 - registered after the app exists

app.command()(extract)
app.command()(events)

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
