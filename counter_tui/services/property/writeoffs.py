"""Write-offs: withdrawing copies from the library's property, with a numbered certificate.

The only way a copy becomes "withdrawn": scan the copies, give the reason, and
`write_off` makes certificate number N (its own series, "write_off"), one line per copy
with its accession number and its register price, the count and the value, writes the
certificate as a PDF to sign (services/printing/documents.py), and withdraws the copies,
all in one transaction: the file is removed again if the transaction fails. A copy on loan,
on the hold shelf or in transit, already withdrawn, or not in the accession register
refuses the whole certificate: nothing is written.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from counter_tui import db
from counter_tui.domain.barcodes import Kind, classify
from counter_tui.domain.calendar import utc_now
from counter_tui.domain.item_status import ItemStatus, can_move
from counter_tui.domain.text import clean
from counter_tui.models import Staff, WriteOff, WriteOffLine
from counter_tui.services import access, audit, library_settings
from counter_tui.services.property import accessions
from counter_tui.services.catalogue.copies import next_in_series
from counter_tui.services.errors import Refusal
from counter_tui.services.printing import documents

SERIES = "write_off"
ROLES = (access.CATALOGING, access.CURATOR)
MAX_COPIES = 5000
WITHDRAWN = ItemStatus.WITHDRAWN.value
# why a copy in this status cannot be written off yet, in the clerk's words
NOT_NOW = {
    ItemStatus.CHECKED_OUT.value: "is on loan: check it in first",
    ItemStatus.ON_HOLD_SHELF.value: "is waiting on the hold shelf for a reader",
    ItemStatus.IN_TRANSIT.value: "is in transit",
    ItemStatus.SHELVING_CART.value: "is on the shelving cart: shelve it first",
    WITHDRAWN: "has already been withdrawn",
}


@dataclass(frozen=True)
class Candidate:
    """A copy scanned for a write-off, as the desk shows it."""
    item_id: int
    barcode: str
    accession_number: int
    title: str
    call_number: str
    price: int  # the register's price


@dataclass(frozen=True)
class Certificate:
    number: int
    at: datetime
    reason: str
    lines: tuple[Candidate, ...]
    value: int
    path: Path

    @property
    def copies(self) -> int:
        return len(self.lines)


def _code(raw: str) -> str:
    scan = classify(raw, library_settings.settings().barcodes)
    if scan.kind in (Kind.EMPTY, Kind.INVALID):
        raise Refusal(scan.problem or "Scan a copy's barcode.")
    return scan.code


def candidate(actor: Staff, raw: str) -> Candidate:
    """The scanned copy if it may be written off now; a Refusal saying why not. A read."""
    access.require(actor, "write off copies", *ROLES)
    return _candidate(_code(raw))


def _candidate(code: str) -> Candidate:
    row = db.execute(
        "SELECT i.id, i.barcode, i.status, b.title, i.call_number, a.number, a.price, "
        "(SELECT COUNT(*) FROM loan l WHERE l.item_id = i.id AND l.returned_at IS NULL) "
        "FROM item i JOIN biblio b ON b.id = i.biblio_id LEFT JOIN accession a ON a.item_id = i.id "
        "WHERE i.barcode = ?", code).fetchone()
    if row is None:
        raise Refusal(f"No copy has the barcode {code}.")
    item_id, barcode, status, title, call, number, price, open_loans = row
    if open_loans:
        raise Refusal(f"Copy {barcode} is on loan: check it in first.")
    if status in NOT_NOW:
        raise Refusal(f"Copy {barcode} {NOT_NOW[status]}.")
    if status not in {s.value for s in ItemStatus} or not can_move(ItemStatus(status), ItemStatus.WITHDRAWN):
        raise Refusal(f"Copy {barcode} is '{status}' and cannot be withdrawn from there.")
    if number is None:
        raise Refusal(f"Copy {barcode} has no line in the accession register, so it cannot be written off.")
    return Candidate(item_id, barcode, number, title, call, price)


def write_off(actor: Staff, barcodes: Sequence[str], reason: str, now: datetime | None = None) -> Certificate:
    """Withdraw the scanned copies under one numbered certificate (all or none)."""
    now = (now or utc_now()).replace(microsecond=0)
    access.require(actor, "write off copies", *ROLES)
    reason = clean(reason)[:200]
    if not reason:
        raise Refusal("Give the reason for the write-off (worn out, lost, out of date, ...).")
    codes = [_code(raw) for raw in barcodes if raw and raw.strip()]
    if not codes:
        raise Refusal("Scan at least one copy to write off.")
    if len(codes) > MAX_COPIES:
        raise Refusal(f"Write off at most {MAX_COPIES} copies on one certificate.")
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise Refusal(f"Copy {code} was scanned twice.")
        seen.add(code)

    drafts = documents.Drafts()

    def work() -> Certificate:
        lines = []
        for code in codes:
            if not db.is_sqlite():
                db.execute_locked("SELECT id FROM item WHERE barcode = ?", "item", code)
            lines.append(_candidate(code))
        number = _next_certificate_number()
        value = sum(line.price for line in lines)
        path = accessions.documents_dir("write-offs") / f"write-off-{number:06d}.pdf"
        certificate = WriteOff.create(number=number, at=now, reason=reason, copies=len(lines), value=value,
                                      staff=actor.id, file=str(path))
        WriteOffLine.insert_many([{"write_off": certificate.id, "item": line.item_id,
                                   "accession_number": line.accession_number, "price": line.price}
                                  for line in lines]).execute()
        for line in lines:
            db.execute("UPDATE item SET status = ?, status_since = ? WHERE id = ?", WITHDRAWN, now, line.item_id)
        audit.record(actor, "copy.write_off", "write_off", certificate.id, now,
                     new={"number": number, "reason": reason, "copies": len(lines), "value": value,
                          "barcodes": [line.barcode for line in lines]})
        result = Certificate(number, now, reason, tuple(lines), value, path)
        drafts.write(path, [certificate_document(result, actor)])
        return result

    return drafts.kept_if(lambda: db.write(work))


def _next_certificate_number() -> int:
    return next_in_series(SERIES, "SELECT MAX(number) FROM write_off")


def certificate_document(cert: Certificate, actor: Staff) -> documents.Document:
    """The certificate as printed: particulars, a line per copy, count and value, who signs."""
    money = library_settings.money
    columns = (documents.Column("No.", 8, "R"), documents.Column("Accession", 17, "R"),
               documents.Column("Barcode", 26), documents.Column("Title", 58), documents.Column("Call number", 25),
               documents.Column("Price", 18, "R"))
    rows = tuple((str(n), str(line.accession_number), line.barcode, line.title, line.call_number, money(line.price))
                 for n, line in enumerate(cert.lines, 1))
    return documents.Document(
        f"Write-off certificate No. {cert.number}",
        (f"Date: {accessions.local_time(cert.at):%Y-%m-%d %H:%M}", f"Reason: {cert.reason}",
         f"Prepared by: {actor.full_name}"),
        (documents.Table(columns, rows),),
        (("Copies written off", str(cert.copies)), ("Total value", money(cert.value))),
        (documents.Signature("Prepared by (cataloguer)", actor.full_name),
         documents.Signature("Approved by (curator)")))


@dataclass(frozen=True)
class CertificateSummary:
    number: int
    at: datetime
    reason: str
    copies: int
    value: int
    staff: str
    file: str


def certificates(actor: Staff, limit: int = 200) -> list[CertificateSummary]:
    """The latest write-off certificates, newest first."""
    access.require(actor, "read write-off certificates", *ROLES)
    rows = db.execute("SELECT w.number, w.at, w.reason, w.copies, w.value, COALESCE(s.full_name, ''), w.file "
                      "FROM write_off w LEFT JOIN staff s ON s.id = w.staff_id ORDER BY w.number DESC LIMIT ?",
                      limit).fetchall()
    return [CertificateSummary(n, at if isinstance(at, datetime) else datetime.fromisoformat(str(at)),
                               reason, c, v, who, f) for n, at, reason, c, v, who, f in rows]
