"""Readers (F5): find a reader, read the whole record, register, edit, block, handle cards.

The scan line stays on top: a card scanned opens that reader; a name or identity number
lists matches a page at a time (PgDn/PgUp), Enter on one opens it. Office keys (new,
edit, block, card) show only to staff whose role may use them; the services refuse
anyway. Every change is made by a service on the database thread.
"""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, DataTable, Static

from counter_tui.screens.scan_desk import ScanDesk
from counter_tui.screens.fees.payments import FeeKeys
from counter_tui.screens.readers.reader_office import ReaderOfficeKeys
from counter_tui.screens.search_list import PagedSearch
from counter_tui.services import access
from counter_tui.services.readers import cards, registration
from counter_tui.services.circulation import lending, losses
from counter_tui.services.errors import Refusal
from counter_tui.services.library_settings import money
from counter_tui.services.readers.reader_search import Cursor, Page
from counter_tui.widgets.reader_record import ReaderRecordView
from counter_tui.widgets.row_table import row_table
from counter_tui.widgets.scan_input import ScanInput

OFFICE_ACTIONS = {"new_reader", "edit_reader", "block", "renew_card", "replace_card", "cancel_card", "print_card"}
RECORD_ACTIONS = {"edit_reader", "block", "renew_card", "replace_card", "cancel_card", "renew_selected", "print_card",
                  "next_tab", "back", "fees"}
RESULT_ACTIONS = {"next_page", "previous_page"}


