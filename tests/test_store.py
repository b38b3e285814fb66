"""Store: a real SQLite file per test, filled with hand-built events from realistic reports."""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from flashpoint.errors import FlashpointError
from flashpoint.store import (
    SCHEMA_VERSION,
    AddResult,
    EventFilter,
    InvalidFilter,
    Store,
    open_store,
)
from flashpoint.types import (
    Actor,
    Article,
    Attribution,
    Casualties,
    Count,
    DateInfo,
    Event,
    Evidence,
    Extraction,
    Location,
    Related,
)

D = dt.date


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return (start, start + len(part))


def sentence_of(article: Article, part: str) -> Evidence:
    """Evidence for the sentence of ``article`` containing ``part`` (sentences end in '. ')."""
    text = article.text
    at = text.index(part)
    start = text.rfind(". ", 0, at)
    start = 0 if start < 0 else start + 2
    end = text.find(". ", at)
    end = len(text) if end < 0 else end + 1
    return Evidence(article.id, start, end, text[start:end])


def actor(
    article: Article, role: str, part: str, name: str, country: str | None, kind: str, **extra: str
) -> Actor:
    return Actor(role, part, name, country, kind, span(article.text, part), **extra)  # type: ignore[arg-type]


def place(
    article: Article,
    part: str,
    name: str,
    lat: float,
    lon: float,
    country: str | None,
    admin1: str | None,
    precision: str,
    geonameid: int | None = None,
) -> Location:
    return Location(
        part,
        name,
        lat,
        lon,
        country,
        admin1,
        precision,  # type: ignore[arg-type]
        geonameid,
        span(article.text, part),
    )


def day(article: Article, part: str, when: dt.date) -> DateInfo:
    return DateInfo(when, when, "day", text=part, span=span(article.text, part))


IRAQ_TEXT = (
    "The US carried out strikes on Tuesday against three facilities used by the Iranian-backed "
    "group Kataib Hezbollah and other Iran-affiliated groups in Iraq. "
    "The retaliatory strikes came days after multiple missiles targeted Iraq's Ain al-Asad "
    "military base on Saturday, which houses US troops. "
    "The attack was claimed by the Islamic Resistance in Iraq, a network of militias. "
    "Attacks by Yemen's Iran-backed Houthis on commercial ships in the Red Sea continue."
)
KENYA_TEXT = (
    "Thousands of protesters marched through central Nairobi on Thursday against the finance "
    "bill. Police arrested 210 people, the Interior Ministry said. "
    "At least two people were killed and dozens injured when police opened fire, the Kenya "
    "National Commission on Human Rights said."
)
BURKINA_TEXT = (
    "Gunmen killed at least 35 civilians and wounded 37 others when an improvised device hit a "
    "supply convoy near Djibo on Monday, the regional governor said. "
    "Jama'at Nasr al-Islam wal Muslimin has not claimed the attack."
)
KHERSON_REUTERS = (
    "Russian forces shelled Kherson on Sunday, killing three people and wounding eleven, "
    "regional governor Oleksandr Prokudin said."
)
KHERSON_AP = (
    "Three civilians died in Russian artillery fire on Kherson on Sunday, Ukrainian officials said."
)
PACIFIC_TEXT = (
    "Hundreds of demonstrators gathered outside parliament in Suva on Friday. "
    "In Apia, police dispersed a rally on the same day. "
    "A bomb exploded near a police station in Bogotá next week, officials feared."
)


