"""Spine and barcode labels: every barcode on the printed page decodes to the copy asked for."""
from __future__ import annotations

import json

import pytest

from counter_tui import cli
from counter_tui.domain.barcodes import library_barcode
from counter_tui.domain.callnumbers import clc_sort_key
from counter_tui.models import AuditEvent, Biblio, Item, TransferBatch, TransferLine
from counter_tui.services.catalogue import labels
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW

import pypdfium2 as pdfium  # noqa: E402  (test extras: a missing decoder must fail, not skip)
import zxingcpp  # noqa: E402


def decoded(pdf_path) -> tuple[int, list[str]]:
    """Pages and every barcode zxing-cpp finds on them, rendered at 300 dpi."""
    document = pdfium.PdfDocument(str(pdf_path))
    found = []
    try:
        for page in document:
            image = page.render(scale=300 / 72).to_pil()
            found += [r.text for r in zxingcpp.read_barcodes(
                image, formats=(zxingcpp.BarcodeFormat.Codabar, zxingcpp.BarcodeFormat.Code128))]
        return len(document), found
    finally:
        document.close()


def page_text(pdf_path) -> list[str]:
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def shelf(lib, count):
    return [lib.item(title=f"Ordinary World, part {n}", call_number=f"I247.57/{n + 1}") for n in range(count)]


@pytest.mark.parametrize("name", list(labels.TEMPLATES))
def test_every_barcode_on_every_template_decodes(tmp_path, lib, cataloguer, name):
    sheet = labels.TEMPLATES[name]
    copies = shelf(lib, sheet.per_page + 3)  # a full page and a bit
    result = labels.print_labels(cataloguer, labels.copies_by_barcode([c.barcode for c in copies]),
                                 tmp_path / "labels.pdf", labels.BARCODE, sheet, now=NOW)
    assert result.pages == 2 and result.labels == len(copies)
    pages, found = decoded(result.path)
    assert pages == 2
    assert sorted(found) == sorted(f"A{c.barcode}B" for c in copies)  # Codabar comes with its start/stop


def test_both_prints_spine_then_barcode_and_legacy_codes_as_code_128(tmp_path, lib, cataloguer, settings):
    copies = [lib.item(title="红楼梦", call_number="I242.47/12:2"),
              lib.item(title="Hamlet", call_number="I561.33/7", barcode="OLD-0042")]
    result = labels.print_labels(cataloguer, labels.copies_by_barcode([c.barcode for c in copies]),
                                 tmp_path / "both.pdf", labels.BOTH, now=NOW)
    assert result.labels == 4 and result.pages == 1
    assert result.spines == (("I242.47", "12", ":2"), ("I561.33", "7"))
    assert sorted(decoded(result.path)[1]) == sorted([f"A{copies[0].barcode}B", "OLD-0042"])
    text = page_text(result.path)[0]
    for line in ("I242.47", "12", ":2", "I561.33", "红楼梦", "Hamlet", settings.library_name, copies[0].barcode):
        assert line in text
    event = AuditEvent.get(AuditEvent.action == "labels.print")
    assert json.loads(event.new)["barcodes"] == [c.barcode for c in copies] and event.staff_id == cataloguer.id


def test_dewey_spine_lines_and_a_custom_sheet(tmp_path, lib, cataloguer, settings):
    from counter_tui.services import library_settings
    settings.call_numbers = "dewey"
    library_settings.configure(settings)
    copy = lib.item(title="Three Sisters", call_number="REF 891.72 C445t v.2")
    sheet = labels.template("a4-3x8", page_w=148.0, page_h=210.0, columns=2, rows=5, label_w=70.0,
                            label_h=40.0, margin_left=4.0, margin_top=5.0, gap_x=0.0, gap_y=0.0)
    result = labels.print_labels(cataloguer, labels.copies_by_barcode([copy.barcode]), tmp_path / "a5.pdf",
                                 labels.BOTH, sheet, skip=3, now=NOW)
    assert result.spines == (("REF", "891.72", "C445t", "v.2"),)
    assert decoded(result.path)[1] == [f"A{copy.barcode}B"]
    document = pdfium.PdfDocument(str(result.path))
    assert [round(v) for v in document[0].get_size()] == [round(148 / 25.4 * 72), round(210 / 25.4 * 72)]
    document.close()


