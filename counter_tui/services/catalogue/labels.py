"""Spine labels and barcode labels for copies, as a PDF on a sheet of adhesive labels.

A sheet template gives the page size, the grid (columns x rows), the top and left
margins, the label size and the gaps between labels, all in millimetres; TEMPLATES
holds the usual A4 sheets and `LabelTemplate(...)` takes any other. `skip` leaves the
first labels of a part-used sheet blank.

* Spine label: the call number split over lines (class number / book number / volume,
  domain.callnumbers.spine_lines), large and centred.
* Barcode label: the library's name, the copy's barcode, its digits, and the title cut
  to fit. Item barcodes print as Codabar (start A, stop B) with a narrow bar of two
  printer dots at 300 dpi, codes with letters as Code 128 (services/sheets.py).
  Only barcodes that pass the library's check (domain.barcodes.classify) are printed:
  python-barcode would quietly print a different number for some wrong ones.

"Both" prints each copy's spine label followed by its barcode label.
Copies are chosen by barcode, by transfer batch number, or as all copies in processing.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from counter_tui import db
from counter_tui.domain.barcodes import Kind, classify
from counter_tui.domain.calendar import utc_now
from counter_tui.domain.callnumbers import spine_lines
from counter_tui.domain.label_sheets import DEFAULT_TEMPLATE, TEMPLATES, LabelTemplate
from counter_tui.models import Staff
from counter_tui.services import access, audit, files, library_settings
from counter_tui.services.catalogue import call_numbers
from counter_tui.services.errors import Refusal
from counter_tui.services.files import write_atomically
from counter_tui.services.printing import sheets

SPINE, BARCODE, BOTH = "spine", "barcode", "both"
KINDS = (SPINE, BARCODE, BOTH)
DOT_MM = 25.4 / sheets.DPI
PAD = 1.5  # inner margin of a label, mm
QUIET_ZONE_MM = 2.0  # more than ten narrow Codabar bars (1.7 mm) and ten Code 128 modules
PT_MM = 25.4 / 72




def template(name: str = DEFAULT_TEMPLATE, **changes) -> LabelTemplate:
    """A named template, with any field changed (page_w=148, rows=5, ...); refuses a bad one."""
    base = TEMPLATES.get((name or DEFAULT_TEMPLATE).strip().lower())
    if base is None:
        raise Refusal(f"There is no label sheet {name!r}; use one of: {', '.join(TEMPLATES)}.")
    chosen = replace(base, **{key: value for key, value in changes.items() if value is not None})
    problems = chosen.problems()
    if problems:
        raise Refusal(" ".join(problems) + " Nothing was printed.")
    return chosen


@dataclass(frozen=True)
class Copy:
    """What is printed about one copy."""
    barcode: str
    call_number: str
    title: str
    item_id: int


@dataclass(frozen=True)
class LabelSheet:
    path: Path
    barcodes: tuple[str, ...]
    labels: int
    pages: int
    template: LabelTemplate
    kind: str
    spines: tuple[tuple[str, ...], ...] = field(default=())  # the lines of each spine label printed


LABELS_ENV = "COUNTER_TUI_LABELS"


def labels_dir() -> Path:
    """Where label sheets printed from the desk go (COUNTER_TUI_LABELS overrides), made if missing."""
    return files.library_folder("labels", LABELS_ENV)


def new_sheet_path(now: datetime | None = None) -> Path:
    """A fresh file name in labels_dir(), the folder made if needed."""
    return files.fresh_path(labels_dir(), f"labels-{(now or utc_now()):%Y%m%d-%H%M%S}", ".pdf")


# ---- which copies -------------------------------------------------------------------------------

_COPY_SQL = ("SELECT i.id, i.barcode, i.call_number, b.title FROM item i JOIN biblio b ON b.id = i.biblio_id ")


def copies_by_barcode(wanted: Iterable[str], then: str = " Nothing was printed.") -> list[Copy]:
    """The copies with these barcodes (as scanned or typed), in the order given.

    A refusal names every unknown or mistyped barcode, followed by `then`.
    """
    rules = library_settings.settings().barcodes
    found, unknown, problems = [], [], []
    for raw in wanted:
        scan = classify(str(raw), rules)
        if scan.kind not in (Kind.ITEM, Kind.LEGACY):
            problems.append(scan.problem or f"{scan.code or raw!r} is not an item barcode.")
            continue
        row = db.execute(_COPY_SQL + "WHERE i.barcode = ?", scan.code).fetchone()
        if row is None:
            unknown.append(scan.code)
        else:
            found.append(Copy(row[1], row[2], row[3], row[0]))
    if unknown:
        problems.insert(0, f"No copy has {'barcode' if len(unknown) == 1 else 'barcodes'} {', '.join(unknown)}.")
    if problems:
        raise Refusal(" ".join(problems) + then)
    return found


def copies_of_batch(number: int) -> list[Copy]:
    """Every copy of transfer batch `number`, in shelf order."""
    batch = db.execute("SELECT id FROM transfer_batch WHERE number = ?", number).fetchone()
    if batch is None:
        raise Refusal(f"There is no transfer batch {number}; nothing was printed.")
    rows = db.execute(_COPY_SQL + "JOIN transfer_line t ON t.item_id = i.id WHERE t.batch_id = ? "
                      "ORDER BY i.call_sort, i.barcode", batch[0]).fetchall()
    if not rows:
        raise Refusal(f"Transfer batch {number} has no copies yet; nothing was printed.")
    return [Copy(r[1], r[2], r[3], r[0]) for r in rows]


def copies_in_processing() -> list[Copy]:
    """Every copy still in processing (catalogued, not yet handed to circulation), in shelf order."""
    rows = db.execute(_COPY_SQL + "WHERE i.status = ? ORDER BY i.call_sort, i.barcode", "in processing").fetchall()
    if not rows:
        raise Refusal("No copies are in processing; nothing was printed.")
    return [Copy(r[1], r[2], r[3], r[0]) for r in rows]


# ---- printing ---------------------------------------------------------------------------------------

def print_labels(actor: Staff, copies: Sequence[Copy], output_path: str | Path, kind: str = BOTH,
                 sheet: LabelTemplate | None = None, skip: int = 0, now: datetime | None = None,
                 force: bool = False) -> LabelSheet:
    """Write the labels of these copies to a PDF file and record it in the audit log.

    A file already at the path is written over only with `force` (--force); a database, device,
    FIFO or folder never (services/files.py).

    Refuses, writing nothing, when a barcode fails the library's check, a spine label is
    asked for a copy without a call number, a title needs a font the machine lacks, or
    the barcode is wider than the label.
    """
    access.require(actor, "print labels", access.CATALOGING, access.CIRCULATION)
    if kind not in KINDS:
        raise Refusal(f"Labels are {', '.join(KINDS)}, not {kind!r}.")
    sheet = sheet or TEMPLATES[DEFAULT_TEMPLATE]
    problems = sheet.problems()
    if problems:
        raise Refusal(" ".join(problems) + " Nothing was printed.")
    if not copies:
        raise Refusal("Name at least one copy to print labels for.")
    if skip < 0 or skip >= sheet.per_page:
        raise Refusal(f"Skip between 0 and {sheet.per_page - 1} labels of a part-used sheet.")
    output = Path(output_path).expanduser()
    if output.suffix.lower() != ".pdf":
        raise Refusal(f"The label sheet is a PDF: name the file {output.stem}.pdf.")
    if not output.parent.is_dir():
        raise Refusal(f"There is no folder {output.parent} to write the labels in.")
    files.check_target(output, force=force, unwritten="nothing was printed")
    settings = library_settings.settings()
    _check(copies, kind, settings.barcodes)
    scheme = call_numbers.scheme()
    spines = tuple(tuple(spine_lines(c.call_number, scheme)) for c in copies) if kind != BARCODE else ()
    font = sheets.font_for([settings.library_name] + [c.title for c in copies]
                                 + [line for lines in spines for line in lines])
    labels: list[tuple[str, Copy, tuple[str, ...]]] = []
    for index, copy in enumerate(copies):
        if kind in (SPINE, BOTH):
            labels.append((SPINE, copy, spines[index]))
        if kind in (BARCODE, BOTH):
            labels.append((BARCODE, copy, ()))
    pages = math.ceil((skip + len(labels)) / sheet.per_page)
    write_atomically(output, lambda path: _render(labels, sheet, skip, settings.library_name,
                                                               font, path), force=force)
    now = now or utc_now()
    db.write(lambda: audit.record(actor, "labels.print", "item", None, now,
                                  new={"kind": kind, "barcodes": [c.barcode for c in copies],
                                       "template": sheet.name, "file": str(output)}))
    return LabelSheet(path=output, barcodes=tuple(c.barcode for c in copies), labels=len(labels), pages=pages,
                      template=sheet, kind=kind, spines=spines)


def _check(copies: Sequence[Copy], kind: str, rules) -> None:
    problems = []
    for copy in copies:
        if kind != SPINE:
            scan = classify(copy.barcode, rules)
            if scan.kind not in (Kind.ITEM, Kind.LEGACY) or scan.code != copy.barcode:
                problems.append(f"Copy {copy.barcode} has a barcode that fails the library's check; "
                                f"give it a new label.")
            elif not (copy.barcode.isascii() and copy.barcode.isprintable()):
                problems.append(f"Copy {copy.barcode!r} has a barcode no label can show.")
        if kind != BARCODE and not copy.call_number.strip():
            problems.append(f"Copy {copy.barcode} has no call number for its spine.")
    if problems:
        raise Refusal(" ".join(problems[:5]) + (f" ({len(problems) - 5} more.)" if len(problems) > 5 else "")
                      + " Nothing was printed.")


def _snap(mm: float) -> float:
    """To the 300 dpi printer grid, so each barcode dot lands on one dot."""
    return round(mm / DOT_MM) * DOT_MM


def _render(labels, sheet: LabelTemplate, skip: int, library_name: str, font, path: Path) -> None:
    from fpdf import FPDF
    pdf = FPDF(orientation="P", unit="mm", format=(sheet.page_w, sheet.page_h))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(f"{library_name}: labels")
    pdf.set_creator("counter-tui")
    family = sheets.add_font(pdf, font)
    page = -1
    for index, (what, copy, lines) in enumerate(labels, start=skip):
        at_page, x, y = sheet.position(index)
        while page < at_page:
            pdf.add_page()
            page += 1
        if what == SPINE:
            _spine(pdf, family, lines, sheet, x, y)
        else:
            _barcode(pdf, family, copy, library_name, sheet, x, y)
    pdf.output(str(path))


def _spine(pdf, family: str, lines: tuple[str, ...], sheet: LabelTemplate, x: float, y: float) -> None:
    inner_w, inner_h = sheet.label_w - 2 * PAD, sheet.label_h - 2 * PAD
    bold = "B" if family == "Helvetica" else ""
    # the same size for every line: the largest at which all fit across and down (line = 1.15 em)
    size = min(16.0, inner_h / (len(lines) * 1.15 * PT_MM))
    pdf.set_font(family, bold, size)
    while size > 4 and max(pdf.get_string_width(line) for line in lines) > inner_w:
        size -= 0.5
        pdf.set_font(family, bold, size)
    line_h = size * 1.15 * PT_MM
    top = y + PAD + (inner_h - line_h * len(lines)) / 2
    for number, line in enumerate(lines):
        pdf.set_xy(x + PAD, top + number * line_h)
        pdf.cell(inner_w, line_h, line, align="C")


def _barcode(pdf, family: str, copy: Copy, library_name: str, sheet: LabelTemplate, x: float, y: float) -> None:
    inner_w = sheet.label_w - 2 * PAD
    small = min(7.0, sheet.label_h / 5)  # points
    text_h = small * PT_MM * 1.2
    # library name above; digits and title below; the bars take what is left, 12 mm at most
    bar_h = min(12.0, sheet.label_h - 2 * PAD - 3 * text_h - 1.0)
    if bar_h < 4:
        raise Refusal(f"Labels {sheet.label_h:g} mm high are too low for a barcode; nothing was printed.")
    png = sheets.barcode_png(copy.barcode, bar_h, QUIET_ZONE_MM, dots_per_module=1)
    width, height = sheets.png_size_mm(png)
    if width > sheet.label_w:
        raise Refusal(f"Barcode {copy.barcode} needs {width:.1f} mm and the labels are {sheet.label_w:g} mm "
                      "wide; choose wider labels. Nothing was printed.")
    sheets.fit(pdf, library_name, small, inner_w, family)
    sheets.text(pdf, x + PAD, y + PAD, inner_w, sheets.clip(pdf, library_name, inner_w), align="C")
    bar_y = _snap(y + PAD + text_h)
    sheets.place_barcode(pdf, png, _snap(x + (sheet.label_w - width) / 2), bar_y)
    pdf.set_font("Courier", "", small + 1)  # digits a clerk can type when a scanner fails
    sheets.text(pdf, x + PAD, bar_y + height + 0.3, inner_w, copy.barcode, align="C")
    pdf.set_font(family, "", small)
    title = " ".join(copy.title.split())
    sheets.text(pdf, x + PAD, bar_y + height + 0.3 + text_h, inner_w,
                      sheets.clip(pdf, title, inner_w), align="C")