def corpus() -> list[Extraction]:
    iraq = Article(
        "anadolu-us-strikes",
        IRAQ_TEXT,
        "anadolu.txt",
        "https://www.aa.com.tr/en/middle-east/us-strikes",
        "US strikes facilities",
        "Anadolu Agency",
        D(2024, 1, 24),
        "en",
        (0, 29),
    )
    kenya = Article(
        "kenya-finance-bill",
        KENYA_TEXT,
        "feed.jsonl",
        None,
        "Kenya protests",
        "Daily Nation",
        D(2024, 6, 21),
        "en",
    )
    burkina = Article(
        "burkina-djibo",
        BURKINA_TEXT,
        "feed.jsonl",
        "https://example.org/djibo",
        None,
        "AFP",
        D(2022, 9, 27),
        "en",
    )
    reuters = Article(
        "reuters-kherson",
        KHERSON_REUTERS,
        "feed.jsonl",
        "https://example.org/r",
        None,
        "Reuters",
        D(2023, 5, 8),
        "en",
    )
    ap = Article(
        "ap-kherson",
        KHERSON_AP,
        "feed.jsonl",
        "https://example.org/ap",
        None,
        "AP",
        D(2023, 5, 8),
        "en",
    )
    pacific = Article("pacific", PACIFIC_TEXT, "feed.jsonl", None, None, "RNZ", D(2023, 3, 4), "en")

    us_strike = Event(
        "ev-iraq-strike",
        "ASSAULT",
        "airstrike",
        "asserted",
        actors=[
            actor(iraq, "source", "The US", "United States", "USA", "state"),
            actor(
                iraq,
                "target",
                "Kataib Hezbollah",
                "Kataib Hezbollah",
                "IRQ",
                "militia",
                sponsor="IRN",
            ),
        ],
        date=day(iraq, "Tuesday", D(2024, 1, 23)),
        location=place(iraq, "Iraq", "Iraq", 33.0, 44.0, "IRQ", None, "country", 99237),
        attribution=Attribution("report"),
        related=[Related("ev-asad-missiles", "response_to")],
        evidence=[sentence_of(iraq, "The US carried out strikes")],
        confidence=0.92,
        trigger="strikes",
        trigger_span=span(IRAQ_TEXT, "strikes"),
        instruments=["strikes"],
    )
    asad = Event(
        "ev-asad-missiles",
        "ASSAULT",
        "missile",
        "asserted",
        actors=[
            actor(
                iraq,
                "claimant",
                "the Islamic Resistance in Iraq",
                "Islamic Resistance in Iraq",
                "IRQ",
                "militia",
            ),
            actor(iraq, "target", "US troops", "United States Armed Forces", "USA", "military"),
        ],
        date=day(iraq, "Saturday", D(2024, 1, 20)),
        location=place(
            iraq,
            "Ain al-Asad",
            "Ain al-Asad Air Base",
            33.78581,
            42.44116,
            "IRQ",
            "Al Anbar",
            "site",
        ),
        attribution=Attribution(
            "claim",
            "The attack was claimed by",
            "Islamic Resistance in Iraq",
            span(IRAQ_TEXT, "claimed"),
        ),
        evidence=[sentence_of(iraq, "multiple missiles"), sentence_of(iraq, "was claimed")],
        confidence=0.81,
        intercepted=True,
    )
    red_sea = Event(
        "ev-red-sea",
        "ASSAULT",
        None,
        "asserted",
        actors=[
            actor(iraq, "source", "Houthis", "Houthis", "YEM", "rebel"),
            actor(iraq, "target", "commercial ships", "Commercial shipping", None, "other"),
        ],
        date=DateInfo(D(2023, 11, 19), D(2024, 1, 24), "range"),
        location=place(iraq, "Red Sea", "Red Sea", 20.0, 38.5, None, None, "sea"),
        evidence=[sentence_of(iraq, "Houthis")],
        confidence=0.6,
    )
    protest = Event(
        "ev-nairobi-march",
        "PROTEST",
        "demo",
        "asserted",
        actors=[actor(kenya, "source", "protesters", "Protesters", "KEN", "civilians")],
        date=day(kenya, "Thursday", D(2024, 6, 20)),
        location=place(
            kenya, "Nairobi", "Nairobi", -1.28333, 36.81667, "KEN", "Nairobi", "city", 184745
        ),
        evidence=[sentence_of(kenya, "marched")],
        confidence=0.88,
    )
    arrests = Event(
        "ev-nairobi-arrests",
        "COERCE",
        "arrest",
        "asserted",
        actors=[
            actor(kenya, "source", "Police", "National Police Service", "KEN", "police"),
            actor(kenya, "target", "210 people", "Protesters", "KEN", "civilians"),
        ],
        date=day(kenya, "Thursday", D(2024, 6, 20)),
        location=place(
            kenya, "Nairobi", "Nairobi", -1.28333, 36.81667, "KEN", "Nairobi", "city", 184745
        ),
        casualties=Casualties(
            killed=Count(2, 2, None),
            injured=Count(None, 24, None),
            text="At least two people were killed",
        ),
        attribution=Attribution("statement", "the Interior Ministry said", "Interior Ministry"),
        evidence=[sentence_of(kenya, "arrested 210"), sentence_of(kenya, "At least two")],
        confidence=0.77,
    )
    djibo = Event(
        "ev-djibo-convoy",
        "ASSAULT",
        "explosive",
        "asserted",
        actors=[
            actor(burkina, "source", "Gunmen", "Unidentified armed group", "BFA", "other"),
            actor(burkina, "target", "civilians", "Civilians", "BFA", "civilians"),
        ],
        date=day(burkina, "Monday", D(2022, 9, 26)),
        location=place(burkina, "Djibo", "Djibo", 14.10194, -1.63056, "BFA", "Sahel", "city"),
        casualties=Casualties(killed=Count(35, 35, None), injured=Count(37, 37, 37)),
        attribution=Attribution("statement", "the regional governor said", "regional governor"),
        evidence=[sentence_of(burkina, "Gunmen killed")],
        confidence=0.85,
    )
    not_claimed = Event(
        "ev-djibo-claim",
        "ASSAULT",
        "explosive",
        "negated",
        actors=[
            actor(
                burkina,
                "claimant",
                "Jama'at Nasr al-Islam wal Muslimin",
                "Jama'at Nasr al-Islam wal Muslimin",
                None,
                "terrorist",
            )
        ],
        date=day(burkina, "Monday", D(2022, 9, 26)),
        evidence=[sentence_of(burkina, "has not claimed")],
        confidence=0.5,
    )
    kherson_r = Event(
        "ev-kherson-reuters",
        "ASSAULT",
        "shelling",
        "asserted",
        actors=[
            actor(reuters, "source", "Russian forces", "Armed Forces of Russia", "RUS", "military")
        ],
        date=day(reuters, "Sunday", D(2023, 5, 7)),
        location=place(
            reuters, "Kherson", "Kherson", 46.63695, 32.61458, "UKR", "Kherson", "city", 706448
        ),
        casualties=Casualties(killed=Count(3, 3, 3), injured=Count(11, 11, 11)),
        evidence=[sentence_of(reuters, "shelled")],
        confidence=0.9,
    )
    kherson_a = Event(
        "ev-kherson-ap",
        "ASSAULT",
        "shelling",
        "asserted",
        actors=[
            actor(ap, "source", "Russian", "Armed Forces of Russia", "RUS", "military"),
            actor(ap, "target", "Three civilians", "Civilians", "UKR", "civilians"),
        ],
        date=day(ap, "Sunday", D(2023, 5, 7)),
        location=place(
            ap, "Kherson", "Kherson", 46.63695, 32.61458, "UKR", "Kherson", "city", 706448
        ),
        casualties=Casualties(killed=Count(3, 3, 3)),
        evidence=[sentence_of(ap, "artillery")],
        confidence=0.88,
    )
    suva = Event(
        "ev-suva-rally",
        "PROTEST",
        "demo",
        "asserted",
        actors=[actor(pacific, "source", "demonstrators", "Protesters", "FJI", "civilians")],
        date=day(pacific, "Friday", D(2023, 3, 3)),
        location=place(pacific, "Suva", "Suva", -18.14161, 178.44149, "FJI", "Central", "city"),
        evidence=[sentence_of(pacific, "Suva")],
    )
    apia = Event(
        "ev-apia-dispersal",
        "COERCE",
        None,
        "asserted",
        actors=[actor(pacific, "source", "police", "Samoa Police Service", "WSM", "police")],
        date=DateInfo(D(2023, 3, 1), D(2023, 3, 31), "month"),
        location=place(pacific, "Apia", "Apia", -13.83333, -171.76666, "WSM", "Tuamasaga", "city"),
        evidence=[sentence_of(pacific, "Apia")],
    )
    bogota = Event(
        "ev-bogota-bomb",
        "ASSAULT",
        "explosive",
        "future",
        actors=[],
        location=place(
            pacific, "Bogotá", "Bogotá", 4.60971, -74.08175, "COL", "Bogota D.C.", "city"
        ),
        evidence=[sentence_of(pacific, "Bogotá")],
        confidence=0.3,
    )
    return [
        Extraction(iraq, [us_strike, asad, red_sea]),
        Extraction(kenya, [protest, arrests]),
        Extraction(burkina, [djibo, not_claimed]),
        Extraction(reuters, [kherson_r]),
        Extraction(ap, [kherson_a]),
        Extraction(pacific, [suva, apia, bogota]),
    ]


