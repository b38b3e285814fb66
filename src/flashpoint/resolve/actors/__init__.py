"""Actor resolution: who a mention in a conflict report refers to.

``resolve_actor("Yemen's Iran-backed Houthis")`` gives the Houthis (YEM, sponsor IRN);
``resolve_actor("Israeli soldiers")`` the Israeli military; ``resolve_actor("the region")``
None. ``DocumentActors`` adds within-article coreference ("the group", "he", "Austin").
The registry ships as ``data/actors/registry.json`` (rebuilt by ``scripts/build_actors.py``)
and takes user additions through ``ActorRegistry.load(extra_files)``.
"""

from __future__ import annotations

from flashpoint.resolve.actors.coref import DocumentActors, Mention
from flashpoint.resolve.actors.model import ActorEntry, Method, ResolvedActor, StateInfo
from flashpoint.resolve.actors.registry import ActorRegistry


def resolve_actor(
    text: str, *, registry: ActorRegistry | None = None, label: str | None = None
) -> ResolvedActor | None:
    """The actor ``text`` refers to, or None when it names no actor.

    Handles registry names, aliases, acronyms (case-sensitive), folded case, accents and
    punctuation, transliterations and misspellings, determiners and possessives ("the US",
    "Iraq's government"), and head-noun phrases ("Iranian-backed militants", "Israeli
    soldiers", "civilians"). ``label`` is an optional NER type (PERSON, ORG) used only for
    names the registry does not know. A coordination ("Israel and Hamas") gives its first
    actor; ``resolve_actors`` gives them all.
    """
    return (registry or ActorRegistry.default()).resolve(text, label=label)


def resolve_actors(
    text: str, *, registry: ActorRegistry | None = None, label: str | None = None
) -> list[ResolvedActor]:
    """Every actor of a coordinated mention ("U.S. and Coalition personnel")."""
    return (registry or ActorRegistry.default()).resolve_all(text, label=label)


def country_of_text(text: str, *, registry: ActorRegistry | None = None) -> str | None:
    """ISO3 for a country name, adjective or national noun ("Iranian" → "IRN"), else None."""
    return (registry or ActorRegistry.default()).country_of_text(text)


__all__ = [
    "ActorEntry",
    "ActorRegistry",
    "DocumentActors",
    "Mention",
    "Method",
    "ResolvedActor",
    "StateInfo",
    "country_of_text",
    "resolve_actor",
    "resolve_actors",
]
