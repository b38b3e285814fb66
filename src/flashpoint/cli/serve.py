"""``flashpoint serve`` (API and dashboard) and ``flashpoint watch`` (feed polling with alerts).

Registered on the main Typer app in ``cli/__init__.py``; heavy imports (FastAPI, uvicorn,
feedparser, spaCy) happen inside the commands so the rest of the CLI starts fast.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ..ingest.names import printable
from .options import DbOption

if TYPE_CHECKING:
    from ..watch import PollReport

err_console = Console(stderr=True)


def _require_database(db: str) -> None:
    if "://" not in db and db != ":memory:" and not Path(db).expanduser().exists():
        raise typer.BadParameter(f"no database at {db} (create one with flashpoint ingest)")


def serve(
    db: DbOption = "events.db",
    host: Annotated[
        str, typer.Option(help="Address to listen on (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    allow_edits: Annotated[
        bool,
        typer.Option(
            "--allow-edits", help="Let API clients split and merge clusters (POST /api/clusters/*)."
        ),
    ] = False,
) -> None:
    """Serve the HTTP API, its OpenAPI docs (/docs) and the dashboard (/)."""
    from ..api import create_app
    from ..api.server import allowed_hosts, is_loopback
    from ..api.server import serve as run_server

    _require_database(db)
    if host.startswith("[") and host.endswith("]"):  # an IPv6 literal as written in URLs
        host = host[1:-1]
    if not is_loopback(host):
        err_console.print(
            f"[yellow]warning[/yellow] listening on {host}: the API has no authentication, "
            "so anyone who can reach this address can read the database"
        )
    app = create_app(db, allowed_hosts=allowed_hosts(host), allow_edits=allow_edits)
    shown = f"[{host}]" if ":" in host else host
    err_console.print(f"Flashpoint dashboard on http://{shown}:{port}/  (API docs: /docs)")
    run_server(app, host, port, log_level=log_level)


def _default_state(db: str) -> Path | None:
    if "://" in db or db == ":memory:":
        return None
    path = Path(db).expanduser()
    return path.with_name(path.name + ".watch.json")


def watch(
    feeds: Annotated[Path, typer.Argument(help="Text file: one RSS/Atom feed URL per line.")],
    db: DbOption = "events.db",
    every: Annotated[
        str, typer.Option(help="Time between polls: seconds, or like 30s, 15m, 1h.")
    ] = "15m",
    alert: Annotated[
        list[str] | None,
        typer.Option(
            help="Rule for new events to report, e.g. 'country=IRQ type=ASSAULT' "
            "(repeatable; any rule may match). Without one, every new event is reported."
        ),
    ] = None,
    webhook: Annotated[
        str | None,
        typer.Option(
            help="POST each matching new event here as JSON (retried; kept for the next poll "
            "while the hook is down). A private address must be named outright "
            "(127.0.0.1, localhost) or allowed with --allow-private."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="Do not print matching events.")] = False,
    json_lines: Annotated[bool, typer.Option("--json", help="Print events as JSON lines.")] = False,
    once: Annotated[
        bool,
        typer.Option(
            help="Poll once and exit (for cron): exit 1 when every feed failed or an alert was "
            "not delivered."
        ),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(help="Seconds one feed or page fetch may take in all.", min=0.1),
    ] = 20.0,
    fetch: Annotated[
        bool, typer.Option(help="Fetch each entry's linked page (--no-fetch: use the feed's text).")
    ] = True,
    state: Annotated[
        Path | None, typer.Option(help="State file (default: beside the database).")
    ] = None,
    model: Annotated[str | None, typer.Option(help="spaCy model name")] = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private", help="Allow feeds and links on loopback/private addresses."
        ),
    ] = False,
) -> None:
    """Poll feeds, ingest each new entry once, and report new events matching --alert."""
    from ..store import open_store
    from ..watch import AlertRule, Watcher, WatchState, parse_interval, printer, read_feed_list
    from ..watch import webhook as post_to

    interval = parse_interval(every)
    rules = [AlertRule.parse(rule) for rule in alert or []]
    urls = read_feed_list(feeds)
    notify = [] if quiet else [printer(sys.stdout, as_json=json_lines)]
    if webhook:
        notify.append(post_to(webhook, allow_private=allow_private))
    state_path = state or _default_state(db)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")

    from . import _pipeline

    store = open_store(db)
    watcher = Watcher(
        urls,
        store,
        _pipeline(model),
        rules=rules,
        notify=notify,
        state=WatchState(state_path),
        fetch_pages=fetch,
        allow_private=allow_private,
        timeout=timeout,
    )
    err_console.print(
        f"watching {len(urls)} feeds every {interval:g}s into {db}"
        + (f" (state: {state_path})" if state_path else "")
    )

    last: list[PollReport] = []

    def report(result: PollReport) -> None:
        last[:] = [result]
        err_console.print(f"poll: {escape(result.summary())}")
        for message in result.feeds_failed:
            err_console.print(f"  [yellow]feed error[/yellow] {escape(printable(message))}")

    try:
        watcher.run(interval, max_polls=1 if once else None, on_poll=report)
    except KeyboardInterrupt:
        err_console.print("stopped")
    finally:
        store.close()
    if once and last and not last[0].ok:
        raise typer.Exit(1)
