"""The actor registry: states, named actors and the indexes that find them.

``ActorRegistry.load`` reads the compiled ``registry.json`` and any user files, then builds
three indexes over every name: folded words (case, accents, punctuation ignored), acronyms
(case kept, so "US" is a country and "us" a pronoun) and consonant skeletons for
transliterations ("Hizballah" / "Hezbollah"). Fuzzy matching over the folded names is the last
resort for misspellings.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from flashpoint.errors import Errors, FlashpointError
from flashpoint.resolve.actors.build import REGISTRY_FILE
from flashpoint.resolve.actors.lexicon import HeadInfo, Lexicon
from flashpoint.resolve.actors.model import ActorEntry, ResolvedActor, StateInfo
from flashpoint.resolve.actors.schema import entry_from_dict, read_entries
from flashpoint.resolve.actors.text import (
    acronym_key,
    fold,
    is_acronym,
    skeleton,
    skeleton_length,
    tokenize,
)

Target = ActorEntry | StateInfo

MIN_SKELETON = 4
"""Shorter consonant skeletons collide too easily ("Hamas" and "Homs" are both "hms")."""
FUZZY_CUTOFF = 88.0
MIN_FUZZY_CHARS = 6


@dataclass(frozen=True, slots=True)
class Hit:
    """One way a key names a target.

    form: name, alias, acronym or bare (an alias valid only as the whole mention) for actors;
    name, adjective, people or capital for states.
    """

    target: Target
    form: str


class ActorRegistry:
    """States and named actors with their lookup indexes; immutable once built."""

    def __init__(
        self,
        states: Sequence[StateInfo],
        entries: Sequence[ActorEntry],
        lexicon: Lexicon,
        *,
        preferred: frozenset[str] = frozenset(),
    ) -> None:
        self.lexicon = lexicon
        self.states: Mapping[str, StateInfo] = {s.iso3: s for s in states}
        self.entries: Mapping[str, ActorEntry] = {e.id: e for e in entries}
        self._by_name: dict[str, ActorEntry] = {e.name: e for e in entries}
        self._codes: dict[str, str] = {}
        self._words: dict[str, list[Hit]] = {}
        self._acronyms: dict[str, list[Hit]] = {}
        self._resolved: dict[tuple[str, str | None], tuple[ResolvedActor, ...]] = {}
        # bare-head readings of mentions ("the group" → definite, group), for coreference
        self.bare_heads: dict[str, tuple[bool, HeadInfo] | None] = {}
        skeletons: dict[str, set[Target]] = {}
        skeleton_hits: dict[str, Hit] = {}

        def add(word: str, hit: Hit) -> None:
            if is_acronym(word):
                bucket = self._acronyms.setdefault(acronym_key(word), [])
            else:
                key = fold(word)
                if not key:
                    return
                bucket = self._words.setdefault(key, [])
                skel = skeleton(key)
                spelt = hit.form in {"name", "alias"} and isinstance(hit.target, ActorEntry)
                if spelt and skeleton_length(skel) >= MIN_SKELETON:
                    skeletons.setdefault(skel, set()).add(hit.target)
                    skeleton_hits.setdefault(skel, hit)
            if hit not in bucket:
                # Entries from user files go first: a local definition beats a shipped one.
                if isinstance(hit.target, ActorEntry) and hit.target.id in preferred:
                    bucket.insert(0, hit)
                else:
                    bucket.append(hit)

        for s in states:
            self._codes[s.iso3] = s.iso3
            if s.iso2:
                self._codes[s.iso2] = s.iso3
            for word in (s.name, *s.aliases):
                add(word, Hit(s, "name"))
                self._codes.setdefault(fold(word), s.iso3)
            for word in s.adjectives:
                add(word, Hit(s, "adjective"))
            for word in s.people:
                add(word, Hit(s, "people"))
            for word in s.capitals:
                add(word, Hit(s, "capital"))
        for e in entries:
            bare = set(e.bare)
            add(e.name, Hit(e, "bare" if e.name in bare else "name"))
            for word in e.aliases:
                add(word, Hit(e, "alias"))
            for word in e.acronyms:
                add(word, Hit(e, "acronym"))
            for word in e.bare:
                add(word, Hit(e, "bare"))
        self._skeletons = {k: skeleton_hits[k] for k, v in skeletons.items() if len(v) == 1}
        surnames: dict[str, set[str]] = {}
        for e in entries:
            if e.kind == "person":
                for word in (e.name, *e.aliases):
                    for key in _surname_keys(word):
                        surnames.setdefault(key, set()).add(e.id)
        self._surnames = {
            k: self.entries[next(iter(v))] for k, v in surnames.items() if len(v) == 1
        }
        # Country names are left out of spelling repair: "South America" is not a typo.
        fuzzy = [
            (key, hits[0]) for key, hits in self._words.items()
            if len(key) >= MIN_FUZZY_CHARS and hits[0].form in {"name", "alias"}
            and isinstance(hits[0].target, ActorEntry)
        ]
        self._fuzzy_keys = [k for k, _ in fuzzy]
        self._fuzzy_hits = [h for _, h in fuzzy]
        self.max_words = max((len(k.split()) for k in self._words), default=1)

    # --- construction --------------------------------------------------------------------

    @classmethod
    def load(
        cls, extra_files: Sequence[Path | str] = (), *, base: Path | None = REGISTRY_FILE
    ) -> ActorRegistry:
        """The shipped registry (``base``) plus user files, later files overriding by id.

        User files are YAML (a list of entries, or a mapping with an ``actors`` list) or CSV
        with a header row. Fields: ``name`` and ``kind`` required; ``id`` (default: a slug of
        the name), ``country`` and ``sponsor`` (ISO3, ISO2 or a country name), ``aliases``,
        ``acronyms`` (matched case-sensitively), ``bare`` (aliases valid only as a whole
        mention), ``parent`` (an id), ``role`` and ``affiliation`` (for people). List fields
        are YAML lists or ``|``-separated strings. See ``data/actors/README.md``.
        """
        data = _read_compiled(base) if base is not None else _EMPTY
        states = [_state_from_dict(s) for s in data["states"]]
        entries = {e["id"]: entry_from_dict(e) for e in data["actors"]}
        preferred: set[str] = set()
        if extra_files:
            probe = cls(states, [], Lexicon(data))
            for path in extra_files:
                for entry in read_entries(Path(path), probe.country_code):
                    entries[entry.id] = entry
                    preferred.add(entry.id)
        return cls(states, list(entries.values()), Lexicon(data), preferred=frozenset(preferred))

    @staticmethod
    def default() -> ActorRegistry:
        """The shipped registry, built once per process."""
        return _default_registry()

    # --- lookups -------------------------------------------------------------------------

    def get(self, actor_id: str) -> ActorEntry | None:
        return self.entries.get(actor_id)

    def by_name(self, name: str) -> ActorEntry | None:
        """The entry whose canonical name is exactly ``name``."""
        return self._by_name.get(name)

    def state(self, iso3: str | None) -> StateInfo | None:
        return self.states.get(iso3) if iso3 else None

    def words(self, key: str) -> list[Hit]:
        """Hits for a folded key."""
        return self._words.get(key, [])

    def acronym(self, text: str) -> list[Hit]:
        """Hits for a case-sensitive acronym ("U.S." and "US" alike)."""
        return self._acronyms.get(acronym_key(text), [])

    def transliteration(self, key: str) -> Hit | None:
        """A unique target whose consonant skeleton equals that of the folded ``key``."""
        skel = skeleton(key)
        if skeleton_length(skel) < MIN_SKELETON:
            return None
        hit = self._skeletons.get(skel)
        if hit is None:
            return None
        names = (hit.target.name, *getattr(hit.target, "aliases", ()))
        if max(fuzz.ratio(key, fold(n)) for n in names) < 70:
            return None
        return hit

    def fuzzy(self, key: str) -> tuple[Hit, float] | None:
        """The closest name within the edit-distance cutoff, for misspellings."""
        if len(key) < MIN_FUZZY_CHARS or not self._fuzzy_keys:
            return None
        found = process.extractOne(key, self._fuzzy_keys, scorer=fuzz.ratio,
                                   score_cutoff=FUZZY_CUTOFF)
        if found is None:
            return None
        return self._fuzzy_hits[found[2]], float(found[1])

    def person_by_surname(self, text: str) -> ActorEntry | None:
        """The one registered person known by this surname ("Assad", "Sudani"), if unique."""
        return self._surnames.get(fold(text))

    def country_code(self, value: str) -> str | None:
        """ISO3 for an ISO3 or ISO2 code or a country name."""
        value = value.strip()
        return self._codes.get(value.upper()) or self._codes.get(fold(value))

    def country_of_text(self, text: str) -> str | None:
        """ISO3 for a country name, adjective or national noun ("the US", "Iraq's", "Yemeni")."""
        tokens = [t for t in tokenize(text) if not t.punct]
        while tokens and self.lexicon.has("det", tokens[0].fold):
            tokens = tokens[1:]
        if not tokens:
            return None
        if len(tokens) == 1:
            for hit in self.acronym(tokens[0].text.removesuffix("'s").removesuffix("’s")):
                if isinstance(hit.target, StateInfo):
                    return hit.target.iso3
        keys = [" ".join(t.fold for t in tokens)]
        if tokens[-1].poss:
            keys.append(" ".join([*(t.fold for t in tokens[:-1]), tokens[-1].base]))
        for key in keys:
            for hit in self.words(key):
                if isinstance(hit.target, StateInfo) and hit.form != "capital":
                    return hit.target.iso3
        return None

    # --- resolution ----------------------------------------------------------------------

    def resolve(self, text: str, *, label: str | None = None) -> ResolvedActor | None:
        """The actor a mention refers to, or None for non-actors; see ``resolve_actor``."""
        found = self.resolve_all(text, label=label)
        return found[0] if found else None

    def resolve_all(self, text: str, *, label: str | None = None) -> list[ResolvedActor]:
        """Every actor in a coordinated mention ("Israeli and Palestinian civilians")."""
        from flashpoint.resolve.actors.phrase import PhraseResolver

        # The registry does not change once built and the same phrases ("the government",
        # "police", "Trump") recur in every article: resolve each once per process.
        key = (text, label)
        found = self._resolved.get(key)
        if found is None:
            if len(self._resolved) >= MEMO_MAX:
                self._resolved.clear()
            found = tuple(PhraseResolver(self).resolve_all(text, label=label))
            self._resolved[key] = found
        return list(found)

    def counts(self) -> dict[str, int]:
        """Registry size by kind; states count once each under "state"."""
        counts = Counter(e.kind for e in self.entries.values())
        counts["state"] += len(self.states)
        return dict(sorted(counts.items()))


MEMO_MAX = 50_000  # phrases a memo holds before it starts over (bounds a long run)

_EMPTY: dict[str, Any] = {"states": [], "actors": [], "heads": {}, "titles": {},
                             "modifiers": {}}


def _read_compiled(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
    except OSError as exc:
        raise FlashpointError(Errors.E050.format(path=path, detail=exc.strerror or exc)) from exc
    except json.JSONDecodeError as exc:
        raise FlashpointError(Errors.E050.format(path=path, detail=exc)) from exc
    return data


def _state_from_dict(data: Mapping[str, object]) -> StateInfo:
    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key) or ()
        return tuple(str(v) for v in value) if isinstance(value, list) else ()

    iso2 = data.get("iso2")
    return StateInfo(
        iso3=str(data["iso3"]), iso2=str(iso2) if iso2 else None, name=str(data["name"]),
        label=str(data["label"]), aliases=strings("aliases"), adjectives=strings("adjectives"),
        people=strings("people"), capitals=strings("capitals"),
    )


def _surname_keys(name: str) -> list[str]:
    """Folded last name, also without an Arabic article: "Bashar al-Assad" → assad."""
    words = fold(name).split()
    if len(words) < 2:
        return []
    keys = [words[-1]]
    if len(words) >= 3 and words[-2] in {"al", "el", "ad", "as", "an", "ash"}:
        keys.append(f"{words[-2]} {words[-1]}")
    return keys


@functools.cache
def _default_registry() -> ActorRegistry:
    return ActorRegistry.load()
