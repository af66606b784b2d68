"""Sheets of adhesive labels: page, grid, label size, margins and gaps, in millimetres.

Pure geometry, so the command line can name the sheets without loading the printing code.
"""
from __future__ import annotations

from dataclasses import dataclass

from counter_tui.domain.plurals import counted


@dataclass(frozen=True)
class LabelTemplate:
    """A sheet of labels (millimetres)."""
    name: str = "a4-3x8"
    page_w: float = 210.0
    page_h: float = 297.0
    columns: int = 3
    rows: int = 8
    label_w: float = 70.0
    label_h: float = 37.0
    margin_left: float = 0.0
    margin_top: float = 0.5
    gap_x: float = 0.0
    gap_y: float = 0.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def problems(self) -> list[str]:
        """Why this template cannot be printed; empty when it can."""
        out = []
        if min(self.columns, self.rows) < 1:
            out.append("A sheet needs at least one column and one row.")
        if min(self.page_w, self.page_h, self.label_w, self.label_h) <= 0:
            out.append("Page and label sizes must be more than 0 mm.")
        if min(self.margin_left, self.margin_top, self.gap_x, self.gap_y) < 0:
            out.append("Margins and gaps cannot be negative.")
        if out:
            return out
        right = self.margin_left + self.columns * self.label_w + (self.columns - 1) * self.gap_x
        bottom = self.margin_top + self.rows * self.label_h + (self.rows - 1) * self.gap_y
        if right > self.page_w + 0.01:
            out.append(f"{counted(self.columns, 'label')} of {self.label_w:g} mm with their margin and gaps need "
                       f"{right:g} mm; the page is {self.page_w:g} mm wide.")
        if bottom > self.page_h + 0.01:
            out.append(f"{counted(self.rows, 'row')} of {self.label_h:g} mm with their margin and gaps need "
                       f"{bottom:g} mm; the page is {self.page_h:g} mm high.")
        return out

    def position(self, index: int) -> tuple[int, float, float]:
        """(page index, x, y) of the label at this place on the sheets."""
        page, place = divmod(index, self.per_page)
        row, column = divmod(place, self.columns)
        return (page, self.margin_left + column * (self.label_w + self.gap_x),
                self.margin_top + row * (self.label_h + self.gap_y))


TEMPLATES = {
    # 24 labels 70 x 37 mm (Avery 3474-style), the default
    "a4-3x8": LabelTemplate(),
    # 40 labels 52.5 x 29.7 mm, edge to edge (Avery 3651-style)
    "a4-4x10": LabelTemplate("a4-4x10", columns=4, rows=10, label_w=52.5, label_h=29.7, margin_top=0.0),
    # 65 small labels 38.1 x 21.2 mm (Avery L7651-style), for spines
    "a4-5x13": LabelTemplate("a4-5x13", columns=5, rows=13, label_w=38.1, label_h=21.2, margin_left=4.7,
                             margin_top=10.7, gap_x=2.5),
}
DEFAULT_TEMPLATE = "a4-3x8"
