"""The shelving cart and in-house use.

A returned copy goes onto the shelving cart (check-in sets "shelving cart" and the time).
It becomes "available" in one of two ways:

- a **shelving scan**: the shelver scans each copy as it goes back on the shelf;
- **time**: `settings().shelving_minutes` after it was put on the cart (0 turns this off,
  leaving only the scan). No daemon runs: a copy on the cart for longer than that *counts*
  as available wherever a status is shown (`shown_status`, `AVAILABLE_SQL`), and `sweep`
  writes the change for all of them at once (run by `counter-tui shelve --expired`, by cron
  if the library wishes, and by the shelving screen when it opens and on its sweep key).
  The desk can lend from the cart anyway (LENDABLE), so nothing waits for the sweep.

In-house use: a copy read in the library and left on a table is scanned once; that counts
a use (no loan, no reader) and puts the copy on the cart, since it is off its shelf. The
same copy scanned again at the same desk within SAME_USE_MINUTES is that same use (a
double scan, a book picked up twice from one table): "already counted", nothing written.

Scan-path functions use plain SQL like the rest of the desk (see db.sql).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.domain.item_status import ItemStatus, can_move
from counter_tui.models import Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.circulation import scan_sql
from counter_tui.services.circulation.holds import HoldFound, waiting_for
from counter_tui.services.errors import CardScanned, Refusal

CART = ItemStatus.SHELVING_CART.value
AVAILABLE = ItemStatus.AVAILABLE.value
# A copy scanned for in-house use again at the same desk within this many minutes is the
# same use: no reader reads a book, leaves it, and has it picked up again that quickly.
SAME_USE_MINUTES = 15

# A WHERE condition (item aliased i) true for copies a reader can find on the shelf: the
# available ones and those on the cart past the shelving time. Its one parameter is
# `cart_cutoff(now)` (a copy put on the cart at or before it counts as shelved).
AVAILABLE_SQL = ("(i.status = 'available' OR (i.status = 'shelving cart' AND "
                 "(i.status_since IS NULL OR i.status_since <= ?)))")


@dataclass(frozen=True)
class ShelvedCopy:
    barcode: str
    title: str
    shelf: str  # location and call number
    was: str  # the status it had before the scan
    note: str = ""
    hold: HoldFound | None = None  # a hold this copy can fill: not shelved, the shelver is asked


@dataclass(frozen=True)
class InHouseUseResult:
    barcode: str
    title: str
    shelf: str
    uses_today: int  # in-house uses of this copy counted today (local day), this one included
    to_cart: bool  # the scan moved it onto the cart
    already_counted_at: datetime | None = None  # scanned here moments ago: the same use, not counted again


@dataclass(frozen=True)
class CartCopy:
    id: int
    barcode: str
    title: str
    location: str
    call_number: str
    since: datetime | None
    counts_as_shelved: bool  # on the cart longer than the shelving time


def cart_cutoff(now: datetime) -> datetime:
    """Copies put on the cart at or before this count as shelved. With shelving_minutes 0
    (only a scan shelves) the cutoff lies before any real time."""
    minutes = library_settings.settings().shelving_minutes
    if minutes <= 0:
        return datetime(1900, 1, 1)
    return now - timedelta(minutes=minutes)


def shown_status(status: str, since: datetime | None, now: datetime | None = None) -> str:
    """The status a reader or clerk should be told: a copy on the cart longer than the
    shelving time is back on its shelf, even before a sweep writes it down."""
    if status != CART:
        return status
    minutes = library_settings.settings().shelving_minutes
    if minutes <= 0:
        return status
    if since is None or db.as_datetime(since) <= (now or utc_now()) - timedelta(minutes=minutes):
        return AVAILABLE
    return status


def _shelf(item) -> str:
    return " ".join(p for p in (item.location, item.call_number) if p) or "shelf (no call number)"


def _find(raw: str, doing: str):
    from counter_tui.services.circulation.lending import find_item  # circulation imports nothing from here
    try:
        return find_item(raw)
    except CardScanned as card:
        raise Refusal(f"{card.card} is a reader's card: scan the book's barcode to {doing}.") from None


def _not_for_shelf(item, status: ItemStatus, doing: str) -> Refusal:
    """Why a copy in this status does not go back on the shelf by a scan here."""
    named = f"{item.title} ({item.barcode})"
    if status is ItemStatus.CHECKED_OUT:
        loan = scan_sql.open_loan(item.id)
        who = f" to {loan.patron_name}" if loan is not None else ""
        return Refusal(f"{named} is still on loan{who}: check it in first (F3), then {doing}.")
    if status in (ItemStatus.LOST, ItemStatus.MISSING, ItemStatus.CLAIMS_RETURNED):
        return Refusal(f"{named} is marked {status.value}: check it in (F3) so it is recorded as found.")
    if status is ItemStatus.ON_HOLD_SHELF:
        return Refusal(f"{named} is waiting for a reader: it belongs on the hold shelf, not in the stacks.")
    if status is ItemStatus.IN_TRANSIT:
        return Refusal(f"{named} is in transit: receive it at its library first.")
    if status is ItemStatus.IN_REPAIR:
        return Refusal(f"{named} is in repair: put it on the repair shelf (mark it repaired in the repair queue).")
    if status is ItemStatus.WITHDRAWN:
        return Refusal(f"{named} has been withdrawn: set it aside for cataloguing.")
    if status is ItemStatus.IN_PROCESSING:
        return Refusal(f"{named} is still being catalogued: send it back to cataloguing.")
    return Refusal(f"{named} is {status.value}.")


def shelve(actor: Staff, raw_barcode: str, now: datetime | None = None, *,
           despite_hold: bool = False) -> ShelvedCopy:
    """A shelving scan: the copy is back on its shelf, available to readers.

    A copy a waiting hold can fill is not shelved: the result names the hold, and the
    shelver puts it on the hold shelf (holds.trap) or, `despite_hold`, shelves it anyway.
    """
    now = now or utc_now()
    access.require(actor, "shelve books", access.CIRCULATION)
    item = _find(raw_barcode, "shelve it")

    def work() -> ShelvedCopy:
        status = ItemStatus(scan_sql.item_status(item.id))
        found = None if despite_hold else waiting_for(item)
        if found is not None:
            return ShelvedCopy(item.barcode, item.title, _shelf(item), status.value,
                               note=f"a hold waits: {found.patron_name} ({found.patron_card})", hold=found)
        if status is ItemStatus.AVAILABLE:
            db.execute("UPDATE item SET last_seen = ? WHERE id = ?", now, item.id)
            return ShelvedCopy(item.barcode, item.title, _shelf(item), status.value,
                               note="was already shown as on the shelf")
        if status is not ItemStatus.SHELVING_CART:
            raise _not_for_shelf(item, status, "shelve it")
        db.execute("UPDATE item SET status = ?, status_since = ?, last_seen = ? WHERE id = ?",
                   AVAILABLE, now, now, item.id)
        audit.record(actor, "shelve", "item", item.id, now, old={"status": CART}, new={"status": AVAILABLE})
        return ShelvedCopy(item.barcode, item.title, _shelf(item), status.value)

    return db.write(work)


def in_house_use(actor: Staff, raw_barcode: str, now: datetime | None = None) -> InHouseUseResult:
    """Count one in-house use of the scanned copy (read in the library, not lent).

    Scanned again at this desk within SAME_USE_MINUTES of its last count: the same use,
    nothing written, and the result says when it was counted (`already_counted_at`)."""
    now = now or utc_now()
    desk = library_settings.settings().desk
    access.require(actor, "count in-house use", access.CIRCULATION, access.READING_ROOM)
    item = _find(raw_barcode, "count its use")

    def work() -> InHouseUseResult:
        status = ItemStatus(scan_sql.item_status(item.id))
        if status not in (ItemStatus.AVAILABLE, ItemStatus.SHELVING_CART):
            raise _not_for_shelf(item, status, "count its use")
        start = _local_day_start(now)
        last = db.execute("SELECT MAX(at) FROM in_house_use WHERE item_id = ? AND desk = ? AND at > ? AND at <= ?",
                          item.id, desk, now - timedelta(minutes=SAME_USE_MINUTES), now).fetchone()[0]
        if last is not None:
            uses = db.execute("SELECT COUNT(*) FROM in_house_use WHERE item_id = ? AND at >= ?",
                              item.id, start).fetchone()[0]
            return InHouseUseResult(item.barcode, item.title, _shelf(item), int(uses), False,
                                    already_counted_at=db.as_datetime(last))
        use_id = db.execute("INSERT INTO in_house_use (item_id, at, staff_id, desk) VALUES (?, ?, ?, ?) RETURNING id",
                            item.id, now, actor.id, desk).fetchone()[0]
        to_cart = status is ItemStatus.AVAILABLE and can_move(status, ItemStatus.SHELVING_CART)
        if to_cart:  # it is off its shelf, so it goes on the cart to be shelved
            db.execute("UPDATE item SET status = ?, status_since = ?, last_seen = ? WHERE id = ?",
                       CART, now, now, item.id)
        else:  # already on the cart: the shelving time starts again
            db.execute("UPDATE item SET status_since = ?, last_seen = ? WHERE id = ?", now, now, item.id)
        audit.record(actor, "in_house_use", "item", item.id, now, old={"status": status.value},
                     new={"status": CART, "use": use_id})
        uses = db.execute("SELECT COUNT(*) FROM in_house_use WHERE item_id = ? AND at >= ?",
                          item.id, start).fetchone()[0]
        return InHouseUseResult(item.barcode, item.title, _shelf(item), int(uses), to_cart)

    return db.write(work)


def _local_day_start(now: datetime) -> datetime:
    """The start of the library's local day containing `now`, as naive UTC."""
    zone = library_settings.settings().timezone
    midnight = now.replace(tzinfo=UTC).astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC).replace(tzinfo=None)


