"""Ingest: read files, folders, stdin and URLs into ``Document`` objects (see ``reader``)."""

from .decode import decode_bytes, fix_mojibake, sniff_binary
from .fetch import fetch_url
from .net import is_public_address
from .reader import InputFailure, read_inputs

__all__ = [
    "InputFailure",
    "decode_bytes",
    "fetch_url",
    "fix_mojibake",
    "is_public_address",
    "read_inputs",
    "sniff_binary",
]
