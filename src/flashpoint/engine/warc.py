"""WARC files (web crawls, e.g. Common Crawl) to Documents, one per archived HTML or text page.

A crawl holds every fetched resource, so only successful (HTTP 200) ``response`` records and
``resource`` records whose type is HTML, XHTML or plain text become Documents; requests,
metadata, revisits, redirects, images and PDFs are passed over silently, as a folder reader
passes over files it cannot read. Per-record gzip (``.warc.gz``) is read as one stream, chunked
transfer coding and gzip/deflate content coding are undone, and each page is capped in size.
Problems with one record become an ``InputFailure`` and the file reading moves on; a file that
stops being WARC stops with a failure.

Every length in a record is the writer's claim, so each is checked before it is used: a
negative or non-numeric Content-Length or chunk size, a header without end, or a record longer
than ``MAX_RECORD_BYTES`` ends the file with E003 at once, rather than looping or reading
gigabytes into memory.
"""

from __future__ import annotations

import gzip
import http.client
import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..errors import Errors, InputError
from ..ingest import InputFailure, decode_bytes, sniff_binary
from ..ingest.decode import looks_like_html
from ..ingest.names import storable
from ..types import Document

SUFFIXES = (".warc", ".warc.gz")
PAGE_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}
_MAX_HEADER_LINE = 1 << 16
_MAX_HEADER_LINES = 256
_SKIP_BLOCK = 1 << 20
# A record over the page cap is skipped by reading past it; beyond this it is not a page archive
# worth reading through (Common Crawl cuts records at 1 MiB) but a broken or hostile length.
MAX_RECORD_BYTES = 1 << 30
_DIGITS = re.compile(r"[0-9]{1,19}")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


def is_warc(path: str | Path) -> bool:
    return str(path).lower().endswith(SUFFIXES)


class _NotWarc(Exception):
    """The stream does not continue as WARC records; nothing further can be read."""


def _read_headers(stream: IO[bytes]) -> dict[str, str] | None:
    """The next record's named fields (keys lower-cased); None at a clean end of file."""
    line = stream.readline(_MAX_HEADER_LINE)
    while line in (b"\r\n", b"\n"):
        line = stream.readline(_MAX_HEADER_LINE)
    if not line:
        return None
    if not line.startswith(b"WARC/"):
        raise _NotWarc(f"expected a WARC/1.x record, found {line[:40]!r}")
    fields: dict[str, str] = {}
    for _ in range(_MAX_HEADER_LINES):
        line = stream.readline(_MAX_HEADER_LINE)
        if not line:
            raise _NotWarc("file ends inside a record header")
        if line in (b"\r\n", b"\n"):
            return fields
        name, sep, value = line.decode("utf-8", "replace").partition(":")
        if sep:
            fields[name.strip().lower()] = value.strip()
    raise _NotWarc(f"record header has more than {_MAX_HEADER_LINES} lines")


def _content_length(fields: dict[str, str], number: int) -> int:
    """The record's Content-Length: digits only, at most ``MAX_RECORD_BYTES``."""
    raw = fields.get("content-length", "")
    if not _DIGITS.fullmatch(raw):
        raise _NotWarc(f"record {number} has no valid Content-Length ({raw[:40]!r})")
    length = int(raw)
    if length > MAX_RECORD_BYTES:
        raise _NotWarc(f"record {number} claims {length} bytes (over {MAX_RECORD_BYTES})")
    return length


def _skip(stream: IO[bytes], size: int) -> None:
    while size > 0:
        chunk = stream.read(min(size, _SKIP_BLOCK))
        if not chunk:
            raise _NotWarc("file ends inside a record")
        size -= len(chunk)


def _dechunk(body: bytes) -> bytes:
    """Undo HTTP/1.1 chunked transfer coding; ``ValueError`` if ``body`` is not chunked.

    Sizes are plain hex digits (no sign: ``-6`` once walked backwards forever) and no larger
    than what is left, so each step moves forward and the output never outgrows ``body``.
    """
    out = bytearray()
    pos = 0
    while True:
        end = body.index(b"\r\n", pos)
        digits = body[pos:end].split(b";", 1)[0].strip()
        if not _HEX.fullmatch(digits):
            raise ValueError(f"bad chunk size {digits[:20]!r}")
        size = int(digits, 16)
        if size == 0:
            return bytes(out)
        start = end + 2
        if size > len(body) - start:
            raise ValueError(f"chunk of {size} bytes overruns the body")
        out += body[start : start + size]
        pos = start + size + 2


