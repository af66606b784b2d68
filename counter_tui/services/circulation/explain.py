"""Rules you can read: which circulation rule a reader and a copy get, and why a fine is what it is.

Both explanations are reckoned by the very functions lending and check-in use
(rules.rule_for; for fines charges.overdue_fine_at, which check-in, renewal and declaring
a loss call too), so what they say is what the desk does. A fine explanation also shows what the ledger actually holds
for the loan, and says so when the two differ (a rule or the calendar changed since).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from counter_tui.domain.barcodes import Kind, classify
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.domain.fines import FinePolicy, FineReckoning
from counter_tui.domain.plurals import counted
from counter_tui.models import (CirculationRule, ClosedDay, Fee, ItemType, Loan, Patron,
                                PatronCategory, Staff)
from counter_tui.services import access, library_settings
from counter_tui.services.circulation import charges, rules, scan_sql
from counter_tui.services.fees import payments
from counter_tui.services.errors import NotFound, Refusal

READ_ROLES = (access.CIRCULATION, access.OFFICE, access.CURATOR)
ANY = "any"


# -- the rules themselves ----------------------------------------------------------------

@dataclass(frozen=True)
class RuleLine:
    """One circulation rule in words, for the table and the command line."""
    id: int
    category: str  # category name, or "any"
    item_type: str
    location: str
    is_default: bool
    terms: str  # the rule's terms in one sentence
    rule: CirculationRule


def is_default(rule: CirculationRule) -> bool:
    return rule.category_id is None and rule.item_type_id is None and rule.location is None


def specificity(rule: CirculationRule) -> tuple[int, int, int, int]:
    """The order rules.rule_for ranks matching rules by: how many of the three it names,
    then item type, then category, then location."""
    named = (rule.item_type_id is not None, rule.category_id is not None, rule.location is not None)
    return (sum(named), *named)


def scope(line: RuleLine) -> str:
    return f"{line.category} x {line.item_type} x {line.location}"


def terms(rule: CirculationRule) -> str:
    """A rule's terms as a sentence a clerk can read out."""
    money = library_settings.money
    parts = [f"loan {counted(rule.loan_days, 'day')}",
             counted(rule.renewals, "renewal")
             + (f" (also up to {counted(rule.renew_overdue_days, 'day')} late)" if rule.renew_overdue_days else "")]
    if rule.fine_interval_days == 0 or rule.fine_amount == 0:
        parts.append("no overdue fine")
    else:
        per = "a day" if rule.fine_interval_days == 1 else f"per {counted(rule.fine_interval_days, 'day')}"
        fine = f"fine {money(rule.fine_amount)} {per}"
        if rule.grace_days:
            fine += (f", {counted(rule.grace_days, 'day')} of grace"
                     + (" (charged too once past)" if rule.fine_includes_grace else " (never charged)"))
        caps = []
        if rule.fine_cap is not None:
            caps.append(f"at most {money(rule.fine_cap)}")
        if rule.fine_cap_at_price:
            caps.append("at most the replacement price")
        fine += ", " + (" and ".join(caps) if caps else "no cap")
        fine += ", closed days not counted" if rule.fines_skip_closed else ", closed days counted"
        parts.append(fine)
    parts.append(f"holds allowed, {counted(rule.hold_pickup_days, 'day')} on the hold shelf"
                 if rule.holds_allowed else "no holds")
    return "; ".join(parts) + "."


def fine_brief(rule: CirculationRule) -> str:
    """The fine terms in a table cell: "¥0.10/day 2d grace <=¥20.00,price"."""
    if rule.fine_interval_days == 0 or rule.fine_amount == 0:
        return "no fine"
    per = "day" if rule.fine_interval_days == 1 else f"{rule.fine_interval_days}d"
    brief = f"{library_settings.money(rule.fine_amount)}/{per}"
    if rule.grace_days:
        brief += f" {rule.grace_days}d grace"
    caps = ([library_settings.money(rule.fine_cap)] if rule.fine_cap is not None else []) + \
        (["price"] if rule.fine_cap_at_price else [])
    return brief + (f" <={','.join(caps)}" if caps else "")


def list_rules(actor: Staff) -> list[RuleLine]:
    """`rule_lines` for a person signed in (any post: the rules are no one's secret, but the library's)."""
    access.require(actor, "read the circulation rules", *access.ROLES)
    return rule_lines()


def rule_lines() -> list[RuleLine]:
    """Every rule, the default row first, then the most specific first."""
    categories = {c.id: c.name for c in PatronCategory.select(PatronCategory.id, PatronCategory.name)}
    types = {t.id: t.name for t in ItemType.select(ItemType.id, ItemType.name)}
    found = sorted(CirculationRule.select(), key=lambda r: (not is_default(r), [-n for n in specificity(r)], r.id))
    return [RuleLine(id=r.id, category=categories.get(r.category_id, ANY) if r.category_id else ANY,
                     item_type=types.get(r.item_type_id, ANY) if r.item_type_id else ANY,
                     location=r.location if r.location is not None else ANY,
                     is_default=is_default(r), terms=terms(r), rule=r) for r in found]


