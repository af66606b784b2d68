"""Rules you can read: the fine's arithmetic explained equals what check-in charges, and the
rule explanation names the rule lending uses."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from counter_tui import cli
from counter_tui.models import CirculationRule, Fee, ItemType, Loan, PatronCategory
from counter_tui.services.circulation import explain, lending, rules, rules_admin
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW

TODAY = date(2026, 11, 25)  # NOW in the library's zone


def d(n: int) -> date:
    """n days before today."""
    return TODAY - timedelta(days=n)


def returned(lib, *, due_days_ago: int, price: int | None = 4500, closed=(), **rule):
    """Lend a copy due `due_days_ago` days ago, check it in now; (explanation, fee charged)."""
    lib.rule(**{"fine_amount": 10, "fine_interval_days": 1, "grace_days": 0, "fine_includes_grace": True,
                "fine_cap": None, "fine_cap_at_price": False, "fines_skip_closed": True, **rule})
    for day, reason in closed:
        from counter_tui.models import ClosedDay
        ClosedDay.create(day=day, reason=reason)
    reader, book = lib.patron(), lib.item(price=price)
    loan = lib.loan(book, reader, d(due_days_ago + 28), d(due_days_ago))
    before = explain.explain_fine(lib.clerk, loan.id, now=NOW)  # still out: as if returned today
    result = lending.checkin(lib.clerk, book.barcode, now=NOW)
    charged = sum(f.amount for f in Fee.select().where(Fee.loan == loan.id))
    after = explain.explain_fine(lib.clerk, loan.id, now=NOW)
    assert before.total == after.total == result.fine == charged
    assert after.returned and after.charged_at_checkin == charged and after.agrees
    assert not before.returned and before.charged_at_checkin is None
    return after, charged


def text(explanation) -> str:
    return "\n".join(explanation.lines())


# -- the arithmetic, scenario by scenario -------------------------------------------------------

def test_closed_days_skipped_are_listed_and_not_charged(lib):
    closed = [(d(6), "Staff training"), (d(5), "Staff training"), (d(2), "Founders' day")]
    found, charged = returned(lib, due_days_ago=10, closed=closed)
    assert charged == 70  # 10 days late, 3 closed: 7 days at 10
    r = found.reckoning
    assert (r.days_late, r.closed_days, r.chargeable_days, r.intervals) == (10, 3, 7, 7)
    assert [str(run) for run in found.closed] == [f"{d(6)} to {d(5)} (Staff training)",
                                                   f"{d(2)} (Founders' day)"]
    said = text(found)
    assert "1. Days late: 10." in said and "Closed days in that time: 3, not counted" in said
    assert "3. Days to charge: 7." in said and "7 x ¥0.10 a day = ¥0.70" in said
    assert "Total: ¥0.70." in said and "Check-in charged ¥0.70, the same." in said


def test_closed_days_counted_when_the_rule_says_so(lib):
    found, charged = returned(lib, due_days_ago=10, closed=[(d(6), "Holiday")], fines_skip_closed=False)
    assert charged == 100
    assert "counted all the same" in text(found) and "3. Days to charge: 10." in text(found)


def test_closed_day_on_the_due_date_itself_is_not_in_the_late_period(lib):
    found, charged = returned(lib, due_days_ago=4, closed=[(d(4), "Holiday"), (d(10), "Earlier")])
    assert charged == 40 and found.closed == ()
    assert "Closed days in that time: none." in text(found)


def test_grace_not_charged(lib):
    found, charged = returned(lib, due_days_ago=10, grace_days=3, fine_includes_grace=False)
    assert charged == 70
    assert "4. Grace: 3 days, never charged: 7 days remain." in text(found)


def test_grace_charged_once_past_it(lib):
    found, charged = returned(lib, due_days_ago=10, grace_days=3, fine_includes_grace=True)
    assert charged == 100
    assert "past it, so every day is charged, grace too" in text(found)


def test_within_grace_nothing_is_charged(lib):
    found, charged = returned(lib, due_days_ago=3, grace_days=3)
    assert charged == 0 and found.total == 0
    assert "within it, so nothing is charged" in text(found)
    assert "Nothing on the reader's account for this loan." in text(found)


def test_grace_counts_open_days_only_when_closed_days_are_skipped(lib):
    # 5 days late, 2 of them closed: 3 open days, all within 3 days of grace
    found, charged = returned(lib, due_days_ago=5, grace_days=3, closed=[(d(3), "x"), (d(2), "x")])
    assert charged == 0 and found.reckoning.chargeable_days == 3


def test_weekly_intervals_charge_full_weeks_only(lib):
    found, charged = returned(lib, due_days_ago=20, fine_amount=50, fine_interval_days=7)
    assert charged == 100  # 20 days: 2 full weeks
    assert "5. Intervals: 2 x ¥0.50 per full 7 days = ¥1.00." in text(found)


def test_a_rule_without_fines(lib):
    found, charged = returned(lib, due_days_ago=9, fine_amount=0)
    assert charged == 0 and "this rule charges no overdue fine" in text(found)


def test_cap_of_the_rule(lib):
    found, charged = returned(lib, due_days_ago=30, fine_cap=150)
    assert charged == 150 and found.reckoning.amount_before_cap == 300
    assert "6. Cap: the rule's cap ¥1.50; the fine is limited to ¥1.50." in text(found)


def test_cap_at_the_copys_price_when_lower_than_the_rules_cap(lib):
    found, charged = returned(lib, due_days_ago=30, price=120, fine_cap=150, fine_cap_at_price=True)
    assert charged == 120
    assert "the replacement price ¥1.20; the fine is limited to ¥1.20." in text(found)


def test_cap_at_the_types_price_when_the_copy_has_none(lib):
    ItemType.update(replacement_price=200).where(ItemType.code == "book").execute()
    found, charged = returned(lib, due_days_ago=30, price=None, fine_cap_at_price=True)
    assert charged == 200 and found.price == 200


def test_a_copy_priced_0_is_capped_at_its_types_price(lib):
    """A price of 0 was never entered: the item type's price caps the fine, at check-in and explained."""
    ItemType.update(replacement_price=200).where(ItemType.code == "book").execute()
    found, charged = returned(lib, due_days_ago=30, price=0, fine_cap_at_price=True)
    assert charged == 200 and found.price == 200
    assert "the replacement price ¥2.00; the fine is limited to ¥2.00." in text(found)


