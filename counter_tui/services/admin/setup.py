"""Creating a new, empty library: schema, the standard categories and types, the default rule."""
from __future__ import annotations

from datetime import datetime

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.models import CirculationRule, ItemType, PatronCategory, Staff
from counter_tui.services import audit
from counter_tui.services.admin import schema, staff
from counter_tui.services.errors import Refusal

# code, name, loan limit, card years, fee limit (minor units), overdue books that block
CATEGORIES = [
    ("student", "Student", 5, 1, 1000, 3),
    ("teacher", "Teacher", 15, 3, 5000, 5),
    ("staff", "Staff", 10, 3, 5000, 5),
    ("external", "External reader", 3, 1, 500, 2),
]
# code, name, loanable, default replacement price (minor units)
ITEM_TYPES = [
    ("book", "Book", True, 5000),
    ("reference", "Reference book", False, 10000),
    ("periodical", "Periodical", True, 2000),
    ("av", "Audio-visual", True, 3000),
]


def seed_standard_rows() -> None:
    """Categories, item types and the mandatory default rule. Inside a transaction."""
    for code, name, limit, years, max_fees, max_overdue in CATEGORIES:
        PatronCategory.create(code=code, name=name, loan_limit=limit, card_years=years,
                              max_fees=max_fees, max_overdue=max_overdue)
    for code, name, loanable, price in ITEM_TYPES:
        ItemType.create(code=code, name=name, loanable=loanable, replacement_price=price)
    CirculationRule.create(loan_days=28, renewals=2, renew_overdue_days=0, fine_amount=10,
                           fine_interval_days=1, grace_days=0, fine_cap=2000, fine_cap_at_price=True)


def init_library(username: str, full_name: str, password: str, now: datetime | None = None) -> Staff:
    """Create the tables of an empty database and its first account (a curator)."""
    now = now or utc_now()
    if schema.current_version() is not None:
        raise Refusal("This database already holds a library; nothing was changed.")
    schema.create_schema()
    db.write(seed_standard_rows)
    first = staff.add_staff(None, username, full_name, password, ["curator", "circulation"], now)
    db.write(lambda: audit.record(first, "library.init", "library", None, now))
    return first
