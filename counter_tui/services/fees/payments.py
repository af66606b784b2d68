"""Paying, waiving, refunding and paying out: the reader's fee ledger, and the fee receipt.

How the ledger is read (models.Fee; charges are positive, credits negative, nothing is
ever edited, the balance is always the sum of the rows):

- A **charge** (overdue, lost, processing, damage, card) is one positive row.
- A **payment** is one negative row for the whole amount taken. It is not split and not
  tied to a charge (applies_to stays empty). Which charges it paid is worked out, never
  stored: all the money the reader has handed over (payments less payouts) covers their
  charges oldest first (by date, then row number). Every screen, receipt and refund uses
  this one rule (`statement`), so they always agree with each other and with the sum.
  The same walk says which payments a charge's paid part came from (`Charge.paid_by`,
  oldest money first, a payout taking back the newest), for the fine explanation.
- A **waiver** forgives (part of) the unpaid part of one charge. It is tied to that
  charge (applies_to) and its note carries the reason. Only WAIVE_ROLES may waive.
- A **refund** takes back (part of) the paid part of one charge, tied to that charge.
  The money it frees covers the reader's other unpaid charges first; what is left is
  the reader's credit (a negative balance). Only WAIVE_ROLES may refund by hand; a lost
  copy that comes back is refunded by the library's policy at check-in (services/losses).
- A **payout** (positive row) is money handed back to a reader who is in credit; never
  more than the credit. Any desk that takes payments may pay out a credit the ledger shows.

So a charge's own total (its amount less its waivers and refunds) never drops below
zero, every waiver and refund names a charge of the same reader, and a payout never
exceeds the credit (services/check.py checks the first two).

Who may waive: the curator, who sets the fines policy (DESIGN.md section 2). A
circulation clerk takes payments and pays out credits but cannot forgive or refund.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from counter_tui import db
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.domain.text import clean
from counter_tui.models import Fee, Patron, Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.printing import slips
from counter_tui.services.errors import NotFound, Refusal

CHARGES = ("overdue", "lost", "damage", "card", "processing")
PINNED = ("waiver", "refund")  # credits tied to one charge
PAY_ROLES = (access.CIRCULATION, access.OFFICE, access.CURATOR)
WAIVE_ROLES = (access.CURATOR,)


@dataclass(frozen=True)
class PaidFrom:
    """Part of a payment that went to one charge."""
    fee_id: int  # the payment's ledger row
    on: date
    amount: int  # of that payment, to this charge
    payment: int  # the whole payment


@dataclass(frozen=True)
class Charge:
    fee_id: int
    on: date
    kind: str
    amount: int
    note: str
    loan_id: int | None
    waived: int  # positive amounts taken off by waivers
    refunded: int  # ... and by refunds
    paid: int  # covered by the reader's money, oldest charge first
    paid_by: tuple["PaidFrom", ...] = ()  # the payments that paid it, oldest money first

    @property
    def due(self) -> int:
        """What the charge still stands at after waivers and refunds."""
        return self.amount - self.waived - self.refunded

    @property
    def owing(self) -> int:
        return self.due - self.paid

    def label(self) -> str:
        return f"{self.on.isoformat()} {self.kind} {library_settings.money(self.amount)}" + (
            f": {self.note}" if self.note else "")


@dataclass(frozen=True)
class Statement:
    patron_id: int
    name: str
    card: str
    charges: tuple[Charge, ...]
    balance: int  # the sum of every row: owed when positive, the reader's credit when negative

    @property
    def credit(self) -> int:
        return max(0, -self.balance)

    def charge(self, fee_id: int) -> Charge | None:
        return next((c for c in self.charges if c.fee_id == fee_id), None)

    @property
    def owing(self) -> tuple[Charge, ...]:
        return tuple(c for c in self.charges if c.owing > 0)

    @property
    def paid(self) -> tuple[Charge, ...]:
        return tuple(c for c in self.charges if c.paid > 0)


@dataclass(frozen=True)
class Receipt:
    """What a payment, waiver, refund or payout did, for the screen; the slip went to `slip`."""
    kind: str  # payment, waiver, refund, payout
    amount: int
    balance: int  # after
    covered: tuple[tuple[str, int], ...]  # (charge label, amount) this money went to
    lines: tuple[str, ...]
    slip: slips.Delivered | None = None
    paid_out: int = 0  # a refund that left the reader in credit: the money handed back with it
    fee_id: int | None = None  # a payment's ledger row


def statement(patron_id: int) -> Statement:
    """The reader's charges with what is waived, refunded, paid and owing on each."""
    patron = Patron.get_or_none(Patron.id == patron_id)
    if patron is None:
        raise NotFound("That reader no longer exists.")
    rows = list(Fee.select().where(Fee.patron == patron_id).order_by(Fee.at, Fee.id))
    taken: dict[int, dict[str, int]] = defaultdict(lambda: {"waiver": 0, "refund": 0})
    pool = 0  # money from the reader not tied to a charge: payments less payouts
    tz = library_settings.settings().timezone
    money_in: list[list] = []  # [fee id, day, left, whole] of each payment still in the pool, oldest first
    handed_back = 0  # a payout beyond the money in so far (never, by the rules) comes off the next payment
    charges = []
    for row in rows:
        if row.kind in CHARGES:
            charges.append(row)
        elif row.kind in PINNED and row.applies_to_id is not None:
            taken[row.applies_to_id][row.kind] -= row.amount
        else:
            pool -= row.amount
            if row.amount < 0:
                left = -row.amount - handed_back
                handed_back = max(0, -left)
                if left > 0:
                    money_in.append([row.id, local_date(row.at, tz), left, -row.amount])
            else:  # a payout hands back the newest money first
                handed_back += row.amount
                while handed_back and money_in:
                    used = min(handed_back, money_in[-1][2])
                    money_in[-1][2] -= used
                    handed_back -= used
                    if not money_in[-1][2]:
                        money_in.pop()
    out = []
    for row in charges:
        waived, refunded = taken[row.id]["waiver"], taken[row.id]["refund"]
        due = row.amount - waived - refunded
        paid = max(0, min(due, pool))
        pool -= paid
        paid_by, need = [], paid
        while need and money_in:
            fee_id, on, left, whole = money_in[0]
            used = min(need, left)
            paid_by.append(PaidFrom(fee_id=fee_id, on=on, amount=used, payment=whole))
            need -= used
            money_in[0][2] -= used
            if not money_in[0][2]:
                money_in.pop(0)
        out.append(Charge(fee_id=row.id, on=local_date(row.at, tz), kind=row.kind, amount=row.amount,
                          note=row.note, loan_id=row.loan_id, waived=waived, refunded=refunded, paid=paid,
                          paid_by=tuple(paid_by)))
    return Statement(patron_id=patron_id, name=patron.name, card=patron.card, charges=tuple(out),
                     balance=sum(r.amount for r in rows))


