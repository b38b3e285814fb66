"""Who says so: reporting verbs, "according to", claims, and direct quotes with speakers.

Attribution is read per mention by climbing from the trigger to a governing speech verb; a
trigger inside a quotation takes the quotation's speaker. Quotes carry over to the next
paragraph when it is a bare continuation (wire style: a speaker named once, quoted twice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span, Token

from ..nlp import Paragraph, ParsedArticle
from .syntax import conjuncts, ent_of, is_pronoun

SPEECH_VERBS = {
    "say",
    "tell",
    "state",
    "announce",
    "confirm",
    "add",
    "write",
    "post",
    "report",
    "claim",
    "allege",
    "insist",
    "declare",
    "note",
    "stress",
    "warn",
    "tweet",
    "explain",
    "accuse",
}
REPORT_FORMS = {"says", "report", "reported", "reports", "reporting"}
_QUOTE_RE = re.compile(r"“[^”]{2,}”|\"[^\"\n]{2,}\"")


@dataclass(slots=True)
class Speaker:
    """A speech act: who spoke (a token in some paragraph), how, and where."""

    kind: str  # statement | claim | report
    token: Token | None
    para: Paragraph | None
    verb_span: tuple[int, int] | None


@dataclass(slots=True)
class QuoteSpan:
    start: int
    end: int
    speaker: Speaker | None


def _speech_kind(verb: Token) -> str:
    lemma = verb.lemma_.lower()
    if lemma in {"claim", "allege"}:
        return "claim"
    if verb.lower_ in REPORT_FORMS or lemma == "report" or verb.tag_ in {"VBZ", "VBP"}:
        return "report"  # "X says", "Houthis say": reported, not a formal statement
    return "statement"


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            return child
    return None


def speaker_for(token: Token, para: Paragraph) -> Speaker | None:
    """The speech act governing ``token`` in its sentence, if any."""
    # "according to X" anywhere in the sentence
    for tok in token.sent:
        if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.nbor(1).lower_ == "to":
            objs = [c for c in tok.nbor(1).children if c.dep_ == "pobj"] or [
                c for c in tok.children if c.dep_ == "prep" for c in c.children if c.dep_ == "pobj"
            ]
            if objs:
                return Speaker("report", objs[0], para, para.offset(tok))
    for anc in [token, *token.ancestors]:
        if anc.pos_ == "VERB" and anc.lemma_.lower() in SPEECH_VERBS and anc.i != token.i:
            subj = _subject(anc)
            if subj is not None and subj.dep_ == "nsubjpass":
                # "the attack was claimed by X": the speaker is the agent, never the event
                agents = [
                    o
                    for c in anc.children
                    if c.dep_ == "agent"
                    for o in c.children
                    if o.dep_ == "pobj"
                ]
                subj = agents[0] if agents else None
            if subj is not None and subj.lower_ not in {"that", "which"} and subj.i != token.i:
                return Speaker(_speech_kind(anc), subj, para, para.offset(anc))
    return None


def find_quotes(parsed: ParsedArticle) -> list[QuoteSpan]:
    """Direct quotes with their speakers, in text order."""
    out: list[QuoteSpan] = []
    prev_para_speaker: Speaker | None = None
    for para in parsed.paragraphs:
        text = para.text
        para_quotes: list[QuoteSpan] = []
        for match in _QUOTE_RE.finditer(text):
            q_start, q_end = match.start(), match.end()
            speaker = _quote_speaker(para, q_start, q_end)
            para_quotes.append(QuoteSpan(para.start + q_start, para.start + q_end, speaker))
        if not para_quotes and text.lstrip().startswith(("“", '"')):
            # an opening quote without a close: wire-style continuation
            para_quotes.append(QuoteSpan(para.start, para.start + len(text), None))
        for q in para_quotes:
            if q.speaker is None and prev_para_speaker is not None:
                covers = (q.end - q.start) >= 0.8 * len(text.strip())
                if covers:
                    q.speaker = prev_para_speaker
        out.extend(para_quotes)
        spoken = [q.speaker for q in para_quotes if q.speaker is not None]
        prev_para_speaker = spoken[-1] if spoken else None
    return out


def _quote_speaker(para: Paragraph, q_start: int, q_end: int) -> Speaker | None:
    doc = para.doc
    best: Speaker | None = None
    for sent in doc.sents:
        if sent.end_char < q_start - 1 or sent.start_char > q_end + 200:
            continue
        for tok in sent:
            if q_start <= tok.idx < q_end:
                continue
            if tok.pos_ == "VERB" and tok.lemma_.lower() in SPEECH_VERBS:
                subj = _subject(tok)
                if subj is not None and not (q_start <= subj.idx < q_end):
                    cand = Speaker(_speech_kind(tok), subj, para, para.offset(tok))
                    if best is None or tok.idx >= q_end:
                        best = cand
                        if tok.idx >= q_end:
                            return best
    return best


def speaker_phrase(token: Token) -> Span:
    """The speaker's name as written: the entity or compound phrase around the subject.

    A pronoun is its own phrase, whatever NER glued to it (a mis-tagged entity can swallow it).
    """
    if is_pronoun(token):
        return token.doc[token.i : token.i + 1]
    ent = ent_of(token)
    if ent is not None:
        start, end = ent.start, ent.end
    else:
        start = min(
            [c.left_edge.i for c in token.lefts if c.dep_ in {"compound", "amod", "poss", "nmod"}]
            + [token.i]
        )
        end = token.i + 1
    doc = token.doc
    while start < end - 1 and doc[start].lower_ in {"the", "a", "an"}:
        start += 1
    return doc[start:end]


def speaker_tokens(token: Token) -> list[Token]:
    return conjuncts(token) if not is_pronoun(token) else [token]
