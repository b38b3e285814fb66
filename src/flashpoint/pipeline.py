"""The pipeline: the stages composed, for the CLI, the Python API and distributed workers.

Every item yields one ``Outcome`` — an extraction, a documented skip or a failure with its
error code — so one bad article never costs the rest of a batch.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from spacy.language import Language

from .clean import clean
from .config import Settings
from .errors import FlashpointError, InputError, SkipArticle
from .extract import Coder, default_coder, extract
from .extract.gate import trigger_gate
from .ingest import InputFailure, read_inputs
from .nlp import ParsedArticle, load_model, parse_articles
from .types import Article, Document, Extraction

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Outcome:
    source: str
    extraction: Extraction | None = None
    status: str = "stored"  # stored | present | skipped | failed
    code: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.extraction is not None


class Pipeline:
    """Holds the loaded model; cheap to call many times, costly to build (load once)."""

    def __init__(self, settings: Settings | None = None, nlp: Language | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.nlp = nlp or load_model(self.settings.model)
        self.coder: Coder | None = default_coder() if self.settings.coder else None
        self.gate = (
            trigger_gate(self.nlp, coder=self.coder is not None) if self.settings.gating else None
        )

    def clean_all(self, docs: Iterable[Document | InputFailure]) -> Iterator[Article | Outcome]:
        for doc in docs:
            if isinstance(doc, InputFailure):
                yield Outcome(doc.source, status="failed", code=doc.code, message=doc.message)
                continue
            try:
                yield clean(doc)
            except SkipArticle as err:
                yield Outcome(doc.source, status="skipped", code=err.code, message=str(err))
            except InputError as err:
                yield Outcome(doc.source, status="failed", code=err.code, message=str(err))
            except Exception as err:  # a cleaner bug must not cost the batch
                log.exception("cleaning %s failed", doc.source)
                yield Outcome(doc.source, status="failed", code="E000", message=repr(err))

    def run_articles(self, articles: Iterable[Article]) -> Iterator[Outcome]:
        todo = list(articles)
        done = 0
        try:
            for parsed in parse_articles(
                todo, self.nlp, batch_size=self.settings.batch_size, gate=self.gate
            ):
                done += 1
                yield self._extract(parsed)
        except Exception:  # one article that breaks the parser must not cost its batch
            log.exception("parsing a batch failed; parsing its articles one at a time")
            for article in todo[done:]:
                try:
                    (parsed,) = parse_articles([article], self.nlp, gate=self.gate)
                except Exception as err:
                    yield Outcome(article.source, status="failed", code="E000", message=repr(err))
                    continue
                yield self._extract(parsed)

    def _extract(self, parsed: ParsedArticle) -> Outcome:
        try:
            extraction = extract(parsed, self.settings.actor_files, self.coder)
            return Outcome(parsed.article.source, extraction)
        except FlashpointError as err:
            return Outcome(parsed.article.source, status="failed", code=err.code, message=str(err))
        except Exception as err:  # an extractor bug must not cost the batch
            log.exception("extracting %s failed", parsed.article.source)
            return Outcome(parsed.article.source, status="failed", code="E000", message=repr(err))

    def run_documents(
        self,
        docs: Iterable[Document | InputFailure],
        chunk: int = 64,
        skip: Callable[[Article], bool] | None = None,
    ) -> Iterator[Outcome]:
        """Clean and extract, keeping input order; failures pass straight through.

        ``skip`` lets a caller resume: articles it returns True for (already stored) come back
        as status "present" without paying for the NLP.
        """
        stream = self.clean_all(docs)
        while group := list(islice(stream, chunk)):
            marked: list[Article | Outcome] = [
                Outcome(a.source, status="present", message=a.id)
                if isinstance(a, Article) and skip is not None and skip(a)
                else a
                for a in group
            ]
            articles = [a for a in marked if isinstance(a, Article)]
            extracted = iter(self.run_articles(articles))
            for item in marked:
                yield next(extracted) if isinstance(item, Article) else item

    def run(
        self,
        inputs: Iterable[str],
        *,
        allow_private: bool = False,
        skip: Callable[[Article], bool] | None = None,
    ) -> Iterator[Outcome]:
        yield from self.run_documents(read_inputs(inputs, allow_private=allow_private), skip=skip)

    def extract_text(
        self,
        text: str,
        *,
        published: dt.date | str | None = None,
        title: str | None = None,
        url: str | None = None,
        source: str = "<text>",
        content_type: str = "text",
    ) -> Extraction:
        """One text in, one ``Extraction`` out; raises ``FlashpointError`` on bad input."""
        if isinstance(published, str):
            published = dt.date.fromisoformat(published)
        doc = Document(
            source=source,
            content=text,
            content_type="html" if content_type == "html" else "text",
            url=url,
            title=title,
            published=published,
        )
        article = clean(doc)
        for parsed in parse_articles([article], self.nlp, gate=self.gate):
            return extract(parsed, self.settings.actor_files, self.coder)
        raise AssertionError("unreachable")
