"""Everything the database holds as text: every table, every column, on SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import Iterator

from counter_tui import db


def text_values() -> Iterator[tuple[str, object, str, str]]:
    """(table, the row's id or None, column, value) of every text value in every table."""
    for table in db.database.get_tables():
        cursor = db.database.execute_sql(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cursor.description]
        for row in cursor.fetchall():
            values = dict(zip(names, row))
            for column, value in values.items():
                if isinstance(value, str):
                    yield table, values.get("id"), column, value
