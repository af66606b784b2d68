"""The curator's circulation rules and calendar of closed days: add, change, remove, each audited.

Only the curator may write here; a refusal is one sentence and changes nothing. The
default rule (no category, no item type, no location) always exists: it can be changed
but not removed, and no two rules may name the same category x item type x location.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta

from counter_tui import db
from counter_tui.domain.calendar import MAX_CLOSED_RUN, utc_now
from counter_tui.domain.money import parse_money
from counter_tui.domain.text import clean
from counter_tui.models import CirculationRule, ClosedDay, ItemType, PatronCategory, Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.errors import NotFound, Refusal

ANY = ("", "any", "*", "-")


@dataclass(frozen=True)
class RuleTerms:
    """What a rule says. Amounts are minor units; None for a scope field means any."""
    category: str | None = None  # a category code
    item_type: str | None = None  # an item type code
    location: str | None = None
    loan_days: int = 28
    renewals: int = 2
    renew_overdue_days: int = 0
    fine_amount: int = 0
    fine_interval_days: int = 1
    grace_days: int = 0
    fine_includes_grace: bool = True
    fine_cap: int | None = None
    fine_cap_at_price: bool = False
    fines_skip_closed: bool = True
    holds_allowed: bool = True
    hold_pickup_days: int = 7


NUMBERS = {"loan_days": "loan period", "renewals": "number of renewals",
           "renew_overdue_days": "days late a renewal may be", "fine_amount": "fine",
           "fine_interval_days": "charge interval", "grace_days": "grace period",
           "fine_cap": "fine cap", "hold_pickup_days": "days on the hold shelf"}
FLAGS = ("fine_includes_grace", "fine_cap_at_price", "fines_skip_closed", "holds_allowed")


def terms_of(rule: CirculationRule) -> RuleTerms:
    return RuleTerms(
        category=PatronCategory.get_by_id(rule.category_id).code if rule.category_id else None,
        item_type=ItemType.get_by_id(rule.item_type_id).code if rule.item_type_id else None,
        location=rule.location,
        **{f.name: getattr(rule, f.name) for f in fields(RuleTerms)
           if f.name not in ("category", "item_type", "location")})


# -- reading the form ------------------------------------------------------------------

def form_values(terms: RuleTerms) -> dict[str, str]:
    """A rule as the text of the form's fields."""
    money = library_settings.money
    values = {}
    for f in fields(RuleTerms):
        value = getattr(terms, f.name)
        if f.name in ("fine_amount", "fine_cap"):
            values[f.name] = "" if value is None else money(value)
        elif f.name in FLAGS:
            values[f.name] = "yes" if value else "no"
        elif value is None:
            values[f.name] = "any" if f.name in ("category", "item_type", "location") else ""
        else:
            values[f.name] = str(value)
    return values


def read_form(values: dict[str, str]) -> RuleTerms:
    """The form's text as rule terms; a Refusal in plain words for anything unreadable."""
    got: dict[str, object] = {}
    for f in fields(RuleTerms):
        text = clean(values.get(f.name))
        if f.name in ("category", "item_type", "location"):
            got[f.name] = None if text.lower() in ANY else (text if f.name == "location" else text.lower())
        elif f.name in FLAGS:
            if text.lower() in ("y", "yes", "true", "1"):
                got[f.name] = True
            elif text.lower() in ("n", "no", "false", "0"):
                got[f.name] = False
            else:
                raise Refusal(f"Answer yes or no for {f.name.replace('_', ' ')}, not {text or 'nothing'}.",
                              field=f.name)
        elif f.name in ("fine_amount", "fine_cap"):
            if not text and f.name == "fine_cap":
                got[f.name] = None
                continue
            try:
                got[f.name] = parse_money(text or "0", library_settings.settings().currency)
            except ValueError as exc:
                raise Refusal(f"The {NUMBERS[f.name]}: {exc}", field=f.name) from None
        else:
            try:
                got[f.name] = int(text)
            except ValueError:
                raise Refusal(f"The {NUMBERS[f.name]} must be a whole number of days or times, "
                              f"not {text or 'nothing'}.", field=f.name) from None
    return RuleTerms(**got)


