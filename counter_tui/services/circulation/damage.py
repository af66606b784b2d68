"""Damaged copies: the assessment at check-in, the repair queue, withdrawal proposals.

An assessment records how badly a copy is damaged (slight, moderate, severe) and what
happens to it:

- **keep circulating**: the copy stays where it is (on the cart, or on the shelf);
- **repair**: the copy goes "in repair" and joins the repair queue until it is marked
  repaired, when it goes onto the shelving cart and back to its shelf;
- **propose for withdrawal**: the copy also goes "in repair" (out of circulation, kept
  aside) and the assessment is listed in `withdrawal_proposals()` for the cataloguers, whose
  write-off moves it to "withdrawn" (in repair -> withdrawn is a move the state machine
  allows). If they decline, the repair queue can still mark it repaired.

An assessment is open while its copy is in the queue (decision repair or propose for
withdrawal, not yet repaired); a copy has at most one open assessment. A charge to the
last borrower is a "damage" fee on the loan the copy came back from, made only when the
caller passes a confirmed amount.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.domain.item_status import ItemStatus, can_move
from counter_tui.domain.text import clean
from counter_tui.models import DamageAssessment, Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.circulation import charges, scan_sql
from counter_tui.services.errors import CardScanned, NotFound, Refusal

DEGREES = ("slight", "moderate", "severe")
KEEP, REPAIR, WITHDRAW = "keep circulating", "repair", "propose for withdrawal"
DECISIONS = (KEEP, REPAIR, WITHDRAW)
QUEUED = (REPAIR, WITHDRAW)  # decisions that take the copy out of circulation


@dataclass(frozen=True)
class LastBorrower:
    """Who had the copy last, for the question "charge them?"."""
    loan_id: int
    patron_id: int
    name: str
    card: str
    returned_at: datetime | None
    price: int  # the copy's replacement price (its own, else its type's), 0 if unknown


@dataclass(frozen=True)
class Assessment:
    id: int
    barcode: str
    title: str
    degree: str
    decision: str
    status: str  # the copy's status afterwards
    fee: int = 0
    charged_to: str = ""


@dataclass(frozen=True)
class QueueLine:
    id: int | None  # the open assessment; None for a copy put in repair without one
    item_id: int
    barcode: str
    title: str
    call_number: str
    degree: str
    decision: str
    note: str
    at: datetime | None
    staff: str
    status: str


def _item(raw: str):
    from counter_tui.services.circulation.lending import find_item  # circulation imports nothing from here
    try:
        return find_item(raw)
    except CardScanned as card:
        raise Refusal(f"{card.card} is a reader's card: scan the damaged book's barcode.") from None


def _last_loan(item_id: int):
    return db.execute(
        "SELECT l.id, l.patron_id, l.returned_at, p.name, p.card FROM loan l JOIN patron p ON p.id = l.patron_id "
        "WHERE l.item_id = ? ORDER BY l.out_at DESC, l.id DESC LIMIT 1", item_id).fetchone()


def last_borrower(raw_barcode: str) -> LastBorrower | None:
    """The reader the copy came back from (its latest loan), or None if it was never lent."""
    item = _item(raw_barcode)
    row = _last_loan(item.id)
    if row is None:
        return None
    return LastBorrower(loan_id=row[0], patron_id=row[1], name=row[3], card=row[4],
                        returned_at=db.as_datetime(row[2]), price=charges.replacement_price(item))


@dataclass(frozen=True)
class CopyToAssess:
    barcode: str
    title: str
    status: str
    last: LastBorrower | None


def copy_to_assess(raw_barcode: str) -> CopyToAssess:
    """What the assessment dialog shows: the copy, its status and its last borrower."""
    item = _item(raw_barcode)
    return CopyToAssess(barcode=item.barcode, title=item.title, status=item.status,
                        last=last_borrower(item.barcode))


def _open_assessment(item_id: int):
    return db.execute(
        "SELECT id, decision, at FROM damage_assessment WHERE item_id = ? AND repaired_at IS NULL "
        "AND decision IN (?, ?) ORDER BY id DESC LIMIT 1", item_id, REPAIR, WITHDRAW).fetchone()


def assess_damage(actor: Staff, raw_barcode: str, degree: str, decision: str, fee: int = 0,
                  note: str = "", now: datetime | None = None, expect_loan: int | None = None) -> Assessment:
    """Record how badly the copy is damaged and what happens to it; charge the last borrower
    `fee` (minor units, 0 for none) once the clerk has confirmed the amount.

    `expect_loan`: the loan the clerk was shown as the last borrower's; if another loan has
    come since, nothing is charged and the clerk is told.
    """
    now = now or utc_now()
    access.require(actor, "assess damaged books", access.CIRCULATION)
    if degree not in DEGREES:
        raise Refusal(f"The degree of damage is one of {', '.join(DEGREES)}, not {degree!r}.")
    if decision not in DECISIONS:
        raise Refusal(f"The decision is one of {', '.join(DECISIONS)}, not {decision!r}.")
    if not isinstance(fee, int) or isinstance(fee, bool) or fee < 0:
        raise Refusal("A damage charge must be a positive amount, or none.")
    note = clean(note)[:200]
    item = _item(raw_barcode)

    def work() -> Assessment:
        status = ItemStatus(scan_sql.item_status(item.id))
        named = f"{item.title} ({item.barcode})"
        if status is ItemStatus.CHECKED_OUT:
            raise Refusal(f"{named} is on loan: check it in first (F3), then assess the damage.")
        if status is ItemStatus.WITHDRAWN:
            raise Refusal(f"{named} has already been withdrawn.")
        current = _open_assessment(item.id)
        if current is not None:
            raise Refusal(f"{named} is already in the repair queue ({current[1]}) since "
                          f"{db.as_datetime(current[2]):%Y-%m-%d}: change it there (F9, Repair queue).")
        if status is ItemStatus.IN_REPAIR and decision == KEEP:
            raise Refusal(f"{named} is in repair: mark it repaired in the repair queue (F9) to send it back.")
        new_status = status
        if decision in QUEUED and status is not ItemStatus.IN_REPAIR:
            if not can_move(status, ItemStatus.IN_REPAIR):
                raise Refusal(f"{named} is {status.value}; it cannot go to repair from there.")
            new_status = ItemStatus.IN_REPAIR
        loan = _last_loan(item.id)
        fee_id, patron_id, charged_to = None, None, ""
        if loan is not None:
            patron_id = loan[1]
        if fee:
            if loan is None:
                raise Refusal(f"{named} has never been lent, so there is no borrower to charge.")
            if expect_loan is not None and loan[0] != expect_loan:
                raise Refusal(f"{named} has been lent again since; nothing was charged. Assess it again.")
            fee_id = scan_sql.insert_fee(loan[1], loan[0], "damage", fee, now, actor.id,
                                        f"{degree} damage: {item.title}")
            charged_to = loan[3]
        assessment_id = db.execute(
            "INSERT INTO damage_assessment (item_id, loan_id, patron_id, degree, decision, fee_id, note, at, "
            "staff_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            item.id, loan[0] if loan else None, patron_id, degree, decision, fee_id, note, now,
            actor.id).fetchone()[0]
        if new_status is not status:
            db.execute("UPDATE item SET status = ?, status_since = ?, condition = ? WHERE id = ?",
                       new_status.value, now, f"{degree} damage", item.id)
        else:
            db.execute("UPDATE item SET condition = ? WHERE id = ?", f"{degree} damage", item.id)
        audit.record(actor, "damage.assess", "damage_assessment", assessment_id, now,
                     old={"status": status.value},
                     new={"item": item.barcode, "degree": degree, "decision": decision, "status": new_status.value,
                          "fee": fee, "patron": loan[4] if (loan and fee) else None, "note": note})
        return Assessment(id=assessment_id, barcode=item.barcode, title=item.title, degree=degree,
                          decision=decision, status=new_status.value, fee=fee, charged_to=charged_to)

    return db.write(work)


_QUEUE = """SELECT a.id, i.id, i.barcode, b.title, i.call_number, COALESCE(a.degree, ''), COALESCE(a.decision, ?),
  COALESCE(a.note, ''), COALESCE(a.at, i.status_since), COALESCE(s.username, ''), i.status
