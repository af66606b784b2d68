"""The new-books bulletin (F9, New-books bulletin): choose the period, proofread it, write the PDF.

Type the first and last day (YYYY-MM-DD; the last 30 days to start with) and press Enter:
the bulletin appears below as it will print, grouped by class, to proofread. Ctrl+S (or F10)
writes it as a PDF to print. Esc goes back.
"""
from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.services.property import bulletin
from counter_tui.services.errors import Refusal
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.domain.plurals import counted


def period_inputs(screen_id: str) -> ComposeResult:
    yield Label("From ")
    yield Input(id=f"{screen_id}-from", placeholder="YYYY-MM-DD")
    yield Label(" to ")
    yield Input(id=f"{screen_id}-to", placeholder="YYYY-MM-DD")


def read_period(screen, screen_id: str) -> tuple[date, date]:
    try:
        since = date.fromisoformat(screen.query_one(f"#{screen_id}-from", Input).value.strip())
        until = date.fromisoformat(screen.query_one(f"#{screen_id}-to", Input).value.strip())
    except ValueError:
        raise Refusal("Type the days as YYYY-MM-DD, for example 2026-11-01.") from None
    if until < since:
        raise Refusal("The last day comes before the first.")
    return since, until


def fill_period(screen, screen_id: str, days: int = 30) -> None:
    today = local_date(utc_now(), screen.app.settings.timezone)
    screen.query_one(f"#{screen_id}-from", Input).value = (today - timedelta(days=days)).isoformat()
    screen.query_one(f"#{screen_id}-to", Input).value = today.isoformat()


PERIOD_CSS = """
    #{id}-title {{ height: 1; background: $primary; padding: 0 1; }}
    #{id}-period {{ height: 3; }}
    #{id}-period Label {{ padding: 1 0; }}
    #{id}-period Input {{ width: 18; }}
    #{id}-status {{ height: auto; max-height: 2; padding: 0 1; }}
"""


class BulletinScreen(Screen):
    DEFAULT_CSS = PERIOD_CSS.format(id="bulletin") + """
    BulletinScreen #bulletin-proof { height: 1fr; border: round $accent; }
    """
    BINDINGS = [
        Binding("ctrl+s,f10", "write", "Write the PDF", id="bulletin.write"),
        Binding("escape", "back", "Back", id="bulletin.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: bulletin.Bulletin | None = None
        self.path = None

    def compose(self) -> ComposeResult:
        yield Static("[b]New-books bulletin[/]: Enter shows it to proofread; Ctrl+S writes the PDF",
                     id="bulletin-title")
        with Horizontal(id="bulletin-period"):
            yield from period_inputs("bulletin")
        yield Static("", id="bulletin-status")
        with VerticalScroll(id="bulletin-proof"):
            yield Static("", id="bulletin-text")
        yield KeyBar()

    def on_mount(self) -> None:
        fill_period(self, "bulletin")
        self.query_one("#bulletin-to", Input).focus()

    def say(self, text: str, style: str = "") -> None:
        self.query_one("#bulletin-status", Static).update(Text(text, style=style))

    @on(Input.Submitted)
    async def show(self, event: Input.Submitted) -> None:
        if event.input.id == "bulletin-from":
            self.query_one("#bulletin-to", Input).focus()
            return
        await self.load()

    async def load(self) -> bool:
        try:
            since, until = read_period(self, "bulletin")
            self.data = await self.app.run_db(bulletin.bulletin, self.app.actor, since, until)
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            self.app.bell()
            return False
        self.query_one("#bulletin-text", Static).update(Text("\n".join(bulletin.bulletin_lines(self.data))))
        self.say(f"{counted(self.data.titles, 'title')}, {counted(self.data.copies, 'copy')} in "
                 f"{counted(len(self.data.groups), 'class', 'classes')}. "
                 "Ctrl+S writes the PDF.")
        return True

    async def action_write(self) -> None:
        if not await self.load():
            return
        try:
            _, self.path = await self.app.run_db(bulletin.write_bulletin, self.app.actor, self.data.since,
                                        self.data.until)
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            return
        self.say(f"The bulletin to print (PDF): {self.path}", "bold green")

    def action_back(self) -> None:
        self.app.pop_screen()
