"""Rules you can read, driven from the keyboard: Ctrl+Y at check-in, the curator's rules and calendar."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import Input, OptionList, TabbedContent

from counter_tui.app import CounterApp
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.models import AuditEvent, CirculationRule, ClosedDay, Fee
from counter_tui.screens.back_office import BackOffice
from counter_tui.screens.explanation import ExplanationDialog, ScanPrompts
from counter_tui.screens.circulation.rules import RuleForm, RulesScreen
from counter_tui.services.admin import staff
from counter_tui.widgets.decision import Decision
from counter_tui.widgets.fields_dialog import FieldsDialog
from tests.conftest import ZONE
from tests.test_desk_screens import burst, rows, settle, status


async def test_ctrl_y_at_check_in_explains_the_fine_just_charged(lib, settings):
    reader, book = lib.patron(name="Li Lei"), lib.item(title="Fortress Besieged")
    other = lib.item(title="Dune")
    lib.rule(fine_amount=10, grace_days=2, fine_includes_grace=False, fines_skip_closed=True, fine_cap=None)
    today = local_date(utc_now(), ZONE)
    lib.closed(today - timedelta(days=3))
    lib.loan(book, reader, today - timedelta(days=40), today - timedelta(days=12))
    lib.loan(other, reader, today - timedelta(days=10), today + timedelta(days=5))
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        screen = app.screen
        await pilot.press("ctrl+y")
        assert "Check a book in first" in status(screen)
        burst(app, book.barcode)
        await settle(pilot, lambda: screen.lines == 1)
        assert rows(screen)[0][4] == "¥0.90"  # 12 late, 1 closed, 2 of grace: 9 days
        await pilot.press("ctrl+y")
        await settle(pilot, lambda: isinstance(app.screen, ExplanationDialog) and "Total" in app.screen.text())
        dialog = app.screen
        said = dialog.text()
        assert "1. Days late: 12." in said and "Closed days in that time: 1, not counted" in said
        assert "Total: ¥0.90." in said and "Check-in charged ¥0.90, the same." in said
        # a scan typed while the explanation is open is checked in, not lost
        burst(app, other.barcode)
        await settle(pilot, lambda: screen.lines == 2)
        assert app.screen is screen and rows(screen)[1][0] == other.barcode
        await pilot.press("ctrl+y")
        await settle(pilot, lambda: isinstance(app.screen, ExplanationDialog) and "Total" in app.screen.text())
        assert "1. Days late: 0." in app.screen.text()
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        burst(app, other.barcode)  # again: it is no longer on loan, so the line closes no loan
        await settle(pilot, lambda: screen.lines == 3)
        await pilot.press("ctrl+y")
        assert app.screen is screen and "returned no loan" in status(screen)
    assert sum(f.amount for f in Fee.select()) == 90


# -- the curator's screen -----------------------------------------------------------------



@pytest.fixture
def head(lib):
    return staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator"])


def table(screen, name) -> list[list[str]]:
    return rows(screen, f"#{name}")


def status_of(screen) -> str:
    return str(screen.query_one("#status").content)


async def open_rules(app, pilot) -> RulesScreen:
    await pilot.press("f9")
    await settle(pilot, lambda: isinstance(app.screen, BackOffice))
    await pilot.press("c")  # the rules' key in the menu
    await settle(pilot, lambda: isinstance(app.screen, RulesScreen) and app.screen.rule_lines)
    return app.screen


async def test_curator_adds_a_rule_from_the_keyboard_and_a_refusal_keeps_the_form(lib, head, settings):
    app = CounterApp(settings, head)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rules(app, pilot)
        assert table(screen, "rules")[0][:4] == ["1", "any", "any", "any"]
        assert "Rule 1: any x any x any (the default)" in str(screen.query_one("#detail").content)
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, RuleForm))
        form = app.screen
        form.query_one("#field-category", Input).value = "student"
        form.query_one("#field-item_type", Input).value = "book"
        form.query_one("#field-loan_days", Input).value = "-3"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "loan period cannot be negative" in str(form.query_one("#dialog-error").content))
        assert app.screen is form and app.focused.id == "field-loan_days"  # the form stays, on the wrong field
        assert form.query_one("#field-category", Input).value == "student"  # nothing typed is lost
        assert CirculationRule.select().count() == 1
        form.query_one("#field-loan_days", Input).value = "14"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen and len(table(screen, "rules")) == 2)
        assert table(screen, "rules")[1][:5] == ["2", "Student", "Book", "any", "14d"]
        assert "Rule 2 added." in status_of(screen)
        # Enter edits the selected rule; the default cannot be removed
        await pilot.press("up", "d")
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        await pilot.press("y")
        await settle(pilot, lambda: "cannot be removed" in status_of(screen))
        assert CirculationRule.select().count() == 2
        await pilot.press("down", "d")
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        await pilot.press("y")
        await settle(pilot, lambda: "Rule 2 removed." in status_of(screen))
        assert len(table(screen, "rules")) == 1
    assert [e.action for e in AuditEvent.select().where(AuditEvent.action.startswith("rule."))] == \
        ["rule.add", "rule.delete"]


async def test_curator_closes_a_week_and_opens_a_day_again(lib, head, settings):
    app = CounterApp(settings, head)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rules(app, pilot)
        await pilot.press("t")
        await settle(pilot, lambda: screen.query_one(TabbedContent).active == "calendar-tab")
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
        await pilot.press(*"2026-10-01", "enter", *"2026-10-07", "enter", *"National Day", "enter")
        await settle(pilot, lambda: app.screen is screen and len(table(screen, "closed")) == 7)
        assert table(screen, "closed")[0] == ["2026-10-01", "Thu", "National Day"]
        assert "7 closed days added from 2026-10-01." in status_of(screen)
        await pilot.press("d")
        await settle(pilot, lambda: len(table(screen, "closed")) == 6)
        assert "open again on 2026-10-01" in status_of(screen)
    assert ClosedDay.select().count() == 6 and not ClosedDay.select().where(ClosedDay.day == date(2026, 10, 1)).exists()


async def test_explain_from_the_rules_screen(lib, head, settings):
    reader, book = lib.patron(name="Li Lei"), lib.item()
    app = CounterApp(settings, head)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rules(app, pilot)
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, ScanPrompts))
        burst(app, reader.card, book.barcode)  # both scans in one burst, as a scanner sends them
        await settle(pilot, lambda: isinstance(app.screen, ExplanationDialog) and "applies" in app.screen.text())
        assert "Rule 1 applies (any x any x any)" in app.screen.text()
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)


async def test_a_clerk_has_no_rules_tool_and_the_screen_changes_nothing_for_them(lib, settings):
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot, lambda: isinstance(app.screen, BackOffice))
        ids = {menu.get_option_at_index(i).id for menu in app.screen.query(OptionList)
               for i in range(menu.option_count)}
        assert "notices" in ids and "rules" not in ids
        await pilot.press("c")  # the rules' key does nothing for them
        assert isinstance(app.screen, BackOffice)
        await pilot.press("escape")
        screen = RulesScreen()  # reached some other way, its writes still refuse
        await app.push_screen(screen)
        await settle(pilot, lambda: screen.rule_lines)
        await pilot.press("down", "d")
        await settle(pilot, lambda: "Nothing" in status_of(screen) or isinstance(app.screen, Decision))
        await pilot.press("y")
        await settle(pilot, lambda: "Only the curator" in status_of(screen))
    assert CirculationRule.select().count() == 1


async def test_the_calendar_form_typed_in_one_burst_fills_each_field(lib, head, settings):
    """Keys typed ahead of an Enter go to the next field, not into the one before."""
    from tests.test_desk_screens import burst
    app = CounterApp(settings, head)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rules(app, pilot)
        await pilot.press("t")
        await settle(pilot, lambda: screen.query_one(TabbedContent).active == "calendar-tab")
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
        burst(app, "2026-10-01", "2026-10-03", "Staff training")  # all queued at once, Enter after each
        await settle(pilot, lambda: app.screen is screen and len(table(screen, "closed")) == 3)
        assert table(screen, "closed")[0] == ["2026-10-01", "Thu", "Staff training"]
