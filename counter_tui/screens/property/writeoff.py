"""Write-off (F9, Write off copies): scan the copies to withdraw, then F10 (or Ctrl+S) and the reason.

Each scan is checked at once (on loan, already withdrawn, unknown: refused with the reason)
and joins the list with its accession number and register price. F10 asks for the reason
and makes the numbered certificate for the whole list (all or none); the certificate is
written as a PDF to sign. Ctrl+R takes the last copy off the list. Esc goes back.
"""
from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from counter_tui.screens.scan_desk import KeyCommand, ScanDesk
from counter_tui.services.property import writeoffs
from counter_tui.services.errors import Refusal
from counter_tui.services.library_settings import money
from counter_tui.widgets.fields_dialog import Field, FieldsDialog
from counter_tui.domain.plurals import counted


FINISH = KeyCommand("\x00finish")
DROP_LAST = KeyCommand("\x00drop")


class WriteOffScreen(ScanDesk):
    TITLE = "Write off copies"
    PROMPT = "Scan each copy to write off; F10 to finish"
    COLUMNS = (("Barcode", 14), ("Acc. no.", 8), ("Title", 22), ("Price", 10), ("", 12))
    BINDINGS = [
        Binding("f10,ctrl+s", "finish", "Write off (reason)", id="writeoff.finish"),
        Binding("ctrl+r", "drop_last", "Remove last", id="writeoff.drop_last"),
        Binding("escape", "close", "Back", id="writeoff.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[writeoffs.Candidate] = []
        self.certificate: writeoffs.Certificate | None = None

    def action_finish(self) -> None:
        self.queue.put_nowait(FINISH)

    def action_drop_last(self) -> None:
        self.queue.put_nowait(DROP_LAST)

    def action_close(self) -> None:
        self.app.pop_screen()

    def _total(self) -> str:
        value = sum(c.price for c in self.pending)
        return f"{counted(len(self.pending), 'copy')} to write off, {money(value)}"

    async def handle_scan(self, text: str) -> None:
        if text is FINISH:
            await self.finish()
            return
        if text is DROP_LAST:
            if not self.pending:
                self.say("The list is empty.")
                return
            gone = self.pending.pop()
            self.add_line(gone.barcode, str(gone.accession_number), gone.title, money(gone.price),
                          Text("removed", style="yellow"))
            self.say(f"Removed {gone.barcode} from the list. {self._total()}.", "yellow")
            return
        found = await self.call(writeoffs.candidate, self.app.actor, text)
        if any(c.item_id == found.item_id for c in self.pending):
            raise Refusal(f"Copy {found.barcode} is already on the list.")
        self.pending.append(found)
        self.add_line(found.barcode, str(found.accession_number), found.title, money(found.price),
                      Text("to write off", style="bold"))
        self.say(f"{found.title}: on the list. {self._total()}. F10 when the pile is done.", "green")

    async def finish(self) -> None:
        if not self.pending:
            self.say("Scan the copies to write off first.", "bold red")
            self.app.bell()
            return
        error = ""
        reason = ""
        while True:
            self._batch.close()  # the dialog must be painted now
            values = await self.app.push_screen_wait(FieldsDialog(
                f"Write off {counted(len(self.pending), 'copy')}, {money(sum(c.price for c in self.pending))}", [Field("reason", "Reason (worn out, lost, out of date...)", reason)],
                error=error))
            if values is None:
                self.say("Not written off; the list is kept. F10 to try again.")
                return
            reason = values["reason"]
            try:
                cert = await self.call(writeoffs.write_off, self.app.actor, [c.barcode for c in self.pending], reason)
            except Refusal as refusal:
                if not reason.strip():
                    error = refusal.sentence
                    continue
                raise
            break
        self.certificate = cert
        self.pending = []
        self.clear_lines()
        for line in cert.lines:
            self.add_line(line.barcode, str(line.accession_number), line.title, money(line.price),
                          Text("withdrawn", style="green"))
        self.say(f"Write-off certificate {cert.number}: {counted(cert.copies, 'copy')}, {money(cert.value)}, "
                 f"\"{cert.reason}\". The certificate to sign (PDF): {cert.path}", "bold green")
