"""Printed library cards: an A4 PDF sheet of credit-card-size cards with Codabar barcodes.

Each card shows the library's name, the reader's name (Chinese too: a font with Chinese
letters comes with the install), category, department, expiry and the card number as
Codabar (start A, stop B, as library cards are printed) with the digits beneath. Ten cards to
a page, two across and five down, with light cut marks, to print at 100% on card stock
or on A4 label sheets.

The barcode is drawn by python-barcode as a PNG at 300 dpi with every module two printer
dots wide (standards.md 3.3: below that, scans fail) and placed at exactly its size, so
a 300 dpi printer puts each dot where it was drawn; services/printing/sheets.py does that,
and finds the fonts, for the label sheets and documents too.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from counter_tui import db
from counter_tui.config import Settings
from counter_tui.domain.barcodes import Kind, classify
from counter_tui.domain.calendar import utc_now
from counter_tui.models import Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.errors import Refusal
from counter_tui.services.files import check_target, write_atomically
from counter_tui.services.printing import sheets

# ISO/IEC 7810 ID-1 (CR80), millimetres
CARD_W, CARD_H = 85.6, 53.98
COLUMNS, ROWS = 2, 5
GAP_X, GAP_Y = 6.0, 3.0
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_X = (PAGE_W - COLUMNS * CARD_W - (COLUMNS - 1) * GAP_X) / 2
MARGIN_Y = (PAGE_H - ROWS * CARD_H - (ROWS - 1) * GAP_Y) / 2
PER_PAGE = COLUMNS * ROWS

DPI = sheets.DPI
DOTS_PER_MODULE = sheets.DOTS_PER_MODULE  # python-barcode's module is half a narrow Codabar bar
MODULE_MM = sheets.MODULE_MM
BAR_HEIGHT_MM = 9.0
QUIET_ZONE_MM = 4.0  # at least ten narrow bars each side
PAD = 4.0  # inner margin of a card


@dataclass(frozen=True)
class CardFace:
    """What is printed on one card."""
    card: str
    name: str
    category: str
    department: str
    expires_on: str


@dataclass(frozen=True)
class CardSheet:
    path: Path
    cards: tuple[str, ...]
    pages: int
    font: str  # the font file used for text, or "Helvetica" (built in, Latin letters only)


def card_sheet(actor: Staff, patron_ids_or_cards: Iterable[int | str], output_path: str | Path,
               settings: Settings | None = None, force: bool = False) -> CardSheet:
    """Print the cards of these readers (ids, or card numbers as scanned) to a PDF file.

    Refuses, printing nothing, when a card is unknown, replaced, reported lost or cancelled,
    when a name needs a font the machine lacks, or when a file is already at the path and
    `force` (--force) was not given (a database, device, FIFO or folder: never).
    """
    access.require(actor, "print library cards", access.OFFICE, access.CURATOR)
    settings = settings or library_settings.settings()
    wanted = list(patron_ids_or_cards)
    if not wanted:
        raise Refusal("Name at least one card to print.")
    output = Path(output_path).expanduser()
    if output.suffix.lower() != ".pdf":
        raise Refusal(f"The card sheet is a PDF: name the file {output.stem}.pdf.")
    if not output.parent.is_dir():
        raise Refusal(f"There is no folder {output.parent} to write the card sheet in.")
    check_target(output, force=force, unwritten="nothing was printed")
    faces = _faces(wanted, settings)
    font = sheets.font_for([settings.library_name]
                           + [text for f in faces for text in (f.name, f.category, f.department)])
    # Render first, then record and move into place: a refusal or a crash leaves no half file.
    pages = write_atomically(output, lambda scratch: _render(faces, settings.library_name, font, scratch),
                             force=force,
                             before_moving=lambda: db.write(lambda: audit.record(
                                 actor, "cards.print", "patron", None, utc_now(),
                                 new={"cards": [f.card for f in faces], "file": str(output)})))
    return CardSheet(path=output, cards=tuple(f.card for f in faces), pages=pages,
                     font=str(font) if font else "Helvetica")


# ---- which cards --------------------------------------------------------------------------------

_FACE_SQL = ("SELECT p.id, p.card, p.name, c.name, p.department, p.expires_on, p.status "
             "FROM patron p JOIN patron_category c ON c.id = p.category_id WHERE p.{key} = ?")
_STATUS_REFUSAL = {"card lost": "was reported lost", "cancelled": "has been cancelled"}


def _faces(wanted: Sequence[int | str], settings: Settings) -> list[CardFace]:
    faces, unknown, problems = [], [], []
    for want in wanted:
        if isinstance(want, int):
            row = db.execute(_FACE_SQL.format(key="id"), want).fetchone()
            if row is None:
                problems.append(f"There is no reader with id {want}.")
                continue
            label = str(want)
        else:
            scan = classify(str(want), settings.barcodes)
            if scan.kind not in (Kind.PATRON, Kind.LEGACY):
                problems.append(scan.problem or f"{scan.code or want!r} is not a reader's card number.")
                continue
            row = db.execute(_FACE_SQL.format(key="card"), scan.code).fetchone()
            label = scan.code
            if row is None and db.execute("SELECT 1 FROM card_event WHERE card = ?", scan.code).fetchone():
                problems.append(f"Card {scan.code} was replaced; print the reader's current card.")
                continue
        if row is None:
            unknown.append(label)
            continue
        _, card, name, category, department, expires_on, status = row
        if status in _STATUS_REFUSAL:
            problems.append(f"Card {card} {_STATUS_REFUSAL[status]}.")
        elif not card.isdigit():
            problems.append(f"Card {card} has letters, which a Codabar barcode cannot show.")
        else:
            faces.append(CardFace(card, name, category, department, str(expires_on)[:10]))
    if unknown:
        problems.insert(0, f"No reader has {'card' if len(unknown) == 1 else 'cards'} {', '.join(unknown)}.")
    if problems:
        raise Refusal(" ".join(problems) + " Nothing was printed.")
    return faces


# ---- drawing ---------------------------------------------------------------------------------------

def codabar_png(card: str) -> bytes:
    """The card number as a Codabar PNG at 300 dpi, start A and stop B, no text (drawn beside)."""
    return sheets.barcode_png(card, BAR_HEIGHT_MM, QUIET_ZONE_MM)


def _render(faces: list[CardFace], library_name: str, font: Path | None, path: Path) -> int:
    from fpdf import FPDF
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(f"{library_name}: library cards")
    pdf.set_creator("counter-tui")
    family = sheets.add_font(pdf, font)
    for index, face in enumerate(faces):
        if index % PER_PAGE == 0:
            pdf.add_page()
        column, row = index % COLUMNS, index % PER_PAGE // COLUMNS
        x = MARGIN_X + column * (CARD_W + GAP_X)
        y = MARGIN_Y + row * (CARD_H + GAP_Y)
        _card(pdf, family, face, library_name, x, y)
    pdf.output(str(path))
    return pdf.pages_count


_fit = sheets.fit
_text = sheets.text


def _card(pdf, family: str, face: CardFace, library_name: str, x: float, y: float) -> None:
    inner = CARD_W - 2 * PAD
    pdf.set_draw_color(190)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, CARD_W, CARD_H, round_corners=True, corner_radius=3.18)  # cut line
    pdf.set_fill_color(30, 70, 130)
    pdf.rect(x, y, CARD_W, 9, style="F", round_corners=("TOP_LEFT", "TOP_RIGHT"), corner_radius=3.18)
    pdf.set_text_color(255)
    bold = "" if family != "Helvetica" else "B"  # a TTF needs its own bold file; Helvetica has one
    _fit(pdf, library_name, 11, inner, family, bold)
    _text(pdf, x + PAD, y + (9 - pdf.font_size) / 2, inner, library_name)
    pdf.set_text_color(0)
    _fit(pdf, face.name, 14, inner, family, bold)
    _text(pdf, x + PAD, y + 11.5, inner, face.name)
    pdf.set_font(family, "", 8)
    detail = "  ·  ".join(part for part in (face.category, face.department) if part)
    _fit(pdf, detail, 8, inner, family)
    _text(pdf, x + PAD, y + 18.5, inner, detail)
    pdf.set_font(family, "", 8)
    _text(pdf, x + PAD, y + 22.5, inner, f"Valid until {face.expires_on}")
    png = codabar_png(face.card)
    # one image pixel = one 300 dpi printer dot: placed at its true size, never scaled
    width, height = sheets.png_size_mm(png)
    bar_y = y + CARD_H - PAD - 3.5 - height
    sheets.place_barcode(pdf, png, x + (CARD_W - width) / 2, bar_y)
    pdf.set_font("Courier", "", 9)  # digits a clerk can type when a scanner fails
    _text(pdf, x, bar_y + height + 0.6, CARD_W, face.card, align="C")
