"""The one place that knows SQLite from PostgreSQL.

Everything else talks to `database` (a proxy bound by `connect`) and writes through
`write` so that every read-then-write runs in one transaction that is retried, a few
times and for a bounded time, when another desk holds the lock.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

import peewee
from playhouse.db_url import connect as connect_url

database = peewee.DatabaseProxy()

# Bump with every change to the models, and add a step to MIGRATIONS in services/schema.py.
SCHEMA_VERSION = 1

BUSY_TIMEOUT_MS = 2000
WRITE_ATTEMPTS = 6

T = TypeVar("T")


class SchemaError(Exception):
    """The database is missing, older or newer than this program."""


def connect(url: str) -> peewee.Database:
    """Open the database named by `url` and bind the models to it."""
    parsed = urlparse(url)
    if parsed.scheme in ("sqlite", ""):
        path = Path(url.split("sqlite:///", 1)[1] if url.startswith("sqlite:///") else url)
        if str(path) == ":memory:":
            raise ValueError("An in-memory database is private to one thread; give a file.")
        path.parent.mkdir(parents=True, exist_ok=True)
        db = peewee.SqliteDatabase(
            str(path),
            # IMMEDIATE: take the write lock at BEGIN, so two desks never both read and
            # then fail to upgrade (deferred transactions lose most such races).
            lock_type="IMMEDIATE",
            timeout=BUSY_TIMEOUT_MS / 1000,
            pragmas={
                "journal_mode": "wal",
                "synchronous": "full",  # an acknowledged scan survives a power cut
                "foreign_keys": 1,
                "busy_timeout": BUSY_TIMEOUT_MS,
                "cache_size": -32000,
            },
        )
    elif parsed.scheme.startswith("postgres"):
        db = connect_url(url)
    else:
        raise ValueError(f"Unknown database URL {url!r}: use a file path, sqlite:///PATH or postgresql://...")
    database.initialize(db)
    return db


def is_sqlite() -> bool:
    return isinstance(database.obj, peewee.SqliteDatabase)


def locked_for_update(query: peewee.ModelSelect, *of: type[peewee.Model]) -> peewee.ModelSelect:
    """Row locks on PostgreSQL; SQLite already holds the whole-file write lock (IMMEDIATE).

    `of` names the tables whose rows to lock, so a join to a shared row (a reader's
    category) does not make every desk wait for every other.
    """
    return query if is_sqlite() else query.for_update(of=of or None)


def _is_contention(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(s in text for s in ("database is locked", "database is busy",
                                   "could not serialize", "deadlock detected"))


def write(fn: Callable[[], T], attempts: int = WRITE_ATTEMPTS) -> T:
    """Run `fn` in one transaction; retry only when another desk held the lock.

    SQLite's busy handler is unfair under load, so rather than one long wait we take
    several short ones with jitter. Business errors raised by `fn` roll back and pass
    straight through: they are never retried.
    """
    for attempt in range(1, attempts + 1):
        try:
            with database.atomic():
                return fn()
        except peewee.OperationalError as exc:
            if not _is_contention(exc) or attempt == attempts:
                raise
            time.sleep(random.uniform(0.005, 0.05) * attempt)
    raise AssertionError("unreachable")