def test_refusals_print_nothing(tmp_path, lib, cataloguer, clerk):
    good = lib.item()
    no_call = lib.item(title="Uncatalogued", call_number="")
    out = tmp_path / "labels.pdf"
    unknown = library_barcode("31234", 9999)
    with pytest.raises(Refusal, match=f"No copy has barcode {unknown}"):
        labels.copies_by_barcode([good.barcode, unknown])
    bad_check = good.barcode[:-1] + str((int(good.barcode[-1]) + 1) % 10)
    with pytest.raises(Refusal):
        labels.copies_by_barcode([bad_check])
    # a stored barcode whose check digit is wrong is never printed (python-barcode would "correct" it)
    Item.update(barcode=bad_check).where(Item.id == good.id).execute()
    wrong = labels.Copy(bad_check, good.call_number, "x", good.id)
    with pytest.raises(Refusal, match="fails the library's check"):
        labels.print_labels(cataloguer, [wrong], out, labels.BARCODE, now=NOW)
    with pytest.raises(Refusal, match="no call number"):
        labels.print_labels(cataloguer, labels.copies_by_barcode([no_call.barcode]), out, labels.SPINE, now=NOW)
    with pytest.raises(Refusal, match="need"):
        labels.template("a4-3x8", columns=4)
    narrow = labels.template("a4-3x8", label_w=25.0, columns=8)
    with pytest.raises(Refusal, match="choose wider labels"):
        labels.print_labels(cataloguer, labels.copies_by_barcode([no_call.barcode]), out, labels.BARCODE,
                            narrow, now=NOW)
    with pytest.raises(Refusal, match="PDF"):
        labels.print_labels(cataloguer, labels.copies_by_barcode([no_call.barcode]), tmp_path / "x.png")
    with pytest.raises(PermissionDenied):
        member = staff.add_staff(None, "office", "Office", "correct horse", ["office"], NOW)
        labels.print_labels(member, labels.copies_by_barcode([no_call.barcode]), out)
    assert not out.exists() and [p for p in tmp_path.iterdir() if ".pdf" in p.name or ".png" in p.name] == []
    assert AuditEvent.select().where(AuditEvent.action == "labels.print").count() == 0


def run_cli(*argv: str) -> None:
    cli.main(list(argv))


def test_cli_prints_a_transfer_batch_and_copies_in_processing(tmp_path, lib, cataloguer, settings, monkeypatch,
                                                              capsys):
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("COUNTER_TUI_PASSWORD", "correct horse")
    batch_copies = shelf(lib, 3)
    batch = TransferBatch.create(number=7, opened_at=NOW, staff=cataloguer)
    for copy in batch_copies:
        TransferLine.create(batch=batch, item=copy, at=NOW)
    processing = [lib.item(title="New", call_number=f"TP311/{n}", call_sort=clc_sort_key(f"TP311/{n}"),
                           status="in processing") for n in (10, 2)]
    out = tmp_path / "batch.pdf"
    run_cli("labels", "--batch", "7", "--barcode", "--output", str(out), "--as", "cat", "--db", settings.db_url)
    assert "3 labels on 1 page" in capsys.readouterr().out
    assert sorted(decoded(out)[1]) == sorted(f"A{c.barcode}B" for c in batch_copies)
    run_cli("labels", "--processing", "--spine", "--template", "a4-5x13", "--output", str(out), "--force",
            "--as", "cat", "--db", settings.db_url)  # the sheet before is written over: --force says so
    text = " ".join(page_text(out)[0].split())
    assert text == "TP311 2 TP311 10"  # shelf order: /2 before /10, each over two lines  # shelf order: /2 before /10
    run_cli("labels", processing[0].barcode, "--output", str(out), "--label", "60x30", "--grid", "3x9",
            "--force", "--as", "cat", "--db", settings.db_url)
    assert decoded(out)[1] == [f"A{processing[0].barcode}B"]
    with pytest.raises(SystemExit, match="There is no transfer batch 99"):
        run_cli("labels", "--batch", "99", "--output", str(out), "--as", "cat", "--db", settings.db_url)
    with pytest.raises(SystemExit, match="Name the copies"):
        run_cli("labels", "--output", str(out), "--as", "cat", "--db", settings.db_url)


