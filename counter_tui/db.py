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


def connect(url: str, application_name: str | None = None) -> peewee.Database:
    """Open the database named by `url` and bind the models to it. `application_name` names the
    connections on PostgreSQL (pg_stat_activity shows it: services/admin/desks.py)."""
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
        db = connect_url(url, **({"application_name": application_name} if application_name else {}))
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


class Note(str):
    """A line of a check's findings that is no problem: what was checked, or what could not be."""


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def storage_problems() -> list[str]:
    """What the database engine itself finds wrong with its files (empty when sound), never raising."""
    return [finding for finding in storage_findings() if not isinstance(finding, Note)]


def storage_findings() -> list[str]:
    """storage_problems, never raising (a file SQLite cannot read is one sentence), and on PostgreSQL
    amcheck's verdict on every index where the extension is installed, with Notes saying what was and
    was not checked."""
    if not is_sqlite():
        return _postgresql_storage()
    try:
        problems = [row[0] for row in database.execute_sql("PRAGMA integrity_check").fetchall() if row[0] != "ok"]
    except peewee.DatabaseError as exc:
        return [f"the database cannot be read ({first_line(exc)}): restore the last backup"]
    try:
        problems += [f"foreign key broken: {table} row {rowid} -> {parent}"
                     for table, rowid, parent, _ in database.execute_sql("PRAGMA foreign_key_check").fetchall()]
    except peewee.DatabaseError as exc:  # damaged pages stop it part way
        problems.append(f"the references between tables could not be checked ({first_line(exc)})")
    return problems


def _postgresql_storage() -> list[str]:
    findings: list[str] = []
    if database.execute_sql("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'").fetchone() is None:
        findings.append(Note("amcheck is not installed in this database, so index pages were not checked "
                             "(a superuser can add it: CREATE EXTENSION amcheck)"))
    else:
        indexes = [row[0] for row in database.execute_sql(
            "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE a.amname = 'btree' AND n.nspname = current_schema() AND i.indisvalid ORDER BY 1").fetchall()]
        checked = 0
        for index in indexes:
            try:
                database.execute_sql("SELECT bt_index_check(%s::regclass, true)", (index,))
                checked += 1
            except peewee.DatabaseError as exc:
                if "permission denied" in str(exc):
                    findings.append(Note(f"amcheck may not be used by this account, so index pages were not "
                                         f"checked ({first_line(exc)})"))
                    break
                findings.append(f"index {index} is damaged ({first_line(exc)}): REINDEX INDEX {index}")
        if checked:
            findings.append(Note(f"amcheck checked {checked} indexes and the table rows they hold"))
    checksums = database.execute_sql("SHOW data_checksums").fetchone()[0]
    findings.append(Note("table pages carry checksums, which PostgreSQL verifies whenever it reads them"
                         if checksums == "on" else
                         "data checksums are off on this server, so a damaged table page is found only when "
                         "reading it fails (initdb --data-checksums, or pg_checksums --enable, turns them on)"))
    return findings


def sqlite_file_problems(path: Path) -> list[str]:
    """What can be told of an SQLite library file without opening it (opening would make a missing
    one): none there, not a file, not SQLite's, shorter than its header says. Empty when none."""
    path = Path(path)
    if not path.exists():
        return [f"There is no database at {path}"]
    if not path.is_file():
        return [f"{path} is not a file"]
    size = path.stat().st_size
    if size == 0:
        return []  # an empty database: the schema check says so, and names init
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        return [f"{path} cannot be read ({exc.strerror})"]
    if not header.startswith(b"SQLite format 3\x00"):
        return [f"{path} is not an SQLite database (its first bytes are not SQLite's header), so it holds no library"]
    if len(header) < 100:
        return [f"{path} is truncated: {size:,} bytes, shorter than SQLite's header"]
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65_536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if pages and header[24:28] == header[92:96] and size < pages * page_size:
        return [f"{path} is truncated: {size:,} bytes where its header says {pages * page_size:,} "
                f"({pages:,} pages of {page_size:,} bytes)"]
    if page_size and size % page_size:
        return [f"{path} is truncated or damaged: {size:,} bytes is not a whole number of {page_size:,}-byte pages"]
    return []


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


def _pg_url(name: str | None = None) -> str:
    """The server and database (`name`, else the library's) for PostgreSQL's tools, without the password
    (see _run_pg_tool)."""
    params = database.obj.connect_params
    user = params.get("user") or "postgres"
    host = params.get("host") or "localhost"
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgresql://{user}@{host}{port}/{name or database.obj.database}"


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
def examined(path: Path):
    """Inside the block the models read the backup at `path` instead of the library (read only), so
    the schema and the invariants of a backup are checked by the same code as the library's.

    SQLite: the file itself, opened read-only and immutable. PostgreSQL: the archive restored into a
    scratch database on the same server, dropped afterwards (the account must be allowed to create
    databases)."""
    live = database.obj
    scratch = ""
    if is_sqlite():
        backup = peewee.SqliteDatabase(f"file:{path}?mode=ro&immutable=1", uri=True)
    else:
        import secrets
        scratch = f"counter_tui_restore_check_{secrets.token_hex(6)}"
        try:
            database.execute_sql(f'CREATE DATABASE "{scratch}"')
        except peewee.DatabaseError as exc:
            raise RuntimeError(f"a backup is checked in a scratch database before it replaces anything, and "
                               f"this account may not make one ({first_line(exc)}): let it (ALTER ROLE ... "
                               "CREATEDB)") from None
        backup = peewee.PostgresqlDatabase(scratch, **live.connect_params)
    try:
        if scratch:
            _run_pg_tool("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_pg_url(scratch)}", str(path))
        database.initialize(backup)
        try:
            yield
        finally:
            backup.close()
            database.initialize(live)
    finally:
        if scratch:
            database.execute_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


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