# -- which rule, and why -----------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    line: RuleLine
    matches: bool
    why: str  # why it matches or not
    chosen: bool = False


@dataclass(frozen=True)
class RuleExplanation:
    reader: str
    card: str
    category: str
    barcode: str
    title: str
    item_type: str
    location: str
    candidates: tuple[Candidate, ...]
    chosen: RuleLine

    def lines(self) -> list[str]:
        out = [f"Reader: {self.reader} ({self.card}), category {self.category}.",
               f"Copy: {self.title} ({self.barcode}), type {self.item_type}, "
               f"location {self.location or '(none)'}.",
               "A rule field left as 'any' matches everything. Of the rules that match, the one "
               "naming the most of item type, category and location wins; item type breaks "
               "ties, then category.",
               ""]
        for c in self.candidates:
            mark = "=>" if c.chosen else ("ok" if c.matches else "no")
            out.append(f"{mark} rule {c.line.id}: {scope(c.line)}"
                       f"{' (default)' if c.line.is_default else ''}: {c.why}")
        out += ["", f"Rule {self.chosen.id} applies ({scope(self.chosen)}): {self.chosen.terms}"]
        return out


def explain_rule(actor: Staff, card: str, item_barcode: str) -> RuleExplanation:
    """Which rule lending this copy to this reader would use, with every rule weighed."""
    access.require(actor, "see which loan rule applies", *READ_ROLES)
    reader = _reader(card)
    item = _item(item_barcode)
    chosen_id = rules.rule_for(reader.category_id, item.item_type_id, item.location).id
    wanted = {"category": (reader.category_id, reader.category_name),
              "item type": (item.item_type_id, item.type_name),
              "location": (item.location or "", item.location or "(none)")}
    candidates = []
    lines = rule_lines()
    for line in lines:
        r = line.rule
        reasons, fits = [], True
        for what, ruled, shown in (("category", r.category_id, line.category),
                                   ("item type", r.item_type_id, line.item_type),
                                   ("location", r.location, line.location)):
            if ruled is None:
                continue
            have, have_shown = wanted[what]
            if ruled == have:
                reasons.append(f"{what} {shown} matches")
            else:
                fits = False
                reasons.append(f"{what} {shown} is not {have_shown}")
        named = specificity(r)[0]
        if not fits:
            why = "; ".join(x for x in reasons if " is not " in x) + "."
        elif named == 0:
            why = "matches everything (names nothing)."
        else:
            why = "; ".join(reasons) + f" (names {named} of 3)."
        candidates.append(Candidate(line, fits, why, chosen=line.id == chosen_id))
    # the matching rules first, in the order they are weighed, then the others
    candidates.sort(key=lambda c: (not c.matches, [-n for n in specificity(c.line.rule)], c.line.id))
    chosen = next(c.line for c in candidates if c.chosen)
    if chosen is not next(c.line for c in candidates if c.matches):
        # equal specificity can only be a duplicate rule; say which the desk uses
        candidates.sort(key=lambda c: not c.chosen)
    return RuleExplanation(reader=reader.name, card=reader.card, category=reader.category_name,
                           barcode=item.barcode, title=item.title, item_type=item.type_name,
                           location=item.location or "", candidates=tuple(candidates), chosen=chosen)


def _reader(raw: str) -> Patron:
    scan = classify(raw, library_settings.settings().barcodes)
    code = scan.code if scan.kind not in (Kind.EMPTY, Kind.INVALID) else raw.strip()
    reader = scan_sql.reader_by_card(code) or scan_sql.reader_by_card(raw.strip())
    if reader is None:
        raise NotFound(f"No reader has card {raw.strip()}.")
    return reader


def _item(raw: str):
    from counter_tui.services.circulation.lending import find_item
    from counter_tui.services.errors import CardScanned
    try:
        return find_item(raw)
    except CardScanned as card:
        raise Refusal(f"{card.card} is a reader's card: give a copy's barcode.") from None


# -- why the fine is what it is ------------------------------------------------------------

@dataclass(frozen=True)
class Charge:
    at: datetime
    kind: str
    amount: int
    note: str


@dataclass(frozen=True)
class ClosedRun:
    first: date
    last: date
    reason: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        when = str(self.first) if self.first == self.last else f"{self.first} to {self.last}"
        return f"{when}{f' ({self.reason})' if self.reason else ''}"


