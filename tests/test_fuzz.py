"""Bounded fuzzing: the reader, the cleaner and the extractor on hostile input never crash.

"Never crash" means: every input ends as a Document or a coded ``InputFailure``, every Document
as an Article or a documented ``InputError``/``SkipArticle``, and every Article as an Extraction
whose spans slice its text. Anything else (a ``UnicodeEncodeError``, an ``IndexError``...) is a
crash that would cost a batch. The example counts keep the whole file near a minute;
``FLASHPOINT_FUZZ_SCALE=20`` multiplies them for a longer local run.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashpoint.clean import clean
from flashpoint.errors import InputError
from flashpoint.extract import extract
from flashpoint.extract.casualties import find_casualties
from flashpoint.extract.numbers import count_starts, parse_count
from flashpoint.ingest import InputFailure, read_inputs
from flashpoint.nlp import parse_articles
from flashpoint.pipeline import Pipeline
from flashpoint.resolve.dates import find_dates, resolve_date
from flashpoint.types import Article, Document
from tests.test_properties import span_errors

SCALE = max(1, int(os.environ.get("FLASHPOINT_FUZZ_SCALE", "1")))


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    """The cleaner logs each fallback it takes; thousands of examples would flood the output."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


# Everything, surrogates and controls included: JSON escapes can produce any code point.
ANY_CHAR = st.characters(exclude_categories=())
SENTENCES = [
    "Gunmen attacked a police post in the town of Djibo on Sunday, killing six officers.",
    "At least 12 people were killed and dozens wounded, the ministry said on Tuesday.",
    "“We will respond,” the minister told reporters in Baghdad late on Jan. 24, 2024.",
    "Published January 24, 2024",
    "By Jane Doe | Reuters",
    "Share on Facebook",
    "© 2024 Example News. All rights reserved.",
    "Les autorités ont annoncé que trois personnes avaient été tuées.",
    "أعلن الجيش يوم الثلاثاء أن قواته دمرت ثلاث منشآت",
    "2005-2006", "between 10 and 20", "last week", "²", "١٢", "１２", "½",
]
TOKENS = [
    "&amp;", "&nbsp;", "&#0;", "&#xD800;", "&#99999999;", "&", "<", ">", "<<", "</", "<!--",
    "-->", "]]>", "\x00", "\ufeff", "\u202e", "\u200b", "\r\n", "\n\n", "\t", "\ud83d", "é",
    "\u0301", "\uffff",
]
TAGS = [
    "p", "div", "span", "a", "b", "script", "style", "title", "head", "body", "html", "article",
    "br", "meta", "h1", "table", "td", "li", "noscript", "svg", "template", "iframe", "time",
    "nav", "footer", "figure", "blockquote", "pre", "form", "!DOCTYPE html", "?xml", "!--",
]

leaf = st.one_of(
    st.sampled_from(SENTENCES), st.sampled_from(TOKENS), st.text(ANY_CHAR, max_size=12)
)
html_fragment = st.recursive(
    leaf,
    lambda kids: st.builds(
        lambda tag, attrs, inner, closed: f"<{tag}{attrs}>{''.join(inner)}"
        + (f"</{tag.split()[0]}>" if closed else ""),
        st.sampled_from(TAGS),
        st.sampled_from(["", " class='byline'", ' content="2024-01-24"', " x=", " =>", " '\""]),
        st.lists(kids, max_size=5),
        st.booleans(),
    ),
    max_leaves=40,
)
ENCODINGS = ["utf-8", "cp1252", "utf-16", "utf-16-be", "latin-1", "utf-8-sig"]


def _clean_all(items: list[Document | InputFailure]) -> list[Article]:
    out = []
    for item in items:
        if isinstance(item, InputFailure):
            assert item.code.startswith("E") and item.message, item
            continue
        try:
            out.append(clean(item))
        except InputError as err:  # SkipArticle included: documented outcomes
            assert err.code.startswith("E")
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@fuzz(1500)
@given(
    data=st.one_of(
        st.binary(max_size=3000),
        html_fragment.map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.lists(st.one_of(st.sampled_from(SENTENCES), st.binary(max_size=20).map(repr)),
                 max_size=8).map(lambda xs: json.dumps({"text": " ".join(xs)}).encode()),
    ),
    suffix=st.sampled_from([".txt", ".html", ".json", ".jsonl", ".html.gz", ".xhtml"]),
    prefix=st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"%PDF-", b"\x1f\x8b"]),
    cut=st.integers(0, 100),
)
def test_reader_and_cleaner_survive_random_files(
    folder: Path, data: bytes, suffix: str, prefix: bytes, cut: int
) -> None:
    data = prefix + data
    data = data[: max(1, len(data) * cut // 100)] if cut < 50 else data  # truncated half the time
    path = folder / f"input{suffix}"
    path.write_bytes(gzip.compress(data)[: len(data) + 30] if suffix.endswith(".gz") else data)
    _clean_all(list(read_inputs([str(path)])))


@fuzz(1200)
@given(page=html_fragment, encoding=st.sampled_from(ENCODINGS), as_text=st.booleans())
def test_cleaner_survives_hostile_html(page: str, encoding: str, as_text: bool) -> None:
    raw = page.encode(encoding, "replace")
    kind = "text" if as_text else "html"
    docs = [
        Document(source="fuzz.html", content=page, content_type=kind),  # type: ignore[arg-type]
        Document(source="fuzz.html", content=raw, content_type=kind),  # type: ignore[arg-type]
    ]
    for article in _clean_all(docs):  # type: ignore[arg-type]
        assert article.text and article.text == article.text.strip()
        assert article.text.encode("utf-8")  # no lone surrogates reach the Article
        if article.title_span:
            assert article.text[slice(*article.title_span)] == article.title


published_dates = st.none() | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
words = st.lists(
    st.one_of(st.sampled_from(SENTENCES), st.sampled_from(TOKENS), st.text(ANY_CHAR, max_size=6),
              st.sampled_from([" ", "\n", "\n\n", ". ", "“", "”", "killed", "on Tuesday"])),
    max_size=80,
).map(" ".join)


@fuzz(1200)
@given(text=st.one_of(st.text(ANY_CHAR, max_size=600), words), published=published_dates)
def test_pipeline_survives_random_text(pipeline: Pipeline, text: str, published: dt.date | None
                                       ) -> None:
    try:
        article = clean(Document(source="fuzz.txt", content=text, published=published))
    except InputError:
        return
    (parsed,) = parse_articles([article], pipeline.nlp)
    assert span_errors(extract(parsed)) == []


@fuzz(2000)
@given(text=st.one_of(st.text(ANY_CHAR, max_size=120), words), published=published_dates,
       data=st.data())
def test_date_and_number_readers_survive_random_text(
    text: str, published: dt.date | None, data: st.DataObject
) -> None:
    for span, info in find_dates(text, 0, len(text), published):
        assert text[span[0]:span[1]] == info.text
    if text:
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        resolve_date(text, (start, end), published)
    parse_count(text)
    count_starts(text)
    for figure in find_casualties(text, 0, len(text)):
        assert text[figure.span[0]:figure.span[1]] == figure.text
