"""Overdue fines, reckoned the way Koha's CalcFine does, with the working shown.

Amounts are integer minor units. The steps are sentences a clerk can read out
to a reader who asks why the fine is what it is.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from counter_tui.domain.plurals import counted


@dataclass(frozen=True)
class FinePolicy:
    amount: int  # minor units charged per interval
    interval_days: int  # 0 means this rule charges no fine
    grace_days: int
    include_grace: bool  # past grace, charge every late day (Koha FinesIncludeGracePeriod)
    cap: int | None  # None: no cap
    cap_at_price: bool  # also cap at the item's replacement price
    skip_closed: bool  # closed days are not counted (Koha noFinesWhenClosed)

    def __post_init__(self) -> None:
        for name in ("amount", "interval_days", "grace_days"):
            if getattr(self, name) < 0:
                raise ValueError(f"A fine rule's {name.replace('_', ' ')} cannot be negative.")
        if self.cap is not None and self.cap < 0:
            raise ValueError("A fine cap cannot be negative.")


@dataclass(frozen=True)
class FineReckoning:
    days_late: int
    closed_days: int  # closed days in the late period, whether or not the rule skips them
    chargeable_days: int
    intervals: int
    amount_before_cap: int
    cap: int | None  # the cap that applied: the rule's cap or the replacement price
    amount: int
    steps: tuple[str, ...]


def overdue_fine(
    due: date,
    returned: date,
    policy: FinePolicy,
    closed: Collection[date] = (),
    price: int | None = None,
    money: Callable[[int], str] = str,
) -> FineReckoning:
    days_late = max(0, (returned - due).days)
    closed_days = sum(1 for day in set(closed) if due < day <= returned)
    chargeable = days_late - closed_days if policy.skip_closed else days_late
    cap = _effective_cap(policy, price)
    steps: list[str] = []

    def reckoning(intervals: int = 0) -> FineReckoning:
        before_cap = intervals * policy.amount
        amount = before_cap if cap is None else min(before_cap, cap)
        if before_cap and amount < before_cap:
            what = "the replacement price" if cap == price and cap != policy.cap else "the cap"
            steps.append(f"The fine is limited to {what}, {money(cap)}.")
        if before_cap:
            steps.append(f"Fine: {money(amount)}.")
        return FineReckoning(
            days_late, closed_days, chargeable, intervals, before_cap, cap, amount, tuple(steps)
        )

    if days_late == 0:
        steps.append(f"Returned by the due date {due}: no fine.")
        return reckoning()
    steps.append(f"Due {due}, returned {returned}: {_days(days_late)} late.")
    if policy.skip_closed and closed_days:
        steps.append(
            f"Closed days are not counted: {_days(closed_days)} closed, "
            f"{_days(chargeable)} to charge."
        )
    if policy.interval_days == 0:
        steps.append("This loan rule charges no overdue fine.")
        return reckoning()
    if chargeable == 0:
        steps.append("No day to charge: no fine.")
        return reckoning()
    if chargeable <= policy.grace_days:
        steps.append(f"That is within the grace period of {_days(policy.grace_days)}: no fine.")
        return reckoning()
    units = chargeable
    if policy.grace_days and policy.include_grace:
        steps.append(
            f"Past the {_days(policy.grace_days)} of grace, all {_days(chargeable)} are charged."
        )
    elif policy.grace_days:
        units = chargeable - policy.grace_days
        steps.append(f"The first {_days(policy.grace_days)} are free: {_days(units)} are charged.")
    # Koha charges at the end of an interval: a part-week is not a week.
    intervals = units // policy.interval_days
    total = money(intervals * policy.amount)
    if policy.interval_days == 1:
        steps.append(f"{_days(units)} x {money(policy.amount)} a day = {total}.")
    else:
        steps.append(
            f"{_days(units)} make {counted(intervals, 'full period')} "
            f"of {_days(policy.interval_days)}: {intervals} x {money(policy.amount)} = {total}."
        )
    return reckoning(intervals)


def replacement_price(own: int | None, type_default: int | None) -> int:
    """A copy's replacement price: its own, else its item type's default; 0 when neither is known.

    A price of 0 means the price was never entered, not that the book is free, so a copy
    priced 0 takes its type's default, and 0 here means "unknown": nothing to charge for a
    loss, no cap at the price, no price to offer for damage.
    """
    return own or type_default or 0


def _effective_cap(policy: FinePolicy, price: int | None) -> int | None:
    # A price of 0 is unknown (see replacement_price), not a cap of nothing.
    if policy.cap_at_price and price:
        return price if policy.cap is None else min(policy.cap, price)
    return policy.cap


def _days(n: int) -> str:
    return counted(n, "day")

