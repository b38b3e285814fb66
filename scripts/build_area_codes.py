#!/usr/bin/env python
"""Rebuild ``src/flashpoint/data/places/area_codes.tsv``: North American telephone area codes
and the country and first-level division each serves.

Local news prints telephone numbers ("call London police at 519-661-5670"); the area code says
which state or province the story is about, which is the cue that decides between London,
Ontario and London, England. Source (build-time only, ``pip install -e '.[data]'``): the
``phonenumbers`` package's geocoding data, whose entries for a bare area code name a state or
province ("West Virginia", "Ontario") or a city in one ("San Antonio, TX"); its metadata gives the
country of codes outside the US and Canada (876 → Jamaica). Division names are written as the
gazetteer writes them (its admin1 names; checked against the built gazetteer at the end).

Run: ``python scripts/build_area_codes.py``.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "flashpoint" / "data" / "places" / "area_codes.tsv"

# spellings of the source that differ from the gazetteer's admin1 names
_RENAME = {"Washington State": "Washington", "Washington D.C.": "Washington, D.C.",
           "Québec": "Quebec", "Yukon Territory": "Yukon", "British Colombia": "British Columbia"}
_NON_GEOGRAPHIC = frozenset({"800", "822", "833", "844", "855", "866", "877", "888", "900",
                             "500", "521", "522", "533", "544", "566", "577", "588", "600",
                             "700", "710"})


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(ch))


def build() -> tuple[list[tuple[str, str, str]], list[str]]:
    """Rows (area code, ISO3, admin1 or "") and warnings."""
    import phonenumbers
    import pycountry
    from phonenumbers.geodata import GEOCODE_DATA

    names: dict[str, str] = {}  # "TX" / "ON" / "Texas" → the gazetteer's admin1 name
    for sub in pycountry.subdivisions:
        if sub.country_code in ("US", "CA"):
            name = _RENAME.get(sub.name, _fold(sub.name))
            names[sub.code.split("-", 1)[1]] = name
            names[_fold(sub.name)] = name
    names.update(_RENAME)
    names["DC"] = "Washington, D.C."

    rows: list[tuple[str, str, str]] = []
    warnings: list[str] = []
    for code in range(200, 1000):
        npa = str(code)
        if npa in _NON_GEOGRAPHIC:
            continue
        desc = (GEOCODE_DATA.get("1" + npa) or {}).get("en", "")
        number = phonenumbers.parse(f"+1{npa}2345678")
        region = phonenumbers.region_code_for_number(number)
        if region is None:
            continue
        country = pycountry.countries.get(alpha_2=region)
        if country is None:
            warnings.append(f"{npa}: unknown region {region}")
            continue
        admin1 = ""
        if region in ("US", "CA"):
            if not desc:
                continue  # not in service
            part = desc.rsplit(",", 1)[-1].strip() if desc not in names else desc
            admin1 = names.get(part, names.get(_fold(part), ""))
            if not admin1 and "/" not in desc:  # "Nova Scotia/Prince Edward Island": country only
                warnings.append(f"{npa}: no division for {desc!r}")
        rows.append((npa, country.alpha_3, admin1))
    return rows, warnings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows, warnings = build()
    version = metadata.version("phonenumbers")
    lines = [f"# North American area codes → country, admin1. Source: phonenumbers {version} "
             "(scripts/build_area_codes.py)", "area_code\tcountry\tadmin1"]
    lines += ["\t".join(r) for r in rows]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for w in warnings:
        print("warning:", w, file=sys.stderr)
    print(f"{len(rows)} area codes → {args.out}", file=sys.stderr)
    from flashpoint.resolve.places import Gazetteer

    gz = Gazetteer.default()
    missing = sorted({(c, a) for _, c, a in rows if a and gz.admin1(c, a) is None})
    for c, a in missing:
        print(f"warning: the gazetteer has no admin1 {a!r} in {c}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
