"""Engines: the local worker pool and Ray Data give exactly the outcomes of the plain pipeline.

The corpus mixes what bulk runs read: news HTML pages (gzipped, from the extraction benchmark),
a JSON Lines file of WikiEvents articles, a WARC file archiving two of the pages, and items that
fail. Worker processes are real (spawned, each loading the model), and so is the Ray cluster
(a local one with two CPUs); nothing is mocked. Crash handling is exercised by a ``skip``
predicate that kills the worker process evaluating it for one chosen article.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flashpoint.config import Settings
from flashpoint.engine import AlreadyStored, LocalEngine, open_engine
from flashpoint.engine.local import Item, Skip
from flashpoint.engine.shards import COLUMNS
from flashpoint.engine.sources import expand, plan_units, read_documents, read_unit
from flashpoint.engine.warc import iter_warc
from flashpoint.errors import FlashpointError
from flashpoint.ingest import InputFailure, decode_bytes
from flashpoint.pipeline import Outcome, Pipeline
from flashpoint.store import EventFilter, open_store
from flashpoint.types import Article, Document

from .conftest import DATA, need

ROOT = Path(__file__).resolve().parents[1]
HTML_DIR = DATA / "article-extraction-benchmark" / "html"
WIKI = DATA / "wikievents" / "dev.jsonl"


# -- a corpus of mixed inputs ------------------------------------------------------------------


def warc_record(fields: dict[str, str], block: bytes) -> bytes:
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    head += f"Content-Length: {len(block)}\r\n\r\n"
    return head.encode() + block + b"\r\n\r\n"


def chunked(body: bytes, size: int = 1000) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
             for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def http_response(status: str, ctype: str, body: bytes, *, gzip_chunked: bool = False) -> bytes:
    headers = f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n"
    if gzip_chunked:
        headers += "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"
        body = chunked(gzip.compress(body))
    return (headers + "\r\n").encode() + body


def write_warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    """A per-record gzipped crawl: pages among the records a crawler also keeps."""
    records = [warc_record({"WARC-Type": "warcinfo", "Content-Type": "application/warc-fields"},
                           b"software: test\r\n")]
    for i, (url, html) in enumerate(pages):
        records.append(warc_record({"WARC-Type": "request", "WARC-Target-URI": url},
                                   f"GET / HTTP/1.1\r\nHost: x{i}\r\n\r\n".encode()))
        records.append(warc_record(
            {"WARC-Type": "response", "WARC-Target-URI": url,
             "Content-Type": "application/http; msgtype=response"},
            http_response("200 OK", "text/html; charset=utf-8", html, gzip_chunked=i % 2 == 0),
        ))
    records.append(warc_record(
        {"WARC-Type": "response", "WARC-Target-URI": "https://example.org/missing",
         "Content-Type": "application/http; msgtype=response"},
        http_response("404 Not Found", "text/html", b"<html><body>gone</body></html>"),
    ))
    records.append(warc_record(
        {"WARC-Type": "response", "WARC-Target-URI": "https://example.org/logo.png",
         "Content-Type": "application/http; msgtype=response"},
        http_response("200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64)),
    ))
    path.write_bytes(b"".join(gzip.compress(r) for r in records))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pages = sorted(need(HTML_DIR).glob("*.html.gz"))[:5]
    wiki = need(WIKI).read_text(encoding="utf-8").splitlines()[:4]
    root = tmp_path_factory.mktemp("corpus")
    news = root / "news"
    news.mkdir()
    for page in pages[:3]:
        (news / page.name).write_bytes(page.read_bytes())
    (news / ".hidden.html").write_text("<html><body>not read</body></html>")
    (news / "empty.txt").write_text("   \n")
    records = []
    for line in wiki:
        d = json.loads(line)
        text = "\n\n".join(s[1] for s in d["sentences"])
        records.append(json.dumps({"id": f"wikievents:{d['doc_id']}", "text": text}))
    records.insert(2, "{not json")
    (root / "feed.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    crawl = root / "crawl"
    crawl.mkdir()
    write_warc(
        crawl / "part-0.warc.gz",
        [(f"https://news.example.org/{p.stem}", gzip.decompress(p.read_bytes()))
         for p in pages[3:5]],
    )
    return root


def inputs(corpus: Path) -> list[str]:
    return [str(corpus / "news"), str(corpus / "feed.jsonl"), str(corpus / "crawl" / "*.warc.gz")]


def summary(outcomes: list[Outcome]) -> list[tuple[Any, ...]]:
    """Everything an outcome says, with the extraction as its contract JSON."""
    return [
        (
            o.source,
            o.status,
            o.code,
            o.extraction.article.id if o.extraction else None,
            o.extraction.article.text if o.extraction else None,
            [e.to_dict() for e in o.extraction.events] if o.extraction else None,
        )
        for o in outcomes
    ]


@pytest.fixture(scope="module")
def reference(corpus: Path) -> list[Outcome]:
    """The plain pipeline, in this process, over the same documents."""
    return list(Pipeline().run_documents(read_documents(inputs(corpus))))


def test_reference_covers_every_kind_of_input(reference: list[Outcome]) -> None:
    sources = [o.source for o in reference]
    assert sum(".html.gz" in s for s in sources) == 3
    assert sum("feed.jsonl:" in s for s in sources) == 4
    assert sum(".warc.gz:" in s for s in sources) == 2
    assert not any(".hidden" in s for s in sources)
    failed = {(o.source.rsplit("/", 1)[-1], o.code) for o in reference if o.status == "failed"}
    assert ("empty.txt", "E002") in failed and ("feed.jsonl", "E006") in failed
    assert sum(len(o.extraction.events) for o in reference if o.extraction) > 5


# -- reading -----------------------------------------------------------------------------------


def test_warc_pages_match_the_archived_html(corpus: Path) -> None:
    pages = sorted(HTML_DIR.glob("*.html.gz"))[3:5]
    docs = list(iter_warc(corpus / "crawl" / "part-0.warc.gz"))
    assert all(isinstance(d, Document) for d in docs)
    got = [(d.url, d.content, d.content_type) for d in docs if isinstance(d, Document)]
    want = [
        (f"https://news.example.org/{p.stem}", decode_bytes(gzip.decompress(p.read_bytes()), "x"),
         "html")
        for p in pages
    ]
    assert got == want  # the first page was gzip-encoded and chunked, the second plain
    # records: 1 warcinfo, 2 request, 3 response, 4 request, 5 response, 6 a 404, 7 a PNG
    assert [d.source.rsplit(":", 1)[1] for d in docs] == ["3", "5"]


def test_truncated_warc_keeps_pages_before_the_break(tmp_path: Path, corpus: Path) -> None:
    data = gzip.decompress((corpus / "crawl" / "part-0.warc.gz").read_bytes())
    cut = data.index(b"WARC-Type: response", data.index(b"WARC-Type: response") + 10)
    broken = tmp_path / "broken.warc"
    broken.write_bytes(data[: cut + 200])
    items = list(iter_warc(broken))
    assert isinstance(items[0], Document)
    assert isinstance(items[-1], InputFailure) and items[-1].code == "E003"
    not_warc = tmp_path / "page.warc"
    not_warc.write_text("<html><body>plain page</body></html>")
    [only] = list(iter_warc(not_warc))
    assert isinstance(only, InputFailure) and only.code == "E003"


def test_expand_lists_folders_and_globs_like_the_reader(corpus: Path) -> None:
    items = list(expand([*inputs(corpus), "https://example.org/a", "no/such/file.txt"]))
    names = [Path(i).name for i in items]
    assert ".hidden.html" not in names and "empty.txt" in names
    assert names[-3:] == ["part-0.warc.gz", "a", "file.txt"]
    assert items[-2] == "https://example.org/a" and items[-1] == "no/such/file.txt"


def test_units_read_back_as_the_whole(corpus: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text((corpus / "feed.jsonl").read_text() * 3)
    whole = [
        (d.source, d.content if isinstance(d, Document) else d.code)
        for d in read_documents([str(big), *inputs(corpus)])
    ]
    units = list(plan_units([str(big), *inputs(corpus)], files_per_unit=2, range_bytes=4000))
    cut = [u.items[0] for u in units if u.end is not None]
    assert cut.count(str(big)) > 3 and set(cut) == {str(big), str(corpus / "feed.jsonl")}
    grouped = list(plan_units([str(corpus / "news")], files_per_unit=2))
    assert [len(u.items) for u in grouped] == [2, 2]  # files under the range size share units
    parts = [
        (d.source, d.content if isinstance(d, Document) else d.code)
        for u in units
        for d in read_unit(u)
    ]
    assert parts == whole


# -- the local engine ------------------------------------------------------------------------


class SizeRecordingEngine(LocalEngine):
    """The local engine, noting how many documents each task it submits holds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sizes: list[int] = []

    def _submit(self, items: list[Item], skip: Skip | None) -> Any:
        self.sizes.append(len(items))
        return super()._submit(items, skip)


