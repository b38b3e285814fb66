"""The NLP stage: one spaCy model per process, paragraphs parsed in batches.

Paragraphs are parsed as separate docs and mapped back by offset. This keeps sentence boundaries
from crossing paragraph breaks (spaCy otherwise glues a headline to the lede), batches well with
``nlp.pipe``, and lets later stages skip paragraphs that cannot carry events.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Protocol

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..config import DEFAULT_MODELS
from ..errors import Errors, FlashpointError, Warnings
from ..types import Article
from .attributes import speed_up
from .lemmatizer import speed_up_lemmas

log = logging.getLogger(__name__)
_PARA_RE = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
# A paragraph longer than this (a text with no line breaks: a dump, a record whose paragraphs
# were joined) is parsed in pieces cut after sentence ends: spaCy refuses a text over
# ``nlp.max_length`` (1M characters), and per-doc work downstream grows with the doc's size.
# Real news paragraphs stay well under it.
MAX_PARAGRAPH_CHARS = 10_000
_SENTENCE_GAP = re.compile(r"(?<=[.!?…\"'”’»)\]])\s+")
_GAP = re.compile(r"\s+")
# A likely sentence end for gating: end punctuation (and closing quotes or brackets), space,
# then something that can start a sentence.
# A period that ends an abbreviation rather than a sentence: "U.S.", "9 p.m.", "Gen.", "Jan.".
# Missing a real end only makes a run longer.
_ABBREVIATION_END = re.compile(
    r"(?:\b[A-Za-z]|\b(?:[A-Za-z]\.)+[A-Za-z]|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Sgt|Capt|Maj|Adm|Cpl"
    r"|Pvt|Brig|Cmdr|St|Sen|Rep|Gov|Pres|Prof|Rev|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov"
    r"|Dec|No|Nos|Vol|Inc|Corp|Ltd|Co|Jr|Sr|vs|etc|approx|Ft|Mt|Ave|Blvd))\.[\"'”’)\]]*$"
)
_GATE_SENTENCE_GAP = re.compile(r"[.!?…][\"'”’)\]]*(\s+)(?=[\"'“‘(\[]*[A-Z0-9])")


@dataclass(slots=True)
class Paragraph:
    """A parsed paragraph (or a run of its sentences); ``start`` maps offsets into the text.

    ``parsed`` is False for a run the trigger gate let through with the tokenizer alone: its
    doc has tokens and one sentence but no tags, lemmas, parse or entities, and is only made
    when something reads it (most never are). ``entities`` is False for a parsed run that NER
    skipped: a quotation with no event word whose speaker, if any, is not named there
    ("..., he said").
    """

    start: int
    parsed_doc: Doc | None  # None: an unparsed run, tokenised on first use of ``doc``
    parsed: bool = True
    entities: bool = True
    # the run's text, kept: ``Doc.text`` rebuilds it from a Token object per token each time
    text: str = ""
    tokenizer: Language | None = None  # what tokenises an unparsed run

    def __post_init__(self) -> None:
        if not self.text and self.parsed_doc is not None:
            self.text = self.parsed_doc.text

    @property
    def doc(self) -> Doc:
        if self.parsed_doc is None:
            self.parsed_doc = _tokenized(self.tokenizer or load_model(), self.text)
        return self.parsed_doc

    def offset(self, token_or_span: Token | Span) -> tuple[int, int]:
        if isinstance(token_or_span, Token):
            b = token_or_span.idx
            return self.start + b, self.start + b + len(token_or_span.text)
        return self.start + token_or_span.start_char, self.start + token_or_span.end_char


@dataclass(slots=True)
class ParsedArticle:
    article: Article
    paragraphs: list[Paragraph]

    def sentences(self) -> Iterator[tuple[Paragraph, Span]]:
        for para in self.paragraphs:
            for sent in para.doc.sents:
                yield para, sent


def resolve_model_name(name: str | None = None) -> str:
    """The configured model, else the first installed default (official wheel preferred)."""
    if name:
        return name
    for candidate in DEFAULT_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            if candidate != DEFAULT_MODELS[0]:
                log.info(Warnings.W002.format(fallback=candidate, name=DEFAULT_MODELS[0]))
            return candidate
    return DEFAULT_MODELS[0]


@lru_cache(maxsize=4)
def load_model(name: str | None = None) -> Language:
    """Load once per process; the lemmatizer, tagger, parser and NER are all used downstream."""
    import spacy

    resolved = resolve_model_name(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            nlp = spacy.load(resolved)
        except OSError as err:
            package = resolved.replace("_", "-")
            raise FlashpointError(Errors.E030.format(name=resolved, package=package)) from err
    return speed_up_lemmas(speed_up(nlp))


def _pieces(start: int, text: str) -> Iterator[tuple[int, str]]:
    while len(text) > MAX_PARAGRAPH_CHARS:
        window = text[:MAX_PARAGRAPH_CHARS]
        gap = None
        for pattern in (_SENTENCE_GAP, _GAP):
            gap = next((m for m in reversed(list(pattern.finditer(window))) if m.start()), None)
            if gap is not None:
                break
        cut, resume = (gap.start(), gap.end()) if gap else (len(window), len(window))
        if text[:cut].strip():
            yield start, text[:cut]
        start, text = start + resume, text[resume:]
    if text.strip():
        yield start, text


def split_paragraphs(text: str) -> list[tuple[int, str]]:
    """(offset, text) of each paragraph; overlong ones come as several pieces."""
    return [
        piece
        for m in _PARA_RE.finditer(text)
        if m.group().strip()
        for piece in _pieces(m.start(), m.group())
    ]


class Gate(Protocol):
    """What the NLP stage needs of a trigger gate (``flashpoint.extract.gate.Gate``)."""

    @property
    def tags(self) -> Mapping[int, frozenset[int]]:
        """Empty when ``confirms`` has nothing to check (no tagging pass is then made)."""
        ...

    def __call__(self, text: str, /) -> str:
        """"event" (a trigger word: parse it all), "quote" (a quotation and nothing else:
        parse it for its speaker), or "" (neither: tokenise it only)."""
        ...

    def confirms(self, doc: Doc) -> bool:
        """After tagging an "event" run: whether it still may hold a trigger."""
        ...


def gated_pieces(start: int, text: str, gate: Gate) -> list[tuple[int, str, str]]:
    """(offset, text, need) runs of a paragraph's sentences, split where the gate's answer
    changes.

    Sentences are cut by punctuation alone (no model has run yet); a wrong cut only makes a
    run longer or shorter, and every run the gate passes is parsed whole.
    """
    cuts = [0]
    for m in _GATE_SENTENCE_GAP.finditer(text):
        if not _ABBREVIATION_END.search(text, 0, m.start(1)):
            cuts.extend((m.start(1), m.end(1)))
    cuts.append(len(text))
    runs: list[tuple[int, int, str]] = []
    quoting = False  # inside a quotation that spans sentences: parse it whole
    # A paragraph that quotes someone is parsed whole: the sentence naming the speaker ("Trump
    # tweeted before Election Day.") may stand between two quotations and hold no quote mark.
    floor = "quote" if not _QUOTE_MARKS.isdisjoint(text) else ""
    for a, b in zip(cuts[::2], cuts[1::2], strict=True):
        sentence = text[a:b]
        keep = gate(sentence) or ("quote" if quoting else floor)
        quoting = _still_quoting(quoting, sentence)
        if runs and (runs[-1][2] == keep or (runs[-1][2] and keep)):
            # a quotation next to an event sentence is parsed with it, whole: its speaker
            # and its words may be the event's
            runs[-1] = (runs[-1][0], b, "event" if "event" in (keep, runs[-1][2]) else keep)
        else:
            runs.append((a, b, keep))
    return [(start + a, text[a:b], keep) for a, b, keep in runs if text[a:b].strip()]


_QUOTE_MARKS = frozenset('"“”«»')
_OPENING_MARKS = frozenset("“«")


def _still_quoting(quoting: bool, sentence: str) -> bool:
    opened = sentence.count("“") - sentence.count("”")
    if opened:
        return opened > 0
    return quoting ^ (sentence.count('"') % 2 == 1)


def _names_outside_quotes(doc: Doc) -> bool:
    """Whether a proper noun stands outside the quotation marks: a speaker NER should name."""
    inside = False
    for tok in doc:
        if tok.text in _QUOTE_MARKS:
            inside = tok.text in _OPENING_MARKS or (tok.text == '"' and not inside)
        elif tok.pos_ == "PROPN" and not inside:
            return True
    return False


def _run(
    nlp: Language, items: Sequence[str | Doc], batch_size: int, names: Iterable[str]
) -> list[Doc]:
    """``items`` through the named components only, in pipeline order (a ``Doc`` keeps what
    earlier components gave it: the parser reads the tagger's shared ``doc.tensor``)."""
    if not items:
        return []
    wanted = [n for n in nlp.pipe_names if n in set(names)]
    with nlp.select_pipes(enable=wanted):
        return list(nlp.pipe(items, batch_size=batch_size))


def _parse(nlp: Language, texts: list[str], batch_size: int, *, entities: bool) -> list[Doc]:
    names = [n for n in nlp.pipe_names if entities or n != "ner"]
    return _run(nlp, texts, batch_size, names)


def _confirm(
    nlp: Language, gate: Gate, texts: list[str], quoted: list[bool], batch_size: int
) -> tuple[list[Doc], list[str]]:
    """Tag the runs the gate passed as "event" and look again (``Gate.confirms``): what holds
    no possible trigger goes on as a quotation (its paragraph quotes someone) or is left
    tokenised. Returns the docs and the need each now has; "" docs are only tagged."""
    if not gate.tags or "tagger" not in nlp.pipe_names:
        return _parse(nlp, texts, batch_size, entities=True), ["event"] * len(texts)
    first = nlp.pipe_names[: nlp.pipe_names.index("tagger") + 1]
    later = nlp.pipe_names[len(first):]
    docs = _run(nlp, texts, batch_size, first)
    needs = [
        "event" if gate.confirms(d) else "quote" if q else ""
        for d, q in zip(docs, quoted, strict=True)
    ]
    for need, names in (("event", later), ("quote", [n for n in later if n != "ner"])):
        picked = [d for d, n in zip(docs, needs, strict=True) if n == need]
        done = iter(_run(nlp, picked, batch_size, names))
        docs = [next(done) if n == need else d for d, n in zip(docs, needs, strict=True)]
    return docs, needs


def _tokenized(nlp: Language, text: str) -> Doc:
    """The run as one sentence. Marking the first two tokens is enough for spaCy (unset ones
    start no sentence), and touching every token would cost more than tokenising."""
    doc = nlp.make_doc(text)
    doc[0].is_sent_start = True
    if len(doc) > 1:
        doc[1].is_sent_start = False
    return doc


def parse_articles(
    articles: Iterable[Article],
    nlp: Language | None = None,
    *,
    batch_size: int = 64,
    chunk: int = 16,
    gate: Gate | None = None,
) -> Iterator[ParsedArticle]:
    """Parse lazily, pooling the paragraphs of ``chunk`` articles into ``nlp.pipe`` streams.

    With a ``gate`` (``flashpoint.extract.gate``), only runs of sentences it passes go
    through the model; the rest are tokenised, so offsets and text stay whole. Runs that
    are only quotations skip NER (half the model's cost) unless a name stands outside the
    quotation marks, where NER then runs on its own.
    """
    nlp = nlp or load_model()
    stream = iter(articles)
    while group := list(islice(stream, chunk)):
        items: list[tuple[int, int, str, str]] = []
        quoted: list[bool] = []  # per item: its paragraph quotes someone
        for i, a in enumerate(group):
            for s, t in split_paragraphs(a.text):
                if gate is None:
                    items.append((i, s, t, "event"))
                    quoted.append(False)
                    continue
                pieces = gated_pieces(s, t, gate)
                items.extend((i, *piece) for piece in pieces)
                quoted.extend([not _QUOTE_MARKS.isdisjoint(t)] * len(pieces))
        events = [k for k, (*_, need) in enumerate(items) if need == "event"]
        docs: dict[int, Doc] = {}
        if gate is None:
            docs.update(zip(events, _parse(nlp, [items[k][2] for k in events], batch_size,
                                           entities=True), strict=True))
        else:
            tagged, needs = _confirm(nlp, gate, [items[k][2] for k in events],
                                     [quoted[k] for k in events], batch_size)
            for k, doc, need in zip(events, tagged, needs, strict=True):
                items[k] = (*items[k][:3], need)
                if need:
                    docs[k] = doc
        asked = [k for k, (*_, need) in enumerate(items) if need == "quote" and k not in docs]
        docs.update(zip(asked, _parse(nlp, [items[k][2] for k in asked], batch_size,
                                      entities=False), strict=True))
        quotes = [docs[k] for k, (*_, need) in enumerate(items) if need == "quote"]
        named = [d for d in quotes if _names_outside_quotes(d)]
        if named and "ner" in nlp.pipe_names:
            ner = nlp.get_pipe("ner")
            list(ner.pipe(named, batch_size=batch_size))  # type: ignore[attr-defined]
        named_ids = {id(d) for d in named}
        per: list[list[Paragraph]] = [[] for _ in group]
        for k, (i, s, t, need) in enumerate(items):
            if need == "event":
                per[i].append(Paragraph(s, docs[k], text=t))
            elif need == "quote":
                per[i].append(Paragraph(s, docs[k], entities=id(docs[k]) in named_ids, text=t))
            else:
                per[i].append(
                    Paragraph(s, None, parsed=False, entities=False, text=t, tokenizer=nlp)
                )
        yield from (ParsedArticle(a, p) for a, p in zip(group, per, strict=True))