ALL_EVENTS = {ev.id: ev for ex in corpus() for ev in ex.events}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "events.db")
    s.add(corpus())
    yield s
    s.close()


def ids(store: Store, **filters: object) -> list[str]:
    return [e["id"] for e in store.query_events(EventFilter(limit=None, **filters))]  # type: ignore[arg-type]


# -- opening ---------------------------------------------------------------------------------


def test_open_accepts_paths_and_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url, expected in (
        (str(tmp_path / "a.db"), tmp_path / "a.db"),
        (tmp_path / "b.db", tmp_path / "b.db"),
        ("sqlite:///rel/c.db", tmp_path / "rel" / "c.db"),
        (f"sqlite:///{tmp_path / 'd.db'}", tmp_path / "d.db"),
    ):
        with open_store(url) as s:
            s.add(corpus()[:1])
        assert expected.exists(), url
        conn = sqlite3.connect(expected)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == (
            SCHEMA_VERSION
        )
        conn.close()
    for url in (":memory:", "sqlite://", "sqlite:///:memory:"):
        with open_store(url) as s:
            assert s.add(corpus()[:1]).events_added == 3
            assert s._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("postgresql+asyncpg://fp:s3cret@db.example.org/events", "E040"),
        ("mysql://localhost/events", "E040"),
        ("sqlite://host/events.db", "E040"),
        ("   ", "E040"),
    ],
)
def test_open_rejects_unsupported_urls(url: str, code: str) -> None:
    with pytest.raises(FlashpointError) as err:
        open_store(url)
    assert err.value.code == code
    assert "s3cret" not in str(err.value)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_version VALUES (?, ?)", (SCHEMA_VERSION + 1, "2030-01-01"))
    conn.commit()
    conn.close()
    with pytest.raises(FlashpointError) as err:
        open_store(path)
    assert err.value.code == "E041"


