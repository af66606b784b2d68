"""Finding readers and reading their standing at the desk."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from peewee import fn

from counter_tui.domain.barcodes import Kind, classify
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.domain.plurals import counted
from counter_tui.models import Fee, Patron
from counter_tui.services import library_settings
from counter_tui.services.circulation import scan_sql
from counter_tui.services.readers import reader_search
from counter_tui.services.errors import NotFound, Refusal


@dataclass(frozen=True)
class PatronSummary:
    """What the reader panel shows; plain data, safe to hand to a screen."""
    id: int
    card: str
    name: str
    category: str
    department: str
    expires_on: date
    loans_out: int
    loan_limit: int
    overdue: int
    balance: int  # minor units owed
    blocks: tuple[str, ...]
    holds_ready: int = 0  # copies waiting for them on the hold shelf: the desk fetches them

    @property
    def blocked(self) -> bool:
        return bool(self.blocks)

    @property
    def limit_reached(self) -> str:
        """Why the reader may borrow no more: "5 books out, the limit for the Student category",
        or "" while they may.

        Not a block: they may still renew, place holds and return books."""
        if self.loans_out < self.loan_limit:
            return ""
        return f"{counted(self.loans_out, 'book')} out, the limit for the {self.category} category"


@dataclass(frozen=True)
class PatronMatch:
    id: int
    card: str
    name: str
    category: str
    department: str


def find_by_card(raw: str) -> Patron:
    """The reader whose card this is (with their category's limits); a sentence when none."""
    scan = classify(raw, library_settings.settings().barcodes)
    if scan.kind is Kind.INVALID:
        raise Refusal(scan.problem or f"{raw.strip()} is not a barcode.")
    if scan.kind is Kind.EMPTY:
        raise Refusal("Scan a reader's card or type part of a name.")
    if scan.kind is Kind.ITEM:
        raise Refusal(f"{scan.code} is a book's barcode; scan the reader's card first.")
    if scan.kind in (Kind.ISBN, Kind.SERIAL):
        raise Refusal(f"{scan.code} is the ISBN printed on a book; scan the reader's card first.")
    patron = scan_sql.reader_by_card(scan.code)
    if patron is None:
        from counter_tui.services.readers.cards import retired_card_sentence  # cards imports this module
        old = retired_card_sentence(scan.code)
        if old:
            raise Refusal(old)
        raise NotFound(f"No reader has card {scan.code}.")
    return patron


def search(text: str, limit: int = 50) -> list[PatronMatch]:
    """Readers whose name starts with (or, failing that, contains) `text`."""
    return [PatronMatch(id=r.id, card=r.card, name=r.name, department=r.department, category=r.category)
            for r in reader_search.name_matches(text, limit)]


def balance(patron_id: int) -> int:
    return Fee.select(fn.COALESCE(fn.SUM(Fee.amount), 0)).where(Fee.patron == patron_id).scalar()


def blocks_for(reader: Patron, owed: int, overdue: int, today: date) -> tuple[str, ...]:
    """Every reason this reader may not borrow today, computed in one place.

    `reader` comes from scan_sql.reader: it carries its category's limits.
    """
    reasons = []
    if reader.status == "blocked":
        until = reader.block_until
        if until is None or today <= until:  # the block's last day still blocks
            when = f" until {until.isoformat()}" if until else ""
            reasons.append(f"Blocked{when}: {reader.block_reason or 'no reason given'}.")
    elif reader.status == "card lost":
        reasons.append("This card was reported lost.")
    elif reader.status == "cancelled":
        reasons.append("This card has been cancelled.")
    if reader.expires_on < today:
        reasons.append(f"The card expired on {reader.expires_on.isoformat()}.")
    if owed > reader.max_fees:
        reasons.append(f"Owes {library_settings.money(owed)}, over the limit of {library_settings.money(reader.max_fees)}.")
    if reader.max_overdue and overdue >= reader.max_overdue:
        reasons.append(f"Has {overdue} overdue books (the limit is {reader.max_overdue - 1}).")
    return tuple(reasons)


def summary(reader: Patron | int, now: datetime | None = None) -> PatronSummary:
    """The reader panel's facts. `reader`: a row from scan_sql.reader, or a reader's id."""
    now = now or utc_now()
    if isinstance(reader, int):
        reader = scan_sql.reader(reader)
        if reader is None:
            raise NotFound("That reader no longer exists.")
    out, overdue, owed, ready = scan_sql.standing(reader.id, now)
    today = local_date(now, library_settings.settings().timezone)
    return PatronSummary(
        id=reader.id, card=reader.card, name=reader.name, category=reader.category_name,
        department=reader.department, expires_on=reader.expires_on, loans_out=out,
        loan_limit=reader.loan_limit, overdue=overdue, balance=owed,
        blocks=blocks_for(reader, owed, overdue, today), holds_ready=ready,
    )
