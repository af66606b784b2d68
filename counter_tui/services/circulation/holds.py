"""Holds: a reader waits for a title (any copy) or for one copy.

The queue of a title is its waiting holds in (placed_at, id) order; nothing renumbers
it, so a hold that goes back to waiting keeps its place. A returned copy that can fill
the first hold it fits is offered to the clerk at check-in (`waiting_for`, one indexed
query); when the clerk confirms, `trap` puts it on the hold shelf with a pick-up-by
date that counts only open days. Uncollected holds `expire`; the copy then goes to the
next reader in the queue or back to the shelf.

Statuses: waiting (for a copy), ready (on the hold shelf), collected (lent to the
reader), cancelled, expired.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from counter_tui import db
from counter_tui.domain.calendar import local_date, next_open_day, utc_now
from counter_tui.domain.item_status import LENDABLE, ItemStatus
from counter_tui.models import Item, Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.circulation import rules, scan_sql
from counter_tui.services.readers import patrons
from counter_tui.services.printing import slips
from counter_tui.services.errors import NotFound, Refusal
from counter_tui.domain.plurals import counted
from counter_tui.domain.text import clean

ACTIVE = ("waiting", "ready")
MAX_CANDIDATES = 50  # holds looked at for one copy; a queue is rarely longer than a few


class WantedByAnother(Refusal):
    """The copy waits on the hold shelf for, or is wanted by, another reader; the clerk may lend it anyway."""

    def __init__(self, sentence: str, other_name: str):
        super().__init__(sentence)
        self.other_name = other_name


@dataclass(frozen=True)
class HoldFound:
    """A waiting hold the returned copy can fill: the check-in desk asks what to do."""
    hold_id: int
    item_id: int
    barcode: str
    title: str
    patron_id: int
    patron_name: str
    patron_card: str
    copy_level: bool
    waiting: int  # holds waiting for the title, this one included


@dataclass(frozen=True)
class Trapped:
    hold_id: int
    patron_name: str
    patron_card: str
    title: str
    barcode: str
    pickup_by: date
    slip: slips.Delivered | None = None


@dataclass(frozen=True)
class HoldRow:
    id: int
    biblio_id: int
    title: str
    patron_id: int
    patron_name: str
    patron_card: str
    status: str
    copy_level: bool
    barcode: str  # the copy asked for, or the copy trapped
    placed_at: datetime
    pickup_by: date | None
    place: int | None  # place in the title's queue while waiting

    @property
    def where(self) -> str:
        """What the reader is told about this hold, in one phrase."""
        if self.status == "waiting":
            return f"waiting, number {self.place} in the queue"
        if self.status == "ready":
            return f"on the hold shelf until {self.pickup_by.isoformat()}" if self.pickup_by else "on the hold shelf"
        return self.status


@dataclass(frozen=True)
class Expired:
    hold_id: int
    title: str
    barcode: str
    patron_name: str
    pickup_by: date | None
    next_reader: str  # the reader the copy now waits for; empty: back to the shelf
    next_pickup_by: date | None


def _today(now: datetime) -> date:
    return local_date(now, library_settings.settings().timezone)


def add_open_days(start: date, days: int, closed) -> date:
    """The `days`-th open day after `start` (closed days do not count)."""
    day = start
    for _ in range(max(1, days)):
        day = next_open_day(day + timedelta(days=1), closed)
    return day


def pickup_by(today: date, days: int) -> date:
    """The last day a trapped copy waits on the hold shelf: `days` open days after today."""
    return add_open_days(today, days, rules.closed_days(today, today + timedelta(days=days + 370)))


# -- the check-in and check-out hot paths (plain SQL, one indexed query each) ----------------

_CANDIDATES = """SELECT h.id, h.patron_id, p.name, p.card, p.category_id, h.copy_level, h.status, h.item_id,
  h.pickup_by FROM hold h JOIN patron p ON p.id = h.patron_id