def test_non_database_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database, just notes\n" * 200)
    with pytest.raises(FlashpointError) as err:
        open_store(path)
    assert err.value.code == "E043"


def test_reopen_keeps_data_and_does_not_remigrate(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    with open_store(path) as s:
        s.add(corpus())
    with open_store(path) as s:
        assert s.count_events() == len(ALL_EVENTS)
        versions = s._conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0]
        assert versions == SCHEMA_VERSION


def test_search_index_is_built_for_evidence_stored_without_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with open_store(path) as s:
        s.add(corpus())
    conn = sqlite3.connect(path)  # as if written by a SQLite build without FTS5
    for trigger in ("evidence_fts_insert", "evidence_fts_delete", "evidence_fts_update"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE evidence_fts")
    conn.commit()
    conn.close()
    with open_store(path) as s:
        assert s.fts
        assert ids(s, text="convoy") == ["ev-djibo-convoy"]


def test_two_connections_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with open_store(path) as reader, open_store(path) as writer:
        assert reader.count_events() == 0
        writer.add(corpus()[:2])
        assert reader.count_events() == 5
        assert reader.add(corpus()[:3]).articles_skipped == 2


# -- writing and reading back ------------------------------------------------------------------


def test_round_trip_is_lossless(store: Store) -> None:
    for ex in corpus():
        for ev in ex.events:
            got = store.get_event(ev.id)
            assert got is not None
            contract = ev.to_dict()
            assert {k: got[k] for k in contract} == contract
            assert got["article"]["id"] == ex.article.id
            assert got["article"]["publisher"] == ex.article.publisher
            assert got["article"]["text_chars"] == len(ex.article.text)
            assert got["cluster_id"] == ev.id
            assert got["source_count"] == 1
    assert store.get_event("no-such-event") is None


def test_get_article_returns_text_and_event_order(store: Store) -> None:
    art = store.get_article("anadolu-us-strikes")
    assert art is not None
    assert art["text"] == IRAQ_TEXT
    assert art["published"] == "2024-01-24"
    assert art["title_span"] == [0, 29]
    assert art["event_ids"] == ["ev-iraq-strike", "ev-asad-missiles", "ev-red-sea"]
    assert store.has_article("kenya-finance-bill")
    assert not store.has_article("kenya")
    assert store.get_article("kenya") is None


def test_adding_twice_adds_nothing(store: Store) -> None:
    before = store.stats()
    again = store.add(corpus())
    assert again == AddResult(articles_skipped=6)
    after = store.stats()
    for key in ("articles", "events", "evidence", "actors"):
        assert after[key] == before[key]


def test_duplicates_within_one_batch_are_skipped(tmp_path: Path) -> None:
    extractions = corpus()
    with open_store(tmp_path / "x.db") as s:
        result = s.add([extractions[0], extractions[0], extractions[1]])
        assert result.articles_added == 2
        assert result.articles_skipped == 1
        assert result.events_added == 5
        total = result + s.add(extractions)
        assert total.articles_added == 6 and total.articles_skipped == 3


def test_event_id_taken_by_another_article_is_skipped(store: Store) -> None:
    first = corpus()[0]
    copy = Extraction(
        Article("anadolu-mirror", first.article.text, "mirror", publisher="Mirror"),
        first.events,
    )
    result = store.add([copy])
    assert (result.articles_added, result.events_added, result.events_skipped) == (1, 0, 3)
    assert store.get_event("ev-iraq-strike")["article"]["id"] == "anadolu-us-strikes"  # type: ignore[index]


def test_replace_rewrites_article_and_search_index(store: Store) -> None:
    kenya = corpus()[1]
    new_text = KENYA_TEXT.replace("marched", "paraded")
    article = Article(kenya.article.id, new_text, "feed.jsonl", publisher="Daily Nation")
    march = kenya.events[0]
    march.evidence = [sentence_of(article, "paraded")]
    result = store.add([Extraction(article, [march])], replace=True)
    assert (result.articles_replaced, result.articles_added, result.events_added) == (1, 0, 1)
    assert store.get_event("ev-nairobi-arrests") is None
    assert ids(store, text="paraded") == ["ev-nairobi-march"]
    assert ids(store, text="marched") == []
    store._conn.execute("INSERT INTO evidence_fts (evidence_fts) VALUES ('integrity-check')")


def test_failed_batch_commits_nothing(store: Store) -> None:
    before = store.stats()
    good = Extraction(Article("good-article", KHERSON_AP, "feed"), [])
    broken_event = Event("ev-broken", None, None, "asserted")  # type: ignore[arg-type]
    broken = Extraction(Article("broken-article", KHERSON_AP, "feed"), [broken_event])
    with pytest.raises(sqlite3.IntegrityError):
        store.add([good, broken])
    assert not store.has_article("good-article")
    assert not store.has_article("broken-article")
    assert store.stats()["events"] == before["events"]
    assert store.add([good]).articles_added == 1  # the store is still usable


def test_writes_in_one_transaction_commit_together(store: Store) -> None:
    """``transaction`` nests as a savepoint: a refused inner write undoes only itself, and a
    failure of the outer block undoes every write in it (how a batch and its links commit)."""
    first = Extraction(Article("first-article", KHERSON_AP, "feed"), [])
    second = Extraction(Article("second-article", KHERSON_AP + " Again.", "feed"), [])
    broken_event = Event("ev-broken", None, None, "asserted")  # type: ignore[arg-type]
    broken = Extraction(Article("broken-article", KHERSON_AP + " More.", "feed"), [broken_event])
    with store.transaction():
        store.add([first])
        with pytest.raises(sqlite3.IntegrityError):
            store.add([broken])  # its own savepoint rolls back; the outer block goes on
        store.add([second])
    assert store.has_article("first-article") and store.has_article("second-article")
    assert not store.has_article("broken-article")
    third = Extraction(Article("third-article", KHERSON_AP + " Later.", "feed"), [])
    with pytest.raises(RuntimeError), store.transaction():
        store.add([third])
        raise RuntimeError("killed before the batch was linked")
    assert not store.has_article("third-article")
    assert store.add([third]).articles_added == 1  # the store is still usable


def test_nan_coordinates_are_refused(tmp_path: Path) -> None:
    ex = corpus()[3]
    assert ex.events[0].location is not None
    ex.events[0].location.lat = math.nan
    with open_store(tmp_path / "x.db") as s:
        with pytest.raises(ValueError):
            s.add([ex])
        assert s.count_events() == 0 and not s.has_article(ex.article.id)


def test_crash_mid_batch_keeps_committed_batches(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(Path(__file__).parents[1])!r})
        from tests.test_store import corpus
        from flashpoint.store import core, open_store
        store = open_store({str(path)!r})
        batches = corpus()
        store.add(batches[:2])
        real_insert = core.Store._insert
        calls = []
        def dying_insert(self, table, columns, values):
            real_insert(self, table, columns, values)
            calls.append(table)
            if table == "events":
                os._exit(3)  # hard crash with articles and events written, not committed
        core.Store._insert = dying_insert
        store.add(batches[2:])
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == 3, proc.stderr.decode()
    with open_store(path) as s:
        assert s.has_article("anadolu-us-strikes") and s.has_article("kenya-finance-bill")
        assert not s.has_article("burkina-djibo")
        assert s.count_events() == 5
        assert s._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert s.add(corpus()).articles_added == 4


