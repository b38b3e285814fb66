"""Killing ``flashpoint ingest`` with SIGKILL at any moment loses nothing and duplicates nothing:
the rerun resumes to the database an uninterrupted run builds, clusters included."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATA, need

pytestmark = pytest.mark.slow

# Reliability tests, not extraction quality: the trigger lexicon alone codes events, fast.
ENV = {**os.environ, "FLASHPOINT_CODER": "0"}

# Runs the real CLI in a process that SIGKILLs itself at one exact moment of its Nth batch:
# "add" right after ``Store.add`` returns (before version 0.x linked, the moment when articles
# were committed but not yet clustered), "commit" right after a batch's transaction commits.
_KILL_AT = """
import os, signal, sys
from flashpoint.store.core import Store

moment, nth = sys.argv[1], int(sys.argv[2])
sys.argv = ["flashpoint", *sys.argv[3:]]
seen = {"add": 0, "commit": 0, "added": False}
add, transaction = Store.add, Store.transaction

def killing_add(self, *args, **kwargs):
    result = add(self, *args, **kwargs)
    seen["add"] += 1
    seen["added"] = True
    if moment == "add" and seen["add"] == nth:
        os.kill(os.getpid(), signal.SIGKILL)
    return result

class killing_transaction:
    def __init__(self, store):
        self.store, self.inner = store, transaction(store)
        self.outer = not store._depth
    def __enter__(self):
        return self.inner.__enter__()
    def __exit__(self, *exc):
        out = self.inner.__exit__(*exc)
        if self.outer and exc[0] is None and seen["added"]:
            seen["added"] = False
            seen["commit"] += 1
            if moment == "commit" and seen["commit"] == nth:
                os.kill(os.getpid(), signal.SIGKILL)
        return out

