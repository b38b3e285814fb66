"""Document → Article: clean body, headline first, metadata, language gate, stable id.

The text built here is the reference for every span downstream, so it is assembled once, in its
final form: headline (when known) as the first paragraph, then body paragraphs, each on one
line with single spaces, separated by blank lines. Nothing later may rewrite it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from pathlib import PurePath
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import Errors, SkipArticle, Warnings
from ..ingest.decode import decode_bytes
from ..ingest.names import printable
from ..types import Article, Document
from .html import extract_html
from .lang import guess_language
from .meta import date_from_name, date_from_url, publisher_from_host
from .text import clean_text_page, normalise_space, same_text

log = logging.getLogger(__name__)

PARAGRAPH_SEP = "\n\n"
# A publication date more than this many days after today (UTC) is not one: placeholders such
# as 9999-12-31 in feeds, typos, embargo dates. Two days absorb time zones and clock skew.
FUTURE_SLACK_DAYS = 2
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|smid|ref|src)$", re.I)


def normalise_url(url: str) -> str:
    """The URL with case-insensitive parts lowered and tracking parameters and fragment gone."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)])
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def article_id(url: str | None, text: str) -> str:
    """16 hex digits of SHA-256 over the normalised URL, or over the text when there is none."""
    key = normalise_url(url) if url else text
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _slug(doc: Document) -> str:
    if doc.url:
        return urlsplit(doc.url).path.rstrip("/").rsplit("/", 1)[-1]
    return PurePath(doc.source.split(":", 1)[0] if "://" not in doc.source else doc.source).stem


def publication_date(
    source: str, candidates: tuple[dt.date | None, ...], today: dt.date | None = None
) -> dt.date | None:
    """The first candidate that is not in the future; each one that is is dropped with W004.

    Relative dates in the text ("on Monday") are resolved against it, so a date of 9999-12-31
    would date every event of the article in the year 9999.
    """
    latest = (today or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=FUTURE_SLACK_DAYS)
    for date in candidates:
        if date is None:
            continue
        if date <= latest:
            return date
        log.warning(Warnings.W004.format(date=date, source=printable(source), latest=latest))
    return None


def _check_language(doc: Document, body: str) -> str | None:
    guess = guess_language(body)
    if doc.language:
        if doc.language != "en":
            raise SkipArticle(Errors.E021.format(lang=doc.language, source=doc.source))
        return "en"
    if guess.code and guess.code != "en":
        raise SkipArticle(Errors.E021.format(lang=guess.code, source=doc.source))
    if guess.unknown_prose():
        raise SkipArticle(Errors.E021.format(lang="unknown", source=doc.source))
    return guess.code


def clean(doc: Document, *, english_only: bool = True) -> Article:
    """Clean one Document into an Article.

    Raises ``SkipArticle`` with E020 when no article text is left, E021 when the article is not
    in English (unless ``english_only`` is False, as for the body-extraction benchmark).
    """
    content = doc.content
    if isinstance(content, bytes):
        content = decode_bytes(content, doc.source)
    url = doc.url
    if doc.content_type == "html":
        page = extract_html(content, url=doc.url, source=doc.source)
        paragraphs, title, publisher, published = (
            page.paragraphs,
            page.title,
            page.publisher,
            page.published,
        )
        url = doc.url or page.url
    else:
        text_page = clean_text_page(content, title=doc.title, slug=_slug(doc))
        paragraphs, title, published = text_page.paragraphs, text_page.title, text_page.published
        publisher = text_page.publisher or text_page.credit or publisher_from_host(url)
    title = normalise_space(doc.title) if doc.title else title
    while paragraphs and title and same_text(paragraphs[0], title):
        paragraphs = paragraphs[1:]
    if not paragraphs:
        raise SkipArticle(Errors.E020.format(source=doc.source))
    language = (
        _check_language(doc, "\n".join(paragraphs))
        if english_only
        else doc.language or guess_language("\n".join(paragraphs)).code
    )
    parts = [title, *paragraphs] if title else paragraphs
    text = PARAGRAPH_SEP.join(parts)
    return Article(
        id=doc.id or article_id(url, text),
        text=text,
        source=doc.source,
        url=url,
        title=title or None,
        publisher=doc.publisher or publisher,
        published=publication_date(
            doc.source,
            (doc.published, published, date_from_url(url), date_from_name(doc.source)),
        ),
        language=language,
        title_span=(0, len(title)) if title else None,
    )
