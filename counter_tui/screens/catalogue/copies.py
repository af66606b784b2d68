"""A title's copies: the list, and adding copies with the next accession numbers and barcodes.

Open it for a biblio id (the catalogue record screen does: `CopiesScreen(biblio_id)`).
A (or Insert) asks how many copies (the cursor starts there), their item type, price,
location, source (one of the known list), volume and any pre-printed labels (scanned one
after another, separated by spaces); each new copy gets the next accession number, its
call number and a line in the accession register, and stays "in processing" until a
transfer batch hands it to circulation. A title without a class number gets no copies:
the screen says so before any form. C gives copies left without a call number (from
before it was required, or an import) theirs. Esc goes back.
"""
from __future__ import annotations


from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from counter_tui.domain import acquisition_sources
from counter_tui.domain.money import parse_money
from counter_tui.domain.plurals import counted
from counter_tui.models import Biblio
from counter_tui.services import access
from counter_tui.services.catalogue import copies
from counter_tui.services.errors import Refusal
from counter_tui.services.library_settings import money
from counter_tui.widgets.fields_dialog import Field, FieldsDialog
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.widgets.row_table import row_table


def _title(biblio_id: int) -> str:
    biblio = Biblio.get_or_none(Biblio.id == biblio_id)
    if biblio is None:
        raise Refusal("That title no longer exists.")
    return biblio.title + (f" / {biblio.author}" if biblio.author else "")


class CopiesForm(FieldsDialog):
    """The add-copies form: seven fields, one line each, so it fits 80x24; wide enough that
    every label (what the field wants) is one line."""
    DEFAULT_CSS = """
    CopiesForm > Vertical { width: 76; }
    CopiesForm Input { border: none; height: 1; padding: 0 1; background: $boost; }
    CopiesForm Input:focus { border: none; background: $accent 40%; }
    """


class CopiesScreen(Screen):
    DEFAULT_CSS = """
    CopiesScreen #copies-title { height: 1; background: $primary; padding: 0 1; }
    CopiesScreen #copies-status { height: auto; max-height: 2; padding: 0 1; }
    CopiesScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("a,insert", "add", "Add copies", id="copies.add"),
        Binding("c", "call_numbers", "Call numbers", id="copies.call_numbers"),
        Binding("escape", "back", "Back", id="copies.back"),
    ]
    COLUMNS = (("Acc. no.", 8), ("Barcode", 14), ("Call number", 12), ("Location", 8), ("Price", 9),
               ("Status", 13))

    def __init__(self, biblio_id: int) -> None:
        super().__init__()
        self.biblio_id = biblio_id
        self.added: list[copies.CopyLine] = []
        self.last = {"count": "1", "item_type": "book", "price": "", "location": "Stacks", "source": "purchase",
                     "volume": "", "labels": ""}

    def compose(self) -> ComposeResult:
        yield Static("[b]Copies[/]", id="copies-title")
        yield Static("", id="copies-status")
        table = row_table("copies", self.COLUMNS)
        yield table
        yield KeyBar()

    async def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        try:
            title = await self.app.run_db(_title, self.biblio_id)
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            return
        self.query_one("#copies-title", Static).update(f"[b]Copies[/] of {title}")
        await self.refresh_copies()
        if not access.may(self.app.actor, *copies.ROLES):
            self.say("You may look; adding copies is for cataloguers and the curator.")
            return
        problem = await self.app.run_db(copies.call_number_problem, self.biblio_id)
        if problem:
            self.say(problem, "bold red")

    async def refresh_copies(self) -> None:
        lines = await self.app.run_db(copies.copies_of, self.biblio_id)
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows([(str(c.accession_number), c.barcode, c.call_number, c.location,
                         money(c.price) if c.price is not None else "", c.status) for c in lines])
        if lines:
            table.move_cursor(row=len(lines) - 1)
        if not self.query_one("#copies-status", Static).content:
            unplaced = sum(1 for c in lines if not c.call_number and c.status != "withdrawn")
            self.say(f"{counted(len(lines), 'copy')}. A adds copies."
                     + (f" {counted(unplaced, 'copy')} without a call number: C gives {'it' if unplaced == 1 else 'them'} "
                        "one." if unplaced else ""))

    def say(self, text: str, style: str = "") -> None:
        from rich.text import Text
        self.query_one("#copies-status", Static).update(Text(text, style=style))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_add(self) -> None:
        self.run_worker(self._add_unless_unplaced(), group="copies.add", exclusive=True)

    async def _add_unless_unplaced(self) -> None:
        problem = await self.app.run_db(copies.call_number_problem, self.biblio_id)
        if problem:  # said now, not after the whole form is filled in
            self.say(problem, "bold red")
            self.app.bell()
            return
        await self._add()

    def action_call_numbers(self) -> None:
        self.run_worker(self._call_numbers(), group="copies.call_numbers", exclusive=True)

    async def _call_numbers(self) -> None:
        try:
            given = await self.app.run_db(copies.give_call_numbers, self.app.actor, self.biblio_id)
        except Refusal as refusal:
            self.say(refusal.sentence, "bold red")
            self.app.bell()
            return
        self.say(f"{counted(len(given), 'copy')} given a call number: "
                 + ", ".join(f"{c.accession_number} {c.call_number}" for c in given[:5])
                 + (" ..." if len(given) > 5 else "."), "green")
        await self.refresh_copies()

    def fields(self, kinds: list[str]) -> list[Field]:
        """The form's fields, each label saying what it wants; the cursor starts on how many."""
        last = self.last
        return [Field("count", f"How many copies: a number from 1 to {copies.MAX_COPIES}", last["count"]),
                Field("item_type", f"Item type: {', '.join(kinds[:-1])} or {kinds[-1]}" if len(kinds) > 1
                      else "Item type", last["item_type"]),
                Field("price", f"Price of each copy, like {money(4500)} (empty: not known)", last["price"]),
                Field("location", "Location, like Stacks or New books", last["location"]),
                Field("source", f"Source: {acquisition_sources.choices()}", last["source"]),
                Field("volume", "Volume, like v.2 (empty: a single volume)", last["volume"]),
                Field("labels", "Pre-printed labels: scan each one (empty: the next numbers)", last["labels"])]

    def receive(self, values: dict[str, str]) -> list[copies.CopyLine]:
        """The form's save (on the database thread): a refusal names the field to go back to."""
        self.last = dict(values)
        count_text = values["count"].strip() or "1"
        if not count_text.isdigit():
            raise Refusal(f"How many copies: type a number from 1 to {copies.MAX_COPIES}.", field="count")
        try:
            price = parse_money(values["price"], self.app.settings.currency) if values["price"].strip() else None
        except ValueError as exc:
            raise Refusal(str(exc), field="price") from None
        return copies.receive_copies(self.app.actor, self.biblio_id, int(count_text),
                                     item_type=values["item_type"].strip(), price=price,
                                     location=values["location"], source=values["source"],
                                     labels=values["labels"].split(), volume=values["volume"])

    async def _add(self) -> None:
        kinds = await self.app.run_db(copies.item_types)
        made = await self.app.push_screen_wait(CopiesForm("Add copies", self.fields(kinds), save=self.receive))
        if not made:
            return
        self.added.extend(made)
        self.last.update(count="1", labels="")  # the rest is offered again for the next copies
        numbers = f"{made[0].accession_number}" + (f"-{made[-1].accession_number}" if len(made) > 1 else "")
        self.say(f"Added {counted(len(made), 'copy')}, accession {numbers}, "
                 "in processing until transferred to circulation.", "green")
        await self.refresh_copies()