# -- rules -------------------------------------------------------------------------------

def _id_of(model, code: str | None, what: str, field: str) -> int | None:
    """The id of the category or item type with this code (None: any); a refusal naming the codes there are."""
    if code is None:
        return None
    found = model.get_or_none(model.code == code)
    if found is None:
        codes = ", ".join(row.code for row in model.select().order_by(model.code))
        raise Refusal(f"There is no {what} {code}; use one of {codes}, or any.", field=field)
    return found.id


def _check(terms: RuleTerms) -> tuple[int | None, int | None, str | None]:
    for name, words in NUMBERS.items():
        value = getattr(terms, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise Refusal(f"The {words} cannot be negative.", field=name)
    if terms.fine_amount and terms.fine_interval_days == 0:
        raise Refusal("A fine needs a charge interval of at least one day (0 means no fine: "
                      "set the fine to 0 instead).", field="fine_interval_days")
    too_long = [name for name in ("loan_days", "grace_days", "fine_interval_days") if getattr(terms, name) > 3650]
    if too_long:
        raise Refusal("A period of more than ten years is a typing mistake; check the days.", field=too_long[0])
    category = _id_of(PatronCategory, terms.category, "reader category", "category")
    item_type = _id_of(ItemType, terms.item_type, "item type", "item_type")
    location = terms.location.strip() if terms.location and terms.location.strip() else None
    return category, item_type, location


def _same_scope(category, item_type, location):
    def equal(field, value):
        return field.is_null() if value is None else field == value
    return (equal(CirculationRule.category, category) & equal(CirculationRule.item_type, item_type)
            & equal(CirculationRule.location, location))


def _values(terms: RuleTerms, category, item_type, location) -> dict:
    values = {k: v for k, v in asdict(terms).items() if k not in ("category", "item_type", "location")}
    return {"category": category, "item_type": item_type, "location": location, **values}


def _audit_form(rule_values: dict, terms: RuleTerms) -> dict:
    shown = {k: v for k, v in rule_values.items() if k not in ("category", "item_type")}
    shown["category"], shown["item_type"] = terms.category or "any", terms.item_type or "any"
    return shown


def save_rule(actor: Staff, rule_id: int | None, terms: RuleTerms, now: datetime | None = None) -> int:
    """Add a rule (rule_id None) or change one; returns its id."""
    now = now or utc_now()
    access.require(actor, "change the circulation rules", access.CURATOR)

    def work() -> int:
        category, item_type, location = _check(terms)
        old = None
        if rule_id is not None:
            rule = CirculationRule.get_or_none(CirculationRule.id == rule_id)
            if rule is None:
                raise NotFound("That rule no longer exists.")
            old_terms = terms_of(rule)
            old = _audit_form(_values(old_terms, rule.category_id, rule.item_type_id, rule.location), old_terms)
            was_default = rule.category_id is None and rule.item_type_id is None and rule.location is None
            if was_default and (category, item_type, location) != (None, None, None):
                raise Refusal("The default rule must stay for any category, item type and location; "
                              "add a new rule for the narrower case.", field="category")
        clash = CirculationRule.select().where(_same_scope(category, item_type, location))
        if rule_id is not None:
            clash = clash.where(CirculationRule.id != rule_id)
        if clash.exists():
            raise Refusal(f"Rule {clash.first().id} already covers {terms.category or 'any'} x "
                          f"{terms.item_type or 'any'} x {location or 'any'}; change that one instead.",
                          field="category")
        values = _values(terms, category, item_type, location)
        if rule_id is None:
            new_id = CirculationRule.insert(**values).execute()
            if isinstance(new_id, tuple):
                new_id = new_id[0]
            audit.record(actor, "rule.add", "circulation_rule", new_id, now, new=_audit_form(values, terms))
            return new_id
        CirculationRule.update(**values).where(CirculationRule.id == rule_id).execute()
        audit.record(actor, "rule.change", "circulation_rule", rule_id, now, old=old,
                     new=_audit_form(values, terms))
        return rule_id

    return db.write(work)


def delete_rule(actor: Staff, rule_id: int, now: datetime | None = None) -> None:
    now = now or utc_now()
    access.require(actor, "change the circulation rules", access.CURATOR)

    def work() -> None:
        rule = CirculationRule.get_or_none(CirculationRule.id == rule_id)
        if rule is None:
            raise NotFound("That rule no longer exists.")
        if rule.category_id is None and rule.item_type_id is None and rule.location is None:
            raise Refusal("The default rule cannot be removed: every loan needs a rule to fall back on.")
        old_terms = terms_of(rule)
        old = _audit_form(_values(old_terms, rule.category_id, rule.item_type_id, rule.location), old_terms)
        CirculationRule.delete().where(CirculationRule.id == rule_id).execute()
        audit.record(actor, "rule.delete", "circulation_rule", rule_id, now, old=old)

    db.write(work)


# -- the calendar ------------------------------------------------------------------------

@dataclass(frozen=True)
class ClosedLine:
    day: date
    reason: str


def closed_days(start: date | None = None, end: date | None = None) -> list[ClosedLine]:
    query = ClosedDay.select().order_by(ClosedDay.day)
    if start is not None:
        query = query.where(ClosedDay.day >= start)
    if end is not None:
        query = query.where(ClosedDay.day <= end)
    return [ClosedLine(r.day if isinstance(r.day, date) else date.fromisoformat(r.day), r.reason)
            for r in query]


def read_day(text: str, field: str | None = None) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Refusal(f"Type a date as year-month-day, for example 2026-10-01, not {text.strip() or 'nothing'}.",
                      field=field) from None


def add_closed_days(actor: Staff, first: date, last: date | None = None, reason: str = "",
                    now: datetime | None = None) -> int:
    """Close the library from `first` to `last` inclusive; days already closed keep their reason.
    Returns how many days were added."""
    now = now or utc_now()
    access.require(actor, "change the library's calendar", access.CURATOR)
    last = last or first
    reason = clean(reason)
    if last < first:
        raise Refusal(f"The last closed day {last} is before the first, {first}.", field="last")
    if (last - first).days + 1 > MAX_CLOSED_RUN:
        raise Refusal(f"{(last - first).days + 1} closed days in a row is more than a year; check the dates.",
                      field="last")
    if not reason:
        raise Refusal("Say why the library is closed (a holiday's name, stocktaking...).", field="reason")
    if len(reason) > 200:
        raise Refusal("Keep the reason under 200 characters.", field="reason")

    def work() -> int:
        have = {line.day for line in closed_days(first, last)}
        wanted = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        new = [day for day in wanted if day not in have]
        if not new:
            raise Refusal(f"The library is already closed on {'that day' if first == last else 'all those days'}.",
                          field="first")
        ClosedDay.insert_many([{"day": day, "reason": reason} for day in new]).execute()
        audit.record(actor, "calendar.close", "closed_day", None, now,
                     new={"first": first, "last": last, "days": len(new), "reason": reason})
        return len(new)

    return db.write(work)


def remove_closed_days(actor: Staff, first: date, last: date | None = None,
                       now: datetime | None = None) -> int:
    """Open the library again from `first` to `last` inclusive; returns how many days were removed."""
    now = now or utc_now()
    access.require(actor, "change the library's calendar", access.CURATOR)
    last = last or first
    if last < first:
        raise Refusal(f"The last day {last} is before the first, {first}.")

    def work() -> int:
        gone = closed_days(first, last)
        if not gone:
            raise Refusal(f"The library is not closed on {first}" + (f" to {last}." if last != first else "."))
        ClosedDay.delete().where((ClosedDay.day >= first) & (ClosedDay.day <= last)).execute()
        audit.record(actor, "calendar.open", "closed_day", None, now,
                     old={"days": [line.day for line in gone], "reasons": sorted({l.reason for l in gone})})
        return len(gone)

    return db.write(work)