FROM item i JOIN biblio b ON b.id = i.biblio_id
LEFT JOIN damage_assessment a ON a.item_id = i.id AND a.repaired_at IS NULL AND a.decision IN (?, ?)
LEFT JOIN staff s ON s.id = a.staff_id
WHERE i.status = 'in repair'"""


def _queue(where: str = "", *params) -> list[QueueLine]:
    rows = db.execute(_QUEUE + where + " ORDER BY CASE WHEN COALESCE(a.at, i.status_since) IS NULL THEN 0 ELSE 1 END, "
                      "COALESCE(a.at, i.status_since), i.id", REPAIR, REPAIR,
                      WITHDRAW, *params)
    return [QueueLine(id=r[0], item_id=r[1], barcode=r[2], title=r[3], call_number=r[4] or "", degree=r[5],
                      decision=r[6], note=r[7] or ("" if r[0] else "no damage assessment recorded"),
                      at=db.as_datetime(r[8]), staff=r[9], status=r[10])
            for r in rows.fetchall()]


def repair_queue() -> list[QueueLine]:
    """Every copy in repair, oldest first: those to repair (with their assessment, or none when
    the status was set elsewhere, e.g. migrated), and those proposed for withdrawal (waiting for
    the cataloguers)."""
    return _queue()


def withdrawal_proposals() -> list[QueueLine]:
    """Copies proposed for withdrawal and not yet written off: the cataloguers' list."""
    return _queue(" AND a.decision = ?", WITHDRAW)


