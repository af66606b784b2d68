"""Write-offs: a numbered certificate file with count and value; copies withdrawn; all or nothing."""
from __future__ import annotations

import pytest

from counter_tui.domain.barcodes import library_barcode

from counter_tui.models import AuditEvent, Item, WriteOff, WriteOffLine
from counter_tui.services.property import accessions, writeoffs
from counter_tui.services.catalogue import copies
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW, days


pytestmark = pytest.mark.usefixtures("property_documents")


def snapshot():
    return (list(Item.select(Item.id, Item.status).order_by(Item.id).tuples()), WriteOff.select().count(),
            WriteOffLine.select().count())


def test_certificate_numbers_lines_count_and_value(cataloguer, lib, property_documents):
    a, b, c = lib.item(price=4500), lib.item(title="活着", price=2850, status="in repair"), lib.item(price=None)
    cert = writeoffs.write_off(cataloguer, [a.barcode, f"A{b.barcode}B", c.barcode], "  worn   out ", now=NOW)
    assert (cert.number, cert.copies, cert.value, cert.reason) == (1, 3, 7350, "worn out")
    assert [Item.get_by_id(i.id).status for i in (a, b, c)] == ["withdrawn"] * 3
    assert Item.get_by_id(a.id).status_since == NOW
    row = WriteOff.get(WriteOff.number == 1)
    assert (row.copies, row.value, row.staff_id, row.file) == (3, 7350, cataloguer.id, str(cert.path))
    assert [(w.accession_number, w.price) for w in WriteOffLine.select().order_by(WriteOffLine.id)] == [
        (a.accession_number, 4500), (b.accession_number, 2850), (c.accession_number, 0)]
    text = cert.path.read_text(encoding="utf-8")
    assert cert.path.parent == property_documents / "write-offs"
    assert "WRITE-OFF CERTIFICATE No. 1" in text and "Reason: worn out" in text
    assert "Copies written off: 3" in text and "Total value: " in text and "活着" in text
    assert text.count(a.barcode) == 1
    second = writeoffs.write_off(cataloguer, [lib.item().barcode], "lost", now=NOW + days(1))
    assert second.number == 2
    assert AuditEvent.select().where(AuditEvent.action == "copy.write_off").count() == 2
    assert [s.number for s in writeoffs.certificates(cataloguer)] == [2, 1]


def test_one_bad_copy_refuses_the_whole_certificate(cataloguer, lib):
    reader = lib.patron()
    good, lent, gone = lib.item(), lib.item(), lib.item()
    lib.loan(lent, reader, NOW.date() - days(3), NOW.date() + days(10))
    writeoffs.write_off(cataloguer, [gone.barcode], "lost", now=NOW)
    before = snapshot()
    cases = [([good.barcode, lent.barcode], "on loan"),
             ([good.barcode, gone.barcode], "already been withdrawn"),
             ([good.barcode, library_barcode("31234", 99999)], "No copy has the barcode"),
             ([good.barcode, good.barcode], "scanned twice"),
             ([good.barcode], "reason"),
             ([], "at least one")]
    for codes, words in cases:
        with pytest.raises(Refusal, match=words):
            writeoffs.write_off(cataloguer, codes, "" if words == "reason" else "damaged", now=NOW)
    assert snapshot() == before
    shelving = lib.item(status="shelving cart")
    with pytest.raises(Refusal, match="shelving cart"):
        writeoffs.candidate(cataloguer, shelving.barcode)


def test_only_cataloguers_and_the_curator_write_off(clerk, lib):
    item = lib.item()
    before = snapshot()
    with pytest.raises(PermissionDenied, match="cataloguers or the curator"):
        writeoffs.write_off(clerk, [item.barcode], "worn out", now=NOW)
    with pytest.raises(PermissionDenied):
        writeoffs.candidate(clerk, item.barcode)
    assert snapshot() == before
    curator = staff.add_staff(None, "boss", "Curator", "correct horse", ["curator"], NOW)
    assert writeoffs.write_off(curator, [item.barcode], "worn out", now=NOW).copies == 1


def test_new_copies_in_processing_may_be_written_off(cataloguer, lib):
    title = lib.item().biblio
    made = copies.receive_copies(cataloguer, title.id, 1, price=1200, location="Stacks", now=NOW)
    cert = writeoffs.write_off(cataloguer, [made[0].barcode], "damaged in processing", now=NOW)
    assert cert.value == 1200 and accessions.balance().ok
