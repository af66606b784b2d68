"""Transfer to circulation: new copies handed from cataloguing to the lending desk.

A cataloguer opens a numbered transfer batch (its own series, "transfer_batch"), scans
the finished copies into it (only copies "in processing", each in one open batch at a
time, and only with a call number: a copy goes to the shelves with its place on them), and
closes it: the copies become "available" from that moment and the transfer
list is written as a PDF for the cataloguer handing over and the receiving desk to sign
(removed again if closing fails). A batch stays open across
sessions until it is closed; an open batch may be left empty.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from counter_tui import db
from counter_tui.domain.barcodes import Kind, classify
from counter_tui.domain.calendar import utc_now
from counter_tui.domain.item_status import ItemStatus
from counter_tui.domain.text import clean
from counter_tui.models import Staff, TransferBatch, TransferLine
from counter_tui.services import access, audit, library_settings
from counter_tui.services.property import accessions
from counter_tui.services.catalogue.copies import next_in_series
from counter_tui.services.errors import NotFound, Refusal
from counter_tui.services.printing import documents

SERIES = "transfer_batch"
ROLES = (access.CATALOGING, access.CURATOR)
DESTINATION = "Circulation"
IN_PROCESSING = ItemStatus.IN_PROCESSING.value
AVAILABLE = ItemStatus.AVAILABLE.value


@dataclass(frozen=True)
class BatchLine:
    item_id: int
    barcode: str
    accession_number: int
    title: str
    call_number: str
    location: str


@dataclass(frozen=True)
class Batch:
    id: int
    number: int
    opened_at: datetime
    closed_at: datetime | None
    destination: str
    lines: tuple[BatchLine, ...]
    file: str = ""

    @property
    def count(self) -> int:
        return len(self.lines)


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _lines(batch_id: int) -> tuple[BatchLine, ...]:
    rows = db.execute("SELECT i.id, i.barcode, i.accession_number, b.title, i.call_number, i.location "
                      "FROM transfer_line t JOIN item i ON i.id = t.item_id JOIN biblio b ON b.id = i.biblio_id "
                      "WHERE t.batch_id = ? ORDER BY t.id", batch_id).fetchall()
    return tuple(BatchLine(*row) for row in rows)


def _batch(row: TransferBatch) -> Batch:
    return Batch(row.id, row.number, _as_datetime(row.opened_at), _as_datetime(row.closed_at), row.destination,
                 _lines(row.id), row.file)


def batch(batch_id: int) -> Batch:
    row = TransferBatch.get_or_none(TransferBatch.id == batch_id)
    if row is None:
        raise NotFound("That transfer batch no longer exists.")
    return _batch(row)


def open_batch(actor: Staff, destination: str = DESTINATION, now: datetime | None = None) -> Batch:
    """The actor's open batch if there is one, else a new numbered batch."""
    now = (now or utc_now()).replace(microsecond=0)
    access.require(actor, "transfer new books to circulation", *ROLES)
    destination = clean(destination)[:60] or DESTINATION

    def work() -> Batch:
        mine = (TransferBatch.select().where(TransferBatch.staff == actor.id, TransferBatch.closed_at.is_null())
                .order_by(TransferBatch.number).first())
        if mine is not None:
            return _batch(mine)
        number = next_in_series(SERIES, "SELECT MAX(number) FROM transfer_batch")
        row = TransferBatch.create(number=number, opened_at=now, staff=actor.id, destination=destination)
        audit.record(actor, "transfer.open", "transfer_batch", row.id, now,
                     new={"number": number, "destination": destination})
        return _batch(row)

    return db.write(work)


def _open_row(batch_id: int) -> TransferBatch:
    query = TransferBatch.select().where(TransferBatch.id == batch_id)
    row = db.locked_for_update(query, TransferBatch).first()
    if row is None:
        raise NotFound("That transfer batch no longer exists.")
    if row.closed_at is not None:
        raise Refusal(f"Transfer batch {row.number} is already closed; open a new one.")
    return row


def no_call_number(barcode: str) -> str:
    return (f"Copy {barcode} has no call number: it stays in processing. "
            "C on its title's copies (Ctrl+T) gives it one.")


def scan_in(actor: Staff, batch_id: int, raw: str, now: datetime | None = None) -> BatchLine:
    """Put the scanned copy into the open batch; only copies still in processing."""
    now = (now or utc_now()).replace(microsecond=0)
    access.require(actor, "transfer new books to circulation", *ROLES)
    scan = classify(raw, library_settings.settings().barcodes)
    if scan.kind in (Kind.EMPTY, Kind.INVALID):
        raise Refusal(scan.problem or "Scan a copy's barcode.")
    if scan.kind is Kind.PATRON:
        raise Refusal(f"{scan.code} is a reader's card, not a book.")

    def work() -> BatchLine:
        row = _open_row(batch_id)
        found = db.execute("SELECT i.id, i.status, COALESCE(i.call_number, '') FROM item i WHERE i.barcode = ?",
                           scan.code).fetchone()
        if found is None:
            raise Refusal(f"No copy has the barcode {scan.code}.")
        item_id, status, call_number = found
        call_number = call_number.strip()
        other = db.execute("SELECT b.number FROM transfer_line t JOIN transfer_batch b ON b.id = t.batch_id "
                           "WHERE t.item_id = ? AND b.closed_at IS NULL", item_id).fetchone()
        if other is not None:
            if other[0] == row.number:
                raise Refusal(f"Copy {scan.code} is already in this batch.")
            raise Refusal(f"Copy {scan.code} is already in transfer batch {other[0]}.")
        if status != IN_PROCESSING:
            raise Refusal(f"Copy {scan.code} is '{status}', not in processing: only new copies are transferred.")
        if not call_number:
            raise Refusal(no_call_number(scan.code))
        TransferLine.create(batch=row.id, item=item_id, at=now)
        audit.record(actor, "transfer.scan", "transfer_batch", row.id, now, new={"barcode": scan.code})
        return next(line for line in _lines(row.id) if line.item_id == item_id)

    return db.write(work)


