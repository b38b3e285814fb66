"""Sentence-level behaviours of the extractor, each a general frame (not one article's wording)."""

from __future__ import annotations

import pytest

from flashpoint.pipeline import Pipeline
from flashpoint.types import Event


def _events(pipeline: Pipeline, text: str) -> list[Event]:
    return pipeline.extract_text(text, published="2024-03-06").events


@pytest.mark.parametrize(
    ("text", "etype"),
    [
        (
            "Hundreds of demonstrators gathered outside the parliament on Sunday "
            "to denounce the new law.",
            "PROTEST",
        ),
        (
            "The foreign ministers of Egypt and Jordan spoke by telephone on Monday "
            "about the border.",
            "CONSULT",
        ),
        (
            "Two aid workers were freed on Tuesday after weeks in captivity, officials said.",
            "CONCEDE",
        ),
        ("Police arrested 12 people in connection with the bombing, the ministry said.", "COERCE"),
    ],
)
def test_frames_give_their_type(pipeline: Pipeline, text: str, etype: str) -> None:
    events = _events(pipeline, text)
    assert [e.type for e in events if e.modality == "asserted"].count(etype) == 1, [
        e.to_dict() for e in events
    ]


def test_noun_modifier_is_not_an_event(pipeline: Pipeline) -> None:
    events = _events(
        pipeline, "A member of the riot police squad was appointed to the post on Monday."
    )
    assert not [e for e in events if e.type == "PROTEST"]


def test_banned_and_hoped_for_events_are_not_asserted(pipeline: Pipeline) -> None:
    events = _events(
        pipeline, "The government issued a ban on protests in the capital on Thursday."
    )
    assert all(e.modality != "asserted" for e in events if e.type == "PROTEST")
    events = _events(
        pipeline, "He said he hoped the deal would pave the way for talks with the rebels."
    )
    assert all(e.modality != "asserted" for e in events if e.type == "CONSULT")


def test_participle_demand_belongs_to_the_protest(pipeline: Pipeline) -> None:
    events = _events(
        pipeline,
        "Thousands marched through the capital on Friday demanding the president's resignation.",
    )
    assert [e.type for e in events] == ["PROTEST"]


def test_claim_of_responsibility_names_the_perpetrator(pipeline: Pipeline) -> None:
    text = (
        "A car bomb exploded outside a police station in Mogadishu on Saturday, "
        "killing five people.\n\n"
        "Al-Shabaab claimed responsibility for the attack in a statement."
    )
    events = [e for e in _events(pipeline, text) if e.type == "ASSAULT"]
    assert len(events) == 1, [e.to_dict() for e in events]
    e = events[0]
    assert any(a.name == "al-Shabaab" or "Shabaab" in a.name for a in e.actors_in("claimant"))
    assert e.actors_in("source"), e.to_dict()
    assert e.casualties.killed is not None and e.casualties.killed.best == 5
    assert e.location is not None and e.location.country == "SOM"
    assert (
        e.date is not None and e.date.start is not None and e.date.start.isoformat() == "2024-03-02"
    )


def test_perpetratorless_toll_joins_the_attack(pipeline: Pipeline) -> None:
    text = (
        "Gunmen attacked a village in Zamfara state on Monday, killing at least 20 people.\n\n"
        "Several others were wounded, a police spokesman said."
    )
    assaults = [e for e in _events(pipeline, text) if e.type == "ASSAULT"]
    assert len(assaults) == 1, [e.to_dict() for e in assaults]
    assert assaults[0].location is not None and assaults[0].location.country == "NGA"


@pytest.mark.parametrize(
    "text",
    [
        "Two soldiers were hurt after a Jan. 8 attack when Iran shot missiles into Al Asad "
        "Airbase in Iraq.",
        "The raid, in which militants fired rockets at Al Asad Air Base in Iraq, began at dawn "
        "on Tuesday.",
    ],
)
def test_relative_clause_tells_the_same_event(pipeline: Pipeline, text: str) -> None:
    """The verb of a relative clause on an event noun gives that one event its arguments."""
    assaults = [e for e in _events(pipeline, text) if e.type == "ASSAULT"]
    assert len(assaults) == 1, [e.to_dict() for e in assaults]
    (event,) = assaults
    assert event.location is not None and event.location.country == "IRQ"
    assert event.location.precision == "site", event.location
    assert event.actors_in("source"), event.to_dict()


def test_a_base_named_like_a_person_is_a_place_not_a_target(pipeline: Pipeline) -> None:
    text = "Militants fired rockets at the Al Asad base in Iraq on Tuesday."
    (event,) = [e for e in _events(pipeline, text) if e.type == "ASSAULT"]
    assert event.location is not None and event.location.name == "Al Asad Air Base"
    assert not any("Asad" in a.name for a in event.actors), event.to_dict()


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Israeli drones struck a car in southern Lebanon on Monday.", "ISR"),
        ("Iranian missiles struck Al Asad Air Base in Iraq on Wednesday.", "IRN"),
    ],
)
def test_the_means_name_their_state_when_no_source_is_named(
    pipeline: Pipeline, text: str, source: str
) -> None:
    (event,) = [e for e in _events(pipeline, text) if e.type == "ASSAULT"]
    assert [a.country for a in event.actors_in("source")] == [source], event.to_dict()


def test_weapon_origin_is_not_the_attacker(pipeline: Pipeline) -> None:
    (event,) = [e for e in _events(pipeline, "Russian-made missiles hit Kharkiv overnight.")
                if e.type == "ASSAULT"]
    assert not event.actors_in("source"), event.to_dict()