# -- filters -----------------------------------------------------------------------------------


def test_default_order_is_newest_first_then_id_with_undated_last(store: Store) -> None:
    got = store.query_events(EventFilter(limit=None))
    assert len(got) == len(ALL_EVENTS)
    starts = [e["date"]["start"] for e in got]
    dated = [s for s in starts if s is not None]
    assert dated == sorted(dated, reverse=True)
    assert starts[-1] is None and got[-1]["id"] == "ev-bogota-bomb"
    nairobi = [e["id"] for e in got if e["date"]["start"] == "2024-06-20"]
    assert nairobi == ["ev-nairobi-arrests", "ev-nairobi-march"]


def test_date_filters_match_overlapping_spans(store: Store) -> None:
    assert ids(store, since=D(2024, 1, 21)) == [
        "ev-nairobi-arrests",
        "ev-nairobi-march",
        "ev-iraq-strike",
        "ev-red-sea",
    ]
    # The Red Sea campaign (a range) overlaps a window inside it; so does Apia's month.
    assert ids(store, since=D(2023, 12, 1), until=D(2023, 12, 31)) == ["ev-red-sea"]
    assert ids(store, since=D(2023, 3, 15), until=D(2023, 3, 20)) == ["ev-apia-dispersal"]
    assert "ev-bogota-bomb" not in ids(store, until=D(2030, 1, 1))


