"""A list the clerk moves through a row at a time, with its columns and their widths."""
from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable


def row_table(table_id: str | None, columns: Iterable[tuple[str, int]]) -> DataTable:
    table = DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
    for label, width in columns:
        table.add_column(label, width=width)
    return table
