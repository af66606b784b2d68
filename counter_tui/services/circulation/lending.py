"""Lending at the desk: check out, check in, renew.

Each public function is one use case and one transaction: it validates, writes, appends
an audit event, and returns plain data for the screen, or raises a Refusal whose
sentence the clerk reads. A refusal leaves the database as it was.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from counter_tui import db
from counter_tui.domain.barcodes import Kind, classify
from counter_tui.domain.calendar import due_by_card_expiry, due_date, end_of_local_day_utc, local_date, utc_now
from counter_tui.domain.fines import FineReckoning
from counter_tui.domain.item_status import LENDABLE, NOT_LENDABLE_REASON, ItemStatus
from counter_tui.models import Item, Loan, Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.circulation import charges, holds, losses, rules, scan_sql
from counter_tui.services.readers import patrons
from counter_tui.services.errors import CardScanned, NotFound, OnLoanElsewhere, Refusal
from counter_tui.domain.plurals import counted


@dataclass(frozen=True)
class CheckoutResult:
    loan_id: int
    barcode: str
    title: str
    call_number: str
    due: date
    patron: patrons.PatronSummary
    returned_first: "CheckinResult | None" = None
    due_note: str = ""  # why the due date is what it is, when the card's expiry decided it


@dataclass(frozen=True)
class CheckinResult:
    barcode: str
    title: str
    call_number: str
    was_on_loan: bool
    patron_name: str = ""
    patron_card: str = ""
    due: date | None = None
    days_late: int = 0
    fine: int = 0
    reckoning: FineReckoning | None = None
    loan_id: int | None = None  # the loan this check-in closed
    destination: str = ""
    note: str = ""
    hold: "holds.HoldFound | None" = None  # a waiting hold this copy can fill: the desk asks


@dataclass(frozen=True)
class RenewResult:
    loan_id: int
    barcode: str
    title: str
    old_due: date
    due: date
    renewals: int
    renewals_allowed: int
    fine: int = 0
    patron_name: str = ""
    due_note: str = ""  # why the due date is what it is, when the card's expiry decided it


def _today(now: datetime) -> date:
    return local_date(now, library_settings.settings().timezone)


def _local_due(loan: Loan) -> date:
    return _today(loan.due_at)


def _due_for(reader, rule, today: date) -> tuple[date, str, bool]:
    """The due date of a loan made or renewed today, a note when the card's expiry matters,
    and whether the date was cut back to the expiry.

    The rule's loan period, moved off closed days; a loan that would run past the card's
    expiry is cut back to the expiry day (or the open day before it), as established
    systems do (Koha's ReturnBeforeExpiry), unless the library keeps full loan periods
    (`due_past_card_expiry = "keep"`): then the note says the card expires first."""
    closed = rules.closed_days_ahead(today, rule.loan_days)
    due = due_date(today, rule.loan_days, closed)
    expires = reader.expires_on
    if due <= expires:
        return due, "", False
    if library_settings.settings().due_past_card_expiry == "keep":
        return due, f"the card expires before that, on {expires.isoformat()}", False
    cut = due_by_card_expiry(due, expires, today, closed)
    return cut, ("the card expires then" if cut == expires
                 else f"the card expires on {expires.isoformat()}, a closed day"), True


def find_item(raw: str) -> Item:
    """The copy this scan names, with its title and type; refusals for anything else."""
    scan = classify(raw, library_settings.settings().barcodes)
    if scan.kind is Kind.EMPTY:
        raise Refusal("Scan a book's barcode.")
    if scan.kind is Kind.INVALID:
        raise Refusal(scan.problem or f"{raw.strip()} is not a barcode.")
    if scan.kind is Kind.PATRON:
        raise CardScanned(scan.code)
    if scan.kind in (Kind.ISBN, Kind.SERIAL):
        raise Refusal(f"{scan.code} is the ISBN printed on the book; scan the library's barcode label.")
    item = scan_sql.item_by_barcode(scan.code)
    if item is None:
        if scan.kind is Kind.LEGACY and scan_sql.reader_by_card(scan.code) is not None:
            raise CardScanned(scan.code)
        raise NotFound(f"No copy has barcode {scan.code}: check the label or catalogue the copy.")
    return item


def _stamp(given: datetime | None) -> datetime:
    """The moment of a desk's write: the caller's, else the clock read once the rows are
    locked. Read before the lock, a desk that waited would stamp its write earlier than
    the loan another desk made meanwhile (returned before it was lent)."""
    return given or utc_now()


def checkout(actor: Staff, patron_id: int, raw_barcode: str, now: datetime | None = None,
             *, check_in_first: bool = False, lend_held: bool = False) -> CheckoutResult:
    """Lend the scanned copy to the reader.

    `check_in_first`: the copy is still on another reader's account (returned without
    being checked in); the clerk confirmed it should be checked in and lent on.
    `lend_held`: the copy waits for (or is wanted first by) another reader; the clerk
    confirmed it should be lent anyway (holds.WantedByAnother).
    """
    given = now
    access.require(actor, "lend books", access.CIRCULATION)
    item = find_item(raw_barcode)

    def work() -> CheckoutResult:
        # the reader's row is locked so two desks cannot both lend the last book of the limit
        reader = scan_sql.reader(patron_id, lock=True)
        if reader is None:
            raise NotFound("That reader no longer exists.")
        status = scan_sql.item_status(item.id)
        now = _stamp(given)
        returned_first = None
        if status == ItemStatus.CHECKED_OUT.value:
            loan = scan_sql.open_loan(item.id)
            if loan is not None and loan.patron_id == reader.id:
                raise Refusal(f"{item.title} is already on loan to {reader.name}, "
                              f"due {_local_due(loan).isoformat()}.")
            if loan is not None and not check_in_first:
                raise OnLoanElsewhere(f"{item.title} is still on loan to {loan.patron_name} "
                                      f"(due {_local_due(loan).isoformat()}).", item.barcode, loan.patron_name)
            returned_first = _return(actor, item, loan, now) if loan else None
            status = scan_sql.item_status(item.id)
        summary = patrons.summary(reader, now)
        if summary.blocks:
            raise Refusal(f"{reader.name} may not borrow: {summary.blocks[0]}")
        status = holds.at_checkout(actor, item, reader.id, status, now, lend_held)
        if ItemStatus(status) not in LENDABLE:
            raise Refusal(f"{item.title} ({item.barcode}) {NOT_LENDABLE_REASON[ItemStatus(status)]}.")
        if not item.loanable:
            raise Refusal(f"{item.title} is a {item.type_name.lower()} for use in the library only.")
        if summary.limit_reached:
            raise Refusal(f"{reader.name} already has {summary.limit_reached}.")
        rule = rules.rule_for(reader.category_id, item.item_type_id, item.location)
        due, due_note, _ = _due_for(reader, rule, _today(now))
        loan_id = scan_sql.insert_loan(item.id, reader.id, now,
                                      end_of_local_day_utc(due, library_settings.settings().timezone), actor.id)
        scan_sql.set_item_status(item.id, ItemStatus.CHECKED_OUT.value, now)
        audit.record(actor, "checkout", "loan", loan_id, now,
                     new={"item": item.barcode, "patron": reader.card, "due": due, "rule": rule.id,
                          **({"due_note": due_note} if due_note else {})})
        after = replace(summary, loans_out=summary.loans_out + 1,  # no second round of queries...
                        holds_ready=summary.holds_ready and scan_sql.holds_ready(reader.id))  # ...but this rare one
        return CheckoutResult(loan_id=loan_id, barcode=item.barcode, title=item.title,
                              call_number=item.call_number, due=due, patron=after,
                              returned_first=returned_first, due_note=due_note)

    return db.write(work)


def _return(actor: Staff, item: Item, loan: Loan, now: datetime) -> CheckinResult:
    """Close the loan, charge any overdue fine, put the copy back. Inside a transaction."""
    # a claims-returned loan stopped fining on the claim's day (services/losses.py)
    fine = charges.overdue_fine_at(loan, loan.category_id, item, now)
    due, reckoning = fine.due, fine.reckoning
    scan_sql.close_loan(loan.id, now, actor.id)
    if reckoning.amount > 0:
        scan_sql.insert_fee(loan.patron_id, loan.id, "overdue", reckoning.amount, now, actor.id,
                           f"{counted(reckoning.days_late, 'day')} late: {item.title}")
    scan_sql.set_item_status(item.id, ItemStatus.SHELVING_CART.value, now)  # shelved by scan or in time
    audit.record(actor, "checkin", "loan", loan.id, now, old={"returned_at": None},
                 new={"item": item.barcode, "patron": loan.patron_card, "returned_at": now,
                      "fine": reckoning.amount})
    return CheckinResult(barcode=item.barcode, title=item.title, call_number=item.call_number,
                         was_on_loan=True, patron_name=loan.patron_name, patron_card=loan.patron_card,
                         due=due, days_late=reckoning.days_late, fine=reckoning.amount,
                         reckoning=reckoning, destination=_shelf(item), loan_id=loan.id)


def _shelf(item: Item) -> str:
    """Where the copy goes next: its shelf, by location and call number."""
    return " ".join(p for p in (item.location, item.call_number) if p) or "shelf (no call number)"


def checkin(actor: Staff, raw_barcode: str, now: datetime | None = None) -> CheckinResult:
    """Take a returned copy back: close its loan, charge any fine, say where it goes."""
    given = now
    access.require(actor, "check books in", access.CIRCULATION)
    try:
        item = find_item(raw_barcode)
    except CardScanned as card:
        raise Refusal(f"{card.card} is a reader's card: scan the book's barcode to check it in.") from None

    def work() -> CheckinResult:
        status = ItemStatus(scan_sql.item_status(item.id))
        now = _stamp(given)
        if status is ItemStatus.WITHDRAWN:
            raise Refusal(f"{item.title} ({item.barcode}) has been withdrawn: set it aside for cataloguing.")
        loan = scan_sql.open_loan(item.id)
        if loan is not None:
            return _return(actor, item, loan, now)
        if status in (ItemStatus.LOST, ItemStatus.MISSING, ItemStatus.CLAIMS_RETURNED):
            scan_sql.set_item_status(item.id, ItemStatus.SHELVING_CART.value, now)
            audit.record(actor, "checkin.found", "item", item.id, now, old={"status": status.value},
                         new={"status": ItemStatus.SHELVING_CART.value})
            return CheckinResult(barcode=item.barcode, title=item.title, call_number=item.call_number,
                                 was_on_loan=False, destination=_shelf(item),
                                 note=f"Found: it was marked {status.value}."
                                 + (losses.found(actor, item.id, now) if status is ItemStatus.LOST else ""))
        if status is ItemStatus.IN_REPAIR:
            raise Refusal(f"{item.title} ({item.barcode}) is in repair, not on loan.")
        kept = holds.kept_for(item.id) if status is ItemStatus.ON_HOLD_SHELF else None
        if kept is not None:  # picked up from the hold shelf by mistake: say whose it is
            return CheckinResult(barcode=item.barcode, title=item.title, call_number=item.call_number,
                                 was_on_loan=False, destination="HOLD SHELF",
                                 note=f"Was not on loan: it waits on the hold shelf for {kept.patron_name} "
                                      f"({kept.patron_card}), {kept.where.removeprefix('on the hold shelf ')}; "
                                      f"put it back there.")
        return CheckinResult(barcode=item.barcode, title=item.title, call_number=item.call_number,
                             was_on_loan=False, destination=_shelf(item),
                             note=f"Was not on loan ({status.value}).")

    def work_and_holds() -> CheckinResult:
        result = work()
        found = holds.waiting_for(item)  # one indexed query; trapping waits for the clerk
        return replace(result, hold=found) if found else result

    return db.write(work_and_holds)


def renew(actor: Staff, raw_barcode: str, now: datetime | None = None,
          patron_id: int | None = None) -> RenewResult:
    """Renew the open loan of the scanned copy (optionally only if it is this reader's)."""
    access.require(actor, "renew loans", access.CIRCULATION)
    item = find_item(raw_barcode)
    return db.write(lambda: _renew(actor, item, now, patron_id))


def renew_loan(actor: Staff, loan_id: int, now: datetime | None = None) -> RenewResult:
    """Renew a loan picked on the reader's account."""
    access.require(actor, "renew loans", access.CIRCULATION)
    loan = Loan.get_or_none(Loan.id == loan_id)
    if loan is None:
        raise NotFound("That loan no longer exists.")
    item = scan_sql.item_by_id(loan.item_id)
    return db.write(lambda: _renew(actor, item, now, loan.patron_id))


def _renew(actor: Staff, item: Item, given: datetime | None, patron_id: int | None) -> RenewResult:
    # the reader's row before the loan's, in the order check-out takes them: the other
    # order let a renewal and a check-out of the same copy deadlock on PostgreSQL
    holder = db.execute("SELECT patron_id FROM loan WHERE item_id = ? AND returned_at IS NULL", item.id).fetchone()
    reader = scan_sql.reader(holder[0], lock=True) if holder else None
    loan = scan_sql.open_loan(item.id)
    now = _stamp(given)
    if loan is None:
        raise Refusal(f"{item.title} ({item.barcode}) is not on loan, so it cannot be renewed.")
    if patron_id is not None and loan.patron_id != patron_id:
        raise Refusal(f"{item.title} is on loan to {loan.patron_name}, not to this reader.")
    if loan.claimed_returned_at is not None:
        raise Refusal(f"{item.title} is claimed returned: check it in when found, or declare it lost.")
    if reader is None or reader.id != loan.patron_id:  # lent on to someone else in between
        reader = scan_sql.reader(loan.patron_id, lock=True)
    summary = patrons.summary(reader, now)
    if summary.blocks:
        raise Refusal(f"Cannot renew for {loan.patron_name}: {summary.blocks[0]}")
    rule = rules.rule_for(loan.category_id, item.item_type_id, item.location)
    if loan.renewals >= rule.renewals:
        raise Refusal(f"{item.title} has been renewed {counted(loan.renewals, 'time')}, the most allowed.")
    wanted = holds.renewal_refusal(item, loan.patron_id)
    if wanted:
        raise Refusal(wanted)
    old_due, today = _local_due(loan), _today(now)
    late = (today - old_due).days
    if late > rule.renew_overdue_days:
        raise Refusal(f"{item.title} is {counted(late, 'day')} overdue; it must be returned, not renewed.")
    due, due_note, cut = _due_for(reader, rule, today)
    if due <= old_due:
        why = (f": {loan.patron_name}'s card expires on {reader.expires_on.isoformat()}; renew the card first"
               if cut else "")
        raise Refusal(f"{item.title} is already due on {old_due.isoformat()}; renewing today would not extend it{why}.")
    fine = 0
    if late > 0:  # the fine so far is charged now, or the new due date would wipe it out
        fine = charges.overdue_fine_at(loan, loan.category_id, item, now, rule=rule).amount
        if fine:
            scan_sql.insert_fee(loan.patron_id, loan.id, "overdue", fine, now, actor.id,
                               f"{counted(late, 'day')} late at renewal: {item.title}")
    db.execute("UPDATE loan SET due_at = ?, renewals = renewals + 1 WHERE id = ?",
               end_of_local_day_utc(due, library_settings.settings().timezone), loan.id)
    audit.record(actor, "renew", "loan", loan.id, now, old={"due": old_due, "renewals": loan.renewals},
                 new={"due": due, "renewals": loan.renewals + 1, "fine": fine,
                      **({"due_note": due_note} if due_note else {})})
    return RenewResult(loan_id=loan.id, barcode=item.barcode, title=item.title, old_due=old_due,
                       due=due, renewals=loan.renewals + 1, renewals_allowed=rule.renewals, fine=fine,
                       patron_name=loan.patron_name, due_note=due_note)
