"""End to end: one folder holding every kind of bad input, through the real ``flashpoint ingest``.

Each input class must come out as a counted outcome with its reason code (stored, skipped or
failed), the good articles must all be stored with their text intact whatever encoding they came
in, and the run must finish with exit 0 unless ``--strict`` asks for failures to fail it.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flashpoint.clean import clean
from flashpoint.cli import app
from flashpoint.config import Settings
from flashpoint.ingest.names import printable, storable
from flashpoint.nlp import MAX_PARAGRAPH_CHARS, split_paragraphs
from flashpoint.pipeline import Pipeline
from flashpoint.store import open_store
from flashpoint.types import Document
from tests.conftest import DATA, EXAMPLE, need

pytestmark = pytest.mark.corpus

BENCH_PAGE = "06e5123e4ef7cfb4533250dc45d1e03d0838fc66223f45c583c4d12f48b4da85"
FRENCH = (
    "Les autorités locales ont annoncé mardi soir que trois personnes avaient été tuées lors "
    "d'une frappe de drone contre un dépôt de carburant situé dans le port, et que les pompiers "
    "étaient encore sur place au moment de la publication de ce communiqué."
)
ARABIC = "أعلن الجيش يوم الثلاثاء أن قواته دمرت ثلاث منشآت في شمال البلاد بعد هجوم على قافلة. "
RUSSIAN = "Украинские военные сообщили, что ночью силы ПВО сбили над регионом двенадцать дронов. "
GERMAN = (
    "Die örtlichen Behörden teilten am Dienstagabend mit, dass bei einem Drohnenangriff auf ein "
    "Treibstofflager im Hafen drei Menschen getötet worden seien."
)
FURNITURE = "Contact Us\nSubscribe\nShare on Facebook\nPrivacy Policy\n© 2024 Example News\n"
STRAY_CP1252 = "\n\nThe minister’s office confirmed the figures on Monday, officials said."
# Bytes windows-1252 leaves undefined; browsers (WHATWG) map them to the C1 controls.
_UNDEFINED_1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")


@dataclass(frozen=True, slots=True)
class Case:
    """One input file and what ingest must make of it."""

    name: str
    data: bytes
    status: str  # stored | present | skipped | failed | records (a container: see ``records``)
    code: str | None = None
    original: str | None = None  # for stored text files: the UTF-8 text the bytes encode
    records: Counter[str] | None = None  # a container's outcomes, record by record


def _articles() -> dict[str, str]:
    """WikiEvents articles (real English news) as plain text, by document id."""
    lines = need(DATA / "wikievents" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    docs = [json.loads(line) for line in lines if line.strip()]
    return {d["doc_id"]: "\n\n".join(s[1] for s in d["sentences"]) for d in docs}


def _lead(text: str) -> str:
    """The first three paragraphs: an article, at a fraction of the extraction time."""
    return "\n\n".join(text.split("\n\n")[:3])


def _html(text: str, head: str = "<meta charset='utf-8'>") -> str:
    paragraphs = text.split("\n\n")
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<!DOCTYPE html><html><head>{head}</head><body><article>{body}</article></body></html>"


def _as_browser_mojibake(text: str) -> str:
    """UTF-8 bytes read as windows-1252, as a browser would show them (the usual mojibake)."""
    return "".join(
        chr(b) if b in _UNDEFINED_1252 else bytes([b]).decode("cp1252")
        for b in text.encode("utf-8")
    )


def _warc_record(block: bytes, length: int | None = None) -> bytes:
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/news\r\n"
        f"Content-Length: {len(block) if length is None else length}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def _warc(page: str) -> bytes:
    """A crawl whose first record has a negative chunk size (it looped forever, growing memory),
    then a good page, then a negative Content-Length (it read the rest of the file), then a
    good page that the broken length leaves unreadable."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + page.encode()
    chunked = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"-6\r\nabcdef\r\n0\r\n\r\n"
    )
    return _warc_record(chunked) + _warc_record(ok) + _warc_record(b"xx", -1) + _warc_record(ok)


