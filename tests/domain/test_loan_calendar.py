"""Due dates over closed days, and local days against stored UTC times."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from counter_tui.domain.calendar import (
    due_date,
    end_of_local_day_utc,
    is_open,
    local_date,
    next_open_day,
    utc_now,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PARIS = ZoneInfo("Europe/Paris")
# Spring Festival 2024: closed Saturday 10 to Saturday 17 February.
SPRING_FESTIVAL = [date(2024, 2, 10) + timedelta(days=n) for n in range(8)]


def test_open_and_closed_days():
    assert is_open(date(2024, 2, 9), SPRING_FESTIVAL)
    assert not is_open(date(2024, 2, 12), SPRING_FESTIVAL)


def test_an_open_day_is_its_own_next_open_day():
    assert next_open_day(date(2024, 2, 9), SPRING_FESTIVAL) == date(2024, 2, 9)


def test_next_open_day_skips_a_run_of_closed_days():
    assert next_open_day(date(2024, 2, 10), SPRING_FESTIVAL) == date(2024, 2, 18)
    assert next_open_day(date(2024, 2, 17), SPRING_FESTIVAL) == date(2024, 2, 18)


def test_due_date_on_an_open_day_is_not_moved():
    assert due_date(date(2024, 1, 19), 14, SPRING_FESTIVAL) == date(2024, 2, 2)


def test_due_date_in_a_closed_run_moves_to_the_first_open_day():
    # 2024-01-29 + 14 days = 2024-02-12, inside the festival.
    assert due_date(date(2024, 1, 29), 14, SPRING_FESTIVAL) == date(2024, 2, 18)


def test_due_date_counts_calendar_days_not_open_days():
    # Datedue mode: closed days inside the loan do not lengthen it.
    assert due_date(date(2024, 2, 5), 14, SPRING_FESTIVAL) == date(2024, 2, 19)


def test_closed_days_as_a_list_or_a_set_give_the_same_answer():
    start = date(2024, 1, 27)
    assert due_date(start, 14, SPRING_FESTIVAL) == due_date(start, 14, frozenset(SPRING_FESTIVAL))


def test_same_day_loan():
    assert due_date(date(2024, 2, 9), 0, SPRING_FESTIVAL) == date(2024, 2, 9)


def test_negative_loan_period_is_refused():
    with pytest.raises(ValueError):
        due_date(date(2024, 2, 9), -1, ())


def test_a_calendar_closed_for_a_whole_year_is_a_mistake():
    start = date(2024, 1, 1)
    year = {start + timedelta(days=n) for n in range(366)}
    with pytest.raises(ValueError, match="366 days in a row"):
        next_open_day(start, year)
    # One open day at the end of the run is still found.
    almost = {start + timedelta(days=n) for n in range(365)}
    assert next_open_day(start, almost) == date(2024, 12, 31)


def test_end_of_local_day_in_shanghai():
    assert end_of_local_day_utc(date(2024, 3, 5), SHANGHAI) == datetime(2024, 3, 5, 15, 59, 59)


def test_end_of_local_day_follows_summer_time():
    assert end_of_local_day_utc(date(2024, 1, 15), PARIS) == datetime(2024, 1, 15, 22, 59, 59)
    assert end_of_local_day_utc(date(2024, 7, 15), PARIS) == datetime(2024, 7, 15, 21, 59, 59)


def test_end_of_local_day_is_naive():
    assert end_of_local_day_utc(date(2024, 3, 5), SHANGHAI).tzinfo is None


def test_local_date_crosses_midnight():
    # 17:30 UTC is already the next morning in Shanghai.
    assert local_date(datetime(2024, 3, 5, 17, 30), SHANGHAI) == date(2024, 3, 6)
    assert local_date(datetime(2024, 3, 5, 15, 59, 59), SHANGHAI) == date(2024, 3, 5)


def test_due_time_round_trips_to_the_due_day():
    for tz in (SHANGHAI, PARIS, ZoneInfo("America/New_York"), ZoneInfo("Pacific/Auckland")):
        day = date(2024, 11, 3)
        assert local_date(end_of_local_day_utc(day, tz), tz) == day


def test_utc_now_is_naive_whole_seconds():
    now = utc_now()
    assert now.tzinfo is None
    assert now.microsecond == 0
    assert abs(datetime.now(UTC).replace(tzinfo=None) - now) <= timedelta(seconds=2)


def test_end_of_day_when_the_last_hour_happens_twice():
    # Chile turns clocks back from 24:00 to 23:00 on 2024-04-06: the day ends at the later 23:59:59.
    santiago = ZoneInfo("America/Santiago")
    assert end_of_local_day_utc(date(2024, 4, 6), santiago) == datetime(2024, 4, 7, 3, 59, 59)
