"""The shelf list: copies in call-number order, as they stand on the shelves.

Browsing starts at a typed call number (or at a scanned copy's place) and goes a page
at a time either way. Pages are found by the stored sort key (Item.call_sort, indexed,
domain/callnumbers.py) and the copy's id, so paging never skips or repeats a copy
however many share a call number, and costs one index range scan per page.

Copies without a call number and withdrawn copies are not on the shelves and are not
listed. Every staff member may browse.
"""
from __future__ import annotations

from dataclasses import dataclass

from counter_tui import db
from counter_tui.domain.barcodes import Kind, classify
from counter_tui.models import Staff
from counter_tui.services import access, library_settings
from counter_tui.services.catalogue import call_numbers
from counter_tui.services.errors import Refusal

MAX_PAGE = 500
Place = tuple[str, int]  # (call_sort, item id): a position on the shelves


@dataclass(frozen=True)
class ShelfRow:
    item_id: int
    call_sort: str
    call_number: str
    title: str
    barcode: str
    status: str
    location: str

    @property
    def place(self) -> Place:
        return (self.call_sort, self.item_id)


@dataclass(frozen=True)
class ShelfPage:
    rows: list[ShelfRow]
    more_before: bool
    more_after: bool


_SELECT = ("SELECT i.id, i.call_sort, i.call_number, b.title, i.barcode, i.status, i.location "
           "FROM item i JOIN biblio b ON b.id = i.biblio_id "
           "WHERE i.call_sort <> '' AND i.status <> 'withdrawn' ")
# After or before a place. The bare range on call_sort comes first so that the index on
# it is used for a range search (with only the OR, SQLite scans the whole index).
_AFTER = "AND i.call_sort >= ? AND (i.call_sort > ? OR i.id {op} ?) "
_BEFORE = "AND i.call_sort <= ? AND (i.call_sort < ? OR i.id < ?) "


def start_place(start: str) -> Place:
    """Where a typed call number, or a scanned copy's barcode, stands on the shelves."""
    text = (start or "").strip()
    if not text:
        return ("", 0)
    scan = classify(text, library_settings.settings().barcodes)
    if scan.kind in (Kind.ITEM, Kind.LEGACY):
        row = db.execute("SELECT call_sort, id FROM item WHERE barcode = ?", scan.code).fetchone()
        if row is not None and row[0]:
            return (row[0], row[1])
        if row is not None:
            raise Refusal(f"Copy {scan.code} has no call number, so it has no place on the shelves.")
    return (call_numbers.sort_key(text), 0)


def browse(actor: Staff | None, start: str = "", *, after: Place | None = None, before: Place | None = None,
           limit: int = 50) -> ShelfPage:
    """A page of copies in shelf order.

    With `after` (a row's place): the copies after it; with `before`: the copies before it
    (still listed in shelf order); otherwise from `start` (a call number or a copy's
    barcode; "" starts at the first shelf), the copy standing there included, or the
    last page when nothing stands after it.
    """
    access.require(actor, "browse the shelf list", *access.ROLES)
    if not 1 <= limit <= MAX_PAGE:
        raise Refusal(f"A page holds from 1 to {MAX_PAGE} copies.")
    if before is not None:
        rows = _rows(_SELECT + _BEFORE + "ORDER BY i.call_sort DESC, i.id DESC LIMIT ?", *_params(before),
                     limit + 1)
        more_before = len(rows) > limit
        rows = rows[:limit][::-1]
        last = rows[-1].place if rows else before
        more_after = db.execute(_SELECT + _AFTER.format(op=">") + "LIMIT 1", *_params(last)).fetchone() is not None
        return ShelfPage(rows, more_before, more_after)
    if after is not None:
        place, inclusive = after, False
    else:
        place, inclusive = start_place(start), True
    rows = _rows(_SELECT + _AFTER.format(op=">=" if inclusive else ">") + "ORDER BY i.call_sort, i.id LIMIT ?",
                 *_params(place), limit + 1)
    more_after = len(rows) > limit
    rows = rows[:limit]
    if not rows and inclusive and place != ("", 0):
        # past the last shelf: show the last page, ending where the number would stand
        return browse(actor, before=place, limit=limit)
    first = rows[0].place if rows else place
    more_before = db.execute(_SELECT + _BEFORE + "LIMIT 1", *_params(first)).fetchone() is not None
    return ShelfPage(rows, more_before, more_after)


def _params(place: Place) -> tuple:
    return (place[0], place[0], place[1])


def _rows(sql: str, *params) -> list[ShelfRow]:
    return [ShelfRow(*row) for row in db.execute(sql, *params).fetchall()]
