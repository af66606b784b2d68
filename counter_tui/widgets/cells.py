"""Text cut to a column's width in terminal cells (a Chinese character takes two)."""
from __future__ import annotations

from rich.cells import cell_len


def cut(text: str, width: int) -> str:
    """The text on one line in `width` cells, ending in "…" when it had to be cut."""
    text = " ".join((text or "").split())
    if cell_len(text) <= width:
        return text
    while text and cell_len(text) > width - 1:
        text = text[:-1]
    return text + "…"