def test_cap_at_price_without_any_price_does_not_apply(lib):
    ItemType.update(replacement_price=0).where(ItemType.code == "book").execute()
    found, charged = returned(lib, due_days_ago=30, price=0, fine_cap_at_price=True)
    assert charged == 300
    assert "none recorded, so it does not apply" in text(found)


def test_cap_not_reached(lib):
    found, charged = returned(lib, due_days_ago=5, fine_cap=150, fine_cap_at_price=True)
    assert charged == 50 and "not reached" in text(found)


def test_on_time_return(lib):
    found, charged = returned(lib, due_days_ago=0)
    assert charged == 0 and "1. Days late: 0." in text(found)


# -- the loan, found by number or barcode; the ledger; rules changed since ---------------------

def test_a_copys_barcode_finds_its_open_loan_then_its_latest(lib):
    lib.rule(fine_amount=10, fine_cap=None, fine_cap_at_price=False, grace_days=0)
    reader, book = lib.patron(), lib.item()
    first = lib.loan(book, reader, d(60), d(40))
    lending.checkin(lib.clerk, book.barcode, now=NOW - timedelta(days=30))
    second = lib.loan(book, reader, d(20), d(3))
    assert explain.explain_fine(lib.clerk, book.barcode, now=NOW).loan_id == second.id
    lending.checkin(lib.clerk, book.barcode, now=NOW)
    assert explain.explain_fine(lib.clerk, book.barcode, now=NOW).loan_id == second.id
    older = explain.explain_fine(lib.clerk, str(first.id), now=NOW)
    assert older.total == older.charged_at_checkin == 100 and older.until == d(30)


