"""Printed library cards: the PDF is rendered at 300 dpi and every barcode decoded with zxing-cpp."""
from __future__ import annotations

import json
import shutil

import pytest

from counter_tui import cli
from counter_tui.domain.barcodes import library_barcode
from counter_tui.models import AuditEvent, CardEvent
from counter_tui.services.printing import sheets
from counter_tui.services.readers import card_sheet
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW

import pypdfium2 as pdfium  # noqa: E402  (test extras: a missing decoder must fail, not skip)
import zxingcpp  # noqa: E402

NAMES = ["Li Lei", "Han Meimei", "Zoë Müller-Lüdenscheidt", "Jim Green", "Wang Fang", "Lucy King",
         "Anne-Marie O'Connor-Fitzgerald of Somewhere Far", "Zhang Wei", "Liu Yang", "Chen Jing", "Yang Li",
         "Zhao Lei"]


@pytest.fixture
def office(clerk):
    return staff.add_staff(None, "office", "Office Clerk", "correct horse", ["office"], NOW)  # the clerk's too


def decoded(pdf_path) -> tuple[int, list[str]]:
    """Pages and every Codabar the decoder finds, page by page, at 300 dpi."""
    document = pdfium.PdfDocument(str(pdf_path))
    found = []
    try:
        for page in document:
            image = page.render(scale=300 / 72).to_pil()
            found += [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Codabar)]
        return len(document), found
    finally:
        document.close()


def test_every_card_on_the_sheet_decodes_to_its_number(tmp_path, office, lib, settings):
    readers = [lib.patron(name=name, category="student" if n % 3 else "teacher",
                          department="Grade 7 Class 1" if n % 2 else "")
               for n, name in enumerate(NAMES)]
    wanted = [r.card for r in readers[:6]] + [f"A{r.card}B" for r in readers[6:9]] + [r.id for r in readers[9:]]
    sheet = card_sheet.card_sheet(office, wanted, tmp_path / "cards.pdf", settings)
    assert sheet.pages == 2 and sheet.cards == tuple(r.card for r in readers)
    pages, found = decoded(sheet.path)
    assert pages == 2
    # decoders return Codabar with its start and stop letters
    assert sorted(found) == sorted(f"A{r.card}B" for r in readers)
    event = AuditEvent.get(AuditEvent.action == "cards.print")
    assert json.loads(event.new)["cards"] == list(sheet.cards) and event.staff_id == office.id


def page_text(pdf_path) -> str:
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


CHINESE = ("李雷", "韩梅梅", "欧阳娜娜", "刘䶮")  # 䶮 (U+4DAE) is outside the common block, as some names are


def test_chinese_names_print_with_the_font_that_comes_with_the_install(tmp_path, office, lib, settings):
    # conftest's fresh_machine_fonts: no font named, none on the system
    settings.library_name = "江城中学图书馆"
    readers = [lib.patron(name=name, department="初一(1)班") for name in CHINESE]
    sheet = card_sheet.card_sheet(office, [r.card for r in readers], tmp_path / "zh.pdf", settings)
    assert sheet.font == str(sheets.packaged_font()) and sheet.font.endswith("NotoSansSC-Regular.otf")
    text = page_text(sheet.path)
    assert all(name in text for name in CHINESE + ("江城中学图书馆", "初一(1)班"))
    assert sorted(decoded(sheet.path)[1]) == sorted(f"A{r.card}B" for r in readers)