def _cases() -> list[Case]:
    art = _articles()
    plain, moji = art["road_ied_8"], art["wiki_drone_strikes_2_news_8"]
    mixed = art["scenario_en_85"]
    cp1252, utf16 = art["scenario_en_62"], art["wiki_ied_bombings_9"]
    html16 = _html(art["scenario_en_kairos_61"])
    declared = _html(art["scenario_en_113"], "<meta charset='windows-1252'>")
    truncated = _html(art["scenario_en_8"])
    nested = "".join(f"<p>{p}</p>" for p in art["suicide_ied_11"].split("\n\n"))
    big_script = "<script>var state = '" + "x" * 8_000_000 + "';</script>"
    bench = need(DATA / "article-extraction-benchmark" / "html" / f"{BENCH_PAGE}.html.gz")
    feed = [
        {"id": "dup-1", "text": art["road_ied_12"], "published": "2017-10-03"},
        '{"id": "broken", "text": "unterminated',
        {"id": "dup-1", "text": art["road_ied_12"] + "\n\nA later correction."},
        {"id": "no-text", "title": "A record without a body"},
        {"id": "fr", "text": FRENCH},
        {"id": "de", "text": art["scenario_en_7"], "language": "de"},
        {"id": "no-date", "text": art["wiki_ied_bombings_1_news_4"]},
        "[1, 2",
        # half an emoji, as a cut-off scraper writes it: crashed the tokenizer before
        {"id": "surrogate\ud83d", "title": "Cut \udfff emoji",
         "text": art["scenario_en_kairos_73"].replace(" ", " \ud83d", 3)},
        # a 5,000-digit number: ValueError out of the reader ended the whole run
        '{"id": "huge", "text": "Shelling was reported.", "published": ' + "9" * 5000 + "}",
        # a placeholder date from the far future is not a publication date
        {"id": "future", "text": _lead(art["scenario_en_kairos_60"]), "published": "9999-12-31"},
    ]
    feed_bytes = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in feed) + "\n\n"
    return [
        # real articles, every encoding and container they arrive in
        Case("good_utf8.txt", plain.encode(), "stored", original=plain),
        Case("good_example.txt", need(EXAMPLE).read_bytes(), "stored"),
        Case("good_cp1252.txt", cp1252.encode("cp1252"), "stored", original=cp1252),
        Case("good_utf16le_bom.txt", codecs.BOM_UTF16_LE + utf16.encode("utf-16-le"), "stored",
             original=utf16),
        Case("good_utf16be_bom.html", codecs.BOM_UTF16_BE + html16.encode("utf-16-be"), "stored"),
        Case("good_mojibake.txt", _as_browser_mojibake(moji).encode(), "stored", original=moji),
        Case("good_mixed_encodings.txt", mixed.encode() + STRAY_CP1252.encode("cp1252"),
             "stored", original=mixed + STRAY_CP1252),
        Case("good_declared_cp1252.html", declared.encode("cp1252"), "stored"),
        Case("good_truncated.html", truncated[: int(len(truncated) * 0.8)].encode(), "stored"),
        Case("good_nested.html",
             ("<html><body>" + "<div>" * 5000 + nested + "</div>" * 5000).encode(), "stored"),
        Case("good_unclosed_nesting.html",
             ("<html><body>" + "<span><b><i>" * 4000 + _html(art["road_ied_12"])).encode(),
             "stored"),
        Case("good_gzipped.html.gz", gzip.compress(_html(art["32_VOA_EN_NW_2014.06.04.1929720"])
                                                    .encode()), "stored"),
        Case("good_8mb_script.html", _html(art["suicide_ied_114"] + "\n\n" + art["scenario_en_7"],
                                           big_script).encode(), "stored"),
        Case("good_real_page.html.gz", bench.read_bytes(), "stored"),
        # the same article twice: stored once
        Case("zz_copy_of_utf8.txt", plain.encode(), "present"),
        # documented skips
        Case("skip_french.txt", (FRENCH + " ").encode() * 3, "skipped", "E021"),
        Case("skip_arabic.html", f"<html><body><p>{ARABIC * 4}</p></body></html>".encode(),
             "skipped", "E021"),
        Case("skip_russian_cp1251.html",
             _html(RUSSIAN * 4, "<meta charset='windows-1251'>").encode("cp1251"),
             "skipped", "E021"),
        Case("skip_furniture_only.txt", FURNITURE.encode(), "skipped", "E020"),
        Case("skip_german.txt", (GERMAN + " ").encode() * 3, "skipped", "E021"),
        # failures, each with its code
        Case("fail_empty.txt", b"", "failed", "E002"),
        Case("[red]fail_whitespace.html", b" \n\t\r\n \xc2\xa0 ", "failed", "E002"),
        Case("fail_empty.jsonl", b"\n\n", "failed", "E002"),
        Case("fail_pdf.html", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n",
             "failed", "E003"),
        Case("fail_png.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "failed", "E003"),
        Case("fail_jpeg.html", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4,
             "failed", "E003"),
        Case("fail_gzip_without_suffix.html", gzip.compress(plain.encode()), "failed", "E003"),
        Case("fail_corrupt.html.gz", gzip.compress(plain.encode())[:60], "failed", "E003"),
        Case("fail_nul_bytes.txt", b"\x00\x01\x02\x03 data \x00\xff" * 500, "failed", "E003"),
        Case("fail_50mb.html", b"<html><body><p>" + b"filler words " * 4_000_000, "failed", "E004"),
        Case("fail_gzip_bomb.txt.gz", gzip.compress(b"a" * 30_000_000), "failed", "E004"),
        Case("fail_broken_bom.txt", codecs.BOM_UTF8 + bytes(range(0x80, 0x100)) * 20, "failed",
             "E005"),
        Case("fail_broken.json", b'{"text": "cut off', "failed", "E006"),
        # parser limits: 1,000 nested lists (RecursionError), a 5,000-digit number (ValueError)
        Case("fail_deep.json", b"[" * 1000 + b"]" * 1000, "failed", "E012"),
        Case("fail_huge_number.json",
             b'{"text": "Shelling was reported.", "published": ' + b"9" * 5000 + b"}",
             "failed", "E012"),
        # a gzip bomb of blank lines (10^9 of them stalled a batch for half an hour), and one
        # unpacking past FLASHPOINT_MAX_UNPACKED_BYTES (lowered for this run in ``_ingest``)
        Case("fail_blank_lines.jsonl.gz", gzip.compress(b"\n" * 3_000_000), "failed", "E015"),
        Case("fail_unpacked.jsonl.gz", gzip.compress(b"{" + b" " * 5_000_000 + b"}\n"),
             "failed", "E014"),
        # a file name that forges summary lines and clears the screen when printed raw
        Case("fail_forged\nstored 500 articles (9 events), already present 0, skipped 0, "
             "failed 0\n\x1b[2J.txt", b"", "failed", "E002"),
        # the database refuses this article (a trigger set up in ``run``): it alone fails
        Case("fail_refused_by_store.txt", _lead(art["scenario_en_kairos_75"]).encode(), "failed",
             "E048"),
        # a file name that is not UTF-8, as old zip extractions leave them
        Case(os.fsdecode(b"good_caf\xe9.txt"),
             _lead(art["64_VOA_EN_NW_2017.06.05.3887168"]).encode(), "stored"),
        Case("feed.jsonl", feed_bytes.encode(), "records", records=FEED),
        Case("crawl.warc", _warc(_html(_lead(art["wiki_ied_bombings_1_news_3"]))), "records",
             records=Counter({"stored": 1, "failed E003": 2})),
    ]


# What the JSON Lines feed must give, record by record (line numbers as in ``_cases``).
FEED = Counter({"stored": 4, "present": 1, "failed E006": 2, "failed E007": 1,
                "skipped E021": 2, "failed E012": 1})
# Inputs named on the command line besides the folder: a PDF, a missing path and refused URLs
# (IPv6 forms that embed a loopback IPv4 address among them), with brackets in their names that
# a console's markup parser would choke on.
EXTRA = (
    ("scan.pdf", "E003"),
    ("missing[/x].txt", "E001"),
    ("http://127.0.0.1:9/a[/b]", "E009"),
    ("http://[::127.0.0.1]:9/", "E009"),
    ("http://[64:ff9b::7f00:1]:9/", "E009"),
    ("http://[2002:7f00:1::]:9/", "E009"),
)
# A sub-folder nobody may list: its files are lost, and must be counted as lost.
LOCKED = "locked"
# Root reads any folder; without these capabilities it is refused like anyone else.
NO_OVERRIDE = "-dac_override,-dac_read_search"


@dataclass(slots=True)
class Run:
    cases: list[Case]
    folder: Path
    db: Path
    args: list[str]
    first: subprocess.CompletedProcess[str]
    strict: subprocess.CompletedProcess[str]
    locked: bool  # whether the locked sub-folder was unreadable to the runs


def _unprivileged() -> list[str] | None:
    """A command prefix under which folder permissions hold (None: none can be had here)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, f"--inh-caps={NO_OVERRIDE}", f"--bounding-set={NO_OVERRIDE}"]


def _ingest(
    args: list[str], db: Path, *flags: str, workers: int = 2, prefix: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real CLI; two worker processes, so a crash would show as E000/E080 in the counts."""
    env = {
        **os.environ,
        "COLUMNS": "100000",  # no wrapping: one outcome per line
        "FLASHPOINT_MAX_UNPACKED_BYTES": "4000000",
    }
    cmd = [sys.executable, "-m", "flashpoint", "ingest", *args, "--db", str(db), "--no-progress"]
    cmd = [*(prefix or []), *cmd, "--workers", str(workers), *flags]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)


