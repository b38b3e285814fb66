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


class _TooBig(Exception):
    """Well-formed JSON that the parser cannot hold (E012)."""


def _parse(text: str) -> Any:
    """``json.loads``, with the limits of the parser as ``_TooBig`` rather than a crash.

    The decoder recurses once per nesting level (1,000 ``[`` raise ``RecursionError``) and
    refuses integers over 4,300 digits (``ValueError``); either used to end the whole batch.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise _TooBig("nested too deeply") from None
    except ValueError as err:
        raise _TooBig(str(err)) from None


def _record(record: Any, source: str, line: int) -> Document | InputError:
    """One record's Document or error; whatever it raises costs that record only."""
    try:
        return record_to_document(record, source, line)
    except InputError as err:
        return err
    except RecursionError:  # str() of a field nested nearly as deep as the parser allows
        detail = "nested too deeply"
        return InputError(Errors.E012.format(line=line, source=source, detail=detail))
    except Exception as err:
        detail = f"{type(err).__name__}: {err}"[:500]
        return InputError(Errors.E013.format(source=f"{source}:{line}", detail=detail))


def iter_jsonl(
    stream: IO[bytes],
    source: str,
    max_bytes: int,
    *,
    max_blank_lines: int | None = None,
    max_total: int | None = None,
) -> Iterator[Document | InputError]:
    """Stream a JSON Lines file: one Document or one error per non-blank line.

    ``max_blank_lines`` and ``max_total`` (bytes read) bound what the file may cost: past
    either, one error (E015, E014) ends it.
    """
    number = blank = total = 0
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        total += len(raw)
        if max_total is not None and total > max_total:
            yield InputError(Errors.E014.format(source=source, cap=max_total))
            return
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                total += len(rest)  # drop the rest of the oversize line without holding it
                if max_total is not None and total > max_total:
                    yield InputError(Errors.E014.format(source=source, cap=max_total))
                    return
            yield InputError(
                Errors.E004.format(size=f">{max_bytes}", cap=max_bytes, source=f"{source}:{number}")
            )
            continue
        if not raw.strip():
            blank += 1
            if max_blank_lines is not None and blank > max_blank_lines:
                yield InputError(Errors.E015.format(source=source, cap=max_blank_lines))
                return
            continue
        try:
            line = decode_bytes(raw, source)
            if not line.strip():
                continue
            record = _parse(line)
        except (json.JSONDecodeError, InputError) as err:
            detail = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
            yield InputError(Errors.E006.format(line=number, source=source, detail=detail))
            continue
        except _TooBig as err:
            yield InputError(Errors.E012.format(line=number, source=source, detail=err))
            continue
        yield _record(record, source, number)


def iter_json(text: str, source: str) -> Iterator[Document | InputError]:
    """A whole-file JSON document: one record, a list of records, or JSON Lines misnamed .json."""
    try:
        data = _parse(text)
    except json.JSONDecodeError as err:
        if text.lstrip().startswith("{") and "\n" in text.strip():
            yield from _lines(text, source)
            return
        yield InputError(Errors.E006.format(line=err.lineno, source=source, detail=err.msg))
        return
    except _TooBig as err:
        yield InputError(Errors.E012.format(line=1, source=source, detail=err))
        return
    if isinstance(data, dict) and isinstance(data.get("articles", data.get("records")), list):
        data = data.get("articles", data.get("records"))
    items = data if isinstance(data, list) else [data]
    for index, record in enumerate(items, start=1):
        yield _record(record, source, index)


def _lines(text: str, source: str) -> Iterator[Document | InputError]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = _parse(line)
        except json.JSONDecodeError as err:
            yield InputError(Errors.E006.format(line=number, source=source, detail=err.msg))
            continue
        except _TooBig as err:
            yield InputError(Errors.E012.format(line=number, source=source, detail=err))
            continue
        yield _record(record, source, number)
