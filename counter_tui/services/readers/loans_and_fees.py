"""A reader's account: loans out, returned history, fees and the balance."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.models import Biblio, Fee, Item, Loan
from counter_tui.services import library_settings
from counter_tui.services.readers import patrons


@dataclass(frozen=True)
class LoanLine:
    loan_id: int
    barcode: str
    title: str
    call_number: str
    out_on: date
    due: date
    returned_on: date | None
    renewals: int
    overdue_days: int  # days past due today (open loans) or at return; 0 once claimed returned
    claimed_on: date | None = None  # the reader claims it was returned (services/losses.py)
    lost_on: date | None = None  # declared lost: the loan was closed then


@dataclass(frozen=True)
class FeeLine:
    fee_id: int
    on: date
    kind: str
    amount: int
    note: str


@dataclass(frozen=True)
class Account:
    patron: patrons.PatronSummary
    loans: tuple[LoanLine, ...]
    history: tuple[LoanLine, ...]
    fees: tuple[FeeLine, ...]

    @property
    def balance(self) -> int:
        return sum(f.amount for f in self.fees)


def _lines(query, today: date) -> tuple[LoanLine, ...]:
    tz = library_settings.settings().timezone
    lines = []
    for loan in query:
        due = local_date(loan.due_at, tz)
        returned = local_date(loan.returned_at, tz) if loan.returned_at else None
        claimed = local_date(loan.claimed_returned_at, tz) if loan.claimed_returned_at else None
        lines.append(LoanLine(loan_id=loan.id, barcode=loan.item.barcode, title=loan.item.biblio.title,
                              call_number=loan.item.call_number, out_on=local_date(loan.out_at, tz),
                              due=due, returned_on=returned, renewals=loan.renewals,
                              # a claims-returned loan no longer counts as overdue
                              overdue_days=0 if claimed and not returned
                              else max(0, ((returned or today) - due).days),
                              claimed_on=claimed, lost_on=local_date(loan.lost_at, tz) if loan.lost_at else None))
    return tuple(lines)


def account(patron_id: int, now: datetime | None = None, history_limit: int = 100) -> Account:
    """The reader's account as plain data. It checks no role: callers do
    (readers.reader_record allows the lookup roles and hides history from the others)."""
    now = now or utc_now()
    today = local_date(now, library_settings.settings().timezone)
    summary = patrons.summary(patron_id, now)
    base = Loan.select(Loan, Item, Biblio).join(Item).join(Biblio).where(Loan.patron == patron_id)
    loans = _lines(base.where(Loan.returned_at.is_null()).order_by(Loan.due_at), today)
    history = _lines(base.where(Loan.returned_at.is_null(False))
                     .order_by(Loan.returned_at.desc()).limit(history_limit), today)
    fees = tuple(FeeLine(fee_id=f.id, on=local_date(f.at, library_settings.settings().timezone), kind=f.kind,
                         amount=f.amount, note=f.note)
                 for f in Fee.select().where(Fee.patron == patron_id).order_by(Fee.at, Fee.id))
    return Account(patron=summary, loans=loans, history=history, fees=fees)