def test_local_engine_gives_the_pipeline_outcomes(corpus: Path, reference: list[Outcome]) -> None:
    # recycle_after=2: the pool of two is replaced after 4 documents, mid-run
    with SizeRecordingEngine(2, chunk=4, recycle_after=2) as engine:
        first = engine.worker_pids()
        assert len(first) == 2
        got = list(engine.run(inputs(corpus)))
        assert len(engine.worker_pids()) == 2 and not set(first) & set(engine.worker_pids())
    assert summary(got) == summary(reference)
    # chunks grow 1, 2, 4 and stay at 4 (the last may hold the rest)
    assert engine.sizes[:3] == [1, 2, 4] and set(engine.sizes[3:-1]) <= {4}
    assert sum(engine.sizes) == len(reference)


@dataclass(frozen=True)
class KillWorkerOn:
    """A ``skip`` predicate that crashes the worker process checking one article."""

    article_id: str
    parent: int

    def __call__(self, article: Article) -> bool:
        if article.id == self.article_id and os.getpid() != self.parent:
            os._exit(7)
        return False


def test_dead_worker_costs_only_its_document(corpus: Path, reference: list[Outcome]) -> None:
    victim = next(o for o in reference if o.extraction and "feed.jsonl" in o.source)
    assert victim.extraction is not None
    skip = KillWorkerOn(victim.extraction.article.id, os.getpid())
    with LocalEngine(2, chunk=2) as engine:
        got = list(engine.run(inputs(corpus), skip=skip))
    assert [o.source for o in got] == [o.source for o in reference]
    for mine, theirs in zip(got, reference, strict=True):
        if mine.source == victim.source:
            assert (mine.status, mine.code) == ("failed", "E080")
        else:
            assert summary([mine]) == summary([theirs])


