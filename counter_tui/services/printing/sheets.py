"""What every printed PDF sheet shares: barcodes at printer resolution, fonts, fitted text.

Used by the card sheet (readers/card_sheet.py), the label sheets (catalogue/labels.py) and the
signed documents (printing/documents.py).

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

import functools
import io
import os
import shutil
import subprocess
from pathlib import Path

from counter_tui.services.errors import Refusal

DPI = 300
DOTS_PER_MODULE = 2  # python-barcode's module: half a narrow Codabar bar, one Code 128 module
MODULE_MM = DOTS_PER_MODULE * 25.4 / DPI

FONT_ENV = "COUNTER_TUI_CARD_FONT"  # a .ttf, .otf or .ttc to print with; wins over the settings' print_font
# Fonts with Chinese glyphs, as Debian and other systems install them; the first found is tried.
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
# The font that comes with the install (a dependency in pyproject.toml): Noto Sans SC Regular, one
# plain OpenType file (8 MB, SIL Open Font License) with some 30,000 characters, the rare ones of
# people's names (䶮, 𬌗) among them. fpdf2 embeds only the letters a document uses.
PACKAGED_FONT = ("pylopdf_fonts_zh_cn", "NotoSansSC-Regular.otf")
NO_FONT = ("No font on this machine can print {text!r}: the font that comes with counter-tui is missing "
           "(reinstall counter-tui), or name a .ttf, .otf or .ttc file with Chinese letters as print_font "
           "in the settings file; nothing was printed.")

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
# Which font prints names and titles: the one the library names (FONT_ENV, else print_font in the
# settings), else a system font with Chinese letters, else the packaged one. A named font must
# print every letter asked for; otherwise the first of the others that can is used.

def named_font() -> Path | None:
    """The font the library named (FONT_ENV, else the settings' print_font); a Refusal if it is no file."""
    from counter_tui.services.library_settings import settings
    if os.environ.get(FONT_ENV):
        named, where = os.environ[FONT_ENV], FONT_ENV
    else:
        named, where = settings().print_font, "print_font in the settings"
    if not named:
        return None
    path = Path(named).expanduser()
    if not path.is_file():
        raise Refusal(f"{where} names {named}, which is not a font file; nothing was printed.")
    return path


def system_font() -> Path | None:
    """A font file with Chinese glyphs that the system has: a known path, or what fontconfig knows."""
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


def packaged_font() -> Path | None:
    """The font installed with counter-tui (None if that package was removed)."""
    from importlib.util import find_spec
    package, name = PACKAGED_FONT
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    return None


def fonts_to_try() -> list[Path]:
    """The fonts to print with, in order: the named one alone, else the system's and the packaged one."""
    named = named_font()
    if named is not None:
        return [named]
    return [font for font in (system_font(), packaged_font()) if font is not None]


@functools.lru_cache(maxsize=8)
def _letters(font: Path, modified: float) -> frozenset[int]:
    from fontTools.ttLib import TTFont
    try:
        with TTFont(str(font), lazy=True, fontNumber=0) as face:
            return frozenset(face.getBestCmap() or ())
    except Exception:  # fontTools raises many kinds on a broken or unsupported file
        return frozenset()


def missing_letter(font: Path, texts: list[str]) -> tuple[str, str] | None:
    """(letter, text) for the first letter the font has no glyph for; None when it prints them all."""
    letters = _letters(font, font.stat().st_mtime)
    for line in texts:
        for letter in line or "":
            if not letter.isspace() and ord(letter) not in letters:
                return letter, line
    return None


def font_for(texts: list[str]) -> Path | None:
    """The font to print these texts with: the first of fonts_to_try that has all their letters.

    None (the built-in Helvetica) when there is no font and every text is Latin-1. A Refusal,
    printing nothing, when the named font lacks a letter, or when no font has it.
    """
    candidates = fonts_to_try()
    for font in candidates:
        if missing_letter(font, texts) is None:
            return font
    if not candidates:
        needs_unicode = next((t for t in texts if t and not latin1(t)), None)
        if needs_unicode is None:
            return None
        raise Refusal(NO_FONT.format(text=needs_unicode))
    letter, line = missing_letter(candidates[-1], texts)
    if named_font() is not None:
        raise Refusal(f"The font {candidates[0]} has no letter {letter!r} for {line!r}: name another font "
                      "(or none, to use the one that comes with counter-tui); nothing was printed.")
    raise Refusal(f"No font on this machine has the letter {letter!r} for {line!r}: name a font that has it "
                  "as print_font in the settings file; nothing was printed.")


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