def _lock(patron_id: int) -> Patron:
    patron = db.locked_for_update(Patron.select().where(Patron.id == patron_id), Patron).first()
    if patron is None:
        raise NotFound("That reader no longer exists.")
    return patron


def _covered(before: Statement, after: Statement) -> tuple[tuple[str, int], ...]:
    """Which charges the money between the two statements paid, oldest first."""
    was = {c.fee_id: c.paid for c in before.charges}
    return tuple((c.label(), c.paid - was.get(c.fee_id, 0)) for c in after.charges
                 if c.paid > was.get(c.fee_id, 0))


def _slip(title: str, actor: Staff, st: Statement, body: list[str], now: datetime) -> list[str]:
    lines = slips.header(title, now)
    name, card = slips.reader(st.name, st.card)  # receipts are left on counters
    lines += [slips.pair("Reader", name), slips.pair("Card", card), slips.rule()]
    lines += body
    lines += [slips.rule(), slips.pair("Balance now", library_settings.money(st.balance))]
    if st.credit:
        lines.append(slips.pair("In credit", library_settings.money(st.credit)))
    lines += [slips.pair("Served by", actor.full_name), ""]
    return lines


def _charge_lines(label: str, amount: int) -> list[str]:
    return slips.wrap(label) + [slips.pair("", library_settings.money(amount))]


