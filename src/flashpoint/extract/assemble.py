"""From a parsed article to resolved, merged events.

Steps, each a function: find mentions and their arguments (``mentions``), attach casualty verbs,
claims and outcomes to the events they describe, resolve actors/places/dates in text order (so
coreference sees earlier mentions first), merge mentions of the same event within the article,
link events by cue phrases, and build contract ``Event`` objects with evidence spans.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

from spacy.tokens import Span, Token

from ..nlp import Paragraph, ParsedArticle
from ..resolve.actors import ActorRegistry, DocumentActors, ResolvedActor
from ..resolve.dates import merge_date_time, resolve_date
from ..resolve.places import find_toponyms, haversine_km, resolve_places
from ..types import (
    Actor,
    ActorKind,
    ActorRole,
    Article,
    Attribution,
    AttributionKind,
    Casualties,
    Count,
    DateInfo,
    Event,
    EventType,
    Evidence,
    Location,
    Modality,
    Quote,
    Related,
    Relation,
)
from . import casualties as cas
from .attribution import (
    SPEECH_VERBS,
    QuoteSpan,
    Speaker,
    find_quotes,
    speaker_for,
    speaker_phrase,
)
from .coder import Coder, apply_coder
from .lexicon import Lexicon, load_lexicon
from .mentions import (
    Mention,
    casualty_host,
    claim_host,
    find_mentions,
    is_actorish,
    read_arguments,
    root_mention,
    since_target,
)
from .modality import modality
from .syntax import FACILITY_NOUNS, conjuncts, ent_of, is_pronoun, noun_phrase, subtree_excluding

PRECISION_RANK = {
    "site": 0,
    "city": 1,
    "admin2": 2,
    "admin1": 3,
    "region": 4,
    "sea": 4,
    "country": 5,
}
STAND_IN_RANK = 10  # an unknown name's stand-in area ranks after every place found by name


def _place_rank(loc: Location) -> int:
    return PRECISION_RANK.get(loc.precision, 9) + STAND_IN_RANK * loc.stand_in


def _located(loc: Location | None) -> bool:
    """Whether a place was found by its name: a stand-in area says nothing about the event."""
    return loc is not None and not loc.stand_in


DATE_RANK = {"day": 0, "week": 1, "range": 2, "month": 3, "year": 4, "unknown": 9}
# Distance within which two resolved places count as the same, by the coarser precision.
MERGE_KM = {
    "site": 25.0,
    "city": 25.0,
    "admin2": 60.0,
    "admin1": 150.0,
    "region": 300.0,
    "sea": 800.0,
    "country": 2000.0,
}
INTERCEPT_LEMMAS = {"intercept", "shoot", "down", "repel", "thwart", "foil"}
DAMAGE_LEMMAS = {"damage", "impact", "destroy", "hit"}
RESPONSE_CUES = {"response", "retaliation", "revenge", "reprisal", "answer", "retribution"}
FIRST_PERSON = {"we", "i", "our", "us", "my", "me"}
THIRD_POSSESSIVE = {"its", "their", "it", "they", "his", "her"}


@dataclass(slots=True)
class Cluster:
    """Mentions of one event within an article."""

    mentions: list[Mention]
    type: str
    modality: str
    sources: list[Actor] = field(default_factory=list)
    targets: list[Actor] = field(default_factory=list)
    claimants: list[Actor] = field(default_factory=list)
    location: Location | None = None
    date: DateInfo | None = None
    casualties: list[cas.CasualtyFigure] = field(default_factory=list)
    attribution: Attribution | None = None
    mode: str | None = None
    instruments: list[str] = field(default_factory=list)
    intercepted: bool | None = None
    damage: str | None = None
    related: list[tuple[Cluster, str]] = field(default_factory=list)
    infos: list[MentionInfo] = field(default_factory=list)
    id: str = ""


@dataclass(slots=True)
class MentionInfo:
    """Resolved values of one mention, kept beside it (mentions stay token-level)."""

    sources: list[Actor] = field(default_factory=list)
    targets: list[Actor] = field(default_factory=list)
    claimants: list[Actor] = field(default_factory=list)
    location: Location | None = None
    date: DateInfo | None = None
    attribution: Attribution | None = None
    mode: str | None = None
    casualties: list[cas.CasualtyFigure] = field(default_factory=list)


class ArticleContext:
    """Per-article state: toponyms, actor memory, quotes, and all mentions in text order."""

    def __init__(
        self, parsed: ParsedArticle, lex: Lexicon, registry: ActorRegistry | None = None
    ) -> None:
        self.parsed = parsed
        self.article = parsed.article
        self.text = parsed.article.text
        self.lex = lex
        self.actors = DocumentActors(registry, parsed.article.text)
        self.quotes: list[QuoteSpan] = find_quotes(parsed)
        self.toponyms: dict[int, dict[int, tuple[int, int]]] = {}
        self._actor_memo: dict[tuple[int, int], Actor | None] = {}
        self._place_memo: dict[tuple[int, int], Location | None] = {}
        self._index_toponyms()

    # ---- toponyms ---------------------------------------------------------------------
    def _index_toponyms(self) -> None:
        for pi, para in enumerate(self.parsed.paragraphs):
            heads: dict[int, tuple[int, int]] = {}
            if not (para.parsed and para.entities):
                continue  # no event can sit there, so none of its places is needed
            doc = para.doc
            spans: list[Span] = [e for e in doc.ents if e.label_ in {"GPE", "LOC", "FAC"}]
            people = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]
            for s, e in find_toponyms(para.text):
                sp = doc.char_span(s, e, alignment_mode="expand")
                if sp is not None:
                    spans.append(sp)
            # "Lidia Falcón" names a person, not Falcón state; a longer match that a PERSON
            # entity only cuts into ("Ain al-Asad military base") stays
            spans = [
                sp
                for sp in spans
                if not any(ps <= sp.start_char and sp.end_char <= pe for ps, pe in people)
            ]
            for sp in spans:
                root = sp.root
                start, end = para.offset(sp)
                old = heads.get(root.i)
                if old is None or (end - start) > (old[1] - old[0]):
                    heads[root.i] = (start, end)
                for tok in sp:
                    heads.setdefault(tok.i, (start, end))
            self.toponyms[pi] = heads

    def para_index(self, para: Paragraph) -> int:
        return next(i for i, p in enumerate(self.parsed.paragraphs) if p is para)

    def resolve_all_places(self) -> None:
        spans = sorted({s for heads in self.toponyms.values() for s in heads.values()})
        if not spans:
            return
        countries = self.doc_countries()
        locs = resolve_places(self.text, spans, doc_countries=countries)
        for span, loc in zip(spans, locs, strict=True):
            self._place_memo[span] = loc

    def doc_countries(self) -> list[str]:
        """Countries named in the article, most mentioned first (context for geocoding)."""
        counts: dict[str, int] = {}
        for para in self.parsed.paragraphs:
            if not para.entities:
                for name in _capitalised_runs(para.text):
                    iso = self.actors.registry.country_of_text(name)
                    if iso:
                        counts[iso] = counts.get(iso, 0) + 1
                continue
            for ent in para.doc.ents:
                if ent.label_ in {"GPE", "NORP"}:
                    iso = self.actors.registry.country_of_text(ent.text)
                    if iso:
                        counts[iso] = counts.get(iso, 0) + 1
        return [c for c, _ in sorted(counts.items(), key=lambda kv: -kv[1])]

    def location_for(
        self, para: Paragraph, heads: list[Token], blocked: set[int]
    ) -> Location | None:
        pi = self.para_index(para)
        topo = self.toponyms.get(pi, {})
        best: Location | None = None
        best_key: tuple[int, int, int, int] | None = None
        for order, head in enumerate(heads):
            spans: list[tuple[tuple[int, int], bool]] = []
            for tok in subtree_excluding(head, blocked):
                if tok.i in topo and all(topo[tok.i] != s for s, _ in spans):
                    if _origin(tok):
                        continue  # "a tourist from Canada" is not where it happened
                    spans.append((topo[tok.i], _modifier_only(tok)))
            for depth, (span, modifier) in enumerate(spans):
                loc = self._place_memo.get(span)
                if loc is None:
                    continue
                key = (int(modifier), _place_rank(loc), order, depth)
                if best_key is None or key < best_key:
                    best, best_key = loc, key
        return best

    # ---- actors -----------------------------------------------------------------------
    def resolve_actors_in_order(self) -> None:
        """Feed every actor-like phrase to the coreference memory in text order."""
        for para in self.parsed.paragraphs:
            if not para.parsed:
                continue
            for tok in para.doc:
                if (
                    tok.dep_ in {"compound"}
                    and tok.head.ent_iob_ != "O"
                    and ent_of(tok) is ent_of(tok.head)
                ):
                    continue
                if is_actorish(tok) and (tok.pos_ in {"PROPN", "NOUN", "PRON", "ADJ"}):
                    self.actor_for(para, tok, "source")

    def quote_at(self, offset: int) -> QuoteSpan | None:
        for q in self.quotes:
            if q.start <= offset < q.end:
                return q
        return None

    def actor_for(self, para: Paragraph, tok: Token, role: ActorRole) -> Actor | None:
        key = (para.start, tok.i)
        if key not in self._actor_memo:
            self._actor_memo[key] = self._resolve_actor(para, tok)
        base = self._actor_memo[key]
        if base is None:
            return None
        return Actor(
            role,
            base.text,
            base.name,
            base.country,
            base.kind,
            base.span,
            sponsor=base.sponsor,
            actor_id=base.actor_id,
        )

    def _resolve_actor(self, para: Paragraph, tok: Token) -> Actor | None:
        start, end = para.offset(tok)
        low = tok.lower_
        if low in FIRST_PERSON and tok.pos_ == "PRON":
            q = self.quote_at(start)
            if q is not None and q.speaker is not None and q.speaker.token is not None:
                spk = self.speaker_actor(q.speaker)
                if spk is not None:
                    name = spk.name
                    kind: ActorKind = spk.kind
                    if low in {"we", "our", "us"} and spk.kind == "person" and spk.country:
                        state = self.actors.registry.state(spk.country)
                        name, kind = (state.name if state else spk.name), "government"
                    return Actor(
                        "source",
                        tok.text,
                        name,
                        spk.country,
                        kind,
                        (start, end),
                        sponsor=spk.sponsor,
                        actor_id=spk.actor_id,
                    )
            return None
        if low in THIRD_POSSESSIVE:
            prev = self._nearest_prior_actor(para, tok)
            if prev is not None:
                return Actor(
                    "source",
                    tok.text,
                    prev.name,
                    prev.country,
                    prev.kind,
                    (start, end),
                    sponsor=prev.sponsor,
                    actor_id=prev.actor_id,
                )
            return None
        s, e = noun_phrase(tok)
        doc = para.doc
        span = doc[s:e]
        c_start, c_end = para.offset(span)
        resolved = self.actors.resolve(span.text, (c_start, c_end), label=tok.ent_type_ or None)
        if (
            resolved is not None
            and resolved.method == "label"
            and tok.i in self.toponyms.get(self.para_index(para), {})
        ):
            # "the Al Asad base": a place NER took for a person or an organisation; only
            # the registry makes a place name an actor ("Iraq" the state)
            return None
        if resolved is not None:
            return _actor_from(resolved, span.text, (c_start, c_end))
        if tok.ent_type_ in {"PERSON", "ORG"} or (
            tok.pos_ in {"NOUN", "PROPN"} and tok.ent_type_ in {"", "CARDINAL"} and is_actorish(tok)
        ):
            # unknown to the registry but named or described in the text: keep it, uncanonical
            fallback: ActorKind = "person" if tok.ent_type_ == "PERSON" else "other"
            name = span.text[4:] if span.text.lower().startswith("the ") else span.text
            return Actor("source", span.text, name, None, fallback, (c_start, c_end))
        return None

    def _nearest_prior_actor(self, para: Paragraph, tok: Token) -> Actor | None:
        for i in range(tok.i - 1, tok.sent.start - 1, -1):
            cand = para.doc[i]
            if is_pronoun(cand):
                continue
            memo = self._actor_memo.get((para.start, cand.i))
            if memo is not None and memo.kind not in {"civilians", "person", "other"}:
                return memo
        # then the latest group or state named in the 600 characters before
        pos = para.start + tok.idx
        for (p_start, i), memo in reversed(list(self._actor_memo.items())):
            if (
                memo is None
                or memo.kind in {"civilians", "person"}
                or is_pronoun(memo_tok := self._token(p_start, i))
            ):
                continue
            if p_start + memo_tok.idx < pos and pos - (p_start + memo_tok.idx) <= 600:
                return memo
        return None

    def _previous_speaker(self, para: Paragraph, tok: Token) -> Actor | None:
        paras = self.parsed.paragraphs
        idx = self.para_index(para)
        for p in reversed(paras[max(0, idx - 2) : idx + 1]):
            if not p.parsed:
                continue  # no subject without a parse
            cands = [
                t
                for t in p.doc
                if t.dep_ == "nsubj"
                and t.head.lemma_.lower() in SPEECH_VERBS
                and not is_pronoun(t)
                and (p is not para or t.i < tok.i)
            ]
            for cand in reversed(cands):
                phrase = speaker_phrase(cand)
                found = self.actors.resolve(
                    phrase.text, p.offset(phrase), label=cand.ent_type_ or None
                )
                if found is not None and found.kind not in {"person", "civilians", "other"}:
                    return _actor_from(found, phrase.text, p.offset(phrase))
        return None

    def _token(self, para_start: int, i: int) -> Token:
        para = next(p for p in self.parsed.paragraphs if p.start == para_start)
        return para.doc[i]

    def speaker_actor(self, speaker: Speaker) -> Actor | None:
        if speaker.token is None or speaker.para is None:
            return None
        tok = speaker.token
        if is_pronoun(tok) and tok.lower_ in {"it", "they"}:
            # "it wrote on X": the latest organisation or state that spoke before
            earlier = self._previous_speaker(speaker.para, tok)
            if earlier is not None:
                start, end = speaker.para.offset(tok)
                return Actor(
                    "source",
                    tok.text,
                    earlier.name,
                    earlier.country,
                    earlier.kind,
                    (start, end),
                    sponsor=earlier.sponsor,
                    actor_id=earlier.actor_id,
                )
        if is_pronoun(tok):
            return self.actor_for(speaker.para, tok, "source")
        phrase = speaker_phrase(tok)
        span = speaker.para.offset(phrase)
        key = (speaker.para.start, tok.i)
        memo = self._actor_memo.get(key)
        if memo is not None:
            return memo
        resolved = self.actors.resolve(phrase.text, span, label=tok.ent_type_ or None, speaker=True)
        if resolved is None:
            return None
        return _actor_from(resolved, phrase.text, span)

    def attribution_for(self, m: Mention) -> Attribution | None:
        speaker = speaker_for(m.trigger, m.para)
        if speaker is None:
            q = self.quote_at(m.char_span[0])
            if q is not None and q.speaker is not None:
                speaker = q.speaker
        if speaker is None or speaker.token is None or speaker.para is None:
            return None
        actor = self.speaker_actor(speaker)
        phrase = speaker_phrase(speaker.token)
        text = phrase.text
        kind = cast(AttributionKind, speaker.kind)
        return Attribution(
            kind=kind,
            text=text,
            name=actor.name if actor else text,
            span=speaker.para.offset(phrase),
            country=actor.country if actor else None,
        )


def _origin(tok: Token) -> bool:
    node = tok
    while node.dep_ in {"compound", "flat", "conj"} and node.head.i != node.i:
        node = node.head
    return node.dep_ == "pobj" and node.head.lower_ == "from"


def _modifier_only(tok: Token) -> bool:
    """A toponym used to describe an actor ("Iran-affiliated groups", "US forces") places
    nothing; one on a place ("Iraq's Ain al-Asad base") or after "in/at/near" does."""
    node = tok
    while (
        node.dep_ in {"compound", "flat"}
        and node.head.i != node.i
        and node.head.ent_type_ == tok.ent_type_
    ):
        node = node.head
    if node.dep_ in {"npadvmod", "amod", "compound", "nmod"}:
        return node.head.lemma_.lower() not in FACILITY_NOUNS and node.head.ent_type_ not in {
            "GPE",
            "LOC",
            "FAC",
        }
    return False


def _actor_from(r: ResolvedActor, text: str, span: tuple[int, int]) -> Actor:
    return Actor(
        "source",
        text,
        r.name,
        r.country,
        cast(ActorKind, r.kind),
        span,
        sponsor=r.sponsor,
        actor_id=r.actor_id,
    )


# ---- the stage ------------------------------------------------------------------------


def extract_events(
    parsed: ParsedArticle,
    lex: Lexicon | None = None,
    registry: ActorRegistry | None = None,
    coder: Coder | None = None,
) -> tuple[list[Event], list[Quote]]:
    """Events and quotes of one article; ``coder`` (the learned pass) decides type, mode and
    relevance of the lexicon's candidates, and is skipped when None."""
    lex = lex or load_lexicon()
    ctx = ArticleContext(parsed, lex, registry)
    mentions: list[Mention] = []
    for para in parsed.paragraphs:
        if not para.parsed:
            continue  # the trigger gate found nothing there
        for sent in para.doc.sents:
            sent_mentions = find_mentions(para, sent, lex)
            if coder is not None and not sent_mentions:
                root = root_mention(para, sent, coder.cues)
                sent_mentions = [root] if root is not None else []
            _read_sentence(ctx, para, sent, sent_mentions)
            mentions.extend(sent_mentions)
    if coder is not None and mentions:
        apply_coder(mentions, coder)
    ctx.resolve_all_places()
    ctx.resolve_actors_in_order()
    infos = {id(m): _resolve_mention(ctx, m) for m in mentions}
    _attach_casualties(ctx, mentions, infos)
    clusters = _merge(ctx, mentions, infos)
    _link(ctx, clusters)
    for c in clusters:
        first = min(c.mentions, key=lambda x: x.char_span[0])
        c.id = hashlib.sha1(f"{ctx.article.id}|{c.type}|{first.char_span[0]}".encode()).hexdigest()[
            :16
        ]
    events = [_to_event(ctx, c) for c in clusters]
    return events, _quotes(ctx)


