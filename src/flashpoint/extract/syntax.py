"""Small, pure helpers over spaCy's dependency parse, shared by the extraction modules."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Span, Token

# Left modifiers that belong to a noun phrase's surface text.
NP_LEFT = {
    "det",
    "amod",
    "compound",
    "poss",
    "nmod",
    "nummod",
    "quantmod",
    "case",
    "punct",
    "npadvmod",
    "advmod",
    "predet",
    "nn",
}
DETERMINERS = {"the", "a", "an", "these", "those", "this", "that", "its", "their", "his", "her"}
ANAPHORIC_DETS = {"the", "this", "that", "these", "those", "its", "their", "his", "her", "such"}
RELATIVE_PRONOUNS = {"which", "that", "who", "whom"}
PRONOUNS = {
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "him",
    "her",
    "them",
    "us",
    "me",
    "his",
    "its",
    "their",
    "our",
    "my",
    "your",
    "you",
}
# Verbs that lend their clause to an event noun: "carried out strikes", "will launch an attack".
SUPPORT_VERBS = {
    "begin",
    "carry",
    "come",
    "conduct",
    "continue",
    "escalate",
    "execute",
    "expand",
    "intensify",
    "launch",
    "make",
    "mount",
    "order",
    "perform",
    "resume",
    "stage",
    "step",
    "unleash",
    "wage",
}
# Nouns that name people or organisations able to act (used when NER misses the phrase).
ACTOR_NOUNS = {
    "force",
    "troop",
    "soldier",
    "army",
    "military",
    "militant",
    "militia",
    "group",
    "rebel",
    "insurgent",
    "fighter",
    "gunman",
    "gunmen",
    "police",
    "policeman",
    "officer",
    "government",
    "ministry",
    "minister",
    "president",
    "regime",
    "jet",
    "warplane",
    "navy",
    "guard",
    "unit",
    "brigade",
    "battalion",
    "command",
    "terrorist",
    "jihadist",
    "attacker",
    "assailant",
    "bomber",
    "sniper",
    "separatist",
    "extremist",
    "protester",
    "demonstrator",
    "civilian",
    "people",
    "resident",
    "villager",
    "worker",
    "child",
    "woman",
    "man",
    "student",
    "official",
    "leader",
    "commander",
    "personnel",
    "authority",
    "movement",
    "faction",
    "organisation",
    "organization",
    "coalition",
    "alliance",
    "ally",
    "state",
    "country",
    "nation",
    "administration",
    "spokesman",
    "spokesperson",
    "sponsor",
    "agency",
    "council",
    "court",
    "parliament",
    "party",
    "tribe",
    "clan",
    "settler",
    "crew",
    "sailor",
    "pilot",
    "journalist",
    "worshipper",
    "pilgrim",
    "refugee",
    "migrant",
    "patient",
    "staff",
    "member",
    "activist",
    "opposition",
    "national",
    "victim",
    "hostage",
    "prisoner",
    "detainee",
    "suspect",
    "cell",
    "network",
    "outfit",
    "youth",
    "family",
    "general",
    "colonel",
    "major",
    "captain",
    "lieutenant",
    "sergeant",
    "mayor",
    "governor",
    "chief",
    "judge",
    "lawmaker",
    "politician",
    "marine",
    "trooper",
    "guerrilla",
    "cleric",
    "imam",
    "priest",
    "teacher",
    "doctor",
    "nurse",
    "farmer",
    "shepherd",
    "fisherman",
    "diplomat",
    "thousands",
    "hundreds",
    "dozens",
    "scores",
    "crowd",
    "mob",
    "throng",
    "ambassador",
    "envoy",
    "mourner",
    "passenger",
    "driver",
}
# Places an attack can hit that are not themselves toponyms.
FACILITY_NOUNS = {
    "facility",
    "base",
    "airbase",
    "site",
    "position",
    "headquarters",
    "depot",
    "camp",
    "post",
    "checkpoint",
    "outpost",
    "installation",
    "compound",
    "building",
    "warehouse",
    "target",
    "infrastructure",
    "ship",
    "vessel",
    "tanker",
    "convoy",
    "vehicle",
    "hospital",
    "school",
    "mosque",
    "church",
    "market",
    "home",
    "house",
    "village",
    "town",
    "city",
    "port",
    "airport",
    "embassy",
    "office",
    "plant",
    "station",
    "bridge",
    "road",
    "stronghold",
    "hideout",
    "tunnel",
    "launcher",
    "asset",
    "bunker",
    "barracks",
    "garrison",
    "airfield",
    "center",
    "centre",
}


def is_pronoun(token: Token) -> bool:
    return token.pos_ == "PRON" or token.lower_ in PRONOUNS


def ent_of(token: Token) -> Span | None:
    """The entity the token is part of, read off the IOB tags around it (``doc.ents`` would
    build every entity of the doc on each call)."""
    if token.ent_iob_ not in {"B", "I"}:
        return None
    doc = token.doc
    start = token.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=token.ent_type_)


def noun_phrase(head: Token, *, with_appos: bool = True) -> tuple[int, int]:
    """Token range ``[start, end)`` of the phrase headed by ``head`` for display and lookup.

    Takes the left modifiers (determiners, adjectives, compounds, possessives) and a proper-noun
    apposition ("the group Kataib Hezbollah"), widened to cover any named entity it cuts, minus
    a leading determiner; clauses and prepositional phrases on the right stay out so that an
    actor's text is its name, not its description.
    """
    start = head.i
    for child in head.lefts:
        if child.dep_ in NP_LEFT and not (child.tag_ == "VBG" and child.dep_ == "amod"):
            start = min(start, child.left_edge.i)
    end = head.i + 1
    for child in head.rights:
        if child.dep_ in {"compound", "flat", "nummod"} and child.i == end:
            end = child.right_edge.i + 1
        elif with_appos and child.dep_ == "appos" and child.pos_ == "PROPN" and child.i <= end + 2:
            end = max(end, child.i + 1)
    ent = ent_of(head)
    if ent is not None:
        start, end = min(start, ent.start), max(end, ent.end)
    doc = head.doc
    while start < end - 1 and doc[start].is_punct:
        start += 1
    while end - 1 > start and doc[end - 1].is_punct:
        end -= 1
    return start, end


def conjuncts(token: Token) -> list[Token]:
    """The token and its coordinated siblings ("US and Coalition personnel")."""
    out = [token]
    out.extend(t for t in token.conjuncts if t.i > token.i)
    return out


def subtree_excluding(root: Token, blocked: set[int]) -> Iterator[Token]:
    """Depth-first subtree that does not enter nodes in ``blocked`` (other events' triggers)."""
    stack = [root]
    while stack:
        tok = stack.pop()
        yield tok
        for child in reversed(list(tok.children)):
            if child.i not in blocked:
                stack.append(child)


def ancestors_until(token: Token, stop: set[int] | None = None) -> Iterator[Token]:
    for anc in token.ancestors:
        if stop and anc.i in stop:
            return
        yield anc


def has_neg(token: Token) -> bool:
    return any(c.dep_ == "neg" for c in token.children)


def is_passive(token: Token) -> bool:
    return any(c.dep_ in {"auxpass", "nsubjpass"} for c in token.children) or (
        token.tag_ == "VBN" and token.dep_ in {"acl", "amod"}
    )


def prep_objects(token: Token, preps: set[str]) -> list[tuple[str, Token]]:
    """``(preposition, object)`` pairs for the token's prepositional children in ``preps``."""
    out: list[tuple[str, Token]] = []
    for child in token.children:
        if child.dep_ in {"prep", "agent"} and child.lower_ in preps:
            out.extend((child.lower_, obj) for obj in child.children if obj.dep_ == "pobj")
    return out
