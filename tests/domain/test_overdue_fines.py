"""Overdue fines: the vectors of standards.md section 7, and the other rule options."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from counter_tui.domain.fines import FinePolicy, overdue_fine
from counter_tui.domain.money import format_money

DUE = date(2024, 3, 1)  # a Friday
# 0.25 a day, grace 3, cap 5.00; grace included in the charge when past it.
KOHA = FinePolicy(amount=25, interval_days=1, grace_days=3, include_grace=True,
                  cap=500, cap_at_price=False, skip_closed=False)
EXCLUDING_GRACE = replace(KOHA, include_grace=False)


def fine(days_late, policy=KOHA, **kwargs):
    return overdue_fine(DUE, DUE + timedelta(days=days_late), policy, **kwargs)


@pytest.mark.parametrize(("days", "including", "excluding"), [
    (2, 0, 0),
    (3, 0, 0),
    (4, 100, 25),
    (10, 250, 175),
    (40, 500, 500),
])
def test_standard_vectors(days, including, excluding):
    assert fine(days).amount == including
    assert fine(days, EXCLUDING_GRACE).amount == excluding


def test_on_time_and_early_returns_cost_nothing():
    for days in (0, -5):
        reckoning = fine(days)
        assert (reckoning.days_late, reckoning.amount, reckoning.intervals) == (0, 0, 0)


def test_reckoning_shows_its_working():
    reckoning = fine(10, money=format_money)
    assert reckoning.days_late == 10
    assert reckoning.chargeable_days == 10
    assert reckoning.intervals == 10
    assert reckoning.amount_before_cap == 250
    assert reckoning.cap == 500
    assert reckoning.steps == (
        "Due 2024-03-01, returned 2024-03-11: 10 days late.",
        "Past the 3 days of grace, all 10 days are charged.",
        "10 days x ¥0.25 a day = ¥2.50.",
        "Fine: ¥2.50.",
    )


def test_grace_excluded_is_explained():
    steps = fine(10, EXCLUDING_GRACE, money=format_money).steps
    assert "The first 3 days are free: 7 days are charged." in steps
    assert "7 days x ¥0.25 a day = ¥1.75." in steps


def test_within_grace_is_explained():
    reckoning = fine(3)
    assert reckoning.amount == 0
    assert reckoning.steps[-1] == "That is within the grace period of 3 days: no fine."


def test_cap_is_applied_and_explained():
    reckoning = fine(40, money=format_money)
    assert reckoning.amount_before_cap == 1000
    assert reckoning.amount == 500
    assert "The fine is limited to the cap, ¥5.00." in reckoning.steps
    assert reckoning.steps[-1] == "Fine: ¥5.00."


CLOSED_SUN_MON = [date(2024, 3, 3), date(2024, 3, 4)]


def test_closed_days_skipped_friday_to_tuesday():
    policy = replace(KOHA, skip_closed=True)
    reckoning = overdue_fine(DUE, date(2024, 3, 5), policy, CLOSED_SUN_MON)
    assert (reckoning.days_late, reckoning.closed_days, reckoning.chargeable_days) == (4, 2, 2)
    assert reckoning.amount == 0
    assert "Closed days are not counted: 2 days closed, 2 days to charge." in reckoning.steps


def test_calendar_ignored_friday_to_tuesday():
    reckoning = overdue_fine(DUE, date(2024, 3, 5), KOHA, CLOSED_SUN_MON)
    assert (reckoning.days_late, reckoning.closed_days, reckoning.chargeable_days) == (4, 2, 4)
    assert reckoning.amount == 100


def test_closed_days_outside_the_late_period_do_not_count():
    policy = replace(KOHA, skip_closed=True)
    closed = [DUE, date(2024, 2, 28), date(2024, 3, 20)]  # due day itself and days outside
    reckoning = overdue_fine(DUE, date(2024, 3, 11), policy, closed)
    assert reckoning.closed_days == 0
    assert reckoning.amount == 250


def test_return_day_closed_is_not_counted():
    # Returned through the book drop on a closed day: that day is not charged.
    policy = replace(KOHA, skip_closed=True)
    reckoning = overdue_fine(DUE, date(2024, 3, 11), policy, [date(2024, 3, 11)])
    assert (reckoning.closed_days, reckoning.chargeable_days, reckoning.amount) == (1, 9, 225)


def test_all_late_days_closed():
    policy = replace(KOHA, skip_closed=True, grace_days=0)
    reckoning = overdue_fine(DUE, date(2024, 3, 2), policy, [date(2024, 3, 2)])
    assert reckoning.amount == 0
    assert reckoning.steps[-1] == "No day to charge: no fine."


def test_cap_at_replacement_price():
    policy = replace(KOHA, cap_at_price=True)
    reckoning = fine(40, policy, price=300, money=format_money)
    assert (reckoning.cap, reckoning.amount) == (300, 300)
    assert "The fine is limited to the replacement price, ¥3.00." in reckoning.steps


def test_price_above_the_cap_leaves_the_cap():
    reckoning = fine(40, replace(KOHA, cap_at_price=True), price=2000)
    assert (reckoning.cap, reckoning.amount) == (500, 500)


def test_price_only_caps_when_the_rule_says_so():
    assert fine(40, price=300).amount == 500


def test_price_cap_without_a_fixed_cap():
    policy = replace(KOHA, cap=None, cap_at_price=True)
    assert fine(40, policy, price=300).amount == 300
    assert fine(40, policy).amount == 1000  # no price known: no cap at all


def test_unknown_price_of_zero_does_not_wipe_the_fine():
    assert fine(10, replace(KOHA, cap_at_price=True), price=0).amount == 250


def test_no_cap():
    reckoning = fine(40, replace(KOHA, cap=None))
    assert (reckoning.cap, reckoning.amount) == (None, 1000)


def test_weekly_interval_charges_whole_weeks_only():
    weekly = replace(KOHA, amount=100, interval_days=7, grace_days=0, cap=None)
    assert fine(6, weekly).amount == 0
    assert fine(7, weekly).amount == 100
    assert fine(20, weekly).amount == 200
    reckoning = fine(20, weekly, money=format_money)
    assert reckoning.intervals == 2
    assert "20 days make 2 full periods of 7 days: 2 x ¥1.00 = ¥2.00." in reckoning.steps


def test_weekly_interval_with_grace():
    weekly = replace(KOHA, amount=100, interval_days=7, grace_days=3, cap=None)
    assert fine(9, weekly).amount == 100  # 9 days, grace included: one full week
    assert fine(9, replace(weekly, include_grace=False)).amount == 0  # 6 days past grace


def test_interval_zero_charges_nothing():
    reckoning = fine(40, replace(KOHA, interval_days=0))
    assert (reckoning.amount, reckoning.intervals) == (0, 0)
    assert "This loan rule charges no overdue fine." in reckoning.steps


def test_no_grace():
    assert fine(1, replace(KOHA, grace_days=0)).amount == 25


def test_default_money_format_is_plain_minor_units():
    assert "10 days x 25 a day = 250." in fine(10).steps


@pytest.mark.parametrize("field", ["amount", "interval_days", "grace_days", "cap"])
def test_negative_rule_values_are_refused(field):
    with pytest.raises(ValueError):
        replace(KOHA, **{field: -1})
