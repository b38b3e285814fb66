"""Load the curated mapping tables in ``flashpoint/data/export/`` (tab-separated, ``#`` comments).

Kept as data rather than code so a codebook change is a one-line diff reviewers can check against
the ACLED and PLOVER documentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycountry

from ..errors import Errors, FlashpointError

_DIR = "data/export"


def _rows(name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    path = resources.files("flashpoint").joinpath(f"{_DIR}/{name}")
    lines = [
        line.rstrip("\n")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    header = tuple(lines[0].split("\t")) if lines else ()
    if header != columns:
        raise FlashpointError(
            Errors.E050.format(path=f"{_DIR}/{name}", detail=f"header {header} != {columns}")
        )
    out: list[dict[str, str]] = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(columns):
            raise FlashpointError(
                Errors.E050.format(
                    path=f"{_DIR}/{name}",
                    detail=f"data row {number} has {len(cells)} cells, expected {len(columns)}",
                )
            )
        out.append(dict(zip(columns, (c.strip() for c in cells), strict=True)))
    return out


@dataclass(frozen=True, slots=True)
class AcledType:
    disorder_type: str
    event_type: str
    sub_event_type: str
    ucdp: str = ""  # onesided | state|nonstate | "" (not violence UCDP counts)


@dataclass(frozen=True, slots=True)
class _Rule:
    plover_type: str
    mode: str
    target: str
    result: AcledType

    def matches(self, plover_type: str, mode: str | None, target_kinds: set[str]) -> bool:
        return (
            self.plover_type in ("*", plover_type)
            and self.mode in ("*", mode)
            and (self.target == "*" or self.target in target_kinds)
        )


@cache
def _type_rules() -> tuple[_Rule, ...]:
    columns = (
        "plover_type", "mode", "target", "disorder_type", "event_type", "sub_event_type", "ucdp"
    )
    rules = tuple(
        _Rule(
            r["plover_type"],
            r["mode"],
            r["target"],
            AcledType(r["disorder_type"], r["event_type"], r["sub_event_type"], r["ucdp"]),
        )
        for r in _rows("acled_event_types.tsv", columns)
    )
    if not rules or (rules[-1].plover_type, rules[-1].mode, rules[-1].target) != ("*", "*", "*"):
        raise FlashpointError(
            Errors.E050.format(
                path=f"{_DIR}/acled_event_types.tsv", detail="last row must be the * * * default"
            )
        )
    return rules


@dataclass(frozen=True, slots=True)
class TypeRule:
    """One row of ``acled_event_types.tsv``: ``*`` in a condition matches anything."""

    plover_type: str
    mode: str
    target: str
    result: AcledType


def type_rules() -> tuple[TypeRule, ...]:
    """The mapping rows in order (first match wins), for callers that compile them, e.g. the
    store's ``sub_event_type`` filter into SQL."""
    return tuple(TypeRule(r.plover_type, r.mode, r.target, r.result) for r in _type_rules())


def sub_event_types() -> tuple[str, ...]:
    """Every ACLED sub-event type the mapping can give, in table order, once each."""
    return tuple(dict.fromkeys(r.result.sub_event_type for r in _type_rules()))


def acled_type(plover_type: str, mode: str | None, target_kinds: set[str]) -> AcledType:
    """The ACLED classification for a PLOVER type and mode (first matching rule)."""
    for rule in _type_rules():
        if rule.matches(plover_type, mode, target_kinds):
            return rule.result
    raise AssertionError("unreachable: the table ends with a catch-all row")


@dataclass(frozen=True, slots=True)
class KindCodes:
    acled_inter: str
    plover_code: str
    plover_sector: str


@cache
def _kinds() -> dict[str, KindCodes]:
    columns = ("kind", "acled_inter", "plover_code", "plover_sector")
    return {
        r["kind"]: KindCodes(r["acled_inter"], r["plover_code"], r["plover_sector"])
        for r in _rows("actor_kinds.tsv", columns)
    }


_NO_KIND = KindCodes("", "", "")


def kind_codes(kind: str | None) -> KindCodes:
    return _kinds().get(kind or "", _NO_KIND)


@cache
def _country_overrides() -> dict[str, str]:
    rows = _rows("acled_country_names.tsv", ("iso3", "acled_name"))
    return {r["iso3"]: r["acled_name"] for r in rows}


@cache
def country_name(iso3: str | None) -> str:
    """Country name in ACLED's spelling, or "" for a missing or unknown code."""
    if not iso3:
        return ""
    override = _country_overrides().get(iso3)
    if override:
        return override
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return ""
    return str(getattr(country, "common_name", None) or country.name)


@cache
def _regions() -> dict[str, str]:
    return {r["iso3"]: r["region"] for r in _rows("acled_regions.tsv", ("iso3", "region"))}


def acled_region(iso3: str | None) -> str:
    """ACLED's region of a country (``acled_regions.tsv``), or "" when unknown."""
    return _regions().get(iso3 or "", "")


@cache
def country_numeric(iso3: str | None) -> str:
    """ISO 3166 numeric code (ACLED's ``iso`` column) without leading zeros, or ""."""
    country = pycountry.countries.get(alpha_3=iso3) if iso3 else None
    return str(int(country.numeric)) if country is not None else ""
