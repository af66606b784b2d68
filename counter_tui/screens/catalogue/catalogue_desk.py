"""Catalogue (F6): find a title by words, ISBN scan, call number or subject; read its record and copies.

The search line stays on top. Words list matching titles a page at a time (PgDn/PgUp),
with copies available of those held and where they stand; Down goes into the list and
Enter opens a title: its bibliographic fields and every copy with its status, location
and due date. Scanning a book's ISBN barcode (or a copy's barcode) opens that title at
once. Cataloguers and the curator may edit (Ctrl+E) and add records (Ctrl+N).

Other posts' tools for the title on screen (add copies, place a hold) are declared by
those posts (`title_tools` in screens/<post>/__init__.py): a key, its description, and
the screen to push, which is called with the title's record number.
"""
from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, DataTable, Static

from counter_tui.screens import posts
from counter_tui.screens.scan_desk import ScanDesk
from counter_tui.screens.search_list import PagedSearch
from counter_tui.services import access
from counter_tui.services.catalogue import titles
from counter_tui.services.catalogue.titles import Page, Record
from counter_tui.widgets.row_table import row_table
from counter_tui.widgets.scan_input import ScanInput
from counter_tui.domain.plurals import counted


# Other posts' keys for the title on screen (add copies, place a hold), as each post declares them.
RECORD_TOOLS = posts.title_tools()

EDIT_ACTIONS = {"new_record", "edit_record"}
RECORD_ACTIONS = {"edit_record", "record_tool", "back"}
RESULT_ACTIONS = {"next_page", "previous_page"}


