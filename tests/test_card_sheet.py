"""Printed library cards: the PDF is rendered at 300 dpi and every barcode decoded with zxing-cpp."""
from __future__ import annotations

import os

import json

import pytest

from counter_tui import cli
from counter_tui.domain.barcodes import library_barcode
from counter_tui.models import AuditEvent, CardEvent
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


def test_every_card_on_the_sheet_decodes_to_its_number(tmp_path, office, lib, settings, monkeypatch):
    monkeypatch.delenv(card_sheet.FONT_ENV, raising=False)
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


def test_chinese_names_print_with_a_cjk_font(tmp_path, office, lib, settings, monkeypatch):
    monkeypatch.delenv(card_sheet.FONT_ENV, raising=False)
    if card_sheet.find_cjk_font() is None:
        if os.environ.get("CI"):  # .ci/run installs the font: missing there is a broken set-up
            pytest.fail("no font with Chinese letters: .ci/run should have installed fonts-wqy-microhei")
        pytest.skip("no font with Chinese letters on this machine (Debian: fonts-wqy-microhei)")
    settings.library_name = "江城中学图书馆"
    readers = [lib.patron(name=name, department="初一(1)班") for name in ("李雷", "韩梅梅", "欧阳娜娜")]
    sheet = card_sheet.card_sheet(office, [r.card for r in readers], tmp_path / "zh.pdf", settings)
    assert sheet.font != "Helvetica"
    document = pdfium.PdfDocument(str(sheet.path))
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert all(name in text for name in ("李雷", "韩梅梅", "欧阳娜娜", "江城中学图书馆"))
    assert sorted(decoded(sheet.path)[1]) == sorted(f"A{r.card}B" for r in readers)


def test_without_a_cjk_font_chinese_names_are_refused_and_latin_ones_print(tmp_path, office, lib, settings,
                                                                           monkeypatch):
    monkeypatch.setattr(card_sheet, "find_cjk_font", lambda: None)
    chinese, latin = lib.patron(name="李雷"), lib.patron(name="Li Lei")
    with pytest.raises(Refusal, match="No font on this machine can print '李雷'.*fonts-wqy-microhei"):
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


def test_printing_and_roster_modules_load_nothing_heavy_until_used():
    import subprocess
    import sys
    code = ("import sys, counter_tui.services.readers.card_sheet, counter_tui.services.readers.roster, "
            "counter_tui.commands.readers.cards, counter_tui.commands.readers.roster; "
            "print(sorted(m for m in ('textual', 'fpdf', 'PIL', 'barcode', 'csv', 'pypdfium2') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