_LETTERS = re.compile(r"[^\W\d_]+")


def _capitalised_runs(text: str) -> Iterator[str]:
    """One to three capitalised words in a row, in text only tokenised: the names that NER
    would have offered ``doc_countries`` ("United States", "Iraqi"). Scanned in the text, not
    the doc: building Token objects for every skipped word costs more than the scan."""
    run: list[str] = []
    prev_end = -1
    for match in _LETTERS.finditer(text):
        word = match.group()
        if word[0].isupper() and run and text[prev_end : match.start()].isspace():
            run.append(word)
        else:
            yield from _ngrams(run)
            run = [word] if word[0].isupper() else []
        prev_end = match.end()
    yield from _ngrams(run)


def _ngrams(words: list[str], longest: int = 3) -> Iterator[str]:
    for size in range(min(longest, len(words)), 0, -1):
        for k in range(len(words) - size + 1):
            yield " ".join(words[k : k + size])


def _read_sentence(ctx: ArticleContext, para: Paragraph, sent: Span, found: list[Mention]) -> None:
    by_token = {m.trigger.i: m for m in found}
    blocked = set(by_token)
    topo_heads = set(ctx.toponyms.get(ctx.para_index(para), {}))
    for m in found:
        m.blocked = blocked - {m.trigger.i}
        read_arguments(m, blocked, topo_heads, ctx.lex)
        m.modality = modality(m.trigger, m.pattern_modality)
    for m in found:
        m.since = since_target(m, by_token)
        if "casualty" in m.flags:
            m.host = casualty_host(m, by_token)
    for tok in sent:
        event, claimants = claim_host(tok, by_token)
        if event is not None and claimants:
            event.claimants.extend(claimants)
            if event.trigger.dep_ == "nsubjpass" or event.anaphoric:
                event.anaphoric = True
        lemma = tok.lemma_.lower()
        if (
            lemma in INTERCEPT_LEMMAS
            and tok.pos_ == "VERB"
            and (lemma != "shoot" or any(c.lower_ == "down" for c in tok.children))
        ):
            _note_outcome(tok, "intercepted")
        elif lemma in DAMAGE_LEMMAS and tok.i not in by_token and tok.pos_ in {"VERB", "NOUN"}:
            _note_outcome(tok, "damage")
    # A verb trigger in a relative clause of an event noun of its type tells that event.
    for m in found:
        head = m.trigger.head
        if m.trigger.dep_ == "relcl" and m.host is None and head.i in by_token:
            other = by_token[head.i]
            if other is not m and other.type == m.type:
                m.describes = other
    # Verb triggers whose subject is an event noun describe that event ("a strike hit ...").
    for m in found:
        subj = [c for c in m.trigger.children if c.dep_ == "nsubj"]
        if subj and subj[0].i in by_token and m.host is None:
            other = by_token[subj[0].i]
            if other.type == m.type and other is not m:
                m.host = other
    # "Thousands marched ... demanding X": the demand is what the protest is about
    for m in found:
        head = m.trigger.head
        if (
            m.type in {"REQUEST", "ACCUSE"}
            and m.trigger.tag_ == "VBG"
            and m.trigger.dep_ in {"advcl", "acl", "xcomp"}
            and head.i in by_token
            and by_token[head.i].type == "PROTEST"
        ):
            m.host = by_token[head.i]
    # Drop triggers that lack what their definition requires.
    keep: list[Mention] = []
    for m in found:
        if "hosted_only" in m.flags and m.host is None:
            others_here = [
                x
                for x in found
                if x is not m and x.type == "ASSAULT" and "hosted_only" not in x.flags
            ]
            if not others_here:
                continue
            m.host = min(others_here, key=lambda x: abs(x.trigger.i - m.trigger.i))
        if "weapon_object" in m.flags and not m.instruments and "needs_actor" not in m.flags:
            continue
        if "needs_actor" in m.flags and not (
            m.sources or m.targets or m.instruments or m.claimants or m.anaphoric
        ):
            continue
        if (
            "weapon_object" in m.flags
            and "needs_actor" in m.flags
            and not (m.instruments or m.sources)
        ):
            continue
        keep.append(m)
    kept = {id(m) for m in keep}
    for m in keep:
        if m.host is not None and id(m.host) not in kept:
            m.host = None  # its host was dropped: the casualty verb stands for itself
        if m.since is not None and id(m.since) not in kept:
            m.since = None
    found[:] = keep