@dataclass(frozen=True)
class FineExplanation:
    loan_id: int
    barcode: str
    title: str
    reader: str
    card: str
    rule: RuleLine
    policy: FinePolicy
    due: date
    until: date  # the day the fine is reckoned to: returned (or today, still out), or claimed if earlier
    back: date  # the day returned or declared lost, or today for a loan still out
    claimed_on: date | None  # the day the reader claimed it returned: the fine stops there
    returned: bool
    lost: bool
    price: int  # the replacement price that may cap the fine; 0 when unknown
    closed: tuple[ClosedRun, ...]  # closed days after the due date, up to `until`
    reckoning: FineReckoning
    charged_at_checkin: int | None  # the overdue fee the return charged; None while out
    charges: tuple[Charge, ...]  # every ledger row of this loan: its charges, waivers and refunds
    paid_by: tuple[payments.PaidFrom, ...] = ()  # the reader's payments that paid this loan's charges
    owing: int = 0  # what is still to pay of this loan's charges
    balance: int = 0  # the reader's whole balance (owed when positive)
    claim_reported_by: str = ""  # who said it came back, when it was claimed returned

    @property
    def total(self) -> int:
        return self.reckoning.amount

    @property
    def agrees(self) -> bool:
        return self.charged_at_checkin is None or self.charged_at_checkin == self.total

    def lines(self) -> list[str]:
        money = library_settings.money
        r, p = self.reckoning, self.policy
        out = [f"Loan {self.loan_id}: {self.title} ({self.barcode}), {self.reader} ({self.card}).",
               f"Rule {self.rule.id} ({scope(self.rule)}): {self.rule.terms}"]
        if self.returned:
            out.append(f"Due {self.due}; {'declared lost' if self.lost else 'returned'} {self.back}.")
        else:
            out.append(f"Due {self.due}; still out, reckoned as if returned today, {self.back}.")
        if self.claimed_on is not None:
            who = f" (reported by {self.claim_reported_by})" if self.claim_reported_by else ""
            out.append(f"Claimed returned {self.claimed_on}{who}: the fine stops on that day.")
        out.append(f"1. Days late: {r.days_late}.")
        if self.closed:
            days = sum(run.days for run in self.closed)
            listed = "; ".join(str(run) for run in self.closed)
            effect = "not counted" if p.skip_closed else "counted all the same (this rule counts them)"
            out.append(f"2. Closed days in that time: {days}, {effect}: {listed}.")
        else:
            out.append("2. Closed days in that time: none.")
        out.append(f"3. Days to charge: {r.chargeable_days}.")
        if p.grace_days == 0:
            out.append("4. Grace: none.")
        elif r.chargeable_days <= p.grace_days:
            out.append(f"4. Grace: {counted(p.grace_days, 'day')}; within it, so nothing is charged.")
        elif p.include_grace:
            out.append(f"4. Grace: {counted(p.grace_days, 'day')}; past it, so every day is charged, grace too.")
        else:
            out.append(f"4. Grace: {counted(p.grace_days, 'day')}, never charged: "
                       f"{counted(r.chargeable_days - p.grace_days, 'day')} remain.")
        if p.interval_days == 0 or p.amount == 0:
            out.append("5. Intervals: this rule charges no overdue fine.")
        else:
            per = "a day" if p.interval_days == 1 else f"per full {counted(p.interval_days, 'day')}"
            out.append(f"5. Intervals: {r.intervals} x {money(p.amount)} {per} = {money(r.amount_before_cap)}.")
        caps = []
        if p.cap is not None:
            caps.append(f"the rule's cap {money(p.cap)}")
        if p.cap_at_price:
            caps.append(f"the replacement price {money(self.price)}" if self.price
                        else "the replacement price (none recorded, so it does not apply)")
        if not caps:
            out.append("6. Cap: none.")
        elif r.amount < r.amount_before_cap:
            out.append(f"6. Cap: {' and '.join(caps)}; the fine is limited to {money(r.cap)}.")
        else:
            out.append(f"6. Cap: {' and '.join(caps)}; not reached.")
        out.append(f"Total: {money(self.total)}.")
        if self.charged_at_checkin is not None:
            if self.agrees:
                out.append(f"Check-in charged {money(self.charged_at_checkin)}, the same.")
            else:
                out.append(f"Check-in charged {money(self.charged_at_checkin)}: the rules or the "
                           f"calendar have changed since; today they would give {money(self.total)}.")
        if not self.charges:
            out.append("Nothing on the reader's account for this loan.")
            return out
        out.append("On the reader's account for this loan:")
        out += [f"  {_local(c.at)}  {c.kind:<9} {money(c.amount):>10}  {c.note}" for c in self.charges]
        if self.paid_by:
            out.append("Paid by the reader (payments cover the oldest charges first):")
            out += [f"  {p.on}  {'payment':<9} {money(-p.amount):>10}  "
                    + (f"of {money(p.payment)} paid that day" if p.amount != p.payment else "the whole payment")
                    for p in self.paid_by]
        else:
            out.append("Paid by the reader: nothing yet.")
        left = f"Left to pay for this loan: {money(self.owing)}."
        if self.balance != self.owing:
            left += (f" The reader owes {money(self.balance)} in all." if self.balance > 0
                     else f" The reader is in credit {money(-self.balance)}." if self.balance < 0
                     else " The reader owes nothing else.")
        out.append(left)
        return out


