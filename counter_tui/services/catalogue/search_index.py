"""The catalogue's search index: words found inside titles, authors and subjects, in any script.

SQLite: an FTS5 table with the trigram tokenizer, external content on `biblio`, kept in
step by triggers so that the form, imports, the demo and raw INSERTs all index what they
write. A trigram index finds any run of three or more characters, so 楼梦 inside 红楼梦
is found once it is three characters long; shorter runs fall back to LIKE (see catalogue.py).

PostgreSQL: pg_trgm GIN indexes on the same columns, used by ILIKE '%...%'.
"""
from __future__ import annotations

import sqlite3

from counter_tui import db
from counter_tui.db import database

FTS_TABLE = "biblio_search"
COLUMNS = ("title", "author", "subjects")  # the FTS5 column order; searches name them

_SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title, author, subjects, content='biblio', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS biblio_search_ai AFTER INSERT ON biblio BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, title, author, subjects) VALUES (new.id, new.title, new.author, new.subjects); "
    "END",
    f"CREATE TRIGGER IF NOT EXISTS biblio_search_ad AFTER DELETE ON biblio BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, author, subjects) "
    "VALUES ('delete', old.id, old.title, old.author, old.subjects); END",
    # only when a searched column changes: a copy's status never touches the index
    f"CREATE TRIGGER IF NOT EXISTS biblio_search_au AFTER UPDATE OF title, author, subjects ON biblio BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, author, subjects) "
    "VALUES ('delete', old.id, old.title, old.author, old.subjects); "
    f"INSERT INTO {FTS_TABLE}(rowid, title, author, subjects) VALUES (new.id, new.title, new.author, new.subjects); "
    "END",
]

_PG_DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS biblio_title_trgm ON biblio USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS biblio_author_trgm ON biblio USING gin (author gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS biblio_subjects_trgm ON biblio USING gin (subjects gin_trgm_ops)",
]


def trigram_supported() -> bool:
    """SQLite added FTS5's trigram tokenizer in 3.34."""
    return tuple(int(p) for p in sqlite3.sqlite_version.split(".")[:2]) >= (3, 34)


def create_search_index() -> None:
    """Create the index (and fill it from the titles already there); safe to run twice."""
    if db.is_sqlite():
        if not trigram_supported():
            raise RuntimeError(f"SQLite {sqlite3.sqlite_version} has no trigram tokenizer; "
                               "the catalogue search needs SQLite 3.34 or newer.")
        existed = database.table_exists(FTS_TABLE)
        for statement in _SQLITE_DDL:
            database.execute_sql(statement)
        if not existed:
            database.execute_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    else:
        for statement in _PG_DDL:
            database.execute_sql(statement)


def rebuild_search_index() -> None:
    """Build the index again from the titles (after a bulk load with the triggers bypassed)."""
    if db.is_sqlite():
        database.execute_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def fts_phrase(text: str) -> str:
    """One FTS5 phrase for `text`: quoted, inner quotes doubled, so no operator leaks in."""
    return '"' + text.replace('"', '""') + '"'


def like_pattern(text: str) -> str:
    """'%text%' for LIKE ... ESCAPE '\\' with the wildcards in `text` taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
