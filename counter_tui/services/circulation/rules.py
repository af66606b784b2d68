"""Which circulation rule applies, and the calendar of closed days."""
from __future__ import annotations

from datetime import date, timedelta

from counter_tui import db
from counter_tui.domain.fines import FinePolicy
from counter_tui.models import CirculationRule
from counter_tui.services.errors import Refusal


def rule_for(category_id: int, item_type_id: int, location: str | None = None) -> CirculationRule:
    """The most specific rule for reader category x item type x location.

    A rule field left empty matches anything; among the rules that match, the one that
    names the most of (item type, category, location) wins, item type breaking ties first
    (as FOLIO's priority does). The default row (all empty) always exists.
    """
    candidates = CirculationRule.raw(db.sql(
        "SELECT * FROM circulation_rule WHERE (category_id IS NULL OR category_id = ?) "
        "AND (item_type_id IS NULL OR item_type_id = ?) AND (location IS NULL OR location = ?)"),
        category_id, item_type_id, location or "")

    def specificity(rule: CirculationRule) -> tuple[int, int, int, int]:
        named = (rule.item_type_id is not None, rule.category_id is not None, rule.location is not None)
        return (sum(named), *named)

    best = max(candidates, key=specificity, default=None)
    if best is None:
        raise Refusal("The library has no default circulation rule; the curator must add one.")
    return best


def fine_policy(rule: CirculationRule) -> FinePolicy:
    return FinePolicy(amount=rule.fine_amount, interval_days=rule.fine_interval_days,
                      grace_days=rule.grace_days, include_grace=rule.fine_includes_grace,
                      cap=rule.fine_cap, cap_at_price=rule.fine_cap_at_price,
                      skip_closed=rule.fines_skip_closed)


def closed_days(start: date, end: date) -> frozenset[date]:
    """Closed days from start to end inclusive."""
    rows = db.execute("SELECT day FROM closed_day WHERE day BETWEEN ? AND ?", start, end).fetchall()
    # SQLite hands dates back as text, PostgreSQL as dates; no model objects on the scan path
    return frozenset(day if isinstance(day, date) else date.fromisoformat(day) for (day,) in rows)


def closed_days_ahead(start: date, days: int) -> frozenset[date]:
    # enough beyond the loan period to find the next open day even after a summer closure
    return closed_days(start, start + timedelta(days=days + 120))