def _note_outcome(tok: Token, kind: str) -> None:
    """Remember an outcome cue; ``_merge`` gives it to the latest projectile attack before it."""
    tok.doc.user_data.setdefault("fp_outcomes", []).append((tok.i, kind))


def _resolve_mention(ctx: ArticleContext, m: Mention) -> MentionInfo:
    info = MentionInfo()
    para = m.para
    blocked = m.blocked
    for role, heads in (("source", m.sources), ("target", m.targets), ("claimant", m.claimants)):
        out = getattr(info, role + "s")
        for tok in heads:
            for t in conjuncts(tok) if tok.dep_ != "conj" else [tok]:
                actor = ctx.actor_for(para, t, cast(ActorRole, role))
                if actor is not None and all(a.name != actor.name for a in out):
                    out.append(actor)
    info.location = ctx.location_for(para, m.places + m.targets + m.sources, blocked)
    if info.location is None:
        # the sentence's own places, outside other events' phrases ("Police in Lyon ... a blast")
        info.location = ctx.location_for(para, [m.sent.root], blocked)
    info.date = _resolve_dates(ctx, m)
    info.attribution = ctx.attribution_for(m)
    modes: list[str] = []
    for tok in m.instruments:
        found = ctx.lex.instrument_mode([tok.lemma_.lower()], 0)
        if found:
            modes.append(found[0])
        for child in tok.children:
            if child.dep_ in {"amod", "compound"}:
                f2 = ctx.lex.instrument_mode([child.lemma_.lower(), tok.lemma_.lower()], 0)
                if f2:
                    modes.append(f2[0])
    named = ctx.lex.best_mode(modes)
    # the coder's mode when it is sure of it; else the weapon the clause names; else the
    # coder's less sure guess or a situation (targeted, abduct) no weapon word can tell
    if m.coder_mode and (
        m.coder_mode_sure or not named or m.coder_mode not in ctx.lex.weapons
    ):
        info.mode = m.coder_mode
    else:
        info.mode = named or m.mode
    if m.lemma == "blow" and any(
        c.lower_ in {"himself", "herself", "themselves"} for c in m.trigger.children
    ):
        info.mode = "suicide-bombing"
    return info


