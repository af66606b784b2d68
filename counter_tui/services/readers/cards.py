"""Library cards: numbering, renewing, replacing a lost card, cancelling, and the history.

A card number is never handed out twice: a new one comes from the library's card series
(taken inside the caller's transaction, so a refused write burns no number) or is a
pre-printed card scanned in, and either must appear on no reader, past or present.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from peewee import JOIN

from counter_tui import db
from counter_tui.domain.barcodes import Kind, classify, library_barcode
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.domain.reader_fields import add_years
from counter_tui.models import CardEvent, Patron, PatronCategory, Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.circulation import scan_sql
from counter_tui.services.errors import NotFound, Refusal
from counter_tui.domain.plurals import counted

# The NumberSeries of card numbers (roster import takes its numbers from it too). The first
# card taken starts after the highest card of the series already printed (a demo library's).
SERIES = "card"
LIBRARY_CODE = "1234"  # after the reader prefix: this library's block of card numbers
OFFICE_ROLES = (access.OFFICE, access.CURATOR)
LOOKUP_ROLES = (access.CIRCULATION, access.OFFICE, access.CURATOR)
# what a card's number says when it is seen again after these events
RETIRED = ("reported lost", "replaced")


@dataclass(frozen=True)
class CardResult:
    patron_id: int
    name: str
    card: str
    expires_on: date
    status: str
    old_card: str = ""
    fee: int = 0  # minor units charged


@dataclass(frozen=True)
class CardLine:
    on: date
    kind: str
    card: str
    staff: str
    fee: int
    expires_on: date | None
    note: str


def today(now: datetime) -> date:
    return local_date(now, library_settings.settings().timezone)


def expiry_from(start: date, category: PatronCategory) -> date:
    return add_years(start, category.card_years)


# -- numbers ------------------------------------------------------------------------------

def series_prefix() -> str:
    return library_settings.settings().barcodes.patron_prefix + LIBRARY_CODE


def highest_in_use(prefix: str) -> int:
    """The highest number of the series on any card, current or old (a range scan of an index)."""
    rules = library_settings.settings().barcodes
    highest = 0
    for table in ("patron", "card_event"):
        row = db.execute(f"SELECT card FROM {table} WHERE card >= ? AND card < ? AND LENGTH(card) = ? "
                         "ORDER BY card DESC LIMIT 1", prefix, prefix + ":", rules.length).fetchone()
        if row:
            width = rules.length - len(prefix) - (1 if rules.check == "luhn" else 0)
            digits = row[0][len(prefix):len(prefix) + width]
            highest = max(highest, int(digits) if digits.isdigit() else 0)
    return highest


def in_use(code: str) -> str | None:
    """Why this card number may not be given out, or None when it is free."""
    owner = Patron.select(Patron.name).where(Patron.card == code).first()
    if owner is not None:
        return f"Card {code} already belongs to {owner.name}."
    old = (CardEvent.select(CardEvent.kind, Patron.name).join(Patron)
           .where(CardEvent.card == code).order_by(CardEvent.at.desc()).first())
    if old is not None:
        return f"Card {code} was {old.patron.name}'s card before; take a new card."
    return None


def next_card() -> str:
    """The next free number of the library's card series. Inside a write transaction."""
    prefix = series_prefix()
    if db.execute("SELECT last FROM number_series WHERE name = ?", SERIES).fetchone() is None:
        # first card of this database: start after every card already printed in the series
        db.execute("INSERT INTO number_series (name, last) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                   SERIES, highest_in_use(prefix))
    while True:
        number = db.execute("UPDATE number_series SET last = last + 1 WHERE name = ? RETURNING last",
                            SERIES).fetchone()[0]
        try:
            code = library_barcode(prefix, number, library_settings.settings().barcodes)
        except ValueError:
            raise Refusal("The library's card series is used up; scan a pre-printed card instead.",
                          field="card") from None
        if in_use(code) is None:  # a pre-printed card of the series may already be out
            return code


def scanned_card(raw: str) -> str:
    """A pre-printed card scanned in, as its barcode; a sentence when it is not a usable card."""
    scan = classify(raw, library_settings.settings().barcodes)
    if scan.kind is Kind.INVALID:
        raise Refusal(scan.problem or f"{raw.strip()[:20]} is not a barcode.", field="card")
    if scan.kind is not Kind.PATRON:
        raise Refusal(f"{scan.code[:20]} is not a reader's card: a card number has "
                      f"{library_settings.settings().barcodes.length} digits and starts with "
                      f"{library_settings.settings().barcodes.patron_prefix}.", field="card")
    return scan.code


def new_card(raw: str) -> str:
    """The scanned pre-printed card if one was given, else the series' next. Inside a write."""
    if not (raw or "").strip():
        return next_card()
    code = scanned_card(raw)
    problem = in_use(code)
    if problem:
        raise Refusal(problem, field="card")
    return code


# -- the reader's row, locked -------------------------------------------------------------

def locked_reader(patron_id: int) -> Patron:
    """The reader's row with its category, locked on PostgreSQL. Inside a write."""
    query = Patron.select(Patron, PatronCategory).join(PatronCategory).where(Patron.id == patron_id)
    patron = db.locked_for_update(query, Patron).first()
    if patron is None:
        raise NotFound("That reader no longer exists.")
    return patron


def _event(patron: Patron, kind: str, card: str, actor: Staff, now: datetime, *, fee: int = 0,
           expires_on: date | None = None, note: str = "") -> None:
    CardEvent.create(patron=patron.id, kind=kind, card=card, at=now, staff=actor.id, fee=fee,
                     expires_on=expires_on, note=note[:250])


def _refuse_cancelled(patron: Patron, doing: str) -> None:
    if patron.status == "cancelled":
        raise Refusal(f"{patron.name}'s card {patron.card} has been cancelled; it cannot be {doing}.")


# -- use cases ----------------------------------------------------------------------------

def renew(actor: Staff, patron_id: int, now: datetime | None = None) -> CardResult:
    """Extend the card by the category's years, from today or from the old expiry."""
    now = now or utc_now()
    access.require(actor, "renew library cards", *OFFICE_ROLES)

    def work() -> CardResult:
        patron = locked_reader(patron_id)
        _refuse_cancelled(patron, "renewed")
        if patron.status == "card lost":
            raise Refusal(f"{patron.name}'s card {patron.card} was reported lost: replace it instead.")
        old, day = patron.expires_on, today(now)
        # from the old expiry only while it is still ahead: a renewal never leaves a card expired
        start = old if patron.category.renew_from_expiry and old >= day else day
        expires = expiry_from(start, patron.category)
        if expires <= old:
            raise Refusal(f"{patron.name}'s card already runs until {old.isoformat()}; "
                          "renewing today would not extend it.")
        Patron.update(expires_on=expires).where(Patron.id == patron.id).execute()
        _event(patron, "renewed", patron.card, actor, now, expires_on=expires, note=f"was {old.isoformat()}")
        audit.record(actor, "card.renew", "patron", patron.id, now, old={"expires_on": old},
                     new={"expires_on": expires, "card": patron.card})
        return CardResult(patron.id, patron.name, patron.card, expires, patron.status)

    return db.write(work)


def report_lost(actor: Staff, patron_id: int, now: datetime | None = None) -> CardResult:
    """The reader says the card is lost: nobody may borrow on it until a new one is made."""
    now = now or utc_now()
    access.require(actor, "report library cards lost", *OFFICE_ROLES)

    def work() -> CardResult:
        patron = locked_reader(patron_id)
        _refuse_cancelled(patron, "reported lost")
        if patron.status == "card lost":
            raise Refusal(f"{patron.name}'s card {patron.card} is already reported lost.")
        _lose(actor, patron, now)
        return CardResult(patron.id, patron.name, patron.card, patron.expires_on, "card lost")

    return db.write(work)


def _lose(actor: Staff, patron: Patron, now: datetime) -> None:
    Patron.update(status="card lost").where(Patron.id == patron.id).execute()
    _event(patron, "reported lost", patron.card, actor, now)
    audit.record(actor, "card.report_lost", "patron", patron.id, now, old={"status": patron.status},
                 new={"status": "card lost", "card": patron.card})


def replace(actor: Staff, patron_id: int, card: str = "", lost: bool = True,
            now: datetime | None = None) -> CardResult:
    """A new card for the reader (scanned pre-printed or the next number) and the fee for it.

    The old number stays in the card's history, so it is refused if it is ever scanned
    again. `lost`: the old card is lost (not just worn or broken).
    """
    now = now or utc_now()
    access.require(actor, "replace library cards", *OFFICE_ROLES)

    def work() -> CardResult:
        patron = locked_reader(patron_id)
        _refuse_cancelled(patron, "replaced")
        code = new_card(card)
        old = patron.card
        if lost and patron.status != "card lost":
            _lose(actor, patron, now)
        fee = patron.category.card_fee
        status = "active" if patron.status in ("active", "card lost") else patron.status
        Patron.update(card=code, status=status).where(Patron.id == patron.id).execute()
        _event(patron, "replaced", old, actor, now, fee=fee,
               note=f"{'lost' if lost else 'worn or broken'}; new card {code}")
        _event(patron, "issued", code, actor, now, expires_on=patron.expires_on, note=f"replaces {old}")
        if fee:
            scan_sql.insert_fee(patron.id, None, "card", fee, now, actor.id, f"Replacement card {code} for {old}")
        audit.record(actor, "card.replace", "patron", patron.id, now, old={"card": old, "status": patron.status},
                     new={"card": code, "status": status, "fee": fee, "lost": lost})
        return CardResult(patron.id, patron.name, code, patron.expires_on, status, old_card=old, fee=fee)

    return db.write(work)


def cancel(actor: Staff, patron_id: int, confirmed: bool = False, now: datetime | None = None) -> CardResult:
    """Cancel the reader's card; while books or a balance remain, only once the clerk confirms."""
    now = now or utc_now()
    access.require(actor, "cancel library cards", *OFFICE_ROLES)

    def work() -> CardResult:
        patron = locked_reader(patron_id)
        if patron.status == "cancelled":
            raise Refusal(f"{patron.name}'s card {patron.card} is already cancelled.")
        out, _, owed, _ = scan_sql.standing(patron.id, now)
        if (out or owed) and not confirmed:
            raise Refusal(_outstanding(patron.name, out, owed))
        Patron.update(status="cancelled").where(Patron.id == patron.id).execute()
        note = f"{counted(out, 'book')} still out, balance {library_settings.money(owed)}" if out or owed else ""
        _event(patron, "cancelled", patron.card, actor, now, note=note)
        audit.record(actor, "card.cancel", "patron", patron.id, now, old={"status": patron.status},
                     new={"status": "cancelled", "card": patron.card, "loans_out": out, "balance": owed})
        return CardResult(patron.id, patron.name, patron.card, patron.expires_on, "cancelled")

    return db.write(work)


def cancel_question(actor: Staff, patron_id: int, now: datetime | None = None) -> str | None:
    """What cancelling would leave behind, as the question to put to the clerk; None if nothing."""
    access.require(actor, "cancel library cards", *OFFICE_ROLES)
    patron = Patron.get_or_none(Patron.id == patron_id)
    if patron is None:
        raise NotFound("That reader no longer exists.")
    out, _, owed, _ = scan_sql.standing(patron_id, now or utc_now())
    return _outstanding(patron.name, out, owed) if out or owed else None


def _outstanding(name: str, out: int, owed: int) -> str:
    what = []
    if out:
        what.append(f"has {counted(out, 'book')} on loan")
    if owed > 0:
        what.append(f"owes {library_settings.money(owed)}")
    elif owed < 0:
        what.append(f"is owed {library_settings.money(-owed)} by the library")
    standing = " and ".join(what)
    standing = "is still" + standing[2:] if standing.startswith("is ") else "still " + standing
    return (f"{name} {standing}. Cancel only once you have agreed with the reader what happens: the loans "
            "stay on the account and must still be returned, and the balance stays as it is.")


def history(actor: Staff, patron_id: int) -> tuple[CardLine, ...]:
    """Every card event of the reader, oldest first."""
    access.require(actor, "look readers up", *LOOKUP_ROLES)
    return history_lines(patron_id)


def history_lines(patron_id: int) -> tuple[CardLine, ...]:
    query = (CardEvent.select(CardEvent, Staff.full_name.alias("staff_name")).join(Staff, JOIN.LEFT_OUTER)
             .where(CardEvent.patron == patron_id).order_by(CardEvent.at, CardEvent.id).objects())
    return tuple(CardLine(on=today(e.at), kind=e.kind, card=e.card, staff=e.staff_name or "",
                          fee=e.fee, expires_on=e.expires_on, note=e.note) for e in query)


def retired_card_sentence(code: str) -> str | None:
    """What to say when an old card (reported lost or replaced) is scanned; None if it is not one."""
    events = list(CardEvent.select(CardEvent.kind, CardEvent.at, Patron.card).join(Patron)
                  .where(CardEvent.card == code, CardEvent.kind.in_(RETIRED), Patron.card != code)
                  .order_by(CardEvent.at))
    if not events:
        return None
    lost = next((e for e in events if e.kind == "reported lost"), None)
    when = today((lost or events[0]).at).isoformat()
    what = "reported lost" if lost else "replaced"
    return f"This card was {what} on {when}; the reader now has card {events[0].patron.card}."
