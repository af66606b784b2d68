"""Label printing (F9): scan copies, then print their spine and barcode labels as a PDF.

Scan or type copies' barcodes (Enter after each); "#7" adds every copy of transfer
batch 7; Ctrl+N adds every copy still in processing. Ctrl+T chooses spine, barcode or
both labels; Ctrl+G the label sheet; Ctrl+Z takes the last copy off the list; Ctrl+R
writes the PDF into the labels folder. Esc leaves.
"""
from __future__ import annotations


from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from counter_tui.services.catalogue import labels
from counter_tui.services.errors import Refusal
from counter_tui.widgets.cells import cut
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.widgets.row_table import row_table
from counter_tui.widgets.scan_input import ScanInput
from counter_tui.widgets.title_bar import TitleBar
from counter_tui.domain.plurals import counted

COLUMNS = (("Barcode", 14), ("Call number", 16), ("Title", 40))
KIND_NAMES = {labels.BOTH: "spine and barcode label", labels.SPINE: "spine label",
              labels.BARCODE: "barcode label"}  # said with their count: counted(n, KIND_NAMES[kind])


class LabelsScreen(Screen):
    TITLE = "Labels"
    DEFAULT_CSS = """
    LabelsScreen #labels-sheet { height: 1; padding: 0 1; color: $text-muted; }
    LabelsScreen #labels-status { height: auto; max-height: 2; padding: 0 1; }
    LabelsScreen #label-copies { height: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+r", "print", "Print", id="labels.print"),
        Binding("ctrl+t", "kind", "Kind", id="labels.kind"),
        Binding("ctrl+g", "sheet", "Sheet", id="labels.sheet"),
        Binding("ctrl+n", "processing", "In processing", id="labels.processing"),
        Binding("ctrl+z", "remove_last", "Remove last", id="labels.remove"),
        Binding("escape", "close", "Close", id="labels.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.copies: list[labels.Copy] = []
        self.kind = labels.BOTH
        self.template_name = labels.DEFAULT_TEMPLATE
        self.printed: labels.LabelSheet | None = None
        self.done = 0  # scans and prints handled; tests wait on it

    def compose(self) -> ComposeResult:
        yield TitleBar(self.TITLE, id="title")
        yield ScanInput(placeholder="Scan copies (Enter after each); #7 adds transfer batch 7", id="label-scan")
        yield Static("", id="labels-sheet")
        yield Static("", id="labels-status")
        table = row_table("label-copies", COLUMNS)
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(ScanInput).focus()
        self._show_sheet()
        self.say("Scan the copies to label; Ctrl+R prints.")

    # -- helpers ----------------------------------------------------------------------

    def say(self, sentence: str, style: str = "") -> None:
        self.query_one("#labels-status", Static).update(Text(sentence, style=style))

    def _show_sheet(self) -> None:
        sheet = labels.TEMPLATES[self.template_name]
        count = len(self.copies) * (2 if self.kind == labels.BOTH else 1)
        self.query_one("#labels-sheet", Static).update(Text(
            f"{counted(len(self.copies), 'copy')}: {counted(count, KIND_NAMES[self.kind])} on {sheet.name} "
            f"({sheet.columns}x{sheet.rows}, {sheet.label_w:g}x{sheet.label_h:g} mm)"))

    def _add(self, found: list[labels.Copy]) -> int:
        known = {c.barcode for c in self.copies}
        new = [c for c in found if c.barcode not in known]
        self.copies += new
        self.query_one("#label-copies", DataTable).add_rows(
            [(c.barcode, cut(c.call_number, 16), cut(c.title, 40)) for c in new])
        self._show_sheet()
        return len(new)

    def _refuse(self, refusal: Refusal) -> None:
        self.say(refusal.sentence, "bold red")
        self.app.bell()

    # -- scanning -----------------------------------------------------------------------

    @on(ScanInput.Scanned)
    async def scanned(self, event: ScanInput.Scanned) -> None:
        text = event.text.strip()
        try:
            if text.startswith("#"):
                number = text[1:].strip()
                if not number.isdigit():
                    raise Refusal("A transfer batch is # and its number, e.g. #7.")
                found = await self.app.run_db(labels.copies_of_batch, int(number))
                added = self._add(found)
                self.say(f"Transfer batch {number}: {counted(added, 'copy')} added.", "green")
            else:
                found = await self.app.run_db(labels.copies_by_barcode, [text], then="")
                if self._add(found):
                    self.say(f"{found[0].barcode} {found[0].call_number} added.", "green")
                else:
                    self.say(f"{found[0].barcode} is on the list already.")
        except Refusal as refusal:
            self._refuse(refusal)
        finally:
            self.done += 1

    # -- keys -----------------------------------------------------------------------------

    async def action_processing(self) -> None:
        try:
            added = self._add(await self.app.run_db(labels.copies_in_processing))
            self.say(f"{counted(added, 'copy in processing')} added.", "green")
        except Refusal as refusal:
            self._refuse(refusal)
        finally:
            self.done += 1

    def action_kind(self) -> None:
        order = [labels.BOTH, labels.SPINE, labels.BARCODE]
        self.kind = order[(order.index(self.kind) + 1) % len(order)]
        self._show_sheet()

    def action_sheet(self) -> None:
        names = list(labels.TEMPLATES)
        self.template_name = names[(names.index(self.template_name) + 1) % len(names)]
        self._show_sheet()

    def action_remove_last(self) -> None:
        if not self.copies:
            self.say("The list is empty.")
            return
        gone = self.copies.pop()
        table = self.query_one("#label-copies", DataTable)
        table.remove_row(list(table.rows)[-1])
        self._show_sheet()
        self.say(f"{gone.barcode} taken off the list.")

    async def action_print(self) -> None:
        if not self.copies:
            self.say("Scan at least one copy first.", "bold red")
            self.app.bell()
            return
        self.say(f"Printing the labels of {counted(len(self.copies), 'copy')}...")
        try:
            path = await self.app.run_db(labels.new_sheet_path)
            sheet = await self.app.run_db(labels.print_labels, self.app.actor, list(self.copies), path, self.kind,
                                     labels.TEMPLATES[self.template_name])
        except (Refusal, OSError) as problem:
            self._refuse(problem if isinstance(problem, Refusal) else Refusal(
                f"The labels folder cannot be written ({problem.strerror})."))
            self.done += 1
            return
        self.printed = sheet
        self.copies = []
        self.query_one("#label-copies", DataTable).clear()
        self._show_sheet()
        self.say(f"{counted(sheet.labels, 'label')} on {counted(sheet.pages, 'page')}: {sheet.path}", "green")
        self.done += 1

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
