"""Transfer to circulation: a numbered batch of new copies, a list to sign, the copies become available."""
from __future__ import annotations

import pytest

from counter_tui.models import Item, TransferBatch, TransferLine
from counter_tui.services.catalogue import copies
from counter_tui.services.admin import staff
from counter_tui.services.property import transfers, writeoffs
from counter_tui.services.errors import PermissionDenied, Refusal
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
    text = (property_documents / "transfers" / "transfer-000001.txt").read_text(encoding="utf-8")
    assert "TRANSFER LIST No. 1" in text and "Copies: 2" in text and "Received by:" in text
    assert new_copies[0].barcode in text and new_copies[2].barcode not in text and "平凡的世界" in text
    assert TransferBatch.get_by_id(batch.id).file.endswith("transfer-000001.txt")
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