def _refuse(db: Path, sql: str) -> None:
    """Create the database and add a trigger, so that the store fails as ``sql`` makes it."""
    open_store(db).close()
    with sqlite3.connect(db) as con:
        con.executescript(sql)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    cases = _cases()
    tmp = tmp_path_factory.mktemp("reliability")
    folder = tmp / "inputs"
    folder.mkdir()
    for case in cases:
        (folder / case.name).write_bytes(case.data)
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4\n")  # not a readable suffix: left alone
    (tmp / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 4)
    prefix = _unprivileged()
    if prefix is not None:
        (folder / LOCKED).mkdir()
        hidden = _lead(_articles()["65_VOA_EN_NW_2014.07.21.1962165"])
        (folder / LOCKED / "hidden.txt").write_text(hidden, encoding="utf-8")
        (folder / LOCKED).chmod(0)
    args = [str(folder), str(tmp / "scan.pdf"), str(tmp / "missing[/x].txt")]
    args += [url for url, _ in EXTRA[2:]]
    db = tmp / "events.db"
    _refuse(db, "CREATE TRIGGER refuse BEFORE INSERT ON articles "
                "WHEN NEW.source LIKE '%fail_refused_by_store%' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test''s trigger'); END;")
    try:
        first = _ingest(args, db, prefix=prefix)
        strict = _ingest(args, db, "--strict", prefix=prefix)
    finally:
        if prefix is not None:
            (folder / LOCKED).chmod(stat.S_IRWXU)
    yield Run(cases, folder, db, args, first, strict, prefix is not None)


