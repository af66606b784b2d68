"""Readers: registering and editing them, manual blocks, and a reader's whole record.

The office (and the curator) register and change readers; circulation staff may only
look them up. A reader's past loans are private: only the posts that need them (the
circulation desk and the office) see them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

import peewee

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.domain.reader_fields import ReaderFields, clean
from counter_tui.models import CardEvent, Patron, PatronCategory, Staff
from counter_tui.services import access, audit
from counter_tui.services.readers import cards, loans_and_fees, patrons
from counter_tui.services.circulation import holds
from counter_tui.services.errors import NotFound, Refusal
# The search is written in reader_search; it is part of what this module offers.
from counter_tui.services.readers.reader_search import Cursor, Page, ReaderRow, search_page  # noqa: F401

OFFICE_ROLES = (access.OFFICE, access.CURATOR)
LOOKUP_ROLES = (access.CIRCULATION, access.OFFICE, access.CURATOR)
HISTORY_ROLES = (access.CIRCULATION, access.OFFICE)  # who may see what a reader has read
HISTORY_HIDDEN = "Past loans are shown only to circulation and office staff."
FIELDS = ("name", "category", "department", "id_number", "phone", "email", "notes")


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    card_years: int
    card_fee: int


@dataclass(frozen=True)
class ReaderDetails:
    id: int
    card: str
    name: str
    category: str  # code
    category_name: str
    department: str
    id_number: str
    phone: str
    email: str
    notes: str
    expires_on: date
    status: str
    block_reason: str
    block_until: date | None

    def fields(self) -> ReaderFields:
        """What the edit form starts from."""
        return ReaderFields(name=self.name, category=self.category, department=self.department,
                            id_number=self.id_number, phone=self.phone, email=self.email, notes=self.notes)


@dataclass(frozen=True)
class ReaderRecord:
    details: ReaderDetails
    summary: patrons.PatronSummary  # the panel: loans out, overdue, balance, blocks
    loans: tuple[loans_and_fees.LoanLine, ...]
    history: tuple[loans_and_fees.LoanLine, ...] | None  # None: this member of staff may not see it
    fees: tuple[loans_and_fees.FeeLine, ...]
    cards: tuple[cards.CardLine, ...]
    holds: tuple[holds.HoldRow, ...] = ()  # open holds, with the place in each queue (circulation only)

    @property
    def balance(self) -> int:
        return sum(f.amount for f in self.fees)


def categories() -> list[Category]:
    return [Category(c.code, c.name, c.card_years, c.card_fee)
            for c in PatronCategory.select().order_by(PatronCategory.name)]


def details(patron_id: int) -> ReaderDetails:
    row = Patron.select(Patron, PatronCategory).join(PatronCategory).where(Patron.id == patron_id).first()
    if row is None:
        raise NotFound("That reader no longer exists.")
    return _details(row)


def _details(p: Patron) -> ReaderDetails:
    return ReaderDetails(id=p.id, card=p.card, name=p.name, category=p.category.code,
                         category_name=p.category.name, department=p.department, id_number=p.id_number or "",
                         phone=p.phone, email=p.email, notes=p.notes, expires_on=p.expires_on,
                         status=p.status, block_reason=p.block_reason, block_until=p.block_until)


def reader_record(actor: Staff | None, patron_id: int, now: datetime | None = None) -> ReaderRecord:
    """Everything about one reader; past loans only for the posts that need them."""
    access.require(actor, "look readers up", *LOOKUP_ROLES)
    acc = loans_and_fees.account(patron_id, now)
    return ReaderRecord(details=details(patron_id), summary=acc.patron, loans=acc.loans,
                        history=acc.history if access.allowed(actor, *HISTORY_ROLES) else None,
                        fees=acc.fees, cards=cards.history_lines(patron_id),
                        holds=tuple(holds.reader_holds(actor, patron_id))
                        if access.allowed(actor, access.CIRCULATION) else ())


# -- registering and editing -----------------------------------------------------------------

def _checked(fields: ReaderFields, patron_id: int | None = None) -> tuple[ReaderFields, PatronCategory]:
    """The cleaned fields and their category; a sentence for the first problem. Inside a write."""
    try:
        fields = clean(fields)
    except ValueError as problem:
        raise Refusal(str(problem), field=getattr(problem, "field", None)) from None
    category = PatronCategory.get_or_none(PatronCategory.code == fields.category)
    if category is None:
        known = ", ".join(c.code for c in PatronCategory.select().order_by(PatronCategory.code))
        raise Refusal(f"There is no reader category {fields.category[:20]!r}; the categories are {known}.",
                      field="category")
    if fields.id_number:
        other = Patron.select(Patron.id, Patron.name).where(Patron.id_number == fields.id_number).first()
        if other is not None and other.id != patron_id:
            raise Refusal(f"Identity number {fields.id_number} is already {other.name}'s.", field="id_number")
    return fields, category


def _stored(fields: ReaderFields, category: PatronCategory) -> dict:
    return {"name": fields.name, "category": category.id, "department": fields.department,
            "id_number": fields.id_number or None, "phone": fields.phone, "email": fields.email,
            "notes": fields.notes}


def _write(work, taken: str):
    """Run a write; a unique number taken by another desk a moment ago is a sentence, not a crash."""
    try:
        return db.write(work)
    except peewee.IntegrityError:
        raise Refusal(f"{taken} was taken at another desk a moment ago; nothing was saved. Try again.") from None


def register(actor: Staff, fields: ReaderFields, card: str = "", now: datetime | None = None) -> ReaderDetails:
    """A new reader with a card: the pre-printed `card` scanned in, else the next number."""
    now = now or utc_now()
    access.require(actor, "register readers", *OFFICE_ROLES)

    def work() -> ReaderDetails:
        clean_fields, category = _checked(fields)
        code = cards.new_card(card)
        expires = cards.expiry_from(cards.today(now), category)
        patron = Patron.create(card=code, expires_on=expires, status="active", created_at=now,
                               **_stored(clean_fields, category))
        CardEvent.create(patron=patron.id, kind="issued", card=code, at=now, staff=actor.id,
                               expires_on=expires)
        audit.record(actor, "reader.register", "patron", patron.id, now,
                     new={**asdict(clean_fields), "card": code, "expires_on": expires})
        return details(patron.id)

    return _write(work, "That card or identity number")


def edit(actor: Staff, patron_id: int, fields: ReaderFields, now: datetime | None = None) -> ReaderDetails:
    """Change a reader's details; the audit event keeps the old and new values of what changed."""
    now = now or utc_now()
    access.require(actor, "change readers' details", *OFFICE_ROLES)

    def work() -> ReaderDetails:
        before = _details(cards.locked_reader(patron_id))
        clean_fields, category = _checked(fields, patron_id)
        old = asdict(before.fields())
        new = asdict(clean_fields)
        changed = [k for k in FIELDS if old[k] != new[k]]
        if changed:
            Patron.update(**_stored(clean_fields, category)).where(Patron.id == patron_id).execute()
            audit.record(actor, "reader.edit", "patron", patron_id, now,
                         old={k: old[k] for k in changed}, new={k: new[k] for k in changed})
        return details(patron_id)

    return _write(work, "That identity number")


