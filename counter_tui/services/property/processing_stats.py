"""Processing statistics: titles and copies catalogued per day, per cataloguer and per class.

Counted from the copies' `catalogued_at` and `catalogued_by` (services/copies.py sets them);
a title counts once in a row however many of its copies were catalogued there. Days are
the library's local days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from counter_tui import db
from counter_tui.domain.calendar import local_date
from counter_tui.models import Staff
from counter_tui.services import access, library_settings
from counter_tui.services.property.bulletin import main_class, utc_bounds

ROLES = (access.CATALOGING, access.CURATOR)
BY = ("day", "cataloguer", "class")


@dataclass(frozen=True)
class Row:
    key: str  # the day (YYYY-MM-DD), the cataloguer's name or the class
    titles: int
    copies: int


def processing(actor: Staff, since: date, until: date, by: str = "day") -> list[Row]:
    """Rows in key order and a last row "total"."""
    access.require(actor, "read the processing statistics", *ROLES)
    if by not in BY:
        raise ValueError(f"by is one of {', '.join(BY)}")
    start, end = utc_bounds(since, until)
    rows = db.execute(
        "SELECT i.catalogued_at, COALESCE(s.full_name, s.username, ''), b.classification, i.biblio_id "
        "FROM item i JOIN biblio b ON b.id = i.biblio_id LEFT JOIN staff s ON s.id = i.catalogued_by_id "
        "WHERE i.catalogued_at >= ? AND i.catalogued_at <= ?", start, end).fetchall()
    zone = library_settings.settings().timezone
    titles: dict[str, set[int]] = {}
    copies: dict[str, int] = {}
    for at, who, cls, biblio_id in rows:
        if by == "day":
            moment = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
            key = local_date(moment, zone).isoformat()
        elif by == "cataloguer":
            key = who or "(unknown)"
        else:
            key = main_class(cls)
        titles.setdefault(key, set()).add(biblio_id)
        copies[key] = copies.get(key, 0) + 1
    out = [Row(key, len(titles[key]), copies[key]) for key in sorted(copies)]
    out.append(Row("total", len({b for s in titles.values() for b in s}), sum(copies.values())))
    return out