def test_already_stored_articles_skip_the_nlp(
    corpus: Path, reference: list[Outcome], tmp_path: Path
) -> None:
    db = str(tmp_path / "resume.db")
    done = [o.extraction for o in reference if o.extraction][:3]
    with open_store(db) as store:
        store.add([ex for ex in done if ex is not None])
    assert AlreadyStored.shareable(db) and not AlreadyStored.shareable(":memory:")
    with LocalEngine(2, chunk=3) as engine:
        got = list(engine.run(inputs(corpus), skip=AlreadyStored(db)))
    present = [o for o in got if o.status == "present"]
    assert sorted(o.message or "" for o in present) == sorted(ex.article.id for ex in done if ex)
    assert len(got) == len(reference)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _wait_gone(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not any(_alive(p) for p in pids)


@pytest.mark.parametrize("when", ["ready", "starting"])
def test_workers_exit_when_their_parent_is_killed(tmp_path: Path, when: str) -> None:
    """SIGKILL leaves the task queue open; the workers must notice and go, even ones that
    were still loading the model when their parent died."""
    ready = tmp_path / "ready"
    script = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from flashpoint.engine import LocalEngine
        if __name__ == "__main__":
            engine = LocalEngine(2)
            engine.start()
            # Write then rename: the poller must never see an empty file.
            with open({str(ready)!r} + ".tmp", "w") as fh:
                fh.write(" ".join(map(str, engine.worker_pids())))
            os.replace({str(ready)!r} + ".tmp", {str(ready)!r})
            time.sleep(120)
        """
    )
    (tmp_path / "hold.py").write_text(script)
    proc = subprocess.Popen([sys.executable, str(tmp_path / "hold.py")])
    deadline = time.monotonic() + 120
    while True:
        assert time.monotonic() < deadline and proc.poll() is None
        workers = [p for p in _children(proc.pid) if "spawn_main" in _cmdline(p)]
        if (when == "starting" and len(workers) == 2) or (when == "ready" and ready.exists()):
            break
        time.sleep(0.05)
    if when == "ready":
        workers = [int(p) for p in ready.read_text().split()]
    assert len(workers) == 2 and all(_alive(p) for p in workers)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert _wait_gone(workers, 60)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except FileNotFoundError:
        return ""


def test_bad_settings_are_refused() -> None:
    for kwargs in ({"workers": 0}, {"workers": 2, "chunk": 0}):
        with pytest.raises(FlashpointError) as err:
            LocalEngine(**kwargs)  # type: ignore[arg-type]
        assert err.value.code == "E082"
    with pytest.raises(FlashpointError) as err:
        open_engine("spark")
    assert err.value.code == "E082"
    engine = LocalEngine(2, Settings(model="no_such_spacy_model"))
    with pytest.raises(FlashpointError) as err:
        engine.start()
    assert err.value.code == "E030"
    assert engine.worker_pids() == []


# -- Ray ---------------------------------------------------------------------------------------


ray_warnings = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.*")


@pytest.fixture(scope="module")
def ray_outcomes(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'ray[data]')")
    from flashpoint.engine.ray_engine import RayEngine

    shards = tmp_path_factory.mktemp("shards")
    with RayEngine(2, parquet_dir=shards, files_per_unit=2, range_bytes=3000) as engine:
        units = list(plan_units(inputs(corpus), files_per_unit=2, range_bytes=3000))
        assert any(u.end is not None for u in units)  # the feed is split across actors
        yield list(engine.run(inputs(corpus))), shards


@ray_warnings
def test_ray_engine_gives_the_pipeline_outcomes(
    ray_outcomes: tuple[list[Outcome], Path], reference: list[Outcome], tmp_path: Path
) -> None:
    got, _ = ray_outcomes
    assert summary(got) == summary(reference)
    ray_db, local_db = tmp_path / "ray.db", tmp_path / "local.db"
    with open_store(ray_db) as a, open_store(local_db) as b:
        a.add([o.extraction for o in got if o.extraction])
        b.add([o.extraction for o in reference if o.extraction])
        everything = EventFilter(limit=None)
        assert a.query_events(everything) == b.query_events(everything)
        assert a.count_events() > 5


@ray_warnings
def test_ray_parquet_shards_hold_every_outcome(
    ray_outcomes: tuple[list[Outcome], Path], reference: list[Outcome]
) -> None:
    import pyarrow.parquet as pq

    _, shards = ray_outcomes
    table = pq.read_table(shards)
    assert table.schema.names == [name for name, _ in COLUMNS]
    rows = table.to_pylist()
    assert [r["source"] for r in rows] == [o.source for o in reference]
    for row, o in zip(rows, reference, strict=True):
        assert (row["status"], row["code"]) == (o.status, o.code)
        if o.extraction is not None:
            assert row["article_id"] == o.extraction.article.id
            assert json.loads(row["events"]) == [e.to_dict() for e in o.extraction.events]
            assert row["n_events"] == len(o.extraction.events)
        else:
            assert row["events"] is None


@ray_warnings
def test_ingest_command_on_ray_writes_database_and_shards(
    ray_outcomes: tuple[list[Outcome], Path],
    corpus: Path,
    reference: list[Outcome],
    tmp_path: Path,
) -> None:
    """``flashpoint ingest --engine ray`` (on the cluster the fixture started) fills the same
    database as the plain pipeline, and writes one shard row per input item."""
    import pyarrow.parquet as pq
    from typer.testing import CliRunner

    from flashpoint.cli import app

    db, shards = tmp_path / "cli.db", tmp_path / "shards"
    args = ["ingest", *inputs(corpus), "--db", str(db),
            "--engine", "ray", "--workers", "2", "--parquet", str(shards), "--no-progress"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    stored = [o.extraction for o in reference if o.extraction]
    with open_store(db) as got, open_store(tmp_path / "want.db") as want:
        want.add([ex for ex in stored if ex is not None])
        everything = EventFilter(limit=None)
        assert got.query_events(everything) == want.query_events(everything)
    assert pq.read_table(shards).num_rows == len(reference)
