"""The accession register (F9, Accession register): the balance, totals by period and source, the lines.

The top line proves the balance: holdings = accessions - write-offs, by count and value.
The totals table groups receipts by month (P: day, month, year); the register below lists
the lines in accession-number order, N loads the next page. Tab moves between the tables.
Esc goes back.
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from counter_tui.services.property import accessions
from counter_tui.services.errors import Refusal
from counter_tui.services.library_settings import money
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.widgets.row_table import row_table

PAGE = 200


def _balance_line(b: accessions.Balance) -> Text:
    text = (f"Accessions {b.accessions} ({money(b.accession_value)}) - write-offs {b.written_off} "
            f"({money(b.written_off_value)}) = holdings {b.holdings} ({money(b.holdings_value)})")
    return Text(text + ("  balanced" if b.ok else "  NOT BALANCED"), style="green" if b.ok else "bold red")


class RegisterScreen(Screen):
    DEFAULT_CSS = """
    RegisterScreen #register-title { height: 1; background: $primary; padding: 0 1; }
    RegisterScreen #balance { height: auto; max-height: 2; padding: 0 1; }
    RegisterScreen #totals { height: 8; }
    RegisterScreen #register { height: 1fr; }
    """
    BINDINGS = [
        Binding("p", "period", "Day/month/year", id="register.period"),
        Binding("n", "next_page", "Next page", id="register.next_page"),
        Binding("escape", "back", "Back", id="register.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.period = "month"
        self.last_number = 0
        self.shown = 0

    def compose(self) -> ComposeResult:
        yield Static("[b]Accession register[/]", id="register-title")
        yield Static("", id="balance")
        totals = row_table("totals", (("Period", 10), ("Source", 14), ("Copies", 8), ("Value", 14)))
        yield totals
        lines = row_table("register", (("Acc. no.", 8), ("Received", 10), ("Source", 9), ("Price", 9),
                                       ("Barcode", 14), ("Title", 12), ("W/o", 4)))
        yield lines
        yield KeyBar()

    async def on_mount(self) -> None:
        self.query_one("#register", DataTable).focus()
        try:
            balance = await self.app.run_db(accessions.balance)
            self.query_one("#balance", Static).update(_balance_line(balance))
            await self.load_totals()
            await self.action_next_page()
        except Refusal as refusal:
            self.query_one("#balance", Static).update(Text(refusal.sentence, style="bold red"))

    async def load_totals(self) -> None:
        rows = await self.app.run_db(accessions.totals, self.app.actor, period=self.period)
        table = self.query_one("#totals", DataTable)
        table.clear()
        table.add_rows([(t.period, t.source, str(t.copies), money(t.value)) for t in rows])
        if rows:
            table.move_cursor(row=len(rows) - 1)

    async def action_period(self) -> None:
        order = list(accessions.PERIODS)
        self.period = order[(order.index(self.period) + 1) % len(order)]
        try:
            await self.load_totals()
        except Refusal as refusal:  # said where the balance stands, as when the screen opened
            self.query_one("#balance", Static).update(Text(refusal.sentence, style="bold red"))

    async def action_next_page(self) -> None:
        try:
            page = await self.app.run_db(accessions.register, self.app.actor, after_number=self.last_number,
                                limit=PAGE)
        except Refusal as refusal:
            self.query_one("#balance", Static).update(Text(refusal.sentence, style="bold red"))
            return
        if not page:
            self.app.bell()
            return
        table = self.query_one("#register", DataTable)
        table.add_rows([(str(line.number), line.received_on.isoformat(), line.source, money(line.price),
                         line.barcode, line.title, str(line.withdrawn_by or "")) for line in page])
        self.last_number = page[-1].number
        self.shown += len(page)

    def action_back(self) -> None:
        self.app.pop_screen()
