"""Paying fees: the ledger gains a credit row; nothing is edited in place.

The plain entry point kept for scripts and older callers; the desk uses
services/payments.py (receipts, waivers, refunds, payouts), which reads the same rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.models import Fee, Patron, Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.readers import patrons
from counter_tui.services.errors import NotFound, Refusal


@dataclass(frozen=True)
class Payment:
    fee_id: int
    amount: int
    balance: int  # owed after the payment


def pay(actor: Staff, patron_id: int, amount: int, now: datetime | None = None) -> Payment:
    """Take `amount` (minor units) towards the reader's balance; never more than is owed."""
    now = now or utc_now()
    access.require(actor, "take payments", access.CIRCULATION, access.OFFICE)
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise Refusal("A payment must be a positive amount.")

    def work() -> Payment:
        # lock the reader so two desks cannot both take the last of a balance
        patron = db.locked_for_update(Patron.select().where(Patron.id == patron_id), Patron).first()
        if patron is None:
            raise NotFound("That reader no longer exists.")
        owed = patrons.balance(patron_id)
        if amount > owed:
            raise Refusal(f"{patron.name} owes {library_settings.money(owed)}; a payment of "
                          f"{library_settings.money(amount)} would be more than that.")
        fee = Fee.create(patron=patron_id, kind="payment", amount=-amount, at=now, staff=actor.id)
        audit.record(actor, "fee.pay", "fee", fee.id, now, new={"patron": patron.card, "amount": amount})
        return Payment(fee_id=fee.id, amount=amount, balance=owed - amount)

    return db.write(work)
