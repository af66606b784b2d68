"""Shelving (F9, Shelving cart): scan copies from the cart back onto their shelves, or count
in-house use: a copy read in the library and left on a table, one scan each.

F10 switches between the two modes, in turn behind the scans already typed. Ctrl+S shelves
the copies whose shelving time is up (as `counter-tui shelve --expired` does; it also runs
when the screen opens). Ctrl+G lists the cart in shelf order. Esc goes back.
"""
from __future__ import annotations

from datetime import UTC

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from counter_tui.screens.scan_desk import KeyCommand, ScanDesk
from counter_tui.screens.circulation.holds import TRAP_CHOICES, trapped_sentence
from counter_tui.services import access
from counter_tui.services.circulation import holds, shelving
from counter_tui.services.errors import Refusal
from counter_tui.widgets.row_table import row_table
from counter_tui.domain.plurals import counted

SHELVE, IN_HOUSE = "shelve", "in-house use"
DONE_COLUMN = 3


SWITCH = KeyCommand("\x00switch")
SWEEP = KeyCommand("\x00sweep")


class ShelvingScreen(ScanDesk):
    TITLE = "Shelving"
    PROMPT = "Scan each copy as it goes back on its shelf"
    COLUMNS = (("Barcode", 14), ("Title", 20), ("Shelf", 19), ("Done", 15))  # Done: "already counted"
    BINDINGS = [
        Binding("f10", "switch", "Shelve/In-house", id="shelving.switch"),
        Binding("ctrl+s", "sweep", "Sweep cart", id="shelving.sweep"),
        Binding("ctrl+g", "cart", "Cart list", id="shelving.cart"),
        Binding("escape", "close", "Back", id="shelving.close"),
    ]
    DEFAULT_CSS = """
    ShelvingScreen #mode { height: 1; padding: 0 1; background: $boost; }
    ShelvingScreen #mode.in-house { background: $warning 40%; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.mode = SHELVE
        self.done = 0  # scans answered, for tests and the clerk

    def compose_top(self) -> ComposeResult:
        yield Static(self._mode_text(), id="mode")

    def _mode_text(self) -> str:
        if self.mode == SHELVE:
            return "[b]Mode: shelving[/] (from the cart to the shelf)   F10 switches to in-house use"
        return "[b]Mode: in-house use[/] (one scan, one use)   F10 switches to shelving"

    def on_mount(self) -> None:
        if not access.may(self.app.actor, access.CIRCULATION):  # reading-room staff count use only
            self.queue.put_nowait(SWITCH)
            return
        self.queue.put_nowait(SWEEP)  # copies whose time is up leave the cart first

    def action_switch(self) -> None:
        self.queue.put_nowait(SWITCH)

    def action_sweep(self) -> None:
        self.queue.put_nowait(SWEEP)

    def action_close(self) -> None:
        self.app.pop_screen()

    async def action_cart(self) -> None:
        copies, total = await self.call(shelving.cart)
        self.app.push_screen(CartList(copies, total))

    async def handle_scan(self, text: str) -> None:
        if text is SWITCH:
            self.mode = IN_HOUSE if self.mode == SHELVE else SHELVE
            mode_line = self.query_one("#mode", Static)
            mode_line.update(self._mode_text())
            mode_line.set_class(self.mode == IN_HOUSE, "in-house")
            self.query_one("#scan").placeholder = (self.PROMPT if self.mode == SHELVE
                                                   else "Scan each copy read in the library")
            self.say(f"Now: {self.mode}.")
            return
        if text is SWEEP:
            try:
                await self.sweep()
            except Refusal as refusal:  # a key, not a scan: said on the status line only
                self.say(refusal.sentence, "bold red")
                self.app.bell()
            return
        try:
            if self.mode == SHELVE:
                done = await self.call(shelving.shelve, self.app.actor, text)
                if done.hold is not None:
                    await self.offer_hold(done)
                    return
                self.add_line(done.barcode, done.title, done.shelf,
                              Text("seen", style="yellow") if done.note else Text("shelved", style="green"))
                self.say(f"{done.title}: {done.note}." if done.note else f"Shelved: {done.title}, {done.shelf}.",
                         "yellow" if done.note else "green")
            else:
                use = await self.call(shelving.in_house_use, self.app.actor, text)
                if use.already_counted_at is not None:  # a second scan of the same book: the same use
                    self.add_line(use.barcode, use.title, use.shelf, Text("already counted", style="yellow"))
                    self.say(f"Already counted: {use.title} was scanned here at "
                             f"{_local(use.already_counted_at, self.app.settings.timezone)}; "
                             f"that is the same use ({use.uses_today} today).", "yellow")
                    return
                self.add_line(use.barcode, use.title, use.shelf, Text(f"use {use.uses_today}", style="green"))
                self.say(f"In-house use counted: {use.title} ({use.uses_today} today)"
                         + ("; onto the shelving cart." if use.to_cart else "."), "green")
        finally:
            self.done += 1

    async def offer_hold(self, done: shelving.ShelvedCopy) -> None:
        """The copy fills a waiting hold: one key puts it on the hold shelf or shelves it anyway."""
        found = done.hold
        self.add_line(done.barcode, done.title, done.shelf, Text("hold?", style="bold yellow"))
        row = self.lines - 1
        self.say(f"{done.title}: a hold waits; do not shelve it yet.", "bold yellow")
        which = "this very copy" if found.copy_level else "the title"
        answer = await self.ask(f"[b]{found.title}[/] ({found.barcode}) fills a hold.\n"
                                f"{found.patron_name} ({found.patron_card}) asked for {which}.",
                                {**TRAP_CHOICES, "n": ("shelve", "shelve it anyway")}, cancel="leave")
        table = self.query_one("#lines", DataTable)
        if answer == "leave":  # Esc writes nothing: the copy stays on the cart, the hold waits
            table.update_cell_at(Coordinate(row, DONE_COLUMN), Text("on cart", style="yellow"))
            self.say(f"{done.title} stays on the cart; the hold still waits (Ctrl+F on F7 lists it).", "yellow")
            return
        try:
            if answer == "shelve":
                await self.call(shelving.shelve, self.app.actor, done.barcode, despite_hold=True)
                table.update_cell_at(Coordinate(row, DONE_COLUMN), Text("shelved", style="green"))
                self.say(f"Shelved: {done.title}, {done.shelf}. The hold still waits.", "yellow")
                return
            trapped = await self.call(holds.trap, self.app.actor, found.item_id, found.hold_id,
                                      print_slip=answer == "print")
        except Refusal as refusal:
            table.update_cell_at(Coordinate(row, DONE_COLUMN), Text("not done", style="red"))
            self.say(refusal.sentence, "bold red")
            self.app.bell()
            return
        table.update_cell_at(Coordinate(row, DONE_COLUMN), Text("HOLD SHELF", style="bold green"))
        self.say(trapped_sentence(trapped), "bold green")

    async def sweep(self) -> None:
        minutes = self.app.settings.shelving_minutes
        if minutes <= 0:
            copies, total = await self.call(shelving.cart)
            self.say(f"{total} on the cart. Copies go back on the shelf only by a shelving scan here.")
            return
        swept = await self.call(shelving.sweep, self.app.actor)
        copies, total = await self.call(shelving.cart)
        self.say(f"{counted(len(swept), 'copy')} on the cart longer than {counted(minutes, 'minute')} now "
                 f"count{'s' if len(swept) == 1 else ''} as shelved; "
                 f"{total} still on the cart.")


def _local(at, zone) -> str:
    return at.replace(tzinfo=UTC).astimezone(zone).strftime("%H:%M")


class CartList(ModalScreen[None]):
    """The cart in shelf order, for sorting it before shelving."""

    DEFAULT_CSS = """
    CartList { align: center middle; }
    CartList > Vertical { width: 78; max-width: 100%; height: 90%; border: thick $accent; background: $surface; }
    CartList DataTable { height: 1fr; }
    CartList Static { height: 1; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,enter,ctrl+g", "close", "Close", id="cart_list.close")]

    def __init__(self, copies: list[shelving.CartCopy], total: int) -> None:
        super().__init__()
        self.copies = copies
        self.total = total

    def compose(self) -> ComposeResult:
        shown = f" ({len(self.copies)} shown)" if len(self.copies) < self.total else ""
        with Vertical():
            yield Static(f"[b]On the shelving cart[/]: {self.total}{shown}, in shelf order.  Esc closes")
            table = row_table(None, (("Location", 10), ("Call number", 16), ("Barcode", 14), ("Title", 16),
                                     ("Since", 5)))
            table.add_rows([(c.location, c.call_number, c.barcode, c.title,
                             Text("up", style="dim") if c.counts_as_shelved else
                             (_local(c.since, self.app.settings.timezone) if c.since else "?"))
                            for c in self.copies])
            yield table

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def action_close(self) -> None:
        self.dismiss(None)
