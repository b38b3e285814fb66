"""The analyst's loop through the real CLI, the real API over loopback HTTP and ``flashpoint.open``:
complete streamed exports that say their totals, the filter set (one definition everywhere),
keyset paging, ACLED and UCDP GED codes, Parquet and pandas, TSV when piped.

The store is built once per module from hand-built reports (``test_store.corpus`` and the Gao
report) plus 250 generated ones, more than any default page, so a silent cap shows up.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import flashpoint
from flashpoint.api import create_app
from flashpoint.api.server import background
from flashpoint.cli import app
from flashpoint.export import CSV_COLUMNS, acled, tables, ucdp, write
from flashpoint.store import EventFilter, open_store
from flashpoint.store.pages import events_page, iter_events
from flashpoint.types import Article, Casualties, Count, DateInfo, Event, Extraction

from .test_api import Http
from .test_export import gao_extraction
from .test_store import actor, corpus, place, sentence_of

D = dt.date
BULK = 250

# (country, town, lat, lon, admin1, geonameid): real places, so the gazetteer can add admin2
TOWNS = [
    ("IRQ", "Abu Ghraib", 33.3056, 44.1848, "Baghdad", 100077),
    ("UKR", "Kherson", 46.63695, 32.61458, "Kherson", 706448),
    ("MLI", "Gao", 16.27167, -0.04472, "Gao", 2457163),
    ("NGA", "Maiduguri", 11.84692, 13.15712, "Borno", 2331447),
]
# (type, mode, source kind, target kind, modality)
PATTERNS = [
    ("ASSAULT", "firearms", "militia", "military", "asserted"),
    ("ASSAULT", "airstrike", "military", "rebel", "asserted"),
    ("ASSAULT", "firearms", "rebel", "civilians", "asserted"),
    ("ASSAULT", "shelling", "military", "civilians", "asserted"),
    ("PROTEST", "riot", "civilians", None, "asserted"),
    ("ASSAULT", "explosive", "rebel", "police", "threat"),
    ("COERCE", "arrest", "police", "civilians", "negated"),
]
PRECISIONS = ["city", "city", "admin1", "country"]


def bulk(n: int = BULK) -> list[Extraction]:
    """``n`` one-event reports, each a different mix of type, place, precision and modality."""
    out = []
    for i in range(n):
        iso3, town, lat, lon, admin1, gid = TOWNS[i % len(TOWNS)]
        kind, mode, src, tgt, modality = PATTERNS[i % len(PATTERNS)]
        text = (
            f"Fighters of group {i} and soldiers clashed near {town} on Monday, "
            f"killing {i % 9 + 1} people, officials said. Civilians fled the area."
        )
        art = Article(
            f"bulk-{i:03d}", text, "feed", f"https://example.org/{i}", f"Report {i}",
            "Example Wire", D(2024, 6, 1) + dt.timedelta(days=i % 40), "en",
        )
        precision = PRECISIONS[i % len(PRECISIONS)]
        actors = [actor(art, "source", f"group {i}", f"Group {i % 17}", iso3, src)]
        if tgt is not None:
            actors.append(actor(art, "target", "soldiers", f"Target {i % 5}", iso3, tgt))
        when = None
        if i % 10:  # every tenth report has no date
            start = D(2024, 1, 1) + dt.timedelta(days=i)
            span = (start, start + dt.timedelta(days=i % 12)) if i % 3 == 0 else (start, start)
            when = DateInfo(span[0], span[1], "day" if span[0] == span[1] else "range")
        killed = Count(i % 9 + 1, i % 9 + 2, i % 9 + 3) if i % 4 else None
        out.append(Extraction(art, [Event(
            f"ev-bulk-{i:03d}", kind, mode, modality,  # type: ignore[arg-type]
            actors=actors,
            date=when,
            location=place(art, town, town, lat, lon, iso3, admin1, precision, gid),
            casualties=Casualties(killed=killed),
            evidence=[sentence_of(art, "clashed")],
        )]))
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from flashpoint.dedup import link_pending

    path = tmp_path_factory.mktemp("analyst") / "events.db"
    with open_store(path) as store:
        store.add([*corpus(), gao_extraction(), *bulk()])
        link_pending(store)  # canonical events for `clusters list`
    return path


@pytest.fixture(scope="module")
def everything(db: Path) -> list[dict[str, Any]]:
    with open_store(db) as store:
        return store.query_events(EventFilter(limit=None))


@pytest.fixture(scope="module")
def http(db: Path) -> Iterator[Http]:
    with background(create_app(db)) as base:
        yield Http(base)


def run(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    return result


def cli_ids(db: Path, *args: str) -> list[str]:
    result = run("events", "--db", str(db), "-f", "json", *args)
    assert result.exit_code == 0, result.output
    return [e["id"] for e in json.loads(result.stdout)["events"]]


def kinds(ev: dict[str, Any]) -> set[str]:
    return {a["kind"] for a in ev.get("actors") or []}


# -- complete exports, totals, paging -----------------------------------------------------------


def test_file_formats_export_every_match_and_say_so(
    db: Path, everything: list[dict[str, Any]]
) -> None:
    total = len(everything)
    assert total > 250  # more than the old silent cap of 100
    for fmt in ("csv", "CSV", "json", "plover", "geojson"):  # format names in any case
        result = run("events", "--db", str(db), "--format", fmt)
        assert result.exit_code == 0, result.output
        body = result.stdout
        if fmt.lower() == "csv":
            count = len(list(csv.DictReader(io.StringIO(body))))
        elif fmt == "json":
            count = len(json.loads(body)["events"])
        elif fmt == "plover":
            count = len(body.splitlines())
        else:
            count = len(json.loads(body)["features"])
            assert count == sum(1 for e in everything if e.get("location"))
            assert f"wrote {count} of {total} matching events" in result.stderr
            continue
        assert count == total, fmt
        assert f"wrote {total} of {total} matching events as {fmt.lower()}" in result.stderr
    capped = run("events", "--db", str(db), "-f", "csv", "--limit", "7")
    assert len(capped.stdout.splitlines()) == 8 and "--limit 7" in capped.stderr


def test_table_pages_says_its_total_and_is_tsv_when_piped(
    db: Path, everything: list[dict[str, Any]]
) -> None:
    result = run("events", "--db", str(db))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["date", "type", "mode"]
    assert len(lines) == 101 and all(line.count("\t") == 8 for line in lines)
    assert "…" not in result.stdout  # cells whole, never cut to a terminal's width
    assert f"showing 100 of {len(everything)} matching events; next page: --cursor" in (
        result.stderr
    )
    unlimited = run("events", "--db", str(db), "--limit", "0")  # 0: no limit, never 0 rows
    assert len(unlimited.stdout.splitlines()) == len(everything) + 1
    assert run("events", "--db", str(db), "--limit", "-3").exit_code == 2


def test_cursor_pages_cover_everything_once_even_while_events_arrive(
    tmp_path: Path,
) -> None:
    path = tmp_path / "growing.db"
    with open_store(path) as store:
        store.add(bulk(60))
        expected = [e["id"] for e in store.query_events(EventFilter(limit=None))]
        seen: list[str] = []
        page = events_page(store, EventFilter(limit=7))
        late = bulk(70)[60:]  # ten more reports, arriving while the pages are read
        store.add(late[:5])
        while True:
            seen += [e["id"] for e in page.items]
            if page.next_cursor is None:
                break
            page = events_page(store, EventFilter(limit=7, cursor=page.next_cursor))
        # events added while paging never repeat or shift a row; those sorted after the
        # cursor simply appear
        assert len(seen) == len(set(seen))
        assert set(expected) <= set(seen)
        assert set(seen) - set(expected) <= {ev.id for ex in late[:5] for ev in ex.events}
        walked = [e["id"] for e in iter_events(store, EventFilter(limit=None), page_size=9)]
        assert walked == [e["id"] for e in store.query_events(EventFilter(limit=None))]


def test_exports_stream_in_constant_memory(tmp_path: Path) -> None:
    """A list-building export grows with the result; a streamed one with the page."""
    path = tmp_path / "big.db"
    with open_store(path) as store:
        store.add(bulk(1200))

        def peak(n: int) -> int:
            sink = io.StringIO()
            tracemalloc.start()
            written = write(iter_events(store, EventFilter(limit=n), page_size=100), "csv",
                            _Discard(sink))
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert written == n
            return top

        peak(50)  # one-time costs (the gazetteer behind admin2) out of the measurement
        small, large = peak(200), peak(1200)
    assert large < 1.6 * small, (small, large)


class _Discard(io.TextIOBase):
    """A file object that keeps nothing (the export's own memory is what is measured)."""

    def __init__(self, _: io.StringIO) -> None:
        super().__init__()

    def write(self, text: str) -> int:
        return len(text)


# -- the filter set -----------------------------------------------------------------------------


def test_new_filters_select_what_they_say(db: Path, everything: list[dict[str, Any]]) -> None:
    def expect(pred: Any) -> set[str]:
        return {e["id"] for e in everything if pred(e)}

    assert set(cli_ids(db, "--modality", "threat")) == expect(lambda e: e["modality"] == "threat")
    assert set(cli_ids(db, "--mode", "airstrike")) == expect(lambda e: e.get("mode") == "airstrike")
    assert set(cli_ids(db, "--actor-kind", "police")) == expect(lambda e: "police" in kinds(e))
    assert set(cli_ids(db, "--precision", "admin1,country")) == expect(
        lambda e: (e.get("location") or {}).get("precision") in ("admin1", "country")
    )
    assert set(cli_ids(db, "--precision", "city,range")) == expect(
        lambda e: (e.get("location") or {}).get("precision") == "city"
        and e["date"]["precision"] == "range"
    )
    # ACLED's subtype, exactly as the ACLED export maps type + mode + target
    clash = set(cli_ids(db, "--sub-event-type", "armed clash"))
    assert clash == {
        r["event_id"]
        for r in csv.DictReader(io.StringIO(acled.to_csv(everything)))
        if r["sub_event_type"] == "Armed clash"
    }
    assert clash
    assert set(cli_ids(db, "--min-sources", "2")) == expect(lambda e: e["source_count"] >= 2)
    assert len(cli_ids(db, "--min-sources", "1")) == len(everything)
    # offset skips, cursor continues
    first = cli_ids(db, "--limit", "5")
    assert cli_ids(db, "--limit", "5", "--offset", "2")[:3] == first[2:5]


def test_cli_api_and_python_share_one_filter_set(
    db: Path, http: Http, everything: list[dict[str, Any]]
) -> None:
    query = {"country": "irq", "actor_kind": "civilians", "precision": "city",
             "sub_event_type": "Attack"}
    args = ["--country", "irq", "--actor-kind", "civilians", "--precision", "city",
            "--sub-event-type", "Attack"]
    from_cli = cli_ids(db, *args)
    body = http.ok("/api/events", {**query, "limit": 500})
    assert [e["id"] for e in body["events"]] == from_cli and from_cli
    with flashpoint.open(db) as fp:
        assert [e["id"] for e in fp.events(**query)] == from_cli
    clusters = run("clusters", "list", "--db", str(db), "-f", "json", *args)
    assert clusters.exit_code == 0, clusters.output
    assert {c["id"] for c in json.loads(clusters.stdout)} == {
        e["cluster_id"] for e in everything if e["id"] in from_cli
    }


@pytest.mark.parametrize(
    "args",
    [
        ("--country", "XXX"),
        ("--since", "2024-02-30"),
        ("--since", "2024-02-01", "--until", "2024-01-01"),
        ("--precision", "town"),
        ("--sub-event-type", "Bombing"),
        ("--actor-kind", "army"),
        ("--cursor", "abc"),
        ("--min-sources", "0"),
    ],
)
def test_filter_errors_are_usage_errors_with_one_code(db: Path, args: tuple[str, ...]) -> None:
    for command in (["events"], ["clusters", "list"]):
        result = run(*command, "--db", str(db), *args)
        assert result.exit_code == 2, (command, args, result.output)
        assert "E070" in result.output and "datetime" not in result.output, result.output
    assert "since='2024-02-01'" in run("events", "--db", str(db), "--since", "2024-02-01",
                                       "--until", "2024-01-01").output


def test_missing_database_and_version(tmp_path: Path) -> None:
    missing = run("events", "--db", str(tmp_path / "nope.db"))
    assert missing.exit_code == 2 and not (tmp_path / "nope.db").exists()
    version = run("--version")
    assert version.exit_code == 0 and version.stdout == f"flashpoint {flashpoint.__version__}\n"


# -- ACLED and UCDP GED ------------------------------------------------------------------------


def test_acled_file_has_acleds_columns_codes_and_only_asserted_events(
    db: Path, everything: list[dict[str, Any]]
) -> None:
    result = run("events", "--db", str(db), "-f", "acled")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [  # ACLED's column order
        "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
        "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
        "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1",
        "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
        "source_scale", "notes", "fatalities", "tags", "timestamp",
    ]
    asserted = [e for e in everything if e["modality"] == "asserted"]
    assert len(rows) == len(asserted) and "--all-modalities" in result.stderr
    every = run("events", "--db", str(db), "-f", "acled", "--all-modalities")
    assert len(list(csv.DictReader(io.StringIO(every.stdout)))) == len(everything)
    by_id = {r["event_id_cnty"]: r for r in rows}
    red_sea = by_id["ev-red-sea"]  # no country: no made-up "XXX-" prefix
    assert red_sea["region"] == "" and red_sea["country"] == ""
    ghraib = by_id["IRQ-ev-bulk-004"]
    assert (ghraib["region"], ghraib["admin1"], ghraib["admin2"]) == (
        "Middle East", "Baghdad", "Abu Ghraib District"
    )
    assert ghraib["event_type"] == "Riots" and ghraib["tags"] == "crowd size=no report"
    assert (ghraib["actor1"], ghraib["inter1"], ghraib["interaction"]) == (
        "Rioters (Iraq)", "Rioters", "Rioters only"
    )
    airstrike = by_id["UKR-ev-bulk-001"]
    assert (airstrike["inter1"], airstrike["inter2"], airstrike["interaction"]) == (
        "State forces", "Rebel group", "State forces-Rebel group"
    )
    # the lower ACLED code comes first whichever actor is actor1
    militia = by_id["IRQ-ev-bulk-000"]
    assert (militia["inter1"], militia["interaction"]) == (
        "Political militia", "State forces-Political militia"
    )
    assert acled.interaction("Civilians", "External/Other forces") == (
        "External/Other forces-Civilians"  # ACLED's own spelling of its code 78
    )
    # fatalities: the most conservative figure (low of a range, best 3); timestamp: Unix seconds
    assert (militia["fatalities"], airstrike["fatalities"]) == ("0", "2")
    assert abs(int(militia["timestamp"]) - dt.datetime.now(dt.UTC).timestamp()) < 3600
    assert {r["region"] for r in rows if r["country"] == "Nigeria"} == {"Western Africa"}
    assert tables.acled_region("MOZ") == "Southern Africa" and tables.acled_region(None) == ""


def test_ucdp_file_has_ged_columns_and_codes(db: Path, everything: list[dict[str, Any]]) -> None:
    result = run("events", "--db", str(db), "-f", "ucdp")
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert list(next(iter(rows.values())))[:5] == [
        "id", "year", "type_of_violence", "side_a", "side_b"
    ]
    assert {"where_prec", "date_prec", "date_start", "date_end", "best", "low", "high",
            "deaths_civilians", "source_article", "latitude", "longitude", "country"} <= set(
        ucdp.COLUMNS
    )
    # only asserted organised violence: no riots, arrests, threats
    assert all(everything_by(everything, i)["type"] == "ASSAULT" for i in rows)
    assert all(everything_by(everything, i)["modality"] == "asserted" for i in rows)
    state = rows["ev-bulk-001"]  # military airstrike on rebels in Ukraine
    assert (state["type_of_violence"], state["side_a"], state["side_b"]) == (
        "1", "Government of Ukraine", "Target 1"
    )
    onesided = rows["ev-bulk-002"]  # rebels against civilians
    assert (onesided["type_of_violence"], onesided["side_b"]) == ("3", "Civilians")
    assert onesided["deaths_civilians"] == onesided["best"] == "4"
    militia = rows["ev-bulk-000"]  # militia against soldiers: a state's forces, on side A
    assert (militia["type_of_violence"], militia["side_a"], militia["best"]) == (
        "1", "Government of Iraq", ""
    )
    assert militia["deaths_civilians"] == "" and state["deaths_civilians"] == ""
    assert rows["ev-bulk-009"]["type_of_violence"] == "3"  # rebels against civilians again
    # no state's forces on either side, no civilian target: non-state conflict
    assert ucdp.type_of_violence(
        {"type": "ASSAULT", "mode": "firearms", "actors": [
            {"role": "source", "kind": "rebel"}, {"role": "target", "kind": "militia"}]}
    ) == 2
    # where_prec 1 town, 4 province, 6 country; date_prec 1 day, 2 short span, 4 up to a month
    assert {rows[f"ev-bulk-{i:03d}"]["where_prec"] for i in (1, 2, 3)} == {"1", "4", "6"}
    assert rows["ev-bulk-003"]["where_prec"] == "6"
    assert (rows["ev-bulk-001"]["date_prec"], rows["ev-bulk-003"]["date_prec"]) == ("1", "2")
    assert rows["ev-bulk-009"]["date_prec"] == "4"  # a ten-day span
    assert ucdp.date_prec({"precision": "week"}) == 3
    assert ucdp.date_prec({"precision": "year"}) == 5
    assert ucdp.WHERE_PREC["sea"] == 7 and rows["ev-red-sea"]["where_prec"] == "7"
    assert (state["low"], state["best"], state["high"]) == ("2", "3", "4")


def everything_by(events: list[dict[str, Any]], event_id: str) -> dict[str, Any]:
    return next(e for e in events if e["id"] == event_id)


# -- Parquet and pandas -------------------------------------------------------------------------


def test_parquet_and_pandas_hold_the_csv_columns_typed(
    db: Path, tmp_path: Path, everything: list[dict[str, Any]]
) -> None:
    pd = pytest.importorskip("pandas", reason="the [analysis] extra is not installed")
    out = tmp_path / "events.parquet"
    assert run("events", "--db", str(db), "-f", "parquet").exit_code == 2  # needs --output
    result = run("events", "--db", str(db), "-f", "parquet", "-o", str(out), "--country", "UKR")
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    ukraine = [e for e in everything if (e.get("location") or {}).get("country") == "UKR"]
    assert list(frame.columns) == list(CSV_COLUMNS) and len(frame) == len(ukraine)
    with flashpoint.open(db) as fp:
        query = fp.events(country="UKR")
        assert len(query) == len(ukraine)
        df = query.to_pandas()
    assert list(df.columns) == list(CSV_COLUMNS) and len(df) == len(ukraine)
    assert str(df["fatalities"].dtype) == "Int64" and str(df["latitude"].dtype) == "float64"
    assert str(df["event_date"].dtype).startswith("datetime64")
    assert sorted(df["event_id"]) == sorted(frame["event_id"]) == sorted(e["id"] for e in ukraine)
    with pytest.raises(flashpoint.errors.FlashpointError) as err:
        flashpoint.open(tmp_path / "typo.db")
    assert err.value.code == "E001"


# -- the HTTP API ------------------------------------------------------------------------------


def test_api_lists_page_by_cursor_with_a_total_header(
    http: Http, everything: list[dict[str, Any]]
) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 40}
    while True:
        status, headers, raw = http.raw("/api/events", params)
        assert status == 200 and headers["x-total-count"] == str(len(everything))
        page = json.loads(raw)
        seen += [e["id"] for e in page["events"]]
        if page["next_cursor"] is None:
            break
        assert headers["x-next-cursor"] == page["next_cursor"]
        params = {"limit": 40, "cursor": page["next_cursor"]}
    assert seen == [e["id"] for e in everything]
    status, headers, raw = http.raw("/api/clusters", {"limit": 3})
    assert status == 200 and int(headers["x-total-count"]) >= 3
    assert len(json.loads(raw)["clusters"]) == 3
    events_cursor = http.ok("/api/events", {"limit": 2})["next_cursor"]
    status, body = http.get("/api/clusters", {"cursor": events_cursor})
    assert status == 400 and body["code"] == "E070" and "another list" in body["detail"]