def _resolve_dates(ctx: ArticleContext, m: Mention) -> DateInfo | None:
    published = ctx.article.published
    day: DateInfo | None = None
    time: DateInfo | None = None
    for ent in m.dates:
        span = m.para.offset(ent)
        if ent.root.dep_ in {"pobj", "npadvmod", "tmod", "ROOT"} or ent.root.head.dep_ == "prep":
            got = resolve_date(ctx.text, span, published)
        else:
            # a date inside an event's own phrase ("an Oct. 7 incursion") is that event's date;
            # words around the phrase ("since an Oct. 7 incursion") belong to another clause
            got = resolve_date(ent.text, (0, len(ent.text)), published)
            if got is not None:
                got.text, got.span = ent.text, span
        if got is None:
            continue
        if got.start is None and got.time:
            time = time or got
        elif day is None or DATE_RANK.get(got.precision, 9) < DATE_RANK.get(day.precision, 9):
            day = got
    return merge_date_time(day, time) if (day or time) else None


def _attach_casualties(
    ctx: ArticleContext, mentions: list[Mention], infos: dict[int, MentionInfo]
) -> None:
    by_sent: dict[tuple[int, int], list[Mention]] = {}
    for m in mentions:
        by_sent.setdefault(m.sent_span, []).append(m)
    for para in ctx.parsed.paragraphs:
        if not para.parsed:
            continue  # no mention there to own a figure
        for sent in para.doc.sents:
            s, e = para.offset(sent)
            figures = cas.find_casualties(ctx.text, s, e)
            if not figures:
                continue
            local = by_sent.get((s, e), [])
            for fig in figures:
                target = _figure_owner(fig, local)
                if target is not None:
                    infos[id(target)].casualties.append(fig)