def explain_fine(actor: Staff, loan_or_barcode: int | str, now: datetime | None = None) -> FineExplanation:
    """The fine of a loan, open or returned, step by step, and what the ledger holds.

    `loan_or_barcode`: a loan number, or a copy's barcode for its open (else latest) loan.
    """
    now = now or utc_now()
    access.require(actor, "see how a fine was reckoned", *READ_ROLES)
    loan = _loan(loan_or_barcode)
    item = scan_sql.item_by_id(loan.item_id)
    patron = Patron.get_by_id(loan.patron_id)
    back = loan.returned_at or now
    fine = charges.overdue_fine_at(loan, patron.category_id, item, back)  # what check-in charges
    ledger = tuple(Charge(f.at, f.kind, f.amount, f.note)
                   for f in Fee.select().where(Fee.loan == loan.id).order_by(Fee.at, Fee.id))
    account = payments.statement(patron.id)
    own = [c for c in account.charges if c.loan_id == loan.id]
    at_checkin = None
    if loan.returned_at is not None and loan.lost_at is None:
        at_checkin = sum(c.amount for c in ledger if c.kind == "overdue" and c.at == loan.returned_at)
    line = next(x for x in rule_lines() if x.id == fine.rule.id)
    return FineExplanation(
        loan_id=loan.id, barcode=item.barcode, title=item.title, reader=patron.name, card=patron.card,
        rule=line, policy=fine.policy, due=fine.due, until=fine.until,
        back=local_date(back, library_settings.settings().timezone), claimed_on=fine.claimed_on,
        returned=loan.returned_at is not None, lost=loan.lost_at is not None, price=fine.price,
        closed=_closed_runs(fine), reckoning=fine.reckoning, charged_at_checkin=at_checkin, charges=ledger,
        paid_by=_by_payment(p for c in own for p in c.paid_by), owing=sum(c.owing for c in own),
        balance=account.balance, claim_reported_by=loan.claim_reported_by or "")


def _by_payment(parts) -> tuple[payments.PaidFrom, ...]:
    """One line per payment: a payment that paid two of the loan's charges (the fine and the
    lost book) shows once, with what it gave to both."""
    merged: dict[int, payments.PaidFrom] = {}
    for p in parts:
        was = merged.get(p.fee_id)
        merged[p.fee_id] = replace(p, amount=p.amount + was.amount) if was else p
    return tuple(sorted(merged.values(), key=lambda p: (p.on, p.fee_id)))


def _loan(loan_or_barcode: int | str) -> Loan:
    text = str(loan_or_barcode).strip()
    if not text:
        raise Refusal("Give a loan number or a copy's barcode.")
    if text.isdigit() and len(text) < 8:  # loan numbers are short; barcodes are 8 digits or more
        loan = Loan.get_or_none(Loan.id == int(text))
        if loan is not None:
            return loan
    try:
        item = _item(text)
    except Refusal:
        if text.isdigit() and len(text) < 8:
            raise NotFound(f"There is no loan number {text}, nor a copy with that barcode.") from None
        raise
    loan = (Loan.select().where(Loan.item == item.id)
            .order_by(Loan.returned_at.is_null(False), Loan.out_at.desc(), Loan.id.desc()).first())
    if loan is None:
        raise NotFound(f"{item.title} ({item.barcode}) has never been lent.")
    return loan


def _closed_runs(fine: charges.OverdueFine) -> tuple[ClosedRun, ...]:
    """The closed days the fine was reckoned with (after the due date, up to `until`) and their
    reasons; consecutive days with one reason as one run."""
    days = sorted(day for day in fine.closed if fine.due < day <= fine.until)
    if not days:
        return ()
    reasons = {}
    for row in ClosedDay.select().where(ClosedDay.day.in_(days)):
        reasons[row.day if isinstance(row.day, date) else date.fromisoformat(row.day)] = row.reason
    runs: list[ClosedRun] = []
    for day in days:
        reason = reasons.get(day, "")
        if runs and runs[-1].last + timedelta(days=1) == day and runs[-1].reason == reason:
            runs[-1] = ClosedRun(runs[-1].first, day, reason)
        else:
            runs.append(ClosedRun(day, day, reason))
    return tuple(runs)


def _local(at: datetime) -> str:
    moment = local_date(at, library_settings.settings().timezone)
    return moment.isoformat()
