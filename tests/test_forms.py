"""Every form of the app moves, selects and answers refusals the same way (widgets/fields_dialog.py):
typing replaces a prefilled value, Up goes back a field, a refusal puts the cursor in the field
that was wrong and keeps everything typed, passwords too. Driven from the keyboard at 80x24."""
from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input

from counter_tui.app import CounterApp
from counter_tui.domain.calendar import utc_now
from counter_tui.models import CirculationRule, ClosedDay, Fee, Patron, Staff
from counter_tui.screens.admin.staff import StaffScreen
from counter_tui.screens.back_office import BackOffice
from counter_tui.screens.circulation.rules import RuleForm
from counter_tui.screens.readers.reader_form import FormScreen
from counter_tui.services.admin import staff
from counter_tui.widgets.fields_dialog import FieldsDialog
from tests.test_desk_screens import burst, settle, status
from tests.test_payments_screen import menu
from tests.test_readers_screen import form_status, office_clerk, open_readers, open_record, type_text
from tests.test_rules_screens import open_rules, status_of


def curator():
    return staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator"])


async def new_account_form(app, pilot) -> tuple[StaffScreen, FieldsDialog]:
    """F9, the staff accounts' key, then N: the staff screen and its new-account form."""
    await pilot.press("f9")
    await settle(pilot, lambda: isinstance(app.screen, BackOffice))
    await pilot.press("u")
    await settle(pilot, lambda: isinstance(app.screen, StaffScreen))
    screen = app.screen
    await pilot.press("n")
    await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
    return screen, app.screen


def field(app, name: str) -> Input:
    return app.screen.query_one(f"#field-{name}", Input)


async def test_typing_replaces_the_prefilled_amount(lib, settings):
    """The payment form offers the whole balance; typing 5 pays ¥5.00, not ¥7.505."""
    reader = lib.patron(name="Li Lei")
    Fee.create(patron=reader.id, kind="overdue", amount=750, at=utc_now() - timedelta(days=3), note="late")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        await menu(app, pilot, "p")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        assert field(app, "amount").value == "¥7.50"
        type_text(app, "5")
        await pilot.press("enter")
        await settle(pilot, lambda: "Paid ¥5.00" in status(screen))
        assert "Balance now ¥2.50" in status(screen)
    assert Fee.get(Fee.kind == "payment").amount == -500


async def test_keys_typed_ahead_replace_each_prefilled_field_they_land_in(lib, settings):
    """A burst over the new-rule form (every field offers a value): each answer replaces the
    offer of its own field, and a bare Enter keeps it."""
    head = curator()
    app = CounterApp(settings, head)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rules(app, pilot)
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, RuleForm))
        names = [widget.id.removeprefix("field-") for widget in app.screen.query(Input)]
        offered = {name: field(app, name).value for name in names}
        burst(app, "student", "book", "", "21")  # category, item type, location kept, loan period
        await settle(pilot, lambda: app.focused.id == "field-renewals")
        typed = {name: field(app, name).value for name in names}
        assert typed == {**offered, "category": "student", "item_type": "book", "loan_days": "21"}
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen and "Rule 2 added." in status_of(screen))
    rule = CirculationRule.get_by_id(2)
    assert (rule.category.code, rule.item_type.code, rule.location, rule.loan_days) == ("student", "book", None, 21)


async def test_up_goes_back_a_field_in_either_layout(lib, settings):
    head = curator()
    app = CounterApp(settings, head)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rules(app, pilot)
        await pilot.press("t", "n")  # the calendar's form: labels above the fields
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
        await pilot.press(*"2026-10-01", "enter", *"2026-10-03")
        await pilot.press("up")
        assert app.focused.id == "field-first"
        await pilot.press(*"2026-10-02")  # the day typed before is selected: this replaces it
        await pilot.press("down")
        assert app.focused.id == "field-last" and field(app, "last").value == "2026-10-03"
        await pilot.press("down", *"Staff training", "down")  # Down on the last field does not save
        assert app.focused.id == "field-reason" and isinstance(app.screen, FieldsDialog)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen and "2 closed days added from 2026-10-02." in status_of(screen))
    assert [d.day.isoformat() for d in ClosedDay.select().order_by(ClosedDay.day)] == ["2026-10-02", "2026-10-03"]

    office = office_clerk()
    reader = lib.patron(name="Li Lei", phone="123456")
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:  # the reader form: labels to the left, a list among the fields
        screen = await open_record(app, pilot, reader.card)
        await pilot.press("ctrl+e")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("enter", "enter", "enter")  # name, category (a list), department
        assert app.focused.id == "field-id_number"
        await pilot.press("up", "up")
        assert app.focused.id == "field-category"
        await pilot.press("up")
        assert app.focused.id == "field-name"
        type_text(app, "Li Lei Jr")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen and "Saved Li Lei Jr's details" in status(screen))
    assert Patron.get_by_id(reader.id).name == "Li Lei Jr"


async def test_a_refusal_puts_the_cursor_in_the_wrong_field_and_keeps_the_rest(lib, settings):
    office = office_clerk()
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_readers(app, pilot)
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        type_text(app, "Zhang San")
        await pilot.press("enter", "down", "down", "down", "down", "enter")  # the category: Student
        await settle(pilot, lambda: form.values()["category"] == "student" and app.focused.id == "field-department")
        burst(app, "Class 3", "S2026001", "13800138000")
        type_text(app, "zhang.example.org")  # no @
        await pilot.press("enter", "enter", "enter")  # to the notes, the card, and Enter on the card saves
        await settle(pilot, lambda: "not an e-mail address" in form_status(app))
        assert app.screen is form and app.focused.id == "field-email"
        assert form.values()["department"] == "Class 3" and form.values()["phone"] == "13800138000"
        type_text(app, "zhang@example.org")  # the wrong address is selected: this replaces it
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen and "Registered Zhang San" in status(screen))
    reader = Patron.get(Patron.name == "Zhang San")
    assert (reader.email, reader.phone, reader.id_number) == ("zhang@example.org", "13800138000", "S2026001")


async def test_a_refused_account_keeps_its_password_and_the_cursor_goes_to_the_roles(lib, settings):
    app = CounterApp(settings, curator())
    async with app.run_test(size=(80, 24)) as pilot:
        screen, form = await new_account_form(app, pilot)
        burst(app, "cat2", "Wang Fang", "shelves and spines", "cataloguer")
        await settle(pilot, lambda: "Unknown role 'cataloguer'" in str(form.query_one("#dialog-error").content))
        assert app.screen is form and app.focused.id == "field-roles"
        assert field(app, "password").value == "shelves and spines"
        burst(app, "cataloging")  # replaces the wrong role; Enter on the last field saves
        await settle(pilot, lambda: app.screen is screen and "Added cat2." in str(screen.query_one("#status").content))
    assert staff.sign_in("cat2", "shelves and spines").full_name == "Wang Fang"
    assert Staff.get(Staff.username == "cat2").roles == "cataloging"


async def test_a_short_password_is_the_field_the_cursor_goes_back_to(lib, settings):
    app = CounterApp(settings, curator())
    async with app.run_test(size=(80, 24)) as pilot:
        _, form = await new_account_form(app, pilot)
        burst(app, "cat2", "Wang Fang", "short", "cataloging")
        await settle(pilot, lambda: "at least 8 characters" in str(form.query_one("#dialog-error").content))
        assert app.focused.id == "field-password" and form.values()["roles"] == "cataloging"
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, FieldsDialog))
    assert not Staff.select().where(Staff.username == "cat2").exists()
