"""What the search desks share (catalogue, readers, holds): keys that land on a list go
to the scan line, and results come a page at a time.

Mix `ListTyping` into any ScanDesk with a list the clerk can move into; mix `PagedSearch`
into one whose scans search. A PagedSearch screen sets `search_page` (the service:
`(actor, text, start, size) -> Page` with `rows`, `next` and `total`), says what a row
shows in `row_cells` and what it is in `NOUN`, opens a row in `open_row`, and searches in
`search(text, open_single)`.
"""
from __future__ import annotations

from textual.widgets import ContentSwitcher, DataTable, Static

from counter_tui.services.errors import Refusal
from counter_tui.widgets.scan_input import TERMINATORS, ScanInput
from counter_tui.domain.plurals import counted, plural


class ListTyping:
    def on_key(self, event) -> None:
        """Typing or scanning while a list has the focus goes to the scan line: nothing is lost.

        Keys that arrive in one burst were all sent to the list before the focus moved, so
        each one is put into the scan line here, and its Enter ends the scan."""
        scan = self.query_one(ScanInput)
        if scan.has_focus:
            return
        if event.is_printable and event.character:
            event.stop()
            scan.focus()
            scan.insert_text_at_cursor(event.character)
        elif (event.key in TERMINATORS or event.key == "tab") and scan.value.strip():
            event.stop()
            event.prevent_default()
            scan.focus()
            scan._submit_scan()  # noqa: SLF001 (our own widget; the burst bypassed its key handler)


class PagedSearch(ListTyping):
    page = None
    search_text = ""
    showing_record = False
    NOUN = "row"  # what a row is: "12 readers"; each desk sets it, and `row_cells(row)`
    COUNT_IN_INFO = False  # the page line says "1-20 of 312 readers", not only "1-20"
    INFO_TAIL = ""  # a key to mention after the page keys

    def _count(self, page) -> str:
        if page.total is None:
            return plural(self.NOUN).capitalize()
        return f"{'More than ' if page.total_capped else ''}{counted(page.total, self.NOUN)}"

    def _show_page(self, page) -> None:
        self.page = page
        table = self.query_one("#results", DataTable)
        table.clear()
        table.add_rows([self.row_cells(r) for r in page.rows])
        last = self.first_row + len(page.rows) - 1
        more = "   PgDn: next page" if page.next else ""
        back = "   PgUp: previous" if len(self.page_starts) > 1 else ""
        of = (f" of {self._count(page).lower()}"
              if self.COUNT_IN_INFO and page.total is not None and len(self.page_starts) == 1 else "")
        self.query_one("#page-info", Static).update(
            f"{self.first_row}-{last}{of}{more}{back}{self.INFO_TAIL}" if page.rows else f"No {plural(self.NOUN)}.")

    async def handle_scan(self, text: str) -> None:
        await self.search(text, open_single=True)

    def nothing_found(self, text: str, page, sentence: str) -> Refusal:
        """A search that matched nothing empties the list (what was listed is not what this
        search found) and gives the refusal to raise with its sentence."""
        self.search_text, self.page_starts, self.first_row = text, [None], 1
        self._show_page(page)
        self._switch("results-view")
        return Refusal(sentence)

    def _switch(self, view: str) -> None:
        """Show the results or the record (a ContentSwitcher's child) and the keys that fit."""
        self.query_one(ContentSwitcher).current = view
        self.refresh_bindings()

    def refuse(self, refusal: Refusal, scanned: str) -> None:
        """A search that finds nothing is said, not listed as a failed scan."""
        self.say(refusal.sentence, "bold red")
        if refusal.bell:
            self.app.bell()

    def _page_size(self) -> int:
        height = self.query_one("#results", DataTable).size.height
        return max(5, height - 1) if height > 3 else 12

    async def _turn(self, step: int) -> None:
        if self.page is None:
            return
        if step > 0 and self.page.next is None:
            self.say("This is the last page.")
            return
        if step < 0 and len(self.page_starts) == 1:
            self.say("This is the first page.")
            return
        if step > 0:
            self.page_starts.append(self.page.next)
            self.first_row += len(self.page.rows)
        else:
            self.page_starts.pop()
        page = await self.call(type(self).search_page, self.app.actor, self.search_text, self.page_starts[-1],
                               self._page_size())
        if step < 0:
            self.first_row = max(1, self.first_row - len(page.rows))
        self._show_page(page)

    def action_next_page(self) -> None:
        self.run_worker(self._turn(+1), group="reads", exclusive=True)

    def action_previous_page(self) -> None:
        self.run_worker(self._turn(-1), group="reads", exclusive=True)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "results" and self.page and event.cursor_row < len(self.page.rows):
            self.run_worker(self.open_row(self.page.rows[event.cursor_row].id), group="reads")

    def on_scan_input_blank(self, _: ScanInput.Blank) -> None:
        """Down then Enter typed in one go: the Enter reached the search line before the
        focus moved, so it opens the highlighted result as the clerk meant."""
        results = self.query_one("#results", DataTable)
        if not self.showing_record and self.page and results.cursor_row < len(self.page.rows):
            self.run_worker(self.open_row(self.page.rows[results.cursor_row].id), group="reads")
