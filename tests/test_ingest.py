"""Ingest on real inputs: files, folders, JSON Lines, encodings, binaries, stdin and HTTP."""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from flashpoint.ingest import InputFailure, decode_bytes, is_public_address, read_inputs
from flashpoint.ingest.names import printable, storable
from flashpoint.types import Document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXAMPLE = SHARED / "examples" / "anadolu-2024-01-24-us-strikes-iraq.txt"

PARAGRAPH = (
    "Gunmen attacked a police post in the northern town of Djibo on Sunday, killing six "
    "officers, security sources said. The army said reinforcements had been sent."
)
PAGE = f"<html><head><title>Djibo attack</title></head><body><p>{PARAGRAPH}</p></body></html>"


def _read(*inputs: str, **kwargs: object) -> list[Document | InputFailure]:
    return list(read_inputs(list(inputs), **kwargs))  # type: ignore[arg-type]


def _one_failure(items: list[Document | InputFailure]) -> InputFailure:
    assert len(items) == 1 and isinstance(items[0], InputFailure), items
    return items[0]


def _docs(items: list[Document | InputFailure]) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


# --- files and folders ---------------------------------------------------------------------


def test_example_file() -> None:
    if not EXAMPLE.exists():
        pytest.skip(f"{EXAMPLE} is absent (shared examples live in ../shared beside the repo)")
    (doc,) = _read(str(EXAMPLE))
    assert isinstance(doc, Document)
    assert doc.content_type == "text" and doc.source == str(EXAMPLE)
    assert isinstance(doc.content, str) and doc.content.startswith("Contact Us")
    assert "Published January 24,2024" in doc.content


