"""Holds (F7): place a hold for a reader, see their place in each queue, cancel, the hold
shelf, expiring holds nobody collected, and the holds to pull (copies on the shelf that
waiting holds can have). Also the one-key question the check-in desk
asks when a returned copy fills a hold (`returned_for_hold`).

The scan line takes a reader's card (or part of a name), then a book: a copy's barcode
asks "any copy or this copy", words or an ISBN list titles to pick from. Every key's
work goes through the desk's queue, so it happens in turn with the scans around it.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from counter_tui.domain.barcodes import Kind, classify
from counter_tui.screens.scan_desk import ScanDesk
from counter_tui.screens.search_list import ListTyping
from counter_tui.services.catalogue import titles
from counter_tui.services.circulation import holds, pull_list
from counter_tui.services.readers import patrons
from counter_tui.services.errors import CardScanned, NotFound, Refusal
from counter_tui.services.library_settings import money
from counter_tui.domain.plurals import counted

GOES_TO_COLUMN = 5  # the check-in desk's "Goes to" column

TRAP_CHOICES = {"y": ("confirm", "onto the hold shelf"), "p": ("print", "print slip and confirm"),
                "n": ("ignore", "ignore")}


async def returned_for_hold(desk: ScanDesk, result) -> None:
    """Check-in: the returned copy can fill a hold. One key decides; the scans behind wait.

    Adds the check-in line itself (as the check-in desk would) and answers the question.
    """
    found = result.hold
    late = Text(f"{result.days_late}d", style="bold red") if result.days_late else "-"
    fine = Text(money(result.fine), style="bold red") if result.fine else "-"
    desk.add_line(result.barcode, result.title, result.patron_name or "", late if result.was_on_loan else "",
                  fine if result.was_on_loan else "", Text("hold?", style="bold yellow"))
    row = desk.lines - 1
    if result.loan_id is not None and isinstance(getattr(desk, "loan_lines", None), dict):
        desk.loan_lines[row] = result.loan_id
    charged = f" Fine {money(result.fine)} charged." if result.fine else ""
    desk.say(f"{result.title}: a hold waits.{charged}", "bold yellow")
    which = "this very copy" if found.copy_level else "the title"
    others = f", first of {found.waiting} waiting" if found.waiting > 1 else ""
    answer = await desk.ask(f"[b]{found.title}[/] ({found.barcode}) fills a hold.\n"
                            f"{found.patron_name} ({found.patron_card}) asked for {which}{others}.",
                            TRAP_CHOICES, cancel="ignore")
    table = desk.query_one("#lines", DataTable)
    if answer == "ignore":
        table.update_cell_at(Coordinate(row, GOES_TO_COLUMN), result.destination)
        desk.say(f"Hold left waiting; {result.title} goes to the shelf: {result.destination}.{charged}", "yellow")
        return
    try:
        trapped = await desk.call(holds.trap, desk.app.actor, found.item_id, found.hold_id,
                                  print_slip=answer == "print")
    except Refusal as refusal:
        table.update_cell_at(Coordinate(row, GOES_TO_COLUMN), result.destination)
        desk.say(refusal.sentence, "bold red")
        desk.app.bell()
        return
    table.update_cell_at(Coordinate(row, GOES_TO_COLUMN), Text("HOLD SHELF", style="bold green"))
    desk.say(trapped_sentence(trapped) + charged, "bold green")


def trapped_sentence(trapped: holds.Trapped) -> str:
    """What the clerk is told once a copy is on the hold shelf, the slip included."""
    slip = ""
    if trapped.slip is not None:
        slip = (" Slip printed." if trapped.slip.printed else f" Slip saved as {trapped.slip.path.name}.")
        slip += f" {trapped.slip.problem}" if trapped.slip.problem else ""
    return f"To the hold shelf for {trapped.patron_name}, pick up by {trapped.pickup_by.isoformat()}.{slip}"


@dataclass(frozen=True)
class Command:
    """A key's work, put on the scan queue so it runs in turn."""
    name: str
    arg: int | None = None

    def strip(self) -> str:  # read as the "scan" when something goes wrong
        return self.name


