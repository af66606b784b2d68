"""The check-out receipt: the reader, the books just lent and their due dates."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from counter_tui import db
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.domain.slip_privacy import masked_card
from counter_tui.models import Staff
from counter_tui.services import access, library_settings
from counter_tui.services.printing import slips
from counter_tui.services.errors import Refusal


def checkout_receipt(actor: Staff, patron_id: int, loan_ids: Sequence[int],
                     now: datetime | None = None) -> slips.Delivered:
    """Print the receipt for these loans of one reader (the ones lent at the desk just now)."""
    now = now or utc_now()
    access.require(actor, "print check-out receipts", access.CIRCULATION)
    if not loan_ids:
        raise Refusal("Nothing has been lent to this reader at this desk yet: no receipt to print.")
    marks = ", ".join("?" * len(loan_ids))
    rows = db.execute(
        f"SELECT b.title, i.barcode, l.due_at, p.name, p.card FROM loan l JOIN item i ON i.id = l.item_id "
        f"JOIN biblio b ON b.id = i.biblio_id JOIN patron p ON p.id = l.patron_id "
        f"WHERE l.id IN ({marks}) AND l.patron_id = ? ORDER BY l.due_at, l.id", *loan_ids, patron_id).fetchall()
    if not rows:
        raise Refusal("Those loans are no longer this reader's: no receipt to print.")
    zone = library_settings.settings().timezone
    out_now, owed = db.execute(
        "SELECT (SELECT COUNT(*) FROM loan WHERE patron_id = ? AND returned_at IS NULL), "
        "(SELECT COALESCE(SUM(amount), 0) FROM fee WHERE patron_id = ?)", patron_id, patron_id).fetchone()
    lines = slips.header("Check-out receipt", now)
    # the reader takes it home, under their own name; receipts are left on counters, so the card is masked
    lines += slips.wrap(f"Reader: {rows[0][3]}") + [f"Card: {masked_card(rows[0][4])}", slips.rule()]
    for title, barcode, due_at, _, _ in rows:
        lines += slips.wrap(title)
        lines.append(slips.pair(f"  {barcode}", f"due {local_date(db.as_datetime(due_at), zone).isoformat()}"))
    lines += [slips.rule(), slips.pair("Lent now:", str(len(rows))), slips.pair("On loan in all:", str(out_now))]
    if owed > 0:
        lines.append(slips.pair("Owed:", library_settings.money(int(owed))))
    lines += ["", slips.center("Please keep this receipt.")]
    return slips.deliver("checkout receipt", lines, at=now)

