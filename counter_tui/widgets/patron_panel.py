"""The reader panel: who is at the desk and whether they may borrow."""
from __future__ import annotations

from textual.widgets import Static

from counter_tui.services.library_settings import money
from counter_tui.services.readers.patrons import PatronSummary


class PatronPanel(Static):
    DEFAULT_CSS = """
    PatronPanel { height: 3; padding: 0 1; background: $boost; }
    PatronPanel.blocked { background: $error 30%; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("No reader yet: scan a card, or type part of a name and press Enter.", **kwargs)
        self.summary: PatronSummary | None = None

    def show(self, summary: PatronSummary | None) -> None:
        self.summary = summary
        self.set_class(bool(summary and summary.blocked), "blocked")
        if summary is None:
            self.update("No reader yet: scan a card, or type part of a name and press Enter.")
            return
        overdue = f"[b $error]{summary.overdue} overdue[/]" if summary.overdue else "0 overdue"
        owed = (f"[b $error]owes {money(summary.balance)}[/]" if summary.balance > 0
                else f"[b]in credit {money(-summary.balance)}[/]" if summary.balance < 0 else "owes nothing")
        block = (f"[b $error]BLOCKED: {summary.blocks[0]}[/]" if summary.blocks
                 else f"[b $warning]May borrow no more: {summary.limit_reached}[/]" if summary.limit_reached
                 else "[b $success]May borrow[/]")
        if summary.holds_ready:  # the reader is here: the clerk fetches what waits for them (said
            # first, so a long block reason cannot push it out of sight)
            block = f"[b $warning]{summary.holds_ready} waiting on the hold shelf[/]  " + block
        self.update(
            f"[b]{summary.name}[/]  {summary.card}  {summary.category}"
            f"{'  ' + summary.department if summary.department else ''}\n"
            f"Loans {summary.loans_out}/{summary.loan_limit}  {overdue}  {owed}  "
            f"card expires {summary.expires_on.isoformat()}\n{block}"
        )