def test_api_exports_stream_every_match(http: Http, everything: list[dict[str, Any]]) -> None:
    status, headers, raw = http.raw("/api/events.csv")
    assert status == 200 and headers["x-total-count"] == str(len(everything))
    assert len(list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))) == len(everything)
    status, headers, raw = http.raw("/api/events.ucdp", {"country": "MLI"})
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert status == 200 and rows and {r["country"] for r in rows} == {"Mali"}
    status, headers, raw = http.raw("/api/events.acled", {"all_modalities": "true"})
    assert len(list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))) == len(everything)
    status, headers, raw = http.raw("/api/events.plover", {"limit": 12})
    assert status == 200 and len(raw.decode("utf-8").splitlines()) == 12
    assert headers["content-disposition"] == 'attachment; filename="events-plover.jsonl"'


# -- extract ----------------------------------------------------------------------------------


def test_extract_prints_one_document(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Gunmen killed five soldiers at a checkpoint in Gao on Monday, the army said.\n",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "Police arrested 40 protesters in Nairobi on Tuesday, the Interior Ministry said.\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    env = {"FLASHPOINT_CODER": "0"}
    many = runner.invoke(app, ["extract", str(folder), "--format", "json"], env=env)
    assert many.exit_code == 0, many.output
    docs = json.loads(many.stdout)
    assert isinstance(docs, list) and len(docs) == 2
    lines = runner.invoke(app, ["extract", str(folder), "-f", "JSONL"], env=env)
    assert [json.loads(line)["article"]["id"] for line in lines.stdout.splitlines()] == [
        d["article"]["id"] for d in docs
    ]
    one = runner.invoke(app, ["extract", str(folder / "a.txt")], env=env)
    assert isinstance(json.loads(one.stdout), dict)  # the contract: one article, one object
    missing = runner.invoke(app, ["extract", str(tmp_path / "nothere")], env=env)
    assert missing.exit_code == 1 and "E001" in missing.output
