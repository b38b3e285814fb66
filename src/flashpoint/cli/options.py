"""Command-line options several commands share, declared once so their names and help agree."""

from __future__ import annotations

from typing import Annotated

import typer

DbOption = Annotated[str, typer.Option(help="Database: a SQLite path or URL.")]
Since = Annotated[str | None, typer.Option(help="YYYY-MM-DD")]
Until = Annotated[str | None, typer.Option(help="YYYY-MM-DD")]
Country = Annotated[str | None, typer.Option(help="ISO 3166 alpha-3, e.g. IRQ")]
EventType = Annotated[str | None, typer.Option("--type", help="PLOVER type, e.g. ASSAULT")]
ActorText = Annotated[str | None, typer.Option(help="Actor name or text (substring)")]
FullText = Annotated[str | None, typer.Option(help="Full-text search in evidence")]
