"""Full-text search over evidence sentences.

SQLite's FTS5 (an external-content index over ``evidence.sentence``, kept in step by triggers,
Porter-stemmed so "strike" finds "strikes") when the build has it; a case-insensitive ``LIKE``
per term otherwise. User text never reaches FTS5 as query syntax: each word or "quoted phrase" is
re-quoted as an FTS5 string, so operators, column filters and stray quotes are inert, and the
result is bound as a parameter like every other value.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

_TERM = re.compile(r'"([^"]*)"|(\S+)')

_FTS_STATEMENTS = (
    "CREATE VIRTUAL TABLE evidence_fts USING fts5("
    "sentence, content='evidence', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER evidence_fts_insert AFTER INSERT ON evidence BEGIN "
    "INSERT INTO evidence_fts (rowid, sentence) VALUES (new.id, new.sentence); END",
    "CREATE TRIGGER evidence_fts_delete AFTER DELETE ON evidence BEGIN "
    "INSERT INTO evidence_fts (evidence_fts, rowid, sentence) "
    "VALUES ('delete', old.id, old.sentence); END",
    "CREATE TRIGGER evidence_fts_update AFTER UPDATE ON evidence BEGIN "
    "INSERT INTO evidence_fts (evidence_fts, rowid, sentence) "
    "VALUES ('delete', old.id, old.sentence); "
    "INSERT INTO evidence_fts (rowid, sentence) VALUES (new.id, new.sentence); END",
    # Index whatever evidence was stored before the index existed (a file first written by a
    # build without FTS5); a no-op on a fresh database.
    "INSERT INTO evidence_fts (evidence_fts) VALUES ('rebuild')",
)


@dataclass(frozen=True, slots=True)
class Term:
    """One search term: a word or a quoted phrase; ``prefix`` for a trailing ``*``."""

    text: str
    prefix: bool = False


def parse_terms(text: str) -> list[Term]:
    """Split a search box string into terms; drop ones with nothing searchable in them."""
    terms: list[Term] = []
    for match in _TERM.finditer(text):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            term = Term(phrase.strip())
        else:
            prefix = word.endswith("*")
            term = Term(word.rstrip("*"), prefix)
        if any(ch.isalnum() for ch in term.text):
            terms.append(term)
    return terms


def fts5_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite build can create FTS5 tables."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.flashpoint_fts5_probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp.flashpoint_fts5_probe")
    return True


def ensure_fts(conn: sqlite3.Connection, begin_write: str) -> bool:
    """Create the evidence index if the engine supports it; return whether it is usable."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'evidence_fts'"
    ).fetchone()
    if exists is not None:
        return True
    if not fts5_available(conn):
        return False
    conn.execute(begin_write)
    try:
        again = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'evidence_fts'"
        ).fetchone()
        if again is None:
            for statement in _FTS_STATEMENTS:
                conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return True


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts_query(terms: list[Term]) -> str:
    """An FTS5 MATCH expression requiring every term (implicit AND)."""
    return " ".join(_fts_string(t.text) + ("*" if t.prefix else "") for t in terms)


def like_pattern(text: str) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern matching ``text`` anywhere, case-folded."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_clause(terms: list[Term], use_fts: bool) -> tuple[str, list[str]]:
    """SQL restricting ``events e`` to those with an evidence sentence matching all terms."""
    if use_fts:
        return (
            "e.id IN (SELECT v.event_id FROM evidence_fts "
            "JOIN evidence v ON v.id = evidence_fts.rowid WHERE evidence_fts MATCH ?)",
            [fts_query(terms)],
        )
    conditions = " AND ".join("LOWER(v.sentence) LIKE ? ESCAPE '\\'" for _ in terms)
    return (
        f"e.id IN (SELECT v.event_id FROM evidence v WHERE {conditions})",
        [like_pattern(t.text) for t in terms],
    )
