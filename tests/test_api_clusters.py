"""Canonical events over real HTTP: list and read clusters, split a wrong merge and merge it
back, and the read-only default that refuses edits."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flashpoint.api import create_app
from flashpoint.api.server import background
from flashpoint.dedup import link_and_cluster
from flashpoint.pipeline import Pipeline
from flashpoint.store import open_store

REPORTS = Path(__file__).resolve().parent / "data" / "dedup" / "reports"
# Two Voice of America reports of the 3 March 2021 rocket attack on Al Asad air base.
FILES = ("voa-2021-03-03-contractor-killed.txt", "voa-2021-03-03-shy-away.txt")


def _call(base: str, method: str, path: str, body: Any = None, **params: Any) -> tuple[int, Any]:
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.fixture(scope="module")
def db_path(pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clusters") / "events.db"
    exs = []
    for name in FILES:
        ex = pipeline.extract_text((REPORTS / name).read_text(encoding="utf-8"),
                                   published="2021-03-03", source=name)
        ex.article.publisher = "Voice of America"
        exs.append(ex)
    with open_store(path) as store:
        store.add(exs)
        link_and_cluster(store, [ex.article.id for ex in exs])
    return path


@pytest.fixture()
def editable(db_path: Path) -> Iterator[str]:
    with background(create_app(db_path, allow_edits=True)) as base:
        yield base


def _the_merged_event(base: str) -> dict[str, Any]:
    status, body = _call(base, "GET", "/api/clusters", min_sources=2)
    assert status == 200, body
    assert body["total"] == len(body["clusters"]), body
    # both reports tell the same rocket attack (they also both mention an inquiry)
    attacks = [c for c in body["clusters"] if c["type"] == "ASSAULT"]
    assert len(attacks) == 1, [(c["id"], c["type"]) for c in body["clusters"]]
    return dict(attacks[0])


def test_list_and_read_canonical_events(editable: str) -> None:
    cluster = _the_merged_event(editable)
    assert cluster["type"] == "ASSAULT" and cluster["source_count"] == 2
    assert cluster["location"]["name"] == "Al Asad Air Base"
    assert {s["article_id"] for s in cluster["sources"]} == {m["article_id"]
                                                             for m in cluster["mentions"]}
    status, all_clusters = _call(editable, "GET", "/api/clusters", limit=500)
    assert status == 200 and all_clusters["total"] >= len(all_clusters["clusters"]) > 1
    member = cluster["mentions"][-1]["event_id"]
    status, one = _call(editable, "GET", f"/api/clusters/{member}")  # a member id finds it too
    assert status == 200 and one["id"] == cluster["id"]
    assert not {h["action"] for h in one["history"]} & {"split", "merge"}  # no manual edit yet
    assert _call(editable, "GET", "/api/clusters/no-such-id")[0] == 404


def test_split_a_wrong_merge_then_merge_it_back(editable: str) -> None:
    cluster = _the_merged_event(editable)
    member = next(m["event_id"] for m in cluster["mentions"] if m["event_id"] != cluster["id"]
                  and m["article_id"] != cluster["mentions"][0]["article_id"])
    status, split = _call(editable, "POST", "/api/clusters/split",
                          {"event_id": member, "note": "different attack"})
    assert status == 200 and split["cluster_id"] == member, split
    status, alone = _call(editable, "GET", f"/api/clusters/{member}")
    assert status == 200 and alone["id"] == member and alone["source_count"] == 1
    manual = [h for h in alone["history"] if h["action"] in {"split", "merge"}]
    assert [(h["action"], h["detail"]) for h in manual] == [("split", "different attack")]
    status, left = _call(editable, "GET", f"/api/clusters/{cluster['id']}")
    assert status == 200 and member not in {m["event_id"] for m in left["mentions"]}
    # a lone report cannot be split again; unknown ids are 404
    assert _call(editable, "POST", "/api/clusters/split", {"event_id": member})[0] == 409
    assert _call(editable, "POST", "/api/clusters/split", {"event_id": "nope"})[0] == 404
    status, merged = _call(editable, "POST", "/api/clusters/merge",
                           {"into": cluster["id"], "other": member})
    assert status == 200, merged
    back = _the_merged_event(editable)
    assert back["id"] == cluster["id"] and back["source_count"] == 2
    assert member in {m["event_id"] for m in back["mentions"]}


def test_edits_are_refused_unless_allowed(db_path: Path) -> None:
    with background(create_app(db_path)) as base:
        cluster = _the_merged_event(base)
        member = cluster["mentions"][-1]["event_id"]
        status, body = _call(base, "POST", "/api/clusters/split", {"event_id": member})
        assert status == 403 and body["code"] == "E047"
        status, body = _call(base, "POST", "/api/clusters/merge", {"into": member})
        assert status in (400, 403)
        assert _the_merged_event(base)["source_count"] == 2  # nothing changed
