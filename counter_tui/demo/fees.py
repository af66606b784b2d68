"""Fees: the overdue fines that late returns left, most of them paid at the desk, some still owed."""
from __future__ import annotations

from bisect import bisect
from datetime import date

from counter_tui.demo.clock import DAY
from counter_tui.domain.fines import overdue_fine
from counter_tui.models import Fee
from counter_tui.services.circulation import rules


class FinesAndPayments:
    """The builder's fees (mixed into builder.Builder)."""

    def _fees(self) -> None:
        """Overdue fines of late returns; most were paid within days, some are still owed."""
        rand, clock, text = self.rand, self.clock, self.clock.text
        kinds = len(self.kinds)
        table = self._table(Fee, (Fee.patron, Fee.loan, Fee.kind, Fee.amount, Fee.at, Fee.staff, Fee.note))
        policies = [rules.fine_policy(rule) for rule in self.pair_rule]
        policy_number = {policy: n for n, policy in enumerate(dict.fromkeys(policies))}
        pair_policy = [policy_number[policy] for policy in policies]  # equal policies, one number
        closed = sorted(self.closed_days)
        fines: dict[tuple, int] = {}
        charged = paid = 0
        for loan_id, reader, item, due_ts, returned in self.late_returns:
            pair = self.reader_category[reader] * kinds + self.item_kind[item]
            policy = policies[pair]
            due, back = clock.local_day(due_ts), clock.local_day(returned)
            price = self.title_price[self.item_title[item]]
            capped_by_price = policy.cap_at_price and (policy.cap is None or price < policy.cap)
            # The fine depends on the dates only through the days late and the closed days
            # among them, so one reckoning by the domain serves every return alike
            # (tests/test_demo.py recomputes every fee from its loan to hold this to account).
            first, last = bisect(closed, due), bisect(closed, back)
            key = (pair_policy[pair], back - due, last - first, price if capped_by_price else 0)
            amount = fines.get(key)
            if amount is None:
                between = [date.fromordinal(d) for d in closed[first:last]]
                amount = fines[key] = overdue_fine(date.fromordinal(due), date.fromordinal(back), policy,
                                                   between, price=price).amount
            if amount <= 0:
                continue
            patron = self.patron_base + reader
            title = self.title_text[self.item_title[item]]
            table.add(patron, loan_id, "overdue", amount, text(returned), self.clerk_id,
                      f"{back - due} days late: {title}"[:250])
            charged += 1
            if rand() < 0.8:  # paid within days (and by now)
                at = returned + int(rand() * max(0, min(12 * DAY, self.now_ts - 60 - returned)))
                table.add(patron, None, "payment", -amount, text(at), self.clerk_id, "Paid at the desk")
                paid += 1
            table.maybe_flush()
        table.flush(final=True)
        self.counts["fees_charged"] = charged
        self.counts["payments"] = paid