def latin_only_font(path):
    """A copy of the packaged font with its Latin letters only: a library's font without Chinese."""
    from fontTools import subset
    options = subset.Options()
    font = subset.load_font(str(sheets.packaged_font()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=range(0x20, 0x7F))
    subsetter.subset(font)
    subset.save_font(font, str(path), options)
    return path


def test_the_librarys_font_wins_over_the_systems_which_wins_over_the_packaged_one(tmp_path, office, lib,
                                                                                   settings, monkeypatch):
    system, own = tmp_path / "system.otf", tmp_path / "own.otf"
    shutil.copy(sheets.packaged_font(), system)
    shutil.copy(sheets.packaged_font(), own)
    monkeypatch.setattr(sheets, "system_font", lambda: system)
    card = lib.patron(name="李雷").card
    assert card_sheet.card_sheet(office, [card], tmp_path / "a.pdf", settings).font == str(system)
    settings.print_font = str(own)
    assert card_sheet.card_sheet(office, [card], tmp_path / "b.pdf", settings).font == str(own)
    monkeypatch.setenv(sheets.FONT_ENV, str(system))  # the environment wins over the settings file
    assert card_sheet.card_sheet(office, [card], tmp_path / "c.pdf", settings).font == str(system)
    assert "李雷" in page_text(tmp_path / "c.pdf")


def test_a_named_font_that_lacks_a_letter_or_is_no_file_prints_nothing(tmp_path, office, lib, settings):
    chinese, latin = lib.patron(name="李雷"), lib.patron(name="Li Lei")
    settings.print_font = str(latin_only_font(tmp_path / "latin.otf"))
    with pytest.raises(Refusal, match="has no letter '李' for '李雷'"):
        card_sheet.card_sheet(office, [latin.card, chinese.card], tmp_path / "zh.pdf", settings)
    assert card_sheet.card_sheet(office, [latin.card], tmp_path / "latin.pdf", settings).font == settings.print_font
    settings.print_font = str(tmp_path / "nowhere.ttf")
    with pytest.raises(Refusal, match="print_font in the settings names .*nowhere.ttf, which is not a font file"):
        card_sheet.card_sheet(office, [latin.card], tmp_path / "none.pdf", settings)
    assert not (tmp_path / "zh.pdf").exists() and not (tmp_path / "none.pdf").exists()


def test_a_system_font_without_a_letter_gives_way_to_the_packaged_one(tmp_path, office, lib, settings,
                                                                      monkeypatch):
    monkeypatch.setattr(sheets, "system_font", lambda: latin_only_font(tmp_path / "system.otf"))
    sheet = card_sheet.card_sheet(office, [lib.patron(name="韩梅梅").card], tmp_path / "zh.pdf", settings)
    assert sheet.font == str(sheets.packaged_font()) and "韩梅梅" in page_text(sheet.path)


def test_without_any_font_chinese_names_are_refused_and_latin_ones_print(tmp_path, office, lib, settings,
                                                                         monkeypatch):
    monkeypatch.setattr(sheets, "packaged_font", lambda: None)  # the font's package was removed
    chinese, latin = lib.patron(name="李雷"), lib.patron(name="Li Lei")
    with pytest.raises(Refusal, match="No font on this machine can print '李雷'.*reinstall counter-tui"):
        card_sheet.card_sheet(office, [latin.card, chinese.card], tmp_path / "zh.pdf", settings)
    assert not (tmp_path / "zh.pdf").exists()
    sheet = card_sheet.card_sheet(office, [latin.card], tmp_path / "latin.pdf", settings)
    assert sheet.font == "Helvetica" and decoded(sheet.path)[1] == [f"A{latin.card}B"]


def test_unknown_replaced_lost_and_malformed_cards_print_nothing(tmp_path, office, lib, settings):
    good = lib.patron(name="Li Lei")
    lost = lib.patron(name="Lost Card", status="card lost")
    replaced = library_barcode("21234", 9990)
    CardEvent.create(patron=good, kind="replaced", card=replaced, at=NOW)
    unknown = library_barcode("21234", 9999)
    before = AuditEvent.select().count()
    out = tmp_path / "cards.pdf"
    for wanted, sentence in (
            ([good.card, unknown], f"No reader has card {unknown}"),
            ([good.card, 9999], "There is no reader with id 9999"),
            ([good.card, lost.card], f"Card {lost.card} was reported lost"),
            ([replaced], f"Card {replaced} was replaced"),
            (["21234000000017"], "check digit"),
            (["31234000000016"], "not a reader's card number"),
            ([], "at least one card")):
        with pytest.raises(Refusal, match=sentence):
            card_sheet.card_sheet(office, wanted, out, settings)
        assert not out.exists()
    with pytest.raises(Refusal, match="is a PDF"):
        card_sheet.card_sheet(office, [good.card], tmp_path / "cards.png", settings)
    with pytest.raises(Refusal, match="no folder"):
        card_sheet.card_sheet(office, [good.card], tmp_path / "nowhere" / "cards.pdf", settings)
    assert AuditEvent.select().count() == before
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".part", ".pdf")]