def test_folder_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text(PARAGRAPH, encoding="utf-8")
    (tmp_path / "a.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(PARAGRAPH, encoding="utf-8")
    (tmp_path / "notes.md").write_text(PARAGRAPH, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text(PARAGRAPH, encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "c.html.gz").write_bytes(gzip.compress(PAGE.encode()))
    (sub / "d.jsonl").write_text(json.dumps({"text": PARAGRAPH, "id": "r1"}) + "\n", "utf-8")
    items = _read(str(tmp_path))
    names = [Path(i.source.split(":")[0]).name for i in items]
    assert names == ["a.html", "b.txt", "c.html.gz", "d.jsonl"]
    docs = _docs(items)
    assert [d.content_type for d in docs] == ["html", "text", "html", "text"]
    assert PARAGRAPH in str(docs[2].content)  # gzip decompressed
    assert docs[3].id == "r1"


def test_missing_input_does_not_stop_the_batch(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(PARAGRAPH, encoding="utf-8")
    items = _read(str(tmp_path / "nope.txt"), str(good))
    assert isinstance(items[0], InputFailure) and items[0].code == "E001"
    assert isinstance(items[1], Document)


def test_txt_file_holding_html_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "saved.txt"
    path.write_text("<!DOCTYPE html>\n" + PAGE, encoding="utf-8")
    (doc,) = _docs(_read(str(path)))
    assert doc.content_type == "html"


# --- JSON and JSON Lines -------------------------------------------------------------------


def test_jsonl_broken_line_yields_failure_and_the_rest_continue(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps(
            {
                "id": 7,
                "text": PARAGRAPH,
                "url": "https://example.org/a",
                "title": "Djibo",
                "publisher": "Reuters",
                "published": "2024-02-11T08:00:00Z",
                "language": "en-US",
            }
        ),
        '{"text": "unterminated',
        "",
        json.dumps({"html": PAGE, "date": "2024-02-12"}),
        json.dumps({"title": "no body"}),
        json.dumps(["not", "an", "object"]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = _read(str(path))
    assert len(items) == 5
    first, broken, second, no_text, not_object = items
    assert isinstance(first, Document)
    assert first.id == "7" and first.url == "https://example.org/a" and first.title == "Djibo"
    assert first.publisher == "Reuters" and first.published == dt.date(2024, 2, 11)
    assert first.language == "en" and first.source == f"{path}:1"
    assert isinstance(broken, InputFailure) and broken.code == "E006"
    assert "line 2" in broken.message
    assert isinstance(second, Document) and second.content_type == "html"
    assert second.published == dt.date(2024, 2, 12) and second.source == f"{path}:4"
    assert isinstance(no_text, InputFailure) and no_text.code == "E007"
    assert isinstance(not_object, InputFailure) and not_object.code == "E006"


def test_json_array_file(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([{"text": PARAGRAPH}, {"text": "  "}, {"html": PAGE}]), "utf-8")
    items = _read(str(path))
    assert [type(i).__name__ for i in items] == ["Document", "InputFailure", "Document"]
    assert isinstance(items[1], InputFailure) and items[1].code == "E002"


def test_oversize_jsonl_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    big = json.dumps({"text": "x " * 5000})
    path.write_text(big + "\n" + json.dumps({"text": PARAGRAPH}) + "\n", encoding="utf-8")
    items = _read(str(path), max_bytes=2000)
    assert isinstance(items[0], InputFailure) and items[0].code == "E004"
    assert isinstance(items[1], Document) and items[1].content == PARAGRAPH


# --- encodings -----------------------------------------------------------------------------

TEXT = "Kyiv — the minister’s “café” statement: 25 °C, Zürich, Ελλάδα, Київ."


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF8, "utf-8"),
    ],
)
def test_bom_encodings(tmp_path: Path, bom: bytes, codec: str) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(bom + TEXT.encode(codec))
    (doc,) = _docs(_read(str(path)))
    assert doc.content == TEXT


def test_bomless_utf16() -> None:
    assert decode_bytes(TEXT.encode("utf-16-le"), "x") == TEXT


def test_cp1252_fallback(tmp_path: Path) -> None:
    text = "The minister’s statement — “we will respond”, said the café owner in Besançon."
    path = tmp_path / "win.txt"
    path.write_bytes(text.encode("cp1252"))
    (doc,) = _docs(_read(str(path)))
    assert doc.content == text


def test_meta_charset_is_honoured(tmp_path: Path) -> None:
    body = "Украинские военные сообщили об ударе по Херсону."
    page = f'<html><head><meta charset="windows-1251"></head><body><p>{body}</p></body></html>'
    path = tmp_path / "ru.html"
    path.write_bytes(page.encode("cp1251"))
    (doc,) = _docs(_read(str(path)))
    assert body in str(doc.content)


def test_mojibake_is_repaired(tmp_path: Path) -> None:
    # ” (E2 80 9D) has no cp1252 form, so real mojibake of it is rarer; ‘ and ’ are common.
    text = "The minister’s statement — ‘we will respond’ — was read in Besançon."
    path = tmp_path / "moji.txt"
    path.write_text(text.encode("utf-8").decode("cp1252"), encoding="utf-8")
    assert "â€™" in path.read_text(encoding="utf-8")
    (doc,) = _docs(_read(str(path)))
    assert doc.content == text


def test_legitimate_accents_are_left_alone() -> None:
    text = "Le café «Au Bon Coin» à Besançon était fermé; São Tomé et Señor Núñez."
    assert decode_bytes(text.encode("utf-8"), "x") == text


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
        ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "PDF"),
        ("page.html", gzip.compress(PAGE.encode()), "gzip"),
        ("image.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG"),
        ("nul.txt", b"text with \x00 NUL \x00 bytes\x00\x00\x01\x02 inside" * 10, "NUL bytes"),
    ],
)
def test_binary_inputs_are_refused(tmp_path: Path, name: str, data: bytes, kind: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    failure = _one_failure(_read(str(path)))
    assert failure.code == "E003" and kind in failure.message


def test_binary_named_jsonl_is_refused_once(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 50)
    assert _one_failure(_read(str(path))).code == "E003"


@pytest.mark.parametrize("content", [b"", b"   \n\t \r\n  ", "\ufeff  \n".encode()])
@pytest.mark.parametrize("name", ["empty.txt", "empty.html", "empty.jsonl", "empty.json"])
def test_empty_inputs(tmp_path: Path, content: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert _one_failure(_read(str(path))).code == "E002"


def test_oversize_file_and_gzip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(PARAGRAPH * 20, encoding="utf-8")
    assert _one_failure(_read(str(path), max_bytes=500)).code == "E004"
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(b"a" * 5_000_000))
    assert bomb.stat().st_size < 20_000
    assert _one_failure(_read(str(bomb), max_bytes=1_000_000)).code == "E004"


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = tmp_path / "broken.html.gz"
    path.write_bytes(gzip.compress(PAGE.encode())[:40])
    assert _one_failure(_read(str(path))).code == "E003"


# --- stdin -----------------------------------------------------------------------------------


def _stdin(data: bytes) -> list[dict[str, str | None]]:
    code = (
        "import json, sys\n"
        "from flashpoint.ingest import read_inputs, InputFailure\n"
        "out = []\n"
        "for i in read_inputs(['-']):\n"
        "    if isinstance(i, InputFailure):\n"
        "        out.append({'failure': i.code, 'source': i.source})\n"
        "    else:\n"
        "        out.append({'type': i.content_type, 'source': i.source, 'id': i.id})\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=data, capture_output=True, check=True, timeout=60
    )
    return json.loads(result.stdout)


def test_stdin_sniffs_html_text_and_jsonl() -> None:
    assert _stdin(PAGE.encode()) == [{"type": "html", "source": "<stdin>", "id": None}]
    assert _stdin(PARAGRAPH.encode()) == [{"type": "text", "source": "<stdin>", "id": None}]
    lines = (
        json.dumps({"id": "a", "text": PARAGRAPH})
        + "\n{oops\n"
        + json.dumps({"id": "b", "text": PARAGRAPH})
    )
    assert _stdin(lines.encode()) == [
        {"type": "text", "source": "<stdin>:1", "id": "a"},
        {"failure": "E006", "source": "<stdin>"},
        {"type": "text", "source": "<stdin>:3", "id": "b"},
    ]


# --- HTTP ------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str | None, **headers: str) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        if path == "/article":
            self._send(200, PAGE.encode("cp1252"), "text/html; charset=windows-1252")
        elif path == "/plain":
            self._send(200, PARAGRAPH.encode(), "text/plain")
        elif path == "/gz":
            self._send(200, gzip.compress(PAGE.encode()), "text/html", Content_Encoding="gzip")
        elif path.startswith("/hop/"):
            n = int(path.rsplit("/", 1)[1])
            self._send(302, b"", None, Location="/article" if n == 0 else f"/hop/{n - 1}")
        elif path == "/to-file":
            self._send(302, b"", None, Location="file:///etc/passwd")
        elif path == "/image":
            self._send(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
        elif path == "/huge":
            self._send(200, b"<p>" + b"word " * 100_000 + b"</p>", "text/html")
        elif path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"<p>drip</p>")
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self._send(404, b"not here", "text/plain")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_local_page_with_allow_private(server: str) -> None:
    (doc,) = _read(f"{server}/article", allow_private=True)
    assert isinstance(doc, Document) and doc.content_type == "html"
    assert PARAGRAPH in str(doc.content) and doc.url == f"{server}/article"
    (plain,) = _docs(_read(f"{server}/plain", allow_private=True))
    assert plain.content_type == "text" and plain.content == PARAGRAPH
    (gz,) = _docs(_read(f"{server}/gz", allow_private=True))
    assert PARAGRAPH in str(gz.content)


def test_private_addresses_are_refused_without_allow_private(server: str) -> None:
    assert _one_failure(_read(f"{server}/article")).code == "E009"
    port = server.rsplit(":", 1)[1]
    assert _one_failure(_read(f"http://localhost:{port}/article")).code == "E009"


def test_redirects_are_followed_checked_and_bounded(server: str) -> None:
    # /hop/N answers N + 1 redirects before the article.
    (doc,) = _docs(_read(f"{server}/hop/4", allow_private=True))
    assert doc.url == f"{server}/article"
    too_many = _one_failure(_read(f"{server}/hop/5", allow_private=True))
    assert too_many.code == "E008" and "redirects" in too_many.message
    assert _one_failure(_read(f"{server}/to-file", allow_private=True)).code == "E010"


def test_fetch_failures(server: str) -> None:
    assert _one_failure(_read(f"{server}/image", allow_private=True)).code == "E011"
    assert _one_failure(_read(f"{server}/missing", allow_private=True)).code == "E008"
    assert (
        _one_failure(_read(f"{server}/huge", allow_private=True, max_bytes=100_000)).code == "E004"
    )
    started = time.monotonic()
    slow = _one_failure(_read(f"{server}/slow", allow_private=True, timeout=1.0))
    assert slow.code == "E008" and time.monotonic() - started < 3.5
    assert _one_failure(_read("ftp://example.org/file.txt")).code == "E010"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("172.16.5.4", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        # IPv6 forms that embed an IPv4 address are judged by it
        ("::127.0.0.1", False),  # IPv4-compatible
        ("::", False),
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 to 169.254.169.254 (cloud metadata)
        ("64:ff9b::7f00:1", False),
        ("64:ff9b:1::a00:1", False),  # local-use NAT64 (RFC 8215) to 10.0.0.1
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:c0a8:101::1", False),  # 6to4 of 192.168.1.1
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # Teredo client 127.0.0.1
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::808:808", True),
        ("2002:808:808::1", True),
    ],
)
def test_public_address_classification(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_names_are_stored_and_printed_without_harm() -> None:
    """Undecodable bytes of a file name (as os.fsdecode carries them) become ``\\xNN``; for
    console lines, controls and bidi overrides are escaped too, so a name cannot forge a line."""
    name = os.fsdecode(b"caf\xe9\nstored 9\x1b[2J\xe2\x80\xae.txt")
    assert storable(name) == "caf\\xe9\nstored 9\x1b[2J\u202e.txt"
    assert printable(name) == "caf\\xe9\\nstored 9\\x1b[2J\\u202e.txt"
    assert storable("half \ud83d emoji") == "half \\ud83d emoji"
    assert printable(name).encode("utf-8") and "\n" not in printable("a\r\nb\u2028c")
    assert printable("plain/path [x].txt") == "plain/path [x].txt"
