"""The audit trail (curator): who did what to which record, newest first, page by page.

Filters on top (Enter in any of them applies them all), events below; PgDn shows older
events, PgUp newer, Enter opens one event with its values before and after.
"""
from __future__ import annotations

import asyncio
from datetime import date
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, Static

from counter_tui.services.admin import audit_trail
from counter_tui.services.admin.audit_trail import EventLine
from counter_tui.services.errors import Refusal
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.widgets.row_table import row_table
from counter_tui.widgets.title_bar import TitleBar
from counter_tui.domain.plurals import counted

# field id, label, placeholder
FIELDS = (
    ("staff", "Staff", "username"), ("since", "From", "YYYY-MM-DD"), ("until", "To", "YYYY-MM-DD"),
    ("record_type", "Type", "loan, patron..."), ("record_id", "Id", "number"), ("action", "Action", "checkout..."),
)
# fits 80 columns with the scrollbar: each column adds 2 of padding
COLUMNS = (("When", 16), ("Staff", 8), ("Action", 14), ("Record", 12), ("Details", 18))


def _when(line: EventLine) -> str:
    return line.at.strftime("%Y-%m-%d %H:%M")


class EventDetail(ModalScreen[None]):
    """One event in full: who, when, where, and its values before and after."""

    DEFAULT_CSS = """
    EventDetail { align: center middle; }
    EventDetail > Vertical { width: 76; max-width: 100%; height: 90%; border: thick $accent; background: $surface; }
    EventDetail #event-head { height: auto; padding: 0 1; background: $boost; }
    EventDetail VerticalScroll { height: 1fr; padding: 0 1; }
    EventDetail .heading { text-style: bold; margin-top: 1; }
    EventDetail #event-hint { height: 1; color: $text-muted; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="audit_event.close")]

    def __init__(self, line: EventLine) -> None:
        super().__init__()
        self.line = line

    def compose(self) -> ComposeResult:
        line = self.line
        who = f"{line.staff_username} ({line.staff_name})" if line.staff_username else "no one signed in"
        head = (f"Event {line.id}: {line.action} on {line.record}\n"
                f"{line.at.isoformat(sep=' ')} by {who}" + (f" at {line.desk}" if line.desk else ""))
        with Vertical():
            yield Static(Text(head), id="event-head")
            with VerticalScroll(id="event-values"):
                yield Static("Before", classes="heading")
                yield Static(Text(audit_trail.pretty(line.old)), id="event-old")
                yield Static("After", classes="heading")
                yield Static(Text(audit_trail.pretty(line.new)), id="event-new")
            yield Static("Arrows scroll; Esc or Enter closes.", id="event-hint")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


class AuditScreen(Screen):
    TITLE = "Audit trail"
    DEFAULT_CSS = """
    AuditScreen #filters { height: 2; layout: grid; grid-size: 3 2; grid-columns: 1fr 1fr 1fr; padding: 0 1; }
    AuditScreen .field { height: 1; }
    AuditScreen .field Label { width: 7; }
    AuditScreen .field Input { width: 1fr; margin-right: 1; }
    AuditScreen .field Input:focus { background: $primary 30%; }
    AuditScreen #audit-status { height: auto; max-height: 2; padding: 0 1; }
    AuditScreen #events { height: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+f", "filter", "Filter", id="audit.filter"),
        # priority: the table's own PgDn/PgUp would only scroll the page already shown
        Binding("pagedown", "older", "Older", id="audit.older", priority=True),
        Binding("pageup", "newer", "Newer", id="audit.newer", priority=True),
        Binding("ctrl+r", "clear_filters", "Clear", id="audit.clear"),
        Binding("escape", "close", "Close", id="audit.close"),
    ]

    def __init__(self, page_size: int = 100) -> None:
        super().__init__()
        self.page_size = page_size
        self.filters: dict = {}
        self.pages: list[int | None] = [None]  # before_id of each page shown, newest first
        self.lines: list[EventLine] = []
        self.more = False  # are there older events than this page?
        self.loaded = 0  # pages loaded so far; tests wait on it

    def compose(self) -> ComposeResult:
        yield TitleBar(self.TITLE, id="title")
        with Vertical(id="filters"):
            for field_id, label, placeholder in FIELDS:
                with Horizontal(classes="field"):
                    yield Label(label)
                    yield Input(placeholder=placeholder, id=f"f-{field_id}", compact=True)
        yield Static("", id="audit-status")
        table = row_table("events", COLUMNS)
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#events", DataTable).focus()
        self.load([None], self.filters)

    # -- loading --------------------------------------------------------------------

    def load(self, pages: list[int | None], filters: dict) -> None:
        """Show the page below `pages[-1]`; `pages` holds each page's before_id, newest first."""
        self.run_worker(self._load(pages, filters), group="audit", exclusive=True)

    async def _load(self, pages: list[int | None], filters: dict) -> None:
        """Fetch a page; a refusal leaves the page shown and the filters as they were."""
        loop = asyncio.get_running_loop()
        try:
            # one more than a page: tells whether there is an older page without counting
            lines = await loop.run_in_executor(self.app.db_executor, partial(
                audit_trail.events, self.app.actor, before_id=pages[-1], limit=self.page_size + 1, **filters))
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            self.app.bell()
            return
        self.pages, self.filters = pages, filters
        self.more = len(lines) > self.page_size
        self.lines = lines[: self.page_size]
        self._fill()
        self.loaded += 1

    def _fill(self) -> None:
        table = self.query_one("#events", DataTable)
        table.clear()
        for line in self.lines:
            table.add_row(_when(line), line.staff_username or "-", line.action, line.record,
                          line.summary, key=str(line.id))
        page = len(self.pages)
        if not self.lines:
            self.say("No events match." if self.filters else "The audit trail is empty.")
            return
        span = f"{_when(self.lines[0])} back to {_when(self.lines[-1])}"
        keys = ["PgDn older" if self.more else "Nothing older"] + (["PgUp newer"] if page > 1 else [])
        self.say(f"Page {page}: {counted(len(self.lines), 'event')}{' (filtered)' if self.filters else ''}, {span}. "
                 f"{', '.join(keys)}, Enter shows one.")

    def say(self, sentence: str, style: str = "") -> None:
        self.query_one("#audit-status", Static).update(Text(sentence, style=style))

    # -- filters --------------------------------------------------------------------

    def read_filters(self) -> dict:
        """The filter fields as the service's arguments; a Refusal names a badly written one."""
        text = {field_id: self.query_one(f"#f-{field_id}", Input).value.strip() for field_id, _, _ in FIELDS}
        filters: dict = {}
        if text["staff"]:
            filters["staff_username"] = text["staff"]
        for field_id, word in (("since", "from"), ("until", "to")):
            if text[field_id]:
                try:
                    filters[field_id] = date.fromisoformat(text[field_id])
                except ValueError:
                    raise Refusal(f"Write the {word} date as YYYY-MM-DD, e.g. 2026-11-25.") from None
        if text["record_type"]:
            filters["record_type"] = text["record_type"]
        if text["record_id"]:
            if not text["record_id"].isdigit():
                raise Refusal("The record id is a whole number, e.g. 1234.")
            filters["record_id"] = int(text["record_id"])
        if text["action"]:
            filters["action"] = text["action"]
        return filters

    @on(Input.Submitted)
    def apply_filters(self) -> None:
        try:
            filters = self.read_filters()
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            self.app.bell()
            return
        self.load([None], filters)
        self.query_one("#events", DataTable).focus()

    # -- keys -----------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one("#f-staff", Input).focus()
        self.say("Type in the filters; Tab moves between them, Enter applies them all.")

    def action_clear_filters(self) -> None:
        for field_id, _, _ in FIELDS:
            self.query_one(f"#f-{field_id}", Input).value = ""
        self.load([None], {})

    def action_older(self) -> None:
        if not self.more or not self.lines:
            self.say("There are no older events.")
            return
        self.load(self.pages + [self.lines[-1].id], self.filters)

    def action_newer(self) -> None:
        # on the newest page, PgUp reloads it: events written since appear
        self.load(self.pages[:-1] or [None], self.filters)

    def action_close(self) -> None:
        """Esc in a filter goes back to the events; Esc on the events leaves the screen."""
        if isinstance(self.focused, Input):
            self.query_one("#events", DataTable).focus()
            self.say("Filters not applied; Enter in a filter applies them.")
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    @on(DataTable.RowSelected, "#events")
    def show_event(self, event: DataTable.RowSelected) -> None:
        line = next(line for line in self.lines if str(line.id) == event.row_key.value)
        self.app.push_screen(EventDetail(line))
