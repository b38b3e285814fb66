"""Whether a mention asserts that an event happened.

Only the verb chain that governs the trigger decides: a noun trigger is presupposed ("halt its
onslaught" still reports an onslaught) unless it is negated itself ("no attacks") or lent a
clause by a support verb ("will launch an attack").
"""

from __future__ import annotations

from spacy.tokens import Token

from .syntax import SUPPORT_VERBS, has_neg

FUTURE_AUX = {"will", "shall", "'ll", "wo"}
HYPOTHETICAL_AUX = {"would", "could", "might", "may", "should", "can", "must"}
INTENT_VERBS = {
    "plan",
    "seek",
    "intend",
    "aim",
    "want",
    "prepare",
    "hope",
    "pledge",
    "promise",
    "expect",
    "try",
    "attempt",
    "consider",
    "propose",
    "decide",
    "vow",
    "mull",
    "weigh",
    "need",
}
THREAT_VERBS = {"threaten", "warn"}
HOPE_VERBS = {"hope", "want", "wish", "expect", "allow", "permit", "seek", "aim", "plan", "intend"}
# Words whose object event has not (yet) happened: "called for protests", "a ban on rallies".
CALLING_WORDS = {
    "call",
    "plan",
    "demand",
    "appeal",
    "urge",
    "proposal",
    "propose",
    "prepare",
    "threat",
    "threaten",
    "vow",
    "pledge",
    "warn",
    "warning",
    "order",
}
BANNING_WORDS = {"ban", "prohibit", "prohibition", "outlaw", "forbid", "prevent", "avert", "deter"}
DENY_VERBS = {"deny", "dismiss", "refute"}
# Verbs that pass their complement through unchanged ("said the strikes hit ...").
REPORT_VERBS = {
    "say",
    "tell",
    "report",
    "claim",
    "state",
    "announce",
    "confirm",
    "add",
    "write",
    "believe",
    "allege",
    "note",
    "insist",
    "show",
    "indicate",
    "suggest",
    "reveal",
    "acknowledge",
    "know",
}


def _verb_modality(verb: Token) -> str | None:
    if has_neg(verb):
        return "negated"
    for child in verb.children:
        if child.dep_ in {"aux", "auxpass"}:
            word = child.lower_
            if word in FUTURE_AUX:
                return "future"
            if word in HYPOTHETICAL_AUX:
                return "hypothetical"
        if child.dep_ == "mark" and child.lower_ in {"if", "unless", "whether"}:
            return "hypothetical"
    if verb.lemma_ == "go" and any(c.dep_ == "xcomp" for c in verb.children):
        return "future"
    return None


def modality(trigger: Token, pattern_modality: str | None = None) -> str:
    if pattern_modality:
        return pattern_modality
    node = trigger
    if trigger.pos_ in {"NOUN", "PROPN"}:
        if any(c.dep_ == "det" and c.lower_ in {"no"} for c in trigger.children) or has_neg(
            trigger
        ):
            return "negated"
        head = trigger.head
        governor = head.head if trigger.dep_ == "pobj" and head.dep_ == "prep" else head
        glemma = governor.lemma_.lower()
        if trigger.dep_ in {"pobj", "dobj"} and glemma in BANNING_WORDS:
            return "hypothetical"  # "a ban on protests": none took place
        if trigger.dep_ in {"pobj", "dobj"} and glemma in CALLING_WORDS:
            return "future"  # "called for protests", "plans for an offensive"
        if trigger.dep_ in {"dobj", "nsubjpass", "pobj"} and head.lemma_.lower() in SUPPORT_VERBS:
            node = head if trigger.dep_ != "pobj" else head.head
        else:
            verb = next((a for a in trigger.ancestors if a.pos_ in {"VERB", "AUX"}), None)
            # "hoped the swap would pave the way for talks": talks are not yet held (objects
            # only: a subject, "their attacks aim to ...", is presupposed)
            if (
                verb is not None
                and trigger.dep_ in {"dobj", "pobj", "attr"}
                and (verb.lemma_.lower() in HOPE_VERBS or _verb_modality(verb) == "hypothetical")
            ):
                return "hypothetical"
            return "asserted"
    found = _verb_modality(node)
    if found:
        return found
    # Climb complements: "seek to escalate", "threatened to strike", "denied attacking".
    while (
        node.dep_ in {"xcomp", "ccomp", "advcl", "pcomp", "csubj", "csubjpass"}
        and node.head.i != node.i
    ):
        if node.head.lemma_.lower() in BANNING_WORDS | {"prohibited", "forbidden"}:
            return "hypothetical"  # "attacking churches is prohibited"
        if node.dep_ == "advcl" and not any(
            c.dep_ == "mark" and c.lower_ in {"if", "unless"} for c in node.children
        ):
            break
        head = node.head
        lemma = head.lemma_.lower()
        if lemma in THREAT_VERBS:
            return "threat"
        if lemma in DENY_VERBS:
            return "denied"
        if lemma in INTENT_VERBS:
            return "negated" if has_neg(head) else "future"
        if lemma in REPORT_VERBS:
            inner = _verb_modality(head)
            if inner == "negated" and lemma in {"say", "claim", "confirm"}:
                return "hypothetical"
        elif node.dep_ == "xcomp":
            inner = _verb_modality(head)
            if inner:
                return inner
        node = head
    return "asserted"
