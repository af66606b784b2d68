"""Lost books and claims returned.

Declaring a loan lost (`declare_lost`):
- closes the loan (returned_at and lost_at are the moment it was declared, staff_in the
  clerk), so the copy has no open loan and may be lent again once found; the copy's
  status becomes "lost";
- charges the replacement price (the copy's own price, else its item type's
  replacement price: charges.replacement_price) as a "lost" row and the item type's
  processing fee as a separate "processing" row, both tied to the loan;
- handles the overdue fine by the library's `lost_fine` setting: "keep" charges the
  fine due so far (reckoned as check-in would, by charges.overdue_fine_at), "waive"
  charges none. Fines charged earlier at renewal stay.

A lost copy that comes back is checked in as usual; check-in calls `found` in its own
transaction, which cancels the loan's charges by the `lost_refund` setting ("price": the
replacement price but not the processing fee; "all": both; "none": neither). The unpaid
part of each is cancelled by a waiver, the paid part by a refund (see services/payments):
a reader who had paid is then in credit, and any desk may hand the credit back.

Claims returned (`claim_returned`): the reader says the book came back but it was never
checked in. The loan stays open (the book is still not on the shelf) with who reported the
claim (the reader, unless someone else did: a parent, a teacher), the day it was reported
(today, or an earlier day typed when the report came in before it was recorded) and the
clerk who recorded it; the copy's status becomes "claims returned". From then on the loan
no longer counts as overdue and fines stop on the day reported: if the copy turns up at
check-in, the fine is reckoned to that day only. A claimed loan cannot be renewed; it can be declared
lost. A reader whose claims exceed the library's `claims_returned_limit` is warned about.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from counter_tui import db
from counter_tui.domain.calendar import end_of_local_day_utc, local_date, utc_now
from counter_tui.domain.item_status import ItemStatus, can_move
from counter_tui.domain.plurals import counted
from counter_tui.domain.text import clean
from counter_tui.models import Biblio, Fee, Item, ItemType, Loan, Patron, Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.circulation import charges, scan_sql
from counter_tui.services.fees import payments
from counter_tui.services.errors import NotFound, Refusal


@dataclass(frozen=True)
class LostQuote:
    """What declaring the loan lost would charge (shown before the clerk confirms)."""
    loan_id: int
    patron_id: int
    patron_name: str
    barcode: str
    title: str
    replacement: int
    processing: int
    fine: int  # the overdue fine that will be charged (0 when the policy waives it)
    fine_due: int  # the fine reckoned, whether or not it is charged
    fine_policy: str

    @property
    def total(self) -> int:
        return self.replacement + self.processing + self.fine

    def sentence(self) -> str:
        money = library_settings.money
        parts = [f"replacement {money(self.replacement)}"]
        if self.processing:
            parts.append(f"processing {money(self.processing)}")
        if self.fine:
            parts.append(f"overdue fine {money(self.fine)}")
        elif self.fine_due:
            parts.append(f"overdue fine {money(self.fine_due)} waived by policy")
        return (f"Declare {self.title} ({self.barcode}) lost by {self.patron_name}? "
                f"Charges {money(self.total)}: " + ", ".join(parts) + ".")


@dataclass(frozen=True)
class LostResult:
    quote: LostQuote
    balance: int


@dataclass(frozen=True)
class ClaimResult:
    loan_id: int
    title: str
    barcode: str
    patron_name: str
    claims: int  # the reader's claims returned so far, this one included
    limit: int
    warning: str  # empty unless the reader is past the library's limit
    reported_by: str = ""  # who said it came back
    reported_on: date | None = None  # the day they said so: the fine stops there

REPORTER_MAX = 100


def _loan(loan_id: int) -> Loan:
    loan = (Loan.select(Loan, Item, Biblio, ItemType, Patron).join(Item).join(Biblio)
            .switch(Item).join(ItemType).switch(Loan).join(Patron)
            .where(Loan.id == loan_id).first())
    if loan is None:
        raise NotFound("That loan no longer exists.")
    return loan


def _today(moment: datetime) -> date:
    return local_date(moment, library_settings.settings().timezone)


def _quote(loan: Loan, now: datetime) -> LostQuote:
    if loan.returned_at is not None:
        if loan.lost_at is not None:
            raise Refusal(f"{loan.item.biblio.title} was already declared lost on "
                          f"{_today(loan.lost_at).isoformat()}.")
        raise Refusal(f"{loan.item.biblio.title} was returned on {_today(loan.returned_at).isoformat()}; "
                      "only a book still on loan can be declared lost.")
    policy = library_settings.settings().lost_fine
    item = scan_sql.item_by_id(loan.item_id)
    fine_due = charges.overdue_fine_at(loan, loan.patron.category_id, item, now).amount  # to the claim's day if claimed
    return LostQuote(loan_id=loan.id, patron_id=loan.patron_id, patron_name=loan.patron.name,
                     barcode=loan.item.barcode, title=loan.item.biblio.title,
                     replacement=charges.replacement_price(item), processing=loan.item.item_type.processing_fee or 0,
                     fine=fine_due if policy == "keep" else 0, fine_due=fine_due, fine_policy=policy)


def lost_quote(actor: Staff, loan_id: int, now: datetime | None = None) -> LostQuote:
    """What declaring this loan lost would charge; refuses as `declare_lost` would."""
    now = now or utc_now()
    access.require(actor, "declare books lost", access.CIRCULATION)
    return _quote(_loan(loan_id), now)


def declare_lost(actor: Staff, loan_id: int, now: datetime | None = None) -> LostResult:
    """Close the loan as lost, charge the replacement price, the processing fee and the fine by policy."""
    now = now or utc_now()
    access.require(actor, "declare books lost", access.CIRCULATION)

    def work() -> LostResult:
        scan_sql.reader(_loan(loan_id).patron_id, lock=True)
        loan = _loan(loan_id)
        quote = _quote(loan, now)
        status = ItemStatus(scan_sql.item_status(loan.item_id))
        if not can_move(status, ItemStatus.LOST):
            raise Refusal(f"{quote.title} is {status.value}; it cannot be declared lost.")
        db.execute("UPDATE loan SET returned_at = ?, staff_in_id = ?, lost_at = ? WHERE id = ?",
                   now, actor.id, now, loan.id)
        scan_sql.set_item_status(loan.item_id, ItemStatus.LOST.value, now)
        what = f"{quote.title} ({quote.barcode})"
        for kind, amount, note in (("lost", quote.replacement, f"Lost: {what}"),
                                   ("processing", quote.processing, f"Processing fee, lost: {what}"),
                                   ("overdue", quote.fine, f"Overdue fine, declared lost: {what}")):
            if amount > 0:
                scan_sql.insert_fee(loan.patron_id, loan.id, kind, amount, now, actor.id, note)
        audit.record(actor, "loan.lost", "loan", loan.id, now,
                     old={"status": status.value, "returned_at": None},
                     new={"item": quote.barcode, "patron": loan.patron.card, "lost_at": now,
                          "replacement": quote.replacement, "processing": quote.processing,
                          "fine": quote.fine, "fine_policy": quote.fine_policy})
        return LostResult(quote=quote, balance=payments.statement(loan.patron_id).balance)

    return db.write(work)


def found(actor: Staff, item_id: int, now: datetime) -> str:
    """A lost copy came back: cancel its loan's charges by the `lost_refund` policy.

    Called by check-in inside its transaction; returns a sentence for the check-in line
    (empty when there was nothing to cancel). The policy decides, not the clerk, so no
    waiving role is needed."""
    loan = (Loan.select().where((Loan.item == item_id) & Loan.lost_at.is_null(False))
            .order_by(Loan.lost_at.desc(), Loan.id.desc()).first())
    policy = library_settings.settings().lost_refund
    kinds = {"price": ("lost",), "all": ("lost", "processing")}.get(policy, ())
    if loan is None or not kinds:
        return ""
    scan_sql.reader(loan.patron_id, lock=True)
    st = payments.statement(loan.patron_id)
    waived = refunded = 0
    for charge in st.charges:
        if charge.loan_id != loan.id or charge.kind not in kinds:
            continue
        for kind, amount in (("waiver", charge.owing), ("refund", charge.paid)):
            if amount > 0:
                fee = Fee.create(patron=loan.patron_id, loan=loan.id, kind=kind, amount=-amount, at=now,
                                 staff=actor.id, applies_to=charge.fee_id,
                                 note=f"Lost copy found (policy: {policy})")
                audit.record(actor, f"fee.{kind}", "fee", fee.id, now,
                             new={"charge": charge.fee_id, "amount": amount, "reason": "lost copy found"})
        waived += charge.owing
        refunded += charge.paid
    if not waived and not refunded:
        return ""
    after = payments.statement(loan.patron_id)
    money = library_settings.money
    parts = [f"{money(amount)} {what}" for amount, what in ((waived, "unpaid"), (refunded, "paid")) if amount]
    credit = f": {after.name} has {money(after.credit)} to collect on F5" if after.credit else ""
    return f" Lost charges cancelled ({', '.join(parts)}){credit}."


def claims_count(patron_id: int) -> int:
    """Every claim returned the reader has made (resolved or not), like Evergreen's count."""
    return Loan.select().where((Loan.patron == patron_id) & Loan.claimed_returned_at.is_null(False)).count()


