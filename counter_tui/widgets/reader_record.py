"""A reader's record: the panel, then tabs of details, loans, holds, history, fees and cards."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from counter_tui.services.library_settings import money
from counter_tui.services.readers.registration import HISTORY_HIDDEN, ReaderRecord
from counter_tui.widgets.patron_panel import PatronPanel
from counter_tui.widgets.row_table import row_table

TABS = ("details-tab", "loans-tab", "holds-tab", "history-tab", "fees-tab", "cards-tab")


class ReaderRecordView(Vertical):
    DEFAULT_CSS = """
    ReaderRecordView { height: 1fr; }
    ReaderRecordView TabbedContent { height: 1fr; }
    ReaderRecordView TabPane { height: 1fr; padding: 0; }
    ReaderRecordView DataTable { height: 1fr; }
    ReaderRecordView #details { padding: 0 1; }
    ReaderRecordView #history-hidden { padding: 1; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield PatronPanel(id="patron")
        with TabbedContent(id="tabs", initial="loans-tab"):
            with TabPane("Details", id="details-tab"):
                yield Static("", id="details")
            with TabPane("Loans", id="loans-tab"):
                yield row_table("loans", (("Barcode", 14), ("Title", 28), ("Due", 10), ("Late", 5), ("Ren.", 4)))
            with TabPane("Holds", id="holds-tab"):
                yield row_table("holds", (("Title", 30), ("Where", 30), ("Copy", 14)))
            with TabPane("History", id="history-tab"):
                yield row_table("history", (("Barcode", 14), ("Title", 30), ("Out", 10), ("Returned", 10)))
                yield Static(HISTORY_HIDDEN, id="history-hidden")
            with TabPane("Fees", id="fees-tab"):
                yield row_table("fees", (("Date", 10), ("Kind", 10), ("Amount", 10), ("Note", 36)))
            with TabPane("Cards", id="cards-tab"):
                yield row_table("cards", (("Date", 10), ("Event", 13), ("Card", 14), ("Expires", 10),
                                          ("Fee", 7), ("Note", 10)))

    def show(self, record: ReaderRecord) -> None:
        self.query_one(PatronPanel).show(record.summary)
        self.query_one("#details", Static).update(_details_text(record))
        loans = self.query_one("#loans", DataTable)
        loans.clear()
        for line in record.loans:
            style = "bold red" if line.overdue_days else ""
            loans.add_row(line.barcode, Text(line.title, style=style), Text(line.due.isoformat(), style=style),
                          "claim" if line.claimed_on else f"{line.overdue_days}d" if line.overdue_days else "",
                          str(line.renewals),
                          key=str(line.loan_id))
        held = self.query_one("#holds", DataTable)
        held.clear()
        held.add_rows([(h.title, h.where, h.barcode) for h in record.holds])
        history = self.query_one("#history", DataTable)
        history.clear()
        hidden = record.history is None
        history.display = not hidden
        self.query_one("#history-hidden").display = hidden
        if not hidden:
            history.add_rows([(h.barcode, f"(lost) {h.title}" if h.lost_on else h.title, h.out_on.isoformat(),
                               h.returned_on.isoformat())
                              for h in record.history])
        fees = self.query_one("#fees", DataTable)
        fees.clear()
        fees.add_rows([(f.on.isoformat(), f.kind, money(f.amount), f.note) for f in record.fees])
        fees.add_row("", Text("Balance", style="bold"), Text(money(record.balance), style="bold"), "")
        history_cards = self.query_one("#cards", DataTable)
        history_cards.clear()
        history_cards.add_rows([(c.on.isoformat(), c.kind, c.card, c.expires_on.isoformat() if c.expires_on else "",
                                 money(c.fee) if c.fee else "", c.note) for c in record.cards])

    def next_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = TABS[(TABS.index(tabs.active) + 1) % len(TABS)]

    def focus_list(self) -> None:
        """Into the active tab's list (the details tab has none)."""
        pane = self.query_one(TabbedContent).active_pane
        tables = pane.query(DataTable) if pane else []
        for table in tables:
            if table.display:
                table.focus()
                return

    def selected_loan_id(self) -> int | None:
        table = self.query_one("#loans", DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key((table.cursor_row, 0))
        return int(row_key.value)


def _details_text(record: ReaderRecord) -> Text:
    d = record.details
    status = {"active": "active", "blocked": "blocked by hand", "card lost": "card reported lost",
              "cancelled": "card cancelled"}.get(d.status, d.status)
    block = ""
    if d.status == "blocked":
        ended = not any(b.startswith("Blocked") for b in record.summary.blocks)  # its last day has passed
        until = (f" (ended after {d.block_until.isoformat()})" if ended else
                 f" (last day {d.block_until.isoformat()})" if d.block_until else " (until lifted)")
        block = f"\nBlock:        {d.block_reason or 'no reason given'}{until}"
    lines = (f"Card:         {d.card}, {status}, valid until {d.expires_on.isoformat()}\n"
             f"Category:     {d.category_name}    Department/class: {d.department or '-'}\n"
             f"Identity no.: {d.id_number or '-'}\n"
             f"Phone:        {d.phone or '-'}    E-mail: {d.email or '-'}{block}\n"
             f"Notes:        {d.notes or '-'}")
    return Text(lines)