def test_a_claimed_returned_loan_is_explained_as_check_in_charges_it(lib):
    """Check-in stops the fine at the day the reader claimed the book returned; so does the explanation."""
    from counter_tui.services.circulation import losses
    lib.rule(fine_amount=10, fine_interval_days=1, grace_days=0, fine_cap=None, fine_cap_at_price=False)
    reader, book = lib.patron(), lib.item()
    loan = lib.loan(book, reader, d(40), d(13))
    losses.claim_returned(lib.clerk, loan.id, NOW - timedelta(days=10))  # 3 days late on the claim's day
    before = explain.explain_fine(lib.clerk, loan.id, now=NOW)  # still out, claimed
    result = lending.checkin(lib.clerk, book.barcode, now=NOW)  # found ten days later
    after = explain.explain_fine(lib.clerk, loan.id, now=NOW)
    assert result.fine == 30
    assert before.total == after.total == result.fine == after.charged_at_checkin and after.agrees
    assert after.until == d(10) and "Claimed returned" in text(after)


def test_unknown_loan_or_barcode_is_one_sentence(lib):
    with pytest.raises(Refusal, match="no loan number 999"):
        explain.explain_fine(lib.clerk, "999", now=NOW)
    book = lib.item()
    with pytest.raises(Refusal, match="never been lent"):
        explain.explain_fine(lib.clerk, book.barcode, now=NOW)


def test_a_rule_changed_after_check_in_is_said_plainly(lib):
    found, charged = returned(lib, due_days_ago=10)
    lib.rule(fine_amount=20)
    again = explain.explain_fine(lib.clerk, found.loan_id, now=NOW)
    assert not again.agrees and again.total == 200 and again.charged_at_checkin == 100
    assert "Check-in charged ¥1.00: the rules or the calendar have changed since; today they " \
           "would give ¥2.00." in text(again)


def test_a_late_renewal_and_the_return_both_show_in_the_ledger(lib):
    lib.rule(fine_amount=10, fine_cap=None, fine_cap_at_price=False, grace_days=0, renew_overdue_days=5)
    reader, book = lib.patron(), lib.item()
    loan = lib.loan(book, reader, d(40), d(33))
    lending.renew(lib.clerk, book.barcode, now=NOW - timedelta(days=30))  # 3 days late: 30
    lending.checkin(lib.clerk, book.barcode, now=NOW)  # due 28 days after d(30): 2 days late
    found = explain.explain_fine(lib.clerk, loan.id, now=NOW)
    assert [c.amount for c in found.charges] == [30, 20]
    assert found.total == found.charged_at_checkin == 20
    assert "at renewal" in text(found)


def test_only_desk_office_and_curator_may_read_explanations(lib):
    cataloguer = staff.add_staff(None, "cat", "Cataloguer", "correct horse", ["cataloging"], NOW)
    reader, book = lib.patron(), lib.item()
    loan = lib.loan(book, reader, d(30), d(2))
    with pytest.raises(PermissionDenied):
        explain.explain_fine(cataloguer, loan.id, now=NOW)
    with pytest.raises(PermissionDenied):
        explain.explain_rule(cataloguer, reader.card, book.barcode)


# -- which rule, and why ---------------------------------------------------------------------

def _rule(category=None, item_type=None, location=None, **terms) -> int:
    cat = PatronCategory.get(PatronCategory.code == category).id if category else None
    typ = ItemType.get(ItemType.code == item_type).id if item_type else None
    return CirculationRule.create(category=cat, item_type=typ, location=location, **terms).id