def _in_repair(item_id: int):
    """The copy (which must still be in repair) and its open assessment, if one was recorded."""
    item = scan_sql.item_by_id(item_id)
    if item is None:
        raise NotFound("That copy no longer exists.")
    status = ItemStatus(scan_sql.item_status(item.id))
    if status is not ItemStatus.IN_REPAIR:
        raise Refusal(f"{item.title} ({item.barcode}) is {status.value}, no longer in repair.")
    current = _open_assessment(item.id)
    a = DamageAssessment.get_by_id(current[0]) if current else None
    return item, a


def mark_repaired(actor: Staff, item_id: int, now: datetime | None = None) -> QueueLine:
    """The copy is mended: out of the queue and onto the shelving cart, back to its shelf."""
    now = now or utc_now()
    access.require(actor, "return repaired books to the shelf", access.CIRCULATION)

    def work() -> QueueLine:
        item, a = _in_repair(item_id)
        if a is not None:
            db.execute("UPDATE damage_assessment SET repaired_at = ?, repaired_by_id = ? WHERE id = ?",
                       now, actor.id, a.id)
        db.execute("UPDATE item SET status = ?, status_since = ?, condition = ? WHERE id = ?",
                   ItemStatus.SHELVING_CART.value, now, "repaired", item.id)
        audit.record(actor, "damage.repaired", "item", item.id, now,
                     old={"status": ItemStatus.IN_REPAIR.value, "decision": a.decision if a else None},
                     new={"item": item.barcode, "status": ItemStatus.SHELVING_CART.value,
                          "assessment": a.id if a else None})
        return QueueLine(id=a.id if a else None, item_id=item.id, barcode=item.barcode, title=item.title,
                         call_number=item.call_number, degree=a.degree if a else "",
                         decision=a.decision if a else REPAIR, note=a.note if a else "", at=now,
                         staff=actor.username, status=ItemStatus.SHELVING_CART.value)

    return db.write(work)


def propose_withdrawal(actor: Staff, item_id: int, note: str = "", now: datetime | None = None) -> None:
    """Beyond repair after all: the copy in repair is proposed to the cataloguers for withdrawal.
    A copy with no assessment recorded is assessed first (`assess_damage`, which it allows)."""
    now = now or utc_now()
    access.require(actor, "propose books for withdrawal", access.CIRCULATION)
    note = clean(note)[:200]

    def work() -> None:
        item, a = _in_repair(item_id)
        if a is None:
            raise Refusal(f"No damage was recorded for {item.title} ({item.barcode}): say how bad it is first.")
        if a.decision == WITHDRAW:
            raise Refusal(f"{item.title} ({item.barcode}) is already proposed for withdrawal.")
        joined = "; ".join(p for p in (a.note, note) if p)[:200]
        db.execute("UPDATE damage_assessment SET decision = ?, note = ? WHERE id = ?", WITHDRAW, joined, a.id)
        audit.record(actor, "damage.propose_withdrawal", "damage_assessment", a.id, now,
                     old={"decision": a.decision, "note": a.note},
                     new={"item": item.barcode, "decision": WITHDRAW, "note": joined})

    db.write(work)


def queue_problems() -> list[str]:
    """For `counter-tui check`: an open repair or withdrawal assessment belongs to a copy that is
    in repair (or already withdrawn by the cataloguers); anything else was moved behind its back."""
    rows = db.execute(
        "SELECT i.barcode, i.status, a.decision FROM damage_assessment a JOIN item i ON i.id = a.item_id "
        "WHERE a.repaired_at IS NULL AND a.decision IN (?, ?) AND i.status NOT IN ('in repair', 'withdrawn') "
        "ORDER BY a.id", REPAIR, WITHDRAW).fetchall()
    return [f"copy {barcode} is '{status}' but its damage assessment ({decision}) is still open"
            for barcode, status, decision in rows]


def describe(result: Assessment) -> str:
    """One sentence for the desk."""
    where = {KEEP: "it stays in circulation", REPAIR: "it goes to the repair queue",
             WITHDRAW: "it is set aside and proposed to the cataloguers for withdrawal"}[result.decision]
    charge = (f"; {library_settings.money(result.fee)} charged to {result.charged_to}" if result.fee else "")
    return f"{result.title}: {result.degree} damage, {where}{charge}."