Store.add = killing_add
Store.transaction = lambda self: killing_transaction(self)
from flashpoint.cli import main
main()
"""


def _corpus(tmp: Path) -> Path:
    """Real reports (WikiEvents) as .txt files, as a user's folder would hold them: each longer
    article in three parts, so that the 52 files make several rounds of the engine's chunks of
    16 and a kill can land between two rounds (20 files were two chunks, whose outcomes could
    reach the database together)."""
    src = need(DATA / "wikievents" / "dev.jsonl")
    folder = tmp / "corpus"
    folder.mkdir()
    for line in src.open(encoding="utf-8"):
        d = json.loads(line)
        sents = [s[1] for s in d["sentences"]]
        parts = 3 if len(sents) >= 9 else 1  # a two-sentence part is too short to ingest
        size = -(-len(sents) // parts)
        for k in range(parts):
            text = "\n\n".join(sents[k * size:(k + 1) * size])
            (folder / f"{d['doc_id']}-{k}.txt").write_text(text, encoding="utf-8")
    return folder


def _args(folder: Path, db: Path) -> list[str]:
    return ["ingest", str(folder), "--db", str(db), "--batch-size", "2", "--no-progress",
            "--workers", "2"]


def _ingest(folder: Path, db: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "flashpoint", *_args(folder, db)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)


def _finish(proc: subprocess.Popen[bytes]) -> str:
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.wait(timeout=300) == 0, err
    return err


def _count(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as con:
        try:
            return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


# What must come out the same however often the run was killed: everything but timestamps.
_SNAPSHOT = {
    "articles": "SELECT id, url, title, publisher, published, language, source, text "
                "FROM articles ORDER BY id",
    "events": "SELECT id, article_id, seq, cluster_id, event_json FROM events ORDER BY id",
    "clusters": "SELECT id, type, date_start, loc_name, mention_count, article_count, "
                "source_count, confidence, state_json FROM clusters ORDER BY id",
    "cluster_members": "SELECT event_id, cluster_id, article_id, how, score "
                       "FROM cluster_members ORDER BY event_id",
    "cluster_keys": "SELECT key, week, cluster_id FROM cluster_keys ORDER BY 1, 2, 3",
    "term_df": "SELECT term, df FROM term_df ORDER BY term",
    "article_minhash": "SELECT article_id, shingles, signature FROM article_minhash "
                       "ORDER BY article_id",
    "minhash_bands": "SELECT bucket, article_id FROM minhash_bands ORDER BY 1, 2",
    "article_duplicates": "SELECT article_id, duplicate_of, similarity FROM article_duplicates "
                          "ORDER BY article_id",
}


def _snapshot(db: Path) -> dict[str, list[Any]]:
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {table: con.execute(sql).fetchall() for table, sql in _SNAPSHOT.items()}


def _unlinked(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute(
            "SELECT count(*) FROM events e LEFT JOIN cluster_members m ON m.event_id = e.id "
            "WHERE m.event_id IS NULL OR m.cluster_id <> e.cluster_id"
        ).fetchone()[0])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corpus(tmp_path_factory.mktemp("crash"))


@pytest.fixture(scope="module")
def reference(corpus: Path) -> dict[str, list[Any]]:
    """The database of one uninterrupted run."""
    db = corpus.parent / "reference.db"
    _finish(_ingest(corpus, db))
    snap = _snapshot(db)
    assert len(snap["articles"]) == len(list(corpus.iterdir())) and snap["events"]
    assert snap["clusters"] and _unlinked(db) == 0
    assert len(snap["article_minhash"]) == len(snap["articles"])
    return snap


def test_sigkill_at_a_random_moment_then_rerun(
    corpus: Path, reference: dict[str, list[Any]], tmp_path: Path
) -> None:
    db = tmp_path / "killed.db"
    proc = _ingest(corpus, db)
    deadline = time.monotonic() + 240
    while _count(db, "articles") < 4 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed; use more input"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    partial = _count(db, "articles")
    assert 0 < partial < len(reference["articles"])
    assert _unlinked(db) == 0  # what a batch stored, it linked in the same transaction

    err = _finish(_ingest(corpus, db))
    assert f"already present {partial}" in err
    assert _snapshot(db) == reference


@pytest.mark.parametrize("moment", ["add", "commit"])
def test_sigkill_right_after_a_batch_then_rerun(
    corpus: Path, reference: dict[str, list[Any]], tmp_path: Path, moment: str
) -> None:
    """The moment that once lost clusters: articles committed, their linking not yet run."""
    db = tmp_path / "killed.db"
    cmd = [sys.executable, "-c", _KILL_AT, moment, "3", *_args(corpus, db)]
    proc = subprocess.run(cmd, capture_output=True, env=ENV, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    stored = _count(db, "articles")
    # "add" dies inside the third batch's transaction: two batches stay; "commit" after it
    assert stored == (4 if moment == "add" else 6), stored
    assert _unlinked(db) == 0

    err = _finish(_ingest(corpus, db))
    assert f"already present {stored}" in err and "W040" not in err
    assert _snapshot(db) == reference


def test_resume_links_what_an_older_run_left_unlinked(
    corpus: Path, reference: dict[str, list[Any]], tmp_path: Path
) -> None:
    """A database where the first batch was stored but never linked (what a kill between the
    two transactions of older versions left): the rerun links it first, says so, and ends
    where an uninterrupted run does."""
    from flashpoint.config import Settings
    from flashpoint.engine import read_documents
    from flashpoint.pipeline import Pipeline
    from flashpoint.store import open_store

    db = tmp_path / "old.db"
    docs = []
    for doc in read_documents([str(corpus)]):
        docs.append(doc)
        if len(docs) == 2:
            break
    pipeline = Pipeline(Settings.from_env(coder=False))
    first = [o.extraction for o in pipeline.run_documents(docs) if o.extraction is not None]
    assert len(first) == 2
    with open_store(db) as store:
        store.add(first)
    assert _unlinked(db) > 0

    err = _finish(_ingest(corpus, db))
    assert "W040" in err and "2 stored articles were not linked" in err, err
    assert _snapshot(db) == reference
    again = _finish(_ingest(corpus, db))  # nothing left to catch up
    assert "W040" not in again
