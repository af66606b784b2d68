"""How big a demo library is: the Scale, the desk's demo and the benchmarks' large library."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    titles: int
    copies: int
    readers: int
    past_loans: int
    open_loans: int
    overdue_loans: int  # of the open loans, this many are past their due date at `now`

    def __post_init__(self) -> None:
        if min(self.titles, self.readers) < 1:
            raise ValueError("A demo library needs at least one title and one reader.")
        if min(self.past_loans, self.open_loans, self.overdue_loans) < 0:
            raise ValueError("Loan counts cannot be negative.")
        if self.copies < self.titles:
            raise ValueError("Every title needs at least one copy: copies >= titles.")
        if self.overdue_loans > self.open_loans:
            raise ValueError("Overdue loans are some of the open loans: overdue_loans <= open_loans.")
        if self.open_loans > self.copies // 4:
            raise ValueError("Lend at most a quarter of the copies at once.")


DEMO = Scale(titles=3000, copies=5000, readers=500, past_loans=4000, open_loans=600, overdue_loans=80)
LARGE = Scale(titles=300_000, copies=1_000_000, readers=100_000, past_loans=2_000_000,
              open_loans=50_000, overdue_loans=5_000)
