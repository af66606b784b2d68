"""The office's keys on the Readers screen: new reader, edit, block, renew, replace, cancel a card.

A mixin of ReadersScreen: it uses the screen's `record`, `show_patron`, `ask`, `call`,
`say` and `refuse`. Each key opens a form or a one-key question, then calls a service.
"""
from __future__ import annotations

from counter_tui.domain.reader_fields import ReaderFields, parse_day
from counter_tui.screens.readers.reader_form import Field, FormScreen
from counter_tui.services.readers import cards, registration
from counter_tui.services.errors import Refusal
from counter_tui.services.library_settings import money


class ReaderOfficeKeys:
    def action_new_reader(self) -> None:
        self.run_worker(self._reader_form(None), group="writes")

    def action_edit_reader(self) -> None:
        self.run_worker(self._reader_form(self.record.details), group="writes")

    async def _reader_form(self, current: registration.ReaderDetails | None) -> None:
        categories = await self.call(registration.categories)
        actor = self.app.actor
        start = current.fields() if current else ReaderFields(name="", category="")
        fields = [
            Field("name", "Name", start.name),
            Field("category", "Category", start.category, options=tuple((c.name, c.code) for c in categories)),
            Field("department", "Department/class", start.department),
            Field("id_number", "Identity number", start.id_number),
            Field("phone", "Phone", start.phone),
            Field("email", "E-mail", start.email),
            Field("notes", "Notes", start.notes.replace("\n", " ")),
        ]
        if current is None:
            fields.append(Field("card", "Card", placeholder="scan a pre-printed card, or leave empty"))

            def save(values: dict[str, str]):
                card = values.pop("card")
                return registration.register(actor, ReaderFields(**values), card=card)
            title = "New reader"
        else:
            def save(values: dict[str, str]):
                return registration.edit(actor, current.id, ReaderFields(**values))
            title = f"Edit {current.name} ({current.card})"
        saved = await self.app.push_screen_wait(FormScreen(title, fields, save))
        if saved is None:
            self.say("Nothing was saved.")
            return
        await self.show_patron(saved.id)
        what = (f"Registered {saved.name} with card {saved.card}, valid until {saved.expires_on.isoformat()}."
                if current is None else f"Saved {saved.name}'s details.")
        self.say(what, "green")

    def action_block(self) -> None:
        self.run_worker(self._block(), group="writes")

    async def _block(self) -> None:
        d = self.record.details
        if d.status == "blocked":
            answer = await self.ask(f"{d.name} is blocked: {d.block_reason}. Lift the block, or change it?",
                                    {"l": ("lift", "lift the block"), "c": ("change", "change it")})
            if answer == "lift":
                await self._change(registration.unblock, self.app.actor, d.id, done=lambda _: "Block lifted.")
                return
            if answer != "change":
                return
        actor = self.app.actor

        def save(values: dict[str, str]):
            try:
                until = parse_day(values["until"], "last day")
            except ValueError as problem:
                raise Refusal(str(problem), field="until") from None
            return registration.block(actor, d.id, values["reason"], until)
        fields = [Field("reason", "Reason", d.block_reason if d.status == "blocked" else ""),
                  Field("until", "Last day", d.block_until.isoformat() if d.block_until else "",
                        placeholder="YYYY-MM-DD, or empty: until lifted")]
        if await self.app.push_screen_wait(FormScreen(f"Block {d.name}", fields, save)) is None:
            self.say("Nothing was changed.")
            return
        await self.show_patron(d.id)
        self.say(f"{d.name} is blocked.", "green")

    def action_renew_card(self) -> None:
        self.run_worker(self._change(cards.renew, self.app.actor, self.record.details.id,
                                     done=lambda r: f"Card renewed: valid until {r.expires_on.isoformat()}."),
                        group="writes")

    async def _change(self, service, *args, done, **kwargs) -> None:
        """Run a service that changes the reader, show the record again and say `done(result)`."""
        try:
            result = await self.call(service, *args, **kwargs)
        except Refusal as refusal:
            self.refuse(refusal, "")
            return
        await self.show_patron(self.record.details.id)
        self.say(done(result), "green")

    def action_print_card(self) -> None:
        """A PDF of this reader's card, for the card printer, in the cards folder (a card printed
        again is a new file beside the first: nothing is written over)."""
        from counter_tui.services import files
        from counter_tui.services.readers import card_sheet
        d = self.record.details
        try:  # a file name carries no card number
            path = files.fresh_path(files.library_folder("cards", "COUNTER_TUI_CARDS"), f"card-reader-{d.id}", ".pdf")
        except (Refusal, OSError) as problem:
            self.refuse(problem if isinstance(problem, Refusal) else Refusal(
                f"The cards folder cannot be made ({problem.strerror}); nothing was printed."), "")
            return
        self.run_worker(self._change(card_sheet.card_sheet, self.app.actor, [d.id], path,
                                     done=lambda sheet: f"Card printed to {sheet.path}."), group="writes")

    def action_replace_card(self) -> None:
        self.run_worker(self._replace(), group="writes")

    async def _replace(self) -> None:
        d = self.record.details
        fee = next((c.card_fee for c in await self.call(registration.categories) if c.code == d.category), 0)
        charge = f"fee {money(fee)}" if fee else "no fee"
        answer = await self.ask(
            f"Card {d.card} of {d.name}:",
            {"l": ("lost", f"lost: new card, {charge}"), "w": ("worn", f"worn/broken: new card, {charge}"),
             "r": ("report", "report lost, new card later")})
        if answer == "report":
            await self._change(cards.report_lost, self.app.actor, d.id,
                               done=lambda _: "Card reported lost: nothing can be lent on it until it is replaced.")
            return
        if answer not in ("lost", "worn"):
            return
        actor, lost = self.app.actor, answer == "lost"
        form = FormScreen(f"New card for {d.name}", [Field("card", "New card",
                          placeholder="scan a pre-printed card, or Enter for the next number")],
                          lambda values: cards.replace(actor, d.id, card=values["card"], lost=lost))
        result = await self.app.push_screen_wait(form)
        if result is None:
            self.say("Nothing was changed.")
            return
        await self.show_patron(d.id)
        fee_note = f" {money(result.fee)} charged." if result.fee else ""
        self.say(f"New card {result.card}; the old card {result.old_card} is refused from now on.{fee_note}",
                 "green")

    def action_cancel_card(self) -> None:
        self.run_worker(self._cancel(), group="writes")

    async def _cancel(self) -> None:
        d, actor = self.record.details, self.app.actor
        # the service says what is still outstanding and what cancelling means for it
        outstanding = await self.call(cards.cancel_question, actor, d.id)
        question = outstanding or f"Cancel card {d.card} of {d.name}? It cannot be used again."
        answer = await self.ask(question, {"y": ("yes", "cancel the card"), "n": ("no", "keep it")}, cancel="no")
        if answer != "yes":
            self.say("The card was not cancelled.")
            return
        await self._change(cards.cancel, actor, d.id, confirmed=bool(outstanding), done=lambda _: "Card cancelled.")