def claims_warning(patron_id: int) -> str:
    """A sentence when the reader is past the library's limit of claims returned, else ""."""
    count, limit = claims_count(patron_id), library_settings.settings().claims_returned_limit
    if count <= limit:
        return ""
    return f"Has claimed {counted(count, 'book')} returned, more than the library's limit of {limit}."


def claim_returned(actor: Staff, loan_id: int, now: datetime | None = None, *,
                   reported_by: str = "", reported_on: date | None = None) -> ClaimResult:
    """Record the claim that the book came back: who reported it (`reported_by`; empty: the
    reader), the day they did (`reported_on`; None: today) and the clerk who records it.

    The fine stops on the day reported. A day still to come, or before the book was lent,
    is refused."""
    now = now or utc_now()
    access.require(actor, "record claims returned", access.CIRCULATION)
    reported_by = clean(reported_by)
    if len(reported_by) > REPORTER_MAX:
        raise Refusal(f"Who reported it: at most {REPORTER_MAX} characters, not {len(reported_by)}.",
                      field="reported_by")
    today = _today(now)
    reported_on = reported_on or today
    if reported_on > today:
        raise Refusal(f"{reported_on.isoformat()} is still to come: a claim is reported today or on a day before.",
                      field="reported_on")

    def work() -> ClaimResult:
        scan_sql.reader(_loan(loan_id).patron_id, lock=True)
        loan = _loan(loan_id)
        title = loan.item.biblio.title
        if loan.returned_at is not None:
            raise Refusal(f"{title} is not on loan any more; there is nothing to claim.")
        if loan.claimed_returned_at is not None:
            raise Refusal(f"{title} was already claimed returned on {_today(loan.claimed_returned_at).isoformat()}.")
        status = ItemStatus(scan_sql.item_status(loan.item_id))
        if not can_move(status, ItemStatus.CLAIMS_RETURNED):
            raise Refusal(f"{title} is {status.value}; it cannot be claimed returned.")
        lent_on = _today(loan.out_at)
        if reported_on < lent_on:
            raise Refusal(f"{title} was lent on {lent_on.isoformat()}; a claim that it came back cannot be "
                          f"reported on {reported_on.isoformat()}, before that.", field="reported_on")
        reporter = reported_by or loan.patron.name
        # the day reported, as a moment: now when that is today, else the end of that day
        at = now if reported_on == today else end_of_local_day_utc(reported_on, library_settings.settings().timezone)
        db.execute("UPDATE loan SET claimed_returned_at = ?, claimed_by_id = ?, claim_reported_by = ? WHERE id = ?",
                   at, actor.id, reporter, loan.id)
        scan_sql.set_item_status(loan.item_id, ItemStatus.CLAIMS_RETURNED.value, now)
        audit.record(actor, "loan.claimed_returned", "loan", loan.id, now,
                     old={"status": status.value}, new={"item": loan.item.barcode, "patron": loan.patron.card,
                                                        "claimed_returned_at": at, "reported_by": reporter,
                                                        "reported_on": reported_on})
        count = claims_count(loan.patron_id)
        limit = library_settings.settings().claims_returned_limit
        warning = (f"{loan.patron.name} has now claimed {counted(count, 'book')} returned, more than the library's "
                   f"limit of {limit}: refer the reader to the curator." if count > limit else "")
        return ClaimResult(loan_id=loan.id, title=title, barcode=loan.item.barcode, patron_name=loan.patron.name,
                           claims=count, limit=limit, warning=warning, reported_by=reporter,
                           reported_on=reported_on)

    return db.write(work)
