"""Documents worth signing: write-off certificates, transfer lists, the new-books bulletin, letters.

Each is an A4 portrait PDF: the library's name and the document's title at the top, a few
lines of particulars (number, date, reason, to whom), paragraphs and tables (the heading
row repeats at the top of every page a table runs onto), the totals, the signature lines
of whoever signs, and "Page N of M" at the foot of every page. Pages after the first carry
the library's name and the title as a running head. One file may hold several documents
(one sheet of letters, a letter per reader): each starts on a new page and counts its own.

Fonts are sheets.py's (the library's own, the system's or the one that comes with the
install), so Chinese titles and names print on any machine; files are written whole or not
at all (services/files.py). Receipt-printer slips stay plain text (printing/slips.py).

A document belonging to a database change (a certificate, a transfer list, letters recorded
as sent) is written through `Drafts`, which removes it again if the transaction fails, so a
file exists exactly when its record does.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from counter_tui.domain.text import clean
from counter_tui.services import library_settings
from counter_tui.services.files import write_atomically
from counter_tui.services.printing import sheets

T = TypeVar("T")

PAGE_W, PAGE_H = 210.0, 297.0  # A4 portrait, millimetres
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 18.0, 16.0, 20.0
LINE = 5.0  # the height of a line of body text
BODY, SMALL, TITLE = 10.0, 8.0, 16.0  # points
PAGE_NUMBER = "Page {page} of {pages}"


@dataclass(frozen=True)
class Column:
    heading: str
    width: float  # a share of the line: widths are relative
    align: str = "L"  # "L", "C" or "R"


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...] | str, ...]  # a plain str is a heading across the table (a class, a group)


@dataclass(frozen=True)
class Signature:
    role: str  # who signs, e.g. "Approved by (curator)"
    name: str = ""  # printed under the line when known


@dataclass(frozen=True)
class Document:
    title: str
    particulars: tuple[str, ...] = ()  # lines under the title: number, date, reason, to whom
    blocks: tuple[str | Table, ...] = ()  # paragraphs and tables, in order
    totals: tuple[tuple[str, str], ...] = ()  # (label, figure)
    signatures: tuple[Signature, ...] = ()
    closing: tuple[str, ...] = ()  # paragraphs after the totals, before the signatures ("Thank you.")

    def texts(self) -> list[str]:
        """Every text the document prints (to choose a font that has all their letters)."""
        out = [self.title, *self.particulars, *(f"{label} {figure}" for label, figure in self.totals),
               *self.closing]
        for block in self.blocks:
            if isinstance(block, str):
                out.append(block)
            else:
                out += [c.heading for c in block.columns]
                out += [cell for row in block.rows for cell in ((row,) if isinstance(row, str) else row)]
        out += [text for s in self.signatures for text in (s.role, s.name)]
        return out


def write(path: Path, documents: Sequence[Document]) -> int:
    """Write the documents to one PDF file, whole or not at all; the number of pages.

    A Refusal, writing nothing, when no font has a letter one of them needs.
    """
    library = library_settings.settings().library_name
    documents = [_as_printed(document) for document in documents]
    texts = [library, PAGE_NUMBER] + [text for document in documents for text in document.texts()]
    font = sheets.font_for(texts)
    return write_atomically(path, lambda scratch: _render(documents, library, font, scratch))


def _as_printed(document: Document) -> Document:
    """The document with no escape codes or control characters in any of its texts (domain/text.clean),
    whatever the database gave it: a title or a name stored before text was cleaned where it enters."""
    def text(value: str) -> str:
        return clean(value, lines=True)

    def row(cells: tuple[str, ...] | str) -> tuple[str, ...] | str:
        return text(cells) if isinstance(cells, str) else tuple(map(text, cells))

    def block(b: str | Table) -> str | Table:
        return text(b) if isinstance(b, str) else Table(
            tuple(replace(c, heading=text(c.heading)) for c in b.columns), tuple(map(row, b.rows)))

    return Document(text(document.title), tuple(map(text, document.particulars)), tuple(map(block, document.blocks)),
                    tuple((text(label), text(figure)) for label, figure in document.totals),
                    tuple(Signature(text(s.role), text(s.name)) for s in document.signatures),
                    tuple(map(text, document.closing)))


class Drafts:
    """Documents written for a database change, removed again if its transaction fails.

        drafts = Drafts()
        def work(): ...; drafts.write(path, [document]); ...
        return drafts.kept_if(lambda: db.write(work))
    """

    def __init__(self) -> None:
        self._written: list[tuple[Path, int]] = []

    def write(self, path: Path, documents: Sequence[Document]) -> int:
        pages = write(path, documents)
        self._written.append((path, path.stat().st_ino))
        return pages

    def kept_if(self, transaction: Callable[[], T]) -> T:
        """Run the transaction; if it raises, remove the files written for it and raise again."""
        try:
            return transaction()
        except BaseException:
            for path, inode in self._written:
                try:
                    if path.stat().st_ino == inode:  # not one another desk has written since
                        os.remove(path)
                except FileNotFoundError:
                    pass
            raise


# ---- drawing ---------------------------------------------------------------------------------------

def _render(documents: Sequence[Document], library: str, font: Path | None, path: Path) -> int:
    from fpdf import FPDF

    class Pages(FPDF):
        running_head = ""

        def header(self) -> None:  # pages after a document's first: the library and the title
            if not self.running_head:
                return
            self.set_font(family, "", SMALL)
            self.set_text_color(90)
            self.set_xy(MARGIN_X, MARGIN_TOP - 8)
            self.cell(PAGE_W - 2 * MARGIN_X, 4, sheets.clip(self, self.running_head, PAGE_W - 2 * MARGIN_X))
            self.set_draw_color(170)
            self.line(MARGIN_X, MARGIN_TOP - 3, PAGE_W - MARGIN_X, MARGIN_TOP - 3)
            self.set_text_color(0)
            self.set_y(MARGIN_TOP)

    pdf = Pages(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
    pdf.set_auto_page_break(True, MARGIN_BOTTOM)
    pdf.set_creator("counter-tui")
    pdf.set_title(documents[0].title if len(documents) == 1 else f"{library}: {len(documents)} documents")
    family = sheets.add_font(pdf, font)
    spans = []
    for document in documents:
        pdf.running_head = ""
        pdf.add_page()
        first = pdf.page
        pdf.running_head = f"{library}  |  {document.title}"
        _head(pdf, family, library, document)
        for block in document.blocks:
            if isinstance(block, str):
                _paragraph(pdf, family, block)
            else:
                _table(pdf, family, block)
        _totals(pdf, family, document.totals)
        for paragraph in document.closing:
            _paragraph(pdf, family, paragraph)
        _signatures(pdf, family, document.signatures)
        spans.append((first, pdf.page))
    _number_pages(pdf, family, spans)
    pdf.output(str(path))
    return pdf.pages_count


def _head(pdf, family: str, library: str, document: Document) -> None:
    width = PAGE_W - 2 * MARGIN_X
    pdf.set_font(family, "", BODY + 1)
    pdf.set_text_color(60)
    pdf.multi_cell(width, 6, library, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font(family, "", TITLE)
    pdf.multi_cell(width, 9, document.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(0)
    pdf.set_line_width(0.4)
    pdf.line(MARGIN_X, pdf.get_y() + 1, PAGE_W - MARGIN_X, pdf.get_y() + 1)
    pdf.set_line_width(0.2)
    pdf.ln(3)
    pdf.set_font(family, "", BODY)
    for line in document.particulars:
        pdf.multi_cell(width, LINE, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _paragraph(pdf, family: str, text: str) -> None:
    pdf.set_font(family, "", BODY)
    pdf.multi_cell(0, LINE, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _table(pdf, family: str, table: Table) -> None:
    from fpdf.fonts import FontFace
    pdf.set_font(family, "", BODY - 1)
    pdf.set_draw_color(150)
    span = len(table.columns)
    aligns = tuple(c.align for c in table.columns)
    with pdf.table(col_widths=tuple(c.width for c in table.columns), width=PAGE_W - 2 * MARGIN_X,
                   text_align=aligns, line_height=LINE - 0.5, borders_layout="HORIZONTAL_LINES",
                   headings_style=FontFace(fill_color=225), repeat_headings=1, padding=(0.8, 1.2)) as grid:
        heading = grid.row()
        for column in table.columns:
            heading.cell(column.heading, align=column.align)
        for row in table.rows:
            cells = grid.row()
            if isinstance(row, str):
                cells.cell(row, colspan=span, align="L", style=FontFace(fill_color=242))
            else:
                for text in row:
                    cells.cell(text)
    pdf.ln(3)


def _totals(pdf, family: str, totals: tuple[tuple[str, str], ...]) -> None:
    if not totals:
        return
    pdf.set_font(family, "", BODY)
    label_w, figure_w = 60.0, 35.0
    if pdf.will_page_break(LINE * len(totals) + 2):
        pdf.add_page()
    x = PAGE_W - MARGIN_X - label_w - figure_w
    pdf.set_draw_color(0)
    pdf.line(x, pdf.get_y(), PAGE_W - MARGIN_X, pdf.get_y())
    pdf.ln(1)
    for label, figure in totals:
        pdf.set_x(x)
        pdf.cell(label_w, LINE + 1, label)
        pdf.cell(figure_w, LINE + 1, figure, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _signatures(pdf, family: str, signatures: tuple[Signature, ...]) -> None:
    """Two to a row: who signs, room to sign, the line, the name, the date."""
    width = (PAGE_W - 2 * MARGIN_X - 10) / 2
    for start in range(0, len(signatures), 2):
        pair = signatures[start:start + 2]
        height = LINE + 14 + 2 * LINE + 4
        if pdf.will_page_break(height):
            pdf.add_page()
        top = pdf.get_y() + 2
        for n, signature in enumerate(pair):
            x = MARGIN_X + n * (width + 10)
            pdf.set_font(family, "", BODY)
            pdf.set_xy(x, top)
            pdf.cell(width, LINE, sheets.clip(pdf, signature.role, width))
            pdf.set_draw_color(0)
            pdf.line(x, top + LINE + 14, x + width, top + LINE + 14)
            pdf.set_font(family, "", SMALL + 1)
            pdf.set_xy(x, top + LINE + 15)
            pdf.cell(width, LINE, sheets.clip(pdf, f"Name: {signature.name}" if signature.name else "Name:", width))
            pdf.set_xy(x, top + 2 * LINE + 15)
            pdf.cell(width, LINE, "Date:")
            pdf.line(x + 10, top + 3 * LINE + 14, x + width / 2, top + 3 * LINE + 14)
        pdf.set_xy(MARGIN_X, top + height)


def _number_pages(pdf, family: str, spans: list[tuple[int, int]]) -> None:
    """"Page N of M" at the foot of every page, counted within each document."""
    pdf.set_auto_page_break(False)
    for first, last in spans:
        for page in range(first, last + 1):
            pdf.page = page
            pdf.set_font(family, "", SMALL + 1)
            pdf.set_text_color(60)
            pdf.set_xy(MARGIN_X, PAGE_H - MARGIN_BOTTOM + 8)
            pdf.cell(PAGE_W - 2 * MARGIN_X, 4, PAGE_NUMBER.format(page=page - first + 1, pages=last - first + 1),
                     align="C")
    pdf.page = pdf.pages_count
    pdf.set_text_color(0)