def test_country_type_mode_modality_and_article_filters(store: Store) -> None:
    assert ids(store, country="irq") == ["ev-iraq-strike", "ev-asad-missiles"]
    assert set(ids(store, type="protest")) == {"ev-nairobi-march", "ev-suva-rally"}
    assert ids(store, type="ASSAULT", mode="shelling") == ["ev-kherson-ap", "ev-kherson-reuters"]
    assert ids(store, modality="negated") == ["ev-djibo-claim"]
    assert ids(store, article_id="kenya-finance-bill") == ["ev-nairobi-arrests", "ev-nairobi-march"]
    assert ids(store, country="KEN", type="ASSAULT") == []


def test_actor_filter_matches_names_and_text_case_insensitively(store: Store) -> None:
    assert ids(store, actor="kataib") == ["ev-iraq-strike"]
    assert ids(store, actor="ARMED FORCES OF RUSSIA") == ["ev-kherson-ap", "ev-kherson-reuters"]
    assert ids(store, actor="US troops") == ["ev-asad-missiles"]  # the text as written
    assert ids(store, actor="jama'at nasr") == ["ev-djibo-claim"]
    assert ids(store, actor="%") == []
    assert ids(store, actor="_") == []


@pytest.mark.parametrize("fts", [True, False])
def test_text_search(tmp_path: Path, fts: bool) -> None:
    with open_store(tmp_path / "t.db", fts=fts) as s:
        s.add(corpus())
        assert s.fts is fts
        got = {e["id"] for e in s.query_events(EventFilter(text="convoy djibo", limit=None))}
        assert got == {"ev-djibo-convoy"}
        assert {e["id"] for e in s.query_events(EventFilter(text='"Red Sea"'))} == {"ev-red-sea"}
        assert s.count_events(EventFilter(text="bogota")) == (1 if fts else 0)
        assert s.count_events(EventFilter(text="Bogotá")) == 1
        assert s.count_events(EventFilter(text="missiles targeted")) == 1
        assert s.count_events(EventFilter(text="tanks")) == 0