def _summary(stderr: str) -> tuple[dict[str, int], Counter[str]]:
    pattern = (
        r"^stored (\d+) articles \((\d+) events\), already present (\d+), skipped (\d+), "
        r"failed (\d+)$"
    )
    assert len(re.findall(pattern, stderr, re.M)) == 1, stderr  # a file name forged none
    m = re.search(pattern, stderr, re.M)
    assert m, stderr
    keys = ("stored", "events", "present", "skipped", "failed")
    totals = dict(zip(keys, map(int, m.groups()), strict=True))
    reasons = Counter(
        {f"{s} {c}": int(n) for s, c, n in re.findall(r"^  (\w+) (E\d{3}): (\d+)$", stderr, re.M)}
    )
    return totals, reasons


def _expected(cases: list[Case]) -> tuple[Counter[str], Counter[str]]:
    totals: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for case in cases:
        if case.records is not None:
            for key, n in case.records.items():
                status, _, code = key.partition(" ")
                totals[status] += n
                if code:
                    reasons[key] += n
            continue
        totals[case.status] += 1
        if case.code:
            reasons[f"{case.status} {case.code}"] += 1
    for _, code in EXTRA:
        totals["failed"] += 1
        reasons[f"failed {code}"] += 1
    return totals, reasons


def _expected_run(run: Run) -> tuple[Counter[str], Counter[str]]:
    totals, reasons = _expected(run.cases)
    if run.locked:
        totals["failed"] += 1
        reasons["failed E016"] += 1
    return totals, reasons


