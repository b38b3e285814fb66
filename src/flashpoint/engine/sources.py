"""What an ingest run reads, for either engine: inputs expanded, and cut into units of work.

``read_documents`` is ``ingest.read_inputs`` widened for bulk runs: glob patterns are expanded
(a quoted ``'crawl/**/*.warc.gz'`` reaches us unexpanded, and a Ray cluster gets no shell),
folders are listed here so that WARC files inside them are read too, and WARC files go through
``warc.iter_warc``. Everything else is handed to ``read_inputs`` one item at a time, so both
engines see exactly the Documents a plain ``flashpoint ingest`` would.

``plan_units`` cuts the same inputs into independent units for distributed workers: a few
whole files per unit, or a line-aligned byte range of a large plain JSON Lines file. Reading the
units in order yields the same Documents, with the same sources, as ``read_documents``.
"""

from __future__ import annotations

import glob
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import Errors, FlashpointError
from ..ingest import InputFailure, read_inputs, sniff_binary
from ..ingest.names import storable
from ..ingest.reader import STDIN, SUFFIXES, guarded, walk
from ..types import Document
from .warc import is_warc, iter_warc

MAX_BYTES = 20_000_000
_GLOB_CHARS = frozenset("*?[")
_JSONL = (".jsonl", ".ndjson")
_SCAN = 1 << 20


def _readable(path: Path) -> bool:
    """Whether a folder walk should pick the file up (what ``read_inputs`` reads, plus WARC)."""
    name = path.name.lower()
    if name.startswith("."):
        return False
    if is_warc(name):
        return True
    if name.endswith(".gz"):
        name = name[:-3]
    return os.path.splitext(name)[1] in SUFFIXES


def _walk(folder: Path) -> Iterator[str | InputFailure]:
    for path in walk(folder, _readable):
        yield path if isinstance(path, InputFailure) else str(path)


def expand(inputs: Iterable[str]) -> Iterator[str | InputFailure]:
    """Each input as the items to read: folders listed, glob patterns matched (sorted).

    URLs, ``-`` and names that match nothing pass through unchanged, so the reader reports
    them (a missing file is E001) exactly as it would have. A folder that cannot be listed
    comes as its ``InputFailure`` (E016).
    """
    for item in [inputs] if isinstance(inputs, str) else inputs:
        if item == STDIN or "://" in item:
            yield item
            continue
        path = Path(item).expanduser()
        kind = _kind(path)
        if kind == "dir":
            yield from _walk(path)
        elif kind == "file":
            yield str(path)  # spelled as read_inputs spells sources
        elif kind == "missing" and _GLOB_CHARS & set(item):
            yield from _glob(path, item)
        else:
            yield item  # for the reader to report


def _kind(path: Path) -> str:
    """What ``path`` is: dir, file, missing, or other (something else, or a path that cannot
    be looked at: no permission on a parent, a name too long). Never raises."""
    try:
        if path.is_dir():
            return "dir"
        if path.is_file():
            return "file"
        return "other" if path.exists() else "missing"
    except OSError:
        return "other"


def _glob(path: Path, item: str) -> Iterator[str | InputFailure]:
    matches = sorted(glob.glob(str(path), recursive=True))
    if not matches:
        yield item
    for match in matches:
        found = Path(match)
        kind = _kind(found)
        if kind == "dir":
            yield from _walk(found)
        elif _readable(found):
            yield match


def read_item(
    item: str | InputFailure, *, allow_private: bool = False, max_bytes: int = MAX_BYTES
) -> Iterator[Document | InputFailure]:
    """Documents of one expanded item (a file, URL or ``-``); never raises for a bad one."""
    if isinstance(item, InputFailure):
        yield item
    else:
        yield from guarded(_read_one(item, allow_private, max_bytes), item)


def _read_one(item: str, allow_private: bool, max_bytes: int) -> Iterator[Document | InputFailure]:
    if is_warc(item) and Path(item).is_file():
        yield from iter_warc(item, max_bytes)
    else:
        yield from read_inputs([item], allow_private=allow_private, max_bytes=max_bytes)


def read_documents(
    inputs: Iterable[str], *, allow_private: bool = False, max_bytes: int = MAX_BYTES
) -> Iterator[Document | InputFailure]:
    """Every Document the inputs hold, in order; unreadable items become ``InputFailure``."""
    for item in expand(inputs):
        yield from read_item(item, allow_private=allow_private, max_bytes=max_bytes)


