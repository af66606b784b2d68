"""The curator's circulation rules and calendar: validation, audit, and refusals that change nothing."""
from __future__ import annotations

from datetime import date

import pytest

from counter_tui.models import AuditEvent, CirculationRule, ClosedDay
from counter_tui.services.circulation import rules, rules_admin
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied, Refusal
from counter_tui.services.circulation.rules_admin import RuleTerms
from tests.conftest import NOW


@pytest.fixture
def curator(lib):
    return staff.add_staff(None, "head", "Head Librarian", "correct horse", ["curator"], NOW)


def snapshot():
    """Everything these services may write."""
    return ([tuple(r.__data__.items()) for r in CirculationRule.select().order_by(CirculationRule.id)],
            [(c.day, c.reason) for c in ClosedDay.select().order_by(ClosedDay.day)],
            AuditEvent.select().count())


def default_rule() -> CirculationRule:
    return CirculationRule.get(CirculationRule.category.is_null() & CirculationRule.item_type.is_null())


def test_curator_adds_a_rule_that_lending_then_uses(lib, curator):
    terms = RuleTerms(category="student", item_type="book", location="Stacks", loan_days=14, fine_amount=20)
    rule_id = rules_admin.save_rule(curator, None, terms, now=NOW)
    reader, book = lib.patron(category="student"), lib.item(location="Stacks")
    assert rules.rule_for(reader.category_id, book.item_type_id, "Stacks").id == rule_id
    event = AuditEvent.get(AuditEvent.action == "rule.add")
    assert event.record_id == rule_id and '"loan_days": 14' in event.new and '"category": "student"' in event.new


def test_curator_changes_a_rule_and_the_audit_keeps_old_and_new(lib, curator):
    rule_id = rules_admin.save_rule(curator, None, RuleTerms(category="teacher", loan_days=60), now=NOW)
    changed = RuleTerms(category="teacher", loan_days=90, grace_days=2)
    rules_admin.save_rule(curator, rule_id, changed, now=NOW)
    rule = CirculationRule.get_by_id(rule_id)
    assert (rule.loan_days, rule.grace_days) == (90, 2)
    event = AuditEvent.get(AuditEvent.action == "rule.change")
    assert '"loan_days": 60' in event.old and '"loan_days": 90' in event.new
    assert rules_admin.terms_of(rule) == changed


def test_curator_deletes_a_rule(lib, curator):
    rule_id = rules_admin.save_rule(curator, None, RuleTerms(item_type="av", loan_days=7), now=NOW)
    rules_admin.delete_rule(curator, rule_id, now=NOW)
    assert not CirculationRule.select().where(CirculationRule.id == rule_id).exists()
    assert AuditEvent.get(AuditEvent.action == "rule.delete").record_id == rule_id


def test_the_default_rule_cannot_be_deleted_or_narrowed(lib, curator):
    before = snapshot()
    with pytest.raises(Refusal, match="default rule cannot be removed"):
        rules_admin.delete_rule(curator, default_rule().id, now=NOW)
    with pytest.raises(Refusal, match="must stay for any category"):
        rules_admin.save_rule(curator, default_rule().id, RuleTerms(category="student"), now=NOW)
    assert snapshot() == before
    # its terms may change
    rules_admin.save_rule(curator, default_rule().id, RuleTerms(loan_days=21), now=NOW)
    assert default_rule().loan_days == 21


@pytest.mark.parametrize("scope", [{}, {"category": "student"}, {"category": "student", "location": "Stacks"}])
def test_no_two_rules_for_the_same_scope(lib, curator, scope):
    if scope:
        rules_admin.save_rule(curator, None, RuleTerms(**scope), now=NOW)
    before = snapshot()
    with pytest.raises(Refusal, match="already covers"):
        rules_admin.save_rule(curator, None, RuleTerms(**scope, loan_days=3), now=NOW)
    assert snapshot() == before


def test_changing_a_rule_into_anothers_scope_is_refused(lib, curator):
    rules_admin.save_rule(curator, None, RuleTerms(category="student"), now=NOW)
    other = rules_admin.save_rule(curator, None, RuleTerms(category="teacher"), now=NOW)
    before = snapshot()
    with pytest.raises(Refusal, match="already covers student"):
        rules_admin.save_rule(curator, other, RuleTerms(category="student"), now=NOW)
    assert snapshot() == before


@pytest.mark.parametrize("bad, sentence", [
    ({"loan_days": -1}, "loan period cannot be negative"),
    ({"grace_days": -2}, "grace period cannot be negative"),
    ({"fine_amount": -10}, "fine cannot be negative"),
    ({"fine_cap": -1}, "fine cap cannot be negative"),
    ({"renewals": -1}, "renewals cannot be negative"),
    ({"fine_amount": 10, "fine_interval_days": 0}, "charge interval of at least one day"),
    ({"category": "alien"}, "no reader category alien"),
    ({"item_type": "scroll"}, "no item type scroll"),
])
def test_bad_terms_are_refused_and_change_nothing(lib, curator, bad, sentence):
    before = snapshot()
    with pytest.raises(Refusal, match=sentence):
        rules_admin.save_rule(curator, None, RuleTerms(**{"category": "staff", **bad}),
                              now=NOW)
    assert snapshot() == before


