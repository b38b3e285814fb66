"""Resolving one mention by reading its noun phrase.

A mention is cut into segments — registry names (longest match first), head nouns, titles and
modifiers from the lexicon, sponsor markers from compounds ("Iran-backed"), unknown capitalised
names — and then read like a phrase: a named actor wins ("the Iranian-backed group Kataib
Hezbollah"); a title followed by a name is a person; otherwise the head noun decides the kind and
the modifiers fill country and sponsor ("Yemen's Iran-backed militias", "Israeli soldiers").
A phrase whose last word is not an actor word ("Iraq's Ain al-Asad military base") is no actor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

from flashpoint.resolve.actors.lexicon import HeadInfo, TitleInfo
from flashpoint.resolve.actors.model import ActorEntry, Method, ResolvedActor, StateInfo
from flashpoint.resolve.actors.registry import MEMO_MAX, ActorRegistry, Hit
from flashpoint.resolve.actors.text import Token, fold, is_acronym, make_token, tokenize
from flashpoint.types import ActorKind

STATE_BODIES = frozenset({"military", "government", "police"})
ARMED = frozenset({"militia", "rebel", "terrorist"})
KIND_PLURAL = {"militia": "militias", "rebel": "rebels", "terrorist": "militants"}
VICTIM_LABELS = frozenset({"hostages", "detainees"})
"""Heads that name the victims of the organisation before them ("Hamas hostages")."""
NAMEABLE = ARMED | {"group", "party", "media", "ngo", "igo"}
"""Heads that can introduce a new name by apposition ("the militia Liwa X")."""
MODIFIER_ORDER = (
    "det", "quantity", "prep", "kindmod", "ethnic", "armed", "qualifier", "direction", "particle",
)
LEADING = frozenset({"det", "quantity", "qualifier", "direction"})
RELATIVE = frozenset({"who", "which", "whom", "whose"})
CONJUNCTIONS = frozenset({"and", "or"})  # "&" folds to "and"
SMALL_WORDS = frozenset({"of", "the", "for", "and", "in", "on", "to"})
_PAREN = re.compile(r"\(([^()]*)\)")
_WRAPPERS = "\"'“”‘’«»[]{}"


@dataclass(slots=True)
class Seg:
    """A run of tokens with one role in the phrase."""

    kind: str  # reg, head, title, mod, marker, name, word, conj
    tokens: list[Token]
    value: Any = None  # Hit, HeadInfo, TitleInfo, marker type
    classes: dict[str, str] = field(default_factory=dict)  # for kind "mod"
    role: str | None = None  # sponsor, pro, leader or owner: a marker points at this segment
    portfolio: str | None = None
    method: Method | None = None  # how a registry segment was found
    score: float = 1.0

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)

    @property
    def clean_text(self) -> str:
        """Surface text without a final possessive ending."""
        text = self.text
        for ending in ("'s", "’s"):
            if text.endswith(ending):
                return text[: -len(ending)]
        return text.rstrip("'’") if self.tokens and self.tokens[-1].poss else text

    @property
    def cap(self) -> bool:
        return any(t.cap for t in self.tokens)


@dataclass(slots=True)
class Parts:
    """What a conjunct says: its registry names, heads, titles and modifiers."""

    segs: list[Seg]
    definite: bool = False
    indefinite: bool = False
    states: list[tuple[int, Seg, StateInfo]] = field(default_factory=list)
    orgs: list[tuple[int, Seg, ActorEntry]] = field(default_factory=list)
    people: list[tuple[int, Seg, ActorEntry]] = field(default_factory=list)
    heads: list[tuple[int, Seg, HeadInfo]] = field(default_factory=list)
    titles: list[tuple[int, Seg, TitleInfo]] = field(default_factory=list)
    names: list[tuple[int, int]] = field(default_factory=list)  # [start, end) segment ranges
    sponsor: StateInfo | None = None
    sponsor_name: str | None = None
    pro: bool = False  # "pro-Assad": named after the patron, not "-backed"
    leader: StateInfo | None = None
    leader_org: ActorEntry | None = None
    owner: StateInfo | None = None
    kindmods: list[str] = field(default_factory=list)
    ethnic: list[str] = field(default_factory=list)
    armed: bool = False


@dataclass(slots=True)
class Tail:
    """A prepositional tail: "in western Iraq", "of Hamas", "backed by Iran"."""

    prep: str  # location, owner, sponsor, link
    result: ResolvedActor | None


class PhraseResolver:
    """Reads mentions against one registry; cheap to create, holds no per-mention state."""

    def __init__(self, registry: ActorRegistry) -> None:
        self.reg = registry
        self.lex = registry.lexicon
        self.window = max(registry.max_words, self.lex.max_words)

    # --- entry points --------------------------------------------------------------------

    def resolve_all(self, text: str, *, label: str | None = None) -> list[ResolvedActor]:
        outer, inner = _split_parentheses(_strip_wrappers(text))
        found = self._resolve_text(outer, label)
        if inner and (not found or found[0].generic or found[0].method in {"fuzzy", "label"}):
            for part in inner:
                named = [r for r in self._resolve_text(part, label) if not r.generic]
                if named:
                    return named
        return found

    def is_pronoun(self, text: str) -> str | None:
        """The pronoun class of a one-word mention ("he" → "person"), else None."""
        words = text.strip().split()
        if len(words) != 1:
            return None
        word = words[0].strip(".,;:!?\"'“”")
        if len(word) > 1 and word.isupper():  # "US", "IT" are names, not pronouns
            return None
        return self.lex.word_class("pronoun", fold(word))

    def bare_head(self, text: str) -> tuple[bool, HeadInfo] | None:
        """(definite, head) for a mention that is only determiners and one head noun."""
        memo = self.reg.bare_heads  # the registry does not change: read each phrase once
        if text in memo:
            return memo[text]
        if len(memo) >= MEMO_MAX:
            memo.clear()
        memo[text] = found = self._bare_head(text)
        return found

    def _bare_head(self, text: str) -> tuple[bool, HeadInfo] | None:
        segs = self.segments(_strip_wrappers(text))
        definite = False
        rest: list[Seg] = []
        for seg in segs:
            if seg.kind == "mod" and not rest and seg.classes.keys() & LEADING:
                definite |= seg.classes.get("det") == "definite"
            else:
                rest.append(seg)
        if len(rest) == 1 and rest[0].kind == "head" and not rest[0].portfolio:
            return definite, cast(HeadInfo, rest[0].value)
        return None

    # --- segmentation --------------------------------------------------------------------

    def segments(self, text: str) -> list[Seg]:
        """The mention cut into segments, registry names matched longest first."""
        items = self._expand(tokenize(text))
        runs: list[list[Token]] = []
        out: list[Seg | list[Token]] = []
        for item in items:
            if isinstance(item, Seg):
                out.append(item)
            else:
                if not out or not isinstance(out[-1], list):
                    out.append([])
                    runs.append(cast(list[Token], out[-1]))
                cast(list[Token], out[-1]).append(item)
        single_run = len(out) == 1 and isinstance(out[0], list)
        all_lower = not any(ch.isupper() for ch in text)
        segs: list[Seg] = []
        for part in out:
            if isinstance(part, Seg):
                segs.append(part)
            else:
                segs.extend(self._scan(part, single_run=single_run, all_lower=all_lower))
        return self._merge_portfolios(self._embedded_states(segs))

    def _embedded_states(self, segs: list[Seg]) -> list[Seg]:
        """A country word right after a capitalised unknown or compass word belongs to a
        longer name: "Latin America", "South American", "Michael Jordan"."""
        out: list[Seg] = []
        for seg in segs:
            prev = out[-1] if out else None
            if (seg.kind == "reg" and isinstance(seg.value.target, StateInfo)
                    and seg.method != "acronym" and prev is not None and prev.cap
                    and (prev.kind == "name"
                         or (prev.kind == "mod" and "direction" in prev.classes))):
                out[-1] = Seg("name", prev.tokens + seg.tokens)
                continue
            out.append(seg)
        return out

    def _expand(self, tokens: list[Token]) -> list[Token | Seg]:
        """Split compounds: "Iranian-backed" → Iranian + sponsor marker; "pro-Iranian"; "A/B"."""
        out: list[Token | Seg] = []
        for tok in tokens:
            if tok.punct:
                out.append(tok)
                continue
            word = tok.text
            low = word.lower()
            if "/" in word and not self.reg.acronym(word) and not self.reg.words(tok.fold):
                for k, part in enumerate(p for p in word.split("/") if p):
                    if k:
                        out.append(make_token(","))
                    out.append(make_token(part))
                continue
            if "-" not in word or self._lexical(low) or self.reg.acronym(word):
                out.append(tok)
                continue
            parts = [p for p in word.split("-") if p]
            if len(parts) < 2:
                out.append(tok)
                continue
            last = fold(parts[-1])
            for cls in ("sponsor", "leader", "owner"):
                if self.lex.has(cls, last):
                    out.append(make_token("-".join(parts[:-1])))
                    out.append(Seg("marker", [tok], value=cls))
                    break
            else:
                first = parts[0].lower()
                if first == "pro":
                    out.append(Seg("marker", [tok], value="pro"))
                    out.append(make_token("-".join(parts[1:])))
                elif first == "anti":
                    out.append(Seg("mod", [tok], classes={"qualifier": ""}))
                elif not self.reg.words(tok.base) and all(self._is_state(p) for p in parts):
                    for k, part in enumerate(parts):  # "US-Iraqi forces"
                        if k:
                            out.append(make_token(","))
                        out.append(make_token(part))
                else:
                    out.append(tok)
        return out

    def _lexical(self, low: str) -> bool:
        """Hyphenated lexicon terms stay whole ("pro-government", "state-run")."""
        return any(low in m for m in self.lex.modifiers.values()) or low in self.lex.heads

    def _is_state(self, word: str) -> bool:
        hits = self.reg.acronym(word) or self.reg.words(fold(word))
        return any(isinstance(h.target, StateInfo) and h.form != "capital" for h in hits)

    def _scan(self, tokens: list[Token], *, single_run: bool, all_lower: bool) -> list[Seg]:
        first = 0
        while first < len(tokens) and self._leading(tokens[first]):
            first += 1
        segs: list[Seg] = []
        i = 0
        while i < len(tokens):
            seg = None
            if not tokens[i].punct:
                for n in range(min(self.window, len(tokens) - i), 0, -1):
                    if tokens[i + n - 1].punct:
                        continue
                    whole = single_run and i == first and i + n == len(tokens)
                    seg = self._match(tokens[i:i + n], whole=whole, all_lower=all_lower)
                    if seg is not None:
                        break
            if seg is None:
                seg = self._unknown(tokens[i])
            segs.append(seg)
            i += len(seg.tokens)
        return segs

    def _leading(self, tok: Token) -> bool:
        return any(self.lex.has(cls, tok.fold) for cls in ("det", "quantity", "qualifier"))

    def _match(self, window: list[Token], *, whole: bool, all_lower: bool) -> Seg | None:
        keys = [" ".join(t.fold for t in window if t.fold)]
        if window[-1].poss:
            keys.append(" ".join([*(t.fold for t in window[:-1] if t.fold), window[-1].base]))
        capitalised = all_lower or any(t.cap for t in window)
        for key in keys:
            # Bare aliases ("Congress") and capitals ("Moscow") count only as whole mentions.
            hits = [h for h in self.reg.words(key) if h.form not in {"bare", "capital"} or whole]
            if hits and capitalised:
                return Seg("reg", window, value=hits[0], method=_method(hits[0]))
        if len(window) == 1:
            tok = window[0]
            surface = tok.text
            for ending in ("'s", "’s", "'", "’"):
                if tok.poss and surface.endswith(ending):
                    surface = surface[: -len(ending)]
                    break
            for candidate in (tok.text, surface):
                hits = self.reg.acronym(candidate)
                if hits:
                    return Seg("reg", window, value=hits[0], method="acronym")
        for key in (*keys, " ".join(t.text.lower() for t in window)):
            if key in self.lex.titles:
                return Seg("title", window, value=self.lex.titles[key])
            if key in self.lex.heads:
                return Seg("head", window, value=self.lex.heads[key])
            portfolios = self.lex.modifiers.get("portfolio", {})
            if key in portfolios:
                return Seg("mod", window, classes={"portfolio": portfolios[key]})
            classes = {
                cls: self.lex.modifiers[cls][key]
                for cls in MODIFIER_ORDER if key in self.lex.modifiers.get(cls, {})
            }
            if classes:
                return Seg("mod", window, classes=classes)
        return None

    def _unknown(self, tok: Token) -> Seg:
        if tok.punct or tok.fold in CONJUNCTIONS:
            return Seg("conj", [tok])
        if tok.fold.replace(" ", "").isdigit():
            return Seg("mod", [tok], classes={"quantity": ""})
        if tok.fold in RELATIVE:
            return Seg("conj", [tok], value="relative")
        if self.lex.has("pronoun", tok.fold) and not tok.text.isupper():
            return Seg("word", [tok])  # "She" starts a sentence; it is no name
        return Seg("name" if tok.cap else "word", [tok])

    def _merge_portfolios(self, segs: list[Seg]) -> list[Seg]:
        """ "Defense Minister", "Minister of Foreign Affairs", "Ministry of Interior"."""
        out: list[Seg] = []
        i = 0
        while i < len(segs):
            seg = segs[i]
            portfolio = seg.classes.get("portfolio") if seg.kind == "mod" else None
            followed = i + 1 < len(segs) and segs[i + 1].kind in {"title", "head"}
            if portfolio is not None and followed:
                nxt = segs[i + 1]
                out.append(Seg(nxt.kind, seg.tokens + nxt.tokens, value=nxt.value,
                               portfolio=portfolio))
                i += 2
                continue
            if seg.kind in {"title", "head"} and i + 2 < len(segs):
                prep = segs[i + 1]
                j = i + 2
                if j < len(segs) - 1 and segs[j].classes.get("det") is not None:
                    j += 1
                target = segs[j]
                if (prep.kind == "mod" and prep.tokens[0].fold in {"of", "for"}
                        and target.kind == "mod" and "portfolio" in target.classes):
                    tokens = [t for s in segs[i:j + 1] for t in s.tokens]
                    out.append(Seg(seg.kind, tokens, value=seg.value,
                                   portfolio=target.classes["portfolio"]))
                    i = j + 1
                    continue
            out.append(seg)
            i += 1
        return out

    # --- reading the phrase --------------------------------------------------------------

    def _resolve_text(self, text: str, label: str | None) -> list[ResolvedActor]:
        if not text.strip() or self.is_pronoun(text):
            return []
        segs = self.segments(text)
        pre, tail = self._split_tail(segs)
        conjuncts = _split_conjuncts(pre)
        if not conjuncts:
            return []
        conjuncts = self._distribute_head(conjuncts)
        results: list[ResolvedActor] = []
        for conjunct in conjuncts:
            parts = self._analyse(conjunct)
            found = self._decide(parts, tail, label)
            if found is not None and all(
                (r.actor_id or r.name, r.kind) != (found.actor_id or found.name, found.kind)
                for r in results
            ):
                results.append(found)
        return results

    def _split_tail(self, segs: list[Seg]) -> tuple[list[Seg], Tail | None]:
        content = False
        for i, seg in enumerate(segs):
            if seg.kind == "conj" and seg.value == "relative":
                return segs[:i], None
            prep = seg.classes.get("prep") if seg.kind == "mod" else None
            if prep is not None and content and i + 1 < len(segs):
                rest = segs[i + 1:]
                for j, later in enumerate(rest):  # "militants who attacked ..." ends the tail
                    if later.kind == "conj" and later.value == "relative":
                        rest = rest[:j]
                        break
                parts = self._analyse([s for s in rest if s.kind != "conj"], in_tail=True)
                return segs[:i], Tail(prep, self._decide(parts, None, None))
            if seg.kind not in {"mod", "conj", "marker"}:
                content = True
        return segs, None

    def _distribute_head(self, conjuncts: list[list[Seg]]) -> list[list[Seg]]:
        """ "US and Iraqi forces": the last conjunct's head also heads the bare modifiers."""
        if len(conjuncts) < 2:
            return conjuncts
        last_heads = [s for s in conjuncts[-1] if s.kind == "head"]
        if not last_heads:
            return conjuncts
        out = []
        for conjunct in conjuncts[:-1]:
            bare = all(
                (s.kind == "reg" and isinstance(s.value.target, StateInfo)
                 and s.value.form in {"adjective", "name"})
                or (s.kind == "mod" and s.classes.keys() & (LEADING | {"ethnic"}))
                for s in conjunct
            )
            out.append([*conjunct, last_heads[-1]] if bare else conjunct)
        return [*out, conjuncts[-1]]

    def _analyse(self, segs: list[Seg], *, in_tail: bool = False) -> Parts:
        parts = Parts(segs=[])
        k = 0
        while k < len(segs) and segs[k].kind == "mod" and segs[k].classes.keys() & LEADING:
            det = segs[k].classes.get("det")
            parts.definite |= det == "definite"
            parts.indefinite |= det == "" and segs[k].tokens[0].fold in {"a", "an"}
            k += 1
        body = [Seg(s.kind, s.tokens, s.value, dict(s.classes), None, s.portfolio, s.method,
                    s.score) for s in segs[k:]]
        parts.segs = body
        for i, seg in enumerate(body):
            if seg.kind != "marker":
                continue
            target = body[i + 1] if seg.value == "pro" else (body[i - 1] if i else None)
            if target is not None and target.kind in {"reg", "name"}:
                target.role = str(seg.value)
        self._find_names(parts, in_tail=in_tail)
        for i, seg in enumerate(body):
            if seg.kind == "reg":
                self._add_registered(parts, i, seg)
            elif seg.kind == "head":
                parts.heads.append((i, seg, cast(HeadInfo, seg.value)))
            elif seg.kind == "title":
                parts.titles.append((i, seg, cast(TitleInfo, seg.value)))
            elif seg.kind == "mod":
                if "kindmod" in seg.classes:
                    parts.kindmods.append(seg.classes["kindmod"])
                if "ethnic" in seg.classes:
                    parts.ethnic.append(seg.classes["ethnic"])
                if "armed" in seg.classes:
                    parts.armed = True
        for _, seg, info in parts.heads[:-1]:
            if info.kind in ARMED:
                parts.kindmods.append(info.kind)
            if fold(seg.text) in self.lex.modifiers.get("kindmod", {}):
                parts.kindmods.append(self.lex.modifiers["kindmod"][fold(seg.text)])
            if fold(seg.text) in self.lex.modifiers.get("ethnic", {}):
                parts.ethnic.append(self.lex.modifiers["ethnic"][fold(seg.text)])
        return parts

    def _find_names(self, parts: Parts, *, in_tail: bool) -> None:
        """Runs of unknown capitalised words, tried as misspelt or partial registry names.

        A run directly before a registry name is tried together with it first, so "Kataib
        Hizbullah" is Kataib Hezbollah and not Hezbollah with an unknown word in front.
        """
        body = parts.segs
        i = 0
        while i < len(body):
            if body[i].kind != "name":
                i += 1
                continue
            j = i + 1
            while j < len(body) and (
                body[j].kind == "name"
                or (body[j].kind == "mod" and "particle" in body[j].classes
                    and j + 1 < len(body) and body[j + 1].kind == "name")
            ):
                j += 1
            role = next((s.role for s in body[i:j] if s.role), None)
            found = None
            nxt = body[j] if j < len(body) else None
            if (nxt is not None and nxt.kind == "reg" and nxt.role is None
                    and isinstance(nxt.value.target, ActorEntry)):
                found = self._guess([t for s in body[i:j + 1] for t in s.tokens])
                if found is not None:
                    j += 1
            if found is None:
                found = self._guess([t for s in body[i:j] for t in s.tokens])
            titled = i > 0 and body[i - 1].kind == "title"
            if found is None and j - i == 1 and (role or in_tail or titled):
                # "pro-Assad", "loyal to Assad", "President Biden"
                person = self.reg.person_by_surname(body[i].clean_text)
                if person is not None:
                    found = Seg("reg", body[i].tokens, value=Hit(person, "alias"),
                                method="alias", score=0.8)
            if found is not None:
                found.role = role
                body[i:j] = [found]
                i += 1
                continue
            if role in {"sponsor", "pro"}:
                parts.sponsor_name = " ".join(s.clean_text for s in body[i:j])
            else:
                parts.names.append((i, j))
            i = j

    def _guess(self, tokens: list[Token]) -> Seg | None:
        """A registry name spelt differently: transliteration skeleton, then edit distance."""
        key = " ".join(t.fold for t in tokens)
        if tokens[-1].poss:
            key = " ".join([*(t.fold for t in tokens[:-1]), tokens[-1].base])
        hit = self.reg.transliteration(key)
        if hit is not None:
            return Seg("reg", tokens, value=hit, method="translit", score=0.85)
        fuzzy = self.reg.fuzzy(key)
        if fuzzy is None:
            return None
        hit, ratio = fuzzy
        return Seg("reg", tokens, value=hit, method="fuzzy", score=round(0.85 * ratio / 100, 3))

    def _add_registered(self, parts: Parts, i: int, seg: Seg) -> None:
        hit = cast(Hit, seg.value)
        target = hit.target
        if seg.role in {"sponsor", "pro", "leader", "owner"}:
            if isinstance(target, StateInfo):
                state: StateInfo | None = target
            elif target.kind in STATE_BODIES | {"person"}:
                state = self.reg.state(target.country)
            else:
                state = None
            if seg.role in {"sponsor", "pro"}:
                parts.sponsor = state
                if isinstance(target, StateInfo):
                    parts.sponsor_name = _short(target)
                else:
                    parts.sponsor_name = seg.clean_text
                    parts.pro = seg.role == "pro"
            elif seg.role == "leader":
                parts.leader = state
                if isinstance(target, ActorEntry):
                    parts.leader_org = target
            else:
                parts.owner = state
            return
        if isinstance(target, StateInfo):
            parts.states.append((i, seg, target))
        elif target.kind == "person":
            parts.people.append((i, seg, target))
        else:
            parts.orgs.append((i, seg, target))

    # --- decisions -----------------------------------------------------------------------

    def _decide(self, parts: Parts, tail: Tail | None, label: str | None) -> ResolvedActor | None:
        body = parts.segs
        if not body:
            return None
        if body[-1].kind == "word" or (body[-1].kind == "mod" and not parts.titles
                                       and not parts.heads and "ethnic" not in body[-1].classes
                                       and not parts.states and not parts.orgs):
            return None
        if parts.titles:
            found = self._titled(parts, tail)
            if found is not None:
                return found
        if parts.people:
            _, seg, entry = parts.people[-1]
            return self._entry(entry, seg, parts, tail)
        if parts.orgs:
            found = self._named(parts, tail)
            if found is not None:
                return found
        head = parts.heads[-1] if parts.heads else None
        if head is not None:
            found = self._apposition(parts, head)
            if found is None:
                found = self._headed(parts, head, tail)
            return found
        if parts.states:
            return self._state_mention(parts)
        if parts.names and label:
            return self._labelled(parts, label)
        return None

    def _entry(self, entry: ActorEntry, seg: Seg, parts: Parts, tail: Tail | None) -> ResolvedActor:
        whole = len(parts.segs) == 1
        method: Method = seg.method or "name"
        if seg.method in {"translit", "fuzzy"}:
            score = seg.score
        elif whole:
            score = {"name": 1.0, "alias": 0.98, "acronym": 0.95}.get(method, 0.95)
        else:
            score = 0.95
        country = entry.country or self._modifier_country(parts, before=len(parts.segs))
        if country is None and tail is not None and tail.prep == "location" and tail.result:
            country = tail.result.country if tail.result.kind == "state" else None
        sponsor = entry.sponsor or (parts.sponsor.iso3 if parts.sponsor else None)
        return ResolvedActor(
            name=entry.name, kind=entry.kind, country=country, sponsor=sponsor,
            actor_id=entry.id, score=score, matched=seg.clean_text, method=method,
            role=entry.role, affiliation=entry.affiliation,
        )

    def _named(self, parts: Parts, tail: Tail | None) -> ResolvedActor | None:
        i, seg, entry = parts.orgs[-1]
        if entry.kind in STATE_BODIES and entry.country:
            other = [s for _, _, s in parts.states if s.iso3 != entry.country]
            if other:  # "Israel's Central Command" is not US Central Command
                return None
        later = [info for j, _, info in parts.heads if j > i]
        if later and later[-1].kind == "civilians" and later[-1].label in VICTIM_LABELS:
            return None
        return self._entry(entry, seg, parts, tail)

    def _modifier_country(self, parts: Parts, *, before: int) -> str | None:
        states = [s for i, _, s in parts.states if i < before]
        return states[-1].iso3 if states else None

    def _titled(self, parts: Parts, tail: Tail | None) -> ResolvedActor | None:
        t_index, t_seg, info = parts.titles[-1]
        if parts.people and parts.people[-1][0] > t_index:
            return None  # a known person follows: the caller uses the registry entry
        run = next(((a, b) for a, b in parts.names if a > t_index), None)
        main = next((inf for _, _, inf in reversed(parts.titles) if not inf.rank), info)
        main_seg = next((s for _, s, inf in reversed(parts.titles) if inf is main), t_seg)
        role = _title_case(main_seg.clean_text)
        state = self._state_before(parts, t_index)
        if state is None and tail is not None and tail.prep == "owner" and tail.result:
            state = self.reg.state(tail.result.country)
        org = next((e for j, _, e in reversed(parts.orgs) if j < t_index), None)
        country = state.iso3 if state else (main.country or (org.country if org else None))
        affiliation = self._affiliation(parts, main, main_seg, org, t_index)
        if run is not None:
            name_segs = parts.segs[run[0]:run[1]]
            name = " ".join(s.clean_text for s in name_segs)
            matched = " ".join(s.text for s in parts.segs[parts.titles[0][0]:run[1]])
            return ResolvedActor(
                name=name, kind="person", country=country, score=0.85, matched=matched,
                method="title", role=role, affiliation=affiliation,
            )
        if org is not None:
            return None  # "a Hamas spokesman": the organisation speaks
        if main.office and not main.rank:
            label = f"{state.label} {role}" if state else role
            return ResolvedActor(
                name=label, kind="person", country=country, score=0.6, matched=main_seg.text,
                method="title", role=role, affiliation=affiliation, generic=True,
            )
        body_kind = (affiliation or "").split("/")[0]
        if main.generic and body_kind in STATE_BODIES and state is not None:
            return self._body(state, body_kind, main_seg.text, 0.8)
        if main.generic and state is not None:
            return self._body(state, "government", main_seg.text, 0.75)
        return None

    def _state_before(self, parts: Parts, index: int) -> StateInfo | None:
        states = [s for i, _, s in parts.states if i < index]
        if states:
            return states[-1]
        bodies = [e for i, _, e in parts.orgs if i < index and e.kind in STATE_BODIES]
        return self.reg.state(bodies[-1].country) if bodies else None

    def _affiliation(
        self, parts: Parts, main: TitleInfo, seg: Seg, org: ActorEntry | None, t_index: int
    ) -> str | None:
        portfolio = seg.portfolio or main.portfolio
        if org is not None:
            return org.kind if org.kind in STATE_BODIES else org.name
        kind = main.affiliation
        if kind is None:
            heads = [info for i, _, info in parts.heads if i < t_index]
            if heads and heads[-1].kind in STATE_BODIES | ARMED:
                kind = heads[-1].kind
            elif portfolio:
                kind = "government"
        if kind is None or kind == "other":
            return None
        return f"{kind}/{portfolio}" if portfolio else kind

    def _apposition(self, parts: Parts, head: tuple[int, Seg, HeadInfo]) -> ResolvedActor | None:
        """A new name introduced by a head noun, or a proper name ending in one."""
        h_index, h_seg, info = head
        after = next(((a, b) for a, b in parts.names if a == h_index + 1 and b == len(parts.segs)),
                     None)
        before = next(((a, b) for a, b in parts.names if b == h_index), None)
        state = self._state_before(parts, h_index)
        if after is not None:
            name = " ".join(s.clean_text for s in parts.segs[after[0]:after[1]])
            if info.kind in NAMEABLE:
                kind = self._group_kind(parts, info) or "militia"
                return ResolvedActor(
                    name=name, kind=cast(ActorKind, kind), country=state.iso3 if state else None,
                    sponsor=parts.sponsor.iso3 if parts.sponsor else None, score=0.75,
                    matched=f"{h_seg.text} {name}", method="apposition",
                )
            if info.kind == "civilians" and not info.plural:
                return ResolvedActor(
                    name=name, kind="person", country=state.iso3 if state else None,
                    score=0.7, matched=f"{h_seg.text} {name}", method="apposition",
                    role=info.label.rstrip("s"),
                )
            return None
        if before is not None and h_seg.cap and h_index == len(parts.segs) - 1 and state is None:
            name = " ".join(s.text for s in parts.segs[before[0]:h_index + 1])
            kind = "militia" if info.kind == "group" else info.kind
            if kind not in NAMEABLE | STATE_BODIES:
                return None
            return ResolvedActor(
                name=name, kind=cast(ActorKind, kind), score=0.6, matched=name,
                method="apposition",
            )
        return None

    def _group_kind(self, parts: Parts, info: HeadInfo) -> str | None:
        """Kind of an armed or group head after its modifiers ("jihadist group" → terrorist)."""
        kind = info.kind
        if parts.kindmods:
            mod = parts.kindmods[-1]
            if kind == "group" or (kind in ARMED and mod in ARMED and mod != "militia"):
                kind = mod
        if kind == "group":
            if (parts.sponsor or parts.sponsor_name or parts.leader or parts.states
                    or parts.ethnic or parts.armed):
                return "militia"
            return None
        return kind

    def _headed(
        self, parts: Parts, head: tuple[int, Seg, HeadInfo], tail: Tail | None
    ) -> ResolvedActor | None:
        h_index, h_seg, info = head
        kind = info.kind
        label = info.label
        if h_seg.portfolio == "defence" and kind == "government":
            kind = "military"
        state = self._state_before(parts, h_index)
        tail_state = None
        tail_org: ResolvedActor | None = None
        if tail is not None and tail.result is not None:
            if tail.result.kind == "state":
                tail_state = self.reg.state(tail.result.country)
            elif tail.prep in {"owner", "link", "location"} and not tail.result.generic:
                tail_org = tail.result
        sponsor = parts.sponsor
        if tail is not None and tail.prep == "sponsor" and tail.result and sponsor is None:
            sponsor = self.reg.state(tail.result.country)
        if info.term in {"proxies", "proxy"} and state is not None and sponsor is None:
            sponsor, state = state, None
        if kind == "civilians" and parts.armed and info.armable:
            kind, label = "militia", "gunmen"
        matched = " ".join(s.text for s in parts.segs)
        # An unknown capitalised word right before the head qualifies it: "Chechen fighters".
        prefix = next((" ".join(s.clean_text for s in parts.segs[a:b])
                       for a, b in parts.names if b == h_index), None)
        if info.owned and not (state or parts.owner or parts.leader or sponsor
                               or tail_state or tail_org):
            return None  # "drones", "the convoy": equipment and units of nobody named
        if kind == "group":
            group_kind = self._group_kind(parts, info)
            if group_kind is None:
                if tail_org is not None and tail_org.kind not in STATE_BODIES | {"state"}:
                    return tail_org.with_match(matched, "head", 0.85)
                return None
            kind, label = group_kind, KIND_PLURAL.get(group_kind, label)
        if kind == "state":
            target = state or (tail_state if tail and tail.prep == "owner" else None)
            if target is None:
                return None
            return self._state(target, matched, "demonym", 0.8)
        if (kind in STATE_BODIES and state is None and tail is not None and tail.prep == "sponsor"
                and tail.result is not None and tail.result.kind == "person"
                and (tail.result.affiliation or "").split("/")[0] in STATE_BODIES):
            state, sponsor = sponsor, None  # "forces loyal to Assad": his state's forces
        if kind in STATE_BODIES:
            if sponsor is not None and state is None:
                kind, label = "militia", "militias"
            else:
                coalition = label == "coalition" or any(
                    i.label == "coalition" for _, _, i in parts.heads[:-1])
                country = state or parts.owner or parts.leader
                if country is None and tail is not None and tail.prep == "owner":
                    country = tail_state or (self.reg.state(tail_org.country) if tail_org else None)
                if coalition:
                    lead = parts.leader or state
                    name = f"{lead.label}-led coalition" if lead else "Coalition"
                    return ResolvedActor(
                        name=name, kind="military", country=lead.iso3 if lead else None,
                        score=0.8 if lead else 0.5, matched=matched, method="head", generic=True,
                    )
                if country is not None:
                    return self._body(country, kind, matched, 0.9)
                if tail_org is not None and tail is not None and tail.prep in {"owner", "link"}:
                    return tail_org.with_match(matched, "head", 0.8)
                proper = all(t.cap for t in h_seg.tokens if t.fold not in SMALL_WORDS)
                if proper and len(h_seg.tokens) > 1:  # "National Security Council"
                    label = h_seg.clean_text
                return ResolvedActor(
                    name=label[0].upper() + label[1:], kind=cast(ActorKind, kind),
                    score=0.5, matched=matched, method="head", generic=True,
                )
        if kind in ARMED:
            kind = self._group_kind(parts, HeadInfo(info.term, kind, label)) or kind
            if tail_org is not None and tail is not None and tail.prep in {"owner", "link"}:
                return tail_org.with_match(matched, "head", 0.85)
            country = state or parts.owner or (
                tail_state if tail and tail.prep in {"location", "owner"} else None)
            if parts.pro and parts.sponsor_name:
                name = f"Pro-{parts.sponsor_name} {KIND_PLURAL[kind]}"
            elif sponsor is not None or parts.sponsor_name:
                backer = parts.sponsor_name or _short(cast(StateInfo, sponsor))
                name = f"{backer}-backed {KIND_PLURAL[kind]}"
            elif parts.leader_org is not None:
                name = f"{parts.leader_org.name}-led {KIND_PLURAL[kind]}"
            elif parts.ethnic:
                name = f"{parts.ethnic[-1]} {label}"
            elif country is not None:
                name = f"{country.label} {label}"
            elif prefix:
                name = f"{prefix} {label}"
            else:
                name = label[0].upper() + label[1:]
            modified = bool(sponsor or country or parts.ethnic or parts.sponsor_name or prefix)
            return ResolvedActor(
                name=name, kind=cast(ActorKind, kind), country=country.iso3 if country else None,
                sponsor=sponsor.iso3 if sponsor else None, score=0.7 if modified else 0.55,
                matched=matched, method="head", generic=True,
            )
        country = state or parts.owner or (
            tail_state if tail and tail.prep in {"location", "owner"} else None)
        if kind == "other" and country is None:
            country = sponsor or parts.leader
        if country is not None and label[0].islower():
            name = f"{country.label} {label}"
        elif parts.ethnic and label[0].islower():
            name = f"{parts.ethnic[-1]} {label}"
        elif prefix and label[0].islower():
            name = f"{prefix} {label}"
        else:
            name = label[0].upper() + label[1:]
        return ResolvedActor(
            name=name, kind=cast(ActorKind, kind), country=country.iso3 if country else None,
            score=0.7 if country else 0.6, matched=matched, method="head", generic=True,
        )

    def _body(self, state: StateInfo, kind: str, matched: str, score: float) -> ResolvedActor:
        """A state's military, government or police, named with the state's adjective."""
        return ResolvedActor(
            name=f"{state.label} {kind}", kind=cast(ActorKind, kind), country=state.iso3,
            actor_id=f"{state.iso3}.{kind}", score=score, matched=matched, method="head",
        )

    def _state(self, state: StateInfo, matched: str, method: Method, score: float) -> ResolvedActor:
        return ResolvedActor(
            name=state.name, kind="state", country=state.iso3, actor_id=state.iso3, score=score,
            matched=matched, method=method,
        )

    def _state_mention(self, parts: Parts) -> ResolvedActor | None:
        _, seg, state = parts.states[0]
        hit = cast(Hit, seg.value)
        matched = seg.clean_text
        if hit.form == "people" and not parts.definite:  # "Palestinians" killed: civilians
            return ResolvedActor(
                name=f"{state.label} civilians", kind="civilians", country=state.iso3,
                score=0.7, matched=matched, method="demonym", generic=True,
            )
        if hit.form == "adjective" and parts.indefinite:  # "an American": a national
            return ResolvedActor(
                name=f"{state.label} civilians", kind="civilians", country=state.iso3,
                score=0.6, matched=matched, method="demonym", generic=True,
            )
        if hit.form == "capital":
            return self._state(state, matched, "metonym", 0.75)
        if hit.form in {"adjective", "people"}:
            return self._state(state, matched, "demonym", 0.9)
        method: Method = "acronym" if seg.method == "acronym" else "name"
        return self._state(state, matched, method, 1.0 if method == "name" else 0.95)

    def _labelled(self, parts: Parts, label: str) -> ResolvedActor | None:
        """Unknown names the caller's NER has typed (PERSON, ORG)."""
        start, end = parts.names[-1]
        name = " ".join(s.clean_text for s in parts.segs[start:end])
        state = self._state_before(parts, start)
        country = state.iso3 if state else None
        if label.upper() in {"PERSON", "PER"}:
            known = self.reg.person_by_surname(name) if end - start == 1 else None
            if known is not None:
                found = self._entry(known, parts.segs[start], parts, None)
                return found.with_match(name, "label", 0.8)
            return ResolvedActor(name=name, kind="person", country=country, score=0.6,
                                 matched=name, method="label")
        if label.upper() in {"ORG", "NORP"}:
            return ResolvedActor(name=name, kind="other", country=country, score=0.4,
                                 matched=name, method="label")
        return None


