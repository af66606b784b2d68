"""Writing rows in bulk: multi-row INSERTs through the DB-API cursor, and SQLite's settings for a load.

Why bulk insert instead of the services: the large scale (a million copies, two million
loans) is the fixture of the benchmarks and must build in under a minute on two cores.
Through Peewee's model layer a row costs tens of microseconds of SQL building (about
55,000 rows a second with `insert_many`); the DB-API cursor's `executemany` of
multi-row INSERT statements, inside one transaction, is an order of magnitude faster.
So rows are generated as plain values (random.Random(seed), no ORM objects) and written
in foreign-key order with explicit ids, so that loans and fees can refer to rows never
read back. The SQL is portable: double-quoted names and the driver's own placeholder;
on PostgreSQL the id sequences are then moved past the ids written. The few rows that
carry rules (the staff accounts, circulation rules, numbering series, the audit event)
go through the models and services as usual.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import peewee

from counter_tui import db
from counter_tui.models import Biblio, CardEvent, Fee, Item, Loan, Patron

CHUNK = 50_000  # rows generated between two writes: bounded memory


# Tables loaded in bulk. Their secondary indexes are dropped for the load and built again
# before the commit (in the same transaction, so no other desk ever sees them missing):
# building an index from all its rows at once is several times faster than updating it
# row by row, and the unique ones still check every row as they are built.
BULK_MODELS = (Biblio, Patron, CardEvent, Item, Loan, Fee)


class SqliteBulkLoad:
    """SQLite settings for this connection while it bulk loads, put back afterwards.

    - a larger page cache;
    - foreign keys not checked row by row: every id written refers to a row written
      before it, and tests/test_demo.py runs SQLite's foreign_key_check on a built library;
    - a rollback journal instead of the WAL when no other connection has the file open,
      so the data is written once rather than to the WAL and then again into the file.
    """

    def __enter__(self):
        self.sqlite = db.is_sqlite()
        if self.sqlite:
            self.cache = self._pragma("cache_size")
            self.foreign_keys = self._pragma("foreign_keys")
            self.journal = self._pragma("journal_mode")
            self._pragma("cache_size", -262144)  # 256 MiB
            self._pragma("foreign_keys", 0)  # (only takes effect outside a transaction)
            if self.journal == "wal":
                try:
                    self._pragma("journal_mode", "delete")
                except peewee.OperationalError:  # another desk has it open: stay in WAL
                    pass
        return self

    def __exit__(self, *exc):
        if self.sqlite:
            self._pragma("cache_size", int(self.cache))
            self._pragma("foreign_keys", int(self.foreign_keys))
            if self._pragma("journal_mode") != self.journal:
                try:
                    self._pragma("journal_mode", self.journal)
                except peewee.OperationalError:  # someone opened it meanwhile; the next connect sets WAL
                    pass
            elif self.journal == "wal":
                # the load went through the WAL: fold it into the file and truncate it
                db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return False

    @staticmethod
    def _pragma(name: str, value=None):
        sql = f"PRAGMA {name}" if value is None else f"PRAGMA {name} = {value}"
        row = db.database.execute_sql(sql).fetchone()
        return row[0] if row else None


class Rows:
    """Rows for one table, written with `executemany` of multi-row INSERT statements.

    Loops append each row's values to `flat` (one flat list, no tuple per row) and
    call `flush` now and then. A hundred rows per statement halve the driver's cost
    per row on SQLite and save round trips on PostgreSQL; the SQL is plain SQL-92.
    """

    ROWS_PER_STATEMENT = 100

    def __init__(self, cursor, table: str, columns: Sequence[str], param: str):
        self.cursor, self.width = cursor, len(columns)
        row = "(" + ", ".join([param] * self.width) + ")"
        head = f'INSERT INTO "{table}" ({quoted(columns)}) VALUES '
        self.sql_one = head + row
        self.sql_many = head + ", ".join([row] * self.ROWS_PER_STATEMENT)
        self.flat: list = []
        self.written = 0

    def add(self, *values) -> None:
        self.flat.extend(values)

    def flush(self, final: bool = False) -> None:
        flat, width = self.flat, self.width
        block = width * self.ROWS_PER_STATEMENT
        whole = len(flat) // block * block
        if whole:
            self.cursor.executemany(self.sql_many, [tuple(flat[i:i + block]) for i in range(0, whole, block)])
        if final and whole < len(flat):
            self.cursor.executemany(self.sql_one, [tuple(flat[i:i + width]) for i in range(whole, len(flat), width)])
            whole = len(flat)
        self.written += whole // width
        del flat[:whole]

    def maybe_flush(self) -> None:
        if len(self.flat) >= CHUNK * self.width:
            self.flush()


def columns(fields: Sequence[peewee.Field]) -> list[str]:
    return [f.column_name for f in fields]


def quoted(columns: Sequence[str]) -> str:
    """Column names quoted the SQL-92 way (SQLite and PostgreSQL alike)."""
    return ", ".join(f'"{name}"' for name in columns)


def next_id(model: type[peewee.Model]) -> int:
    return (model.select(peewee.fn.MAX(model.id)).scalar() or 0) + 1


def cumulative(weights: Iterable[int]) -> list[int]:
    total, out = 0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out
