"""Store on a real PostgreSQL server: the SQLite store checks again, plus server-only behaviour.

The server comes from ``FLASHPOINT_TEST_PG`` (a ``postgresql://`` URL of a role that may create
schemas; ``.ci/run`` starts one on loopback and sets it). Each test gets a fresh schema, selected
through the connection's ``search_path``, so tests never see each other's rows. The checks in
``test_store.py`` that only use the ``store`` fixture are imported and run here unchanged against
the PostgreSQL ``store`` fixture below; the ones that poke at SQLite internals have PostgreSQL
counterparts in this file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from flashpoint.errors import FlashpointError
from flashpoint.store import SCHEMA_VERSION, EventFilter, Store, open_store
from flashpoint.types import Article, Event, Extraction

from .test_store import (  # the backend-neutral checks, collected again with this file's store
    ALL_EVENTS,
    KENYA_TEXT,
    KHERSON_AP,
    corpus,
    ids,
    sentence_of,
    test_actor_filter_matches_names_and_text_case_insensitively,  # noqa: F401
    test_actors_ranked_with_usual_kind_and_country,  # noqa: F401
    test_adding_twice_adds_nothing,  # noqa: F401
    test_bbox_filter_including_antimeridian,  # noqa: F401
    test_count_matches_query,  # noqa: F401
    test_country_type_mode_modality_and_article_filters,  # noqa: F401
    test_date_filters_match_overlapping_spans,  # noqa: F401
    test_default_order_is_newest_first_then_id_with_undated_last,  # noqa: F401
    test_event_id_taken_by_another_article_is_skipped,  # noqa: F401
    test_fts_stems_and_prefixes,  # noqa: F401
    test_get_article_returns_text_and_event_order,  # noqa: F401
    test_min_sources_counts_articles_per_cluster,  # noqa: F401
    test_paging_walks_every_event_once,  # noqa: F401
    test_round_trip_is_lossless,  # noqa: F401
    test_store_is_usable_from_worker_threads,  # noqa: F401
)

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install psycopg)")

ENV = "FLASHPOINT_TEST_PG"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def pg_server() -> str:
    url = os.environ.get(ENV)
    if not url:
        pytest.skip(f"{ENV} is not set: no PostgreSQL server to test against (.ci/run starts one)")
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as err:
        pytest.skip(f"PostgreSQL server from {ENV} is not reachable: {err}")
    return url


def _in_schema(url: str, schema: str) -> str:
    option = "options=" + quote(f"-c search_path={schema}", safe="")
    return url + ("&" if "?" in url else "?") + option


@pytest.fixture
def fresh_url(pg_server: str) -> Iterator[Callable[[], str]]:
    """Make URLs of new, empty schemas; every one is dropped after the test."""
    made: list[str] = []

    def make() -> str:
        schema = f"fp_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        made.append(schema)
        return _in_schema(pg_server, schema)

    yield make
    with psycopg.connect(pg_server, autocommit=True) as conn:
        for schema in made:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_url(fresh_url: Callable[[], str]) -> str:
    return fresh_url()


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    s = open_store(pg_url)
    s.add(corpus())
    yield s
    s.close()


def _tables(store: Store) -> set[str]:
    cur = store._conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    )
    return {r[0] for r in cur}


# -- opening ---------------------------------------------------------------------------------


def test_url_spellings_open_one_database(pg_url: str) -> None:
    with open_store(pg_url) as s:
        assert s.dialect == "postgresql"
        s.add(corpus()[:1])
    rest = pg_url.split("://", 1)[1]
    for scheme in ("postgres", "postgresql+psycopg"):
        with open_store(f"{scheme}://{rest}") as s:
            assert s.count_events() == 3
            assert s.stats()["full_text_search"] == "tsvector"
    with psycopg.connect(pg_url) as conn:
        version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    assert version == SCHEMA_VERSION


def test_unreachable_server_is_reported_without_password() -> None:
    with pytest.raises(FlashpointError) as err:
        open_store("postgresql://fp:s3cret@127.0.0.1:1/events?connect_timeout=3")
    assert err.value.code == "E043"
    assert "s3cret" not in str(err.value) and "127.0.0.1" in str(err.value)


def test_password_is_hidden(pg_url: str) -> None:
    scheme_rest = pg_url.split("://", 1)[1]
    if "@" not in scheme_rest:
        pytest.skip("the test server URL names no user to attach a password to")
    user_part, host_part = scheme_rest.split("@", 1)
    secret = "wr0ng-pa55"
    url = f"postgresql://{user_part.split(':', 1)[0]}:{secret}@{host_part}"
    try:
        s = open_store(url)  # trust authentication ignores the password
    except FlashpointError as err:  # password authentication refuses it, without echoing it
        assert err.code == "E043" and secret not in str(err)
        return
    with s:
        assert secret not in s.url and ":***@" in s.url
        assert secret not in str(s.stats())


def test_newer_schema_is_refused(pg_url: str) -> None:
    open_store(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO schema_version VALUES (%s, %s)", (SCHEMA_VERSION + 1, "2030-01-01")
        )
    with pytest.raises(FlashpointError) as err:
        open_store(pg_url)
    assert err.value.code == "E041"


def test_reopen_keeps_data_and_does_not_remigrate(pg_url: str) -> None:
    with open_store(pg_url) as s:
        s.add(corpus())
    with open_store(pg_url) as s:
        assert s.count_events() == len(ALL_EVENTS)
        versions = s._conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0]
        assert versions == SCHEMA_VERSION


def test_concurrent_first_opens_migrate_once(pg_url: str) -> None:
    def open_and_count(_: int) -> int:
        with open_store(pg_url) as s:
            return s.count_events()

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(open_and_count, range(4))) == [0, 0, 0, 0]
    with psycopg.connect(pg_url) as conn:
        applied = conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0]
    assert applied == SCHEMA_VERSION  # each migration once


# -- writing -----------------------------------------------------------------------------------


def test_two_connections_share_one_database(pg_url: str) -> None:
    with open_store(pg_url) as reader, open_store(pg_url) as writer:
        assert reader.count_events() == 0
        writer.add(corpus()[:2])
        assert reader.count_events() == 5
        assert reader.add(corpus()[:3]).articles_skipped == 2


def test_concurrent_writers_store_each_article_once(pg_url: str) -> None:
    open_store(pg_url).close()

    def write(_: int) -> tuple[int, int]:
        with open_store(pg_url) as s:
            result = s.add(corpus())
        return result.articles_added, result.events_added

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(write, range(4)))
    assert sum(a for a, _ in results) == 6
    assert sum(e for _, e in results) == len(ALL_EVENTS)
    with open_store(pg_url) as s:
        assert s.stats()["articles"] == 6 and s.count_events() == len(ALL_EVENTS)


def test_duplicates_within_one_batch_are_skipped(pg_url: str) -> None:
    extractions = corpus()
    with open_store(pg_url) as s:
        result = s.add([extractions[0], extractions[0], extractions[1]])
        assert (result.articles_added, result.articles_skipped, result.events_added) == (2, 1, 5)


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
    orphans = store._conn.execute(
        "SELECT COUNT(*) FROM evidence v WHERE NOT EXISTS "
        "(SELECT 1 FROM events e WHERE e.id = v.event_id)"
    ).fetchone()[0]
    assert orphans == 0


def test_failed_batch_commits_nothing(store: Store) -> None:
    before = store.stats()
    good = Extraction(Article("good-article", KHERSON_AP, "feed"), [])
    broken_event = Event("ev-broken", None, None, "asserted")  # type: ignore[arg-type]
    broken = Extraction(Article("broken-article", KHERSON_AP, "feed"), [broken_event])
    with pytest.raises(psycopg.errors.NotNullViolation):
        store.add([good, broken])
    assert not store._conn.in_transaction
    assert not store.has_article("good-article")
    assert not store.has_article("broken-article")
    assert store.stats()["events"] == before["events"]
    assert store.add([good]).articles_added == 1


def test_crash_mid_batch_keeps_committed_batches(pg_url: str) -> None:
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.test_store import corpus
        from flashpoint.store import core, open_store
        store = open_store({pg_url!r})
        batches = corpus()
        store.add(batches[:2])
        real_insert = core.Store._insert
        def dying_insert(self, table, columns, values):
            real_insert(self, table, columns, values)
            if table == "events":
                os._exit(3)  # the connection drops with rows written, not committed
        core.Store._insert = dying_insert
        store.add(batches[2:])
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == 3, proc.stderr.decode()
    with open_store(pg_url) as s:
        assert s.has_article("anadolu-us-strikes") and s.has_article("kenya-finance-bill")
        assert not s.has_article("burkina-djibo")
        assert s.count_events() == 5
        assert s.add(corpus()).articles_added == 4


# -- reading -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fts", [True, False])
def test_text_search(pg_url: str, fts: bool) -> None:
    with open_store(pg_url, fts=fts) as s:
        s.add(corpus())
        assert s.fts is fts
        got = {e["id"] for e in s.query_events(EventFilter(text="convoy djibo", limit=None))}
        assert got == {"ev-djibo-convoy"}
        assert {e["id"] for e in s.query_events(EventFilter(text='"Red Sea"'))} == {"ev-red-sea"}
        # Accent folding is part of the tsvector index; LIKE compares the text as written.
        assert s.count_events(EventFilter(text="bogota")) == (1 if fts else 0)
        assert s.count_events(EventFilter(text="Bogotá")) == 1
        assert s.count_events(EventFilter(text="missiles targeted")) == 1
        assert s.count_events(EventFilter(text="tanks")) == 0
        # A phrase must match in order and adjacent, not just word by word.
        assert s.count_events(EventFilter(text='"Sea Red"')) == 0


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
        {"text": "strike:* | !police & (x"},
        {"text": "kherson' || 'x*"},
        {"text": "50%"},
    ],
)
def test_injection_attempts_are_inert(store: Store, filters: dict[str, str]) -> None:
    assert store.query_events(EventFilter(**filters)) == []  # type: ignore[arg-type]
    assert {"articles", "events", "event_actors", "evidence", "related"} <= _tables(store)
    assert store.count_events() == len(ALL_EVENTS)


def test_stats(store: Store) -> None:
    stats = store.stats()
    assert stats["articles"] == 6 and stats["events"] == len(ALL_EVENTS)
    assert stats["by_type"]["ASSAULT"] == 8
    assert stats["by_country"]["KEN"] == 2
    assert stats["first_date"] == "2022-09-26" and stats["last_date"] == "2024-06-20"
    assert stats["full_text_search"] == "tsvector"
    assert stats["schema_version"] == SCHEMA_VERSION


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"since": "2023-01-01", "until": "2024-01-31"},
        {"country": "KEN"},
        {"type": "ASSAULT", "mode": "shelling"},
        {"actor": "police"},
        {"text": "killed"},
        {"text": "protest*"},
        {"bbox": (170.0, -20.0, -170.0, -10.0)},
        {"offset": 3, "limit": 4},
    ],
)
def test_same_answers_as_sqlite(
    store: Store, tmp_path: Path, filters: dict[str, object]
) -> None:
    with open_store(tmp_path / "same.db") as lite:
        lite.add(corpus())
        flt = EventFilter(**filters)  # type: ignore[arg-type]
        # added_at is each store's own clock at insert time: the one field allowed to differ
        assert _no_clock(store.query_events(flt)) == _no_clock(lite.query_events(flt))
        assert store.count_events(flt) == lite.count_events(flt)
        assert store.actors(limit=50) == lite.actors(limit=50)
        pg_stats, lite_stats = store.stats(), lite.stats()
        for key in ("articles", "events", "clusters", "actors", "evidence", "by_type"):
            assert pg_stats[key] == lite_stats[key], key


def test_real_pipeline_output_round_trips(example_extraction: Extraction, pg_url: str) -> None:
    with open_store(pg_url) as s:
        result = s.add([example_extraction])
        assert result.events_added == len(example_extraction.events) > 0
        for ev in example_extraction.events:
            got = s.get_event(ev.id)
            assert got is not None
            assert {k: got[k] for k in ev.to_dict()} == ev.to_dict()
        assert s.add([example_extraction]).events_added == 0


def _no_clock(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "article": {**r["article"], "added_at": None}} for r in rows]
