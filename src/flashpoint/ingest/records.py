"""JSON and JSON Lines records to Documents, one per record.

Exports from scrapers and news APIs are the usual bulk input. One malformed line must not cost
the other ten thousand, so every record is parsed on its own and problems come back as values
with the line number rather than as exceptions.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import IO, Any

from ..errors import Errors, InputError
from ..types import Document
from .decode import decode_bytes, fix_mojibake

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_LANG = re.compile(r"[A-Za-z]{2,3}")
# JSON can escape half of a character ("\ud83d" of a cut emoji); such a string cannot be
# encoded, so the tokenizer and the database would fail on it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", text)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = _valid(str(value)).strip()
    return fix_mojibake(text) if text else None


def _date(value: Any) -> dt.date | None:
    """Dates in records are ISO strings or epoch seconds; anything else is treated as absent."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value, tz=dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.search(value)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _language(value: Any) -> str | None:
    match = _LANG.match(str(value).strip()) if value else None
    return match.group(0).lower() if match else None


def record_to_document(record: Any, source: str, line: int) -> Document:
    """One record (a JSON object) as a Document; ``InputError`` when it has no usable text."""
    if not isinstance(record, dict):
        raise InputError(
            Errors.E006.format(line=line, source=source, detail="record is not an object")
        )
    text = record.get("text")
    html = record.get("html")
    if not isinstance(text, str) and not isinstance(html, str):
        raise InputError(Errors.E007.format(line=line, source=source))
    # Prefer the already-extracted text: it is what the producer vouched for.
    is_text = isinstance(text, str) and bool(text.strip())
    content = text if is_text else html
    where = f"{source}:{line}"
    if not isinstance(content, str) or not content.strip():
        raise InputError(Errors.E002.format(source=where))
    rid = record.get("id", record.get("doc_id"))
    return Document(
        source=where,
        content=fix_mojibake(_valid(content)),
        content_type="text" if is_text else "html",
        id=_valid(str(rid)) if rid not in (None, "") else None,
        url=_text(record.get("url")),
        title=_text(record.get("title")),
        publisher=_text(record.get("publisher")),
        published=_date(record.get("published", record.get("date"))),
        language=_language(record.get("language")),
    )


def iter_jsonl(stream: IO[bytes], source: str, max_bytes: int) -> Iterator[Document | InputError]:
    """Stream a JSON Lines file: one Document or one error per non-blank line."""
    number = 0
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass  # drop the rest of the oversize line without holding it
            yield InputError(
                Errors.E004.format(size=f">{max_bytes}", cap=max_bytes, source=f"{source}:{number}")
            )
            continue
        try:
            line = decode_bytes(raw, source)
            if not line.strip():
                continue
            record = json.loads(line)
        except (json.JSONDecodeError, InputError) as err:
            detail = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
            yield InputError(Errors.E006.format(line=number, source=source, detail=detail))
            continue
        try:
            yield record_to_document(record, source, number)
        except InputError as err:
            yield err


def iter_json(text: str, source: str) -> Iterator[Document | InputError]:
    """A whole-file JSON document: one record, a list of records, or JSON Lines misnamed .json."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        if text.lstrip().startswith("{") and "\n" in text.strip():
            yield from _lines(text, source)
            return
        yield InputError(Errors.E006.format(line=err.lineno, source=source, detail=err.msg))
        return
    if isinstance(data, dict) and isinstance(data.get("articles", data.get("records")), list):
        data = data.get("articles", data.get("records"))
    items = data if isinstance(data, list) else [data]
    for index, record in enumerate(items, start=1):
        try:
            yield record_to_document(record, source, index)
        except InputError as err:
            yield err


def _lines(text: str, source: str) -> Iterator[Document | InputError]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield InputError(Errors.E006.format(line=number, source=source, detail=err.msg))
            continue
        try:
            yield record_to_document(record, source, number)
        except InputError as err:
            yield err
