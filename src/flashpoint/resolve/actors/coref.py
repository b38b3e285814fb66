"""Within-article coreference for actor mentions.

News text names an actor once and then says "the group", "the militia", "he" or a bare surname.
``DocumentActors`` keeps the mentions already resolved in one article and sends these back to
the most recent compatible one; everything else goes to the registry resolver and is remembered.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from flashpoint.resolve.actors.model import ResolvedActor
from flashpoint.resolve.actors.phrase import PhraseResolver
from flashpoint.resolve.actors.registry import ActorRegistry
from flashpoint.resolve.actors.text import acronym_key, fold, is_acronym
from flashpoint.types import Span

GROUP_KINDS = frozenset({"militia", "rebel", "terrorist"})
ORGANISATION_HEADS = frozenset({"organisation", "organization", "organisations", "organizations",
                                "agency"})
"""Heads that may also refer back to IGOs, NGOs, media and parties ("the organisation")."""
MOVEMENT_HEADS = frozenset({"movement", "movements"})
STATE_BODY_KINDS = frozenset({"military", "government", "police"})
COREF_DISCOUNT = 0.9
_COUNTRY_ANAPHOR = re.compile(
    r"^(?:the|that|this)\s+(?:country|nation|kingdom|republic)(?:'s|’s)\s+", re.IGNORECASE
)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


@dataclass(frozen=True, slots=True)
class Mention:
    """One resolved mention of the article."""

    span: Span
    text: str
    actor: ResolvedActor


class DocumentActors:
    """Resolves the actor mentions of one article, fed in text order.

    - "the group", "these groups", "the militia", "the militants" → the latest armed-group
      mention (a sponsored generic such as "Iran-backed militias" counts);
    - "the army", "the government" → the latest military/government of a known country;
    - "the country's army" → that body of the latest state mentioned;
    - "he"/"she" → the latest person; a bare surname ("Austin") → the latest person with it;
    - an acronym introduced in parentheses ("Islamic Resistance in Iraq (IRI)") → its actor;
    - "it"/"its" only with ``speaker=True`` (the mention is the subject of a speech verb):
      the latest named organisation or state.
    """

    def __init__(self, registry: ActorRegistry | None = None, text: str = "") -> None:
        self.registry = registry or ActorRegistry.default()
        # The article text: a surname whose full name no resolved mention gave (it stood in a
        # sentence nothing was parsed for) is looked up there.
        self.text = text
        self._phrase = PhraseResolver(self.registry)
        self._mentions: list[Mention] = []
        self._acronyms: dict[str, ResolvedActor] = {}

    @property
    def mentions(self) -> list[Mention]:
        return list(self._mentions)

    def resolve(
        self, text: str, span: Span, *, label: str | None = None, speaker: bool = False
    ) -> ResolvedActor | None:
        """The actor of the mention ``text`` at ``span``, using earlier mentions."""
        found = self._from_context(text, span, speaker=speaker)
        if found is None:
            found = self._resolve_fresh(text, span, label)
            # a bare surname NER called a person, or a speaker it did not recognise
            if (found is None and speaker and label in {None, "PERSON"}) or (
                found is not None and found.kind == "person" and found.method == "label"
            ):
                found = self._named_earlier(text.strip(), span) or found
        if found is not None:
            self._remember(text, span, found)
        return found

    # --- context -------------------------------------------------------------------------

    def _from_context(self, text: str, span: Span, *, speaker: bool) -> ResolvedActor | None:
        stripped = text.strip()
        pronoun = self._phrase.is_pronoun(stripped)
        if pronoun == "person" and fold(stripped) not in {"i", "me"}:
            # A named person beats an unnamed office ("the President") mentioned in between.
            return self._latest(
                span, stripped, lambda a: a.kind == "person" and not a.generic
            ) or self._latest(span, stripped, lambda a: a.kind == "person")
        if pronoun == "thing" and speaker and fold(stripped) in {"it", "its"}:
            return self._latest(
                span, stripped,
                lambda a: not a.generic and a.kind not in {"person", "civilians", "other"},
            )
        if pronoun is not None:
            return None
        key = acronym_key(stripped)
        if is_acronym(stripped) and key in self._acronyms:
            return self._acronyms[key].with_match(stripped, "coref", self._acronyms[key].score)
        bare = self._phrase.bare_head(stripped)
        if bare is not None:
            definite, head = bare
            if definite and (head.anaphor or head.term in ORGANISATION_HEADS):
                kinds: frozenset[str] = GROUP_KINDS
                if head.term in ORGANISATION_HEADS:
                    kinds = GROUP_KINDS | {"party", "igo", "ngo", "media"}
                elif head.term in MOVEMENT_HEADS:
                    kinds = GROUP_KINDS | {"party"}
                # "these groups" means the latest groups named as many ("Iran-backed militias"),
                # not the latest single group that came in between ("Daesh/ISIS"),
                # and "the group" the latest group named as one, when there is one
                number = "plural" if _plural(stripped) else "singular"
                found = self._latest(span, stripped, lambda a: a.kind in kinds, number=number)
                found = found or self._latest(span, stripped, lambda a: a.kind in kinds)
                if found is not None:
                    return found
            if definite and head.kind in STATE_BODY_KINDS and head.label != "coalition":
                return self._latest(
                    span, stripped, lambda a: a.kind == head.kind and a.country is not None
                )
            if definite and head.kind == "state":
                return self._latest(span, stripped, lambda a: a.kind == "state")
        return self._surname(stripped, span)

    def _named_earlier(self, surname: str, span: Span) -> ResolvedActor | None:
        """"Heyward said": the nearest "Cam Heyward" earlier in the text, as that person."""
        if not self.text or not _SURNAME.fullmatch(surname):
            return None
        before = self.text[max(0, span[0] - _LOOKBACK) : span[0]]
        # a given name, any middle initials, the surname and a generational suffix:
        # "James P. Kennedy Jr."
        named = re.compile(rf"\b([A-Z][\w'’-]+)((?:\s+[A-Z]\.)*)\s+{re.escape(surname)}\b"
                           r"(,?\s+(?:Jr|Sr)\b\.?|\s+(?:II|III|IV)\b)?")
        for match in reversed(list(named.finditer(before))):
            given = match.group(1)
            if fold(given) in _NOT_GIVEN_NAMES or self._phrase.is_pronoun(given):
                continue
            if _title_case_line(before, match.start()):
                continue  # "Republicans Are Following Trump": a headline capitalises every word
            full = match.group(0)
            found = self.registry.resolve(full, label="PERSON")
            if found is not None and found.kind == "person":
                return found.with_match(surname, "coref", round(found.score * COREF_DISCOUNT, 3))
        return None

    def _surname(self, text: str, span: Span) -> ResolvedActor | None:
        words = [w for w in text.split() if w]
        if not words or len(words) > 3 or not all(w[:1].isupper() for w in words):
            return None
        key = fold(text.removesuffix("'s").removesuffix("’s"))
        for mention in self._before(span):
            actor = mention.actor
            if actor.kind != "person" or actor.generic:
                continue
            if key in _person_keys(actor.name):
                return actor.with_match(text, "coref", round(actor.score * COREF_DISCOUNT, 3))
        return None

    def _latest(
        self,
        span: Span,
        text: str,
        accept: Callable[[ResolvedActor], bool],
        *,
        number: str | None = None,
    ) -> ResolvedActor | None:
        """The nearest earlier mention ``accept`` takes; ``number`` ("plural"/"singular") asks
        for a mention written in that number."""
        for mention in self._before(span):
            if number is not None and _plural(mention.text) != (number == "plural"):
                continue
            if accept(mention.actor):
                actor = mention.actor
                return actor.with_match(text, "coref", round(actor.score * COREF_DISCOUNT, 3))
        return None

    def _before(self, span: Span) -> Iterator[Mention]:
        """Earlier mentions, nearest first (the list is kept in text order: no sort per call)."""
        end = bisect.bisect_left(self._mentions, span[0], key=_start)
        return reversed(self._mentions[:end])

    # --- fresh mentions ------------------------------------------------------------------

    def _resolve_fresh(self, text: str, span: Span, label: str | None) -> ResolvedActor | None:
        match = _COUNTRY_ANAPHOR.match(text.strip())
        if match:
            state = self._latest(span, "", lambda a: a.kind == "state")
            if state is not None:
                text = f"{state.name}'s {text.strip()[match.end():]}"
        return self.registry.resolve(text, label=label)

    def _remember(self, text: str, span: Span, actor: ResolvedActor) -> None:
        bisect.insort_left(self._mentions, Mention(span, text, actor), key=_start)
        for inner in re.findall(r"\(([^()]+)\)", text):
            inner = inner.strip()
            if is_acronym(inner) and not actor.generic:
                base = replace(actor, method="coref")
                self._acronyms.setdefault(acronym_key(inner), base)


_SURNAME = re.compile(r"[A-Z][a-z][\w'’-]+")
_LOOKBACK = 20_000  # characters searched back for a surname's first, full mention
# Capitalised words that precede a surname without being a given name.
_NOT_GIVEN_NAMES = frozenset({
    "the", "a", "an", "and", "but", "or", "in", "on", "at", "of", "for", "to", "by", "with",
    "as", "when", "after", "before", "while", "said", "says", "mr", "mrs", "ms", "dr", "sen",
    "rep", "gov", "gen", "col", "lt", "sgt", "capt", "president", "minister", "secretary",
    "coach", "judge", "officer", "chief", "director", "spokesman", "spokeswoman", "leader",
    "senator", "governor", "general", "prime", "king", "queen", "prince", "pope", "sheikh",
})


def _title_case_line(text: str, at: int) -> bool:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    words = text[start : end if end >= 0 else len(text)].split()
    capitalised = sum(w[:1].isupper() for w in words)
    return len(words) >= 4 and capitalised >= 0.6 * len(words)


def _plural(text: str) -> bool:
    """A mention headed by a common plural noun: "militias", "the militants", "other groups"."""
    words = text.split()
    last = words[-1].strip(".,;:!?\"'“”’") if words else ""
    return last.islower() and last.endswith("s") and not last.endswith("ss")


def _start(mention: Mention) -> int:
    return mention.span[0]


@lru_cache(maxsize=4096)
def _person_keys(name: str) -> frozenset[str]:
    """Folded forms a later mention of the person may take: the full name and the surname."""
    return frozenset([fold(name), *(fold(n) for n in _surnames(name))])


def _surnames(name: str) -> list[str]:
    """Name parts a text may use alone: "Lloyd J. Austin III" → ["Austin"]."""
    words = [w for w in name.replace(",", " ").split() if fold(w) not in _NAME_SUFFIXES]
    if len(words) < 2:
        return []
    last = words[-1]
    # "al-Sudani" is also written "Sudani"; "bin Salman" keeps its particle.
    out = [last]
    if "-" in last and last.split("-", 1)[0].lower() in {"al", "el", "ad", "as", "an", "ash"}:
        out.append(last.split("-", 1)[1])
    return out