def _figure_owner(fig: cas.CasualtyFigure, local: list[Mention]) -> Mention | None:
    assaults = [m for m in local if m.type == "ASSAULT"]
    if not assaults:
        return None
    # the casualty verb itself, then its host, then the nearest assault mention
    for m in assaults:
        s, e = m.char_span
        if fig.trigger_span and s <= fig.trigger_span[0] < e + 1:
            return m.host or m
    pos = fig.span[0]
    nearest = min(assaults, key=lambda m: abs(m.char_span[0] - pos))
    return nearest.host or nearest


# ---- merging --------------------------------------------------------------------------


def _names(actors: Sequence[Actor]) -> set[str]:
    return {a.name for a in actors}


def places_agree(a: Location | None, b: Location | None) -> bool | None:
    """True/False when both are known, None when either is missing."""
    if a is None or b is None:
        return None
    if a.country and b.country and a.country != b.country:
        return False
    coarser = max(a.precision, b.precision, key=lambda p: PRECISION_RANK.get(p, 9))
    return haversine_km(a.lat, a.lon, b.lat, b.lon) <= MERGE_KM.get(
        coarser, 100.0
    ) or "country" in (a.precision, b.precision)


def dates_agree(a: DateInfo | None, b: DateInfo | None) -> bool | None:
    if a is None or b is None or a.start is None or b.start is None:
        return None
    a_end, b_end = a.end or a.start, b.end or b.start
    return a.start <= b_end and b.start <= a_end


