"""Cross-article deduplication: near-copies, event clusters, fused fields, manual fixes.

The scenario tests run the real pipeline over the labelled set in ``tests/data/dedup`` (real
public-domain reports; see its SOURCE.md): seven-plus reports of the 8 January 2020 missile
attack on Al Asad air base, and reports of two other attacks on the same base on other days.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flashpoint.cli import app
from flashpoint.dedup import (
    link_and_cluster,
    link_pending,
    merge_clusters,
    recluster,
    split_event,
)
from flashpoint.dedup.compare import compare, profile, salient_terms
from flashpoint.dedup.evaluate import Evaluation, align, bcubed, evaluate, load_labelled
from flashpoint.dedup.near_duplicates import signature, similarity
from flashpoint.errors import FlashpointError
from flashpoint.pipeline import Pipeline
from flashpoint.store import EventFilter, Store, open_store
from flashpoint.store.fused import ClusterState, Mention
from flashpoint.types import (
    Actor,
    Article,
    Casualties,
    Count,
    DateInfo,
    Event,
    Evidence,
    Extraction,
    Location,
    Related,
)

DATA = Path(__file__).resolve().parent / "data" / "dedup"
REPORTS = DATA / "reports"
SAME_PLACE_OTHER_DAYS = ("AA21", "AA24")
Labelled = tuple[Evaluation, Store]


def _cluster(store: Store, ident: str) -> dict[str, Any]:
    found = store.get_cluster(ident)
    assert found is not None, ident
    return found


def _stored(store: Store, ident: str) -> dict[str, Any]:
    found = store.get_event(ident)
    assert found is not None, ident
    return found


# -- the labelled multi-outlet set ------------------------------------------------------------


@pytest.fixture(scope="module")
def labelled(
    pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Evaluation, Store]]:
    store = open_store(tmp_path_factory.mktemp("dedup") / "labelled.db")
    result = evaluate(DATA, pipeline, store)
    yield result, store
    store.close()


def test_label_file_phrases_are_in_their_reports() -> None:
    incidents, reports = load_labelled(DATA)
    assert len(reports) >= 20
    assert Counter(i for r in reports for i, _ in r.mentions)["AA20"] >= 20
    for report in reports:
        for incident, quote in report.mentions:
            assert incident in incidents
            assert quote in " ".join(report.text.split()), (report.file, quote)


def test_same_incident_merges_other_incident_same_place_stays_apart(labelled: Labelled) -> None:
    result, store = labelled
    main, _ = result.clusters_of("AA20").most_common(1)[0]
    # Every report of the incident written at the time (DoD, CENTCOM, VOA x3, DOD News x3,
    # the White House: nine, differently worded) has an event in the one canonical cluster.
    _, reports = load_labelled(DATA)
    at_the_time = {r.file for r in reports if r.published.year == 2020
                   and any(i == "AA20" for i, _ in r.mentions)}
    joined = {result.report_of[eid] for eid, cid in result.predicted.items() if cid == main}
    assert len(at_the_time) == 9 and at_the_time <= joined, sorted(at_the_time - joined)
    canonical = store.get_cluster(main)
    assert canonical is not None and canonical["source_count"] >= 9
    assert canonical["type"] == "ASSAULT" and canonical["mode"] == "missile"
    assert canonical["date"]["start"] in ("2020-01-07", "2020-01-08")
    # The later attacks on the same base (2021, 2024) never join it, nor each other.
    other_clusters: dict[str, set[str]] = {}
    in_main: Counter[str] = Counter()
    for eid, incident in result.gold.items():
        cid = result.predicted[eid]
        if incident in SAME_PLACE_OTHER_DAYS:
            assert cid != main
            other_clusters.setdefault(incident, set()).add(cid)
        if cid == main:
            in_main[incident] += 1
    assert not (other_clusters["AA21"] & other_clusters["AA24"])
    # Nearly pure: an extracted event that fused two sentences of one article may tag along.
    assert in_main["AA20"] >= 0.8 * sum(in_main.values())
    # The 2021 attack's own reports merge with each other.
    assert result.clusters_of("AA21").most_common(1)[0][1] >= 2


def test_bcubed_on_labelled_set(labelled: Labelled) -> None:
    result, _ = labelled
    assert result.scores["items"] >= 40
    assert result.scores["precision"] >= 0.9
    assert result.scores["recall"] >= 0.25
    per_report = result.report_scores()
    assert per_report["precision"] >= 0.85
    assert per_report["recall"] >= 0.5


def test_canonical_event_keeps_every_mention_source_and_evidence(labelled: Labelled) -> None:
    result, store = labelled
    main = result.clusters_of("AA20").most_common(1)[0][0]
    c = store.get_cluster(main)
    assert c is not None
    assert c["mention_count"] == len(c["mentions"]) >= 5
    assert {m["article_id"] for m in c["mentions"]} == {s["article_id"] for s in c["sources"]}
    assert {e["article_id"] for e in c["evidence"]} >= {s["article_id"] for s in c["sources"]}
    publishers = {s["publisher"] for s in c["sources"]}
    assert {"Voice of America", "U.S. Department of Defense"} <= publishers
    # Any member event id resolves to the same canonical event.
    member = c["mentions"][-1]["event_id"]
    assert _cluster(store, member)["id"] == main
    assert _stored(store, member)["cluster_id"] == main
    # Canonical queries: filters on member events, min_sources on independent sources.
    found = store.query_clusters(EventFilter(since=dt.date(2020, 1, 1), until=dt.date(2020, 1, 31),
                                             min_sources=5))
    assert [x["id"] for x in found] == [main]
    assert store.count_clusters(EventFilter(min_sources=5)) == 1


def test_relinking_is_idempotent(labelled: Labelled) -> None:
    _, store = labelled
    before = store._execute("SELECT id, state_json FROM clusters ORDER BY id").fetchall()
    ids = [r[0] for r in store._execute("SELECT id FROM articles")]
    again = link_and_cluster(store, ids)
    assert again.mentions == 0 and again.duplicates == 0
    assert store._execute("SELECT id, state_json FROM clusters ORDER BY id").fetchall() == before


# -- near-duplicate articles ------------------------------------------------------------------


def _report(
    pipeline: Pipeline,
    name: str,
    published: str,
    *,
    wrap: tuple[str, str] = ("", ""),
    publisher: str = "Voice of America",
) -> Extraction:
    text = wrap[0] + (REPORTS / name).read_text(encoding="utf-8") + wrap[1]
    url = f"https://example.org/{publisher}/{name}"
    ex = pipeline.extract_text(text, published=published, url=url)
    ex.article.publisher = publisher
    return ex


SYNDICATION = (
    "By Carla Babb\nVOA News, reprinted with permission\n\n",
    "\n\nThis article was posted in its entirety as received. Share this story.",
)


def test_syndicated_copy_is_linked_not_double_counted(pipeline: Pipeline, tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    original = _report(pipeline, "voa-2020-01-08-slap-in-the-face.txt", "2020-01-08")
    other_outlet = _report(pipeline, "dod-2020-01-07-hoffman-statement.txt", "2020-01-07",
                           publisher="U.S. Department of Defense")
    with open_store(path) as store:
        store.add([other_outlet, original])
        first = link_and_cluster(store, [other_outlet.article.id, original.article.id])
        assert first.duplicates == 0  # differently worded reports are not copies
    copy = _report(pipeline, "voa-2020-01-08-slap-in-the-face.txt", "2020-01-09",
                   wrap=SYNDICATION, publisher="Minnesota Sun")
    assert copy.article.id != original.article.id
    # A later run, a fresh connection: the signatures persisted in the store find the original.
    with open_store(path) as store:
        store.add([copy])
        second = link_and_cluster(store, [copy.article.id])
        assert second.duplicates == 1
        links = store.article_duplicates(copy.article.id)
        assert links[0]["duplicate_of"] == original.article.id
        assert links[0]["similarity"] >= 0.7
        lead = copy.events[0]
        c = store.get_cluster(lead.id)
        assert c is not None
        assert original.article.id in {s["article_id"] for s in c["sources"]}
        how = {m["event_id"]: m["how"] for m in c["mentions"]}
        assert how[lead.id] == "duplicate"
        assert c["article_count"] == c["source_count"] + 1  # the copy is listed, not counted
        copy_source = next(s for s in c["sources"] if s["article_id"] == copy.article.id)
        assert copy_source["duplicate_of"] == original.article.id


def test_minhash_similarity_separates_copies_from_rewrites() -> None:
    text = (REPORTS / "voa-2020-01-08-babb-first-report.txt").read_text(encoding="utf-8")
    rewrite = (REPORTS / "voa-2020-01-08-pentagon-says.txt").read_text(encoding="utf-8")
    a, b = signature(text), signature(SYNDICATION[0] + text + SYNDICATION[1])
    c = signature(rewrite)
    assert a and b and c
    assert similarity(a[0], b[0]) >= 0.8
    assert similarity(a[0], c[0]) < 0.3
    assert signature("   ") is None


# -- split and merge ----------------------------------------------------------------------------


def test_split_is_kept_and_merge_reverses_it(pipeline: Pipeline, tmp_path: Path) -> None:
    exs = [
        _report(pipeline, "dod-2020-01-07-hoffman-statement.txt", "2020-01-07",
                publisher="U.S. Department of Defense"),
        _report(pipeline, "centcom-2020-01-08-esper-milley-briefing.txt", "2020-01-08",
                publisher="U.S. Central Command"),
        _report(pipeline, "voa-2020-01-08-slap-in-the-face.txt", "2020-01-08"),
    ]
    with open_store(tmp_path / "events.db") as store:
        store.add(exs)
        link_and_cluster(store, [e.article.id for e in exs])
        lead = exs[0].events[0].id
        cluster = store.get_cluster(lead)
        assert cluster is not None and cluster["source_count"] == 3
        per_article = Counter(m["article_id"] for m in cluster["mentions"])
        victim = next(m["event_id"] for m in cluster["mentions"]
                      if m["event_id"] != cluster["id"] and per_article[m["article_id"]] == 1)

        result = split_event(store, victim, note="different attack")
        assert result["cluster_id"] == victim and result["from_cluster"] == cluster["id"]
        alone = store.get_cluster(victim)
        assert alone is not None and alone["mention_count"] == 1
        assert _cluster(store, cluster["id"])["source_count"] == 2
        with pytest.raises(FlashpointError, match="E046"):
            split_event(store, victim)

        # Neither re-linking nor a full re-clustering undoes the user's split.
        assert link_pending(store).mentions == 0
        recluster(store)
        assert _stored(store, victim)["cluster_id"] == victim
        kept = store.get_cluster(lead)
        assert kept is not None and victim not in {m["event_id"] for m in kept["mentions"]}

        merged = merge_clusters(store, lead, victim, note="same attack after all")
        assert _cluster(store, victim)["id"] == merged["cluster_id"]
        assert _cluster(store, lead)["source_count"] == 3
        recluster(store)
        again, other = store.get_cluster(victim), store.get_cluster(lead)
        assert again is not None and other is not None and again["id"] == other["id"]
        actions = [h["action"] for h in store.cluster_history(victim)]
        assert actions.index("split") < actions.index("merge")
        with pytest.raises(FlashpointError, match="E045"):
            merge_clusters(store, "nope", lead)


def test_cli_show_split_merge(pipeline: Pipeline, tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    exs = [
        _report(pipeline, "voa-2021-03-03-contractor-killed.txt", "2021-03-03"),
        _report(pipeline, "voa-2021-03-03-shy-away.txt", "2021-03-03"),
    ]
    with open_store(db) as store:
        store.add(exs)
    runner = CliRunner()
    linked = runner.invoke(app, ["clusters", "link", "--db", str(db)])
    assert linked.exit_code == 0, linked.output
    assert json.loads(linked.output)["articles"] == 2
    with open_store(db) as store:
        big = store.query_clusters(EventFilter(min_sources=2))[0]
    shown = runner.invoke(app, ["clusters", "show", big["id"], "--db", str(db), "-f", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["source_count"] == 2
    member = next(m["event_id"] for m in big["mentions"] if m["event_id"] != big["id"])
    out = runner.invoke(app, ["clusters", "split", member, "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["cluster_id"] == member
    out = runner.invoke(app, ["clusters", "merge", big["id"], member, "--db", str(db)])
    assert out.exit_code == 0, out.output
    listed = runner.invoke(app, ["clusters", "list", "--db", str(db), "--min-sources", "2", "-f",
                                 "json"])
    assert listed.exit_code == 0, listed.output
    assert big["id"] in [c["id"] for c in json.loads(listed.stdout)]
    table = runner.invoke(app, ["clusters", "list", "--db", str(db)], env={"COLUMNS": "240"})
    assert table.exit_code == 0 and "ASSAULT" in table.output
    missing = runner.invoke(app, ["clusters", "show", "no-such-id", "--db", str(db)])
    assert missing.exit_code == 1


# -- fusion, comparison, cross-article links (hand-built reports) -------------------------------


def _article(aid: str, text: str, published: dt.date, publisher: str) -> Article:
    return Article(id=aid, text=text, url=f"https://example.org/{aid}", publisher=publisher,
                   published=published)


def _event(article: Article, eid: str, trigger: str, *, day: dt.date | None,
           place: Location | None, killed: int | None = None, source: str | None = "Islamic State",
           related: list[Related] | None = None, attribution: str | None = None) -> Event:
    start = article.text.index(trigger)
    from flashpoint.types import Attribution

    return Event(
        id=eid, type="ASSAULT", mode="explosive", modality="asserted",
        actors=[Actor("source", source, source, None, "terrorist", (0, 1))] if source else [],
        date=DateInfo(day, day, "day") if day else None,
        location=place,
        casualties=Casualties(killed=Count(killed, killed, killed) if killed is not None else None),
        attribution=Attribution("statement" if attribution else "unattributed", name=attribution),
        related=related or [],
        evidence=[Evidence(article.id, 0, len(article.text), article.text)],
        trigger=trigger, trigger_span=(start, start + len(trigger)),
    )


KABUL = Location("Kabul", "Kabul", 34.5281, 69.1723, "AFG", "Kabul", "city", 1138958)
KABUL_AIRPORT = Location("Kabul airport", "Hamid Karzai International Airport", 34.5659, 69.2123,
                         "AFG", "Kabul", "site")
KANDAHAR = Location("Kandahar", "Kandahar", 31.6133, 65.7101, "AFG", "Kandahar", "city")


def _bombing_reports() -> list[Extraction]:
    day = dt.date(2021, 8, 26)
    texts = [
        ("a1", "A suicide bomber struck crowds at Kabul airport, killing 60 people, officials say.",
         KABUL_AIRPORT, 60, "Taliban officials", "Wire A"),
        ("a2", "The Kabul blast killed at least 170 Afghans and 13 U.S. troops, the Pentagon said.",
         KABUL, 170, "Pentagon", "Paper B"),
        ("a3", "Islamic State claimed the Kabul airport bombing, which killed 95 people.",
         KABUL_AIRPORT, 95, None, "Radio C"),
    ]
    out = []
    for aid, text, place, killed, attribution, publisher in texts:
        art = _article(aid, text, day, publisher)
        trigger = next(w for w in ("struck", "blast", "bombing") if w in text)
        out.append(Extraction(art, [_event(art, f"{aid}-e1", trigger, day=day, place=place,
                                           killed=killed, attribution=attribution)]))
    # The same group's bombing in another city the next week: a different event.
    art = _article("a4", "A bombing in Kandahar killed 7 people, Islamic State said.",
                   dt.date(2021, 9, 2), "Wire A")
    out.append(Extraction(art, [_event(art, "a4-e1", "bombing", day=dt.date(2021, 9, 2),
                                       place=KANDAHAR, killed=7)]))
    # A report of the US drone strike in Kabul days later, in response to the airport bombing.
    text = "A U.S. drone strike in Kabul was a response to the airport bombing, officials said."
    art = _article("a5", text, dt.date(2021, 8, 29), "Paper B")
    reply = _event(art, "a5-e1", "strike", day=dt.date(2021, 8, 29), place=KABUL, source="U.S.",
                   related=[Related("a5-e2", "response_to")])
    reply.mode = "drone"
    bombing = _event(art, "a5-e2", "bombing", day=None, place=KABUL_AIRPORT)
    out.append(Extraction(art, [reply, bombing]))
    return out


def test_fused_fields_and_cross_article_links(tmp_path: Path) -> None:
    with open_store(tmp_path / "events.db") as store:
        exs = _bombing_reports()
        store.add(exs)
        link_and_cluster(store, [e.article.id for e in exs])
        c = store.get_cluster("a2-e1")
        assert c is not None
        assert {m["event_id"] for m in c["mentions"]} == {"a1-e1", "a2-e1", "a3-e1", "a5-e2"}
        assert c["location"]["precision"] == "site"  # most precise of city and site
        assert c["date"] == {"start": "2021-08-26", "end": "2021-08-26", "precision": "day",
                             "time": None, "text": None}
        killed = c["casualties"]["killed"]
        assert killed == {"low": 60, "best": 95, "high": 170}  # min, lower median, max
        who = {(r["publisher"], r["killed"]["best"], r["attributed_to"])
               for r in c["casualties"]["reports"]}
        assert who == {("Wire A", 60, "Taliban officials"), ("Paper B", 170, "Pentagon"),
                       ("Radio C", 95, None)}
        assert c["source_count"] == 4
        # Kandahar, a week later, stays its own event.
        assert _stored(store, "a4-e1")["cluster_id"] == "a4-e1"
        # The drone strike's response_to now points at the canonical bombing.
        reply = store.get_cluster("a5-e1")
        assert reply is not None
        assert reply["related"] == [{"event_id": c["id"], "relation": "response_to", "mentions": 1}]


def test_re_extracted_article_is_relinked(tmp_path: Path) -> None:
    with open_store(tmp_path / "events.db") as store:
        exs = _bombing_reports()
        store.add(exs)
        link_and_cluster(store, [e.article.id for e in exs])
        store.add([exs[1]], replace=True)  # same article, extracted again
        result = link_and_cluster(store, [exs[1].article.id])
        assert result.mentions == 1
        assert _cluster(store, "a2-e1")["source_count"] == 4
        members = store._execute("SELECT COUNT(*) FROM cluster_members").fetchone()[0]
        assert members == store.count_events()


def _mention(eid: str, aid: str, doc: dict[str, Any], published: str = "2024-01-20") -> Mention:
    base = {"id": eid, "type": "ASSAULT", "mode": None, "modality": "asserted", "actors": [],
            "date": None, "location": None, "casualties": {},
            "attribution": {"kind": "unattributed"},
            "evidence": [], "confidence": 0.6}
    base.update(doc)
    return Mention(eid, aid, base, published=dt.date.fromisoformat(published),
                   terms=salient_terms(e["sentence"] for e in base["evidence"]))


def _day(day: str) -> dict[str, str]:
    return {"start": day, "end": day, "precision": "day"}


def _place(
    name: str, lat: float, lon: float, precision: str = "site", country: str = "IRQ"
) -> dict[str, object]:
    return {"name": name, "lat": lat, "lon": lon, "country": country, "precision": precision}


ASAD = _place("Al Asad Air Base", 33.7856, 42.4412)
ERBIL = _place("Erbil", 36.19, 44.01, "city")


def test_compare_needs_agreement_and_respects_conflicts() -> None:
    iran = [{"role": "source", "name": "Iran", "country": "IRN", "kind": "state"}]
    a = _mention("a", "A", {"date": _day("2020-01-08"), "location": ASAD, "actors": iran,
                            "mode": "missile"})
    same = _mention("b", "B", {"date": _day("2020-01-07"), "location": ASAD, "actors": iran,
                               "mode": "missile"})
    other_day = _mention("c", "C", {"date": _day("2020-01-20"), "location": ASAD,
                                    "actors": iran, "mode": "missile"})
    far = _mention("d", "D", {"date": _day("2020-01-08"), "location": ERBIL, "actors": iran,
                              "mode": "missile"})
    vague = _mention("e", "E", {"mode": "missile"})
    pa = profile(ClusterState.seed(a))
    assert compare(pa, profile(ClusterState.seed(same))).merges()
    assert compare(pa, profile(ClusterState.seed(other_day))).conflict == "date"
    assert compare(pa, profile(ClusterState.seed(far))).conflict == "place"
    assert not compare(pa, profile(ClusterState.seed(vague))).merges()
    # Roles reversed (the retaliation, not the attack) counts against a merge.
    reverse = [{"role": "source", "name": "United States", "country": "USA", "kind": "state"},
               {"role": "target", "name": "Iran", "country": "IRN", "kind": "state"}]
    forward = [{"role": "source", "name": "Iran", "country": "IRN", "kind": "state"},
               {"role": "target", "name": "United States", "country": "USA", "kind": "state"}]
    day = _day("2020-01-08")
    x = profile(ClusterState.seed(_mention("x", "X", {"date": day, "actors": forward})))
    y = profile(ClusterState.seed(_mention("y", "Y", {"date": day, "actors": reverse})))
    assert compare(x, y).reasons.get("actors") == -2


def test_salient_terms_fold_spelling_variants() -> None:
    terms = salient_terms(["Missiles hit Al-Assad and Ain al-Asad, 1,000 km away, at 5:30."])
    assert "asad" in terms and "1000" in terms
    assert "30" in terms and "5" not in terms


def test_bcubed_matches_hand_computation() -> None:
    gold = {"a": "X", "b": "X", "c": "Y"}
    assert bcubed({"a": "1", "b": "1", "c": "2"}, gold)["f1"] == 1.0
    everything = bcubed({"a": "1", "b": "1", "c": "1"}, gold)
    assert everything["recall"] == 1.0 and everything["precision"] == pytest.approx(5 / 9, 1e-3)
    singletons = bcubed({"a": "1", "b": "2", "c": "3"}, gold)
    assert singletons["precision"] == 1.0 and singletons["recall"] == pytest.approx(2 / 3, 1e-3)


def test_align_rejects_a_phrase_missing_from_the_text() -> None:
    events = [{"id": "e", "trigger_span": [5, 10]}]
    missed = [("AA20", "missiles")]
    assert align("Iran fired missiles", events, missed) == ({}, missed)
    assert align("Iran fired missiles", events, [("AA20", "fired missiles")])[0] == {"e": "AA20"}
    with pytest.raises(ValueError):
        align("Iran fired missiles", events, [("AA20", "not there")])


def test_migration_adds_dedup_tables_to_a_version_1_file(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with open_store(path):
        pass
    conn = sqlite3.connect(path)
    for table in ("cluster_audit", "cluster_constraints", "cluster_keys", "cluster_members",
                  "term_df", "clusters", "article_duplicates", "minhash_bands", "article_minhash"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM schema_version WHERE version > 1")
    conn.commit()
    conn.close()
    with open_store(path) as store:
        assert store.query_clusters() == []
        assert store._execute("SELECT MAX(version) FROM schema_version").fetchone()[0] >= 2