def test_the_most_specific_matching_rule_wins_and_each_rule_says_why(lib):
    teacher_any = _rule("teacher", loan_days=60)
    student_book = _rule("student", "book", loan_days=21)
    student_book_stacks = _rule("student", "book", "Stacks", loan_days=14)
    any_av = _rule(None, "av", loan_days=7)
    any_book = _rule(None, "book", loan_days=30)
    reader, book = lib.patron(category="student"), lib.item(location="Stacks")
    found = explain.explain_rule(lib.clerk, reader.card, book.barcode)
    assert found.chosen.id == student_book_stacks
    assert found.chosen.id == rules.rule_for(reader.category_id, book.item_type_id, "Stacks").id
    order = [c.line.id for c in found.candidates if c.matches]
    assert order[:3] == [student_book_stacks, student_book, any_book] and order[-1] == 1
    why = {c.line.id: c.why for c in found.candidates}
    assert why[teacher_any] == "category Teacher is not Student."
    assert why[any_av] == "item type Audio-visual is not Book."
    assert "names 3 of 3" in why[student_book_stacks]
    said = text(found)
    assert f"=> rule {student_book_stacks}: Student x Book x Stacks" in said
    assert "loan 14 days" in said.splitlines()[-1]


def test_elsewhere_the_next_rule_applies(lib):
    _rule("student", "book", "Stacks", loan_days=14)
    student_book = _rule("student", "book", loan_days=21)
    reader, book = lib.patron(category="student"), lib.item(location="Reading room")
    found = explain.explain_rule(lib.clerk, reader.card, book.barcode)
    assert found.chosen.id == student_book
    assert any(c.why == "location Stacks is not Reading room." for c in found.candidates)
    # and lending really uses it: 21 days
    loan = lending.checkout(lib.clerk, reader.id, book.barcode, now=NOW)
    assert loan.due >= TODAY + timedelta(days=21)


def test_explain_refuses_unknown_card_or_copy(lib):
    reader, book = lib.patron(), lib.item()
    with pytest.raises(Refusal, match="No reader has card"):
        explain.explain_rule(lib.clerk, "21234999999999", book.barcode)
    with pytest.raises(Refusal, match="reader's card"):
        explain.explain_rule(lib.clerk, reader.card, reader.card)


def test_rule_list_puts_the_default_first(lib):
    _rule("student", "book", loan_days=21)
    lines = explain.rule_lines()
    assert lines[0].is_default and explain.scope(lines[0]) == "any x any x any"
    assert explain.scope(lines[1]) == "Student x Book x any"
    assert "loan 21 days" in lines[1].terms


# -- the command line ----------------------------------------------------------------------

def test_commands_print_the_explanations(lib, settings, monkeypatch, capsys):
    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", "/nonexistent/none.toml")
    monkeypatch.setattr(cli, "_open", lambda args, url=None, need_schema=True: settings)
    reader, book = lib.patron(), lib.item()
    lib.rule(fine_amount=10, fine_cap=None, fine_cap_at_price=False, grace_days=0)
    loan = lib.loan(book, reader, d(30), d(4))
    lending.checkin(lib.clerk, book.barcode, now=NOW)
    cli.main(["rules", "list", "--as", "clerk"])
    assert "Rule 1: any x any x any (default)" in capsys.readouterr().out
    cli.main(["rules", "explain", reader.card, book.barcode, "--as", "clerk"])
    assert "=> rule 1: any x any x any (default)" in capsys.readouterr().out
    cli.main(["fines", "explain", str(loan.id), "--as", "clerk"])
    out = capsys.readouterr().out
    fee = Fee.get(Fee.loan == loan.id).amount
    assert f"Total: ¥{fee / 100:.2f}." in out and "Check-in charged" in out
    with pytest.raises(SystemExit, match="no loan number 777"):
        cli.main(["fines", "explain", "777", "--as", "clerk"])


def test_a_closed_day_the_curator_adds_is_skipped_at_check_in(lib):
    curator = staff.add_staff(None, "head", "Head", "correct horse", ["curator"], NOW)
    rules_admin.add_closed_days(curator, d(3), d(2), "Sports day", now=NOW)
    found, charged = returned(lib, due_days_ago=6)
    assert charged == 40 and [str(r) for r in found.closed] == [f"{d(3)} to {d(2)} (Sports day)"]
    assert Loan.select().count() == 1
