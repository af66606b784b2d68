"""Money and losses on the Readers screen: pay, waive, refund, pay out; declare lost, claims returned.

A mixin of ReadersScreen (like screens/reader_office.py): it uses the screen's `record`,
`show_patron`, `ask`, `call`, `say` and `refuse`. One key (Ctrl+S, "Fees & losses")
opens a one-key menu; each choice opens a small form or a one-key confirmation and then
calls a service (services/payments.py, services/losses.py) on the database thread. A
refusal is shown in the form, which stays open with what was typed; nothing is changed.
"""
from __future__ import annotations

from textual.widgets import TabbedContent

from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.domain.money import parse_money
from counter_tui.domain.reader_fields import parse_day
from counter_tui.screens.readers.reader_form import Field, FormScreen
from counter_tui.services import access, library_settings
from counter_tui.services.circulation import losses
from counter_tui.services.fees import payments
from counter_tui.services.errors import Refusal
from counter_tui.services.library_settings import money
from counter_tui.widgets.reader_record import ReaderRecordView

MENU = {
    "p": ("pay", "pay"),
    "w": ("waive", "waive"),
    "r": ("refund", "refund"),
    "o": ("payout", "pay out"),
    "l": ("lost", "lost"),
    "c": ("claim", "claimed"),
}


def _amount(text: str, what: str) -> int | None:
    """Typed money, or None when left empty (the whole amount)."""
    if not text.strip():
        return None
    try:
        return parse_money(text, library_settings.settings().currency)
    except ValueError as problem:
        raise Refusal(f"{what}: {problem}", field="amount") from None


def _receipt_sentence(receipt: payments.Receipt) -> str:
    printed = ""
    if receipt.slip is not None:
        printed = " Receipt printed." if receipt.slip.printed else " Receipt saved (F12 prints it)."
        if receipt.slip.problem:
            printed = " " + receipt.slip.problem
    return f"Balance now {money(receipt.balance)}.{printed}"


