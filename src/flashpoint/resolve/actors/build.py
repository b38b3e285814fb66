"""Compile the curated actor sources and pycountry into the shipped ``registry.json``.

The curated files under ``data/actors/`` are the sources; ``scripts/build_actors.py`` runs this
module to rebuild ``registry.json``, and a test checks the shipped file is current. Compiling
once keeps the run-time load to one JSON read and catches collisions (one alias, two actors)
when the data is edited rather than when a mention silently resolves to the wrong one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flashpoint.errors import Errors, FlashpointError
from flashpoint.resolve.actors.model import ACTOR_KINDS, ActorEntry
from flashpoint.resolve.actors.schema import entry_to_dict, read_entries, split_list
from flashpoint.resolve.actors.text import acronym_key, fold, is_acronym

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "actors"
REGISTRY_FILE = DATA_DIR / "registry.json"
FORMAT_VERSION = 1
ACTOR_SOURCES = ("groups.yaml", "institutions.yaml", "people.yaml")
HEAD_KINDS = ACTOR_KINDS | {"group"}
MODIFIER_CLASSES = frozenset(
    ("det", "quantity", "qualifier", "sponsor", "leader", "owner", "kindmod", "armed", "ethnic",
     "portfolio", "prep", "pronoun", "particle", "direction")
)


def read_tsv(path: Path, columns: int) -> list[list[str]]:
    """Rows of a tab-separated source without comments and the header line."""
    rows: list[list[str]] = []
    header_seen = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != columns:
            detail = f"line {number} has {len(cells)} columns, expected {columns}"
            raise FlashpointError(Errors.E050.format(path=path, detail=detail))
        if not header_seen:
            header_seen = True
            continue
        rows.append([c.strip() for c in cells])
    return rows


def plural(adjective: str) -> str | None:
    """National noun plural of an adjective that doubles as a noun ("Iraqi" → "Iraqis")."""
    low = adjective.lower()
    if " " in adjective or low.endswith(("ese", "ish", "ch", "ss", "sh", "x", "z")):
        return None
    if low.endswith(("an", "i", "ine", "e", "o", "ot")):
        return adjective + "s"
    return None


def build_states(path: Path) -> list[dict[str, Any]]:
    import pycountry  # only the build needs it; run-time loading reads registry.json

    rows = {row[0]: row for row in read_tsv(path, 7)}
    known = {c.alpha_3: c for c in pycountry.countries}
    missing = sorted(set(known) - set(rows))
    if missing:
        detail = f"no row for pycountry countries {', '.join(missing)}"
        raise FlashpointError(Errors.E050.format(path=path, detail=detail))
    # A pycountry name that a curated row gives to another country stays with that row
    # (pycountry's "Congo" is the Republic of the Congo; news usage means the DRC).
    curated = {
        fold(word): row[0] for row in rows.values() for word in (row[1], *split_list(row[3]))
    }
    states = []
    for iso3, (_, name, label, aliases, adjectives, people, capitals) in sorted(rows.items()):
        country = known.get(iso3)
        if country is None and not iso3.startswith("X"):
            detail = f"{iso3} is neither a pycountry code nor a user-assigned X.. code"
            raise FlashpointError(Errors.E050.format(path=path, detail=detail))
        extra = []
        if country is not None:
            extra = [
                word for attr in ("name", "official_name", "common_name")
                if (word := getattr(country, attr, "")) and curated.get(fold(word), iso3) == iso3
            ]
        all_aliases = [
            a for a in (*split_list(aliases), *extra)
            if a and "," not in a and a != name and not a.lower().startswith("the state of")
        ]
        adjs = split_list(adjectives)
        nouns = list(split_list(people))
        nouns += [p for p in map(plural, adjs) if p and p not in nouns]
        states.append({
            "iso3": iso3,
            "iso2": getattr(country, "alpha_2", None),
            "name": name,
            "label": label or (adjs[0] if adjs else name),
            "aliases": list(dict.fromkeys(all_aliases)),
            "adjectives": list(adjs),
            "people": nouns,
            "capitals": list(split_list(capitals)),
        })
    return states


def build_lexicon(data_dir: Path) -> dict[str, Any]:
    heads: dict[str, list[str]] = {}
    for term, kind, label, flags in read_tsv(data_dir / "heads.tsv", 4):
        if kind not in HEAD_KINDS:
            detail = f"head '{term}' has unknown kind '{kind}'"
            raise FlashpointError(Errors.E050.format(path=data_dir / "heads.tsv", detail=detail))
        heads[fold(term)] = [kind, label, flags]
    titles = {
        fold(term): [affiliation, portfolio, country, flags]
        for term, affiliation, portfolio, country, flags in read_tsv(data_dir / "titles.tsv", 5)
    }
    modifiers: dict[str, dict[str, str]] = defaultdict(dict)
    for cls, term, value in read_tsv(data_dir / "modifiers.tsv", 3):
        if cls not in MODIFIER_CLASSES:
            detail = f"unknown modifier class '{cls}'"
            path = data_dir / "modifiers.tsv"
            raise FlashpointError(Errors.E050.format(path=path, detail=detail))
        # Hyphenated terms ("pro-government") are matched whole, before folding splits them.
        modifiers[cls][term if "-" in term else fold(term)] = value
    return {"heads": heads, "titles": titles, "modifiers": dict(sorted(modifiers.items()))}


def _state_lookup(states: list[dict[str, Any]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for s in states:
        table[s["iso3"]] = s["iso3"]
        if s["iso2"]:
            table[s["iso2"]] = s["iso3"]
        for word in (s["name"], *s["aliases"]):
            table[fold(word)] = s["iso3"]
    return table


def _check_collisions(states: list[dict[str, Any]], actors: Iterable[ActorEntry]) -> None:
    """One key may name one target only; aliases shared by two actors are data errors."""
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(word: str, target: str) -> None:
        if is_acronym(word):
            owners[("acronym", acronym_key(word))].add(target)
        else:
            owners[("fold", fold(word))].add(target)

    for s in states:
        for word in (s["name"], *s["aliases"], *s["adjectives"], *s["people"]):
            add(word, s["iso3"])
    for a in actors:
        for word in (a.name, *a.aliases, *a.acronyms, *a.bare):
            add(word, a.id)
    clashes = sorted(
        f"'{key}' → {', '.join(sorted(targets))}"
        for (_, key), targets in owners.items() if len(targets) > 1
    )
    if clashes:
        detail = "ambiguous keys: " + "; ".join(clashes)
        raise FlashpointError(Errors.E050.format(path=DATA_DIR, detail=detail))


def build_registry(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    states = build_states(data_dir / "demonyms.tsv")
    lookup = _state_lookup(states)

    def country_of(value: str) -> str | None:
        return lookup.get(value.upper()) or lookup.get(fold(value))

    actors: list[ActorEntry] = []
    seen: dict[str, str] = {}
    for source in ACTOR_SOURCES:
        for entry in read_entries(data_dir / source, country_of):
            if entry.id in seen:
                detail = f"id '{entry.id}' is used twice (also in {seen[entry.id]})"
                raise FlashpointError(Errors.E050.format(path=data_dir / source, detail=detail))
            seen[entry.id] = source
            actors.append(entry)
    ids = {a.id for a in actors}
    for a in actors:
        if a.parent and a.parent not in ids:
            detail = f"'{a.id}' has unknown parent '{a.parent}'"
            raise FlashpointError(Errors.E050.format(path=data_dir, detail=detail))
    _check_collisions(states, actors)
    return {
        "format": FORMAT_VERSION,
        "pycountry": _pycountry_version(),
        "states": states,
        "actors": [entry_to_dict(a) for a in actors],
        **build_lexicon(data_dir),
    }


def _pycountry_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pycountry")
    except PackageNotFoundError:
        return "unknown"


def dump_registry(registry: dict[str, Any]) -> str:
    """JSON with one state or actor per line, so data edits give readable diffs."""
    lines = ["{"]
    items = list(registry.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if isinstance(value, list):
            lines.append(f"{json.dumps(key)}: [")
            body = [json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in value]
            lines.extend(f"  {b}{',' if j < len(body) - 1 else ''}" for j, b in enumerate(body))
            lines.append(f"]{comma}")
        else:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            lines.append(f"{json.dumps(key)}: {text}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_registry(path: Path = REGISTRY_FILE, data_dir: Path = DATA_DIR) -> dict[str, Any]:
    registry = build_registry(data_dir)
    path.write_text(dump_registry(registry), encoding="utf-8")
    return registry
