"""The accession register (F9, Accession register): the balance, totals by period and source, the lines.

The top line proves the balance: holdings = accessions - write-offs, by count and value.
The totals table groups receipts by month (P: day, month, year); the register below lists
the lines in accession-number order, N loads the next page. Tab moves between the tables.
A source outside the known list (domain/acquisition_sources.py) shows in red in the totals;
S asks for the right source of such a line: the highlighted one, else the next one after it
(`counter-tui check` names them). Esc goes back.
"""
from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Static

from counter_tui.domain import acquisition_sources
from counter_tui.services.property import accessions
from counter_tui.services.errors import Refusal
from counter_tui.services.library_settings import money
from counter_tui.widgets.fields_dialog import Field, FieldsDialog
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.widgets.row_table import row_table

PAGE = 200


def _balance_line(b: accessions.Balance) -> Text:
    text = (f"Accessions {b.accessions} ({money(b.accession_value)}) - write-offs {b.written_off} "
            f"({money(b.written_off_value)}) = holdings {b.holdings} ({money(b.holdings_value)})")
    return Text(text + ("  balanced" if b.ok else "  NOT BALANCED"), style="green" if b.ok else "bold red")


class SourceForm(FieldsDialog):
    """The right source for a register line: wide enough for the list of sources on one line."""
    DEFAULT_CSS = """
    SourceForm > Vertical { width: 76; }
    """


class RegisterScreen(Screen):
    DEFAULT_CSS = """
    RegisterScreen #register-title { height: 1; background: $primary; padding: 0 1; }
    RegisterScreen #balance { height: auto; max-height: 2; padding: 0 1; }
    RegisterScreen #register-status { height: auto; max-height: 2; padding: 0 1; }
    RegisterScreen #totals { height: 8; }
    RegisterScreen #register { height: 1fr; }
    """
    BINDINGS = [
        Binding("p", "period", "Day/month/year", id="register.period"),
        Binding("n", "next_page", "Next page", id="register.next_page"),
        Binding("s", "correct_source", "Correct a source", id="register.correct_source"),
        Binding("escape", "back", "Back", id="register.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.period = "month"
        self.last_number = 0
        self.shown = 0
        self.lines: list[accessions.RegisterLine] = []  # the register table's rows, in order

    def compose(self) -> ComposeResult:
        yield Static("[b]Accession register[/]", id="register-title")
        yield Static("", id="balance")
        yield Static("", id="register-status")
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
        table.add_rows([(t.period, t.source if t.known else Text(t.source, style="bold red"), str(t.copies),
                         money(t.value)) for t in rows])
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
        self.lines.extend(page)
        self.last_number = page[-1].number
        self.shown += len(page)

    def say(self, text: str, style: str = "") -> None:
        self.query_one("#register-status", Static).update(Text(text, style=style))

    def action_correct_source(self) -> None:
        self.run_worker(self._correct_refused(), group="register.correct", exclusive=True)

    async def _correct_refused(self) -> None:
        try:
            await self._correct()
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            self.app.bell()

    async def _correct(self) -> None:
        """S: the right source for the highlighted line if its source is not a known one, else for the next such line."""
        table = self.query_one("#register", DataTable)
        here = self.lines[table.cursor_row] if 0 <= table.cursor_row < len(self.lines) else None
        if here is not None and here.source not in acquisition_sources.SOURCES:
            line = here
        else:
            line = await self.app.run_db(accessions.next_unknown_source, self.app.actor,
                                         here.number if here is not None else 0)
        if line is None:
            self.say("Every register line has a known source.", "green")
            return
        source = await self.app.push_screen_wait(SourceForm(
            f"Register line {line.number}, copy {line.barcode}: the source says '{escape(line.source)}'",
            [Field("source", f"Source: {acquisition_sources.choices()}")],
            save=lambda values: accessions.correct_source(self.app.actor, line.number, values["source"])))
        if source is None:
            self.say("Not corrected.")
            return
        row = next((i for i, shown in enumerate(self.lines) if shown.number == line.number), None)
        if row is not None:  # on a page already loaded
            self.lines[row] = replace(line, source=source)
            table.update_cell_at((row, 2), source)
            table.move_cursor(row=row)
        await self.load_totals()
        self.say(f"Register line {line.number}: source '{line.source}' corrected to '{source}'.", "green")

    def action_back(self) -> None:
        self.app.pop_screen()
