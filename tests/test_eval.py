"""The scorer itself, and a fixed-sample eval run on the WikiEvents gold (the CI eval)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flashpoint.eval import load_gold_docs
from flashpoint.eval.events import score_events
from flashpoint.eval.gold import parse_doc, read_gold, write_gold
from flashpoint.types import Actor, Event, Evidence
from tests.conftest import DATA, need

TEXT = "Rebels attacked the town of Kidal on Monday. Officials said 12 people were killed."


def _gold() -> dict:
    return {
        "id": "g1",
        "text": TEXT,
        "published": "2024-03-06",
        "events": [
            {
                "type": "ASSAULT",
                "trigger": {"start": 7, "end": 15, "text": "attacked"},
                "evidence": {"start": 0, "end": 44},
                "actors": [
                    {"role": "source", "start": 0, "end": 6, "text": "Rebels"},
                    {"role": "target", "start": 16, "end": 24, "text": "the town"},
                ],
                "date": {"start": "2024-03-04", "end": "2024-03-04", "precision": "day"},
            }
        ],
    }


def _event(etype: str, actors: list[Actor]) -> Event:
    return Event(
        id="e1", type=etype, mode=None, modality="asserted",  # type: ignore[arg-type]
        actors=actors, evidence=[Evidence("g1", 0, 44, TEXT[:44])],
    )


def test_scorer_counts_matches_and_roles() -> None:
    gold = [parse_doc(_gold())]
    good = _event("ASSAULT", [Actor("source", "Rebels", "Rebels", None, "rebel", (0, 6))])
    rep = score_events(gold, {"g1": [good]})
    assert rep["micro"]["precision"] == 1.0 and rep["micro"]["recall"] == 1.0
    assert rep["arguments"]["source"]["accuracy"] == 1.0
    assert rep["arguments"]["target"]["accuracy"] == 0.0
    wrong_type = _event("PROTEST", [])
    rep = score_events(gold, {"g1": [wrong_type]})
    assert rep["micro"]["f1"] == 0.0 and rep["per_type"]["PROTEST"]["precision"] == 0.0
    swapped = _event("ASSAULT", [Actor("target", "Rebels", "Rebels", None, "rebel", (0, 6))])
    assert score_events(gold, {"g1": [swapped]})["arguments"]["role_swaps"] == 1


def test_gold_round_trip_and_validation(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    write_gold([_gold()], path)
    docs = list(read_gold(path))
    assert docs[0].events[0].actors[0].text == "Rebels"
    bad = _gold()
    bad["events"][0]["trigger"] = {"start": 5, "end": 500}
    path.write_text(json.dumps(bad) + "\n")
    with pytest.raises(Exception, match="E060"):
        list(read_gold(path))


@pytest.mark.corpus
def test_wikievents_converter_keeps_offsets() -> None:
    docs = load_gold_docs(need(DATA / "wikievents" / "dev.jsonl"))
    assert len(docs) == 20
    for d in docs:
        for ev in d.events:
            s, e = ev.trigger
            assert d.text[s:e].strip(), ev
            assert ev.evidence[0] <= s and e <= ev.evidence[1]