def _rows(db: Path, sql: str, params: tuple[str, ...] = ()) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(sql, params).fetchall()


def test_every_input_class_is_counted_with_its_reason(run: Run) -> None:
    assert run.first.returncode == 0, run.first.stderr
    assert "Traceback" not in run.first.stderr
    totals, reasons = _summary(run.first.stderr)
    want, want_reasons = _expected_run(run)
    assert {k: totals[k] for k in ("stored", "present", "skipped", "failed")} == {
        k: want[k] for k in ("stored", "present", "skipped", "failed")
    }
    assert reasons == want_reasons
    assert totals["events"] > 0
    assert "E000" not in run.first.stderr and "E080" not in run.first.stderr  # no crash, no death


def test_each_bad_file_is_named_with_its_code(run: Run) -> None:
    lines = run.first.stderr.splitlines()
    for case in run.cases:
        if case.code is None:
            continue
        source = printable(str(run.folder / case.name))
        hits = [line for line in lines if line.startswith(f"{case.status} {source}: [")]
        assert len(hits) == 1, (case.name, hits)
        assert f"[{case.code}]" in hits[0]
    for name, code in EXTRA:
        assert any(f"{name}: [{code}]" in line for line in lines), (name, run.first.stderr)
    assert "notes.pdf" not in run.first.stderr
    # control characters of names are escaped: nothing but outcome and summary lines
    assert "\x1b" not in run.first.stderr
    assert "fail_forged\\nstored 500 articles" in run.first.stderr
    crawl = run.folder / "crawl.warc"
    assert f"failed {crawl}:1: [E003]" in run.first.stderr  # negative chunk size
    assert f"failed {crawl}:3: [E003]" in run.first.stderr  # negative Content-Length
    assert "record 3 has no valid Content-Length ('-1')" in run.first.stderr


def test_an_unreadable_folder_is_counted_with_its_files_lost(run: Run) -> None:
    if not run.locked:
        pytest.skip("running as root without setpriv: every folder is readable")
    locked = run.folder / LOCKED
    line = f"failed {locked}: [E016] Cannot read folder {locked}; its files are skipped: "
    assert [x for x in run.first.stderr.splitlines() if x.startswith(line)], run.first.stderr
    assert not _rows(run.db, "SELECT source FROM articles WHERE source LIKE ?", (f"{locked}%",))


def test_every_good_article_is_stored_with_its_text_intact(run: Run) -> None:
    stored = dict(_rows(run.db, "SELECT source, text FROM articles"))
    good = [c for c in run.cases if c.status == "stored"]
    for case in good:
        source = storable(str(run.folder / case.name))  # caf\xe9.txt, not a lone surrogate
        assert source in stored, (case.name, sorted(stored))
        text = stored[source]
        assert "\ufffd" not in text and "â€" not in text, case.name
        if case.original is not None:  # decoded exactly as if it had come in as UTF-8
            reference = clean(Document(source=source, content=case.original)).text
            assert text == reference, case.name
    feed = str(run.folder / "feed.jsonl")
    assert {s for s in stored if s.startswith(feed)} == {
        f"{feed}:1", f"{feed}:7", f"{feed}:9", f"{feed}:11"}
    assert f"{run.folder / 'crawl.warc'}:2" in stored
    assert len(stored) == len(good) + 4 + 1
    assert str(run.folder / "fail_refused_by_store.txt") not in stored
    (cut,) = _rows(run.db, "SELECT id, title, text FROM articles WHERE source = ?", (f"{feed}:9",))
    assert cut[0] == "surrogate\ufffd" and cut[1] == "Cut \ufffd emoji"
    assert cut[2].startswith("Cut \ufffd emoji\n\n") and cut[2].count("\ufffd") == 1 + 3


