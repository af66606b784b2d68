"""The shape every scanning desk shares: a scan line, a queue, a list of results.

Scans go into a queue the moment Enter arrives and one worker takes them out in order,
runs the service off the event loop (on the app's single database thread, so writes
happen in scan order) and writes the answer. A question to the clerk holds the queue;
scans that arrive meanwhile wait behind it.
"""
from __future__ import annotations

import asyncio
from contextlib import ExitStack
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from counter_tui.services.errors import Refusal
from counter_tui.widgets.decision import Decision
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.widgets.patron_picker import PatronPicker
from counter_tui.widgets.row_table import row_table
from counter_tui.widgets.scan_input import ScanInput
from counter_tui.widgets.title_bar import TitleBar

T = TypeVar("T")

BATCH_SECONDS = 0.1
PAINT_SECONDS = 0.02


class KeyCommand(str):
    """A key's request put on the scan queue, so it applies in turn with the scans typed
    around it; a desk tells it from a scan by identity (`if text is SWEEP`)."""


REREAD = KeyCommand("reread")  # read again what the screen shows: someone may have changed it meanwhile


class ScanDesk(Screen):
    """Subclasses set TITLE and COLUMNS and define `async def handle_scan(self, text)`."""

    CSS_PATH = Path(__file__).with_name("scan_desk.tcss")  # absolute: desks in other packages inherit it
    TITLE = "Desk"
    PROMPT = "Scan a barcode and press Enter"
    COLUMNS: tuple[tuple[str, int], ...] = ()
    # Up and Down from the scan line walk the lines (the keys that act on "this line" follow),
    # and the status line reads out the whole of the line the cursor is on.
    BINDINGS = [Binding("up", "line(-1)", "Line up", show=False, id="desk.line_up"),
                Binding("down", "line(1)", "Line down", show=False, id="desk.line_down")]

    def __init__(self) -> None:
        super().__init__()
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.lines = 0
        self.notes: list[tuple[str, str]] = []  # each line's whole sentence and its style, by row
        self.busy = False  # answering a scan (or waiting on the clerk's answer to one)
        self._batch = ExitStack()

    def compose(self) -> ComposeResult:
        yield TitleBar(self.TITLE, id="title")
        yield from self.compose_top()
        yield ScanInput(self.PROMPT, id="scan")
        yield Static("", id="status")
        yield from self.compose_body()
        yield KeyBar()

    def compose_top(self) -> ComposeResult:
        yield from ()

    def compose_body(self) -> ComposeResult:
        table = row_table("lines", self.COLUMNS)
        yield table

    def on_mount(self) -> None:
        self.app.scan_desks.add(self)  # the app finishes every desk's scans before it quits
        self.query_one(ScanInput).focus()
        self.run_worker(self._drain(), group="scans", name=f"{self.TITLE} scans")

    def on_screen_resume(self) -> None:
        """Back on this screen (after a dialog, another desk, or someone else signing in):
        what it shows is read again, in turn with the scans."""
        self.query_one(ScanInput).focus()
        if hasattr(self, "reread"):
            self.queue.put_nowait(REREAD)

    @on(ScanInput.Scanned)
    def enqueue(self, message: ScanInput.Scanned) -> None:
        self.queue.put_nowait(message.text)
        self._show_waiting()

    def _show_waiting(self) -> None:
        waiting = self.queue.qsize()
        self.query_one(ScanInput).border_subtitle = f"{waiting} waiting" if waiting else ""

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            text = await self.queue.get()
            # Scans already waiting are answered one by one but painted once: a repaint
            # costs tens of milliseconds and a scan a few, so painting after each one
            # would make a fast pile crawl. A tenth of a second at most goes unpainted.
            self._batch = ExitStack()
            self._batch.enter_context(self.app.batch_update())
            started = loop.time()
            self.busy = True
            try:
                await self._process(text)
                while not self.queue.empty() and loop.time() - started < BATCH_SECONDS:
                    await self._process(self.queue.get_nowait())
            finally:
                self._batch.close()
                self.busy = False
            self._show_waiting()
            if not self.queue.empty():
                await asyncio.sleep(PAINT_SECONDS)  # let the screen paint before the next batch

    async def _process(self, text: str) -> None:
        self._show_waiting()
        try:
            if text is REREAD:
                await self.reread()
                return
            await self.handle_scan(text)
        except Refusal as refusal:
            self.refuse(refusal, text)
        except Exception as exc:  # a bug must not stop the queue or show a traceback
            self.app.log.error(f"scan {text!r} failed: {exc!r}")
            where = self.app.log_error(exc, f"a scan at {type(self).__name__}")  # the log, not the scan's text
            self.refuse(Refusal(f"Something went wrong with {text.strip()}: {exc}. {where}"), text)

    async def call(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run a service on the database thread and wait for its answer."""
        return await self.app.run_db(fn, *args, **kwargs)

    async def put_to_clerk(self, dialog: ModalScreen[T]) -> T:
        """Show a dialog now and wait for its answer; scans typed meanwhile join the queue."""
        self._batch.close()  # painted now: a dialog pushed inside the held repaint stays invisible
        return await self.app.push_screen_wait(dialog)

    async def ask(self, question: str, choices: dict[str, tuple[str, str]], cancel: str = "") -> str:
        """One-key question; scans typed meanwhile join the queue behind this one."""
        return await self.put_to_clerk(Decision(question, choices, self.queue.put_nowait, cancel))

    async def choose_reader(self, text: str, matches: list) -> int | None:
        """The one reader a typed name means: the only match, or the clerk's pick from a list
        (None: none chosen). A scan typed while the list is open waits its turn."""
        if len(matches) == 1:
            return matches[0].id
        return await self.put_to_clerk(PatronPicker(text.strip(), matches, self.queue.put_nowait))

    # -- what the clerk sees ------------------------------------------------------------

    def say(self, sentence: str, style: str = "") -> None:
        self.query_one("#status", Static).update(Text(sentence, style=style))

    def refuse(self, refusal: Refusal, scanned: str) -> None:
        self.say(refusal.sentence, "bold red")
        self.add_line(Text(scanned.strip(), style="red"), Text("✗ " + refusal.sentence, style="red"),
                      note=f"{scanned.strip()}: {refusal.sentence}", note_style="bold red")
        if refusal.bell:
            self.app.bell()

    def add_line(self, *cells, note: str = "", note_style: str = "") -> None:
        """A line of the list; `note` is what the status line reads out when the cursor is on it
        (by default the line's cells in full, which the columns may cut)."""
        table = self.query_one("#lines", DataTable)
        padded = list(cells) + [""] * (len(self.COLUMNS) - len(cells))
        table.add_row(*padded[: len(self.COLUMNS)])
        self.notes.append((note or "  ".join(str(c) for c in cells if str(c)), note_style))
        self.lines += 1
        table.move_cursor(row=table.row_count - 1)

    def clear_lines(self) -> None:
        self.query_one("#lines", DataTable).clear()
        self.notes.clear()
        self.lines = 0

    def action_line(self, step: int) -> None:
        table = self.query_one("#lines", DataTable)
        if table.row_count == 0:
            return
        table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))
        if table.cursor_row < len(self.notes):
            self.say(*self.notes[table.cursor_row])