def modes_agree(a: str | None, b: str | None) -> bool:
    if a is None or b is None or a == b:
        return True
    return {a, b} <= {"missile", "rocket", "drone"} or {a, b} <= {"airstrike", "missile"}


def _compatible(
    c: Cluster, m: Mention, info: MentionInfo, *, places: bool = True
) -> tuple[bool, int]:
    """Whether a mention can join a cluster, and how much positive evidence says it should.

    Any contradiction (type, modality, mode family, source, date, place) rules a merge out;
    agreement is weighted by how telling it is: an exact day or a precise place counts double,
    a shared country counts nothing. ``places=False`` lets the syntax overrule two places
    (the clause's own place is the more precise one; ``_absorb`` keeps it).
    """
    if c.type != m.type or c.modality != m.modality:
        return False, 0
    if not modes_agree(c.mode, info.mode):
        return False, 0
    score = 0
    if c.sources and info.sources:
        if not (_names(c.sources) & _names(info.sources)):
            return False, 0
        score += 1
    d = dates_agree(c.date, info.date)
    if d is False:
        return False, 0
    if d:
        both_days = (
            c.date is not None
            and info.date is not None
            and c.date.precision == info.date.precision == "day"
        )
        score += 2 if both_days else 1
    # a stand-in area is not the event's own place: it neither splits nor joins events
    p = places_agree(c.location if _located(c.location) else None,
                     info.location if _located(info.location) else None)
    if p is False and places:
        return False, 0
    if p and c.location is not None and info.location is not None:
        coarse = max(
            PRECISION_RANK.get(c.location.precision, 9),
            PRECISION_RANK.get(info.location.precision, 9),
        )
        score += 2 if coarse <= 1 else 1 if coarse < 5 else 0
    if c.targets and info.targets and _names(c.targets) & _names(info.targets):
        score += 1
    if any(x.lemma == m.lemma for x in c.mentions):
        score += 1
    return True, score


def _absorb(c: Cluster, m: Mention, info: MentionInfo) -> None:
    c.mentions.append(m)
    c.infos.append(info)
    for role in ("sources", "targets", "claimants"):
        have = getattr(c, role)
        for a in getattr(info, role):
            if a.name not in _names(have):
                have.append(a)
    if info.location and (c.location is None or _place_rank(info.location) < _place_rank(
            c.location)):
        c.location = info.location
    if info.date:
        if c.date is None:
            c.date = info.date
        else:
            better = DATE_RANK.get(info.date.precision, 9) < DATE_RANK.get(c.date.precision, 9)
            base, other = (info.date, c.date) if better else (c.date, info.date)
            if other.time and not base.time and dates_agree(base, other) is not False:
                base = merge_date_time(base, other) or base
            c.date = base
    if c.mode is None or (info.mode and info.mode != c.mode and m.instruments):
        c.mode = info.mode or c.mode
    c.casualties.extend(info.casualties)
    for tok in m.instruments:
        if tok.text.lower() not in c.instruments:
            c.instruments.append(tok.text.lower())