def in_house_uses(since: datetime, until: datetime) -> int:
    """In-house uses counted in [since, until): the figure for statistics."""
    return int(db.execute("SELECT COUNT(*) FROM in_house_use WHERE at >= ? AND at < ?",
                          since, until).fetchone()[0])


def sweep(actor: Staff, now: datetime | None = None) -> list[str]:
    """Write "available" for every copy on the cart past the shelving time; their barcodes.

    Nothing happens when shelving_minutes is 0 (only a shelving scan shelves a copy).
    """
    now = now or utc_now()
    access.require(actor, "shelve books", access.CIRCULATION)
    if library_settings.settings().shelving_minutes <= 0:
        return []
    cutoff = cart_cutoff(now)

    def work() -> list[str]:
        rows = db.execute_locked(
            "SELECT i.id, i.barcode FROM item i WHERE i.status = 'shelving cart' "
            "AND (i.status_since IS NULL OR i.status_since <= ?) ORDER BY i.id", "i", cutoff).fetchall()
        for item_id, barcode in rows:
            db.execute("UPDATE item SET status = ?, status_since = ? WHERE id = ? AND status = ?",
                       AVAILABLE, now, item_id, CART)
            audit.record(actor, "shelve.expired", "item", item_id, now, old={"status": CART},
                         new={"status": AVAILABLE, "barcode": barcode,
                              "minutes": library_settings.settings().shelving_minutes})
        return [barcode for _, barcode in rows]

    return db.write(work)


def cart(now: datetime | None = None, limit: int = 500) -> tuple[list[CartCopy], int]:
    """The copies on the cart in shelf order (location, call number), and how many there are."""
    now = now or utc_now()
    cutoff = cart_cutoff(now)
    total = int(db.execute("SELECT COUNT(*) FROM item WHERE status = 'shelving cart'").fetchone()[0])
    rows = db.execute(
        "SELECT i.id, i.barcode, b.title, i.location, i.call_number, i.status_since FROM item i "
        "JOIN biblio b ON b.id = i.biblio_id WHERE i.status = 'shelving cart' "
        "ORDER BY i.location, i.call_sort, i.call_number, i.barcode LIMIT ?", limit).fetchall()
    copies = []
    for item_id, barcode, title, location, call_number, since in rows:
        since = db.as_datetime(since)
        expired = library_settings.settings().shelving_minutes > 0 and (since is None or since <= cutoff)
        copies.append(CartCopy(item_id, barcode, title, location or "", call_number or "", since, expired))
    return copies, total