def take_out(actor: Staff, batch_id: int, raw: str, now: datetime | None = None) -> None:
    """Take a copy scanned by mistake out of the open batch."""
    now = (now or utc_now()).replace(microsecond=0)
    access.require(actor, "transfer new books to circulation", *ROLES)
    code = classify(raw, library_settings.settings().barcodes).code

    def work() -> None:
        row = _open_row(batch_id)
        found = db.execute("SELECT t.id FROM transfer_line t JOIN item i ON i.id = t.item_id "
                           "WHERE t.batch_id = ? AND i.barcode = ?", row.id, code).fetchone()
        if found is None:
            raise Refusal(f"Copy {code} is not in transfer batch {row.number}.")
        db.execute("DELETE FROM transfer_line WHERE id = ?", found[0])
        audit.record(actor, "transfer.take_out", "transfer_batch", row.id, now, old={"barcode": code})

    db.write(work)


def close_batch(actor: Staff, batch_id: int, now: datetime | None = None) -> Batch:
    """Close the batch: its copies become available and the transfer list is written as a PDF."""
    now = (now or utc_now()).replace(microsecond=0)
    access.require(actor, "transfer new books to circulation", *ROLES)
    drafts = documents.Drafts()

    def work() -> Batch:
        row = _open_row(batch_id)
        lines = _lines(row.id)
        if not lines:
            raise Refusal(f"Transfer batch {row.number} is empty: scan the copies first.")
        moved = db.execute("SELECT i.barcode, i.status FROM transfer_line t JOIN item i ON i.id = t.item_id "
                           "WHERE t.batch_id = ? AND i.status <> ?", row.id, IN_PROCESSING).fetchall()
        if moved:
            barcode, status = moved[0]
            raise Refusal(f"Copy {barcode} is now '{status}', no longer in processing: "
                          "take it out of the batch (Ctrl+R, then scan it) first.")
        unplaced = next((line for line in lines if not (line.call_number or "").strip()), None)
        if unplaced is not None:
            raise Refusal(no_call_number(unplaced.barcode) + " Or take it out of the batch (Ctrl+R, then scan it).")
        path = accessions.documents_dir("transfers") / f"transfer-{row.number:06d}.pdf"
        db.execute("UPDATE item SET status = ?, status_since = ? WHERE status = ? AND id IN "
                   "(SELECT item_id FROM transfer_line WHERE batch_id = ?)", AVAILABLE, now, IN_PROCESSING, row.id)
        db.execute("UPDATE transfer_batch SET closed_at = ?, file = ? WHERE id = ?", now, str(path), row.id)
        audit.record(actor, "transfer.close", "transfer_batch", row.id, now,
                     new={"number": row.number, "copies": len(lines), "file": str(path)})
        result = Batch(row.id, row.number, _as_datetime(row.opened_at), now, row.destination, lines, str(path))
        drafts.write(path, [transfer_list(result, actor)])
        return result

    return drafts.kept_if(lambda: db.write(work))


def transfer_list(done: Batch, actor: Staff) -> documents.Document:
    """The list as printed: the copies handed over, their count, and who hands over and receives."""
    columns = (documents.Column("No.", 8, "R"), documents.Column("Accession", 17, "R"),
               documents.Column("Barcode", 26), documents.Column("Title", 56), documents.Column("Call number", 25),
               documents.Column("Location", 20))
    rows = tuple((str(n), str(line.accession_number), line.barcode, line.title, line.call_number, line.location)
                 for n, line in enumerate(done.lines, 1))
    return documents.Document(
        f"Transfer list No. {done.number}: new books to {done.destination}",
        (f"Opened: {accessions.local_time(done.opened_at):%Y-%m-%d %H:%M}   "
         f"Closed: {accessions.local_time(done.closed_at):%Y-%m-%d %H:%M}",
         f"Handed over by: {actor.full_name}"),
        (documents.Table(columns, rows),),
        (("Copies", str(done.count)),),
        (documents.Signature("Handed over by (cataloguing)", actor.full_name),
         documents.Signature(f"Received by ({done.destination})")))


def open_batches(actor: Staff) -> list[Batch]:
    access.require(actor, "transfer new books to circulation", *ROLES)
    return [_batch(row) for row in TransferBatch.select().where(TransferBatch.closed_at.is_null())
            .order_by(TransferBatch.number)]


def recent_batches(actor: Staff, limit: int = 50) -> list[Batch]:
    access.require(actor, "transfer new books to circulation", *ROLES)
    return [_batch(row) for row in TransferBatch.select().order_by(TransferBatch.number.desc()).limit(limit)]
