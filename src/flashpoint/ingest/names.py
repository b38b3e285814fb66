"""Input names (file paths, URLs) in forms that can be stored and printed without harm.

A file name is bytes to the operating system; Python hands over the bytes that are not UTF-8 as
lone surrogates (``caf\\udce9.txt`` for ``caf\\xe9.txt`` from an old zip), which no encoder
accepts, so the database refused the whole transaction. And a name may hold a newline, which
printed as-is forges a line of the run's summary. ``storable`` is applied where the reader
names a source, so the database, the API and the console all show the same string;
``printable`` is applied to every line the command line writes about an input.
"""

from __future__ import annotations

import re

# Lone surrogates: undecodable bytes of a file name (U+DC80..U+DCFF), or half of a character.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters that break or reorder a console line: C0/C1 controls, DEL, line and paragraph
# separators, and the bidirectional overrides that make a name read backwards.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _surrogate(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # how os.fsdecode carries a byte that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def _control(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def storable(name: str) -> str:
    """``name`` with each undecodable byte written ``\\xNN`` (so it encodes as UTF-8)."""
    return _SURROGATE.sub(_surrogate, name)


def printable(text: str) -> str:
    """``text`` as one console line: ``storable``, with control characters escaped too."""
    return _UNPRINTABLE.sub(_control, storable(text))
