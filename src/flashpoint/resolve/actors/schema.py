"""Reading actor entries from YAML or CSV, shipped or user-supplied.

One parser for both, so a user file is checked exactly like the shipped data: required fields,
a known kind, and countries that resolve to ISO3 codes (given as ISO3, ISO2 or a name).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, cast

import yaml

from flashpoint.errors import Errors, FlashpointError
from flashpoint.resolve.actors.model import ACTOR_KINDS, ActorEntry
from flashpoint.resolve.actors.text import fold
from flashpoint.types import ActorKind

CountryLookup = Callable[[str], "str | None"]

FIELDS = (
    "id", "name", "kind", "country", "sponsor", "aliases", "acronyms", "bare", "parent", "role",
    "affiliation",
)
LIST_FIELDS = ("aliases", "acronyms", "bare")
LIST_SEPARATOR = "|"


def slug(text: str) -> str:
    return re.sub(r"\s+", "-", fold(text)) or "actor"


def split_list(value: object) -> tuple[str, ...]:
    """A list field from YAML (a list or a string) or CSV ("a|b|c")."""
    if value is None:
        return ()
    items: Iterable[object]
    if isinstance(value, str):
        items = value.split(LIST_SEPARATOR)
    elif isinstance(value, list | tuple):
        items = value
    else:
        items = [value]
    return tuple(dict.fromkeys(str(v).strip() for v in items if str(v).strip()))


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_entry(
    raw: Mapping[str, Any], *, path: Path | str, index: int, country_of: CountryLookup
) -> ActorEntry:
    """Validate one record; ``index`` is 1-based for messages."""
    if not isinstance(raw, Mapping):
        detail = f"entry {index} is not a mapping"
        raise FlashpointError(Errors.E050.format(path=path, detail=detail))
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        detail = f"entry {index} has unknown field(s) {', '.join(map(str, unknown))}"
        raise FlashpointError(Errors.E050.format(path=path, detail=detail))
    name = _text(raw.get("name"))
    if name is None:
        raise FlashpointError(Errors.E051.format(path=path, index=index, field="name"))
    kind = _text(raw.get("kind"))
    if kind is None:
        raise FlashpointError(Errors.E051.format(path=path, index=index, field="kind"))
    kind = kind.lower()
    if kind not in ACTOR_KINDS:
        choices = ", ".join(sorted(ACTOR_KINDS))
        detail = f"entry {index} has unknown kind '{kind}' (choose from {choices})"
        raise FlashpointError(Errors.E050.format(path=path, detail=detail))

    def country_field(field: str) -> str | None:
        value = _text(raw.get(field))
        if value is None or value.lower() in {"null", "none"}:
            return None
        code = country_of(value)
        if code is None:
            detail = f"entry {index} field '{field}': unknown country '{value}'"
            raise FlashpointError(Errors.E050.format(path=path, detail=detail))
        return code

    return ActorEntry(
        id=_text(raw.get("id")) or slug(name),
        name=name,
        kind=cast(ActorKind, kind),
        country=country_field("country"),
        sponsor=country_field("sponsor"),
        aliases=split_list(raw.get("aliases")),
        acronyms=split_list(raw.get("acronyms")),
        bare=split_list(raw.get("bare")),
        parent=_text(raw.get("parent")),
        role=_text(raw.get("role")),
        affiliation=_text(raw.get("affiliation")),
    )


def read_records(path: Path) -> list[Mapping[str, Any]]:
    """Raw records of a YAML (a list, or a mapping with an ``actors`` list) or CSV file."""
    try:
        if path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows: list[Mapping[str, Any]] = [
                    {k.strip(): v for k, v in row.items() if k and v not in (None, "")}
                    for row in csv.DictReader(row for row in handle if not row.startswith("#"))
                ]
            return rows
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise FlashpointError(Errors.E050.format(path=path, detail=exc.strerror or exc)) from exc
    except (yaml.YAMLError, csv.Error, UnicodeDecodeError) as exc:
        raise FlashpointError(Errors.E050.format(path=path, detail=exc)) from exc
    if data is None:
        return []
    if isinstance(data, Mapping):
        data = data.get("actors")
    if not isinstance(data, list):
        detail = "expected a list of entries or a mapping with an 'actors' list"
        raise FlashpointError(Errors.E050.format(path=path, detail=detail))
    return data


def read_entries(path: Path, country_of: CountryLookup) -> list[ActorEntry]:
    return [
        parse_entry(raw, path=path, index=i, country_of=country_of)
        for i, raw in enumerate(read_records(path), start=1)
    ]


def entry_to_dict(entry: ActorEntry) -> dict[str, Any]:
    """Compact JSON form: empty fields are left out."""
    out: dict[str, Any] = {}
    for field in FIELDS:
        value = getattr(entry, field)
        if value:
            out[field] = list(value) if isinstance(value, tuple) else value
    return out


def entry_from_dict(data: Mapping[str, Any]) -> ActorEntry:
    return ActorEntry(
        id=data["id"], name=data["name"], kind=data["kind"], country=data.get("country"),
        sponsor=data.get("sponsor"), aliases=tuple(data.get("aliases", ())),
        acronyms=tuple(data.get("acronyms", ())), bare=tuple(data.get("bare", ())),
        parent=data.get("parent"), role=data.get("role"), affiliation=data.get("affiliation"),
    )
