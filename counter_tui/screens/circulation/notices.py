"""Notices (F9 > Overdue and hold notices): what is due to go out, and printing it.

The list is what the letters will say; P prints one letter per reader, S one sheet
for all (a page per reader), each once Y answers the question naming how many letters
go to how many readers. Each notice is recorded as sent, so it goes out once.
"""
from __future__ import annotations


from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from counter_tui.services.circulation import notices
from counter_tui.services.errors import Refusal
from counter_tui.widgets.decision import Decision
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.widgets.row_table import row_table
from counter_tui.widgets.title_bar import TitleBar
from counter_tui.domain.plurals import counted

# fits 80 columns with the scroll bar; the line under the status says the highlighted one in full
COLUMNS = (("Reader", 14), ("Notice", 19), ("Title", 23), ("Due", 13))


class NoticesScreen(Screen):
    TITLE = "Overdue and hold notices"
    DEFAULT_CSS = """
    NoticesScreen #status { height: auto; max-height: 4; padding: 0 1; }
    NoticesScreen #notice-detail { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    NoticesScreen #notices { height: 1fr; }
    """
    BINDINGS = [
        Binding("p", "produce(False)", "Print letters", id="notices.letters"),
        Binding("s", "produce(True)", "One sheet", id="notices.sheet"),
        Binding("r", "reload", "Refresh", id="notices.refresh"),
        Binding("escape", "app.pop_screen", "Back", id="notices.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[notices.NoticeLine] = []

    def compose(self) -> ComposeResult:
        yield TitleBar(self.TITLE, id="title")
        yield Static("", id="status")
        yield Static("", id="notice-detail")
        table = row_table("notices", COLUMNS)
        yield table
        yield KeyBar()

    async def on_mount(self) -> None:
        await self.action_reload()

    def say(self, sentence: str, style: str = "") -> None:
        self.query_one("#status", Static).update(Text(sentence, style=style))

    async def action_reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        try:
            lines = await self.app.run_db(notices.notices_due, self.app.actor)
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            return
        self.lines = lines
        self.query_one("#notice-detail", Static).update("")
        for line in lines:
            if line.kind == notices.OVERDUE:
                what = Text(f"{notices.LEVEL_NAMES[line.level]} {line.days_overdue}d",
                            style="bold red" if line.level == 3 else "")
                due = line.due.isoformat()
            else:
                what = Text("hold ready", style="green")
                due = f"by {line.pickup_by.isoformat()}" if line.pickup_by else ""
            table.add_row(line.patron_name, what, line.title, due)
        readers = len({line.patron_id for line in lines})
        self.say(f"{counted(len(lines), 'notice')} for {counted(readers, 'reader')}. P: a letter per reader, S: one sheet."
                 if lines else "No notices are due: every overdue level and ready hold has been sent.")

    @on(DataTable.RowHighlighted, "#notices")
    def show_detail(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted notice in full: the list's columns cut long names and titles."""
        if not 0 <= event.cursor_row < len(self.lines):
            return
        line = self.lines[event.cursor_row]
        if line.kind == notices.OVERDUE:
            what = (f"{notices.LEVEL_NAMES[line.level]}: {line.title} ({line.barcode}), due "
                    f"{line.due.isoformat()}, {counted(line.days_overdue, 'day')} overdue")
        else:
            until = f", waiting until {line.pickup_by.isoformat()}" if line.pickup_by else ""
            what = f"hold ready: {line.title} ({line.barcode}){until}"
        self.query_one("#notice-detail", Static).update(Text(f"{line.patron_name} ({line.card}), {what}."))

    def action_produce(self, one_sheet: bool) -> None:
        self.run_worker(self._produce(one_sheet), group="notices")  # a worker: it waits for the answer

    async def _produce(self, one_sheet: bool) -> None:
        try:
            due = await self.app.run_db(notices.notices_due, self.app.actor)
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            self.app.bell()
            return
        if not due:
            await self.action_reload()
            return
        readers = len({line.patron_id for line in due})
        letters = f"{counted(readers, 'letter')} for {counted(readers, 'reader')} ({counted(len(due), 'notice')})"
        what = f"one sheet of {letters}, a page per reader," if one_sheet else letters
        answer = await self.app.push_screen_wait(Decision(
            f"Print {what} and record every notice as sent? A notice recorded as sent is not printed again.",
            {"y": ("yes", "print them"), "n": ("no", "not now")}, lambda _scan: None, cancel="no"))
        if answer != "yes":
            self.say("Nothing was printed or recorded as sent.")
            return
        try:
            done = await self.app.run_db(notices.produce, self.app.actor, one_sheet=one_sheet)
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            self.app.bell()
            return
        await self.action_reload()
        if done.notices:
            where = (f": {done.files[0]}" if len(done.files) == 1
                     else f" as {len(done.files)} PDF letters in {done.files[0].parent}.")
            self.say(f"Printed {counted(done.notices, 'notice')} for {counted(done.readers, 'reader')}{where}", "green")
        else:
            self.say("Nothing was due; no letters written.")
