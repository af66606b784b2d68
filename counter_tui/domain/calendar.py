"""Library days: when the library is open, when a loan is due, and local versus UTC time.

The database stores naive UTC datetimes; the desk thinks in local calendar days.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A library closed for more than a year is a calendar mistake, not a long holiday.
MAX_CLOSED_RUN = 366


def is_open(day: date, closed: Collection[date]) -> bool:
    return day not in closed


def next_open_day(day: date, closed: Collection[date]) -> date:
    """The day itself if the library is open then, else the first open day after it."""
    closed = _as_set(closed)
    for offset in range(MAX_CLOSED_RUN):
        candidate = day + timedelta(days=offset)
        if candidate not in closed:
            return candidate
    raise ValueError(
        f"The library calendar is closed for {MAX_CLOSED_RUN} days in a row from {day}: "
        "check the closed days."
    )


def due_date(start: date, loan_days: int, closed: Collection[date]) -> date:
    """Start plus the loan period, moved to the next open day (Koha 'Datedue' mode)."""
    if loan_days < 0:
        raise ValueError("A loan period cannot be negative.")
    return next_open_day(start + timedelta(days=loan_days), closed)


def due_by_card_expiry(due: date, expires_on: date, today: date, closed: Collection[date]) -> date:
    """A due date cut back to the card's last valid day (Koha's ReturnBeforeExpiry): `due`
    itself when the card lasts that long, else the expiry day, or the last open day before
    it when the library is closed then; never before today."""
    if due <= expires_on:
        return due
    closed = _as_set(closed)
    day = expires_on
    while day > today and day in closed:
        day -= timedelta(days=1)
    return max(day, today)


def end_of_local_day_utc(day: date, tz: ZoneInfo) -> datetime:
    """Naive UTC time of 23:59:59 local on that day: a loan is due until closing of the day."""
    # fold=1: if 23:59:59 happens twice (clocks go back at midnight), take the later one.
    local = datetime.combine(day, time(23, 59, 59), tzinfo=tz).replace(fold=1)
    return local.astimezone(UTC).replace(tzinfo=None)


def local_date(utc_naive: datetime, tz: ZoneInfo) -> date:
    """The local calendar day of a stored UTC time (an aware datetime is also accepted)."""
    moment = utc_naive if utc_naive.tzinfo else utc_naive.replace(tzinfo=UTC)
    return moment.astimezone(tz).date()


def utc_now() -> datetime:
    """Now as the database stores it: naive UTC, whole seconds."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _as_set(closed: Collection[date]) -> Collection[date]:
    # Membership is tested many times; a list from the database would make it slow.
    return closed if isinstance(closed, (set, frozenset)) else frozenset(closed)