def _deliver(receipt: Receipt, now: datetime) -> Receipt:
    from dataclasses import replace
    return replace(receipt, slip=slips.deliver("fee receipt", list(receipt.lines), at=now))


def _reason(reason: str | None, for_what: str) -> str:
    """The reason a waiver or refund gives, on one line; refused when there is none."""
    reason = clean(reason)
    if not reason:
        raise Refusal(f"Give the reason for {for_what}.", field="reason")
    return reason


def _charge_of(patron_id: int, fee_id: int):
    """The reader (locked) and one of their charges as the ledger stands. In a write."""
    patron = _lock(patron_id)
    charge = statement(patron_id).charge(fee_id)
    if charge is None:
        raise Refusal(f"That is not one of {patron.name}'s charges.", field="fee_id")
    return patron, charge


def _positive(amount: int | None, what: str) -> None:
    if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0):
        raise Refusal(f"{what} must be a positive amount.", field="amount")


def pay(actor: Staff, patron_id: int, amount: int | None = None, now: datetime | None = None,
        *, receipt: bool = True) -> Receipt:
    """Take `amount` (minor units; None: the whole balance) towards the reader's balance."""
    now = now or utc_now()
    access.require(actor, "take payments", *PAY_ROLES)
    _positive(amount, "A payment")

    def work() -> Receipt:
        patron = _lock(patron_id)
        before = statement(patron_id)
        take = before.balance if amount is None else amount
        if before.balance <= 0:
            raise Refusal(f"{patron.name} owes nothing, so there is nothing to pay.")
        if take > before.balance:
            raise Refusal(f"{patron.name} owes {library_settings.money(before.balance)}; a payment of "
                          f"{library_settings.money(take)} would be more than that.", field="amount")
        fee = Fee.create(patron=patron_id, kind="payment", amount=-take, at=now, staff=actor.id,
                         note="Paid at the desk")
        after = statement(patron_id)
        covered = _covered(before, after)
        audit.record(actor, "fee.pay", "fee", fee.id, now,
                     new={"patron": patron.card, "amount": take, "balance": after.balance})
        body = [line for label, part in covered for line in _charge_lines(label, part)]
        body += [slips.rule(), slips.pair("Paid", library_settings.money(take))]
        return Receipt(kind="payment", amount=take, balance=after.balance, covered=covered,
                       lines=tuple(_slip("Fee receipt", actor, after, body, now)), fee_id=fee.id)

    done = db.write(work)
    return _deliver(done, now) if receipt else done


def waive(actor: Staff, patron_id: int, fee_id: int, reason: str, amount: int | None = None,
          now: datetime | None = None) -> Receipt:
    """Forgive the unpaid part of one charge (or `amount` of it), with a reason."""
    now = now or utc_now()
    access.require(actor, "waive fees", *WAIVE_ROLES)
    reason = _reason(reason, "waiving the fee")
    _positive(amount, "A waiver")

    def work() -> Receipt:
        patron, charge = _charge_of(patron_id, fee_id)
        if charge.owing <= 0:
            hint = " refund it instead" if charge.paid else ""
            raise Refusal(f"Nothing of that {charge.kind} charge is unpaid;{hint or ' there is nothing to waive'}.",
                          field="fee_id")
        take = charge.owing if amount is None else amount
        if take > charge.owing:
            raise Refusal(f"Only {library_settings.money(charge.owing)} of that {charge.kind} charge is unpaid; "
                          f"{library_settings.money(take)} cannot be waived.", field="amount")
        body = _against(actor, patron, charge, fee_id, "waiver", "fee.waive", take, reason, now, "Waived")
        after = statement(patron_id)
        return Receipt(kind="waiver", amount=take, balance=after.balance, covered=((charge.label(), take),),
                       lines=tuple(_slip("Fee waived", actor, after, body, now)))

    return _deliver(db.write(work), now)


