"""Check in (F3): scan returned books one after another."""
from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from counter_tui.screens.circulation import damage
from counter_tui.screens.scan_desk import ScanDesk
from counter_tui.services.circulation import lending
from counter_tui.services.library_settings import money
from counter_tui.domain.plurals import counted


class CheckinScreen(ScanDesk):
    TITLE = "Check in"
    PROMPT = "Scan each returned book"
    COLUMNS = (("Barcode", 14), ("Title", 18), ("Reader", 10), ("Late", 4), ("Fine", 7), ("Goes to", 13))
    BINDINGS = [Binding("ctrl+y", "explain_fine", "Why this fine", id="checkin.explain_fine"),
                Binding("ctrl+t", "damage", "Damage", id="checkin.damage")]

    def __init__(self) -> None:
        super().__init__()
        self.loan_lines: dict[int, int] = {}  # line number -> the loan it closed, for Ctrl+Y

    def action_explain_fine(self) -> None:
        from counter_tui.screens.explanation import explain_checkin_line
        explain_checkin_line(self)

    def action_damage(self) -> None:
        """Assess the damage of the book on the chosen line, in turn behind the scans."""
        self.queue.put_nowait(damage.request(self))

    async def handle_scan(self, text: str) -> None:
        if isinstance(text, damage.AssessLine):  # put on the queue by the damage key
            await damage.assess_line(self, text)
            return
        result = await self.call(lending.checkin, self.app.actor, text)
        if result.hold is not None:  # a hold waits for this copy: one key decides (screens/holds.py)
            from counter_tui.screens.circulation.holds import returned_for_hold
            await returned_for_hold(self, result)
            return
        if not result.was_on_loan:
            self.add_line(result.barcode, result.title, "", "", "", result.destination)
            self.say(f"{result.title}: {result.note} To the shelf: {result.destination}.", "yellow")
            self.app.bell()
            return
        late = Text(f"{result.days_late}d", style="bold red") if result.days_late else "-"
        fine = Text(money(result.fine), style="bold red") if result.fine else "-"
        self.add_line(result.barcode, result.title, result.patron_name, late, fine, result.destination)
        self.loan_lines[self.lines - 1] = result.loan_id
        if result.fine:
            self.say(f"Returned by {result.patron_name}, {counted(result.days_late, 'day')} late: "
                     f"fine {money(result.fine)} charged; to the shelf: {result.destination}.", "bold red")
        elif result.days_late:
            self.say(f"Returned by {result.patron_name}, {counted(result.days_late, 'day')} late, no fine "
                     f"(grace or closed days); to the shelf: {result.destination}.", "yellow")
        else:
            self.say(f"Returned by {result.patron_name}, on time; to the shelf: {result.destination}.", "green")