def _merge(
    ctx: ArticleContext, mentions: list[Mention], infos: dict[int, MentionInfo]
) -> list[Cluster]:
    clusters: list[Cluster] = []
    owner: dict[int, Cluster] = {}
    for m in mentions:
        info = infos[id(m)]
        if m.host is not None:
            continue
        if m.anaphoric and m.modality != "asserted":
            continue  # "cease these attacks": refers back, asserts nothing new
        target: Cluster | None = None
        if m.describes is not None and id(m.describes) in owner:
            told = owner[id(m.describes)]
            if _compatible(told, m, info, places=False)[0]:
                target = told
        if target is None:
            if m.anaphoric or m.possessive:
                target = _antecedent(clusters, m, info)
            elif (
                m.type == "ASSAULT"
                and m.modality == "asserted"
                and not info.sources
                and (
                    "casualty" in m.flags
                    or (not info.targets and not (info.date and info.date.start))
                )
            ):
                # "Three other soldiers were wounded", "the bombs began to explode": a toll or
                # a detail with no perpetrator or date of its own elaborates the latest
                # compatible attack; it is not a new event
                target = _toll_antecedent(ctx, clusters, m, info)
        if target is None:
            best: tuple[int, Cluster] | None = None
            for c in clusters:
                # a headline summarises the lead event: less agreement is needed to join it
                titled = in_title(ctx, m) or any(in_title(ctx, x) for x in c.mentions)
                need = 1 if m.anaphoric else 2 if titled else 3
                ok, score = _compatible(c, m, info)
                if ok and score >= need and (best is None or score > best[0]):
                    best = (score, c)
            target = best[1] if best else None
        if target is None:
            target = Cluster([], m.type, m.modality)
            clusters.append(target)
        _absorb(target, m, info)
        owner[id(m)] = target
    # hosted mentions (casualty verbs, "a strike hit ...") feed the event they describe
    for m in mentions:
        if m.host is None:
            continue
        host: Mention = m.host
        while host.host is not None and host.host is not host:
            host = host.host
        hosted = owner.get(id(host))
        if hosted is None:
            continue
        c = hosted
        info = infos[id(m)]
        c.casualties.extend(info.casualties)
        c.mentions.append(m)
        host_info = infos[id(host)]
        if info.casualties and host_info.attribution is None:
            host_info.attribution = info.attribution
        host_info.casualties.extend(info.casualties)
        for a in info.targets:
            if a.name not in _names(c.targets):
                c.targets.append(a)
        owner[id(m)] = c
    # "since the Oct. 7 offensive": the range starts on that event's date
    for m in mentions:
        if m.since is None or id(m) not in owner or id(m.since) not in owner:
            continue
        c, start_c = owner[id(m)], owner[id(m.since)]
        if start_c.date and start_c.date.start and ctx.article.published:
            c.date = DateInfo(
                start_c.date.start,
                ctx.article.published,
                "range",
                None,
                start_c.date.text,
                start_c.date.span,
            )
    _attach_outcomes(ctx, clusters)
    for c in clusters:
        c.attribution = _choose_attribution(c)
    for c in clusters:
        for m in c.mentions:
            for tok in m.claimants:
                actor = ctx.actor_for(m.para, tok, "claimant")
                if actor is not None and actor.name not in _names(c.claimants):
                    c.claimants.append(actor)
    return clusters


def _attach_outcomes(ctx: ArticleContext, clusters: list[Cluster]) -> None:
    """Interceptions and damage reports go to the latest asserted attack before them."""
    for para in ctx.parsed.paragraphs:
        if not para.parsed:
            continue  # outcomes are marked while reading parsed sentences
        for i, kind in para.doc.user_data.get("fp_outcomes", []):
            tok = para.doc[i]
            pos = para.start + tok.idx
            prior = [
                c
                for c in clusters
                if c.type == "ASSAULT"
                and c.modality == "asserted"
                and any(x.char_span[0] <= pos for x in c.mentions)
            ]
            if kind == "intercepted":
                prior = [c for c in prior if c.mode in {"missile", "rocket", "drone", None}]
            if not prior:
                continue
            latest = max(
                prior,
                key=lambda c: max(x.char_span[0] for x in c.mentions if x.char_span[0] <= pos),
            )
            if pos - max(x.char_span[0] for x in latest.mentions) > 1500:
                continue
            if kind == "intercepted":
                latest.intercepted = True
            elif latest.damage is None:
                s, e = para.offset(tok.sent)
                latest.damage = ctx.text[s:e].strip(' "“”')


def in_title(ctx: ArticleContext, m: Mention) -> bool:
    span = ctx.article.title_span
    return span is not None and span[0] <= m.char_span[0] < span[1]


GENERIC_LEMMAS = {"attack", "assault", "incident", "operation", "raid", "violence"}


def _antecedent(clusters: list[Cluster], m: Mention, info: MentionInfo) -> Cluster | None:
    """The earlier event a definite or possessive mention refers back to.

    "The retaliatory strikes" → the latest strikes; "the Hamas attack" → the latest event whose
    source is Hamas; a bare "the attack" → the latest compatible attack. A possessive ("their
    attacks") only refers back when an event of the same kind by the same actor came before.
    """
    pos = m.char_span[0]
    pool = [
        c
        for c in clusters
        if c.type == m.type
        and c.modality == "asserted"
        and _compatible(c, m, info)[0]
        and any(x.char_span[0] < pos for x in c.mentions)
    ]
    if info.sources:
        pool = [c for c in pool if _names(c.sources) & _names(info.sources)]
    same_lemma = [c for c in pool if any(x.lemma == m.lemma for x in c.mentions)]
    if (m.possessive and not m.anaphoric) or m.lemma not in GENERIC_LEMMAS:
        pool = same_lemma
    if not pool:
        return None
    return max(pool, key=lambda c: max(x.char_span[0] for x in c.mentions if x.char_span[0] < pos))


def _toll_antecedent(
    ctx: ArticleContext, clusters: list[Cluster], m: Mention, info: MentionInfo
) -> Cluster | None:
    pos = m.char_span[0]
    pool = [
        c
        for c in clusters
        if c.type == "ASSAULT"
        and c.modality == "asserted"
        and _compatible(c, m, info)[0]
        and any(0 < pos - x.char_span[0] <= 2500 for x in c.mentions)
    ]
    if not pool:
        return None
    return max(pool, key=lambda c: max(x.char_span[0] for x in c.mentions if x.char_span[0] < pos))