class ReadersScreen(FeeKeys, ReaderOfficeKeys, PagedSearch, ScanDesk):
    TITLE = "Readers"
    PROMPT = "Scan a card, or type a name or identity number, then Enter"
    DEFAULT_CSS = """
    ReadersScreen #body { height: 1fr; }
    ReadersScreen #results-view { height: 1fr; }
    ReadersScreen #results { height: 1fr; }
    ReadersScreen #page-info { height: 1; padding: 0 1; color: $text-muted; }
    """
    search_page = staticmethod(registration.search_page)
    NOUN = "reader"
    BINDINGS = [
        # the footer has room for a few: the rest are in help (F1)
        Binding("ctrl+t", "next_tab", "Tabs", id="account.next_tab"),
        Binding("ctrl+n", "new_reader", "New reader", id="readers.new"),
        Binding("ctrl+e", "edit_reader", "Edit", id="readers.edit", priority=True),
        Binding("ctrl+b", "block", "Block", id="readers.block"),
        Binding("ctrl+y", "renew_card", "Renew card", id="readers.renew_card"),
        Binding("ctrl+g", "replace_card", "Lost card", id="readers.replace_card"),
        Binding("ctrl+f", "print_card", "Print card", id="readers.print_card", show=False),
        Binding("ctrl+x", "cancel_card", "Cancel card", id="readers.cancel_card", priority=True, show=False),
        Binding("ctrl+r", "renew_selected", "Renew selected loan", id="account.renew", show=False),
        # pay, waive, refund, pay out; the selected loan lost or claimed returned (screens/payments.py)
        Binding("ctrl+s", "fees", "Fees & losses", id="account.fees", priority=True),
        Binding("pagedown", "next_page", "Next page", id="readers.next_page", priority=True),
        Binding("pageup", "previous_page", "Previous page", id="readers.previous_page", priority=True, show=False),
        Binding("down", "open_list", "To the list", id="readers.to_list", show=False),
        Binding("escape", "back", "Back to results", id="readers.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.record: registration.ReaderRecord | None = None
        self.page: Page | None = None
        self.search_text = ""
        self.page_starts: list[Cursor | None] = [None]  # where each page seen so far began
        self.first_row = 1  # the number of the page's first reader in the whole list

    # -- layout ------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with ContentSwitcher(initial="results-view", id="body"):
            with Vertical(id="results-view"):
                table = row_table("results", (("Name", 20), ("Card", 14), ("Category", 10),
                                              ("Department", 12), ("Status", 9)))
                yield table
                yield Static("", id="page-info")
            yield ReaderRecordView(id="record-view")

    def on_mount(self) -> None:
        # every reader, a page at a time; after the first layout, when the table's height is known
        self.call_after_refresh(lambda: self.run_worker(self.search(""), group="reads"))

    @property
    def showing_record(self) -> bool:
        return self.query_one(ContentSwitcher).current == "record-view"

    @property
    def patron(self):
        """The reader on screen (as the check-out desk names it), or None."""
        return self.record.summary if self.record and self.showing_record else None

    @property
    def account(self):
        """The old name of the record on this screen (F5 was the reader account)."""
        return self.record

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in OFFICE_ACTIONS and not access.may(self.app.actor, *registration.OFFICE_ROLES):
            return False
        if action in RECORD_ACTIONS and (self.record is None or not self.showing_record):
            return False
        if action in RESULT_ACTIONS and self.showing_record:
            return False
        return True

    # -- finding readers ----------------------------------------------------------------------

    async def search(self, text: str, open_single: bool = False) -> None:
        page = await self.call(registration.search_page, self.app.actor, text, None, self._page_size())
        if open_single and len(page.rows) == 1 and page.next is None:
            row = page.rows[0]
            await self.show_patron(row.id)
            if row.matched == "old card":
                sentence = await self.call(cards.retired_card_sentence, text.strip())
                self.say(sentence or f"That is an old card of {row.name}.", "bold red")
                self.app.bell()
            return
        if open_single and not page.rows:
            raise self.nothing_found(text, page,
                                     f"No reader's name, card or identity number matches {text.strip()[:40]!r}.")
        self.search_text, self.page_starts, self.first_row = text, [None], 1
        self._show_page(page)
        if open_single:
            self._switch("results-view")
            self.say(f"{self._count(page)} match {text.strip()[:30]!r}: Down to the list, Enter opens a reader.")

    @staticmethod
    def row_cells(row) -> tuple:
        return (row.name, row.card, row.category, row.department, row.status)

    def action_open_list(self) -> None:
        if self.showing_record:
            self.query_one(ReaderRecordView).focus_list()
        else:
            self.query_one("#results", DataTable).focus()

    async def open_row(self, patron_id: int) -> None:
        await self.show_patron(patron_id)

    def action_back(self) -> None:
        self._switch("results-view")
        self.query_one("#results", DataTable).focus()

    # -- the record ---------------------------------------------------------------------------

    async def reread(self) -> None:
        """The record on screen again, as the person now signed in may see it."""
        if self.record is not None and self.showing_record:
            self.record = await self.call(registration.reader_record, self.app.actor, self.record.details.id)
            self.query_one(ReaderRecordView).show(self.record)

    async def arrive_from(self, left) -> None:
        """F5 from a desk with a reader on it (the check-out desk): that reader's record."""
        patron = getattr(left, "patron", None)
        if patron is not None:
            await self.show_patron(patron.id)

    async def show_patron(self, patron_id: int) -> None:
        self.record = await self.call(registration.reader_record, self.app.actor, patron_id)
        self.query_one(ReaderRecordView).show(self.record)
        self._switch("record-view")
        self.query_one(ScanInput).focus()  # ready for the next card; Down goes into the lists
        r = self.record
        claims = await self.call(losses.claims_warning, patron_id)  # past the limit of claims returned
        self.say(f"{r.details.name}: {len(r.loans)} on loan, balance {money(r.balance)}. "
                 + (claims or "Ctrl+T tabs, Esc back to the list."), "bold yellow" if claims else "")

    def action_next_tab(self) -> None:
        self.query_one(ReaderRecordView).next_tab()

    def action_renew_selected(self) -> None:
        loan_id = self.query_one(ReaderRecordView).selected_loan_id()
        if loan_id is None:
            self.say("No loan to renew.", "yellow")
            return
        self.run_worker(self._renew(loan_id), group="writes")

    async def _renew(self, loan_id: int) -> None:
        try:
            result = await self.call(lending.renew_loan, self.app.actor, loan_id)
        except Refusal as refusal:
            self.refuse(refusal, "")
            return
        await self.show_patron(self.record.details.id)
        fine = f" Fine so far {money(result.fine)} charged." if result.fine else ""
        why = f": {result.due_note}" if result.due_note else ""  # the card's expiry set the date
        self.say(f"Renewed: {result.title}, now due {result.due.isoformat()}{why}.{fine}", "green")