WHERE h.biblio_id = ? AND h.status = 'waiting' AND (h.item_id IS NULL OR h.item_id = ?)
ORDER BY h.placed_at, h.id LIMIT ?"""


def fits(loanable: bool, item_type_id: int, location: str, category_id: int) -> bool:
    """A copy of this type and place may fill a hold of a reader of this category: lendable,
    and holds allowed by the rule (check-in's offer and the holds-to-pull list both ask)."""
    if not loanable:
        return False
    return bool(rules.rule_for(category_id, item_type_id, location).holds_allowed)


# the same, only while the copy is on the shelf or the cart (check-in): one query in all
_OFFER = _CANDIDATES.replace("ORDER BY", "AND EXISTS (SELECT 1 FROM item i WHERE i.id = ? AND i.status IN "
                             "('available', 'shelving cart')) ORDER BY")
assert {ItemStatus(s) for s in ("available", "shelving cart")} == LENDABLE


def _first_fitting(item: Item, sql: str = _CANDIDATES, *params):
    """The first waiting hold in the queue this copy can fill, and how many wait for the title."""
    rows = db.execute(sql, item.biblio_id, item.id, *params, MAX_CANDIDATES).fetchall()
    for row in rows:
        if fits(item.loanable, item.item_type_id, item.location, row[4]):
            return row, len(rows)
    return None, len(rows)


def waiting_for(item: Item) -> HoldFound | None:
    """The hold this copy (just returned) can fill, first in the queue; None when no one waits."""
    row, waiting = _first_fitting(item, _OFFER, item.id)
    if row is None:
        return None
    return HoldFound(hold_id=row[0], item_id=item.id, barcode=item.barcode, title=item.title, patron_id=row[1],
                     patron_name=row[2], patron_card=row[3], copy_level=row[5] == "yes", waiting=waiting)


def _make_ready(actor: Staff, hold_id: int, item: Item, category_id: int, now: datetime) -> date:
    """Inside a transaction: the hold is filled by the copy, which goes to the hold shelf."""
    rule = rules.rule_for(category_id, item.item_type_id, item.location)
    until = pickup_by(_today(now), rule.hold_pickup_days)
    db.execute("UPDATE hold SET status = 'ready', item_id = ?, ready_at = ?, pickup_by = ? WHERE id = ?",
               item.id, now, until, hold_id)
    scan_sql.set_item_status(item.id, ItemStatus.ON_HOLD_SHELF.value, now)
    audit.record(actor, "hold.trap", "hold", hold_id, now, old={"status": "waiting"},
                 new={"status": "ready", "item": item.barcode, "pickup_by": until})
    return until


def trap(actor: Staff, item_id: int, hold_id: int, now: datetime | None = None, *,
         print_slip: bool = False) -> Trapped:
    """The clerk confirmed: the copy goes onto the hold shelf for the hold's reader."""
    now = now or utc_now()
    access.require(actor, "put books on the hold shelf", access.CIRCULATION)
    item = scan_sql.item_by_id(item_id)
    if item is None:
        raise NotFound("That copy no longer exists.")

    def work() -> Trapped:
        status = ItemStatus(scan_sql.item_status(item.id))
        if status not in LENDABLE:
            raise Refusal(f"{item.title} ({item.barcode}) is {status.value}; it cannot go to the hold shelf.")
        row = db.execute_locked("SELECT h.id, h.status, h.biblio_id, h.item_id, p.name, p.card, p.category_id "
                                "FROM hold h JOIN patron p ON p.id = h.patron_id WHERE h.id = ?", "h",
                                hold_id).fetchone()
        if row is None or row[1] != "waiting":
            raise Refusal("That hold is no longer waiting; check the copy in again.")
        if row[2] != item.biblio_id or (row[3] is not None and row[3] != item.id):
            raise Refusal(f"{item.barcode} cannot fill that hold: it is for another copy or title.")
        until = _make_ready(actor, hold_id, item, row[6], now)
        return Trapped(hold_id=hold_id, patron_name=row[4], patron_card=row[5], title=item.title,
                       barcode=item.barcode, pickup_by=until)

    done = db.write(work)
    if print_slip:
        done = Trapped(**{**done.__dict__, "slip": print_hold_slip(done, item.call_number, now)})
    return done


def hold_slip_lines(trapped: Trapped, call_number: str, now: datetime) -> list[str]:
    lines = slips.header("HOLD SLIP", now)
    name, card = slips.reader(trapped.patron_name, trapped.patron_card)  # it sits on the public hold shelf
    lines += slips.wrap(f"For: {name}")
    lines.append(slips.pair("Card", card))
    lines.append(slips.rule())
    lines += slips.wrap(trapped.title)
    lines.append(slips.pair(trapped.barcode, call_number))
    lines.append(slips.rule())
    lines.append(slips.pair("Pick up by", trapped.pickup_by.isoformat()))
    lines.append(slips.rule())
    return lines


def print_hold_slip(trapped: Trapped, call_number: str, now: datetime | None = None) -> slips.Delivered:
    now = now or utc_now()
    return slips.deliver("hold slip", hold_slip_lines(trapped, call_number, now), at=now)


def reprint_slip(actor: Staff, hold_id: int, now: datetime | None = None) -> slips.Delivered:
    """The hold slip of a copy on the hold shelf, printed again (after the copy went to the next reader)."""
    access.require(actor, "print hold slips", access.CIRCULATION)
    row = db.execute("SELECT h.status, h.pickup_by, p.name, p.card, b.title, i.barcode, i.call_number "
                     "FROM hold h JOIN patron p ON p.id = h.patron_id JOIN biblio b ON b.id = h.biblio_id "
                     "LEFT JOIN item i ON i.id = h.item_id WHERE h.id = ?", hold_id).fetchone()
    if row is None or row[0] != "ready":
        raise Refusal("That hold is not on the hold shelf, so it has no slip.")
    trapped = Trapped(hold_id=hold_id, patron_name=row[2], patron_card=row[3], title=row[4], barcode=row[5],
                      pickup_by=db.as_date(row[1]))
    return print_hold_slip(trapped, row[6] or "", now)


def _back_to_waiting(actor: Staff, hold_id: int, copy_level: str, now: datetime, why: str) -> None:
    """A ready hold loses its copy and waits again, in its old place (placed_at is kept)."""
    db.execute("UPDATE hold SET status = 'waiting', ready_at = NULL, pickup_by = NULL"
               + ("" if copy_level == "yes" else ", item_id = NULL") + " WHERE id = ?", hold_id)
    audit.record(actor, "hold.unready", "hold", hold_id, now, old={"status": "ready"},
                 new={"status": "waiting", "why": why})


def _collected(actor: Staff, hold_id: int, item_id: int, now: datetime) -> None:
    db.execute("UPDATE hold SET status = 'collected', item_id = ?, ended_at = ? WHERE id = ?", item_id, now, hold_id)
    audit.record(actor, "hold.collect", "hold", hold_id, now, new={"status": "collected", "item": item_id})


def at_checkout(actor: Staff, item: Item, reader_id: int, status: str, now: datetime, lend_anyway: bool) -> str:
    """Inside the check-out transaction: the holds on the copy's title decide who may have it.

    Returns the status the lending should treat the copy as having. A copy on the hold
    shelf for this reader (or wanted first by them) fills their hold; one that waits for,
    or is wanted first by, someone else is refused with WantedByAnother unless the
    clerk said to lend it anyway (then a trapped hold goes back to waiting, in its place).
    """
    if status != ItemStatus.ON_HOLD_SHELF.value and ItemStatus(status) not in LENDABLE:
        return status
    rows = db.execute("SELECT h.id, h.patron_id, p.name, h.status, h.item_id, h.copy_level, h.pickup_by "
                      "FROM hold h JOIN patron p ON p.id = h.patron_id "
                      "WHERE h.biblio_id = ? AND h.status IN ('waiting', 'ready') "
                      "AND (h.item_id IS NULL OR h.item_id = ? OR (h.status = 'ready' AND h.patron_id = ?)) "
                      "ORDER BY h.placed_at, h.id LIMIT ?",
                      item.biblio_id, item.id, reader_id, MAX_CANDIDATES).fetchall()
    if not rows:
        return status
    kept = next((r for r in rows if r[3] == "ready" and r[1] == reader_id and r[4] != item.id), None)
    if kept is not None and status != ItemStatus.ON_HOLD_SHELF.value:
        # the reader takes another copy of the title: their hold is filled by it, and the copy
        # kept for them on the hold shelf goes on to the next reader (or back to the shelf)
        _collected(actor, kept[0], item.id, now)
        _release(actor, scan_sql.item_by_id(kept[4]), now)
        return status
    rows = [r for r in rows if r is not kept]
    mine = next((r for r in rows if r[1] == reader_id), None)
    if status == ItemStatus.ON_HOLD_SHELF.value:
        ready = next((r for r in rows if r[3] == "ready" and r[4] == item.id), None)
        if ready is None:
            return status
        if ready[1] != reader_id:
            if not lend_anyway:
                until = db.as_date(ready[6])
                raise WantedByAnother(f"{item.title} waits on the hold shelf for {ready[2]}"
                                      + (f" (until {until.isoformat()})." if until else "."), ready[2])
            _back_to_waiting(actor, ready[0], ready[5], now, "lent to another reader")
            if mine is not None and mine[3] == "waiting":
                _collected(actor, mine[0], item.id, now)
        else:
            _collected(actor, ready[0], item.id, now)
        return ItemStatus.AVAILABLE.value
    waiting = [r for r in rows if r[3] == "waiting"]
    if not waiting:
        return status
    first = waiting[0]
    if first[1] != reader_id and not lend_anyway:
        ahead = len(waiting) if mine is None else waiting.index(mine)
        raise WantedByAnother(f"{item.title}: {ahead} other reader{'s wait' if ahead != 1 else ' waits'} for it "
                              f"({first[2]} first).", first[2])
    if mine is not None and mine[3] == "waiting":
        _collected(actor, mine[0], item.id, now)
    return status


def renewal_refusal(item: Item, patron_id: int) -> str:
    """Why a loan may not be renewed because others wait for it; empty when it may."""
    copy_level, title_level = db.execute(
        "SELECT COALESCE(SUM(CASE WHEN h.item_id = ? THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN h.item_id IS NULL THEN 1 ELSE 0 END), 0) FROM hold h "
        "WHERE h.biblio_id = ? AND h.status = 'waiting' AND (h.item_id IS NULL OR h.item_id = ?) "
        "AND h.patron_id <> ?", item.id, item.biblio_id, item.id, patron_id).fetchone()
    if copy_level:
        return f"{item.title} cannot be renewed: another reader has asked for this copy. It must be returned."
    if title_level:
        on_shelf = db.execute("SELECT COUNT(*) FROM item WHERE biblio_id = ? AND id <> ? AND status IN (?, ?)",
                              item.biblio_id, item.id, ItemStatus.AVAILABLE.value,
                              ItemStatus.SHELVING_CART.value).fetchone()[0]
        if title_level > on_shelf:
            n = int(title_level)
            return (f"{item.title} cannot be renewed: {n} other reader{'s wait' if n != 1 else ' waits'} for it. "
                    "It must be returned.")
    return ""


# -- placing, listing, cancelling ----------------------------------------------------------

def _hold_rows(where: str, *params) -> list[HoldRow]:
    rows = db.execute(
        "SELECT h.id, h.biblio_id, b.title, h.patron_id, p.name, p.card, h.status, h.copy_level, "
        "COALESCE(i.barcode, ''), h.placed_at, h.pickup_by, "
        "(SELECT COUNT(*) FROM hold q WHERE q.biblio_id = h.biblio_id AND q.status = 'waiting' "
        " AND (q.placed_at < h.placed_at OR (q.placed_at = h.placed_at AND q.id <= h.id))) "
        "FROM hold h JOIN biblio b ON b.id = h.biblio_id JOIN patron p ON p.id = h.patron_id "
        "LEFT JOIN item i ON i.id = h.item_id WHERE " + where, *params).fetchall()
    return [HoldRow(id=r[0], biblio_id=r[1], title=r[2], patron_id=r[3], patron_name=r[4], patron_card=r[5],
                    status=r[6], copy_level=r[7] == "yes", barcode=r[8], placed_at=db.as_datetime(r[9]),
                    pickup_by=db.as_date(r[10]), place=int(r[11]) if r[6] == "waiting" else None)
            for r in rows]


def place(actor: Staff, patron_id: int, biblio_id: int, item_id: int | None = None,
          now: datetime | None = None, note: str = "") -> HoldRow:
    """Put the reader in the title's queue (or, with `item_id`, in the queue for that one copy)."""
    now = now or utc_now()
    access.require(actor, "place holds", access.CIRCULATION)

    def work() -> HoldRow:
        reader = scan_sql.reader(patron_id, lock=True)
        if reader is None:
            raise NotFound("That reader no longer exists.")
        title = db.execute("SELECT title FROM biblio WHERE id = ?", biblio_id).fetchone()
        if title is None:
            raise NotFound("That title is no longer in the catalogue.")
        title = title[0]
        summary = patrons.summary(reader, now)
        if summary.blocks:
            raise Refusal(f"{reader.name} may not place holds: {summary.blocks[0]}")
        copies = [i for i in Item.raw(db.sql(
            "SELECT i.id, i.barcode, i.status, i.item_type_id, i.location, t.loanable AS loanable "
            "FROM item i JOIN item_type t ON t.id = i.item_type_id WHERE i.biblio_id = ? AND i.status <> ?"),
            biblio_id, ItemStatus.WITHDRAWN.value)]
        if item_id is not None:
            copies = [c for c in copies if c.id == item_id]
            if not copies:
                raise Refusal(f"That copy is not one of the copies of {title} the library holds.")
        if not copies:
            raise Refusal(f"The library holds no copy of {title}, so no hold can be placed.")
        if not any(c.loanable and rules.rule_for(reader.category_id, c.item_type_id, c.location).holds_allowed
                   for c in copies):
            which = "this copy" if item_id is not None else title
            raise Refusal(f"Holds are not allowed on {which} for {summary.category.lower()} readers.")
        if db.execute("SELECT 1 FROM hold WHERE patron_id = ? AND biblio_id = ? AND status IN ('waiting', 'ready')",
                      reader.id, biblio_id).fetchone():
            raise Refusal(f"{reader.name} already has a hold on {title}.")
        if db.execute("SELECT 1 FROM loan l JOIN item i ON i.id = l.item_id WHERE l.patron_id = ? "
                      "AND l.returned_at IS NULL AND i.biblio_id = ?", reader.id, biblio_id).fetchone():
            raise Refusal(f"{reader.name} already has {title} on loan.")
        limit = db.execute("SELECT hold_limit FROM patron_category WHERE id = ?", reader.category_id).fetchone()[0]
        active = db.execute("SELECT COUNT(*) FROM hold WHERE patron_id = ? AND status IN ('waiting', 'ready')",
                            reader.id).fetchone()[0]
        if active >= limit:
            raise Refusal(f"{reader.name} already has {counted(active, 'hold')}, the limit for "
                          f"the {summary.category} category.")
        hold_id = db.execute("INSERT INTO hold (biblio_id, item_id, copy_level, patron_id, status, placed_at, "
                             "staff_id, note) VALUES (?, ?, ?, ?, 'waiting', ?, ?, ?) RETURNING id",
                             biblio_id, item_id, "yes" if item_id is not None else "", reader.id, now,
                             actor.id, clean(note)[:250]).fetchone()[0]
        audit.record(actor, "hold.place", "hold", hold_id, now,
                     new={"patron": reader.card, "biblio": biblio_id, "item": item_id})
        return _hold_rows("h.id = ?", hold_id)[0]

    return db.write(work)


def reader_holds(actor: Staff, patron_id: int) -> list[HoldRow]:
    """The reader's holds still open (waiting or on the shelf), with their place in each queue."""
    access.require(actor, "see readers' holds", access.CIRCULATION)
    return _hold_rows("h.patron_id = ? AND h.status IN ('waiting', 'ready') ORDER BY h.placed_at, h.id", patron_id)


def title_queue(actor: Staff, biblio_id: int) -> list[HoldRow]:
    """Who waits for a title, in queue order, and whose copies are on the hold shelf."""
    access.require(actor, "see the queue of holds", access.CIRCULATION)
    return _hold_rows("h.biblio_id = ? AND h.status IN ('waiting', 'ready') "
                      "ORDER BY CASE WHEN h.status = 'ready' THEN 0 ELSE 1 END, h.placed_at, h.id", biblio_id)


def kept_for(item_id: int) -> HoldRow | None:
    """The ready hold this copy waits on the hold shelf for, if any."""
    return next(iter(_hold_rows("h.item_id = ? AND h.status = 'ready'", item_id)), None)


def hold_shelf(actor: Staff) -> list[HoldRow]:
    """Every copy on the hold shelf, the oldest pick-up-by date first."""
    access.require(actor, "see the hold shelf", access.CIRCULATION)
    return _hold_rows("h.status = 'ready' ORDER BY h.pickup_by, p.name, h.id")


def title_of_copy(raw_barcode: str) -> Item:
    """The copy a scan names, with its title (for placing a hold by scanning a copy)."""
    from counter_tui.services.circulation.lending import find_item  # circulation imports this module
    return find_item(raw_barcode)


def _release(actor: Staff, item: Item, now: datetime) -> tuple[str, date | None]:
    """Inside a transaction: the copy left on the hold shelf goes to the next reader or back to the shelf."""
    row, _ = _first_fitting(item)
    if row is not None:
        return row[2], _make_ready(actor, row[0], item, row[4], now)
    scan_sql.set_item_status(item.id, ItemStatus.SHELVING_CART.value, now)
    return "", None


def cancel(actor: Staff, hold_id: int, now: datetime | None = None, reason: str = "") -> HoldRow:
    """Cancel a hold; a copy on the hold shelf for it goes to the next reader or back to the shelf."""
    now = now or utc_now()
    access.require(actor, "cancel holds", access.CIRCULATION)

    def work() -> HoldRow:
        found = _hold_rows("h.id = ?", hold_id)
        if not found:
            raise NotFound("That hold no longer exists.")
        hold = found[0]
        if hold.status not in ACTIVE:
            raise Refusal(f"That hold is already {hold.status}.")
        item_id = db.execute("SELECT item_id FROM hold WHERE id = ?", hold_id).fetchone()[0]
        db.execute("UPDATE hold SET status = 'cancelled', ended_at = ? WHERE id = ?", now, hold_id)
        audit.record(actor, "hold.cancel", "hold", hold_id, now, old={"status": hold.status},
                     new={"status": "cancelled", "reason": clean(reason)})
        if hold.status == "ready" and item_id is not None:
            _release(actor, scan_sql.item_by_id(item_id), now)
        return hold

    return db.write(work)


def expire(actor: Staff, now: datetime | None = None) -> list[Expired]:
    """Holds not collected by their pick-up-by day expire; each copy goes to the next reader or the shelf.

    One short transaction per hold, so desks are not kept waiting.
    """
    now = now or utc_now()
    access.require(actor, "expire uncollected holds", access.CIRCULATION)
    today = _today(now)
    due = [r[0] for r in db.execute("SELECT id FROM hold WHERE status = 'ready' AND pickup_by < ? "
                                    "ORDER BY pickup_by, id", today).fetchall()]
    done: list[Expired] = []
    for hold_id in due:
        def work(hold_id=hold_id) -> Expired | None:
            row = db.execute_locked("SELECT h.status, h.item_id, h.pickup_by, p.name FROM hold h "
                                    "JOIN patron p ON p.id = h.patron_id WHERE h.id = ?", "h", hold_id).fetchone()
            if row is None or row[0] != "ready":
                return None  # collected or cancelled meanwhile
            db.execute("UPDATE hold SET status = 'expired', ended_at = ? WHERE id = ?", now, hold_id)
            audit.record(actor, "hold.expire", "hold", hold_id, now, old={"status": "ready"},
                         new={"status": "expired"})
            item = scan_sql.item_by_id(row[1])
            next_reader, next_by = "", None
            if item is not None and scan_sql.item_status(item.id) == ItemStatus.ON_HOLD_SHELF.value:
                next_reader, next_by = _release(actor, item, now)
            return Expired(hold_id=hold_id, title=item.title if item else "", barcode=item.barcode if item else "",
                           patron_name=row[3], pickup_by=db.as_date(row[2]), next_reader=next_reader,
                           next_pickup_by=next_by)

        result = db.write(work)
        if result is not None:
            done.append(result)
    return done


def next_hold_on_shelf(item_id: int) -> int | None:
    """The ready hold a copy on the hold shelf now waits for (after an expiry moved it on)."""
    row = db.execute("SELECT id FROM hold WHERE item_id = ? AND status = 'ready'", item_id).fetchone()
    return row[0] if row else None


def shelf_problems() -> list[str]:
    """`counter-tui check`: every copy on the hold shelf has one ready hold, and every ready hold its copy there."""
    problems = [f"copy {barcode} is on the hold shelf but {n} holds are ready for it"
                for barcode, n in db.execute(
                    "SELECT i.barcode, (SELECT COUNT(*) FROM hold h WHERE h.item_id = i.id AND h.status = 'ready') "
                    "FROM item i WHERE i.status = ?", ItemStatus.ON_HOLD_SHELF.value).fetchall() if n != 1]
    problems += [f"hold {hold_id} is ready, but " + (f"its copy {barcode} is {status}" if barcode
                                                      else "it names no copy")
                 for hold_id, barcode, status in db.execute(
                     "SELECT h.id, i.barcode, i.status FROM hold h LEFT JOIN item i ON i.id = h.item_id "
                     "WHERE h.status = 'ready' AND (i.id IS NULL OR i.status <> ?)",
                     ItemStatus.ON_HOLD_SHELF.value).fetchall()]
    return problems


def demo_holds(actor: Staff, now: datetime, seed: int = 7, waiting_titles: int = 12, on_shelf: int = 3) -> int:
    """A few holds for the demo library: queues on titles out on loan, and copies on the hold shelf."""
    import random
    rng = random.Random(seed)
    readers = [r for (r,) in db.execute(
        "SELECT id FROM patron WHERE status = 'active' AND expires_on >= ? ORDER BY id", _today(now)).fetchall()]
    out = [b for (b,) in db.execute(
        "SELECT i.biblio_id FROM item i JOIN item_type t ON t.id = i.item_type_id WHERE t.loanable "
        "GROUP BY i.biblio_id HAVING SUM(CASE WHEN i.status = 'checked out' THEN 0 ELSE 1 END) = 0 "
        "ORDER BY i.biblio_id DESC LIMIT ?", waiting_titles).fetchall()]  # every copy out on loan
    shelf = db.execute("SELECT MIN(i.id), i.biblio_id FROM item i JOIN item_type t ON t.id = i.item_type_id "
                       "WHERE i.status = 'available' AND t.loanable AND i.biblio_id NOT IN "
                       "(SELECT i2.biblio_id FROM item i2 WHERE i2.status <> 'available') "
                       "GROUP BY i.biblio_id ORDER BY i.biblio_id DESC LIMIT ?", on_shelf).fetchall()
    placed = 0
    for n, biblio_id in enumerate(out + [b for _, b in shelf]):
        for k in range(1 if n >= len(out) else rng.randint(1, 3)):
            try:
                place(actor, rng.choice(readers), biblio_id, now=now - timedelta(days=3, minutes=-10 * k))
                placed += 1
            except Refusal:
                continue  # the reader is blocked, at their limit, or has the title already
    for item_id, biblio_id in shelf:
        row = db.execute("SELECT id FROM hold WHERE biblio_id = ? AND status = 'waiting'", biblio_id).fetchone()
        if row:
            trap(actor, item_id, row[0], now - timedelta(days=1))
    return placed
