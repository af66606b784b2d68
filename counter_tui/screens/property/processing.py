"""Processing statistics (F9, Processing statistics): titles and copies catalogued in a period.

Type the first and last day and press Enter; F10 (or Ctrl+G) shows them per day, per
cataloguer or per class in turn. Esc goes back.
"""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from counter_tui.screens.property.bulletin import PERIOD_CSS, fill_period, period_inputs, read_period
from counter_tui.services.property import processing_stats
from counter_tui.services.errors import Refusal
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.widgets.row_table import row_table


class ProcessingScreen(Screen):
    DEFAULT_CSS = PERIOD_CSS.format(id="processing") + """
    ProcessingScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("f10,ctrl+g", "by", "Day/cataloguer/class", id="processing.by"),
        Binding("escape", "back", "Back", id="processing.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.by = "day"
        self.rows: list[processing_stats.Row] = []

    def compose(self) -> ComposeResult:
        yield Static("[b]Processing statistics[/]: titles and copies catalogued", id="processing-title")
        with Horizontal(id="processing-period"):
            yield from period_inputs("processing")
        yield Static("", id="processing-status")
        table = row_table("processing-table", (("Per day", 28), ("Titles", 8), ("Copies", 8)))
        yield table
        yield KeyBar()

    async def on_mount(self) -> None:
        fill_period(self, "processing")
        self.query_one("#processing-to", Input).focus()
        await self.load()

    @on(Input.Submitted)
    async def submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "processing-from":
            self.query_one("#processing-to", Input).focus()
            return
        await self.load()

    async def load(self) -> None:
        status = self.query_one("#processing-status", Static)
        try:
            since, until = read_period(self, "processing")
            self.rows = await self.app.run_db(processing_stats.processing, self.app.actor, since, until, self.by)
        except Refusal as refusal:
            status.update(Text(refusal.sentence, style="bold red"))
            return
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for label, width in ((f"Per {self.by}", 28), ("Titles", 8), ("Copies", 8)):
            table.add_column(label, width=width)
        table.add_rows([(r.key, str(r.titles), str(r.copies)) for r in self.rows])
        status.update(f"From {since} to {until}, per {self.by}. F10: per day, cataloguer or class.")

    async def action_by(self) -> None:
        order = list(processing_stats.BY)
        self.by = order[(order.index(self.by) + 1) % len(order)]
        await self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