# -- units of work for distributed engines --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    """Whole items to read, or one byte range ``[start, end)`` of a JSON Lines file.

    ``first_line`` numbers the range's first line, so records keep their ``PATH:LINE`` sources.
    """

    items: tuple[str | InputFailure, ...]
    start: int = 0
    end: int | None = None
    first_line: int = 1


def _line_ranges(path: str, target: int) -> Iterator[Unit]:
    """Cut a JSON Lines file at line ends into ranges of about ``target`` bytes."""
    size = os.path.getsize(path)
    start, line = 0, 1
    with open(path, "rb") as fh:
        while start < size:
            cut = min(start + target, size)
            fh.seek(cut)
            if cut < size:
                fh.readline()  # finish the line the cut fell in
                cut = fh.tell()
            fh.seek(start)
            lines, left = 0, cut - start
            while left > 0:
                block = fh.read(min(_SCAN, left))
                lines += block.count(b"\n")
                left -= len(block)
            yield Unit((path,), start, cut, line)
            start, line = cut, line + lines


def plan_units(
    inputs: Iterable[str], *, files_per_unit: int = 8, range_bytes: int = 1 << 21
) -> Iterator[Unit]:
    """Independent units covering the inputs in reading order.

    Consecutive small files share a unit; a plain (not gzipped) JSON Lines file larger than
    ``range_bytes`` is cut into line-aligned ranges; a WARC or gzipped file is one unit, since
    it can only be read from its start.
    """
    batch: list[str | InputFailure] = []
    for item in expand(inputs):
        if isinstance(item, InputFailure):
            batch.append(item)  # reported where it falls in the reading order
            continue
        if item == STDIN:
            detail = "standard input cannot be shared with remote workers; save it to a file"
            raise FlashpointError(Errors.E082.format(name="input", value=item, detail=detail))
        whole = "://" in item or not os.path.isfile(item)
        large = not whole and os.path.getsize(item) > range_bytes
        if large and item.lower().endswith(_JSONL) and not _binary_head(item):
            if batch:
                yield Unit(tuple(batch))
                batch = []
            yield from _line_ranges(item, range_bytes)
            continue
        if large or is_warc(item):
            if batch:
                yield Unit(tuple(batch))
                batch = []
            yield Unit((item,))
            continue
        batch.append(item)
        if len(batch) >= files_per_unit:
            yield Unit(tuple(batch))
            batch = []
    if batch:
        yield Unit(tuple(batch))


def _binary_head(path: str) -> bool:
    """Binary content under a text name: left whole, for the reader to report once (E003);
    so is a file that cannot be opened (the reader reports why)."""
    try:
        with open(path, "rb") as fh:
            return sniff_binary(fh.read(8192)) is not None
    except OSError:
        return True


class _LinesFrom(io.RawIOBase):
    """A byte range of a file, preceded by ``skipped`` empty lines.

    ``iter_jsonl`` numbers lines from the start of what it reads and skips blank ones, so the
    empty lines make a range report the same ``PATH:LINE`` as a read from the file's start.
    """

    def __init__(self, path: str, start: int, end: int, skipped: int) -> None:
        super().__init__()
        self._fh = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._fh.seek(start)
        self._left = end - start
        self._skipped = skipped

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._skipped:
            n = min(self._skipped, len(buffer))
            buffer[:n] = b"\n" * n
            self._skipped -= n
            return n
        if self._left <= 0:
            return 0
        data = self._fh.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def close(self) -> None:
        self._fh.close()
        super().close()


def read_unit(
    unit: Unit, *, allow_private: bool = False, max_bytes: int = MAX_BYTES
) -> Iterator[Document | InputFailure]:
    """The Documents of one unit, identical to what ``read_documents`` gives for that part."""
    if unit.end is None:
        for item in unit.items:
            yield from read_item(item, allow_private=allow_private, max_bytes=max_bytes)
        return
    path = unit.items[0]
    assert isinstance(path, str)  # plan_units cuts only files into ranges
    yield from guarded(_read_range(unit, path, max_bytes), path)


def _read_range(unit: Unit, path: str, max_bytes: int) -> Iterator[Document | InputFailure]:
    from ..ingest.records import iter_jsonl

    assert unit.end is not None
    source = storable(path)
    with io.BufferedReader(_LinesFrom(path, unit.start, unit.end, unit.first_line - 1)) as stream:
        for record in iter_jsonl(stream, source, max_bytes):
            if isinstance(record, Document):
                yield record
            else:
                yield InputFailure.from_error(source, record)
