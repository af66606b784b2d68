"""Damage assessment from a desk line (Ctrl+T at check-in): a few one-key questions.

1. how bad: S slight, M moderate, V severe (letters: a scan's digits must never answer);
2. what happens: K keep circulating, R repair, W propose for withdrawal;
3. charge the last borrower? N none, P the replacement price, H half of it, T type an amount
   (with a note);
4. a charge is made only after Y on a question that shows the amount and the reader.

The request goes through the desk's scan queue, so it applies to the line chosen when the
key was pressed and the scans behind it wait in order while the clerk answers.
"""
from __future__ import annotations

from textual.markup import escape
from textual.widgets import DataTable

from counter_tui.domain.money import parse_money
from counter_tui.services.circulation import damage
from counter_tui.services.errors import Refusal
from counter_tui.services.library_settings import money
from counter_tui.widgets.fields_dialog import Field, FieldsDialog

GOES_TO = {damage.REPAIR: "repair queue", damage.WITHDRAW: "withdraw?"}


class AssessLine(str):
    """Put on the scan queue by the damage key: the barcode of the chosen line."""

    def __new__(cls, barcode: str, row: int | None, loan_id: int | None):
        made = super().__new__(cls, barcode)
        made.row = row
        made.loan_id = loan_id
        return made


def request(desk) -> AssessLine:
    """The line under the cursor (the last one, unless the clerk moved to another)."""
    table = desk.query_one("#lines", DataTable)
    if table.row_count == 0:
        return AssessLine("", None, None)
    row = table.cursor_row if 0 <= table.cursor_row < table.row_count else table.row_count - 1
    barcode = str(table.get_row_at(row)[0]).strip()
    loan_id = getattr(desk, "loan_lines", {}).get(row)
    return AssessLine(barcode, row, loan_id)


async def assess_line(desk, line: AssessLine) -> None:
    """Ask the questions, then record the assessment; refusals are said on the status line."""
    try:
        await _assess(desk, line)
    except Refusal as refusal:
        desk.say(refusal.sentence, "bold red")
        desk.app.bell()


async def _assess(desk, line: AssessLine) -> None:
    if not line:
        raise Refusal("Check a book in first: the damage key assesses the book on the chosen line.")
    copy = await desk.call(damage.copy_to_assess, str(line))
    cancelled = "Damage assessment cancelled; nothing was recorded."
    title = escape(copy.title)
    degree = await desk.ask(f"Damage to [b]{title}[/] ({copy.barcode}): how bad is it?",
                            {"s": ("slight", "slight"), "m": ("moderate", "moderate"), "v": ("severe", "severe")})
    if not degree:
        desk.say(cancelled)
        return
    decision = await desk.ask(f"{degree.capitalize()} damage to [b]{title}[/]: what happens to it?",
                              {"k": (damage.KEEP, "keep circulating"), "r": (damage.REPAIR, "repair"),
                               "w": (damage.WITHDRAW, "propose for withdrawal")})
    if not decision:
        desk.say(cancelled)
        return
    fee, note = 0, ""
    last = copy.last
    if last is not None:
        choices = {"n": ("none", "no charge")}
        if last.price:
            choices["p"] = ("price", f"price {money(last.price)}")
            choices["h"] = ("half", f"half {money(last.price // 2)}")
        choices["t"] = ("type", "type an amount")
        how = await desk.ask(f"Charge the last borrower, [b]{escape(last.name)}[/] ({last.card}), for the damage?",
                             choices)
        if not how:
            desk.say(cancelled)
            return
        if how == "price":
            fee = last.price
        elif how == "half":
            fee = last.price // 2
        elif how == "type":
            typed = await _type_amount(desk)
            if typed is None:
                desk.say(cancelled)
                return
            fee, note = typed
        if fee:
            sure = await desk.ask(f"Charge [b]{money(fee)}[/] to {escape(last.name)} ({last.card}) for {degree} damage "
                                  f"to {title}?",
                                  {"y": ("yes", f"charge {money(fee)}"), "n": ("no", "record without a charge")})
            if not sure:
                desk.say(cancelled)
                return
            if sure != "yes":
                fee = 0
    expect = line.loan_id or (last.loan_id if last else None)
    result = await desk.call(damage.assess_damage, desk.app.actor, copy.barcode, degree, decision, fee, note,
                             expect_loan=expect if fee else None)
    desk.say(damage.describe(result), "bold yellow" if decision != damage.KEEP else "green")
    _mark_line(desk, line.row, decision)


async def _type_amount(desk) -> tuple[int, str] | None:
    error, amount, note = "", "", ""
    currency = desk.app.settings.currency
    while True:
        answer = await desk.app.push_screen_wait(FieldsDialog(
            "Damage charge", [Field("amount", "Amount to charge", amount, placeholder=money(1250)),
                              Field("note", "Note (optional)", note)], error))
        if answer is None:
            return None
        amount, note = answer["amount"], answer["note"]
        try:
            fee = parse_money(amount, currency)
        except ValueError as exc:
            error, amount = str(exc), ""  # the sentence quotes it; the cursor goes back to the amount
            continue
        return fee, note


def _mark_line(desk, row: int | None, decision: str) -> None:
    """The chosen line says where the copy goes now."""
    table = desk.query_one("#lines", DataTable)
    if row is None or decision not in GOES_TO or row >= table.row_count:
        return
    table.update_cell_at((row, len(desk.COLUMNS) - 1), GOES_TO[decision])