# -- manual blocks ---------------------------------------------------------------------------

def block(actor: Staff, patron_id: int, reason: str, until: date | None = None,
          now: datetime | None = None) -> ReaderDetails:
    """Stop a reader borrowing, for a reason, until the end of `until` (or until lifted)."""
    now = now or utc_now()
    access.require(actor, "block readers", *OFFICE_ROLES)
    reason = " ".join((reason or "").split())
    if not reason:
        raise Refusal("Say why the reader is blocked.", field="reason")
    if len(reason) > 200 or not reason.isprintable():
        raise Refusal("The reason must be one line of at most 200 ordinary characters.", field="reason")
    today = cards.today(now)
    if until is not None and until < today:
        raise Refusal(f"{until.isoformat()} has already passed; give a later last day, "
                      "or none to block until the block is lifted.", field="until")

    def work() -> ReaderDetails:
        patron = cards.locked_reader(patron_id)
        if patron.status in ("cancelled", "card lost"):
            what = "cancelled" if patron.status == "cancelled" else "reported lost"
            raise Refusal(f"{patron.name}'s card is {what}, which already stops all borrowing.")
        Patron.update(status="blocked", block_reason=reason, block_until=until).where(
            Patron.id == patron_id).execute()
        audit.record(actor, "reader.block", "patron", patron_id, now,
                     old={"status": patron.status, "block_reason": patron.block_reason,
                          "block_until": patron.block_until},
                     new={"status": "blocked", "block_reason": reason, "block_until": until})
        return details(patron_id)

    return db.write(work)


def unblock(actor: Staff, patron_id: int, now: datetime | None = None) -> ReaderDetails:
    """Lift a manual block."""
    now = now or utc_now()
    access.require(actor, "lift blocks", *OFFICE_ROLES)

    def work() -> ReaderDetails:
        patron = cards.locked_reader(patron_id)
        if patron.status != "blocked":
            raise Refusal(f"{patron.name} is not blocked by hand; nothing to lift.")
        Patron.update(status="active", block_reason="", block_until=None).where(Patron.id == patron_id).execute()
        audit.record(actor, "reader.unblock", "patron", patron_id, now,
                     old={"status": "blocked", "block_reason": patron.block_reason,
                          "block_until": patron.block_until},
                     new={"status": "active"})
        return details(patron_id)

    return db.write(work)
