"""Transfer to circulation: a numbered batch of new copies, a list to sign, the copies become available."""
from __future__ import annotations

from pathlib import Path

import pytest

from counter_tui.models import Item, TransferBatch, TransferLine
from counter_tui.services.catalogue import copies
from counter_tui.services.admin import staff
from counter_tui.services.property import transfers, writeoffs
from counter_tui.services.errors import PermissionDenied, Refusal
from tests import printed
from tests.conftest import NOW, days


pytestmark = pytest.mark.usefixtures("property_documents")


@pytest.fixture
def new_copies(cataloguer, lib):
    title = lib.item(title="平凡的世界").biblio
    return copies.receive_copies(cataloguer, title.id, 3, price=3000, location="New books", now=NOW)


def status(barcode):
    return Item.get(Item.barcode == barcode).status


def test_batch_scan_close_makes_copies_available_and_writes_the_list(cataloguer, new_copies, property_documents):
    batch = transfers.open_batch(cataloguer, now=NOW)
    assert batch.number == 1 and batch.count == 0
    assert transfers.open_batch(cataloguer, now=NOW).id == batch.id  # the open batch is picked up again
    for line in new_copies[:2]:
        transfers.scan_in(cataloguer, batch.id, line.barcode, now=NOW)
    assert [status(c.barcode) for c in new_copies] == ["in processing"] * 3  # nothing moves until closed
    later = NOW + days(1)
    done = transfers.close_batch(cataloguer, batch.id, now=later)
    assert done.count == 2 and done.closed_at == later
    assert [status(c.barcode) for c in new_copies] == ["available", "available", "in processing"]
    assert Item.get(Item.barcode == new_copies[0].barcode).status_since == later
    [text] = printed.pages(property_documents / "transfers" / "transfer-000001.pdf")
    assert text.startswith("Test Library Transfer list No. 1: new books to Circulation ")
    assert "Copies 2" in text and "Handed over by (cataloguing) Name: Cataloguer" in text
    assert "Received by (Circulation)" in text and text.endswith("Page 1 of 1")
    assert new_copies[0].barcode in text and new_copies[2].barcode not in text and text.count("平凡的世界") == 2
    assert TransferBatch.get_by_id(batch.id).file == done.file
    assert done.file == str(property_documents / "transfers" / "transfer-000001.pdf")
    with pytest.raises(Refusal, match="already closed"):
        transfers.scan_in(cataloguer, batch.id, new_copies[2].barcode, now=later)
    assert transfers.open_batch(cataloguer, now=later).number == 2


def test_scan_refusals_change_nothing(cataloguer, new_copies, lib):
    batch = transfers.open_batch(cataloguer, now=NOW)
    transfers.scan_in(cataloguer, batch.id, new_copies[0].barcode, now=NOW)
    shelf_copy = lib.item()
    before = TransferLine.select().count()
    for raw, words in [(new_copies[0].barcode, "already in this batch"),
                       (shelf_copy.barcode, "not in processing"),
                       (lib.patron().card, "reader's card"),
                       ("", "Scan")]:
        with pytest.raises(Refusal, match=words):
            transfers.scan_in(cataloguer, batch.id, raw, now=NOW)
    assert TransferLine.select().count() == before
    curator = staff.add_staff(None, "boss", "Curator", "correct horse", ["curator"], NOW)
    other = transfers.open_batch(curator, now=NOW)
    assert other.number == 2
    with pytest.raises(Refusal, match="already in transfer batch 1"):
        transfers.scan_in(curator, other.id, new_copies[0].barcode, now=NOW)
    with pytest.raises(Refusal, match="empty"):
        transfers.close_batch(curator, other.id, now=NOW)


def test_a_copy_written_off_meanwhile_must_be_taken_out(cataloguer, new_copies):
    batch = transfers.open_batch(cataloguer, now=NOW)
    for line in new_copies:
        transfers.scan_in(cataloguer, batch.id, line.barcode, now=NOW)
    writeoffs.write_off(cataloguer, [new_copies[1].barcode], "damaged", now=NOW)
    with pytest.raises(Refusal, match="take it out"):
        transfers.close_batch(cataloguer, batch.id, now=NOW)
    assert status(new_copies[0].barcode) == "in processing"
    transfers.take_out(cataloguer, batch.id, new_copies[1].barcode, now=NOW)
    assert transfers.close_batch(cataloguer, batch.id, now=NOW).count == 2
    assert [status(c.barcode) for c in new_copies] == ["available", "withdrawn", "available"]


