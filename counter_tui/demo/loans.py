"""Circulation history: the loans out now (some overdue) and two years of returned loans."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from counter_tui.demo.bulk_load import columns
from counter_tui.demo.clock import DAY, OPEN_FROM, OPEN_UNTIL, Clock, DueDates
from counter_tui.domain.item_status import ItemStatus
from counter_tui.models import Loan

if TYPE_CHECKING:
    from counter_tui.demo.parallel_build import Sink

LOAN_FIELDS = (Loan.id, Loan.item, Loan.patron, Loan.out_at, Loan.due_at, Loan.returned_at, Loan.renewals,
               Loan.staff_out, Loan.staff_in)


@dataclass
class PastLoanPlan:
    """One share of the past loans: its own readers and copies, so shares never meet."""
    seed: str
    count: int
    tz: str
    today: int
    now_ts: int
    closed: list[int]  # closed day ordinals
    open_days: list[int]  # open days of the last two years, oldest first
    copies: list[int]  # copies of this share (loanable, not on loan now)
    copy_kind: list[int]  # by position in `copies`
    copy_acquired: list[int]  # by position in `copies`: day ordinals
    first_reader: int  # the share's readers are first_reader, first_reader + 1, ...
    reader_pair: list[int]  # by position among the share's readers: category * kinds
    pair_days: list[int]  # category * kinds + kind -> loan period
    first_id: int
    item_base: int
    patron_base: int
    clerk_id: int


def write_past_loans(plan: PastLoanPlan, sink: Sink, _early=None) -> tuple[int, list[tuple[int, int, int, int, int]]]:
    """Two years of returned loans, day by day, never two at once on one copy.

    The loans are numbered in order of reader and return time, the order of the two
    reader indexes on Loan: those indexes then build from sorted rows, twice as fast.
    Returns the number of loans and the late returns as
    (loan id, reader, copy, due seconds, returned seconds).
    """
    rng = random.Random(plan.seed)
    rand = rng.random
    clock = Clock(ZoneInfo(plan.tz), plan.today)
    due_of = DueDates(clock, frozenset(date.fromordinal(d) for d in plan.closed))
    open_days, copies, copy_kind = plan.open_days, plan.copies, plan.copy_kind
    reader_pair, pair_days = plan.reader_pair, plan.pair_days
    copy_count, reader_count = len(copies), len(reader_pair)
    per_day = [0] * len(open_days)
    if copy_count and reader_count:
        for _ in range(plan.count):
            per_day[int(rand() * len(open_days))] += 1
    # when each copy is next free: from the day after it was acquired, then after each return
    busy = [clock.local_midnight(day + 1) for day in plan.copy_acquired]
    latest, today, midnight = plan.now_ts - 600, plan.today, clock.local_midnight
    by_reader: list[list[tuple[int, int, int, int, int]]] = [[] for _ in reader_pair]  # returned, copy, out, due, late
    open_span = OPEN_UNTIL - OPEN_FROM
    for day, count in zip(open_days, per_day):
        if not count:
            continue
        start = clock.local_midnight(day) + OPEN_FROM
        due_for: dict[int, int] = {}
        for _ in range(count):
            out_ts = start + int(rand() * open_span)
            position = int(rand() * copy_count)
            if busy[position] > out_ts:
                for _attempt in range(100):
                    position = int(rand() * copy_count)
                    if busy[position] <= out_ts:
                        break
                else:
                    continue  # every copy tried was out: skip this loan (vanishingly rare)
            reader = int(rand() * reader_count)
            loan_days = pair_days[reader_pair[reader] + copy_kind[position]]
            due = due_for.get(loan_days)
            if due is None:
                due_ts = due_of(day, loan_days)
                due = due_for[loan_days] = (due_ts, clock.local_day(due_ts))
            due_ts, due_day = due
            if rand() < 0.08 and due_day + 1 < today:
                # back late: within 44 days after the due day (and by today), in desk hours
                back_day = due_day + 1 + int(rand() * min(44, today - due_day - 1))
                late = 1
            else:  # back in time: any day from the loan to the due day (and by today)
                back_day = day + int(rand() * ((due_day if due_day < today else today) - day + 1))
                late = 0
            returned = midnight(back_day) + OPEN_FROM + int(rand() * open_span)
            if returned <= out_ts:  # back the day it went out
                returned = out_ts + 600 + int(rand() * 3600)
            if returned > latest:
                returned = latest - int(rand() * 3600)
            busy[position] = returned + 3600
            by_reader[reader].append((returned, copies[position], out_ts, due_ts, late))
    days_text, hms, day0 = clock.days, clock.hms, clock.day0
    item_base, clerk = plan.item_base, plan.clerk_id
    due_text: dict[int, str] = {}
    out = sink.rows(Loan._meta.table_name, columns(LOAN_FIELDS))
    put = out.flat.extend
    late_returns: list[tuple[int, int, int, int, int]] = []
    loan_id = plan.first_id
    for position, loans in enumerate(by_reader):
        if not loans:
            continue
        if len(loans) > 1:
            loans.sort()
        reader = plan.first_reader + position
        patron = plan.patron_base + reader
        for returned, item, out_ts, due_ts, late in loans:
            text = due_text.get(due_ts)
            if text is None:
                text = due_text[due_ts] = clock.text(due_ts)
            # one loan in twenty was renewed once (chosen by the return time: no extra draw)
            put((loan_id, item_base + item, patron, days_text[out_ts // DAY - day0] + hms[out_ts % DAY], text,
                 days_text[returned // DAY - day0] + hms[returned % DAY], 1 if returned % 20 == 0 else 0,
                 clerk, clerk))
            if late:
                late_returns.append((loan_id, reader, item, due_ts, returned))
            loan_id += 1
        out.maybe_flush()
    out.flush(final=True)
    return out.written, late_returns


class LoanHistory:
    """The builder's loans: which copies are out now and to whom, and the shares of past loans."""

    def _plan_open_loans(self) -> None:
        """The copies on loan now, to whom, since when; the first `overdue_loans` are overdue."""
        below, clock, today, due_of = self._below, self.clock, self.today, self.due_of
        count, wanted, kinds = len(self.item_title), self.scale.open_loans, len(self.kinds)
        lent_since = today - 240  # copies on loan now were acquired well before
        chosen: list[int] = []
        taken: set[int] = set()
        for _attempt in range(50 * (wanted + 10)):
            if len(chosen) == wanted:
                break
            item = below(count)
            if (item not in taken and self.kind_loanable[self.item_kind[item]]
                    and self.item_status[item] == "available" and self.item_acquired[item] < lent_since):
                taken.add(item)
                chosen.append(item)
                self.item_status[item] = ItemStatus.CHECKED_OUT.value
        if len(chosen) < wanted:
            raise ValueError("Not enough loanable copies for the open loans of this scale.")
        self.open_items = taken
        readers = [r for r in range(self.scale.readers)
                   if self.reader_status[r] == "active" and self.reader_expires[r] >= today]
        readers = readers or list(range(self.scale.readers))
        limits = [self.categories[code].loan_limit for code in self.category_codes]
        out_count = [0] * self.scale.readers
        today_ends = clock.end_of_day(today)
        recent: dict[int, list[int]] = {}
        self.open_loans: list[tuple[int, int, int, int]] = []  # copy, reader, out seconds, due seconds
        for k, item in enumerate(chosen):
            reader = readers[below(len(readers))]
            for _ in range(20):  # keep within the reader's loan limit where possible
                if out_count[reader] < limits[self.reader_category[reader]]:
                    break
                reader = readers[below(len(readers))]
            out_count[reader] += 1
            loan_days = self.pair_days[self.reader_category[reader] * kinds + self.item_kind[item]]
            if k < self.scale.overdue_loans:
                out_day = today - loan_days - 1 - min(int(self.rng.expovariate(1 / 12)), 120)
                while out_day % 7 == 0 or out_day in self.closed_days or due_of(out_day, loan_days) >= today_ends:
                    out_day -= 1
            else:  # lent on an open day recent enough to be due after today
                days = recent.get(loan_days)
                if days is None:
                    days = recent[loan_days] = [d for d in self.open_days[-loan_days:]
                                                if due_of(d, loan_days) >= today_ends] or [today - 1]
                out_day = days[below(len(days))]
            out_ts = clock.local_midnight(out_day) + OPEN_FROM + below(OPEN_UNTIL - OPEN_FROM)
            self.open_loans.append((item, reader, out_ts, due_of(out_day, loan_days)))

    def _past_loan_plans(self) -> list[PastLoanPlan]:
        """Two shares of the past loans (half the readers, half the copies each), made apart."""
        kinds = len(self.kinds)
        lendable = [i for i, kind in enumerate(self.item_kind)
                    if self.kind_loanable[kind] and i not in self.open_items]
        readers, half = self.scale.readers, self.scale.readers // 2
        shares = [(lendable[0::2], 0, half, self.scale.past_loans // 2),
                  (lendable[1::2], half, readers, self.scale.past_loans - self.scale.past_loans // 2)]
        if half == 0:  # a single reader takes every loan
            shares = [(lendable, 0, readers, self.scale.past_loans)]
        first_id = self.loan_base + len(self.open_loans)
        closed = sorted(self.closed_days)
        plans = []
        for n, (copies, first_reader, end_reader, count) in enumerate(shares):
            plans.append(PastLoanPlan(
                seed=f"{self.seed}:loans:{n}", count=count, tz=self.tz.key, today=self.today,
                now_ts=self.now_ts, closed=closed, open_days=self.open_days, copies=copies,
                copy_kind=[self.item_kind[i] for i in copies],
                copy_acquired=[self.item_acquired[i] for i in copies], first_reader=first_reader,
                reader_pair=[category * kinds for category in self.reader_category[first_reader:end_reader]],
                pair_days=self.pair_days, first_id=first_id,
                item_base=self.item_base, patron_base=self.patron_base, clerk_id=self.clerk_id))
            first_id += count  # a skipped loan leaves a gap in the ids, nothing else
        return plans

    def _open_loans(self) -> None:
        text = self.clock.text
        table = self._table(Loan, LOAN_FIELDS)
        for n, (item, reader, out_ts, due_ts) in enumerate(self.open_loans):
            table.add(self.loan_base + n, self.item_base + item, self.patron_base + reader, text(out_ts),
                      text(due_ts), None, 0, self.clerk_id, None)
        table.flush(final=True)
        self.counts["open_loans"] = table.written
        self.counts["overdue_loans"] = sum(1 for *_, due_ts in self.open_loans if due_ts < self.now_ts)
