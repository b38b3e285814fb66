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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..config import DEFAULT_MODELS
from ..errors import Errors, FlashpointError, Warnings
from ..types import Article

log = logging.getLogger(__name__)
_PARA_RE = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
# A paragraph longer than this (a text with no line breaks: a dump, a record whose paragraphs
# were joined) is parsed in pieces cut after sentence ends: spaCy refuses a text over
# ``nlp.max_length`` (1M characters), and per-doc work downstream grows with the doc's size.
# Real news paragraphs stay well under it.
MAX_PARAGRAPH_CHARS = 10_000
_SENTENCE_GAP = re.compile(r"(?<=[.!?…\"'”’»)\]])\s+")
_GAP = re.compile(r"\s+")


@dataclass(slots=True)
class Paragraph:
    """A parsed paragraph; ``start`` maps its token offsets back into ``Article.text``."""

    start: int
    doc: Doc

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
            return spacy.load(resolved)
        except OSError as err:
            package = resolved.replace("_", "-")
            raise FlashpointError(Errors.E030.format(name=resolved, package=package)) from err


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


def parse_articles(
    articles: Iterable[Article],
    nlp: Language | None = None,
    *,
    batch_size: int = 64,
    chunk: int = 16,
) -> Iterator[ParsedArticle]:
    """Parse lazily, pooling the paragraphs of ``chunk`` articles into one ``nlp.pipe`` stream."""
    nlp = nlp or load_model()
    stream = iter(articles)
    while group := list(islice(stream, chunk)):
        items = [(i, s, t) for i, a in enumerate(group) for s, t in split_paragraphs(a.text)]
        docs = nlp.pipe((t for _, _, t in items), batch_size=batch_size)
        per: list[list[Paragraph]] = [[] for _ in group]
        for (i, s, _), doc in zip(items, docs, strict=True):
            per[i].append(Paragraph(s, doc))
        yield from (ParsedArticle(a, p) for a, p in zip(group, per, strict=True))