def _against(actor: Staff, patron: Patron, charge, fee_id: int, kind: str, action: str, take: int,
             reason: str, now: datetime, heading: str) -> list[str]:
    """A waiver or refund row against one charge, audited; returns the receipt's lines for it."""
    fee = Fee.create(patron=patron.id, loan=charge.loan_id, kind=kind, amount=-take, at=now,
                     staff=actor.id, note=reason[:250], applies_to=fee_id)
    audit.record(actor, action, "fee", fee.id, now,
                 new={"patron": patron.card, "charge": fee_id, "amount": take, "reason": reason})
    return (_charge_lines(charge.label(), charge.amount) + [slips.pair(heading, library_settings.money(take))]
            + slips.wrap(f"Reason: {reason}"))


def _pay_out(actor: Staff, patron: Patron, amount: int, now: datetime, note: str) -> int:
    fee = Fee.create(patron=patron.id, kind="payout", amount=amount, at=now, staff=actor.id, note=note[:250])
    audit.record(actor, "fee.payout", "fee", fee.id, now, new={"patron": patron.card, "amount": amount})
    return fee.id


def refund(actor: Staff, patron_id: int, fee_id: int, reason: str, amount: int | None = None,
           now: datetime | None = None, *, pay_out: bool = True) -> Receipt:
    """Take back the paid part of one charge (or `amount` of it), with a reason.

    The freed money covers the reader's other unpaid charges first; with `pay_out`, any
    credit left is handed back in the same transaction (a payout row)."""
    now = now or utc_now()
    access.require(actor, "refund fees", *WAIVE_ROLES)
    reason = _reason(reason, "the refund")
    _positive(amount, "A refund")

    def work() -> Receipt:
        patron, charge = _charge_of(patron_id, fee_id)
        if charge.paid <= 0:
            hint = " waive it instead" if charge.owing else " there is nothing to refund"
            raise Refusal(f"Nothing of that {charge.kind} charge has been paid;{hint}.", field="fee_id")
        take = charge.paid if amount is None else amount
        if take > charge.paid:
            raise Refusal(f"Only {library_settings.money(charge.paid)} of that {charge.kind} charge was paid; "
                          f"{library_settings.money(take)} cannot be refunded.", field="amount")
        body = _against(actor, patron, charge, fee_id, "refund", "fee.refund", take, reason, now, "Refunded")
        after = statement(patron_id)
        paid_out = 0
        if pay_out and after.credit:
            paid_out = after.credit
            _pay_out(actor, patron, paid_out, now, f"Refund handed back: {reason}")
            after = statement(patron_id)
        if paid_out:
            body.append(slips.pair("Handed back", library_settings.money(paid_out)))
        return Receipt(kind="refund", amount=take, balance=after.balance, covered=((charge.label(), take),),
                       lines=tuple(_slip("Fee refund", actor, after, body, now)), paid_out=paid_out)

    return _deliver(db.write(work), now)


def pay_out(actor: Staff, patron_id: int, amount: int | None = None, now: datetime | None = None) -> Receipt:
    """Hand back money to a reader in credit (None: all of the credit)."""
    now = now or utc_now()
    access.require(actor, "pay money back", *PAY_ROLES)
    _positive(amount, "A payout")

    def work() -> Receipt:
        patron = _lock(patron_id)
        before = statement(patron_id)
        if before.credit <= 0:
            raise Refusal(f"{patron.name} is not in credit, so there is nothing to hand back.")
        take = before.credit if amount is None else amount
        if take > before.credit:
            raise Refusal(f"{patron.name} is in credit by {library_settings.money(before.credit)}; "
                          f"{library_settings.money(take)} would be more than that.", field="amount")
        _pay_out(actor, patron, take, now, "Credit handed back")
        after = statement(patron_id)
        body = [slips.pair("Handed back", library_settings.money(take))]
        return Receipt(kind="payout", amount=take, balance=after.balance, covered=(),
                       lines=tuple(_slip("Credit paid out", actor, after, body, now)))

    return _deliver(db.write(work), now)
