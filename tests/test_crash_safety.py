"""Killing ``flashpoint ingest`` with SIGKILL mid-run loses nothing and duplicates nothing."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import DATA, need

pytestmark = pytest.mark.slow


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


def _ingest(folder: Path, db: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "flashpoint", "ingest", str(folder), "--db", str(db),
           "--batch-size", "2", "--no-progress"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _count(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as con:
        try:
            return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def test_sigkill_then_rerun_stores_every_article_once(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    n_files = len(list(folder.iterdir()))
    reference = tmp_path / "reference.db"
    proc = _ingest(folder, reference)
    assert proc.wait(timeout=300) == 0, proc.stderr.read() if proc.stderr else ""
    ref_articles, ref_events = _count(reference, "articles"), _count(reference, "events")
    assert ref_articles == n_files and ref_events > 0

    db = tmp_path / "killed.db"
    proc = _ingest(folder, db)
    deadline = time.monotonic() + 240
    while _count(db, "articles") < 4 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed; use more input"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    partial = _count(db, "articles")
    assert 0 < partial < n_files

    proc = _ingest(folder, db)
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.wait(timeout=300) == 0, err
    assert f"already present {partial}" in err
    assert _count(db, "articles") == ref_articles
    assert _count(db, "events") == ref_events
    with sqlite3.connect(db) as con:
        dupes = con.execute(
            "SELECT count(*) FROM (SELECT id FROM events GROUP BY id HAVING count(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