def _method(hit: Hit) -> Method:
    if isinstance(hit.target, StateInfo):
        return "demonym" if hit.form in {"adjective", "people"} else (
            "metonym" if hit.form == "capital" else "name")
    return {"name": "name", "bare": "name", "alias": "alias", "acronym": "acronym"}.get(
        hit.form, "alias")  # type: ignore[return-value]


def _short(state: StateInfo) -> str:
    """How compounds name a state: "US-backed", otherwise "Iran-backed"."""
    return state.label if is_acronym(state.label) else state.name


def _title_case(text: str) -> str:
    words = text.split()
    return " ".join(
        w if (w.isupper() and len(w) > 1) or (w.lower() in SMALL_WORDS and k) else
        w[:1].upper() + w[1:]
        for k, w in enumerate(words)
    )


def _split_conjuncts(segs: list[Seg]) -> list[list[Seg]]:
    """Split at "and", "or" and commas, except a comma between a title and its holder
    ("an army spokesman, Lt. Col. Peter Lerner")."""
    out: list[list[Seg]] = [[]]
    for i, seg in enumerate(segs):
        if seg.kind != "conj":
            out[-1].append(seg)
            continue
        nxt = segs[i + 1] if i + 1 < len(segs) else None
        appositive = (seg.tokens[0].punct and out[-1] and out[-1][-1].kind == "title"
                      and nxt is not None and nxt.kind in {"title", "name", "reg"})
        if not appositive:
            out.append([])
    return [c for c in out if c]


def _strip_wrappers(text: str) -> str:
    text = " ".join(text.split())
    while len(text) > 1 and text[0] in _WRAPPERS and text[-1] in _WRAPPERS:
        text = text[1:-1].strip()
    return text.strip(" ,;:")


def _split_parentheses(text: str) -> tuple[str, list[str]]:
    inner = [m.strip() for m in _PAREN.findall(text) if m.strip()]
    outer = " ".join(_PAREN.sub(" ", text).split())
    return outer, inner

