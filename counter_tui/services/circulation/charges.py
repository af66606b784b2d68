"""What a loan is charged: its overdue fine at a moment, and a copy's replacement price.

Check-in, renewal, declaring a loss, the damage assessment and the fine explanation all
ask here, so what the explanation says is what the desk charges. The arithmetic itself
is domain/fines.py; this module reads what it needs from the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from counter_tui.domain import fines
from counter_tui.domain.calendar import local_date
from counter_tui.domain.fines import FinePolicy, FineReckoning
from counter_tui.models import CirculationRule, Item, Loan
from counter_tui.services import library_settings
from counter_tui.services.circulation import rules


def replacement_price(item: Item) -> int:
    """The copy's replacement price: its own, else its item type's default; 0 when unknown.

    `item` as services/circulation/scan_sql reads it (the type's price joined as
    `replacement_price`). A price of 0 is "not entered": see domain.fines.replacement_price.
    """
    return fines.replacement_price(item.price, item.replacement_price)


@dataclass(frozen=True)
class OverdueFine:
    """A loan's overdue fine at a moment, with what it was reckoned from."""
    rule: CirculationRule
    policy: FinePolicy
    due: date  # the local due date
    until: date  # the local day the fine is reckoned to: the moment's, or the claim's if earlier
    claimed_on: date | None  # the day the reader claimed the book returned; the fine stops there
    price: int  # the replacement price a rule may cap the fine at; 0 when unknown
    closed: frozenset[date]  # the closed days from the due date to `until`
    reckoning: FineReckoning

    @property
    def amount(self) -> int:
        return self.reckoning.amount


def overdue_fine_at(loan: Loan, category_id: int, item: Item, at: datetime,
                    rule: CirculationRule | None = None) -> OverdueFine:
    """The fine the loan would be charged if it came back at `at`.

    The rule for the reader's category and the copy (or `rule`, when the caller holds it
    already), the local due date, the closed days, grace, the rule's cap and the cap at the
    replacement price; a loan claimed returned stops fining on the claim's day
    (services/circulation/losses.py). `item` as scan_sql reads it.
    """
    zone = library_settings.settings().timezone
    rule = rule or rules.rule_for(category_id, item.item_type_id, item.location)
    claimed = loan.claimed_returned_at
    due = local_date(loan.due_at, zone)
    until = local_date(min(at, claimed) if claimed else at, zone)
    policy = rules.fine_policy(rule)
    closed = rules.closed_days(due, until)
    price = replacement_price(item)
    reckoning = fines.overdue_fine(due, until, policy, closed, price=price, money=library_settings.money)
    return OverdueFine(rule=rule, policy=policy, due=due, until=until,
                       claimed_on=local_date(claimed, zone) if claimed else None,
                       price=price, closed=closed, reckoning=reckoning)