def test_fts_stems_and_prefixes(store: Store) -> None:
    assert store.fts
    # Porter stemming: "strike" finds "strikes" in both Iraq sentences that use it.
    assert ids(store, text="strike") == ["ev-iraq-strike", "ev-asad-missiles"]
    assert set(ids(store, text="protest*")) == {"ev-nairobi-march"}
    assert set(ids(store, text="shell*")) == {"ev-kherson-reuters"}


def test_bbox_filter_including_antimeridian(store: Store) -> None:
    east_africa = (33.0, -5.0, 42.0, 5.0)
    assert ids(store, bbox=east_africa) == ["ev-nairobi-arrests", "ev-nairobi-march"]
    iraq = (38.8, 29.0, 48.6, 37.4)
    assert ids(store, bbox=iraq) == ["ev-iraq-strike", "ev-asad-missiles"]
    pacific = (170.0, -20.0, -170.0, -10.0)
    assert ids(store, bbox=pacific) == ["ev-suva-rally", "ev-apia-dispersal"]
    assert ids(store, bbox=(-1.0, 0.0, 1.0, 1.0)) == []


def test_min_sources_counts_articles_per_cluster(store: Store) -> None:
    assert ids(store, min_sources=2) == []
    assert store.set_clusters({"ev-kherson-ap": "ev-kherson-reuters"}) == 1
    assert ids(store, min_sources=2) == ["ev-kherson-ap", "ev-kherson-reuters"]
    merged = store.get_event("ev-kherson-ap")
    assert merged is not None and merged["source_count"] == 2
    assert merged["cluster_id"] == "ev-kherson-reuters"
    assert store.stats()["clusters"] == len(ALL_EVENTS) - 1


def test_paging_walks_every_event_once(store: Store) -> None:
    everything = ids(store)
    pages: list[str] = []
    for offset in range(0, len(everything) + 4, 4):
        page = store.query_events(EventFilter(limit=4, offset=offset))
        assert len(page) <= 4
        pages.extend(e["id"] for e in page)
    assert pages == everything
    assert len(store.query_events(EventFilter(offset=10, limit=None))) == len(everything) - 10
    assert store.query_events(EventFilter(limit=0)) == []


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"type": "ASSAULT"},
        {"text": "police"},
        {"country": "UKR", "since": D(2023, 1, 1)},
        {"bbox": (-180.0, -90.0, 180.0, 90.0)},
    ],
)
def test_count_matches_query(store: Store, filters: dict[str, object]) -> None:
    expected = len(store.query_events(EventFilter(limit=None, **filters)))  # type: ignore[arg-type]
    assert store.count_events(EventFilter(limit=1, **filters)) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "filters",
    [
        {"actor": "x' OR 1=1 --"},
        {"actor": "'); DROP TABLE events; --"},
        {"mode": "airstrike' OR '1'='1"},
        {"article_id": "x' UNION SELECT event_json FROM events --"},
        {"text": 'strikes" OR "1'},
        {"text": "'; DROP TABLE evidence; --"},
        {"text": "sentence:Nairobi NEAR(strike"},
    ],
)
def test_injection_attempts_are_inert(store: Store, filters: dict[str, str]) -> None:
    assert store.query_events(EventFilter(**filters)) == []  # type: ignore[arg-type]
    tables = {r[0] for r in store._conn.execute("SELECT name FROM sqlite_master")}
    assert {"articles", "events", "event_actors", "evidence", "related"} <= tables
    assert store.count_events() == len(ALL_EVENTS)


