"""Transfer to circulation (F9, Transfer new books): scan finished copies into the batch, F10 to close it.

The screen picks up your open batch (or opens the next number). Each scan puts a copy
"in processing" into the batch; Ctrl+R then a scan takes a copy out again. F10 (or Ctrl+S)
closes the batch: the copies become available and the transfer list is written as a PDF
for signature. The next scan after that opens a new batch. Esc goes back (an open batch
stays open for later).
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from counter_tui.screens.scan_desk import KeyCommand, ScanDesk
from counter_tui.services.property import transfers
from counter_tui.domain.plurals import counted


OPEN = KeyCommand("\x00open")
CLOSE = KeyCommand("\x00close")
TAKE_OUT = KeyCommand("\x00take-out")


class TransferScreen(ScanDesk):
    TITLE = "Transfer new books to circulation"
    PROMPT = "Scan each new copy into the batch; F10 closes it"
    COLUMNS = (("Barcode", 14), ("Acc. no.", 8), ("Title", 20), ("Call number", 14), ("", 9))
    BINDINGS = [
        Binding("f10,ctrl+s", "close_batch", "Close batch, print list", id="transfer.close"),
        Binding("ctrl+r", "take_out", "Take out next scan", id="transfer.take_out"),
        Binding("escape", "back", "Back", id="transfer.back"),
    ]
    DEFAULT_CSS = """
    TransferScreen #batch { height: 1; padding: 0 1; background: $boost; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.batch: transfers.Batch | None = None
        self.count = 0
        self.taking_out = False
        self.closed: transfers.Batch | None = None

    def compose_top(self) -> ComposeResult:
        yield Static("", id="batch")

    def on_mount(self) -> None:
        self.queue.put_nowait(OPEN)

    def action_close_batch(self) -> None:
        self.queue.put_nowait(CLOSE)

    def action_take_out(self) -> None:
        self.queue.put_nowait(TAKE_OUT)

    def action_back(self) -> None:
        self.app.pop_screen()

    def _show_batch(self) -> None:
        if self.batch is None:
            text = "No batch open: the next scan opens one."
        else:
            text = (f"[b]Batch {self.batch.number}[/] to {self.batch.destination}: "
                    f"{counted(self.count, 'copy')}" + ("   [b]TAKE OUT: scan the copy[/]" if self.taking_out else ""))
        self.query_one("#batch", Static).update(text)

    async def _open(self) -> None:
        self.batch = await self.call(transfers.open_batch, self.app.actor)
        if self.closed is not None:  # the last batch's list makes way for the new one
            self.clear_lines()
        self.count = self.batch.count
        for line in self.batch.lines:
            self.add_line(line.barcode, str(line.accession_number), line.title, line.call_number,
                          Text("in batch", style="dim"))
        self._show_batch()

    async def handle_scan(self, text: str) -> None:
        if text is OPEN:
            await self._open()
            self.say(f"Batch {self.batch.number} is open" + (f" with {counted(self.count, 'copy')}." if self.count else "."))
            return
        if text is TAKE_OUT:
            self.taking_out = not self.taking_out
            self._show_batch()
            self.say("Scan the copy to take out of the batch." if self.taking_out else "Taking out cancelled.")
            return
        if text is CLOSE:
            await self._close()
            return
        if self.batch is None:
            await self._open()
        if self.taking_out:
            self.taking_out = False
            try:
                await self.call(transfers.take_out, self.app.actor, self.batch.id, text)
            finally:
                self._show_batch()
            self.count -= 1
            self.add_line(text.strip(), "", "", "", Text("taken out", style="yellow"))
            self.say(f"Taken out of batch {self.batch.number}: {text.strip()}.", "yellow")
            self._show_batch()
            return
        line = await self.call(transfers.scan_in, self.app.actor, self.batch.id, text)
        self.count += 1
        self.add_line(line.barcode, str(line.accession_number), line.title, line.call_number,
                      Text("in batch", style="green"))
        self.say(f"{line.title}: into batch {self.batch.number} ({self.count}).", "green")
        self._show_batch()

    async def _close(self) -> None:
        if self.batch is None:
            self.say("No batch is open.")
            return
        done = await self.call(transfers.close_batch, self.app.actor, self.batch.id)
        self.closed = done
        self.batch, self.count = None, 0
        self.clear_lines()
        for line in done.lines:
            self.add_line(line.barcode, str(line.accession_number), line.title, line.call_number,
                          Text("available", style="green"))
        self.say(f"Batch {done.number} closed: {counted(done.count, 'copy')} "
                 f"{'is' if done.count == 1 else 'are'} available. "
                 f"Transfer list to sign (PDF): {done.file}", "bold green")
        self._show_batch()