@pytest.mark.parametrize("role", ["circulation", "reading_room", "acquisitions", "cataloging"])
def test_only_office_staff_or_the_curator_print_cards(tmp_path, clerk, lib, settings, role):
    member = staff.add_staff(None, f"m_{role}", "Member", "a password!", [role], NOW)
    with pytest.raises(PermissionDenied, match="Only office staff or the curator may print library cards"):
        card_sheet.card_sheet(member, [lib.patron().card], tmp_path / "cards.pdf", settings)
    assert not (tmp_path / "cards.pdf").exists()


def test_the_module_is_two_printer_dots_at_300_dpi():
    from io import BytesIO
    from PIL import Image
    image = Image.open(BytesIO(card_sheet.codabar_png("21234000000018")))
    assert abs(card_sheet.MODULE_MM - 2 * 25.4 / 300) < 1e-9
    # the narrowest black run is a narrow bar: two modules, four dots
    row = [image.getpixel((x, image.height // 2)) for x in range(image.width)]
    runs, run = [], 0
    for pixel in row:
        if pixel == 0:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    assert min(runs) == 4


# ---- the command line ---------------------------------------------------------------------------

def run_cli(*argv: str) -> None:
    cli.main(list(argv))  # cli.py registers the command module


def test_cli_prints_cards_and_refuses_unknown_ones(tmp_path, office, lib, settings, monkeypatch, capsys):
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("COUNTER_TUI_PASSWORD", "correct horse")  # office's and the clerk's
    readers = [lib.patron(name=n) for n in ("Li Lei", "Han Meimei", "Jim Green")]
    out = tmp_path / "cli.pdf"
    unknown = library_barcode("21234", 9999)
    with pytest.raises(SystemExit, match=f"No reader has card {unknown}. Nothing was printed"):
        run_cli("cards", "print", readers[0].card, unknown, "--output", str(out), "--as", "office",
                "--db", settings.db_url)
    assert not out.exists()
    with pytest.raises(SystemExit, match="Only office staff or the curator"):
        run_cli("cards", "print", readers[0].card, "--output", str(out), "--as", "clerk", "--db", settings.db_url)
    run_cli("cards", "print", *(r.card for r in readers), "--output", str(out), "--as", "office",
            "--db", settings.db_url)
    assert f"3 cards on 1 page: {out}" in capsys.readouterr().out
    assert sorted(decoded(out)[1]) == sorted(f"A{r.card}B" for r in readers)


def test_cli_prints_chinese_names_that_read_back_and_decode(tmp_path, office, lib, settings, monkeypatch, capsys):
    (tmp_path / "settings.toml").write_text('library_name = "江城中学图书馆"\n', encoding="utf-8")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "settings.toml"))
    monkeypatch.setenv("COUNTER_TUI_PASSWORD", "correct horse")
    readers = [lib.patron(name=name, department="初一(1)班") for name in CHINESE]
    out = tmp_path / "zh.pdf"
    run_cli("cards", "print", *(r.card for r in readers), "--output", str(out), "--as", "office",
            "--db", settings.db_url)
    assert f"4 cards on 1 page: {out}" in capsys.readouterr().out
    text = page_text(out)
    assert all(name in text for name in CHINESE + ("江城中学图书馆", "初一(1)班"))
    assert sorted(decoded(out)[1]) == sorted(f"A{r.card}B" for r in readers)


def test_printing_and_roster_modules_load_nothing_heavy_until_used():
    import subprocess
    import sys
    code = ("import sys, counter_tui.services.readers.card_sheet, counter_tui.services.readers.roster, "
            "counter_tui.commands.readers.cards, counter_tui.commands.readers.roster; "
            "print(sorted(m for m in ('textual', 'fpdf', 'PIL', 'barcode', 'csv', 'pypdfium2') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
