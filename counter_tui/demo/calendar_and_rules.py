"""The library's calendar (Sundays and public holidays closed) and the circulation rules beside the default."""
from __future__ import annotations

from datetime import date

from counter_tui.demo.clock import DueDates
from counter_tui.demo.word_lists import BOOK_LOCATIONS, CATEGORY_WEIGHTS, TYPE_LOCATION, TYPE_WEIGHTS
from counter_tui.models import CirculationRule, ClosedDay, ItemType, PatronCategory
from counter_tui.services.circulation import rules

# Fixed-date holidays (month, day, reason) and the Spring Festival's first day by year.
FIXED_HOLIDAYS = [((1, 1), "元旦 New Year's Day"), ((5, 1), "劳动节 Labour Day"),
                  ((5, 2), "劳动节 Labour Day"), ((5, 3), "劳动节 Labour Day")]
FIXED_HOLIDAYS += [((10, d), "国庆节 National Day") for d in range(1, 8)]
SPRING_FESTIVAL = {2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
                   2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26),
                   2029: date(2029, 2, 13), 2030: date(2030, 2, 3)}

# Extra rules beside the default: (category or None, item type or None, fields).
EXTRA_RULES = [
    ("teacher", "book", dict(loan_days=60, renewals=3, fine_amount=10, fine_interval_days=1,
                             grace_days=0, fine_cap=2000, fine_cap_at_price=True)),
    (None, "av", dict(loan_days=7, renewals=1, fine_amount=50, fine_interval_days=1, grace_days=0,
                      fine_cap=1000, fine_cap_at_price=True)),
    ("student", "book", dict(loan_days=28, renewals=2, fine_amount=10, fine_interval_days=1,
                             grace_days=2, fine_cap=2000, fine_cap_at_price=True)),
]


class CalendarAndRules:
    """The builder's closed days and rules, and the rule of each reader category and kind of copy."""

    def _calendar(self) -> None:
        first, last = self.today - 365, self.today + 365
        closed: dict[int, str] = {d: "Sunday" for d in range(first, last + 1) if d % 7 == 0}  # ordinal % 7 == 0: Sunday
        for year in range(date.fromordinal(first).year, date.fromordinal(last).year + 1):
            for (month, mday), reason in FIXED_HOLIDAYS:
                closed[date(year, month, mday).toordinal()] = reason
            if year in SPRING_FESTIVAL:
                for offset in range(3):
                    closed[SPRING_FESTIVAL[year].toordinal() + offset] = "春节 Spring Festival"
        closed = {d: reason for d, reason in closed.items() if first <= d <= last}
        existing = {d.toordinal() for (d,) in ClosedDay.select(ClosedDay.day).tuples()}
        table = self._table(ClosedDay, (ClosedDay.day, ClosedDay.reason))
        for d, reason in sorted(closed.items()):
            if d not in existing:
                table.add(date.fromordinal(d).isoformat(), reason)
        table.flush(final=True)
        self.closed_days = frozenset(closed) | existing
        self.due_of = DueDates(self.clock, frozenset(date.fromordinal(d) for d in self.closed_days))
        # Loans are made on open days; before the calendar starts, Sundays are closed too.
        self.open_days = [d for d in range(self.today - 730, self.today) if d % 7 and d not in self.closed_days]
        self.counts["closed_days"] = table.written

    def _rules(self) -> None:
        self.categories = {c.code: c for c in PatronCategory.select()}
        self.types = {t.code: t for t in ItemType.select()}
        added = 0
        for category, item_type, fields in EXTRA_RULES:
            cat_id = self.categories[category].id if category else None
            type_id = self.types[item_type].id
            query = CirculationRule.select().where(
                (CirculationRule.category.is_null() if cat_id is None else CirculationRule.category == cat_id)
                & (CirculationRule.item_type == type_id) & CirculationRule.location.is_null())
            if not query.exists():
                CirculationRule.create(category=cat_id, item_type=type_id, **fields)
                added += 1
        self.counts["rules_added"] = added
        # Readers come in categories and copies in kinds (item type x location); the rule
        # of each pair is looked up once, through the rules service.
        self.category_codes = [code for code, _ in CATEGORY_WEIGHTS]
        self.kinds: list[tuple[str, str]] = []
        for code, _ in TYPE_WEIGHTS:
            locations = [TYPE_LOCATION[code]] if code in TYPE_LOCATION else [loc for loc, _ in BOOK_LOCATIONS]
            self.kinds.extend((code, location) for location in locations)
        self.kind_index = {kind: i for i, kind in enumerate(self.kinds)}
        self.pair_rule: list[CirculationRule] = []  # index: category * len(kinds) + kind
        for code in self.category_codes:
            for type_code, location in self.kinds:
                self.pair_rule.append(rules.rule_for(self.categories[code].id, self.types[type_code].id, location))
        self.pair_days = [rule.loan_days for rule in self.pair_rule]
        self.kind_loanable = [self.types[type_code].loanable for type_code, _ in self.kinds]