def _decompress(body: bytes, coding: str, max_bytes: int) -> bytes:
    if coding in ("", "identity"):
        return body
    if coding in ("gzip", "x-gzip", "deflate"):
        wbits = 16 + zlib.MAX_WBITS if coding != "deflate" else zlib.MAX_WBITS
        inflater = zlib.decompressobj(wbits)
        data = inflater.decompress(body, max_bytes + 1)
        if len(data) > max_bytes:
            raise ValueError(f"more than {max_bytes} bytes once decompressed")
        return data
    raise ValueError(f"unsupported content coding {coding!r}")


def _http_payload(block: bytes) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Status, headers and body of an archived HTTP response."""
    stream = io.BytesIO(block)
    status_line = stream.readline(_MAX_HEADER_LINE).decode("latin-1").split()
    if len(status_line) < 2 or not status_line[0].startswith("HTTP/"):
        raise ValueError("no HTTP status line")
    headers = http.client.parse_headers(stream)
    return int(status_line[1]), headers, stream.read()


def _page(
    fields: dict[str, str], block: bytes, source: str, max_bytes: int
) -> Document | None:
    """The Document a record's block holds, or None for records that are not pages."""
    kind = fields.get("warc-type", "").lower()
    url = fields.get("warc-target-uri", "").strip("<>") or None
    charset: str | None = None
    if kind == "response":
        try:
            status, headers, body = _http_payload(block)
        except (ValueError, http.client.HTTPException) as err:
            problem = Errors.E003.format(kind=f"bad archived HTTP ({err})", source=source)
            raise InputError(problem) from err
        if status != 200:
            return None
        ctype = headers.get_content_type() if headers.get("Content-Type") else None
        charset = headers.get_content_charset()
        try:
            if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
                body = _dechunk(body)
            coding = (headers.get("Content-Encoding") or "").strip().lower()
            body = _decompress(body, coding, max_bytes)
        except (ValueError, zlib.error) as err:
            problem = Errors.E003.format(kind=f"undecodable body ({err})", source=source)
            raise InputError(problem) from err
    elif kind == "resource":
        ctype = fields.get("content-type", "").split(";", 1)[0].strip().lower() or None
        body = block
    else:
        return None
    if ctype is not None and ctype not in PAGE_TYPES:
        return None
    if len(body) > max_bytes:
        raise InputError(Errors.E004.format(size=len(body), cap=max_bytes, source=source))
    binary = sniff_binary(body)
    if binary:
        raise InputError(Errors.E003.format(kind=binary, source=source))
    text = decode_bytes(body, source, charset)
    if not text.strip():
        raise InputError(Errors.E002.format(source=source))
    is_html = PAGE_TYPES.get(ctype or "") == "html" or looks_like_html(text)
    return Document(source, text, "html" if is_html else "text", url=url)


def iter_warc(path: str | Path, max_bytes: int = 20_000_000) -> Iterator[Document | InputFailure]:
    """Pages archived in the WARC file at ``path`` (``.warc`` or per-record ``.warc.gz``).

    Each Document's source is ``PATH:N``, N counting the file's records from 1, so a failure
    can be found again in the crawl.
    """
    name = storable(str(path))
    with open(path, "rb") as raw:
        stream: IO[bytes] = (
            gzip.GzipFile(fileobj=raw) if name.lower().endswith(".gz") else raw  # type: ignore[assignment]
        )
        number = 0
        try:
            while (fields := _read_headers(stream)) is not None:
                length = _content_length(fields, number + 1)
                number += 1
                source = f"{name}:{number}"
                # The HTTP headers ride in the block too; allow them on top of the page cap.
                if length > max_bytes + _MAX_HEADER_LINE:
                    _skip(stream, length)
                    cap = Errors.E004.format(size=length, cap=max_bytes, source=source)
                    yield InputFailure.from_error(source, InputError(cap))
                    continue
                block = stream.read(length)
                if len(block) < length:
                    raise _NotWarc("file ends inside a record")
                try:
                    doc = _page(fields, block, source, max_bytes)
                except InputError as err:
                    yield InputFailure.from_error(source, err)
                    continue
                if doc is not None:
                    yield doc
        except (_NotWarc, OSError, EOFError, zlib.error) as err:
            problem = InputError(Errors.E003.format(kind=f"broken WARC ({err})", source=name))
            yield InputFailure.from_error(f"{name}:{number + 1}", problem)
