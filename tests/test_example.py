"""The six expectations for the example article, on the real pipeline (no mocked NLP)."""

from __future__ import annotations

from flashpoint.resolve.places import haversine_km
from flashpoint.types import Event, Extraction


def _sources(e: Event) -> list[str]:
    return [f"{a.name} {a.country}" for a in e.actors_in("source")]


def _find(ex: Extraction, pred) -> list[Event]:  # type: ignore[no-untyped-def]
    return [e for e in ex.events if pred(e)]


def test_article_metadata(example_extraction: Extraction) -> None:
    a = example_extraction.article
    assert a.title == "US strikes facilities used by Iranian-backed groups in Iraq"
    assert a.publisher == "Anadolu Agency"
    assert a.published is not None and a.published.isoformat() == "2024-01-24"
    assert "Contact Us" not in a.text and "Subscribe" not in a.text
    assert "REUTERS File Photo" not in a.text


def test_1_us_airstrikes_on_kataib_hezbollah(example_extraction: Extraction) -> None:
    hits = _find(
        example_extraction,
        lambda e: (
            e.type == "ASSAULT"
            and e.mode == "airstrike"
            and any(a.country == "USA" for a in e.actors_in("source"))
        ),
    )
    assert hits, [e.to_dict() for e in example_extraction.events]
    e = hits[0]
    assert any("Kataib Hezbollah" in (a.name + a.text) for a in e.actors_in("target")), e.actors
    assert e.location is not None and e.location.country == "IRQ"
    assert e.date is not None and e.date.start is not None
    assert e.date.start.isoformat() == "2024-01-23" and e.date.precision == "day"
    ids = {x.id: x for x in example_extraction.events}
    responses = [r for r in e.related if r.relation == "response_to"]
    assert responses and all(ids[r.event_id].type == "ASSAULT" for r in responses)


def test_2_missile_attack_on_al_asad(example_extraction: Extraction) -> None:
    hits = _find(
        example_extraction,
        lambda e: (
            e.type == "ASSAULT"
            and e.mode in {"missile", "rocket"}
            and any("Islamic Resistance in Iraq" in a.name for a in e.actors_in("claimant"))
        ),
    )
    assert len(hits) == 1, [e.to_dict() for e in example_extraction.events]
    e = hits[0]
    assert e.location is not None and e.location.precision == "site"
    assert haversine_km(e.location.lat, e.location.lon, 33.79, 42.44) <= 25
    assert e.date is not None and e.date.start is not None
    assert e.date.start.isoformat() == "2024-01-20" and e.date.time == "18:30"
    assert (
        e.attribution.name is not None
        and "CENTCOM" in (e.attribution.name + (e.attribution.text or ""))
    ) or ("Central Command" in (e.attribution.name or ""))
    assert e.intercepted is True


def test_3_hamas_october_7(example_extraction: Extraction) -> None:
    hits = _find(
        example_extraction,
        lambda e: (
            e.type == "ASSAULT"
            and any(a.name == "Hamas" for a in e.actors_in("source"))
            and e.location is not None
            and e.location.country == "ISR"
        ),
    )
    assert len(hits) == 1, [e.to_dict() for e in example_extraction.events]
    e = hits[0]
    assert (
        e.date is not None and e.date.start is not None and e.date.start.isoformat() == "2023-10-07"
    )
    killed = e.casualties.killed
    assert killed is not None and killed.best is not None and killed.best >= 1200
    assert killed.low is not None and killed.low >= 1200
    assert e.attribution.name is not None and "Israel" in e.attribution.name


def test_4_israel_gaza_onslaught(example_extraction: Extraction) -> None:
    hits = _find(
        example_extraction,
        lambda e: (
            e.type == "ASSAULT"
            and any(a.country == "ISR" for a in e.actors_in("source"))
            and e.location is not None
            and "Gaza Strip" in e.location.name
        ),
    )
    assert len(hits) == 1, [e.to_dict() for e in example_extraction.events]
    e = hits[0]
    assert e.date is not None and e.date.start is not None
    assert e.date.start.isoformat() == "2023-10-07" and e.date.precision == "range"
    killed = e.casualties.killed
    assert killed is not None and killed.best == 25500
    assert killed.high is not None and killed.high <= 25500


def test_5_houthis_red_sea(example_extraction: Extraction) -> None:
    hits = _find(
        example_extraction,
        lambda e: (
            e.type == "ASSAULT"
            and any("Houthi" in a.name for a in e.actors_in("source"))
            and e.location is not None
            and e.location.precision == "sea"
            and "Red Sea" in e.location.name
        ),
    )
    assert hits, [e.to_dict() for e in example_extraction.events]


def test_6_modality_threat_and_request(example_extraction: Extraction) -> None:
    text = example_extraction.article.text
    escalate = text.index("We do not seek to escalate conflict")
    sent_end = text.index(".", escalate)
    for e in example_extraction.events:
        if e.modality == "asserted" and e.trigger_span is not None:
            assert not escalate <= e.trigger_span[0] < sent_end, e.to_dict()
    threat = [
        e
        for e in example_extraction.events
        if e.type == "THREATEN"
        and e.modality in {"threat", "future"}
        and any("will not hesitate" in ev.sentence for ev in e.evidence)
    ]
    assert threat, [e.to_dict() for e in example_extraction.events]
    request = [
        e
        for e in example_extraction.events
        if e.type == "REQUEST"
        and any("We call on these groups" in ev.sentence for ev in e.evidence)
    ]
    assert request
    assert any(a.country == "USA" for a in request[0].actors_in("source"))
    # "these groups" are the Iran-backed militias, not Daesh/ISIS named in between
    targets = {a.name for a in request[0].actors_in("target")}
    assert "Iran-backed militias" in targets and "Islamic State" not in targets, targets


def test_every_span_slices_the_text(example_extraction: Extraction) -> None:
    text = example_extraction.article.text
    for e in example_extraction.events:
        for ev in e.evidence:
            assert text[ev.start : ev.end] == ev.sentence
        for a in e.actors:
            assert text[a.span[0] : a.span[1]] == a.text
        if e.location is not None and e.location.span:
            assert text[e.location.span[0] : e.location.span[1]] == e.location.text
        if e.date is not None and e.date.span and e.date.text:
            assert text[e.date.span[0] : e.date.span[1]] == e.date.text


def test_event_ids_are_stable(pipeline, example_extraction: Extraction) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import EXAMPLE

    again = next(iter(pipeline.run([str(EXAMPLE)]))).extraction
    assert again is not None
    assert [e.id for e in again.events] == [e.id for e in example_extraction.events]


def test_quotes_with_speakers(example_extraction: Extraction) -> None:
    quotes = {q.text[:30]: q for q in example_extraction.quotes}
    text = example_extraction.article.text
    assert len(quotes) == 5
    for q in example_extraction.quotes:
        assert text[q.span[0] : q.span[1]] == q.text
        assert q.speaker_name in {"Lloyd Austin", "US Central Command"}, q
    centcom = next(q for q in example_extraction.quotes if "intercepted" in q.text)
    assert centcom.speaker == "it" and centcom.speaker_name == "US Central Command"
    escalate = next(q for q in example_extraction.quotes if "escalate" in q.text)
    assert escalate.speaker_name == "Lloyd Austin"