class CatalogueScreen(PagedSearch, ScanDesk):
    TITLE = "Catalogue"
    PROMPT = "Scan an ISBN, or type words, a call number, a: author, s: subject; Enter"
    DEFAULT_CSS = """
    CatalogueScreen #body { height: 1fr; }
    CatalogueScreen #results-view, CatalogueScreen #record-view { height: 1fr; }
    CatalogueScreen #results, CatalogueScreen #copies { height: 1fr; }
    CatalogueScreen #page-info { height: 1; padding: 0 1; color: $text-muted; }
    CatalogueScreen #record { height: auto; max-height: 8; padding: 0 1; }
    """
    search_page = staticmethod(titles.search_page)
    NOUN, COUNT_IN_INFO, INFO_TAIL = "title", True, "   Enter: open"
    BINDINGS = [
        Binding("ctrl+n", "new_record", "New record", id="catalogue.new"),
        Binding("ctrl+e", "edit_record", "Edit", id="catalogue.edit", priority=True),
        *(Binding(t.key, f"record_tool('{t.id}')", t.label, id=t.id) for t in RECORD_TOOLS),
        Binding("pagedown", "next_page", "Next page", id="catalogue.next_page", priority=True),
        Binding("pageup", "previous_page", "Previous page", id="catalogue.previous_page", priority=True,
                show=False),
        Binding("down", "open_list", "To the list", id="catalogue.to_list", show=False),
        Binding("escape", "back", "Back to results", id="catalogue.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page: Page | None = None
        self.record: Record | None = None
        self.search_text = ""
        self.page_starts: list[int | None] = [None]  # where each page seen so far began
        self.first_row = 1

    # -- layout ------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with ContentSwitcher(initial="results-view", id="body"):
            with Vertical(id="results-view"):
                table = row_table("results", (("Title", 24), ("Author", 12), ("Year", 4), ("Call no.", 11),
                                              ("Avail", 5), ("Location", 9)))
                yield table
                yield Static("", id="page-info")
            with Vertical(id="record-view"):
                yield Static("", id="record")
                copies = row_table("copies", (("Barcode", 14), ("Status", 13), ("Call no.", 14),
                                              ("Location", 12), ("Due", 10)))
                yield copies

    def on_mount(self) -> None:
        self.call_after_refresh(lambda: self.run_worker(self.search(""), group="reads"))

    @property
    def showing_record(self) -> bool:
        return self.query_one(ContentSwitcher).current == "record-view"

    @property
    def biblio_id(self) -> int | None:
        """The title on screen, for tools of other posts."""
        return self.record.id if self.record and self.showing_record else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in EDIT_ACTIONS and not access.may(self.app.actor, *titles.EDIT_ROLES):
            return False
        if action in RECORD_ACTIONS and not self.showing_record:
            return False
        if action in RESULT_ACTIONS and self.showing_record:
            return False
        if action == "record_tool":
            tool = self._tool(str(parameters[0]))
            return tool is not None and (not tool.roles or access.may(self.app.actor, *tool.roles))
        return True

    # -- searching ----------------------------------------------------------------------------

    async def search(self, text: str, open_single: bool = False) -> None:
        page = await self.call(titles.search_page, self.app.actor, text, None, self._page_size())
        if open_single and page.how in ("isbn", "issn", "barcode") and len(page.rows) == 1:
            await self.show_record(page.rows[0].id)  # a scanned book jumps to its title
            return
        if open_single and not page.rows:
            raise self.nothing_found(text, page, f"No title in the catalogue matches {text.strip()[:40]!r}.")
        self.search_text, self.page_starts, self.first_row = text, [None], 1
        self._show_page(page)
        self._switch("results-view")
        if open_single:
            self.say(f"{self._count(page)} for {text.strip()[:30]!r}: Down to the list, Enter opens a title.")

    @staticmethod
    def row_cells(row) -> tuple:
        return (row.title, row.author, str(row.year or ""), row.call_number, f"{row.available}/{row.total}",
                row.location)

    def action_open_list(self) -> None:
        self.query_one("#copies" if self.showing_record else "#results", DataTable).focus()

    async def open_row(self, biblio_id: int) -> None:
        await self.show_record(biblio_id)

    def action_back(self) -> None:
        self._switch("results-view")
        self.query_one("#results", DataTable).focus()

    # -- the record ---------------------------------------------------------------------------

    async def show_record(self, biblio_id: int) -> None:
        self.record = rec = await self.call(titles.record, self.app.actor, biblio_id)
        parts = [f"[b]{escape(rec.title)}[/]" + (f"  /  {escape(rec.author)}" if rec.author else "")]
        line = " · ".join(f"{label} {escape(str(value))}" for label, value in (
            ("Edition", rec.edition), ("Publisher", rec.publisher), ("Year", rec.year or "")) if value)
        if line:
            parts.append(line)
        values = rec.values()
        line = " · ".join(f"{label} {escape(values[key])}" for label, key in (
            ("ISBN", "isbn"), ("ISSN", "issn"), ("Language", "language"), ("Class", "classification")) if values[key])
        if line:
            parts.append(line)
        if rec.subjects:
            parts.append(f"Subjects: {escape(rec.subjects)}")
        parts.append(f"[dim]Record {rec.id} · {rec.available} of {counted(len(rec.copies), 'copy')} "
                     f"available · Esc: back to the list[/]")
        self.query_one("#record", Static).update("\n".join(parts))
        copies = self.query_one("#copies", DataTable)
        copies.clear()
        copies.add_rows([(c.barcode, c.status, c.call_number, c.location, c.due.isoformat() if c.due else "")
                         for c in rec.copies])
        self._switch("record-view")
        self.query_one(ScanInput).focus()
        self.say(f"{rec.title[:40]}: {rec.available} of {len(rec.copies)} available.")

    # -- cataloguing --------------------------------------------------------------------------

    def action_new_record(self) -> None:
        from counter_tui.screens.catalogue.biblio_form import BiblioForm
        self.app.push_screen(BiblioForm(), self._form_done)

    def action_edit_record(self) -> None:
        if self.record is None:
            return
        from counter_tui.screens.catalogue.biblio_form import BiblioForm
        self.app.push_screen(BiblioForm(self.record), self._form_done)

    def _form_done(self, result) -> None:
        if result is None:
            self.say("Nothing saved.")
            return
        if result.action == "skipped":
            self.say("Skipped: nothing saved.", "yellow")
            return
        said = {"created": "Saved as a new record.", "updated": "Record saved.",
                "open": "The existing record: add copies here."}[result.action]
        self.run_worker(self._open_after_form(result.biblio_id, said), group="reads")

    async def _open_after_form(self, biblio_id: int, said: str) -> None:
        await self.show_record(biblio_id)
        self.say(said, "green")

    # -- other posts' tools -------------------------------------------------------------------

    @staticmethod
    def _tool(tool_id: str) -> posts.TitleTool | None:
        return next((t for t in RECORD_TOOLS if t.id == tool_id), None)

    def action_record_tool(self, tool_id: str) -> None:
        tool, biblio_id = self._tool(tool_id), self.biblio_id
        if tool is None or biblio_id is None:
            return
        screen = posts.load(tool.screen)(biblio_id)
        self.app.push_screen(screen, lambda _: self.run_worker(self.show_record(biblio_id), group="reads"))