def test_html_bodies_survive_hostile_markup(run: Run) -> None:
    art = _articles()
    stored = dict(_rows(run.db, "SELECT source, text FROM articles"))
    for name, doc_id in [
        ("good_utf16be_bom.html", "scenario_en_kairos_61"),
        ("good_declared_cp1252.html", "scenario_en_113"),
        ("good_nested.html", "suicide_ied_11"),
        ("good_unclosed_nesting.html", "road_ied_12"),
        ("good_8mb_script.html", "scenario_en_7"),
        ("good_truncated.html", "scenario_en_8"),
    ]:
        text = stored[str(run.folder / name)]
        # the longest paragraph of the first half (prose, not a heading or the part a
        # truncation cut) arrives verbatim
        paragraphs = art[doc_id].split("\n\n")
        paragraph = max(paragraphs[: max(2, len(paragraphs) // 2)], key=len)
        assert paragraph in text, name


def test_duplicates_are_stored_once(run: Run) -> None:
    assert _rows(run.db, "SELECT count(*), min(source) FROM articles WHERE id = 'dup-1'") == [
        (1, f"{run.folder / 'feed.jsonl'}:1")
    ]
    copies = _rows(
        run.db,
        "SELECT source FROM articles WHERE text = (SELECT text FROM articles WHERE source = ?)",
        (str(run.folder / "good_utf8.txt"),),
    )
    assert copies == [(str(run.folder / "good_utf8.txt"),)]
    dupes = _rows(run.db, "SELECT id FROM events GROUP BY id HAVING count(*) > 1")
    assert dupes == []


def test_articles_without_a_date_are_stored_with_unknown_dates(run: Run) -> None:
    undated = {
        str(run.folder / "good_truncated.html"),  # "2005-2006" in the body is not a pub date
        str(run.folder / "good_nested.html"),
        str(run.folder / "good_utf8.txt"),
        f"{run.folder / 'feed.jsonl'}:7",
    }
    rows = _rows(run.db, "SELECT source, published, id FROM articles")
    published = {source: date for source, date, _ in rows}
    assert {s: published[s] for s in undated} == dict.fromkeys(undated)
    dated = {s: d for s, d in published.items() if d is not None}
    assert dated[str(run.folder / "good_example.txt")] == "2024-01-24"
    assert dated[f"{run.folder / 'feed.jsonl'}:1"] == "2017-10-03"
    # 9999-12-31 is dropped with a warning, not kept as the date every event is resolved from
    assert published[f"{run.folder / 'feed.jsonl'}:11"] is None
    assert f"[W004] Publication date 9999-12-31 of {run.folder / 'feed.jsonl'}:11" in (
        run.first.stderr)
    ids = tuple(i for s, _, i in rows if s in undated)
    marks = ",".join("?" * len(ids))
    events = _rows(run.db, f"SELECT event_json FROM events WHERE article_id IN ({marks})", ids)
    assert events, "undated articles still yield events"
    for (blob,) in events:
        date = json.loads(blob)["date"]
        # without a publication date only a date that names its year can be resolved
        if date["start"] is not None:
            assert re.search(r"\b(1[89]|20)\d\d\b", date["text"] or ""), date
    unknown = [json.loads(b)["date"] for (b,) in events]
    assert any(d["precision"] == "unknown" and d["start"] is None for d in unknown)


def test_strict_fails_the_run_and_a_rerun_adds_nothing(run: Run) -> None:
    assert run.strict.returncode == 2, run.strict.stderr
    totals, reasons = _summary(run.strict.stderr)
    first, first_reasons = _summary(run.first.stderr)
    assert totals["stored"] == 0 and totals["events"] == 0
    assert totals["present"] == first["stored"] + first["present"]
    assert (totals["skipped"], totals["failed"]) == (first["skipped"], first["failed"])
    assert reasons == first_reasons
    with sqlite3.connect(run.db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_strict_passes_when_only_documented_skips_occur(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ("good_utf8.txt", "skip_french.txt", "skip_furniture_only.txt"):
        shutil.copy(run.folder / name, folder / name)
    result = _ingest([str(folder)], tmp_path / "ok.db", "--strict", workers=1)
    assert result.returncode == 0, result.stderr
    totals, reasons = _summary(result.stderr)
    assert (totals["stored"], totals["skipped"], totals["failed"]) == (1, 2, 0)
    assert reasons == Counter({"skipped E021": 1, "skipped E020": 1})


def test_a_database_that_stops_taking_writes_ends_the_run_with_a_summary(
    tmp_path: Path, pipeline: Pipeline
) -> None:
    """Disk full, an I/O error, a lost server: no later article could be stored, so the run
    stops, with its summary, the reason and a non-zero exit, and no traceback. (A trigger
    that needs a dropped table stands in for the broken database.) In this process, through
    typer's runner, to reuse the model the ``pipeline`` fixture loaded."""
    art = _articles()
    folder = tmp_path / "inputs"
    folder.mkdir()
    for doc_id in ("road_ied_8", "scenario_en_62"):
        lead = "\n\n".join(art[doc_id].split("\n\n")[:3])  # enough to be an article
        (folder / f"{doc_id}.txt").write_text(lead, encoding="utf-8")
    db = tmp_path / "down.db"
    _refuse(db, "CREATE TABLE gone (x); CREATE TRIGGER down BEFORE INSERT ON articles "
                "BEGIN INSERT INTO gone VALUES (1); END; DROP TABLE gone;")
    args = ["ingest", str(folder), "--db", str(db), "--workers", "1", "--no-progress"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "100000"})
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    totals, reasons = _summary(result.stderr)
    assert totals["stored"] == 0 and reasons == Counter({"failed E049": 2})
    assert "[E049] Writing to the database failed (OperationalError: no such table" in (
        result.stderr)
    assert _rows(db, "SELECT count(*) FROM articles") == [(0,)]


def test_a_paragraph_over_the_parser_limit_costs_nothing(pipeline: Pipeline) -> None:
    """A text with no line breaks used to reach spaCy whole: over ``nlp.max_length`` (1M
    characters) it raised, and in-process that ended the batch. The real limit needs a 1 MB
    article; a lowered one reproduces the same failure in seconds."""
    art = _articles()
    one_line = " ".join(art[k].replace("\n\n", " ") for k in ("road_ied_8", "scenario_en_62"))
    assert len(one_line) > 12_000 and one_line.count("\n") == 0
    pieces = split_paragraphs(one_line)
    assert len(pieces) > 1 and all(len(t) <= MAX_PARAGRAPH_CHARS for _, t in pieces)
    assert all(one_line[s : s + len(t)] == t for s, t in pieces)
    short = Document(source="short.txt", content=art["road_ied_12"])
    nlp, limit = pipeline.nlp, pipeline.nlp.max_length
    try:
        nlp.max_length = 12_000
        docs = [short, Document(source="one-line.txt", content=one_line)]
        outcomes = list(pipeline.run_documents(docs))
        assert [(o.source, o.status) for o in outcomes] == [
            ("short.txt", "stored"), ("one-line.txt", "stored")]
        one = outcomes[1].extraction
        assert one is not None and one.events and one.article.text == one_line
        # below the cut size the parser does raise: only that article fails, in its batch
        # (ungated, so whole paragraph pieces reach the model, not sentence runs)
        nlp.max_length = 5_000
        ungated = Pipeline(Settings(gating=False), nlp=nlp)
        outcomes = list(ungated.run_documents([short, docs[1], short]))
        assert [(o.status, o.code) for o in outcomes] == [
            ("stored", None), ("failed", "E000"), ("stored", None)]
    finally:
        nlp.max_length = limit
