"""The reads and writes of every scan, written as plain SQL (see db.sql for why).

Each function returns Peewee model instances (types converted by the model's fields)
with the joined columns as extra attributes, so services read `item.title`,
`item.loanable`, `reader.loan_limit` without another query.
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from counter_tui import db
from counter_tui.models import Item, Loan, Patron

_ITEM = """SELECT i.id, i.barcode, i.call_number, i.location, i.price, i.status, i.item_type_id,
  i.biblio_id, b.title AS title, t.name AS type_name, t.loanable AS loanable,
  t.replacement_price AS replacement_price
FROM item i JOIN biblio b ON b.id = i.biblio_id JOIN item_type t ON t.id = i.item_type_id"""

_READER = """SELECT p.id, p.card, p.name, p.department, p.expires_on, p.status, p.block_reason,
  p.block_until, p.category_id, c.name AS category_name, c.loan_limit AS loan_limit, c.max_fees AS max_fees,
  c.max_overdue AS max_overdue
FROM patron p JOIN patron_category c ON c.id = p.category_id"""


def _first(rows):
    return next(iter(rows), None)


def item_by_barcode(barcode: str) -> Item | None:
    return _first(Item.raw(db.sql(_ITEM + " WHERE i.barcode = ?"), barcode))


def item_by_id(item_id: int) -> Item | None:
    return _first(Item.raw(db.sql(_ITEM + " WHERE i.id = ?"), item_id))


def item_status(item_id: int) -> str:
    """The copy's status, read (and on PostgreSQL locked) inside the write transaction."""
    return db.execute_locked("SELECT i.status FROM item i WHERE i.id = ?", "i", item_id).fetchone()[0]


def set_item_status(item_id: int, status: str, since: datetime) -> None:
    """`since`: when the status changed (the shelving cart's timer reads it)."""
    db.execute("UPDATE item SET status = ?, status_since = ? WHERE id = ?", status, since, item_id)


def reader(patron_id: int, lock: bool = False) -> Patron | None:
    """A reader with their category's limits; locked on PostgreSQL when asked."""
    return _first(Patron.raw(db.sql(_READER + " WHERE p.id = ?", "p" if lock else ""), patron_id))


def reader_by_card(card: str) -> Patron | None:
    return _first(Patron.raw(db.sql(_READER + " WHERE p.card = ?"), card))


def open_loan(item_id: int) -> Loan | None:
    """The copy's open loan with its reader, locked on PostgreSQL."""
    text = ("SELECT l.id, l.patron_id, l.due_at, l.renewals, l.claimed_returned_at, "
            "p.name AS patron_name, p.card AS patron_card, "
            "p.category_id AS category_id FROM loan l JOIN patron p ON p.id = l.patron_id "
            "WHERE l.item_id = ? AND l.returned_at IS NULL")
    return _first(Loan.raw(db.sql(text, "l"), item_id))


class Standing(NamedTuple):
    loans_out: int
    overdue: int
    owed: int  # the balance, minor units
    holds_ready: int  # copies waiting for the reader on the hold shelf


def standing(patron_id: int, now: datetime) -> Standing:
    """The reader's loans, overdue loans, balance and holds ready, in one round trip."""
    row = db.execute(
        "SELECT (SELECT COUNT(*) FROM loan WHERE patron_id = ? AND returned_at IS NULL), "
        "(SELECT COUNT(*) FROM loan WHERE patron_id = ? AND returned_at IS NULL AND due_at < ? "
        "AND claimed_returned_at IS NULL), "
        "(SELECT COALESCE(SUM(amount), 0) FROM fee WHERE patron_id = ?), "
        "(SELECT COUNT(*) FROM hold WHERE patron_id = ? AND status = 'ready')",  # as holds_ready
        patron_id, patron_id, now, patron_id, patron_id).fetchone()
    return Standing(*(int(value) for value in row))


def holds_ready(patron_id: int) -> int:
    """Copies on the hold shelf for the reader."""
    return db.execute("SELECT COUNT(*) FROM hold WHERE patron_id = ? AND status = 'ready'", patron_id).fetchone()[0]


def insert_loan(item_id: int, patron_id: int, out_at: datetime, due_at: datetime, staff_id: int) -> int:
    return db.execute("INSERT INTO loan (item_id, patron_id, out_at, due_at, renewals, staff_out_id) "
                      "VALUES (?, ?, ?, ?, 0, ?) RETURNING id",
                      item_id, patron_id, out_at, due_at, staff_id).fetchone()[0]


def close_loan(loan_id: int, returned_at: datetime, staff_id: int) -> None:
    db.execute("UPDATE loan SET returned_at = ?, staff_in_id = ? WHERE id = ?", returned_at, staff_id, loan_id)


def insert_fee(patron_id: int, loan_id: int | None, kind: str, amount: int, at: datetime,
               staff_id: int, note: str) -> int:
    return db.execute("INSERT INTO fee (patron_id, loan_id, kind, amount, at, staff_id, note) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      patron_id, loan_id, kind, amount, at, staff_id, note[:250]).fetchone()[0]