def test_circulation_clerk_is_refused(clerk, cataloguer, new_copies):
    batch = transfers.open_batch(cataloguer, now=NOW)
    transfers.scan_in(cataloguer, batch.id, new_copies[0].barcode, now=NOW)
    for call in (lambda: transfers.open_batch(clerk, now=NOW),
                 lambda: transfers.scan_in(clerk, batch.id, new_copies[1].barcode, now=NOW),
                 lambda: transfers.close_batch(clerk, batch.id, now=NOW)):
        with pytest.raises(PermissionDenied, match="cataloguers or the curator"):
            call()
    assert TransferBatch.select().count() == 1 and TransferLine.select().count() == 1
    assert [status(c.barcode) for c in new_copies] == ["in processing"] * 3


def test_a_long_transfer_list_runs_over_pages_each_numbered_with_the_heading_again(cataloguer, lib):
    title = lib.item(title="平凡的世界").biblio
    made = copies.receive_copies(cataloguer, title.id, 80, price=3000, location="New books", now=NOW)
    batch = transfers.open_batch(cataloguer, now=NOW)
    for line in made:
        transfers.scan_in(cataloguer, batch.id, line.barcode, now=NOW)
    done = transfers.close_batch(cataloguer, batch.id, now=NOW)
    pages = printed.pages(done.file)
    printed.assert_paged(pages, "Transfer list No. 1", "No. Accession Barcode Title Call number Location")
    text = " ".join(pages)
    assert all(text.count(line.barcode) == 1 for line in made) and text.count("平凡的世界") == 80
    assert "Copies 80" in pages[-1] and "Received by (Circulation)" in pages[-1]


def test_a_list_whose_closing_fails_leaves_no_file_and_the_batch_open(cataloguer, new_copies, property_documents,
                                                                      monkeypatch):
    from counter_tui import db
    batch = transfers.open_batch(cataloguer, now=NOW)
    transfers.scan_in(cataloguer, batch.id, new_copies[0].barcode, now=NOW)
    real_write = db.write

    def commit_fails(work):
        def drawn_then_failing():
            assert Path(work().file).exists()
            raise RuntimeError("the commit failed")
        return real_write(drawn_then_failing)
    monkeypatch.setattr(db, "write", commit_fails)
    with pytest.raises(RuntimeError, match="commit failed"):
        transfers.close_batch(cataloguer, batch.id, now=NOW)
    assert TransferBatch.get_by_id(batch.id).closed_at is None and status(new_copies[0].barcode) == "in processing"
    assert list((property_documents / "transfers").iterdir()) == []


def test_a_copy_without_a_call_number_is_refused_and_stays_in_processing(cataloguer, new_copies, lib):
    unplaced = lib.item(title="无索书号", call_number="", status="in processing")  # received before it was required
    batch = transfers.open_batch(cataloguer, now=NOW)
    with pytest.raises(Refusal, match=f"Copy {unplaced.barcode} has no call number: it stays in processing"):
        transfers.scan_in(cataloguer, batch.id, unplaced.barcode, now=NOW)
    assert TransferLine.select().count() == 0 and status(unplaced.barcode) == "in processing"
    # a call number taken away after the copy went into the batch: closing refuses too
    transfers.scan_in(cataloguer, batch.id, new_copies[0].barcode, now=NOW)
    Item.update(call_number="").where(Item.barcode == new_copies[0].barcode).execute()
    with pytest.raises(Refusal, match=f"Copy {new_copies[0].barcode} has no call number.*take it out"):
        transfers.close_batch(cataloguer, batch.id, now=NOW)
    assert status(new_copies[0].barcode) == "in processing" and TransferBatch.get_by_id(batch.id).closed_at is None
