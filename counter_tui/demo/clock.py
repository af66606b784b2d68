"""Times of the build as integer seconds, the text the database stores, and due dates by the domain's rule."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from counter_tui.domain.calendar import due_date, end_of_local_day_utc, local_date

EPOCH = datetime(1970, 1, 1)
DAY = 86_400
OPEN_FROM, OPEN_UNTIL = 8 * 3600, 21 * 3600 + 1800  # desk hours, local


class Clock:
    """Naive-UTC times as integer seconds, written as the strings the database stores."""

    _HMS: list[str] = []

    def __init__(self, tz: ZoneInfo, today: int):
        self.tz = tz
        if not Clock._HMS:
            Clock._HMS = [f" {h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        self.hms = Clock._HMS
        first = date.fromordinal(today - 6 * 366)
        self.day0 = (first - EPOCH.date()).days  # UTC dates as text, by days since 1970
        self.days = [(first + timedelta(days=n)).isoformat() for n in range(8 * 366)]
        self._midnight: dict[int, int] = {}
        self._local: dict[int, int] = {}
        self._eod: dict[int, int] = {}

    @staticmethod
    def seconds(moment: datetime) -> int:
        return int((moment - EPOCH).total_seconds())

    def text(self, ts: int) -> str:
        return self.days[ts // DAY - self.day0] + self.hms[ts % DAY]

    def local_midnight(self, day: int) -> int:
        """Seconds at the local midnight that starts the day with this ordinal."""
        ts = self._midnight.get(day)
        if ts is None:
            aware = datetime.combine(date.fromordinal(day), time(0), tzinfo=self.tz)
            ts = self._midnight[day] = self.seconds(aware.astimezone(UTC).replace(tzinfo=None))
        return ts

    def local_day(self, ts: int) -> int:
        """The ordinal of the local day at `ts`."""
        # zones differ from UTC by whole quarter hours, so a quarter hour has one local day
        quarter = ts // 900
        day = self._local.get(quarter)
        if day is None:
            day = self._local[quarter] = local_date(EPOCH + timedelta(seconds=quarter * 900),
                                                    self.tz).toordinal()
        return day

    def end_of_day(self, day: int) -> int:
        ts = self._eod.get(day)
        if ts is None:
            ts = self._eod[day] = self.seconds(end_of_local_day_utc(date.fromordinal(day), self.tz))
        return ts


class DueDates:
    """End of the due day, in seconds, of a loan made on a day, by the domain's rule."""

    def __init__(self, clock: Clock, closed: frozenset[date]):
        self.clock, self.closed = clock, closed
        self._cache: dict[tuple[int, int], int] = {}

    def __call__(self, out_day: int, loan_days: int) -> int:
        key = (out_day, loan_days)
        ts = self._cache.get(key)
        if ts is None:
            due = due_date(date.fromordinal(out_day), loan_days, self.closed).toordinal()
            ts = self._cache[key] = self.clock.end_of_day(due)
        return ts
