"""HTTP API over real HTTP on loopback, serving a SQLite database built by the real pipeline.

Expected results are computed independently in Python from the full event list, so a filter
that the SQL applies wrongly (or not at all) shows up as a mismatch.
"""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flashpoint.api import create_app
from flashpoint.api.highlight import Mark, nest
from flashpoint.api.params import MAX_PAGE
from flashpoint.api.server import allowed_hosts, background
from flashpoint.export import CSV_COLUMNS
from flashpoint.store import open_store
from flashpoint.types import Extraction

# A second, differently dated and placed report, so date, country and text filters have
# something to tell apart. Written for this test; run through the real pipeline.
KYIV = """Russian drones hit energy facilities in Kyiv region

KYIV, Ukraine - Russian forces launched a wave of drones at energy facilities in the Kyiv region
overnight on Sunday, killing two people and injuring five others, Ukraine's air force said on
Monday.

Air defence units shot down most of the drones, the air force said in a statement.
"""


class Http:
    """A tiny client: GET a path with parameters, return status, headers and decoded body."""

    def __init__(self, base: str) -> None:
        self.base = base

    def raw(
        self, path: str, params: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        query = "?" + urllib.parse.urlencode(params, doseq=True) if params else ""
        request = urllib.request.Request(self.base + path + query, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def get(self, path: str, params: Any = None) -> tuple[int, Any]:
        status, _, body = self.raw(path, params)
        return status, json.loads(body)

    def ok(self, path: str, params: Any = None) -> Any:
        status, body = self.get(path, params)
        assert status == 200, body
        return body


@pytest.fixture(scope="module")
def db_path(
    tmp_path_factory: pytest.TempPathFactory, example_extraction: Extraction, pipeline: Any
) -> Path:
    kyiv = pipeline.extract_text(
        KYIV, published="2024-03-11", url="https://example.org/ukraine/kyiv-drones"
    )
    path = tmp_path_factory.mktemp("api") / "events.db"
    with open_store(path) as store:
        result = store.add([example_extraction, kyiv])
    assert result.articles_added == 2 and result.events_added > 2
    return path


@pytest.fixture(scope="module")
def http(db_path: Path) -> Iterator[Http]:
    with background(create_app(db_path)) as base:
        yield Http(base)


@pytest.fixture(scope="module")
def everything(http: Http) -> list[dict[str, Any]]:
    body = http.ok("/api/events", {"limit": MAX_PAGE})
    assert body["total"] == len(body["events"]) > 0
    return list(body["events"])


def _ids(events: list[dict[str, Any]]) -> set[str]:
    return {e["id"] for e in events}


def _all(http: Http, **params: Any) -> list[dict[str, Any]]:
    body = http.ok("/api/events", {"limit": MAX_PAGE, **params})
    assert body["total"] == len(body["events"])
    return list(body["events"])


# -- listing and paging ----------------------------------------------------------------------


def test_events_are_contract_dicts_with_article(
    everything: list[dict[str, Any]], db_path: Path
) -> None:
    with open_store(db_path) as store:
        assert len(everything) == store.count_events()
    for ev in everything:
        assert {"id", "type", "modality", "actors", "date", "evidence", "article"} <= set(ev)
        assert ev["article"]["id"] and ev["source_count"] >= 1


def test_paging_covers_every_event_once(http: Http, everything: list[dict[str, Any]]) -> None:
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = http.ok("/api/events", {"limit": 3, "offset": offset})
        assert len(page["events"]) <= 3 and page["total"] == len(everything)
        seen += [e["id"] for e in page["events"]]
        offset = page["next_offset"]
    assert seen == [e["id"] for e in everything]  # same order, no gaps, no repeats


def test_country_type_and_mode_filters(http: Http, everything: list[dict[str, Any]]) -> None:
    def country(e: dict[str, Any]) -> str | None:
        return (e.get("location") or {}).get("country")

    iraq = _all(http, country="irq")  # case-insensitive
    assert iraq and _ids(iraq) == {e["id"] for e in everything if country(e) == "IRQ"}
    assaults = _all(http, type="ASSAULT", country="IRQ")
    assert _ids(assaults) == {
        e["id"] for e in everything if e["type"] == "ASSAULT" and country(e) == "IRQ"
    }
    air = _all(http, mode="airstrike")
    assert air and _ids(air) == {e["id"] for e in everything if e["mode"] == "airstrike"}


def test_date_filters_match_overlapping_events(
    http: Http, everything: list[dict[str, Any]]
) -> None:
    def overlaps(e: dict[str, Any], since: str, until: str) -> bool:
        d = e["date"]
        start, end = d.get("start"), d.get("end") or d.get("start")
        return bool(start) and end >= since and start <= until

    for since, until in (("2024-01-01", "2024-01-31"), ("2023-01-01", "2023-12-31")):
        got = _all(http, since=since, until=until)
        assert _ids(got) == {e["id"] for e in everything if overlaps(e, since, until)}
    dated = [e for e in everything if e["date"].get("start")]
    assert 0 < len(_all(http, since="2024-01-01")) < len(dated)


def test_bbox_filter(http: Http, everything: list[dict[str, Any]]) -> None:
    box = (38.7, 29.0, 48.6, 37.4)  # around Iraq

    def inside(e: dict[str, Any]) -> bool:
        loc = e.get("location") or {}
        return loc.get("lat") is not None and (
            box[1] <= loc["lat"] <= box[3] and box[0] <= loc["lon"] <= box[2]
        )

    got = _all(http, bbox=",".join(map(str, box)))
    assert got and _ids(got) == {e["id"] for e in everything if inside(e)}


def test_full_text_search_over_evidence(http: Http, everything: list[dict[str, Any]]) -> None:
    got = _all(http, text="missile")  # stemmed: finds "missiles"
    assert got
    expected = {
        e["id"]
        for e in everything
        if any(re.search(r"\bmissiles?\b", v["sentence"], re.I) for v in e["evidence"])
    }
    assert _ids(got) == expected
    assert _all(http, text='"precision strikes"')
    assert not _all(http, text='"strikes precision"')  # a phrase keeps its word order


def test_actor_and_min_sources_filters(http: Http, everything: list[dict[str, Any]]) -> None:
    got = _all(http, actor="hezbollah")
    assert got and _ids(got) == {
        e["id"]
        for e in everything
        if any("hezbollah" in (a["name"] + " " + a["text"]).lower() for a in e["actors"])
    }
    assert len(_all(http, min_sources=1)) == len(everything)
    assert _ids(_all(http, min_sources=2)) == {
        e["id"] for e in everything if e["source_count"] >= 2
    }


# -- one event, articles, actors ---------------------------------------------------------------


def test_event_detail_marks_spans_in_evidence(http: Http, everything: list[dict[str, Any]]) -> None:
    article_texts: dict[str, str] = {}
    marked_kinds: set[str] = set()
    for ev in everything:
        detail = http.ok(f"/api/events/{ev['id']}")
        assert detail["id"] == ev["id"] and detail["evidence"] == ev["evidence"]
        assert detail["mentions"][0]["event_id"] == ev["id"]
        assert ev["article"]["id"] in {s["id"] for s in detail["sources"]}
        aid = ev["article"]["id"]
        if aid not in article_texts:
            article_texts[aid] = http.ok(f"/api/articles/{aid}")["text"]
        text = article_texts[aid]
        spans = {tuple(a["span"]): a["text"] for a in ev["actors"]}
        for evidence in detail["mentions"][0]["evidence"]:
            sentence, base = evidence["sentence"], evidence["start"]
            assert text[base : evidence["end"]] == sentence
            previous_end = -1
            stack: list[dict[str, Any]] = []
            for mark in evidence["marks"]:
                # Sorted, nested, never crossing: what the dashboard's renderer relies on.
                while stack and stack[-1]["end"] <= mark["start"]:
                    stack.pop()
                assert not stack or mark["end"] <= stack[-1]["end"], evidence["marks"]
                assert mark["start"] >= (stack[-1]["start"] if stack else previous_end)
                stack.append(mark)
                previous_end = mark["end"]
                absolute = (base + mark["start"], base + mark["end"])
                assert sentence[mark["start"] : mark["end"]] == text[absolute[0] : absolute[1]]
                if mark["kind"] == "actor":
                    assert spans[absolute] == sentence[mark["start"] : mark["end"]]
                marked_kinds.add(mark["kind"])
    assert {"trigger", "actor", "location", "date"} <= marked_kinds


def test_airstrike_detail_has_highlights_and_both_link_directions(
    http: Http, everything: list[dict[str, Any]]
) -> None:
    strike = next(
        e for e in everything if e["mode"] == "airstrike" and e["location"]["country"] == "IRQ"
    )
    detail = http.ok(f"/api/events/{strike['id']}")
    marks = [
        (m["kind"], m["role"], ev["sentence"][m["start"] : m["end"]])
        for ev in detail["mentions"][0]["evidence"]
        for m in ev["marks"]
    ]
    assert ("actor", "source", "US") in marks
    assert any(k == "actor" and r == "target" and "Kataib Hezbollah" in t for k, r, t in marks)
    assert any(k == "date" and t == "Tuesday" for k, _, t in marks)
    outgoing = [r for r in detail["related_events"] if r["direction"] == "out"]
    assert outgoing and all(r["event"]["type"] == "ASSAULT" for r in outgoing)
    back = http.ok(f"/api/events/{outgoing[0]['event_id']}")["related_events"]
    assert {"event_id": strike["id"], "relation": outgoing[0]["relation"], "direction": "in"} in [
        {k: r[k] for k in ("event_id", "relation", "direction")} for r in back
    ]


def test_marks_nest_and_never_cross() -> None:
    actor = Mark(4, 30, "actor", "target: X", "target")
    place = Mark(20, 30, "location", "location: Y")  # inside the actor phrase: kept, nested
    crossing = Mark(25, 40, "date", "date: Z")  # crosses both: dropped
    twin = Mark(4, 30, "attribution", "statement: X")  # same span: merged into the actor's
    trigger = Mark(0, 3, "trigger", "trigger: ASSAULT")
    got = nest([place, crossing, twin, actor, trigger])
    assert [(m.start, m.end, m.kind) for m in got] == [
        (0, 3, "trigger"),
        (4, 30, "actor"),
        (20, 30, "location"),
    ]
    assert got[1].label == "target: X; statement: X"


def test_article_endpoint(http: Http, everything: list[dict[str, Any]]) -> None:
    aid = everything[0]["article"]["id"]
    article = http.ok(f"/api/articles/{aid}")
    assert article["id"] == aid and len(article["text"]) == article["text_chars"]
    assert set(article["event_ids"]) == {e["id"] for e in everything if e["article"]["id"] == aid}


def test_local_file_paths_are_not_served(
    http: Http, everything: list[dict[str, Any]], example_extraction: Extraction
) -> None:
    """``ingest`` was given a path with folders; over HTTP only the file name is shown."""
    full = example_extraction.article.source
    folder, name = str(Path(full).parent), Path(full).name
    assert folder not in ("", ".") and full.endswith(name)
    aid = example_extraction.article.id
    assert http.ok(f"/api/articles/{aid}")["source"] == name
    mine = [e for e in everything if e["article"]["id"] == aid]
    assert mine and all(e["article"]["source"] == name for e in mine)
    detail = http.ok(f"/api/events/{mine[0]['id']}")
    assert detail["article"]["source"] == name
    assert all((m["article"] or {}).get("source") in (None, name) for m in detail["mentions"])
    for path in ("/api/events", "/api/events.json", "/api/events.csv", "/api/events.geojson",
                 f"/api/events/{mine[0]['id']}", f"/api/articles/{aid}", "/api/stats"):
        status, _, body = http.raw(path)
        assert status == 200 and folder.encode() not in body, path


def test_host_check_holds_on_ipv6_loopback(db_path: Path) -> None:
    """``serve --host ::1`` checks Host as 127.0.0.1 does (a browser sends ``[::1]:port``)."""
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    hosts = allowed_hosts("::1")
    assert hosts is not None and hosts == allowed_hosts("[::1]")
    with background(create_app(db_path, allowed_hosts=hosts), host="::1") as base:
        assert base.startswith("http://[::1]:")
        client = Http(base)
        assert client.raw("/api/stats")[0] == 200
        port = base.rsplit(":", 1)[1]
        for rebound in ("attacker.example", f"attacker.example:{port}", "[::2]", "127.0.0.1"):
            assert client.raw("/api/stats", headers={"Host": rebound})[0] == 400, rebound


def test_actors_ranked_and_searchable(http: Http, everything: list[dict[str, Any]]) -> None:
    actors = http.ok("/api/actors", {"limit": 1000})["actors"]
    counts = [a["events"] for a in actors]
    assert counts == sorted(counts, reverse=True)
    names = {a["name"] for e in everything for a in e["actors"]}
    assert {a["name"] for a in actors} == names
    iran = http.ok("/api/actors", {"q": "IRAN"})["actors"]
    assert iran and all("iran" in a["name"].lower() for a in iran)
    assert len(http.ok("/api/actors", {"limit": 2})["actors"]) == 2


def test_points_and_timeline_agree_with_the_list(
    http: Http, everything: list[dict[str, Any]]
) -> None:
    points = http.ok("/api/points")
    located = [e for e in everything if e.get("location")]
    assert points["total"] == len(everything) and points["located"] == len(located)
    assert {p["id"] for p in points["points"]} == _ids(located) and not points["truncated"]
    timeline = http.ok("/api/timeline")
    assert sum(d["count"] for d in timeline["days"]) + timeline["undated"] == len(everything)
    days = [d["date"] for d in timeline["days"]]
    assert days == sorted(days)
    iraq = http.ok("/api/points", {"country": "IRQ", "limit": 1})
    assert len(iraq["points"]) == 1 and iraq["truncated"]


# -- exports -----------------------------------------------------------------------------------


def test_csv_export(http: Http, everything: list[dict[str, Any]]) -> None:
    status, headers, body = http.raw("/api/events.csv", {"country": "IRQ"})
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert "attachment" in headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    iraq = [e for e in everything if (e.get("location") or {}).get("country") == "IRQ"]
    assert sorted(r["event_id"] for r in rows) == sorted(e["id"] for e in iraq)
    assert {r["iso3"] for r in rows} == {"IRQ"}


def test_csv_export_is_spreadsheet_safe_unless_told_otherwise(tmp_path: Path) -> None:
    from .test_export import FORMULA_PUBLISHER, formula_extraction

    db = tmp_path / "formula.db"
    with open_store(db) as store:
        store.add([formula_extraction()])
    with background(create_app(db)) as base:
        client = Http(base)
        sources = {}
        for params in (None, {"spreadsheet_safe": "false"}):
            status, _, body = client.raw("/api/events.csv", params)
            assert status == 200
            rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
            sources[bool(params)] = {r["source"] for r in rows}
    assert sources == {False: {"'" + FORMULA_PUBLISHER}, True: {FORMULA_PUBLISHER}}


def test_geojson_and_json_exports(http: Http, everything: list[dict[str, Any]]) -> None:
    status, headers, body = http.raw("/api/events.geojson")
    assert status == 200 and headers["content-type"].startswith("application/geo+json")
    features = json.loads(body)["features"]
    assert len(features) == len([e for e in everything if e.get("location")])
    assert all(f["geometry"]["type"] == "Point" for f in features)
    status, _, body = http.raw("/api/events.json", {"limit": 2, "offset": 1})
    assert status == 200
    assert [e["id"] for e in json.loads(body)["events"]] == [e["id"] for e in everything[1:3]]


# -- bad requests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("/api/events", {"limit": MAX_PAGE + 1}, "limit"),
        ("/api/events", {"limit": "ten"}, "limit"),
        ("/api/events", {"limit": -1}, "limit"),
        ("/api/events", {"offset": -5}, "offset"),
        ("/api/events", {"since": "2024-02-30"}, "since"),
        ("/api/events", {"since": "2024-02-01", "until": "2024-01-01"}, "since"),
        ("/api/events", {"country": "Iraq"}, "country"),
        ("/api/events", {"type": "BOMBING"}, "type"),
        ("/api/events", {"modality": "maybe"}, "modality"),
        ("/api/events", {"bbox": "1,2,3"}, "bbox"),
        ("/api/events", {"bbox": "0,95,10,96"}, "bbox"),
        ("/api/events", {"bbox": "nan,1,2,3"}, "bbox"),
        ("/api/events", {"min_sources": 0}, "min_sources"),
        # past a 64-bit integer: the database driver raised, a 500
        ("/api/events", {"min_sources": "9" * 30}, "min_sources"),
        ("/api/events.csv", {"min_sources": "9" * 30}, "min_sources"),
        # NUL in a full-text query failed in SQLite's query parser, a 500
        ("/api/events", {"text": "a\x00b"}, "text"),
        ("/api/timeline", {"text": "a\x00b"}, "text"),
        ("/api/events", {"actor": "a\x00b"}, "actor"),
        ("/api/events", {"text": "***"}, "text"),
        ("/api/events", {"actor": "x" * 600}, "actor"),
        ("/api/events", {"contry": "IRQ"}, "contry"),
        ("/api/events", [("type", "ASSAULT"), ("type", "PROTEST")], "type"),
        ("/api/events.csv", {"limit": -1}, "limit"),
        ("/api/events", {"limit": 0}, "limit"),
        ("/api/events", {"country": "XXX"}, "country"),
        ("/api/events", {"cursor": "not-a-cursor"}, "cursor"),
        ("/api/events", {"precision": "town"}, "precision"),
        ("/api/events.csv", {"sub_event_type": "Bombing"}, "sub_event_type"),
        ("/api/points", {"limit": 0}, "limit"),
        ("/api/points", {"offset": 3}, "offset"),
        ("/api/timeline", {"since": "yesterday"}, "since"),
        ("/api/actors", {"limit": 5000}, "limit"),
        ("/api/actors", {"country": "IRQ"}, "country"),
        ("/api/events/" + "a" * 200, None, "event_id"),
    ],
)
def test_bad_parameters_give_400_naming_the_parameter(
    http: Http, path: str, params: Any, name: str
) -> None:
    status, body = http.get(path, params)
    assert status == 400, body
    assert body["code"] == "E070" and f"{name}=" in body["detail"], body