def test_cli_prints_chinese_titles_that_read_back_and_decode(tmp_path, lib, cataloguer, settings, monkeypatch,
                                                             capsys):
    # conftest's fresh_machine_fonts: the only font is the one that comes with the install
    (tmp_path / "settings.toml").write_text('library_name = "江城中学图书馆"\n', encoding="utf-8")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "settings.toml"))
    monkeypatch.setenv("COUNTER_TUI_PASSWORD", "correct horse")
    titles = ("红楼梦", "平凡的世界", "活着")
    copies = [lib.item(title=title, call_number=f"I247.57/{n}") for n, title in enumerate(titles, 1)]
    out = tmp_path / "zh.pdf"
    run_cli("labels", *(c.barcode for c in copies), "--output", str(out), "--as", "cat", "--db", settings.db_url)
    assert "6 labels on 1 page" in capsys.readouterr().out
    text = page_text(out)[0]
    assert all(title in text for title in titles) and text.count("江城中学图书馆") == 3
    assert sorted(decoded(out)[1]) == sorted(f"A{c.barcode}B" for c in copies)


def test_labels_module_loads_nothing_heavy_until_used():
    import subprocess
    import sys
    code = ("import sys, counter_tui.services.catalogue.labels, counter_tui.commands.catalogue.labels; "
            "print(sorted(m for m in ('textual', 'fpdf', 'PIL', 'barcode') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_biblio_titles_are_cut_to_the_label(tmp_path, lib, cataloguer):
    copy = lib.item(title="A very long title " * 10, call_number="I247.5/1")
    Biblio.update(title="A very long title " * 10).execute()
    result = labels.print_labels(cataloguer, labels.copies_by_barcode([copy.barcode]), tmp_path / "l.pdf",
                                 labels.BARCODE, now=NOW)
    assert "..." in page_text(result.path)[0]
    assert decoded(result.path)[1] == [f"A{copy.barcode}B"]


async def test_scan_copies_and_print_from_the_labels_screen(tmp_path, lib, cataloguer, settings, monkeypatch):
    from textual.widgets import DataTable, Static

    from counter_tui.app import CounterApp
    from counter_tui.screens.catalogue.labels import LabelsScreen
    from tests.test_desk_screens import burst, settle
    monkeypatch.setenv(labels.LABELS_ENV, str(tmp_path / "out"))
    copies = shelf(lib, 3)
    batch = TransferBatch.create(number=4, opened_at=NOW, staff=cataloguer)
    extra = shelf(lib, 1)[0]
    Item.update(call_number="I247.57/9").where(Item.id == extra.id).execute()
    TransferLine.create(batch=batch, item=extra, at=NOW)
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = LabelsScreen()
        await app.push_screen(screen)
        await settle(pilot, lambda: screen.is_mounted)

        def said() -> str:
            return str(screen.query_one("#labels-status", Static).content)

        # a burst of scans, one unknown and one twice: each is handled in its turn
        burst(app, copies[0].barcode, f"A{copies[1].barcode}B", library_barcode("31234", 999), copies[0].barcode,
              copies[2].barcode, "#4")
        await settle(pilot, lambda: screen.done == 6)
        assert [c.barcode for c in screen.copies] == [c.barcode for c in copies] + [extra.barcode]
        assert screen.query_one("#label-copies", DataTable).row_count == 4
        assert "Transfer batch 4: 1 copy added" in said()
        await pilot.press("ctrl+z")
        assert len(screen.copies) == 3
        await pilot.press("ctrl+t", "ctrl+t")  # both -> spine -> barcode
        assert screen.kind == labels.BARCODE
        await pilot.press("ctrl+g")
        assert screen.template_name == "a4-4x10"
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: screen.printed is not None)
        assert screen.printed.path.parent == tmp_path / "out" and str(screen.printed.path) in said()
        assert sorted(decoded(screen.printed.path)[1]) == sorted(f"A{c.barcode}B" for c in copies)
        assert screen.copies == []
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: "Scan at least one copy" in said())