def test_the_form_reads_money_days_and_yes_no(lib):
    values = rules_admin.form_values(RuleTerms(category="student", fine_amount=10, fine_cap=2000))
    assert values["fine_amount"] == "¥0.10" and values["fine_cap"] == "¥20.00"
    assert values["item_type"] == "any" and values["fines_skip_closed"] == "yes"
    values.update(loan_days=" 21 ", fine_amount="0.5", fine_cap="", location="Stacks", holds_allowed="n")
    terms = rules_admin.read_form(values)
    assert terms == RuleTerms(category="student", location="Stacks", loan_days=21, fine_amount=50,
                              fine_cap=None, holds_allowed=False)
    for field, typed, sentence in [("loan_days", "two", "whole number"), ("fine_amount", "-1", "negative"),
                                   ("fine_cap", "abc", "not an amount"), ("fines_skip_closed", "maybe", "yes or no")]:
        with pytest.raises(Refusal, match=sentence):
            rules_admin.read_form({**values, field: typed})


def test_only_the_curator_edits_rules(lib, curator):
    rule_id = rules_admin.save_rule(curator, None, RuleTerms(category="student"), now=NOW)
    office = staff.add_staff(None, "office", "Office", "correct horse", ["office", "circulation"], NOW)
    before = snapshot()
    for actor in (lib.clerk, office):
        with pytest.raises(PermissionDenied, match="Only the curator may change the circulation rules"):
            rules_admin.save_rule(actor, None, RuleTerms(category="teacher"), now=NOW)
        with pytest.raises(PermissionDenied):
            rules_admin.save_rule(actor, rule_id, RuleTerms(category="student", loan_days=1), now=NOW)
        with pytest.raises(PermissionDenied):
            rules_admin.delete_rule(actor, rule_id, now=NOW)
    assert snapshot() == before


# -- the calendar ------------------------------------------------------------------------

def test_curator_closes_a_range_and_opens_a_day_again(lib, curator):
    added = rules_admin.add_closed_days(curator, date(2026, 10, 1), date(2026, 10, 7), "National Day", now=NOW)
    assert added == 7
    assert [line.day.day for line in rules_admin.closed_days()] == list(range(1, 8))
    assert rules.closed_days(date(2026, 10, 1), date(2026, 10, 31)) == frozenset(
        date(2026, 10, n) for n in range(1, 8))
    removed = rules_admin.remove_closed_days(curator, date(2026, 10, 7), now=NOW)
    assert removed == 1 and len(rules_admin.closed_days()) == 6
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)
               if e.action.startswith("calendar.")]
    assert actions == ["calendar.close", "calendar.open"]
    assert '"days": 7' in AuditEvent.get(AuditEvent.action == "calendar.close").new


def test_an_overlapping_range_adds_only_the_new_days_and_keeps_old_reasons(lib, curator):
    rules_admin.add_closed_days(curator, date(2026, 10, 1), date(2026, 10, 3), "National Day", now=NOW)
    assert rules_admin.add_closed_days(curator, date(2026, 10, 2), date(2026, 10, 5), "Stocktaking", now=NOW) == 2
    reasons = {line.day.day: line.reason for line in rules_admin.closed_days()}
    assert reasons == {1: "National Day", 2: "National Day", 3: "National Day", 4: "Stocktaking", 5: "Stocktaking"}


@pytest.mark.parametrize("first, last, reason, sentence", [
    (date(2026, 10, 5), date(2026, 10, 1), "x", "before the first"),
    (date(2026, 1, 1), date(2027, 6, 1), "x", "more than a year"),
    (date(2026, 10, 1), None, "  ", "Say why"),
    (date(2026, 5, 1), None, "Labour Day", "already closed"),
])
def test_bad_closures_are_refused_and_change_nothing(lib, curator, first, last, reason, sentence):
    rules_admin.add_closed_days(curator, date(2026, 5, 1), None, "Labour Day", now=NOW)
    before = snapshot()
    with pytest.raises(Refusal, match=sentence):
        rules_admin.add_closed_days(curator, first, last, reason, now=NOW)
    assert snapshot() == before


def test_opening_a_day_that_is_not_closed_is_refused(lib, curator):
    before = snapshot()
    with pytest.raises(Refusal, match="not closed on 2026-12-24"):
        rules_admin.remove_closed_days(curator, date(2026, 12, 24), now=NOW)
    assert snapshot() == before


def test_only_the_curator_edits_the_calendar(lib, curator):
    rules_admin.add_closed_days(curator, date(2026, 5, 1), None, "Labour Day", now=NOW)
    before = snapshot()
    with pytest.raises(PermissionDenied, match="Only the curator may change the library's calendar"):
        rules_admin.add_closed_days(lib.clerk, date(2026, 5, 2), None, "Extra", now=NOW)
    with pytest.raises(PermissionDenied):
        rules_admin.remove_closed_days(lib.clerk, date(2026, 5, 1), now=NOW)
    assert snapshot() == before


def test_read_day(lib):
    assert rules_admin.read_day(" 2026-10-01 ") == date(2026, 10, 1)
    with pytest.raises(Refusal, match="year-month-day"):
        rules_admin.read_day("1/10/2026")
