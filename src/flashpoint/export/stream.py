"""Exports as generators of text: one piece per record, so any sink can take them as they come.

Every text format is written by a generator that yields its header, then one string per record,
then its trailer, and returns how many records it wrote. ``drain`` writes one to a file object
(the CLI), ``batched`` groups the pieces into chunks for an HTTP response (the API); neither
ever holds more than one record and one chunk.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Generator, Iterator, Sequence
from typing import IO, Any

Pieces = Generator[str, None, int]
"""Text pieces of an export; the generator's return value is the number of records."""


def drain(pieces: Pieces, out: IO[str]) -> int:
    """Write every piece to ``out``; return the records the export wrote."""
    while True:
        try:
            out.write(next(pieces))
        except StopIteration as done:
            return int(done.value or 0)


def batched(pieces: Iterator[str], size: int = 1 << 16) -> Iterator[bytes]:
    """UTF-8 chunks of about ``size`` bytes."""
    parts: list[str] = []
    held = 0
    for piece in pieces:
        parts.append(piece)
        held += len(piece)
        if held >= size:
            yield "".join(parts).encode("utf-8")
            parts, held = [], 0
    if parts:
        yield "".join(parts).encode("utf-8")


class CsvLines:
    """CSV lines rendered one at a time (the csv module only writes to files)."""

    def __init__(self, columns: Sequence[str]) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.DictWriter(
            self._buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore"
        )

    def _take(self) -> str:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text

    def header(self) -> str:
        self._writer.writeheader()
        return self._take()

    def row(self, values: dict[str, Any]) -> str:
        self._writer.writerow(values)
        return self._take()
