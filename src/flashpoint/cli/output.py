"""Tables for people, TSV for programs: what a command prints depends on where stdout goes.

A rich table fits the terminal's width by cutting cells ("ASSAU…"), which is right on a screen
and ruins a pipe (``flashpoint events | grep``, ``> events.txt``): when stdout is not a
terminal the same rows go out as tab-separated values, one line per row, every cell whole.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _cell(value: object) -> str:
    # a tab or line break inside a cell would split it in TSV
    return " ".join(str(value).split()) if value is not None else ""


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[object]], *, title: str | None = None
) -> None:
    """Print ``rows`` under ``columns``: a rich table on a terminal, else TSV with a header."""
    if not sys.stdout.isatty():
        out = sys.stdout
        out.write("\t".join(columns) + "\n")
        for row in rows:
            out.write("\t".join(_cell(v) for v in row) + "\n")
        return
    table = Table(*columns, title=escape(title) if title else None)
    for row in rows:
        table.add_row(*(escape(_cell(v)) for v in row))
    Console().print(table)
