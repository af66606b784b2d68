"""Check out (F2): a reader's card, then their books, one scan after another."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from counter_tui.domain.barcodes import Kind, classify
from counter_tui.screens.scan_desk import KeyCommand, ScanDesk
from counter_tui.services.circulation import lending, receipts
from counter_tui.services.readers import patrons
from counter_tui.services.library_settings import money
from counter_tui.services.errors import CardScanned, NotFound, OnLoanElsewhere, Refusal
from counter_tui.services.circulation.holds import WantedByAnother
from counter_tui.services.readers.patrons import PatronSummary
from counter_tui.widgets.patron_panel import PatronPanel
from counter_tui.domain.plurals import counted


# Put on the scan queue by the receipt key, so the receipt lists every scan typed before it.
RECEIPT = KeyCommand("\x00receipt")


def looks_like_name(text: str) -> bool:
    return any(ch.isalpha() for ch in text) and not classify(text).kind in (Kind.ITEM, Kind.PATRON)


class CheckoutScreen(ScanDesk):
    TITLE = "Check out"
    PROMPT = "Scan the reader's card, then each book"
    COLUMNS = (("Barcode", 14), ("Title", 32), ("Call number", 12), ("Due", 10))
    BINDINGS = [
        Binding("ctrl+n", "next_reader", "Next reader", id="checkout.next_reader", show=False),
        Binding("f10", "receipt", "Receipt", id="checkout.receipt"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.patron: PatronSummary | None = None
        self.lent: list[int] = []  # loans made for this reader at this desk, for the receipt

    def compose_top(self) -> ComposeResult:
        yield PatronPanel(id="patron")

    async def reread(self) -> None:
        """The reader's standing again: a block lifted or a fee paid at another desk shows."""
        if self.patron is not None:
            self.set_patron(await self.call(patrons.summary, self.patron.id))

    def desk_key_again(self) -> None:
        """F2 on the check-out desk itself: the next reader."""
        self.action_next_reader()

    def action_next_reader(self) -> None:
        """Done with this reader: clear the desk for the next one."""
        self.set_patron(None)
        self.clear_lines()
        self.say("Ready for the next reader.")

    def set_patron(self, summary: PatronSummary | None) -> None:
        if summary is None or self.patron is None or summary.id != self.patron.id:
            self.lent = []
        self.patron = summary
        self.query_one(PatronPanel).show(summary)

    async def handle_scan(self, text: str) -> None:
        if text is RECEIPT:
            try:
                await self.print_receipt()
            except Refusal as refusal:  # said on the status line; there is no scan to list
                self.say(refusal.sentence, "bold red")
                self.app.bell()
            return
        kind = classify(text, self.app.settings.barcodes).kind
        if kind is Kind.PATRON or self.patron is None:
            await self.load_reader(text)
            return
        try:
            result = await self.call(lending.checkout, self.app.actor, self.patron.id, text)
        except CardScanned as card:
            await self.load_reader(card.card)
            return
        except OnLoanElsewhere as elsewhere:
            answer = await self.ask(f"{elsewhere.sentence}\nCheck it in from {elsewhere.holder_name} "
                                    f"and lend it to {self.patron.name}?",
                                    {"y": ("yes", "check in and lend"), "n": ("no", "leave it")}, cancel="no")
            if answer != "yes":
                self.say(f"Left on {elsewhere.holder_name}'s account; nothing changed.")
                return
            result = await self.call(lending.checkout, self.app.actor, self.patron.id, text,
                                     check_in_first=True)
        except WantedByAnother as wanted:  # on the hold shelf for, or wanted first by, another reader
            answer = await self.ask(f"{wanted.sentence}\nLend it to {self.patron.name} anyway?",
                                    {"y": ("yes", "lend anyway"), "n": ("no", "keep it for the hold")}, cancel="no")
            if answer != "yes":
                self.say(f"Kept for {wanted.other_name}; nothing changed.")
                return
            result = await self.call(lending.checkout, self.app.actor, self.patron.id, text, lend_held=True)
        except NotFound:
            if looks_like_name(text):
                await self.load_reader(text)
                return
            raise
        self.set_patron(result.patron)
        self.lent.append(result.loan_id)
        self.add_line(result.barcode, result.title, result.call_number,
                      Text(result.due.isoformat(), style="bold yellow" if result.due_note else "bold"))
        note = ""
        if result.returned_first:
            back = result.returned_first
            fine = f", fine {money(back.fine)} charged to them" if back.fine else ""
            note = f" (checked in from {back.patron_name} first{fine})"
        why = f": {result.due_note}" if result.due_note else ""  # the card's expiry set the date
        self.say(f"Lent: {result.title}, due {result.due.isoformat()}{why}{note}.", "green")

    async def action_receipt(self) -> None:
        """Print the receipt of the books lent to this reader at this desk (queued behind the scans)."""
        self.queue.put_nowait(RECEIPT)

    async def print_receipt(self) -> None:
        if self.patron is None:
            raise Refusal("Scan a reader's card first: the receipt lists what was lent to them.")
        done = await self.call(receipts.checkout_receipt, self.app.actor, self.patron.id, list(self.lent))
        where = "sent to the printer" if done.printed else f"saved as {done.path}"
        self.say(f"Receipt for {self.patron.name} ({counted(len(self.lent), 'book')}) {where}. {done.problem}".rstrip(),
                 "yellow" if done.problem else "green")

    async def load_reader(self, text: str) -> None:
        """A card scan switches reader; typed text searches by name."""
        try:
            patron = await self.call(patrons.find_by_card, text)
            summary = await self.call(patrons.summary, patron)
        except Refusal as refusal:
            if not looks_like_name(text):
                raise
            matches = await self.call(patrons.search, text)
            if not matches:
                raise Refusal(f"{refusal.sentence} No reader's name matches {text.strip()!r} either.") from refusal
            chosen = await self.choose_reader(text, matches)
            if chosen is None:
                self.say("No reader chosen.")
                return
            summary = await self.call(patrons.summary, chosen)
        if self.patron is None or summary.id != self.patron.id:
            self.clear_lines()
        self.set_patron(summary)
        if summary.blocks:
            self.app.bell()
            self.say(f"{summary.name} may not borrow: {summary.blocks[0]}", "bold red")
        elif summary.limit_reached:  # not blocked: renewals and returns still go on
            self.app.bell()
            self.say(f"{summary.name} may borrow no more: {summary.limit_reached}.", "bold yellow")
        else:
            self.say(f"{summary.name}: scan the books.", "green")
