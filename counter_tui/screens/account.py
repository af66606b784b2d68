"""Reader account (F5): loans with due dates, returned history, fees and the balance."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, TabbedContent, TabPane

from counter_tui.screens.checkout import looks_like_name
from counter_tui.screens.desk import ScanDesk
from counter_tui.services import account, circulation, patrons
from counter_tui.services.account import Account
from counter_tui.services.errors import Refusal
from counter_tui.services.library import money
from counter_tui.widgets.patron_panel import PatronPanel
from counter_tui.widgets.patron_picker import PatronPicker


class AccountScreen(ScanDesk):
    TITLE = "Reader account"
    PROMPT = "Scan a reader's card or type part of a name"
    BINDINGS = [
        Binding("ctrl+r", "renew_selected", "Renew selected", id="account.renew"),
        Binding("ctrl+t", "next_tab", "Loans/history/fees", id="account.next_tab"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.account: Account | None = None

    @property
    def patron(self):
        return self.account.patron if self.account else None

    def compose_top(self) -> ComposeResult:
        yield PatronPanel(id="patron")

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="tabs"):
            with TabPane("Loans", id="loans-tab"):
                yield self._table("loans", ("Barcode", 14), ("Title", 28), ("Due", 10), ("Late", 5), ("Ren.", 4))
            with TabPane("History", id="history-tab"):
                yield self._table("history", ("Barcode", 14), ("Title", 30), ("Out", 10), ("Returned", 10))
            with TabPane("Fees", id="fees-tab"):
                yield self._table("fees", ("Date", 10), ("Kind", 10), ("Amount", 10), ("Note", 36))

    @staticmethod
    def _table(name: str, *columns: tuple[str, int]) -> DataTable:
        table = DataTable(id=name, cursor_type="row", zebra_stripes=True)
        for label, width in columns:
            table.add_column(label, width=width)
        return table

    async def handle_scan(self, text: str) -> None:
        try:
            patron = await self.call(patrons.find_by_card, text)
            patron_id = patron.id
        except Refusal as refusal:
            if not looks_like_name(text):
                raise
            matches = await self.call(patrons.search, text)
            if not matches:
                raise Refusal(f"{refusal.sentence} No reader's name matches {text.strip()!r} either.") from refusal
            patron_id = matches[0].id if len(matches) == 1 else await self.app.push_screen_wait(
                PatronPicker(text.strip(), matches))
            if patron_id is None:
                return
        await self.show_patron(patron_id)

    async def show_patron(self, patron_id: int) -> None:
        self.account = await self.call(account.account, patron_id)
        self._fill()

    def _fill(self) -> None:
        acc = self.account
        self.query_one(PatronPanel).show(acc.patron)
        loans = self.query_one("#loans", DataTable)
        loans.clear()
        for line in acc.loans:
            style = "bold red" if line.overdue_days else ""
            loans.add_row(line.barcode, Text(line.title, style=style), Text(line.due.isoformat(), style=style),
                          f"{line.overdue_days}d" if line.overdue_days else "", str(line.renewals),
                          key=str(line.loan_id))
        history = self.query_one("#history", DataTable)
        history.clear()
        history.add_rows([(h.barcode, h.title, h.out_on.isoformat(), h.returned_on.isoformat())
                          for h in acc.history])
        fees = self.query_one("#fees", DataTable)
        fees.clear()
        fees.add_rows([(f.on.isoformat(), f.kind, money(f.amount), f.note) for f in acc.fees])
        fees.add_row("", Text("Balance", style="bold"), Text(money(acc.balance), style="bold"), "")
        self.say(f"{acc.patron.name}: {len(acc.loans)} on loan, balance {money(acc.balance)}. "
                 "Tab to the list, Ctrl+R renews the selected loan.")

    def action_next_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        order = ["loans-tab", "history-tab", "fees-tab"]
        tabs.active = order[(order.index(tabs.active) + 1) % len(order)]

    def action_renew_selected(self) -> None:
        if not self.account or not self.account.loans:
            self.say("No loan to renew.", "yellow")
            return
        table = self.query_one("#loans", DataTable)
        row_key, _ = table.coordinate_to_cell_key((table.cursor_row, 0))
        self.run_worker(self._renew(int(row_key.value)), group="writes")

    async def _renew(self, loan_id: int) -> None:
        try:
            result = await self.call(circulation.renew_loan, self.app.actor, loan_id)
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            self.app.bell()
            return
        await self.show_patron(self.account.patron.id)
        fine = f" Fine so far {money(result.fine)} charged." if result.fine else ""
        self.say(f"Renewed: {result.title}, now due {result.due.isoformat()}.{fine}", "green")