class FeeKeys:
    def action_fees(self) -> None:
        self.run_worker(self._fees_menu(), group="writes")

    async def _fees_menu(self) -> None:
        d = self.record.details
        balance = self.record.balance
        standing = f"owes {money(balance)}" if balance > 0 else (
            f"is in credit {money(-balance)}" if balance < 0 else "owes nothing")
        answer = await self.ask(f"{d.name} {standing}.\nL (lost) and C (claims returned) act on the loan selected on the Loans tab.", MENU)
        handler = {"pay": self._pay, "waive": self._waive, "refund": self._refund, "payout": self._payout,
                   "lost": self._lost, "claim": self._claim}.get(answer)
        if handler is None:
            self.say("Nothing was changed.")
            return
        await handler()

    async def _form(self, title: str, fields: list[Field], save) -> object | None:
        result = await self.app.push_screen_wait(FormScreen(title, fields, save))
        if result is None:
            self.say("Nothing was changed.")
        return result

    async def _done(self, what: str, receipt: payments.Receipt) -> None:
        await self.show_patron(self.record.details.id)
        self.say(f"{what} {_receipt_sentence(receipt)}", "green")

    # -- money ---------------------------------------------------------------------------------

    async def _pay(self) -> None:
        d, actor = self.record.details, self.app.actor
        balance = self.record.balance
        if balance <= 0:
            self.say(f"{d.name} owes nothing, so there is nothing to pay.", "yellow")
            return

        def save(values: dict[str, str]):
            return payments.pay(actor, d.id, _amount(values["amount"], "Amount") or balance)
        receipt = await self._form(f"Payment from {d.name}: owes {money(balance)}",
                                   [Field("amount", "Amount", money(balance),
                                          placeholder="the whole balance, or part of it")], save)
        if receipt is not None:
            await self._done(f"Paid {money(receipt.amount)}.", receipt)

    async def _charge_form(self, kind: str) -> None:
        d, actor = self.record.details, self.app.actor
        try:  # say so before the form, not after the clerk has typed a reason
            access.require(actor, f"{kind} fees", *payments.WAIVE_ROLES)
        except Refusal as refusal:
            self.refuse(refusal, "")
            return
        st = await self.call(payments.statement, d.id)
        choices = st.owing if kind == "waive" else st.paid
        if not choices:
            self.say(f"{d.name} has no {'unpaid' if kind == 'waive' else 'paid'} charge to {kind}.", "yellow")
            return

        def part(c: payments.Charge) -> int:
            return c.owing if kind == "waive" else c.paid
        options = tuple((f"{c.on.isoformat()} {c.kind} {money(part(c))} {c.note}"[:55], str(c.fee_id))
                        for c in choices)
        service = payments.waive if kind == "waive" else payments.refund

        def save(values: dict[str, str]):
            if not values["fee_id"]:
                raise Refusal(f"Choose the charge to {kind}.", field="fee_id")
            return service(actor, d.id, int(values["fee_id"]), values["reason"],
                           _amount(values["amount"], "Amount"))
        first = choices[0]
        fields = [Field("fee_id", "Charge", str(first.fee_id) if len(choices) == 1 else "", options=options),
                  Field("amount", "Amount", placeholder=f"empty: all that is {'unpaid' if kind == 'waive' else 'paid'}"),
                  Field("reason", "Reason")]
        title = f"{'Waive' if kind == 'waive' else 'Refund'} a fee of {d.name}"
        receipt = await self._form(title, fields, save)
        if receipt is None:
            return
        done = f"{'Waived' if kind == 'waive' else 'Refunded'} {money(receipt.amount)}."
        if receipt.paid_out:
            done += f" Hand {money(receipt.paid_out)} back to the reader."
        await self._done(done, receipt)

    async def _waive(self) -> None:
        await self._charge_form("waive")

    async def _refund(self) -> None:
        await self._charge_form("refund")

    async def _payout(self) -> None:
        d, actor = self.record.details, self.app.actor
        credit = -self.record.balance
        if credit <= 0:
            self.say(f"{d.name} is not in credit, so there is nothing to hand back.", "yellow")
            return

        def save(values: dict[str, str]):
            return payments.pay_out(actor, d.id, _amount(values["amount"], "Amount"))
        receipt = await self._form(f"Hand back credit to {d.name}: {money(credit)}",
                                   [Field("amount", "Amount", money(credit))], save)
        if receipt is not None:
            await self._done(f"Hand {money(receipt.amount)} back to the reader.", receipt)

    # -- losses --------------------------------------------------------------------------------

    def _selected_loan(self) -> int | None:
        """The loan under the cursor on the Loans tab; if that tab is not showing, show it first."""
        view = self.query_one(ReaderRecordView)
        tabs = view.query_one(TabbedContent)
        if not self.record.loans:
            self.say(f"{self.record.details.name} has no book on loan.", "yellow")
            return None
        if tabs.active != "loans-tab":
            tabs.active = "loans-tab"
            self.call_after_refresh(view.focus_list)
            self.say("Pick the loan with the arrows, then Ctrl+S again.", "yellow")
            return None
        return view.selected_loan_id()

    async def _lost(self) -> None:
        loan_id = self._selected_loan()
        if loan_id is None:
            return
        try:
            quote = await self.call(losses.lost_quote, self.app.actor, loan_id)
        except Refusal as refusal:
            self.refuse(refusal, "")
            return
        if await self.ask(quote.sentence(), {"y": ("yes", "yes, declare it lost")}) != "yes":
            self.say("Nothing was changed.")
            return
        try:
            result = await self.call(losses.declare_lost, self.app.actor, loan_id)
        except Refusal as refusal:
            self.refuse(refusal, "")
            return
        await self.show_patron(self.record.details.id)
        self.say(f"Declared lost: {result.quote.title}, {money(result.quote.total)} charged. "
                 f"Balance now {money(result.balance)}.", "green")

    async def _claim(self) -> None:
        """Who says the book came back (the reader, unless someone told the desk for them) and
        on which day (today, unless the report came earlier): the fine stops on that day."""
        loan_id = self._selected_loan()
        if loan_id is None:
            return
        d, actor = self.record.details, self.app.actor
        line = next((x for x in self.record.loans if x.loan_id == loan_id), None)
        title = line.title if line else "this book"
        today = local_date(utc_now(), self.app.settings.timezone)

        def save(values: dict[str, str]):
            try:
                day = parse_day(values["reported_on"], "day")
            except ValueError as problem:
                raise Refusal(str(problem), field="reported_on") from None
            return losses.claim_returned(actor, loan_id, reported_by=values["reported_by"], reported_on=day)
        result = await self._form(
            f"Claims returned: {title} came back but was never checked in. The fine stops on the day reported.",
            [Field("reported_by", "Reported by", d.name, placeholder="the reader, or who told the desk"),
             Field("reported_on", "Reported on", today.isoformat(), placeholder="year-month-day; empty: today")],
            save)
        if result is None:
            return
        await self.show_patron(self.record.details.id)
        told = f"reported by {result.reported_by} on {result.reported_on.isoformat()}"
        if result.warning:
            self.say(f"Claim recorded, {told}. {result.warning}", "bold yellow")
            self.app.bell()
        else:
            self.say(f"Claim recorded for {result.title}, {told} ({result.claims} of {result.limit} allowed); "
                     "it no longer counts as overdue.", "green")
