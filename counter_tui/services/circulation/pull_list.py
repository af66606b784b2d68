"""Holds to pull: waiting holds that a copy on the shelf (or the shelving cart) can fill now.

A hold placed while a copy of the title stands on the shelf waits until somebody fetches
that copy; nothing else brings it to the hold shelf. This is the list the desk takes to the
stacks each morning: one line per hold that can be filled, in shelf order, with the copy to
fetch. Each copy fetched is scanned at check-in (F3), which offers it to the hold.

Copies are given to holds in queue order, each copy once, and only where the rule lets
that reader hold that copy (the same test check-in uses).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.models import Staff
from counter_tui.services import access
from counter_tui.services.circulation import holds, shelving
from counter_tui.services.printing import slips
from counter_tui.domain.plurals import counted

ON_CART = shelving.CART


@dataclass(frozen=True)
class PullRow:
    hold_id: int
    biblio_id: int
    title: str
    patron_name: str
    patron_card: str
    placed_at: datetime
    copy_level: bool
    barcode: str  # the copy to fetch
    location: str  # its shelf's location, or ON_CART while it is still on the cart
    call_number: str
    call_sort: str

    @property
    def fetch_from(self) -> str:
        """Where to fetch the copy, in a sentence: "Fetch it {fetch_from}"."""
        return f"from {self.shelf.removeprefix('on ')}" if self.location == ON_CART else f"from {self.shelf}"

    @property
    def call_first(self) -> str:
        """For a narrow column: the call number first, since a cut may take the end."""
        where = "cart" if self.location == ON_CART else self.location
        return " ".join(p for p in (self.call_number, where) if p) or "no call number"

    @property
    def shelf(self) -> str:
        if self.location == ON_CART:
            return f"on the shelving cart ({self.call_number})" if self.call_number else "on the shelving cart"
        return " ".join(p for p in (self.location, self.call_number) if p) or "shelf (no call number)"


_WAITING = """SELECT h.id, h.biblio_id, h.item_id, b.title, p.name, p.card, p.category_id, h.placed_at, h.copy_level
FROM hold h JOIN patron p ON p.id = h.patron_id JOIN biblio b ON b.id = h.biblio_id
WHERE h.status = 'waiting'{only} ORDER BY h.biblio_id, h.placed_at, h.id"""

# the copies of those titles on the shelf or the cart (asked title by title: most of a big
# library is "available", so starting from the copies would read them all)
_ON_SHELF = """SELECT i.biblio_id, i.id, i.barcode, i.location, i.call_number, i.call_sort, i.item_type_id,
  t.loanable, i.status, i.status_since
FROM item i JOIN item_type t ON t.id = i.item_type_id
WHERE i.biblio_id IN ({marks}) ORDER BY i.call_sort, i.id"""
ON_SHELF = (shelving.AVAILABLE, ON_CART)  # the status is tested here, not in SQL: with both tests the planner
# may walk the status index, and nearly every copy of a big library is "available"
CHUNK = 500  # titles per query, well under any engine's limit on parameters


def to_pull(actor: Staff, now: datetime | None = None, *, biblio_id: int | None = None) -> list[PullRow]:
    """Every hold a copy on the shelf or the cart can fill now, in the order the shelves are walked.

    `biblio_id`: only that title's (the desk says so when a hold is placed).
    """
    now = now or utc_now()
    access.require(actor, "see the holds to pull", access.CIRCULATION)
    only, params = (" AND h.biblio_id = ?", [biblio_id]) if biblio_id is not None else ("", [])
    waiting = db.execute(_WAITING.format(only=only), *params).fetchall()
    copies: dict[int, list[tuple]] = {}
    titles = sorted({row[1] for row in waiting})
    for n in range(0, len(titles), CHUNK):
        chunk = titles[n:n + CHUNK]
        for row in db.execute(_ON_SHELF.format(marks=", ".join("?" * len(chunk))), *chunk):
            copies.setdefault(row[0], []).append(row[1:])
    cutoff = shelving.cart_cutoff(now)
    fits = functools.lru_cache(maxsize=None)(holds.fits)  # a rule lookup per kind of copy and reader, once
    taken: set[int] = set()  # copies already given to a hold earlier in the queue
    named = {row[2] for row in waiting if row[2] is not None}  # copies a reader asked for by barcode
    rows: list[PullRow] = []
    for hold_id, title_id, wanted_copy, title, name, card, category_id, placed_at, copy_level in waiting:
        # an any-copy hold takes a copy nobody named before one somebody did, so a later
        # this-copy-only hold is not left waiting while another copy stands on the shelf
        candidates = sorted(copies.get(title_id, ()), key=lambda c: wanted_copy is None and c[0] in named)
        for item_id, barcode, location, call_number, call_sort, item_type_id, loanable, status, since in \
                candidates:
            if status not in ON_SHELF or item_id in taken or (wanted_copy is not None and item_id != wanted_copy):
                continue
            if not fits(bool(loanable), item_type_id, location, category_id):
                continue
            since = db.as_datetime(since)
            still_on_cart = status == ON_CART and since is not None and since > cutoff  # else: counts as shelved
            taken.add(item_id)
            rows.append(PullRow(hold_id=hold_id, biblio_id=title_id, title=title, patron_name=name,
                                patron_card=card, placed_at=db.as_datetime(placed_at), copy_level=copy_level == "yes",
                                barcode=barcode, location=ON_CART if still_on_cart else location,
                                call_number=call_number, call_sort=call_sort))
            break
    # the cart first (it is at the desk), then shelf by shelf in call-number order
    rows.sort(key=lambda r: (r.location != ON_CART, r.location, r.call_sort, r.barcode))
    return rows


def slip_lines(rows: list[PullRow], now: datetime) -> list[str]:
    """The list as an 80 mm slip to carry to the stacks: where, what, and for whom."""
    lines = slips.header("HOLDS TO PULL", now)
    for row in rows:
        lines += [slips.clip(row.shelf), slips.clip(f"  {row.title}"),
                  slips.pair(f"  {row.barcode}", f"for {row.patron_name}"), ""]
    lines += [slips.rule(), f"{counted(len(rows), 'copy')} to fetch.",
              "Scan each at check-in (F3)."]
    return lines


def print_list(actor: Staff, now: datetime | None = None) -> tuple[slips.Delivered, int]:
    """Print the holds to pull; returns how it went and how many lines it has."""
    now = now or utc_now()
    rows = to_pull(actor, now)
    return slips.deliver("pull list", slip_lines(rows, now), at=now), len(rows)
