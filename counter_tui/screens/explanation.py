"""An explanation in a dialog: the lines of a fine's or a rule's reckoning, read on the database thread.

At the check-in desk (Ctrl+Y) it explains the fine of the selected line, by default the last
book checked in. A scanner may keep typing while it is open: the characters are kept and
each Enter hands the scan back to the desk's queue and closes the dialog, so no scan is lost.
"""
from __future__ import annotations

from collections.abc import Callable

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from counter_tui.services.circulation import explain
from counter_tui.services.errors import Refusal
from counter_tui.widgets.scan_input import ScanInput


class ExplanationDialog(ModalScreen[None]):
    DEFAULT_CSS = """
    ExplanationDialog { align: center middle; }
    ExplanationDialog > Vertical { width: 78; max-width: 100%; height: auto; max-height: 100%;
                                   border: thick $accent; background: $surface; padding: 0 1; }
    ExplanationDialog VerticalScroll { height: auto; max-height: 20; }
    ExplanationDialog #explanation-keys { color: $text-muted; }
    """

    def __init__(self, title: str, load: Callable[[], list[str]],
                 forward_scan: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.load = load
        self.forward_scan = forward_scan
        self._buffer = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]{self.title_text}[/]")
            with VerticalScroll():
                yield Static("Reckoning...", id="explanation", markup=False)
            yield Static("Esc or Enter: close   Up/Down/PgUp/PgDn: scroll", id="explanation-keys")

    def on_mount(self) -> None:
        self.fill()

    @work(group="explanation")
    async def fill(self) -> None:
        try:
            lines = await self.app.run_db(self.load)
        except Refusal as refusal:
            lines = [refusal.sentence]
            self.app.bell()
        self.query_one("#explanation", Static).update("\n".join(lines))

    def text(self) -> str:
        """What the dialog says; empty until it has been composed."""
        shown = self.query("#explanation")
        return str(shown.first(Static).content) if shown else ""

    def on_key(self, event: events.Key) -> None:
        scroller = self.query_one(VerticalScroll)
        moves = {"up": scroller.scroll_up, "down": scroller.scroll_down,
                 "pageup": scroller.scroll_page_up, "pagedown": scroller.scroll_page_down}
        event.stop()
        event.prevent_default()
        if event.key in moves:
            moves[event.key]()
        elif event.key in ("enter", "ctrl+j", "ctrl+m", "tab"):
            if self._buffer.strip() and self.forward_scan is not None:
                self.forward_scan(self._buffer)
            self._buffer = ""
            self.dismiss(None)
        elif event.key in ("escape", "ctrl+y") and not self._buffer:
            self.dismiss(None)
        elif event.is_printable and event.character:
            self._buffer += event.character


class ScanPrompts(ModalScreen[list[str] | None]):
    """Ask for several scans in turn on one scan line, so a fast scanner's burst splits right."""
    DEFAULT_CSS = """
    ScanPrompts { align: center middle; }
    ScanPrompts > Vertical { width: 64; max-width: 100%; height: auto; border: thick $accent;
                             background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="scan_prompts.cancel")]

    def __init__(self, title: str, prompts: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.prompts = prompts
        self.answers: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]{self.title_text}[/]  (scan or type, then Enter; Esc: cancel)")
            yield Static("", id="answers", markup=False)
            yield ScanInput(self.prompts[0], id="scan-prompt")

    def on_mount(self) -> None:
        self.query_one(ScanInput).focus()

    @on(ScanInput.Scanned)
    def take(self, message: ScanInput.Scanned) -> None:
        message.stop()
        self.answers.append(message.text.strip())
        if len(self.answers) == len(self.prompts):
            self.dismiss(self.answers)
            return
        self.query_one("#answers", Static).update(
            "\n".join(f"{p}: {a}" for p, a in zip(self.prompts, self.answers)))
        self.query_one(ScanInput).placeholder = self.prompts[len(self.answers)]

    def action_cancel(self) -> None:
        self.dismiss(None)


def explain_fine_dialog(loan: int | str, forward_scan: Callable[[str], None] | None = None,
                        app=None) -> ExplanationDialog:
    def load() -> list[str]:
        return explain.explain_fine(app.actor, loan).lines()
    return ExplanationDialog(f"Why this fine: loan {loan}", load, forward_scan)


def explain_checkin_line(desk) -> None:
    """Show the fine reckoning of the check-in line under the cursor (the last one by default)."""
    table = desk.query_one("#lines", DataTable)
    if table.row_count == 0:
        desk.say("Check a book in first; Ctrl+Y then explains its fine.", "yellow")
        return
    loan_id = desk.loan_lines.get(table.cursor_row)
    if loan_id is None:
        desk.say("That line returned no loan, so there is no fine to explain.", "yellow")
        return
    desk.app.push_screen(explain_fine_dialog(loan_id, desk.queue.put_nowait, desk.app))
