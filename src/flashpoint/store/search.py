"""Full-text search over evidence sentences.

SQLite's FTS5 (an external-content index over ``evidence.sentence``, kept in step by triggers,
Porter-stemmed so "strike" finds "strikes") when the build has it; a case-insensitive ``LIKE``
per term otherwise. User text never reaches FTS5 as query syntax: each word or "quoted phrase" is
re-quoted as an FTS5 string, so operators, column filters and stray quotes are inert, and the
result is bound as a parameter like every other value.

PostgreSQL: a stored generated ``tsvector`` column on ``evidence`` (the ``english`` Snowball
stemmer) with a GIN index. Accents are folded on both sides by a fixed ``translate`` table, so
"Bogota" finds "Bogotá" as FTS5's ``remove_diacritics`` does, without needing the ``unaccent``
extension (and the rights to install it). Words and phrases go through ``phraseto_tsquery``,
which reads its input as plain text; a prefix term is rebuilt from its letters and digits only,
so no tsquery operator can come from the user either.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .connect import Connection
from .dialect import POSTGRES, Dialect

_TERM = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"[^\W_]+")

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


def _fold_table() -> tuple[str, str]:
    """Latin letters with diacritics → their base letter, one character each (for translate)."""
    accented, plain = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)
        if (
            len(base) > 1
            and base[0].isascii()
            and base[0].isalpha()
            and all(unicodedata.combining(c) for c in base[1:])
        ):
            accented.append(char)
            plain.append(base[0])
    return "".join(accented), "".join(plain)


_ACCENTED, _PLAIN = _fold_table()
_FOLD = str.maketrans(_ACCENTED, _PLAIN)
_PG_VECTOR = f"to_tsvector('english', translate(sentence, '{_ACCENTED}', '{_PLAIN}'))"
_PG_FTS_STATEMENTS = (
    "ALTER TABLE evidence ADD COLUMN IF NOT EXISTS sentence_tsv tsvector "
    f"GENERATED ALWAYS AS ({_PG_VECTOR}) STORED",
    "CREATE INDEX IF NOT EXISTS idx_evidence_tsv ON evidence USING GIN (sentence_tsv)",
)
_PG_HAS_FTS = (
    "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('evidence') "
    "AND attname = 'sentence_tsv' AND NOT attisdropped"
)


def fold(text: str) -> str:
    """``text`` with accents dropped exactly as the PostgreSQL index drops them."""
    return text.translate(_FOLD)


def fts5_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite build can create FTS5 tables."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.flashpoint_fts5_probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp.flashpoint_fts5_probe")
    return True


def ensure_fts(conn: Connection, dialect: Dialect) -> bool:
    """Create the evidence index if the engine supports it; return whether it is usable."""
    if dialect is POSTGRES:
        return _ensure_tsvector(conn, dialect)
    assert isinstance(conn, sqlite3.Connection)
    return _ensure_fts5(conn, dialect.begin_write)


def _ensure_tsvector(conn: Connection, dialect: Dialect) -> bool:
    _create_once(conn, dialect.begin_write, _PG_HAS_FTS, _PG_FTS_STATEMENTS)
    return True


_FTS5_EXISTS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'evidence_fts'"


def _ensure_fts5(conn: sqlite3.Connection, begin_write: str) -> bool:
    if conn.execute(_FTS5_EXISTS).fetchone() is not None:
        return True
    if not fts5_available(conn):
        return False
    _create_once(conn, begin_write, _FTS5_EXISTS, _FTS_STATEMENTS)
    return True


def _create_once(
    conn: Connection, begin_write: str, exists: str, statements: Sequence[str]
) -> None:
    """Run ``statements`` unless ``exists`` finds a row, checking again inside the write lock
    so two processes opening a new store do not both create the index."""
    if conn.execute(exists).fetchone() is not None:
        return
    conn.execute(begin_write)
    try:
        if conn.execute(exists).fetchone() is None:
            for statement in statements:
                conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts_query(terms: list[Term]) -> str:
    """An FTS5 MATCH expression requiring every term (implicit AND)."""
    return " ".join(_fts_string(t.text) + ("*" if t.prefix else "") for t in terms)


def like_pattern(text: str) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern matching ``text`` anywhere, case-folded."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def tsquery_parts(terms: list[Term]) -> tuple[list[str], list[str]]:
    """tsquery constructors (SQL) and their bound values, one per term."""
    parts: list[str] = []
    values: list[str] = []
    for term in terms:
        text = fold(term.text)
        words = _WORD.findall(text)
        if term.prefix and words:
            parts.append("to_tsquery('english', ?)")
            values.append(" <-> ".join([*words[:-1], words[-1] + ":*"]))
        else:
            parts.append("phraseto_tsquery('english', ?)")
            values.append(text)
    return parts, values


def text_clause(terms: list[Term], full_text: str | None) -> tuple[str, list[str]]:
    """SQL restricting ``events e`` to those with an evidence sentence matching all terms.

    ``full_text``: the engine's index ("fts5" or "tsvector"), or None for ``LIKE``.
    """
    if full_text == "tsvector":
        parts, values = tsquery_parts(terms)
        return (
            "e.id IN (SELECT v.event_id FROM evidence v WHERE v.sentence_tsv @@ ("
            + " && ".join(parts)
            + "))",
            values,
        )
    if full_text == "fts5":
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