def _choose_attribution(c: Cluster) -> Attribution | None:
    """The source of the mention that says most: casualty figures, then a date or a place."""
    best: tuple[int, int, Attribution] | None = None
    for order, info in enumerate(c.infos):
        if info.attribution is None:
            continue
        weight = (
            3 * bool(info.casualties) + bool(info.date and info.date.start)
            + _located(info.location)
        )
        weight += bool(info.date and info.date.time)
        if best is None or weight > best[0]:
            best = (weight, -order, info.attribution)
    return best[2] if best else None


# ---- relations ------------------------------------------------------------------------


def _link(ctx: ArticleContext, clusters: list[Cluster]) -> None:
    owner = {id(m): c for c in clusters for m in c.mentions}
    for c in clusters:
        for m in c.mentions:
            for tok in m.sent:
                if tok.lemma_.lower() not in RESPONSE_CUES:
                    continue
                cue_sub = {t.i for t in tok.subtree}
                if m.trigger.i in cue_sub:
                    continue
                inner = [
                    owner[id(x)]
                    for x in (y for cc in clusters for y in cc.mentions)
                    if x.sent is m.sent and x.trigger.i in cue_sub and id(x) in owner
                ]
                for other in inner:
                    if other is not c and all(o is not other for o, _ in c.related):
                        c.related.append((other, "response_to"))
            if m.retaliatory:
                after = [
                    owner[id(x)]
                    for cc in clusters
                    for x in cc.mentions
                    if x.sent is m.sent
                    and x is not m
                    and owner.get(id(x)) is not c
                    and any(a.lower_ in {"after", "following"} for a in x.trigger.ancestors)
                ]
                prior = after or [
                    cc
                    for cc in clusters
                    if cc is not c
                    and cc.type == "ASSAULT"
                    and min(x.char_span[0] for x in cc.mentions) < m.char_span[0]
                    and not (_names(cc.sources) & _names(c.sources))
                ]
                if prior and all(o is not prior[-1] for o, _ in c.related):
                    c.related.append((prior[-1], "response_to"))


# ---- output ---------------------------------------------------------------------------


def _fuse_counts(
    figures: list[cas.CasualtyFigure], kind: str
) -> tuple[Count | None, cas.CasualtyFigure | None]:
    picked = [f for f in figures if f.kind == kind]
    if not picked:
        return None, None
    best = max(picked, key=lambda f: f.count.best or f.count.low or f.count.high or 0)
    return best.count, best


def _to_event(ctx: ArticleContext, c: Cluster) -> Event:
    art: Article = ctx.article
    first = min(c.mentions, key=lambda x: x.char_span[0])
    killed, kfig = _fuse_counts(c.casualties, "killed")
    injured, ifig = _fuse_counts(c.casualties, "injured")
    fig = kfig or ifig
    if not c.sources and c.claimants:
        # the group that claimed it is the best available perpetrator (ACLED practice)
        c.sources = [_with_role(a, "source") for a in c.claimants]
    actors = [
        *c.sources,
        *[_with_role(a, "target") for a in c.targets if a.name not in _names(c.sources)],
        *[_with_role(a, "claimant") for a in c.claimants],
    ]
    evidence: list[Evidence] = []
    seen: set[tuple[int, int]] = set()
    for m in sorted(c.mentions, key=lambda x: x.char_span[0]):
        s, e = m.sent_span
        if (s, e) not in seen:
            seen.add((s, e))
            evidence.append(Evidence(art.id, s, e, ctx.text[s:e]))
    filled = sum(bool(x) for x in (c.sources, c.targets, c.date)) + _located(c.location)
    confidence = min(
        0.95, 0.35 + 0.1 * filled + 0.05 * min(len(c.mentions), 3) + (0.05 if c.attribution else 0)
    )
    return Event(
        id=c.id,
        type=cast(EventType, c.type),
        mode=c.mode,
        modality=cast(Modality, c.modality),
        actors=actors,
        date=c.date,
        location=c.location,
        casualties=Casualties(
            killed, injured, fig.text if fig else None, fig.span if fig else None
        ),
        attribution=c.attribution or Attribution("unattributed"),
        related=[Related(o.id, cast(Relation, rel)) for o, rel in c.related],
        evidence=evidence,
        confidence=confidence,
        trigger=first.trigger.text,
        trigger_span=first.char_span,
        instruments=c.instruments,
        intercepted=c.intercepted,
        damage=c.damage,
    )


def _with_role(a: Actor, role: ActorRole) -> Actor:
    return Actor(
        role, a.text, a.name, a.country, a.kind, a.span, sponsor=a.sponsor, actor_id=a.actor_id
    )


def _quotes(ctx: ArticleContext) -> list[Quote]:
    out: list[Quote] = []
    for q in ctx.quotes:
        speaker = q.speaker
        actor = ctx.speaker_actor(speaker) if speaker else None
        phrase = speaker_phrase(speaker.token) if speaker and speaker.token is not None else None
        out.append(
            Quote(
                text=ctx.text[q.start : q.end],
                span=(q.start, q.end),
                speaker=phrase.text if phrase is not None else None,
                speaker_name=actor.name if actor else None,
                speaker_span=speaker.para.offset(phrase)
                if phrase is not None and speaker and speaker.para
                else None,
            )
        )
    return out
