"""Turn what the user named (files, folders, "-", URLs) into a stream of Documents.

Batch runs over thousands of items are the norm, so nothing here raises for a bad item: each
problem becomes an ``InputFailure`` carrying the catalogue code, and the stream moves on.
"""

from __future__ import annotations

import gzip
import os
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from ..config import InputLimits
from ..errors import Errors, FlashpointError, InputError
from ..types import Document
from .decode import decode_bytes, looks_like_html, sniff_binary
from .fetch import fetch_url
from .names import storable
from .records import iter_json, iter_jsonl

Kind = Literal["html", "text", "json", "jsonl"]
# Suffixes read from folders; anything else there is skipped silently.
SUFFIXES: dict[str, Kind] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
STDIN = "-"


@dataclass(slots=True, frozen=True)
class InputFailure:
    """One input that could not be read; the batch carries on without it."""

    source: str
    code: str
    message: str

    @classmethod
    def from_error(cls, source: str, err: FlashpointError) -> InputFailure:
        return cls(source, err.code, str(err))


def _kind_of(path: Path) -> tuple[Kind | None, bool]:
    """The format a file name promises, and whether it is gzip-compressed."""
    name = path.name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    return SUFFIXES.get(os.path.splitext(name)[1]), gz


def _read_capped(stream: IO[bytes], source: str, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(Errors.E004.format(size=f">{max_bytes}", cap=max_bytes, source=source))
    return data


def _documents_from_bytes(
    data: bytes,
    source: str,
    kind: Kind | None,
    *,
    url: str | None = None,
    charset: str | None = None,
) -> Iterator[Document | InputFailure]:
    binary = sniff_binary(data)
    if binary:
        raise InputError(Errors.E003.format(kind=binary, source=source))
    text = decode_bytes(data, source, charset)
    if not text.strip():
        raise InputError(Errors.E002.format(source=source))
    if kind is None:
        kind = _sniff_kind(text)
    if kind in ("json", "jsonl"):
        for item in iter_json(text, source):
            yield InputFailure.from_error(source, item) if isinstance(item, InputError) else item
        return
    is_html = kind == "html" or looks_like_html(text)
    yield Document(source=source, content=text, content_type="html" if is_html else "text", url=url)


def _sniff_kind(text: str) -> Kind:
    head = text.lstrip()[:1]
    if head in "{[":
        return "json"  # iter_json also accepts JSON Lines
    return "html" if looks_like_html(text) else "text"


def _read_file(path: Path, max_bytes: int) -> Iterator[Document | InputFailure]:
    source = storable(str(path))
    kind, gz = _kind_of(path)
    size = path.stat().st_size
    if not gz and size > max_bytes and kind != "jsonl":
        raise InputError(Errors.E004.format(size=size, cap=max_bytes, source=source))
    with path.open("rb") as raw:
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if gz else raw  # type: ignore[assignment]
        try:
            if kind == "jsonl":
                peek = getattr(stream, "peek", None)
                binary = sniff_binary(peek(8192)[:8192]) if peek else None
                if binary:
                    raise InputError(Errors.E003.format(kind=binary, source=source))
                count = 0
                limits = InputLimits.from_env()
                items = iter_jsonl(
                    stream,
                    source,
                    max_bytes,
                    max_blank_lines=limits.max_blank_lines,
                    max_total=limits.max_unpacked_bytes if gz else None,
                )
                for item in items:
                    count += 1
                    yield (
                        InputFailure.from_error(source, item)
                        if isinstance(item, InputError)
                        else item
                    )
                if not count:
                    raise InputError(Errors.E002.format(source=source))
                return
            data = _read_capped(stream, source, max_bytes)
        except (OSError, EOFError, zlib.error) as err:
            if not gz:
                raise
            raise InputError(
                Errors.E003.format(kind=f"corrupt gzip ({err})", source=source)
            ) from err
    yield from _documents_from_bytes(data, source, kind)


def walk(folder: Path, keep: Callable[[Path], bool]) -> Iterator[Path | InputFailure]:
    """Files under ``folder`` that ``keep`` accepts, in a stable order, skipping hidden files
    and folders; a folder that cannot be listed comes back as an ``InputFailure`` (E016) in
    its place, so its files are counted as lost rather than silently missing."""
    unreadable: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=unreadable.append):
        while unreadable:
            yield _unreadable(unreadable.pop(0), root)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root, name)
            if not name.startswith(".") and keep(path):
                yield path
    while unreadable:
        yield _unreadable(unreadable.pop(0), str(folder))


