"""Span bookkeeping over the real pipeline, on articles composed from real news sentences.

Every offset the pipeline reports (evidence, actors, trigger, date, place, casualties,
attribution, quotes, headline) indexes into ``Article.text``; if one drifts by a character the
evidence shown to an analyst no longer matches the event. Hypothesis recombines sentences of the
example article and of WikiEvents with the whitespace, paragraph breaks, quotes and markup real
pages have, and checks every span of whatever comes out.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashpoint.clean import clean
from flashpoint.errors import SkipArticle
from flashpoint.extract import extract
from flashpoint.nlp import MAX_PARAGRAPH_CHARS, parse_articles, split_paragraphs
from flashpoint.pipeline import Pipeline
from flashpoint.types import Document, Extraction, Span
from tests.conftest import DATA, EXAMPLE, need

pytestmark = pytest.mark.corpus

_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[“\"A-Z0-9])")
INNER_SPACE = [" ", " ", " ", "  ", "\t", " \u00a0", "\n", " \u200b"]
PARAGRAPH_BREAK = ["\n\n", "\n\n", "\n \n", "\r\n\r\n", "\n\n\n", "\n\t\n"]
QUOTES = [("", ""), ("", ""), ("“", "”"), ('"', '"'), ("‘", "’"), ("He said: “", "”")]


@lru_cache(maxsize=1)
def sentence_pool() -> tuple[str, ...]:
    """Real English news sentences: the example article's body and WikiEvents' sentences."""
    example = need(EXAMPLE).read_text(encoding="utf-8")
    pool = [s for line in example.splitlines() if len(line.split()) >= 8
            for s in _SENTENCE_END.split(line.strip())]
    for line in need(DATA / "wikievents" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        pool += [s[1].strip() for s in json.loads(line)["sentences"] if len(s[1].split()) >= 4]
    return tuple(dict.fromkeys(pool))


@st.composite
def articles(draw: st.DrawFn) -> Document:
    pool = sentence_pool()
    pick = st.integers(0, len(pool) - 1)
    paragraphs = []
    for _ in range(draw(st.integers(1, 6))):
        parts = []
        for i in range(draw(st.integers(1, 4))):
            opening, closing = draw(st.sampled_from(QUOTES))
            parts.append(f"{opening}{pool[draw(pick)]}{closing}")
            if i:
                parts[-1] = draw(st.sampled_from(INNER_SPACE)) + parts[-1]
        paragraphs.append("".join(parts))
    headline = pool[draw(pick)].rstrip(".") if draw(st.booleans()) else None
    published = draw(st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))
    if draw(st.booleans()):
        body = "".join(f"<p>{html.escape(p, quote=False)}</p>\n" for p in paragraphs)
        head = f"<title>{html.escape(headline)}</title>" if headline else ""
        content = f"<html><head>{head}</head><body><article>{body}</article></body></html>"
        return Document(source="composed.html", content=content, content_type="html",
                        published=published)
    text = ""
    for p in paragraphs:
        text += (draw(st.sampled_from(PARAGRAPH_BREAK)) if text else "") + p
    lead = draw(st.sampled_from(["", " ", "\n", "\ufeff"]))
    return Document(source="composed.txt", content=lead + text + draw(st.sampled_from(["", "\n"])),
                    title=headline, published=published)


def span_errors(ex: Extraction) -> list[tuple[str, Span, str | None, str]]:
    """Each reported span whose slice of the article text is not the text reported with it."""
    text = ex.article.text
    bad: list[tuple[str, Span, str | None, str]] = []

    def check(kind: str, span: Span | None, reported: str | None) -> None:
        if span is None:
            return
        start, end = span
        got = text[start:end] if 0 <= start <= end <= len(text) else "<out of range>"
        if got != reported or start == end:
            bad.append((kind, span, reported, got))

    check("title", ex.article.title_span, ex.article.title)
    for event in ex.events:
        assert event.evidence, event
        for ev in event.evidence:
            check("evidence", (ev.start, ev.end), ev.sentence)
        for actor in event.actors:
            check("actor", actor.span, actor.text)
        check("trigger", event.trigger_span, event.trigger)
        if event.date is not None:
            check("date", event.date.span, event.date.text)
        if event.location is not None:
            check("location", event.location.span, event.location.text)
        check("casualties", event.casualties.span, event.casualties.text)
        check("attribution", event.attribution.span, event.attribution.text)
    for quote in ex.quotes:
        check("quote", quote.span, quote.text)
        check("speaker", quote.speaker_span, quote.speaker)
    return bad


def _extract(pipeline: Pipeline, doc: Document) -> Extraction | None:
    """The pipeline's stages called directly, so that any exception surfaces here."""
    try:
        article = clean(doc)
    except SkipArticle:
        return None
    (parsed,) = parse_articles([article], pipeline.nlp)
    return extract(parsed)


def test_the_example_and_wikievents_keep_their_spans(pipeline: Pipeline) -> None:
    docs = [Document(source=str(EXAMPLE), content=need(EXAMPLE).read_text(encoding="utf-8"))]
    for line in need(DATA / "wikievents" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        docs.append(Document(source=record["doc_id"], content=record["text"]))
    events = 0
    for doc in docs:
        ex = _extract(pipeline, doc)
        assert ex is not None, doc.source
        assert span_errors(ex) == [], doc.source
        events += len(ex.events)
    assert events > 100


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=articles())
def test_composed_articles_keep_every_span(pipeline: Pipeline, doc: Document) -> None:
    ex = _extract(pipeline, doc)
    if ex is None:
        return  # a documented skip (e.g. only short lines): allowed, never an exception
    assert ex.article.text == ex.article.text.strip()
    assert span_errors(ex) == []
    for event in ex.events:
        for ev in event.evidence:
            # evidence is a whole sentence of one paragraph, never straddling a break
            assert "\n" not in ev.sentence and ev.sentence == ev.sentence.strip()


@st.composite
def long_texts(draw: st.DrawFn) -> str:
    """Paragraphs up to several times the parser's piece size, some without any space."""
    pool = sentence_pool()
    out = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["sentences", "sentences", "no-space", "short"]))
        if kind == "no-space":
            out.append("x" * draw(st.integers(1, 3 * MAX_PARAGRAPH_CHARS)))
            continue
        n = draw(st.integers(1, 12 if kind == "short" else 400))
        gaps = st.sampled_from([" ", " ", "  ", "\n", " \t"])
        out.append("".join(pool[draw(st.integers(0, len(pool) - 1))] + draw(gaps)
                           for _ in range(n)))
    return "\n\n".join(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.data_too_large])
@given(text=long_texts())
def test_paragraph_pieces_tile_the_text(text: str) -> None:
    pieces = split_paragraphs(text)
    cursor = 0
    for start, piece in pieces:
        assert start >= cursor and text[start : start + len(piece)] == piece
        assert 0 < len(piece) <= MAX_PARAGRAPH_CHARS and piece.strip()
        assert not text[cursor:start].strip()  # only whitespace falls between pieces
        cursor = start + len(piece)
    kept = "".join(piece for _, piece in pieces)
    assert "".join(kept.split()) == "".join(text.split())  # no visible character lost
