"""Write-offs: a numbered certificate (a PDF to sign) with count and value; copies withdrawn; all or nothing."""
from __future__ import annotations

import pytest

from counter_tui.domain.barcodes import library_barcode

from counter_tui.models import AuditEvent, Item, WriteOff, WriteOffLine
from counter_tui.services.property import accessions, writeoffs
from counter_tui.services.catalogue import copies
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied, Refusal
from counter_tui.services.library_settings import money
from tests import printed
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
    assert cert.path.parent == property_documents / "write-offs" and cert.path.name == "write-off-000001.pdf"
    [text] = printed.pages(cert.path)
    assert text.startswith("Test Library Write-off certificate No. 1 ") and "Reason: worn out" in text
    assert f"Copies written off 3 Total value {money(7350)}" in text and "活着" in text
    assert text.count(a.barcode) == 1 and "Prepared by (cataloguer) Name: Cataloguer" in text
    assert "Approved by (curator)" in text and text.endswith("Page 1 of 1")
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


def test_a_long_certificate_runs_over_pages_each_numbered_with_the_heading_again(cataloguer, lib):
    titles = ["红楼梦", "平凡的世界", "活着", "Ordinary World"]
    scanned = [lib.item(title=titles[n % 4], price=1000 + n) for n in range(90)]
    cert = writeoffs.write_off(cataloguer, [c.barcode for c in scanned], "out of date", now=NOW)
    pages = printed.pages(cert.path)
    printed.assert_paged(pages, "Write-off certificate No. 1", "No. Accession Barcode Title Call number Price")
    text = " ".join(pages)
    assert all(text.count(c.barcode) == 1 for c in scanned) and all(t in text for t in titles)
    assert f"Copies written off 90 Total value {money(cert.value)}" in pages[-1]
    assert cert.value == sum(1000 + n for n in range(90))


def test_a_certificate_whose_transaction_fails_leaves_no_file(cataloguer, lib, property_documents, monkeypatch):
    from counter_tui import db
    item = lib.item(title="红楼梦")
    real_write, drawn = db.write, []

    def commit_fails(work):
        def drawn_then_failing():
            result = work()
            drawn.append(result.path.exists())  # the certificate was drawn inside the transaction
            raise RuntimeError("the commit failed")
        return real_write(drawn_then_failing)
    monkeypatch.setattr(db, "write", commit_fails)
    with pytest.raises(RuntimeError, match="commit failed"):
        writeoffs.write_off(cataloguer, [item.barcode], "worn out", now=NOW)
    assert drawn == [True]
    assert WriteOff.select().count() == 0 and Item.get_by_id(item.id).status == "available"
    assert list((property_documents / "write-offs").iterdir()) == []
