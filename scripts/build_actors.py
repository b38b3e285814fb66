#!/usr/bin/env python
"""Rebuild src/flashpoint/data/actors/registry.json from the curated sources and pycountry.

Sources (all in src/flashpoint/data/actors/): demonyms.tsv (names, adjectives and nationals of
every pycountry country), groups.yaml, institutions.yaml, people.yaml (named actors), heads.tsv,
titles.tsv, modifiers.tsv (phrase lexicon). Run after editing any of them:

    python scripts/build_actors.py          # rebuild
    python scripts/build_actors.py --check  # exit 1 if registry.json is stale
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from flashpoint.resolve.actors.build import REGISTRY_FILE, build_registry, dump_registry


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the file is current")
    args = parser.parse_args()
    registry = build_registry()
    text = dump_registry(registry)
    if args.check:
        current = REGISTRY_FILE.read_text(encoding="utf-8") if REGISTRY_FILE.exists() else ""
        if current != text:
            print(f"{REGISTRY_FILE} is stale: run scripts/build_actors.py", file=sys.stderr)
            return 1
        print(f"{REGISTRY_FILE} is current")
        return 0
    REGISTRY_FILE.write_text(text, encoding="utf-8")
    kinds = Counter(a["kind"] for a in registry["actors"])
    summary = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    print(f"wrote {REGISTRY_FILE}: {len(registry['states'])} states; {summary}; "
          f"{len(registry['heads'])} heads, {len(registry['titles'])} titles")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
