"""What every printed PDF sheet shares: barcodes at printer resolution, fonts, fitted text.

Used by the card sheet (services/card_sheet.py) and the label sheets (services/labels.py).

Barcodes are drawn by python-barcode as a PNG at 300 dpi with every module two printer
dots wide (standards.md 3.3: below that, scans fail) and placed at exactly their size,
so a 300 dpi printer puts each dot where it was drawn. Digits print as Codabar (start
A, stop B, as library cards and item labels are printed); anything else as Code 128.
python-barcode "corrects" wrong check digits of some symbologies without a word, so
callers print only codes they validated (domain/barcodes.classify).

fpdf2, Pillow and python-barcode are imported inside the functions that use them, so
that importing a service costs nothing until something is printed.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

from counter_tui.services.errors import Refusal

DPI = 300
DOTS_PER_MODULE = 2  # python-barcode's module: half a narrow Codabar bar, one Code 128 module
MODULE_MM = DOTS_PER_MODULE * 25.4 / DPI

FONT_ENV = "COUNTER_TUI_CARD_FONT"  # a .ttf, .otf or .ttc to print names and titles with
# Fonts with Chinese glyphs, as Debian and other systems install them; the first found is used.
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
NO_FONT = ("No font on this machine can print {text!r}: install one with Chinese letters (Debian: "
           "apt-get install fonts-wqy-microhei, or fonts-noto-cjk) or name a .ttf/.ttc file in "
           f"{FONT_ENV}; nothing was printed.")


# ---- barcodes ------------------------------------------------------------------------------------

def symbology(code: str) -> str:
    """"codabar" for digits, "code128" for anything else."""
    return "codabar" if code.isdigit() else "code128"


def barcode_png(code: str, bar_height_mm: float, quiet_zone_mm: float,
                dots_per_module: int = DOTS_PER_MODULE) -> bytes:
    """The code as a PNG at 300 dpi without text (callers print the digits themselves).

    Digits as Codabar with start A and stop B; other codes as Code 128. Quiet zones must
    be at least ten narrow bars (Codabar) or ten modules (Code 128) wide. A Codabar
    narrow bar is two python-barcode modules, so `dots_per_module` 1 still gives it the
    two printer dots it needs; Code 128 always gets at least two dots a module.
    """
    from barcode.writer import ImageWriter
    out = io.BytesIO()
    if symbology(code) != "codabar":
        dots_per_module = max(dots_per_module, 2)
    # a hair over the exact width: python-barcode truncates mm * dpi / 25.4 to whole pixels
    module_mm = (dots_per_module + 1e-6) * 25.4 / DPI
    options = {"module_width": module_mm, "module_height": bar_height_mm, "quiet_zone": quiet_zone_mm,
               "write_text": False, "margin_top": 0, "margin_bottom": 0}
    writer = ImageWriter(format="PNG", mode="1", dpi=DPI)
    if symbology(code) == "codabar":
        from barcode.codabar import CODABAR
        CODABAR(f"A{code}B", writer=writer).write(out, options=options)
    else:
        from barcode.codex import Code128
        Code128(code, writer=writer).write(out, options=options)
    return out.getvalue()


def png_size_mm(png: bytes) -> tuple[float, float]:
    """Width and height of a 300 dpi PNG at its true size."""
    from PIL import Image
    with Image.open(io.BytesIO(png)) as image:
        width_px, height_px = image.size
    return width_px * 25.4 / DPI, height_px * 25.4 / DPI


def place_barcode(pdf, png: bytes, x: float, y: float) -> tuple[float, float]:
    """Put the PNG on the page at (x, y) at its true size, never scaled; returns its size."""
    width, height = png_size_mm(png)
    pdf.image(io.BytesIO(png), x=x, y=y, w=width, h=height)
    return width, height


# ---- fonts -----------------------------------------------------------------------------------------

def find_cjk_font() -> Path | None:
    """A font file with Chinese glyphs: FONT_ENV, a known path, or what fontconfig knows."""
    if os.environ.get(FONT_ENV):
        path = Path(os.environ[FONT_ENV]).expanduser()
        return path if path.is_file() else None
    for candidate in CJK_FONTS:
        if os.path.isfile(candidate):
            return Path(candidate)
    if shutil.which("fc-list"):
        try:
            listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                                    timeout=5).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        files = sorted(line.split(":")[0].strip() for line in listed.splitlines() if line.strip())
        usable = [f for f in files if f.lower().endswith((".ttf", ".ttc", ".otf"))]
        return Path(usable[0]) if usable else None
    return None


def font_for(texts: list[str], finder=None) -> Path | None:
    """The font to print with: None (built-in Helvetica) when every text is Latin-1."""
    needs_unicode = next((t for t in texts if t and not latin1(t)), None)
    font = (finder or find_cjk_font)()
    if needs_unicode is not None and font is None:
        raise Refusal(NO_FONT.format(text=needs_unicode))
    if os.environ.get(FONT_ENV) and font is None:
        raise Refusal(f"{FONT_ENV} names {os.environ[FONT_ENV]}, which is not a font file; nothing was printed.")
    return font


def latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
        return True
    except UnicodeEncodeError:
        return False


def add_font(pdf, font: Path | None) -> str:
    """Register the font with the PDF; the family name to set (Helvetica when None)."""
    if font is None:
        return "Helvetica"
    try:
        pdf.add_font("Sheet", "", str(font))
    except Exception as exc:  # fontTools raises many kinds on a broken or unsupported file
        raise Refusal(f"The font {font} cannot be used ({exc}); nothing was printed.") from None
    return "Sheet"


def fit(pdf, text: str, size: float, width: float, family: str, style: str = "", smallest: float = 5) -> None:
    """The largest font size up to `size` at which `text` fits `width`."""
    pdf.set_font(family, style, size)
    while size > smallest and pdf.get_string_width(text) > width:
        size -= 0.5
        pdf.set_font(family, style, size)


def text(pdf, x: float, y: float, width: float, line: str, align: str = "L") -> None:
    pdf.set_xy(x, y)
    pdf.cell(width, pdf.font_size, line, align=align)


def clip(pdf, line: str, width: float) -> str:
    """The line, cut with an ellipsis to fit `width` in the current font."""
    if pdf.get_string_width(line) <= width:
        return line
    while line and pdf.get_string_width(line + "...") > width:
        line = line[:-1]
    return line.rstrip() + "..."