def looks_like_name(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


VIEWS = {
    "reader": (("Title", 30), ("Copy", 14), ("Where", 30)),
    "titles": (("Title", 34), ("Author", 16), ("On shelf", 8), ("Call number", 12)),
    "queue": (("#", 3), ("Reader", 22), ("Card", 14), ("Where", 32)),
    "shelf": (("Pick up by", 10), ("Reader", 18), ("Title", 26), ("Copy", 14)),
    "expired": (("Title", 24), ("Copy", 14), ("Was for", 16), ("Now", 18)),
    "pull": (("Call number, shelf", 18), ("Title", 22), ("Copy", 14), ("For", 16)),  # 80 columns, padded
}


class HoldsScreen(ListTyping, ScanDesk):
    TITLE = "Holds"
    PROMPT = "Scan a card or type a name; then scan a book or type title words"
    DEFAULT_CSS = """
    HoldsScreen #context { height: 1; padding: 0 1; background: $boost; }
    """
    BINDINGS = [
        Binding("ctrl+t", "place", "Place hold", id="holds.place"),
        Binding("ctrl+r", "reader_holds", "Reader", id="holds.reader"),
        Binding("ctrl+z", "cancel_hold", "Cancel hold", id="holds.cancel"),
        Binding("ctrl+s", "shelf", "Hold shelf", id="holds.shelf"),
        Binding("ctrl+g", "expire", "Expire", id="holds.expire"),
        Binding("ctrl+f", "pull", "To pull", id="holds.pull"),
        Binding("ctrl+n", "next_reader", "Next reader", id="holds.next_reader", show=False),
        Binding("down", "to_list", "To the list", id="holds.to_list", show=False),
        Binding("escape", "close", "Close", id="holds.close", show=False),
    ]

    def __init__(self, patron_id: int | None = None, biblio_id: int | None = None) -> None:
        super().__init__()
        self.patron: patrons.PatronSummary | None = None
        self.title_id: int | None = None  # the title in hand (from the catalogue or a scanned copy)
        self.title_name = ""
        self.view = ""
        self.row_ids: list[int] = []  # hold ids or title ids of the table's rows
        self._start = (patron_id, biblio_id)

    # -- layout ----------------------------------------------------------------------------

    def compose_top(self) -> ComposeResult:
        yield Static("No reader yet: scan a card.", id="context")

    async def arrive_from(self, left) -> None:
        """F7 from a desk showing a reader (`patron`) or a title (`biblio_id`): holds for them."""
        if isinstance(left, HoldsScreen):
            return
        patron, title_id = getattr(left, "patron", None), getattr(left, "biblio_id", None)
        if patron is not None:
            self.queue.put_nowait(Command("reader", patron.id))
        elif title_id is not None:  # a title from the catalogue: the next card scanned is asked about it
            self.queue.put_nowait(Command("next_reader"))
        if title_id is not None:
            self.queue.put_nowait(Command("title", title_id))

    def on_mount(self) -> None:
        patron_id, biblio_id = self._start
        if patron_id is not None:
            self.queue.put_nowait(Command("reader", patron_id))
        if biblio_id is not None:
            self.queue.put_nowait(Command("title", biblio_id))

    def _show(self, view: str, rows: list[tuple], ids: list[int]) -> None:
        table = self.query_one("#lines", DataTable)
        if view != self.view:
            table.clear(columns=True)
            for label, width in VIEWS[view]:
                table.add_column(label, width=width)
            self.view = view
        else:
            table.clear()
        table.add_rows(rows)
        self.row_ids = ids
        self.lines = len(rows)
        self.notes = [("  ".join(str(c) for c in row if str(c)), "") for row in rows]

    def _show_context(self) -> None:
        who = f"Reader: [b]{self.patron.name}[/] ({self.patron.card})" if self.patron else "No reader"
        what = f"   Title: [b]{self.title_name[:30]}[/]" if self.title_id else ""
        self.query_one("#context", Static).update(who + what)

    def _selected(self) -> int | None:
        table = self.query_one("#lines", DataTable)
        if not self.row_ids or table.cursor_row is None or table.cursor_row >= len(self.row_ids):
            return None
        return self.row_ids[table.cursor_row]

    def refuse(self, refusal: Refusal, scanned) -> None:
        self.say(refusal.sentence, "bold red")
        if refusal.bell:
            self.app.bell()

    # -- keys: each one's work waits its turn on the queue ------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return len(self.app.screen_stack) > 1 and self.app.screen is self
        return True

    def action_close(self) -> None:
        self.dismiss()

    def action_to_list(self) -> None:
        self.query_one("#lines", DataTable).focus()

    def action_place(self) -> None:
        self.queue.put_nowait(Command("place", self._selected() if self.view == "titles" else None))

    def action_reader_holds(self) -> None:
        self.queue.put_nowait(Command("reader_holds"))

    def action_cancel_hold(self) -> None:
        self.queue.put_nowait(Command("cancel", self._selected() if self.view in ("reader", "queue", "shelf")
                                      else None))

    def action_shelf(self) -> None:
        self.queue.put_nowait(Command("shelf"))

    def action_pull(self) -> None:
        self.queue.put_nowait(Command("pull"))

    def action_expire(self) -> None:
        self.queue.put_nowait(Command("expire"))

    def action_next_reader(self) -> None:
        self.queue.put_nowait(Command("next_reader"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.cursor_row < len(self.row_ids):
            self.queue.put_nowait(Command("enter", self.row_ids[event.cursor_row]))

    # -- the work ----------------------------------------------------------------------------

    async def handle_scan(self, text) -> None:
        if isinstance(text, Command):
            await getattr(self, f"do_{text.name}")(text.arg)
            return
        kind = classify(text, self.app.settings.barcodes).kind
        if kind is Kind.PATRON:
            await self.load_reader(text)
            return
        if kind in (Kind.ITEM, Kind.LEGACY):
            try:
                item = await self.call(holds.title_of_copy, text)
            except CardScanned as card:
                await self.load_reader(card.card)
                return
            except NotFound:
                if kind is Kind.ITEM:
                    raise
                item = None  # a word that looks like an old barcode: search with it below
            if item is not None:
                await self.copy_scanned(item)
                return
        if self.patron is None and looks_like_name(text) and kind is not Kind.ISBN:
            matches = await self.call(patrons.search, text)
            if matches:
                await self.pick_reader(text, matches)
                return
        await self.find_titles(text)

    async def load_reader(self, text: str) -> None:
        patron = await self.call(patrons.find_by_card, text)
        await self.do_reader(patron.id)

    async def pick_reader(self, text: str, matches) -> None:
        chosen = await self.choose_reader(text, matches)
        if chosen is None:
            self.say("No reader chosen.")
            return
        await self.do_reader(chosen)

    async def do_reader(self, patron_id: int | None) -> None:
        self.patron = await self.call(patrons.summary, patron_id)
        self._show_context()
        if self.title_id is not None:
            answer = await self.ask(f"Place a hold on [b]{self.title_name}[/] for {self.patron.name}?",
                                    {"y": ("yes", "place the hold"), "n": ("no", "not now")}, cancel="no")
            if answer == "yes":
                await self.do_place(self.title_id)
                return
        await self.do_reader_holds(None)

    async def do_title(self, biblio_id: int | None) -> None:
        """A title in hand (from the catalogue): its queue; a card scanned next places a hold on it."""
        record = await self.call(titles.record, self.app.actor, biblio_id)
        self.title_id, self.title_name = record.id, record.title
        self._show_context()
        if self.patron is not None:
            await self.do_reader(self.patron.id)
            return
        await self.show_queue(biblio_id)
        self.say(f"{record.title}: scan the card of the reader who wants it, or Ctrl+Z cancels a hold.")

    async def copy_scanned(self, item) -> None:
        self.title_id, self.title_name = item.biblio_id, item.title
        self._show_context()
        if self.patron is None:
            await self.show_queue(item.biblio_id)
            self.say(f"The queue for {item.title}. Scan a reader's card to place a hold on it.")
            return
        answer = await self.ask(f"Hold [b]{item.title}[/] for {self.patron.name}:\n"
                                f"any copy of the title, or this copy ({item.barcode}) only?",
                                {"a": ("any", "any copy"), "c": ("copy", "this copy only"), "n": ("no", "no hold")},
                                cancel="no")
        if answer == "no":
            self.say("No hold placed.")
            return
        await self.place(item.biblio_id, item.id if answer == "copy" else None)

    async def find_titles(self, text: str) -> None:
        page = await self.call(titles.search_page, self.app.actor, text, None, 50)
        if not page.rows:
            raise Refusal(f"No title matches {text.strip()[:40]!r}.")
        self._show("titles", [(r.title, r.author, f"{r.available}/{r.total}", r.call_number) for r in page.rows],
                   [r.id for r in page.rows])
        more = " (the first 50)" if page.next else ""
        how = "Ctrl+T places a hold on the chosen one" if self.patron else "scan a reader's card first"
        self.say(f"{counted(len(page.rows), 'title')}{more}: Down to the list; {how}.")

    async def show_queue(self, biblio_id: int) -> None:
        queue = await self.call(holds.title_queue, self.app.actor, biblio_id)
        self._show("queue", [(str(h.place or "-"), h.patron_name, h.patron_card,
                              h.where + (f" ({h.barcode})" if h.copy_level else "")) for h in queue],
                   [h.id for h in queue])

    async def do_place(self, biblio_id: int | None) -> None:
        if biblio_id is None:
            biblio_id = self.title_id
        if biblio_id is None:
            raise Refusal("Find a title first: scan a copy or type words of its title.")
        await self.place(biblio_id, None)

    async def place(self, biblio_id: int, item_id: int | None) -> None:
        if self.patron is None:
            raise Refusal("Scan the reader's card first: a hold is for a reader.")
        hold = await self.call(holds.place, self.app.actor, self.patron.id, biblio_id, item_id)
        self.title_id = None
        self._show_context()
        await self.do_reader_holds(None)
        copy = f" (copy {hold.barcode} only)" if hold.copy_level else ""
        fetch = [r for r in await self.call(pull_list.to_pull, self.app.actor, biblio_id=biblio_id)
                 if r.hold_id == hold.id]
        if fetch:  # nothing else would bring that copy to the hold shelf
            self.say(f"Hold placed for {hold.patron_name}. Fetch {fetch[0].barcode} {fetch[0].fetch_from} "
                     "and scan it at check-in (F3).", "bold green")
            return
        self.say(f"Hold placed: {hold.patron_name} is number {hold.place} in the queue for {hold.title}{copy}.",
                 "green")

    async def do_enter(self, row_id: int | None) -> None:
        if self.view == "titles":
            await self.do_place(row_id)
        elif self.view == "shelf" and row_id is not None:
            done = await self.call(holds.reprint_slip, self.app.actor, row_id)
            where = "sent to the printer" if done.printed else f"saved as {done.path.name}"
            self.say(f"Hold slip {where}. {done.problem}".rstrip(), "yellow" if done.problem else "green")

    async def do_reader_holds(self, _arg=None) -> None:
        if self.patron is None:
            raise Refusal("Scan a reader's card to see their holds.")
        rows = await self.call(holds.reader_holds, self.app.actor, self.patron.id)
        self._show("reader", [(h.title, h.barcode if h.copy_level or h.status == "ready" else "any copy",
                               Text(h.where, style="bold green") if h.status == "ready" else h.where)
                              for h in rows], [h.id for h in rows])
        self.say(f"{self.patron.name} has {counted(len(rows), 'hold')}. "
                 "Type title words or scan a copy to place one; Ctrl+Z cancels the chosen hold.")

    async def do_cancel(self, hold_id: int | None) -> None:
        if hold_id is None:
            raise Refusal("Choose a hold in the list first (Ctrl+R lists the reader's holds).")
        answer = await self.ask("Cancel the chosen hold?", {"y": ("yes", "cancel it"), "n": ("no", "keep it")},
                                cancel="no")
        if answer != "yes":
            self.say("The hold stays.")
            return
        hold = await self.call(holds.cancel, self.app.actor, hold_id)
        if self.view == "shelf":
            await self.do_shelf(None)
        elif self.view == "queue":
            await self.show_queue(hold.biblio_id)
        else:
            await self.do_reader_holds(None)
        self.say(f"Cancelled: {hold.patron_name}'s hold on {hold.title}.", "green")

    async def do_shelf(self, _arg=None) -> None:
        rows = await self.call(holds.hold_shelf, self.app.actor)
        from counter_tui.domain.calendar import local_date, utc_now
        today = local_date(utc_now(), self.app.settings.timezone)
        self._show("shelf", [(Text(h.pickup_by.isoformat(), style="bold red") if h.pickup_by and h.pickup_by < today
                              else (h.pickup_by.isoformat() if h.pickup_by else ""),
                              h.patron_name, h.title, h.barcode) for h in rows], [h.id for h in rows])
        late = sum(1 for h in rows if h.pickup_by and h.pickup_by < today)
        self.say(f"{len(rows)} on the hold shelf, {late} not collected in time (Ctrl+G expires them). "
                 "Enter reprints a slip.")

    async def do_pull(self, _arg=None) -> None:
        """The holds a copy on the shelf can fill; pressed again on the list, it prints the list."""
        if self.view == "pull" and self.row_ids:
            done, count = await self.call(pull_list.print_list, self.app.actor)
            where = "sent to the printer" if done.printed else f"saved as {done.path.name}"
            self.say(f"List of {count} to pull {where}. {done.problem}".rstrip(), "yellow" if done.problem else "green")
            return
        rows = await self.call(pull_list.to_pull, self.app.actor)
        self._show("pull", [(Text(r.call_first, style="yellow") if r.location == pull_list.ON_CART else r.call_first,
                             r.title, r.barcode, r.patron_name) for r in rows], [r.hold_id for r in rows])
        if not rows:
            self.say("No hold waits for a copy on the shelf: nothing to pull.")
            return
        self.say(f"{counted(len(rows), 'copy')} to fetch for waiting holds, in shelf order. "
                 "Scan each at check-in (F3) for the hold shelf; Ctrl+F again prints the list.")

    async def do_expire(self, _arg=None) -> None:
        answer = await self.ask("Expire every hold not collected by its pick-up-by day?\n"
                                "Each copy goes to the next reader in its queue or back to the shelf.",
                                {"y": ("yes", "expire them"), "n": ("no", "not now")}, cancel="no")
        if answer != "yes":
            self.say("Nothing expired.")
            return
        done = await self.call(holds.expire, self.app.actor)
        self._show("expired", [(e.title, e.barcode, e.patron_name,
                                Text(f"for {e.next_reader}", style="bold yellow") if e.next_reader else "to the shelf")
                               for e in done], [e.hold_id for e in done])
        moved = sum(1 for e in done if e.next_reader)
        back = len(done) - moved
        self.say(f"{counted(len(done), 'hold')} expired: {counted(moved, 'copy')} now wait"
                 f"{'s' if moved == 1 else ''} for the next reader (new slips from Ctrl+S, Enter), "
                 f"{back} go{'es' if back == 1 else ''} back to the shelf.", "green" if done else "")

    async def do_next_reader(self, _arg=None) -> None:
        self.patron, self.title_id = None, None
        self._show_context()
        self._show("reader", [], [])
        self.say("Ready for the next reader.")


class TitleHoldsScreen(HoldsScreen):
    """The holds desk for one title, as the catalogue's record tools open it: `TitleHoldsScreen(biblio_id)`."""

    def __init__(self, biblio_id: int) -> None:
        super().__init__(biblio_id=biblio_id)


def place_hold_screen(biblio_id: int | None = None, patron_id: int | None = None) -> HoldsScreen:
    """The holds desk opened on a title (from the catalogue) and/or a reader (from their account).

    Push it (`app.push_screen(place_hold_screen(biblio_id=...))`); Escape closes it. With a
    title and no reader, the next card scanned is asked one key to place the hold.
    """
    return HoldsScreen(patron_id=patron_id, biblio_id=biblio_id)
