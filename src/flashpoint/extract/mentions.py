"""Event mentions: triggers found in a sentence, with their arguments read off the parse.

A mention is one textual report of an event ("the US carried out strikes", "the attack was
claimed by ..."). It holds token-level evidence only; resolving names, places and dates, and
merging mentions of the same event, happen later (``assemble``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from ..nlp import Paragraph
from .lexicon import Lexicon, TriggerDef, load_lexicon, pattern_by_id, pattern_matcher
from .syntax import (
    ACTOR_NOUNS,
    ANAPHORIC_DETS,
    FACILITY_NOUNS,
    RELATIVE_PRONOUNS,
    SUPPORT_VERBS,
    conjuncts,
    ent_of,
    is_passive,
    is_pronoun,
    subtree_excluding,
)

CLAIM_VERBS = {"claim", "accept", "admit"}
TIME_NOUNS = {
    "time",
    "hour",
    "minute",
    "moment",
    "night",
    "morning",
    "evening",
    "afternoon",
    "dawn",
    "dusk",
    "noon",
    "midnight",
    "day",
    "week",
    "month",
    "year",
    "weekend",
    "period",
}
# A date on the speech verb that reports an event ("CENTCOM said Saturday that ...") dates it.
SPEECH_LEMMAS = {"say", "announce", "report", "state", "confirm", "tell", "add", "write", "claim"}
# Quantity heads that stand before the event noun: "dozens of attacks", "a series of strikes".
QUANTITY_HEADS = {
    "dozen",
    "dozens",
    "series",
    "number",
    "wave",
    "string",
    "spate",
    "hundreds",
    "scores",
    "couple",
    "barrage",
    "round",
    "flurry",
    "campaign",
    "thousands",
    "several",
}


def event_noun(tok: Token, by_token: dict[int, Mention]) -> Mention | None:
    """The mention ``tok`` names, looking through "dozens of" / "a series of"."""
    if tok.i in by_token:
        return by_token[tok.i]
    if tok.lemma_.lower() in QUANTITY_HEADS or tok.lower_ in QUANTITY_HEADS:
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for obj in prep.children:
                    if obj.i in by_token:
                        return by_token[obj.i]
    return None


OWNER_VERBS = {"use", "operate", "run", "control", "hold", "belong", "occupy", "house"}
TARGET_PREPS = {"on", "against", "at", "toward", "towards", "into", "upon"}
PLACE_PREPS = {
    "in",
    "near",
    "outside",
    "inside",
    "across",
    "around",
    "within",
    "throughout",
    "off",
    "over",
}
INSTRUMENT_PREPS = {"with", "using"}
SOURCE_PREPS = {"by", "from"}
PLACE_ENTS = {"GPE", "LOC", "FAC"}
ACTOR_ENTS = {"ORG", "NORP", "GPE", "PERSON"}
BLOCKING_ENTS = {"ORG", "WORK_OF_ART", "LAW", "PRODUCT", "EVENT", "PERSON", "FAC"}


@dataclass(slots=True)
class Mention:
    para: Paragraph
    sent: Span
    trigger: Token
    type: str
    mode: str | None
    flags: frozenset[str]
    pattern_modality: str | None = None
    pattern_end: int | None = None  # last token index of a multi-word pattern
    modality: str = "asserted"
    sources: list[Token] = field(default_factory=list)
    targets: list[Token] = field(default_factory=list)
    claimants: list[Token] = field(default_factory=list)
    places: list[Token] = field(default_factory=list)
    instruments: list[Token] = field(default_factory=list)
    dates: list[Span] = field(default_factory=list)
    since: Mention | None = None  # "since the Oct. 7 offensive": date range starts there
    host: Mention | None = None  # casualty verb or claim that describes another mention
    # the event noun whose relative clause this verb is: "an attack when Iran shot missiles",
    # "the raid, in which troops fired on ...": the same event, told with its arguments
    describes: Mention | None = None
    anaphoric: bool = False
    possessive: bool = False
    retaliatory: bool = False
    lemma: str = ""
    blocked: set[int] = field(default_factory=set)  # other triggers in the sentence
    # set by the learned coder (extract.coder): its mode, and whether it is sure of it
    coder_mode: str | None = None
    coder_mode_sure: bool = False  # its share of the type's probability reached mode_min

    @property
    def char_span(self) -> tuple[int, int]:
        return self.para.offset(self.trigger)

    @property
    def sent_span(self) -> tuple[int, int]:
        return self.para.offset(self.sent)

    def key(self) -> tuple[int, int]:
        return self.para.start, self.trigger.i


def is_weapon(token: Token, lex: Lexicon) -> bool:
    return lex.instrument_mode([token.lemma_.lower()], 0) is not None or (
        token.lemma_.lower() in {"munition", "projectile", "weapon", "barrage", "salvo"}
    )


def is_actorish(token: Token) -> bool:
    ent = ent_of(token)
    if ent is not None and ent.label_ in ACTOR_ENTS:
        return True
    if is_pronoun(token) and token.lower_ not in RELATIVE_PRONOUNS and token.lower_ != "it":
        return True
    return token.lemma_.lower() in ACTOR_NOUNS or token.lower_ in ACTOR_NOUNS


def noun_in(token: Token, words: set[str]) -> bool:
    """Lemma lookup that survives lemmatiser slips ("bases" → "basis")."""
    low = token.lower_
    return token.lemma_.lower() in words or low in words or low[:-1] in words or low[:-2] in words


def is_placeish(token: Token, toponym_heads: set[int]) -> bool:
    ent = ent_of(token)
    return (
        token.i in toponym_heads
        or (ent is not None and ent.label_ in PLACE_ENTS)
        or (token.pos_ in {"NOUN", "PROPN"} and noun_in(token, FACILITY_NOUNS))
    )


def _cancelled(token: Token, d: TriggerDef) -> bool:
    if token.i > token.doc[0].i and token.nbor(-1).lemma_.lower() in d.not_after:
        return True
    for child in token.children:
        if child.dep_ in {"compound", "amod"} and child.lemma_.lower() in d.not_after:
            return True
    if d.not_with:
        for child in token.children:
            if child.lemma_.lower() in d.not_with:
                return True
            if child.dep_ in {"dobj", "pobj", "prep"} and any(
                t.lemma_.lower() in d.not_with for t in child.subtree
            ):
                return True
    return "plural_only" in d.flags and token.tag_ != "NNS"


def _inside_name(token: Token) -> bool:
    ent = ent_of(token)
    return ent is not None and ent.label_ in BLOCKING_ENTS and len(ent) > 1


def root_mention(
    para: Paragraph, sent: Span, cues: frozenset[str], min_tokens: int = 6
) -> Mention | None:
    """The sentence's main verb as an untyped candidate, for a sentence the lexicon found
    nothing in: "fighters set up a base", "a crowd doused a thief with petrol" report events
    with no trigger word. Only the learned coder may type it (or drop it); the lexicon never
    sees it. A speech verb's reported clause stands in for it ("residents said X happened").
    The sentence must hold one of ``cues`` (words the coder's training sentences tie to an
    event code): most sentences of a news page report nothing, and encoding each costs.
    """
    if sum(1 for t in sent if t.is_alpha) < min_tokens:
        return None
    if not any(t.lower_ in cues for t in sent):
        return None
    root = sent.root
    if root.lemma_.lower() in SPEECH_LEMMAS:
        comps = [c for c in root.children if c.dep_ == "ccomp" and c.pos_ in {"VERB", "AUX"}]
        if not comps:
            return None
        root = comps[0]
    if root.pos_ != "VERB":
        return None
    return Mention(para, sent, root, "", None, frozenset({"root"}), lemma=root.lemma_.lower())


def find_mentions(para: Paragraph, sent: Span, lex: Lexicon | None = None) -> list[Mention]:
    """Trigger candidates in one sentence, before arguments are read."""
    lex = lex or load_lexicon()
    found: dict[int, Mention] = {}
    matcher = pattern_matcher(sent.doc.vocab)
    for match_id, start, end in matcher(sent.doc[sent.start : sent.end]):
        pdef = pattern_by_id(sent.doc.vocab.strings[match_id])
        window = sent.doc[sent.start + start : sent.start + end]
        if isinstance(pdef.trigger, str):
            tok = next((t for t in window if t.lemma_.lower() == pdef.trigger), window[0])
        else:
            tok = window[min(pdef.trigger, len(window) - 1)]
        if tok.i in found:
            continue
        found[tok.i] = Mention(
            para,
            sent,
            tok,
            pdef.type,
            pdef.mode,
            frozenset({"pattern"}),
            pattern_modality=pdef.modality,
            pattern_end=sent.start + end - 1,
            lemma=tok.lemma_.lower(),
        )
    for tok in sent:
        if tok.i in found or _inside_name(tok):
            continue
        if tok.tag_ == "VBG" and tok.dep_ in {"acl", "advcl", "xcomp"} and tok.lemma_ == "target":
            continue  # "militants ... targeting X" marks an argument, not a new event
        if (
            tok.pos_ == "NOUN"
            and tok.dep_ in {"compound", "amod"}
            and tok.head.pos_ in {"NOUN", "PROPN"}
        ):
            continue  # "riot police", "strike force", "attack helicopter": a modifier, not an event
        for d in lex.triggers_for(tok):
            if _cancelled(tok, d):
                continue
            found[tok.i] = Mention(para, sent, tok, d.type, d.mode, d.flags, lemma=d.lemma)
            break
    return [found[i] for i in sorted(found)]


def frame_roots(m: Mention) -> list[Token]:
    """Tokens whose dependents are this mention's arguments.

    A noun trigger lends itself the clause of a support verb ("the US *carried out* strikes on
    Tuesday", "bases *coming under* attack"), so that verb's subject, dates and places count.
    """
    t = m.trigger
    roots = [t]
    if t.pos_ in {"NOUN", "PROPN"}:
        slot = t
        # "launched a series of attacks": the quantity noun stands in the verb's slot
        if t.dep_ == "pobj" and t.head.lower_ == "of" and noun_in(t.head.head, QUANTITY_HEADS):
            slot = t.head.head
        head = slot.head
        if slot.dep_ in {"dobj", "nsubjpass"} and head.lemma_.lower() in SUPPORT_VERBS:
            roots.append(head)
        elif t.dep_ == "pobj" and head.lower_ == "under" and head.head.lemma_ in {"come", "be"}:
            roots.append(head.head)
    elif m.pattern_end is not None and t.lemma_ == "come":
        roots = [t]
    return roots


def _arg_heads(root: Token, dep: str) -> list[Token]:
    heads: list[Token] = []
    for child in root.children:
        if child.dep_ == dep:
            heads.extend(_through_quantity(c) for c in conjuncts(child))
    return heads


def _through_quantity(tok: Token) -> Token:
    """ "Hundreds of demonstrators" → demonstrators: the counted noun is the argument."""
    if noun_in(tok, QUANTITY_HEADS) or tok.like_num:
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for obj in prep.children:
                    if obj.dep_ == "pobj":
                        return obj
    return tok


def _prep_pairs(root: Token) -> list[tuple[str, Token]]:
    out: list[tuple[str, Token]] = []
    for child in root.children:
        if child.dep_ in {"prep", "agent"}:
            prep = child.lower_
            if prep == "according":
                continue
            for obj in child.children:
                if obj.dep_ == "pobj":
                    out.extend((prep, o) for o in conjuncts(obj))
                elif obj.dep_ == "prep":  # "on board of", "out of"
                    out.extend((prep, o) for o in obj.children if o.dep_ == "pobj")
    return out


def owners(noun: Token) -> list[Token]:
    """Who a targeted facility belongs to: "facilities used by X", "X's positions"."""
    out: list[Token] = []
    for child in noun.children:
        if child.dep_ == "poss" and is_actorish(child) and child.ent_type_ not in PLACE_ENTS:
            out.append(child)
        elif (
            child.dep_ == "compound"
            and child.ent_type_ in {"GPE", "ORG", "NORP"}
            and (ent_of(noun) is None or ent_of(child) != ent_of(noun))
        ):
            out.append(child)  # "US bases": the owner; "Iraq's base" is a location
        elif child.dep_ in {"acl", "relcl"} and child.lemma_.lower() in OWNER_VERBS:
            for gc in child.children:
                if gc.dep_ == "agent":
                    out.extend(o for ob in gc.children if ob.dep_ == "pobj" for o in conjuncts(ob))
                elif gc.dep_ == "dobj" and child.lemma_.lower() == "house":
                    out.extend(conjuncts(gc))
        elif child.dep_ == "prep" and child.lower_ in {"of", "belonging"}:
            out.extend(
                o
                for ob in child.children
                if ob.dep_ == "pobj"
                for o in conjuncts(ob)
                if is_actorish(o)
            )
    return [o for o in out if is_actorish(o)]


def read_arguments(
    m: Mention, blocked: set[int], toponym_heads: set[int], lex: Lexicon | None = None
) -> None:
    """Fill the mention's argument slots from the dependency parse, in place."""
    lex = lex or load_lexicon()
    t = m.trigger
    verbal = (t.pos_ in {"VERB", "AUX"} and not m.flags & {"pattern"}) or (
        "pattern" in m.flags and t.pos_ in {"VERB", "ADJ"} and t.lemma_ not in {"come", "open"}
    )
    passive = verbal and is_passive(t)
    others = blocked - {t.i}

    def nominal(tok: Token) -> bool:
        return (
            tok.pos_ in {"NOUN", "PROPN"}
            and tok.ent_type_ not in {"DATE", "TIME", "MONEY", "PERCENT", "ORDINAL", "CARDINAL"}
            and tok.lemma_.lower() not in TIME_NOUNS
        )

    def add_target(tok: Token) -> None:
        if is_weapon(tok, lex) and not noun_in(tok, ACTOR_NOUNS):
            m.instruments.append(tok)
        elif tok.i in toponym_heads or (
            is_placeish(tok, toponym_heads) and tok.ent_type_ not in {"ORG", "NORP", "PERSON"}
        ):
            m.places.append(tok)
            if ent_of(tok) is not None and ent_of(tok).label_ == "GPE":  # type: ignore[union-attr]
                m.targets.append(tok)
            m.targets.extend(owners(tok))
        elif is_actorish(tok) or nominal(tok):
            m.targets.append(tok)

    def add_source(tok: Token) -> None:
        if is_weapon(tok, lex):
            m.instruments.append(tok)  # "gunmen", "suicide bombers": a mode and an actor
            if tok.lemma_.lower() in ACTOR_NOUNS or tok.lower_ in ACTOR_NOUNS:
                m.sources.append(tok)
        elif tok.lower_ in RELATIVE_PRONOUNS:
            return
        elif is_actorish(tok) or (is_placeish(tok, toponym_heads) and ent_of(tok) is not None):
            m.sources.append(tok)

    for root in frame_roots(m):
        is_trigger = root.i == t.i
        root_passive = is_passive(root) if not is_trigger else passive
        root_verbal = root.pos_ in {"VERB", "AUX"} if not is_trigger else verbal
        if root_verbal:
            subjects = _arg_heads(root, "nsubj")
            if not subjects and root.dep_ in {"xcomp", "acomp", "conj", "advcl"}:
                subjects = _arg_heads(root.head, "nsubj")  # control: "we are prepared to act"
            if root.lemma_ == "come" and any(c.lower_ == "under" for c in root.children):
                # "bases coming under attack": the subject is what is attacked
                patients = subjects or ([root.head] if root.dep_ in {"acl", "relcl"} else [])
                for tok in patients:
                    if tok.i not in others:
                        add_target(tok)
                subjects = []
            for tok in subjects:
                if tok.i in others:
                    continue
                add_source(tok)
            for tok in _arg_heads(root, "dobj"):
                if tok.i in others or tok.i == t.i:
                    continue
                if "weapon_object" in m.flags and is_weapon(tok, lex):
                    m.instruments.append(tok)
                else:
                    add_target(tok)
            for tok in _arg_heads(root, "nsubjpass"):
                if tok.i in others or tok.i == t.i:
                    continue
                if root_passive:
                    add_target(tok)
        else:
            for child in root.children:
                if child.i in others:
                    continue
                named = ent_of(child)
                if child.dep_ == "poss" or (
                    child.dep_ in {"compound", "amod", "nmod"}
                    and (
                        (named is not None and named.label_ in {"ORG", "NORP", "GPE", "PERSON"})
                        or (named is None and child.pos_ == "PROPN")  # "IS attacks"
                    )
                ):
                    if ent_of(child) is not None and ent_of(child).label_ in {"LOC", "FAC"}:  # type: ignore[union-attr]
                        m.places.append(child)
                    elif is_weapon(child, lex):
                        m.instruments.append(child)
                    elif child.lower_ not in {"our", "my"} or child.dep_ == "poss":
                        m.sources.append(child)
                elif child.dep_ in {"compound", "amod"} and is_weapon(child, lex):
                    m.instruments.append(child)
                elif child.dep_ == "amod" and child.lemma_.lower() in {"retaliatory", "reprisal"}:
                    m.retaliatory = True
            if root.tag_ in {"NN", "NNS"}:
                det = [c for c in root.children if c.dep_ in {"det", "poss"}]
                if det and det[0].dep_ == "det" and det[0].lower_ in ANAPHORIC_DETS:
                    m.anaphoric = True
                elif det and det[0].dep_ == "poss" and det[0].pos_ == "PRON":
                    m.possessive = (
                        True  # "their attacks": anaphoric only if such attacks came before
                    )
        for prep, obj in _prep_pairs(root):
            if obj.i in others:
                if prep == "since":
                    m.since = None  # resolved by the caller, which knows the other mentions
                continue
            if prep in SOURCE_PREPS and (prep == "by" or not root_verbal):
                if prep == "by" and root_verbal and not root_passive:
                    if is_weapon(obj, lex):
                        m.instruments.append(obj)
                    continue
                add_source(obj)
            elif prep in TARGET_PREPS:
                if obj.ent_type_ in {"DATE", "TIME"}:
                    continue
                add_target(obj)
            elif prep in PLACE_PREPS:
                if is_placeish(obj, toponym_heads) or obj.ent_type_ in PLACE_ENTS:
                    m.places.append(obj)
                elif is_weapon(obj, lex):
                    m.instruments.append(obj)
            elif prep in INSTRUMENT_PREPS and is_weapon(obj, lex):
                m.instruments.append(obj)
        for child in root.children:
            if child.i in others:
                continue
            if child.dep_ in {"acl", "advcl", "xcomp"} and child.lemma_.lower() == "target":
                for obj in _arg_heads(child, "dobj"):
                    add_target(obj)
    # "militants in western Iraq targeting Al-Asad Airbase": a targeting clause anywhere in the
    # frame, and places inside the source phrase, as weaker evidence.
    for root in frame_roots(m):
        for tok in subtree_excluding(root, others):
            if (
                tok.dep_ in {"acl", "advcl", "relcl"}
                and tok.lemma_.lower() == "target"
                and tok.i != t.i
            ):
                for obj in _arg_heads(tok, "dobj"):
                    if obj not in m.targets and obj not in m.places:
                        add_target(obj)
    # "U.S. airstrikes hit ...", "Israeli drones struck ...": with no source named, the state
    # that the means belong to carried it out
    if not m.sources:
        for inst in m.instruments:
            for child in inst.children:
                if (
                    child.dep_ in {"amod", "compound", "nmod", "poss"}
                    and child.ent_type_ in {"GPE", "NORP"}
                    and child.i not in others
                ):
                    m.sources.append(child)
    _read_dates(m, others)


def _read_dates(m: Mention, others: set[int]) -> None:
    """Dates in the frame; failing that, on the verbs that govern it (``said Saturday that``)."""
    seen: set[int] = set()

    def add(tok: Token) -> None:
        ent = ent_of(tok)
        if ent is not None and ent.start not in seen:
            seen.add(ent.start)
            m.dates.append(ent)

    for root in frame_roots(m):
        for tok in subtree_excluding(root, others):
            if tok.ent_type_ in {"DATE", "TIME"} and tok.ent_iob_ == "B":
                add(tok)
    if any(d.label_ == "DATE" for d in m.dates):
        return
    for anc in m.trigger.ancestors:
        if anc.i in others:
            break
        if anc.lemma_.lower() not in SPEECH_LEMMAS:
            continue
        for child in anc.children:
            if child.i in others or child.i == m.trigger.i:
                continue
            if child.ent_type_ in {"DATE", "TIME"} and child.dep_ in {
                "npadvmod",
                "tmod",
                "prep",
                "pobj",
            }:
                add(child)
            elif child.dep_ == "prep" and child.lower_ in {"on", "in", "at"}:
                for obj in child.children:
                    if obj.ent_type_ in {"DATE", "TIME"}:
                        add(obj)
    if any(d.label_ == "DATE" for d in m.dates):
        return
    # Last resort: a date adverbial elsewhere in the sentence, outside other events' phrases
    # and not a noun modifier ("a Christmas market" dates nothing). A mention embedded in
    # another event's clause ("strikes on Tuesday ... amid attacks") borrows nothing from it.
    for anc in m.trigger.ancestors:
        if anc.i in others or any(
            c.i in others and c.dep_ in {"dobj", "nsubjpass"} for c in anc.children
        ):
            return
    for tok in subtree_excluding(m.sent.root, others):
        if tok.ent_type_ == "DATE" and tok.ent_iob_ == "B":
            ent = ent_of(tok)
            if (
                ent is None
                or ent.start in seen
                or ent.root.dep_ in {"compound", "amod", "nmod", "poss"}
            ):
                continue
            seen.add(ent.start)
            m.dates.append(ent)
            return


def since_target(m: Mention, by_token: dict[int, Mention]) -> Mention | None:
    """The mention named by a "since <event>" phrase in this mention's frame, if any."""
    for root in frame_roots(m):
        for tok in root.subtree:
            if tok.dep_ == "prep" and tok.lower_ == "since":
                for obj in tok.children:
                    if obj.dep_ == "pobj" and obj.i in by_token and obj.i != m.trigger.i:
                        return by_token[obj.i]
    return None


def casualty_host(m: Mention, by_token: dict[int, Mention]) -> Mention | None:
    """For "which has killed 25,500" or "killed in the Hamas attack": the event described."""
    t = m.trigger
    subj = [c for c in t.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if subj and subj[0].i in by_token and by_token[subj[0].i].type == "ASSAULT":
        return by_token[subj[0].i]
    if subj and subj[0].lower_ in RELATIVE_PRONOUNS and t.dep_ == "relcl":
        node: Token | None = t.head
        while node is not None:
            if node.i in by_token and node.i != t.i:
                return by_token[node.i]
            if node.head.i == node.i:
                break
            node = node.head
    if subj and subj[0].lower_ in {"it", "they"}:
        return None
    for prep, obj in _prep_pairs(t):
        if prep in {"in", "during", "by"} and obj.i in by_token:
            other = by_token[obj.i]
            if other.type == "ASSAULT" and other is not m:
                return other
    if t.dep_ in {"relcl", "acl"} and t.head.i in by_token:
        return by_token[t.head.i]
    if t.dep_ in {"advcl", "conj", "xcomp"} and not subj:
        # "launched a series of attacks, killing 130": the verb lends its clause to the attack
        for other in by_token.values():
            if other is not m and other.type == "ASSAULT" and t.head in frame_roots(other):
                return other
    return None


def claim_host(tok: Token, by_token: dict[int, Mention]) -> tuple[Mention | None, list[Token]]:
    """ "The attack was claimed by X" / "X claimed (responsibility for) the attack"."""
    lemma = tok.lemma_.lower()
    if lemma not in CLAIM_VERBS:
        return None, []
    claimants: list[Token] = []
    event: Mention | None = None
    for child in tok.children:
        if child.dep_ == "nsubj" and not is_passive(tok):
            claimants.extend(conjuncts(child))
        elif child.dep_ == "agent":
            claimants.extend(o for ob in child.children if ob.dep_ == "pobj" for o in conjuncts(ob))
        elif child.dep_ in {"nsubjpass", "dobj"} and event_noun(child, by_token):
            event = event_noun(child, by_token)
        elif child.dep_ == "dobj" and child.lemma_.lower() == "responsibility":
            for prep in child.children:
                if prep.dep_ == "prep" and prep.lower_ == "for":
                    for obj in prep.children:
                        event = event_noun(obj, by_token) or event
        elif child.dep_ == "prep" and child.lower_ == "for":
            for obj in child.children:
                event = event_noun(obj, by_token) or event
    if event is None:
        # "claimed they were responsible for the attack"
        for sub in tok.subtree:
            if sub.lemma_.lower() in {"responsible", "responsibility"}:
                for prep in sub.children:
                    if prep.dep_ == "prep" and prep.lower_ == "for":
                        for obj in prep.children:
                            event = event_noun(obj, by_token) or event
    if lemma in {"accept", "admit"} and event is None:
        return None, []
    if tok.dep_ == "relcl" and any(c.lower_ in RELATIVE_PRONOUNS for c in tok.children):
        antecedent = tok.head
        if antecedent.dep_ == "appos":  # "the Islamic Resistance in Iraq, a network ... which"
            antecedent = antecedent.head
        claimants = [antecedent]
    return event, [c for c in claimants if is_actorish(c)]
