"""The shelf list (F9): copies in call-number order, from a typed call number, page by page.

Type a call number (or scan a copy) and press Enter to go to that place on the shelves;
PgDn shows the next copies, PgUp the ones before; Ctrl+F goes back to the call number;
Esc leaves. Every staff member may browse.
"""
from __future__ import annotations


from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from counter_tui.services.catalogue import shelf_list
from counter_tui.services.errors import Refusal
from counter_tui.services.catalogue.shelf_list import ShelfPage
from counter_tui.widgets.cells import cut
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.widgets.row_table import row_table
from counter_tui.widgets.title_bar import TitleBar
from counter_tui.domain.plurals import counted

# fits 80 columns with the scrollbar: each column adds 2 of padding
COLUMNS = (("Call number", 15), ("Title", 27), ("Barcode", 14), ("Status", 12))


class ShelfListScreen(Screen):
    TITLE = "Shelf list"
    DEFAULT_CSS = """
    ShelfListScreen #shelf-start { height: 1; padding: 0 1; }
    ShelfListScreen #shelf-start Label { width: 13; }
    ShelfListScreen #shelf-start Input { width: 1fr; }
    ShelfListScreen #shelf-start Input:focus { background: $primary 30%; }
    ShelfListScreen #shelf-status { height: auto; max-height: 2; padding: 0 1; }
    ShelfListScreen #shelf { height: 1fr; }
    """
    BINDINGS = [
        # priority: the table's own PgDn/PgUp would only scroll the page already shown
        Binding("pagedown", "next_page", "Next", id="shelf_list.next", priority=True),
        Binding("pageup", "previous_page", "Before", id="shelf_list.previous", priority=True),
        Binding("ctrl+f", "find", "Call number", id="shelf_list.find"),
        Binding("escape", "close", "Close", id="shelf_list.close"),
    ]

    def __init__(self, page_size: int = 50) -> None:
        super().__init__()
        self.page_size = page_size
        self.page = ShelfPage([], False, False)
        self.loaded = 0  # pages loaded so far; tests wait on it

    def compose(self) -> ComposeResult:
        yield TitleBar(self.TITLE, id="title")
        with Horizontal(id="shelf-start"):
            yield Label("Call number")
            yield Input(placeholder="e.g. I247.5 or TP311/12; a copy's barcode; Enter goes there",
                        id="shelf-from", compact=True)
        yield Static("", id="shelf-status")
        table = row_table("shelf", COLUMNS)
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#shelf-from", Input).focus()
        self.load(start="")

    # -- loading --------------------------------------------------------------------

    def load(self, **where) -> None:
        self.run_worker(self._load(where), group="shelf_list", exclusive=True)

    async def _load(self, where: dict) -> None:
        try:
            page = await self.app.run_db(shelf_list.browse, self.app.actor, limit=self.page_size, **where)
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            self.app.bell()
            return
        self.page = page
        self._fill()
        self.loaded += 1

    def _fill(self) -> None:
        table = self.query_one("#shelf", DataTable)
        table.clear()
        table.add_rows([(cut(row.call_number, 15), cut(row.title, 27), row.barcode, cut(row.status, 12))
                        for row in self.page.rows])
        rows = self.page.rows
        if not rows:
            self.say("No copies with call numbers yet.")
            return
        keys = (["PgUp before"] if self.page.more_before else ["first shelf"]) + \
               (["PgDn next"] if self.page.more_after else ["last shelf"])
        self.say(f"{rows[0].call_number} to {rows[-1].call_number}: {counted(len(rows), 'copy')}. {', '.join(keys)}.")

    def say(self, sentence: str, style: str = "") -> None:
        self.query_one("#shelf-status", Static).update(Text(sentence, style=style))

    # -- keys -----------------------------------------------------------------------

    @on(Input.Submitted, "#shelf-from")
    def go_to(self, event: Input.Submitted) -> None:
        self.load(start=event.value)
        self.query_one("#shelf", DataTable).focus()

    def action_next_page(self) -> None:
        if not self.page.more_after or not self.page.rows:
            self.say("This is the last shelf.")
            return
        self.load(after=self.page.rows[-1].place)

    def action_previous_page(self) -> None:
        if not self.page.more_before:
            self.say("This is the first shelf.")
            return
        if self.page.rows:
            self.load(before=self.page.rows[0].place)
        else:
            self.load(start="")

    def action_find(self) -> None:
        field = self.query_one("#shelf-from", Input)
        field.focus()
        field.select_all()

    def action_close(self) -> None:
        """Esc in the call number goes to the list; Esc on the list leaves the screen."""
        if isinstance(self.focused, Input):
            self.query_one("#shelf", DataTable).focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