def test_unknown_ids_give_404(http: Http) -> None:
    status, body = http.get("/api/events/0000000000000000")
    assert status == 404 and body["code"] == "E042"
    status, body = http.get("/api/articles/nope")
    assert status == 404 and body["code"] == "E072"


@pytest.mark.parametrize(
    "params",
    [
        {"actor": "' OR 1=1 --"},
        {"mode": "airstrike' OR '1'='1"},
        {"text": '") OR 1=1; DROP TABLE events; --'},
        {"text": "missile OR NOT x NEAR(y) col:*"},
        {"article_id": "x' UNION SELECT event_json FROM events --"},
    ],
)
def test_injection_attempts_match_nothing_and_harm_nothing(
    http: Http, everything: list[dict[str, Any]], params: dict[str, str]
) -> None:
    body = http.ok("/api/events", params)
    assert body["total"] == 0 and body["events"] == []
    assert http.ok("/api/events", {"limit": 1})["total"] == len(everything)


# -- docs, dashboard files, headers ---------------------------------------------------------


def test_openapi_and_offline_docs(http: Http) -> None:
    schema = http.ok("/openapi.json")
    for path in (
        "/api/events",
        "/api/events/{event_id}",
        "/api/actors",
        "/api/articles/{article_id}",
        "/api/events.{fmt}",
    ):
        assert path in schema["paths"], path
    params = {p["name"] for p in schema["paths"]["/api/events"]["get"]["parameters"]}
    assert {"since", "until", "bbox", "country", "type", "text", "min_sources", "limit"} <= params
    status, _, page = http.raw("/docs")
    assert status == 200 and b"/static/vendor/swagger-ui/swagger-ui-bundle.js" in page


def test_dashboard_and_docs_load_nothing_from_outside(http: Http) -> None:
    for page in ("/", "/docs"):
        status, headers, body = http.raw(page)
        assert status == 200 and headers["content-type"].startswith("text/html")
        html = body.decode("utf-8")
        refs = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert refs and all(r.startswith(("/", "#", "data:")) for r in refs), refs
        for ref in refs:
            if ref.startswith("/static/"):
                assert http.raw(ref)[0] == 200, ref
    status, _, atlas = http.raw("/static/vendor/world-atlas/countries-50m.json")
    assert status == 200 and json.loads(atlas)["type"] == "Topology"


def test_security_headers(http: Http) -> None:
    for path in ("/", "/api/events?limit=1"):
        _, headers, _ = http.raw(path)
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_host_check_rejects_rebound_names(db_path: Path) -> None:
    app = create_app(db_path, allowed_hosts=["127.0.0.1", "localhost"])
    with background(app) as base:
        client = Http(base)
        assert client.raw("/api/stats")[0] == 200
        assert client.raw("/api/stats", headers={"Host": "attacker.example"})[0] == 400