def test_filter_validation() -> None:
    f = EventFilter.from_params(
        {
            "since": "2024-01-01",
            "country": "irq",
            "bbox": "38.8,29,48.6,37.4",
            "limit": "5",
            "type": "assault",
            "text": "",
        }
    )
    assert (f.since, f.country, f.type, f.limit) == (D(2024, 1, 1), "IRQ", "ASSAULT", 5)
    assert f.text is None
    assert f.bbox == (38.8, 29.0, 48.6, 37.4)
    bad = [
        {"since": "yesterday"},
        {"since": "2024-02-01", "until": "2024-01-01"},
        {"country": "IRQ' OR '1'='1"},
        {"country": "Iraq"},
        {"type": "BOMBING"},
        {"modality": "maybe"},
        {"bbox": "1,2,3"},
        {"bbox": "0,80,10,95"},
        {"bbox": "nan,0,1,1"},
        {"limit": "-1"},
        {"min_sources": "0"},
        {"text": "?!"},
        {"colour": "red"},
    ]
    for params in bad:
        with pytest.raises(InvalidFilter) as err:
            EventFilter.from_params(params)
        assert err.value.code == "E070", params


# -- aggregates and concurrency ----------------------------------------------------------------


def test_actors_ranked_with_usual_kind_and_country(store: Store) -> None:
    got = {a["name"]: a for a in store.actors(limit=100)}
    russia = got["Armed Forces of Russia"]
    assert (russia["events"], russia["kind"], russia["country"]) == (2, "military", "RUS")
    assert (russia["as_source"], russia["as_target"]) == (2, 0)
    civilians = got["Civilians"]
    assert civilians["events"] == 2 and civilians["as_target"] == 2
    top = store.actors(limit=3)
    assert [a["events"] for a in top] == sorted((a["events"] for a in top), reverse=True)
    assert len(top) == 3
    protesters = got["Protesters"]  # KEN twice, FJI once: the usual country wins
    assert (protesters["events"], protesters["country"]) == (3, "KEN")


def test_stats(store: Store) -> None:
    stats = store.stats()
    assert stats["articles"] == 6 and stats["events"] == len(ALL_EVENTS)
    assert stats["by_type"]["ASSAULT"] == 8
    assert stats["by_country"]["KEN"] == 2
    assert stats["first_date"] == "2022-09-26" and stats["last_date"] == "2024-06-20"
    assert stats["full_text_search"] == "fts5"
    assert stats["schema_version"] == SCHEMA_VERSION


def test_store_is_usable_from_worker_threads(store: Store) -> None:
    def work(country: str) -> int:
        return store.count_events(EventFilter(country=country))

    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(work, ["IRQ", "KEN", "UKR", "BFA"] * 10))
    assert counts[:4] == [2, 2, 2, 1]


def test_real_pipeline_output_round_trips(example_extraction: Extraction, tmp_path: Path) -> None:
    with open_store(tmp_path / "real.db") as s:
        result = s.add([example_extraction])
        assert result.events_added == len(example_extraction.events) > 0
        for ev in example_extraction.events:
            got = s.get_event(ev.id)
            assert got is not None
            assert {k: got[k] for k in ev.to_dict()} == ev.to_dict()
        assert s.add([example_extraction]).events_added == 0
