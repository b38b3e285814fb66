"""Bytes to text: refuse binary files, find the encoding, repair obvious mojibake.

News pages arrive in every encoding the web has used; guessing wrong silently corrupts names and
quotes, which then become wrong actors. The order (BOM, strict UTF-8, declared charset, cp1252,
latin-1) follows what browsers do, so we read a page the way its readers saw it.
"""

from __future__ import annotations

import codecs
import re

from ..errors import Errors, InputError

# Magic numbers of formats people feed by mistake (downloads, attachments, archives).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 (Office)"),
    (b"\x7fELF", "ELF"),
    (b"OggS", "Ogg"),
    (b"\x1aE\xdf\xa3", "Matroska/WebM"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
    (b"SQLite format 3\x00", "SQLite"),
)

# Longest BOM first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)

_SNIFF = 8192
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I
)
# Browsers treat these labels as windows-1252, which is a superset for printable text.
_AS_CP1252 = {"ascii", "latin-1", "iso8859-1", "cp1252"}
# A UTF-8 lead byte read as cp1252/latin-1 followed by a continuation byte read the same way:
# the fingerprint of mojibake. Only a gate for the (slower) repair, never a verdict.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_MOJIBAKE_RUN = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{1,3}"
)


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark announces, and the BOM's length."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def _bomless_utf16(sample: bytes) -> str | None:
    """UTF-16 without a BOM shows as NULs on every other byte for Latin text."""
    half = len(sample) // 2
    if half < 8:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of ``data``, or None when it may be text."""
    if bom_encoding(data):
        return None
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:12].startswith(b"RIFF") and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return data[8:12].decode().strip()
    if data.startswith(b"BZh") and data[3:4].isdigit():
        return "bzip2"
    if data[4:8] == b"ftyp":
        return "MP4/ISO media"
    sample = data[:_SNIFF]
    if b"\x00" in sample and _bomless_utf16(sample) is None:
        return "NUL bytes"
    controls = sum(1 for b in sample if b < 0x20 and b not in (9, 10, 12, 13, 27))
    if sample and controls > 0.05 * len(sample):
        return "control characters"
    return None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in _AS_CP1252 else name


def meta_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first bytes, as a Python codec name."""
    match = _META_CHARSET.search(data[:4096])
    return _codec(match.group(1).decode("ascii")) if match else None


def decode_bytes(data: bytes, source: str, declared: str | None = None) -> str:
    """Decode ``data`` to text; ``declared`` is a charset from an HTTP header, if any.

    Raises ``InputError`` (E005) only when a BOM promises an encoding the bytes break badly.
    """
    bom = bom_encoding(data)
    if bom:
        name, size = bom
        text = data[size:].decode(name, errors="replace")
        if text.count("\ufffd") > max(3, len(text) // 100):
            raise InputError(Errors.E005.format(source=source))
        return fix_mojibake(text)
    utf16 = _bomless_utf16(data[:_SNIFF]) if b"\x00" in data[:_SNIFF] else None
    candidates: list[str | None] = [utf16, "utf-8", _codec(declared), meta_charset(data), "cp1252"]
    for codec in candidates:
        if not codec:
            continue
        try:
            return fix_mojibake(data.decode(codec))
        except (UnicodeDecodeError, LookupError):
            continue
    return fix_mojibake(data.decode("latin-1"))


def _redecode(match: re.Match[str]) -> str:
    run = match.group(0)
    for codec in ("cp1252", "latin-1"):
        try:
            return run.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return run


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252/latin-1 ("â€™" → "’") where that is evidently what happened.

    Uses ftfy when installed (it also handles double encoding and mixed lines); otherwise
    re-decodes each suspicious run and keeps it only when it is valid UTF-8.
    """
    if not _MOJIBAKE.search(text):
        return text
    try:
        import ftfy
    except ImportError:  # pragma: no cover - ftfy is a pinned dependency
        return _MOJIBAKE_RUN.sub(_redecode, text)
    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )
    return ftfy.fix_text(text, config)


def looks_like_html(text: str) -> bool:
    """Whether text read from stdin or a .txt file is really an HTML page."""
    head = text[:2048].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in text[:8192].lower():
        return True
    return bool(re.search(r"<(?:html|head|body)\b", head)) or (
        head.startswith("<")
        and len(re.findall(r"</?(?:p|div|article|span|a|br|h[1-6])\b", head)) >= 3
    )
