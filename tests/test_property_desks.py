"""Pilot tests of the cataloguing office's scan desks: write-off and transfer to circulation."""
from __future__ import annotations

import pytest

from counter_tui.app import CounterApp
from counter_tui.models import Item, TransferBatch, WriteOff
from counter_tui.screens.transfer import TransferScreen
from counter_tui.screens.writeoff import WriteOffScreen
from counter_tui.services import accessions, copies, staff
from counter_tui.widgets.fields_dialog import FieldsDialog
from tests.conftest import NOW
from tests.test_desk_screens import burst, rows, settle, status


@pytest.fixture(autouse=True)
def documents(tmp_path, monkeypatch):
    monkeypatch.setenv(accessions.ENV_DOCUMENTS, str(tmp_path / "docs"))
    return tmp_path / "docs"


@pytest.fixture
def cataloguer(clerk):
    return staff.add_staff(None, "cat", "Cataloguer", "correct horse", ["cataloging"], NOW)


async def test_write_off_desk_scans_a_pile_then_makes_the_certificate(lib, settings, cataloguer, documents):
    reader = lib.patron()
    pile = [lib.item(title=f"Book {n}", price=1000 + n) for n in range(3)]
    lent = lib.item(title="Lent")
    lib.loan(lent, reader, NOW.date(), NOW.date())
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = WriteOffScreen()
        app.push_screen(desk)
        await pilot.pause()
        burst(app, pile[0].barcode, lent.barcode, pile[1].barcode, pile[1].barcode, pile[2].barcode)
        await settle(pilot, lambda: desk.lines == 5)
        lines = [" ".join(c for c in r if c) for r in rows(desk)]
        assert lines[0].endswith("to write off") and lines[2].endswith("to write off")
        assert lines[1] == f"{lent.barcode} ✗ Copy {lent.barcode} is on loan: check it in first."
        assert lines[3] == f"{pile[1].barcode} ✗ Copy {pile[1].barcode} is already on the list."
        assert "3 copies to write off, ¥30.03" in status(desk)
        assert WriteOff.select().count() == 0  # nothing written while scanning
        await pilot.press("f10")
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
        await pilot.press("enter")  # no reason: asked again, with the sentence
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog) and app.screen.error)
        for ch in "worn out":
            await pilot.press("space" if ch == " " else ch)
        await pilot.press("enter")
        await settle(pilot, lambda: desk.certificate is not None)
        assert desk.certificate.number == 1 and desk.certificate.copies == 3
        assert "Write-off certificate 1: 3 copies, ¥30.03" in status(desk)
        assert [Item.get_by_id(i.id).status for i in pile] == ["withdrawn"] * 3
        assert Item.get_by_id(lent.id).status == "checked out"
        assert (documents / "write-offs" / "write-off-000001.txt").exists()


async def test_write_off_desk_refuses_a_circulation_clerk(lib, settings):
    book = lib.item()
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = WriteOffScreen()
        app.push_screen(desk)
        await pilot.pause()
        burst(app, book.barcode)
        await settle(pilot, lambda: desk.lines == 1)
        assert "Only cataloguers or the curator may write off copies" in status(desk)
    assert Item.get_by_id(book.id).status == "available"


async def test_transfer_desk_batch_take_out_and_close(lib, settings, cataloguer, documents):
    title = lib.item().biblio
    new = copies.receive_copies(cataloguer, title.id, 3, price=500, location="New books", now=NOW)
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = TransferScreen()
        app.push_screen(desk)
        await settle(pilot, lambda: desk.batch is not None)
        burst(app, *(c.barcode for c in new))
        await settle(pilot, lambda: desk.count == 3)
        await pilot.press("ctrl+r")
        burst(app, new[1].barcode)
        await settle(pilot, lambda: desk.count == 2)
        assert "Taken out of batch 1" in status(desk)
        await pilot.press("f10")
        await settle(pilot, lambda: desk.closed is not None)
        assert "Batch 1 closed: 2 copies are available" in status(desk)
        assert [r[0] for r in rows(desk)] == [new[0].barcode, new[2].barcode]
    assert [Item.get_by_id(c.item_id).status for c in new] == ["available", "in processing", "available"]
    assert (documents / "transfers" / "transfer-000001.txt").exists()
    assert TransferBatch.get().closed_at is not None