def _unreadable(err: OSError, fallback: str) -> InputFailure:
    path = storable(str(err.filename if err.filename is not None else fallback))
    detail = err.strerror or type(err).__name__
    return InputFailure.from_error(path, InputError(Errors.E016.format(path=path, detail=detail)))


def _readable(path: Path) -> bool:
    return _kind_of(path)[0] is not None


def _read_stdin(max_bytes: int) -> Iterator[Document | InputFailure]:
    data = _read_capped(sys.stdin.buffer, "<stdin>", max_bytes)
    yield from _documents_from_bytes(data, "<stdin>", None)


def _read_url(
    url: str, allow_private: bool, max_bytes: int, timeout: float
) -> Iterator[Document | InputFailure]:
    page = fetch_url(url, allow_private=allow_private, max_bytes=max_bytes, timeout=timeout)
    kind: Kind | None = (
        "html" if page.content_type in ("text/html", "application/xhtml+xml") else None
    )
    yield from _documents_from_bytes(page.body, url, kind, url=page.url, charset=page.charset)


def _one(
    item: str, allow_private: bool, max_bytes: int, timeout: float
) -> Iterator[Document | InputFailure]:
    if item == STDIN:
        yield from _read_stdin(max_bytes)
        return
    if "://" in item:
        yield from _read_url(item, allow_private, max_bytes, timeout)
        return
    path = Path(item).expanduser()
    if path.is_dir():
        for file in walk(path, _readable):
            if isinstance(file, InputFailure):
                yield file
            else:
                yield from guarded(_read_file(file, max_bytes), str(file))
        return
    if not path.is_file():
        raise InputError(Errors.E001.format(path=item))
    yield from _read_file(path, max_bytes)


def guarded(
    items: Iterator[Document | InputFailure], source: str
) -> Iterator[Document | InputFailure]:
    """Pass items through, turning an error raised mid-stream into a final InputFailure.

    Reading runs in the engine's own process, so whatever one input raises (a parser limit, a
    bug) must end that input only: any other exception becomes E013 for it.
    """
    source = storable(source)
    try:
        yield from items
    except FlashpointError as err:
        yield InputFailure.from_error(source, err)
    except OSError as err:
        yield InputFailure.from_error(
            source, InputError(Errors.E001.format(path=f"{source} ({err})"))
        )
    except Exception as err:  # RecursionError and MemoryError included
        detail = storable(f"{type(err).__name__}: {err}"[:500])
        problem = InputError(Errors.E013.format(source=source, detail=detail))
        yield InputFailure.from_error(source, problem)


def read_inputs(
    inputs: Iterable[str],
    *,
    allow_private: bool = False,
    max_bytes: int = 20_000_000,
    timeout: float = 20.0,
) -> Iterator[Document | InputFailure]:
    """Documents from files, folders (recursive, sorted), "-" (stdin) and http(s) URLs.

    JSON/JSONL inputs give one Document per record. Each unreadable item (or record) yields an
    ``InputFailure`` with its code instead of stopping the iteration. ``max_bytes`` caps each
    document (each line of a JSONL file); ``timeout`` bounds each URL fetch as a whole.
    """
    for item in [inputs] if isinstance(inputs, str) else inputs:
        yield from guarded(_one(item, allow_private, max_bytes, timeout), item)
