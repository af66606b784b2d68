"""The item status state machine, written in one place.

Services ask `can_move` before they change an item's status; a screen never sets a
status itself.
"""
from __future__ import annotations

from enum import Enum


class ItemStatus(str, Enum):
    IN_PROCESSING = "in processing"
    AVAILABLE = "available"
    CHECKED_OUT = "checked out"
    ON_HOLD_SHELF = "on hold shelf"
    IN_TRANSIT = "in transit"
    SHELVING_CART = "shelving cart"
    IN_REPAIR = "in repair"
    MISSING = "missing"
    LOST = "lost"
    CLAIMS_RETURNED = "claims returned"
    WITHDRAWN = "withdrawn"


S = ItemStatus

# status -> statuses it may move to
TRANSITIONS: dict[ItemStatus, frozenset[ItemStatus]] = {
    S.IN_PROCESSING: frozenset({S.AVAILABLE, S.WITHDRAWN}),
    S.AVAILABLE: frozenset({S.CHECKED_OUT, S.ON_HOLD_SHELF, S.IN_TRANSIT, S.IN_REPAIR,
                            S.MISSING, S.WITHDRAWN, S.SHELVING_CART}),
    S.CHECKED_OUT: frozenset({S.AVAILABLE, S.SHELVING_CART, S.ON_HOLD_SHELF, S.IN_TRANSIT,
                              S.IN_REPAIR, S.LOST, S.CLAIMS_RETURNED}),
    S.ON_HOLD_SHELF: frozenset({S.CHECKED_OUT, S.AVAILABLE, S.SHELVING_CART, S.IN_TRANSIT, S.MISSING}),
    S.IN_TRANSIT: frozenset({S.AVAILABLE, S.ON_HOLD_SHELF, S.SHELVING_CART, S.MISSING}),
    S.SHELVING_CART: frozenset({S.AVAILABLE, S.CHECKED_OUT, S.ON_HOLD_SHELF, S.IN_TRANSIT, S.IN_REPAIR, S.MISSING}),
    S.IN_REPAIR: frozenset({S.AVAILABLE, S.SHELVING_CART, S.WITHDRAWN}),
    S.MISSING: frozenset({S.AVAILABLE, S.SHELVING_CART, S.WITHDRAWN}),
    S.LOST: frozenset({S.AVAILABLE, S.SHELVING_CART, S.WITHDRAWN}),
    S.CLAIMS_RETURNED: frozenset({S.AVAILABLE, S.SHELVING_CART, S.LOST, S.WITHDRAWN}),
    S.WITHDRAWN: frozenset(),
}

# Statuses from which a copy may be lent at the desk.
LENDABLE = frozenset({S.AVAILABLE, S.SHELVING_CART})

# Why a copy in another status cannot be lent, in the clerk's words.
NOT_LENDABLE_REASON = {
    S.IN_PROCESSING: "is still being catalogued",
    S.ON_HOLD_SHELF: "is waiting on the hold shelf for another reader",
    S.IN_TRANSIT: "is in transit",
    S.IN_REPAIR: "is in repair",
    S.MISSING: "is marked missing",
    S.LOST: "is marked lost",
    S.CLAIMS_RETURNED: "is claimed returned by its last borrower",
    S.WITHDRAWN: "has been withdrawn",
}


def can_move(old: ItemStatus, new: ItemStatus) -> bool:
    return new in TRANSITIONS[old]
