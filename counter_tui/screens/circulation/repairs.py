"""The repair queue (F9, Repair queue): damaged copies out of circulation, oldest first.

R marks the copy under the cursor repaired, once Y answers the question naming it (onto the
shelving cart, back to its shelf);
W proposes it to the cataloguers for withdrawal (asks first); Ctrl+R reloads; Esc goes back.
Copies proposed for withdrawal stay listed until the cataloguers write them off.
"""
from __future__ import annotations

from datetime import UTC

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Static

from counter_tui.services.circulation import damage
from counter_tui.services.circulation.damage import QueueLine
from counter_tui.services.errors import Refusal
from counter_tui.widgets.decision import Decision
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.widgets.row_table import row_table
from counter_tui.widgets.title_bar import TitleBar

COLUMNS = (("Barcode", 14), ("Title", 22), ("Damage", 8), ("To do", 9), ("Since", 10))


class RepairsScreen(Screen):
    TITLE = "Repair queue"
    DEFAULT_CSS = """
    RepairsScreen #repairs-status { height: auto; max-height: 3; padding: 0 1; }
    RepairsScreen #repairs-note { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    RepairsScreen #queue { height: 1fr; }
    """
    BINDINGS = [
        Binding("r", "repaired", "Repaired", id="repairs.repaired"),
        Binding("w", "withdraw", "Propose withdrawal", id="repairs.withdraw"),
        Binding("ctrl+r", "reload", "Reload", id="repairs.reload"),
        Binding("escape", "close", "Back", id="repairs.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[QueueLine] = []
        self.loaded = 0  # times the list was loaded; tests wait on it

    def compose(self) -> ComposeResult:
        yield TitleBar(self.TITLE, id="title")
        yield Static("", id="repairs-status")
        yield Static("", id="repairs-note")
        table = row_table("queue", COLUMNS)
        yield table
        yield KeyBar()

    async def on_mount(self) -> None:
        self.query_one("#queue", DataTable).focus()
        await self.reload()

    def say(self, sentence: str, style: str = "") -> None:
        self.query_one("#repairs-status", Static).update(Text(sentence, style=style))

    async def reload(self, keep: int | None = None) -> None:
        self.lines = await self.app.run_db(damage.repair_queue)
        table = self.query_one("#queue", DataTable)
        table.clear()
        zone = self.app.settings.timezone
        table.add_rows([(q.barcode, q.title, q.degree or "-",
                         Text("withdraw?", style="bold red") if q.decision == damage.WITHDRAW else "repair",
                         q.at.replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m-%d") if q.at else "")
                        for q in self.lines])
        if self.lines:
            table.move_cursor(row=min(keep or 0, len(self.lines) - 1))
        proposals = sum(q.decision == damage.WITHDRAW for q in self.lines)
        if not self.lines:
            self.query_one("#repairs-note", Static).update("")
            self.say("Nothing in the repair queue.")
        else:
            self.say(f"{len(self.lines)} in the queue, {proposals} proposed for withdrawal "
                     f"(the cataloguers write them off). R repaired, W propose withdrawal.")
        self.loaded += 1

    def chosen(self) -> QueueLine | None:
        table = self.query_one("#queue", DataTable)
        if not self.lines or not 0 <= table.cursor_row < len(self.lines):
            self.say("The queue is empty.", "yellow")
            return None
        return self.lines[table.cursor_row]

    @on(DataTable.RowHighlighted, "#queue")
    def show_note(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.lines):
            q = self.lines[event.cursor_row]
            self.query_one("#repairs-note", Static).update(Text(
                f"{q.title} ({q.call_number or 'no call number'}): "
                + (f"{q.degree} damage, {q.decision}, by {q.staff or 'someone'}" if q.id else "in repair")
                + (f". Note: {q.note}" if q.note else ".")))

    def action_repaired(self) -> None:
        line = self.chosen()
        if line is not None:
            self.run_worker(self._repaired(line), group="repairs")

    async def _repaired(self, line: QueueLine) -> None:
        row = self.query_one("#queue", DataTable).cursor_row
        if line.decision == damage.WITHDRAW:  # the proposal is dropped
            question = (f"{escape(line.title)} ({line.barcode}) is proposed for withdrawal. Repaired after all, "
                        f"back to the shelf?")
            keep = "leave it proposed"
        else:
            question = (f"Mark {escape(line.title)} ({line.barcode}) repaired? It goes on the shelving cart, "
                        f"back to its shelf.")
            keep = "leave it in the queue"
        answer = await self.app.push_screen_wait(Decision(
            question, {"y": ("yes", "repaired"), "n": ("no", keep)}, lambda _scan: None, cancel="no"))
        if answer != "yes":
            self.say("Nothing changed.")
            return
        try:
            await self.app.run_db(damage.mark_repaired, self.app.actor, line.item_id)
        except Refusal as refusal:
            await self.reload(row)
            self.say(refusal.sentence, "bold red")
            self.app.bell()
            return
        await self.reload(row)
        self.say(f"Repaired: {line.title} ({line.barcode}) goes on the shelving cart, back to its shelf.", "green")

    def action_withdraw(self) -> None:
        line = self.chosen()
        if line is None:
            return
        if line.decision == damage.WITHDRAW:
            self.say(f"{line.title} is already proposed for withdrawal; the cataloguers write it off.", "yellow")
            return
        self.run_worker(self._withdraw(line), group="repairs")  # waiting for a dialog needs a worker

    async def _withdraw(self, line: QueueLine) -> None:
        answer = await self.app.push_screen_wait(Decision(
            f"Propose {escape(line.title)} ({line.barcode}) to the cataloguers for withdrawal? It stays out of circulation.",
            {"y": ("yes", "propose"), "n": ("no", "keep it for repair")}, lambda _scan: None, cancel="no"))
        if answer != "yes":
            self.say("Nothing changed.")
            return
        row = self.query_one("#queue", DataTable).cursor_row
        try:
            if line.id is None:  # put in repair without an assessment: say how bad it is first
                degree = await self.app.push_screen_wait(Decision(
                    f"No damage was recorded for {escape(line.title)}. How bad is it?",
                    {"s": ("slight", "slight"), "m": ("moderate", "moderate"), "v": ("severe", "severe")},
                    lambda _scan: None))
                if not degree:
                    self.say("Nothing changed.")
                    return
                await self.app.run_db(damage.assess_damage, self.app.actor, line.barcode, degree, damage.WITHDRAW)
            else:
                await self.app.run_db(damage.propose_withdrawal, self.app.actor, line.item_id)
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            self.app.bell()
            return
        await self.reload(row)
        self.say(f"Proposed for withdrawal: {line.title} ({line.barcode}).", "bold yellow")

    async def action_reload(self) -> None:
        await self.reload(self.query_one("#queue", DataTable).cursor_row)

    def action_close(self) -> None:
        self.app.pop_screen()
