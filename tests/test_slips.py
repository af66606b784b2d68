"""Slips for an 80 mm printer: layout, the check-out receipt from the desk, reprinting."""
from __future__ import annotations

import pytest

from counter_tui.app import CounterApp
from counter_tui.screens.circulation.checkout import CheckoutScreen
from counter_tui.services.printing import slips
from counter_tui.domain.calendar import local_date
from counter_tui.models import Loan
from tests.conftest import NOW, ZONE
from tests.test_desk_screens import burst, settle, status


@pytest.fixture
def slip_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(slips.ENV_SLIPS, str(tmp_path / "slips"))
    monkeypatch.delenv(slips.ENV_PRINT, raising=False)
    return tmp_path / "slips"


def test_lines_fit_the_paper_counting_chinese_as_two_columns():
    title = "红楼梦" * 10 + " and a long English subtitle that must wrap somewhere"
    lines = slips.wrap(title)
    assert all(slips.cells(line) <= slips.WIDTH for line in lines)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")
    assert slips.cells(slips.pair("红楼梦" * 20, "due 2026-12-23")) == slips.WIDTH
    assert slips.pair("Lent now:", "3").endswith(" 3")


def receipts(folder):
    return sorted(folder.glob("*checkout-receipt.txt"))


async def test_receipt_key_prints_what_was_lent_after_the_scans_before_it(lib, settings, slip_folder):
    reader = lib.patron(name="Li Lei")
    books = [lib.item(title=t) for t in ("Fortress Besieged", "围城")]
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, CheckoutScreen)
        burst(app, reader.card, *(b.barcode for b in books))
        await pilot.press("f10")  # pressed while the scans are still being answered
        await settle(pilot, lambda: "Receipt for" in status(screen))
        assert "2 books" in status(screen)
    [receipt] = receipts(slip_folder)
    text = receipt.read_text(encoding="utf-8")
    assert "Check-out receipt" in text and "Li Lei" in text and "Fortress Besieged" in text and "围城" in text
    assert reader.card not in text and reader.card[-4:] in text  # the card is masked
    due = {local_date(loan.due_at, ZONE).isoformat() for loan in Loan.select()}
    assert len(due) == 1 and text.count(f"due {due.pop()}") == 2
    assert all(slips.cells(line) <= slips.WIDTH for line in text.splitlines())


async def test_receipt_without_a_reader_says_why(lib, settings, slip_folder):
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f10")
        await settle(pilot, lambda: "card first" in status(app.screen))
        assert app.screen.lines == 0  # no refusal line for a key that was not a scan
    assert not slip_folder.exists() or receipts(slip_folder) == []


async def test_f12_reprints_the_last_slip_through_the_print_command(lib, settings, slip_folder, tmp_path):
    printed = tmp_path / "printer.txt"
    settings.print_command = f"sh -c 'cat >> {printed}'"
    reader, book = lib.patron(name="Wang Fang"), lib.item(title="Dune")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, reader.card, book.barcode)
        await settle(pilot, lambda: app.screen.lines == 1)
        await pilot.press("f10")
        await settle(pilot, lambda: "Receipt for" in status(app.screen))
        await pilot.press("f12")
        await pilot.pause()
    text = printed.read_text(encoding="utf-8")
    assert text.count("Check-out receipt") == 2 and text.count("Dune") == 2


def test_a_failing_print_command_keeps_the_file_and_says_so(lib, settings, slip_folder):
    settings.print_command = "/nonexistent/printer"
    done = slips.deliver("fee receipt", ["Paid 5.00"], at=NOW)
    assert not done.printed and "failed" in done.problem and done.path.read_text().startswith("Paid 5.00")


def test_two_slips_in_the_same_second_are_two_files(lib, settings, slip_folder):
    first = slips.deliver("fee receipt", ["one"], at=NOW)
    second = slips.deliver("fee receipt", ["two"], at=NOW)
    assert first.path != second.path
    assert first.path.read_text().startswith("one") and second.path.read_text().startswith("two")
