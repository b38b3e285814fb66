"""``flashpoint eval``: accuracy measured on gold data, inside the product (spaCy-style scorer).

Stages: ``events`` (types, arguments, places and dates of events against a gold JSONL),
``places`` (toponym resolution on the geoparsing corpora), ``body`` (article-body extraction on
the scrapinghub benchmark). Corpora are read from the shared data folder, never copied.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import Errors, FlashpointError
from ..types import Article, Event
from .events import score_events
from .gold import GoldDoc, parse_doc, read_gold

STAGES = ("events", "records", "places", "body")
# Passes of the extract stage that ``--without`` can switch off, to measure what each is worth.
PASSES = ("coder", "gate")
# The held-out event gold is the repository's own file (its texts are references into the shared
# data); an absolute path survives ``shared_data_dir() / path`` unchanged.
GOLD_DIR = Path(__file__).resolve().parents[3] / "benchmarks" / "gold"
TEST_EVENTS = GOLD_DIR / "test-events.jsonl"
CORPORA = {
    "wikievents": ("events", "wikievents/dev.jsonl"),
    "test-events": ("events", str(TEST_EVENTS)),
    # coder-style records written by the project: dev for tuning, test held out (see its README)
    "acled-dev": ("records", str(GOLD_DIR / "acled-style-dev.jsonl")),
    "acled-test": ("records", str(GOLD_DIR / "acled-style-test.jsonl")),
    "geoparsing-dev": ("places", "geoparsing/lgl.xml"),
    "geoparsing-test": ("places", "geoparsing/TR-News.xml,geoparsing/GeoVirus.xml"),
    "body": ("body", "article-extraction-benchmark"),
}


def shared_data_dir() -> Path:
    """``$FLASHPOINT_DATA``, else ``../shared/data`` beside the checkout or the working dir."""
    env = os.environ.get("FLASHPOINT_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for base in (here.parents[3], Path.cwd()):
        cand = base.parent / "shared" / "data"
        if cand.exists():
            return cand
    return Path.cwd().parent / "shared" / "data"


def load_gold_docs(path: Path, limit: int | None = None) -> list[GoldDoc]:
    if path.name == "dev.jsonl" and path.parent.name == "wikievents":
        from .wikievents import convert

        docs = [parse_doc(d) for d in convert(path)]
    else:
        docs = list(read_gold(path))
    return docs[:limit] if limit else docs


def predict(
    docs: Sequence[GoldDoc], model: str | None = None, without: Sequence[str] = ()
) -> dict[str, list[Event]]:
    """Run the real pipeline on gold texts as they are (no cleaning: spans must line up).

    ``without`` names passes to switch off (``PASSES``), so each one's worth is measured.
    """
    from ..config import Settings
    from ..pipeline import Pipeline

    unknown = sorted(set(without) - set(PASSES))
    if unknown:
        raise FlashpointError(Errors.E061.format(stage=unknown[0], choices=", ".join(PASSES)))
    off = {name: False for name in without}  # None keeps the environment's setting
    settings = Settings.from_env(model=model, coder=off.get("coder"), gating=off.get("gate"))
    pipeline = Pipeline(settings)
    articles = [
        Article(
            id=d.id,
            text=d.text,
            source=d.source,
            published=dt.date.fromisoformat(d.published) if d.published else None,
        )
        for d in docs
    ]
    out: dict[str, list[Event]] = {}
    for outcome in pipeline.run_articles(articles):
        if outcome.extraction is None:  # a scorer must not pass over a document it failed on
            raise FlashpointError(outcome.message or f"[{outcome.code}] {outcome.source}")
        out[outcome.extraction.article.id] = outcome.extraction.events
    return out


def evaluate_records(
    path: Path, limit: int | None = None, model: str | None = None, without: Sequence[str] = ()
) -> dict[str, Any]:
    from .records import read_records, score_records

    records = read_records(path, limit)
    docs = [
        GoldDoc(id=r.id, text=r.text, source=r.id, published=r.published, events=[])
        for r in records
    ]
    t0 = time.perf_counter()
    report = score_records(records, predict(docs, model, without))
    report["seconds"] = round(time.perf_counter() - t0, 2)
    report["without"] = list(without)
    return report


def evaluate_events(
    path: Path,
    limit: int | None = None,
    model: str | None = None,
    *,
    baseline: bool = True,
    without: Sequence[str] = (),
) -> dict[str, Any]:
    docs = load_gold_docs(path, limit)
    t0 = time.perf_counter()
    preds = predict(docs, model, without)
    report = score_events(docs, preds)
    report["docs"] = len(docs)
    report["seconds"] = round(time.perf_counter() - t0, 2)
    if baseline:
        base = score_events(docs, sentence_order_baseline(preds, model))
        report["baseline_sentence_order"] = base["arguments"]
    return report


def sentence_order_baseline(
    preds: dict[str, list[Event]], model: str | None = None
) -> dict[str, list[Event]]:
    """A GDELT/TABARI-like actor coder, for comparison: the same events, but the first named
    actor in each evidence sentence is the source and the second the target (no parse, no
    attribution scope). It shows what the dependency-based roles buy, e.g. fewer speakers coded
    as attackers.
    """
    from dataclasses import replace

    from ..config import Settings
    from ..nlp import load_model
    from ..types import Actor

    nlp = load_model(Settings.from_env(model=model).model)
    cache: dict[str, list[tuple[int, int, str]]] = {}
    out: dict[str, list[Event]] = {}
    for doc_id, events in preds.items():
        coded = []
        for e in events:
            actors: list[Actor] = []
            for ev in e.evidence:
                if ev.sentence not in cache:
                    cache[ev.sentence] = [
                        (x.start_char, x.end_char, x.text)
                        for x in nlp(ev.sentence).ents
                        if x.label_ in {"ORG", "GPE", "NORP", "PERSON"}
                    ]
                for role, (s, t, text) in zip(
                    ("source", "target"), cache[ev.sentence], strict=False
                ):
                    span = (ev.start + s, ev.start + t)
                    actors.append(Actor(role, text, text, None, "other", span))  # type: ignore[arg-type]
            coded.append(replace(e, actors=actors))
        out[doc_id] = coded
    return out


def run_eval(
    stage: str,
    paths: Sequence[Path],
    *,
    limit: int | None = None,
    model: str | None = None,
    without: Sequence[str] = (),
) -> dict[str, Any]:
    if stage not in STAGES:
        raise FlashpointError(Errors.E061.format(stage=stage, choices=", ".join(STAGES)))
    if stage == "events":
        return {str(p): evaluate_events(p, limit, model, without=without) for p in paths}
    if stage == "records":
        return {str(p): evaluate_records(p, limit, model, without) for p in paths}
    if stage == "places":
        from .geoparsing import evaluate_places

        return {str(p): evaluate_places(p, limit=limit) for p in paths}
    from .body import evaluate_body

    return {str(p): evaluate_body(p, limit=limit) for p in paths}
