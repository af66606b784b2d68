"""The one place that knows SQLite from PostgreSQL.

Everything else talks to `database` (a proxy bound by `connect`) and writes through
`write` so that every read-then-write runs in one transaction that is retried, a few
times and for a bounded time, when another desk holds the lock.
"""
from __future__ import annotations

from datetime import date, datetime

import random
import time
from contextlib import contextmanager
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

import peewee
from playhouse.db_url import connect as connect_url

database = peewee.DatabaseProxy()

# Bump with every change to the models, and add a step to MIGRATIONS in services/schema.py.
SCHEMA_VERSION = 7

# SQLite's busy handler sleeps longer and longer (up to 100 ms a nap) and favours no one,
# so under load one desk can wait seconds while others commit. A short busy timeout and
# our own quick retries with jitter keep every desk's wait short and bounded: at most
# about WRITE_ATTEMPTS x (BUSY_TIMEOUT_MS + 5 ms), four seconds, before a clerk hears of it.
BUSY_TIMEOUT_MS = 60
WRITE_ATTEMPTS = 60

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
        if not path.exists():  # made its owner's (or the library's group's) before SQLite writes a byte;
            from counter_tui.services.files import create_private_file  # its -wal and -shm take its mode
            create_private_file(path)
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


_backend_sql: dict[tuple[str, str, type], str] = {}


def sql(text: str, lock: str = "") -> str:
    """Hand-written SQL for the hottest paths, in the backend's placeholder style.

    Peewee spends twenty times longer building a query's SQL than SQLite spends running
    it, so the few statements of every scan are written once, with '?' placeholders.
    `lock` names the table whose rows to lock on PostgreSQL (SQLite locks the file).
    """
    key = (text, lock, type(database.obj))  # tests switch backends in one process
    if key not in _backend_sql:
        converted = text.replace("?", database.param) if database.param != "?" else text
        if lock and not is_sqlite():
            converted += f" FOR UPDATE OF {lock}"
        _backend_sql[key] = converted
    return _backend_sql[key]


def as_datetime(value) -> datetime | None:
    """A timestamp read by plain SQL: SQLite hands back text, PostgreSQL a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def as_date(value) -> date | None:
    """A date read by plain SQL (SQLite: text)."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def execute(text: str, *params):
    return database.execute_sql(sql(text), params)


def execute_locked(text: str, lock: str, *params):
    return database.execute_sql(sql(text, lock), params)


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
            time.sleep(random.uniform(0, 0.005))
    raise AssertionError("unreachable")


def storage_problems() -> list[str]:
    """What the database engine itself finds wrong with its files (empty when sound)."""
    if not is_sqlite():
        return []  # PostgreSQL checks its pages as it reads them; nothing cheap to ask here
    problems = [row[0] for row in database.execute_sql("PRAGMA integrity_check").fetchall() if row[0] != "ok"]
    problems += [f"foreign key broken: {table} row {rowid} -> {parent}"
                 for table, rowid, parent, _ in database.execute_sql("PRAGMA foreign_key_check").fetchall()]
    return problems


def backup_to(path: Path) -> None:
    """A consistent copy of the live database while desks keep writing (never `cp`)."""
    if is_sqlite():
        import sqlite3
        target = sqlite3.connect(str(path))
        try:
            database.connection().backup(target)  # the SQLite online backup API
        finally:
            target.close()
    else:
        _run_pg_tool("pg_dump", "--format=custom", f"--file={path}", _pg_url())


def restore_from(path: Path) -> None:
    """Replace the live database's contents with a backup, in one step the desks see whole."""
    if is_sqlite():
        import sqlite3
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(database.connection())
        finally:
            source.close()
    else:
        _run_pg_tool("pg_restore", "--clean", "--if-exists", "--single-transaction", "--no-owner",
                     f"--dbname={_pg_url()}", str(path))


def _pg_url() -> str:
    """The server and database for PostgreSQL's tools, without the password (see _run_pg_tool)."""
    params = database.obj.connect_params
    user = params.get("user") or "postgres"
    host = params.get("host") or "localhost"
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgresql://{user}@{host}{port}/{database.obj.database}"


def _run_pg_tool(*args: str) -> None:
    """Run pg_dump or pg_restore; the password goes in its environment, never its arguments
    (which `ps` shows to every user of the machine)."""
    import os
    import shutil
    import subprocess
    if shutil.which(args[0]) is None:
        raise RuntimeError(f"{args[0]} is not installed: install PostgreSQL's client tools.")
    password = database.obj.connect_params.get("password") if not is_sqlite() else None
    env = {**os.environ, "PGPASSWORD": password} if password else None
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr.strip()}")


def shown(url: str) -> str:
    """A database address as it may be printed: the password left out."""
    parsed = urlparse(url)
    if not parsed.password:
        return url
    return url.replace(f":{parsed.password}@", ":***@", 1)


def backup_version(path: Path) -> int:
    """The schema version inside a backup file, refusing files that are not sound backups."""
    if not path.is_file():
        raise SchemaError(f"There is no backup file at {path}.")
    if is_sqlite():
        import sqlite3
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise SchemaError(f"{path} is damaged; nothing was restored.")
                return source.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
            finally:
                source.close()
        except sqlite3.DatabaseError as exc:
            raise SchemaError(f"{path} is not a counter-tui backup ({exc}); nothing was restored.") from None
    _run_pg_tool("pg_restore", "--list", str(path))  # fails on anything but a pg_dump archive
    return SCHEMA_VERSION


@contextmanager
def schema_change():
    """Around a migration: SQLite rebuilds a table to add a NOT NULL column, and with
    foreign keys enforced it may not drop the old table that loans point at. Keys are
    checked again, all at once, when the change is done."""
    if not is_sqlite():
        yield
        return
    database.execute_sql("PRAGMA foreign_keys = OFF")  # has no effect inside a transaction
    try:
        yield
        broken = database.execute_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise SchemaError(f"The migration left {len(broken)} broken references; restore the backup.")
    finally:
        database.execute_sql("PRAGMA foreign_keys = ON")
