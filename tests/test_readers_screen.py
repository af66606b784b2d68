"""The Readers screen (F5) driven from the keyboard at 80x24: find, read, register, edit, block, cards."""
from __future__ import annotations

from datetime import timedelta

from textual import events
from textual.widgets import DataTable, Select, Static, TabbedContent

from counter_tui.app import CounterApp
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.models import CardEvent, Fee, Loan, Patron
from counter_tui.screens.circulation.checkout import CheckoutScreen
from counter_tui.screens.readers.reader_form import FormScreen
from counter_tui.screens.readers.readers_desk import ReadersScreen
from counter_tui.services.admin import staff
from counter_tui.widgets.decision import Decision
from tests.conftest import NOW, ZONE
from tests.test_desk_screens import burst, rows, settle, status

TODAY = local_date(utc_now(), ZONE)  # the screens work on the real clock


def type_text(app, text: str) -> None:
    """Keys as fast as a scanner, without the Enter."""
    for ch in text:
        key = events.Key(ch, ch)
        key.set_sender(app)
        app._driver.send_message(key)


def press_now(app, *keys: str) -> None:
    """Named keys (backspace, ctrl+u...) queued at once, like the letters of `type_text`."""
    for name in keys:
        key = events.Key(name, None)
        key.set_sender(app)
        app._driver.send_message(key)


def form_status(app) -> str:
    return str(app.screen.query_one("#form-status", Static).content)


def office_clerk():
    return staff.add_staff(None, "office1", "Office Clerk", "a good password", ["office"], NOW)


async def open_readers(app, pilot) -> ReadersScreen:
    await pilot.press("f5")
    screen = app.screen
    assert isinstance(screen, ReadersScreen)
    await settle(pilot, lambda: screen.page is not None)
    return screen


async def open_record(app, pilot, card: str) -> ReadersScreen:
    screen = await open_readers(app, pilot)
    burst(app, card)
    await settle(pilot, lambda: screen.record is not None and screen.record.details.card == card
                 and screen.showing_record)
    return screen


async def test_search_by_name_pages_with_pgdn_and_opens_with_enter(lib, settings):
    made = [lib.patron(name=f"Wang {i:02d}") for i in range(40)]
    lib.patron(name="Li Lei")
    app = CounterApp(settings, lib.clerk)  # circulation staff may look readers up
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_readers(app, pilot)
        burst(app, "wang")
        await settle(pilot, lambda: "40 readers match" in status(screen))
        seen = [r[0] for r in rows(screen, "#results")]
        size = len(seen)
        assert 10 <= size < 40  # a page fills the table at 80x24
        while "PgDn" in str(screen.query_one("#page-info", Static).content):
            before = len(seen)
            await pilot.press("pagedown")
            await settle(pilot, lambda: screen.first_row == before + 1 and rows(screen, "#results")[0][0]
                         == f"Wang {before:02d}")
            seen += [r[0] for r in rows(screen, "#results")]
        assert seen == [p.name for p in made]
        await pilot.press("pageup")
        await settle(pilot, lambda: screen.first_row == 1 + size * ((39 // size) - 1))
        await pilot.press("down", "down", "enter")  # into the list, one row down, open it
        target = 1 + size * ((39 // size) - 1)  # the second reader of this page
        await settle(pilot, lambda: screen.showing_record)
        assert screen.record.details.name == f"Wang {target:02d}"
        await pilot.press("escape")  # back to the list
        await settle(pilot, lambda: not screen.showing_record)


async def test_typing_while_the_list_has_the_focus_goes_to_the_scan_line(lib, settings):
    reader = lib.patron(name="Li Lei")
    lib.patron(name="Han Meimei")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_readers(app, pilot)
        await pilot.press("down")
        assert app.focused.id == "results"
        burst(app, reader.card)  # a scan arrives while the list has the focus
        await settle(pilot, lambda: screen.showing_record)
        assert screen.record.details.id == reader.id


async def test_a_scanned_card_opens_the_record_with_every_tab(lib, settings):
    reader = lib.patron(name="Li Lei", department="Class 3")
    late, returned = lib.item(title="Late book"), lib.item(title="Read before")
    lib.loan(late, reader, TODAY - timedelta(30), TODAY - timedelta(2))
    lib.loan(returned, reader, TODAY - timedelta(60), TODAY - timedelta(40))
    Loan.update(returned_at=NOW).where(Loan.item == returned.id).execute()
    Fee.create(patron=reader, kind="overdue", amount=300, at=NOW, note="old fine")
    CardEvent.create(patron=reader, kind="issued", card=reader.card, at=NOW, expires_on=reader.expires_on)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        loans = screen.query_one("#loans", DataTable)
        assert str(loans.get_row_at(0)[1]) == "Late book" and loans.get_row_at(0)[1].style == "bold red"
        assert rows(screen, "#history")[0][1] == "Read before"
        assert rows(screen, "#fees")[-1][1:3] == ["Balance", "¥3.00"]
        assert rows(screen, "#cards")[0][1:3] == ["issued", reader.card]
        assert "Class 3" in str(screen.query_one("#details", Static).content)
        tabs = screen.query_one(TabbedContent)
        seen = []
        for _ in range(6):
            await pilot.press("ctrl+t")
            seen.append(tabs.active)
        assert seen == ["holds-tab", "history-tab", "fees-tab", "cards-tab", "details-tab", "loans-tab"]
        await pilot.press("ctrl+r")  # renew the selected loan, as on the old account view
        await settle(pilot, lambda: "overdue" in status(screen) or "Renewed" in status(screen))


async def test_past_loans_are_hidden_from_the_curator(lib, settings):
    reader, book = lib.patron(), lib.item()
    lib.loan(book, reader, TODAY - timedelta(60), TODAY - timedelta(40))
    Loan.update(returned_at=NOW).execute()
    curator = staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator"], NOW)
    app = CounterApp(settings, curator)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        assert not screen.query_one("#history", DataTable).display
        hidden = screen.query_one("#history-hidden", Static)
        assert hidden.display and "only to circulation and office staff" in str(hidden.content)


async def test_register_a_reader_from_the_keyboard(lib, settings):
    office = office_clerk()
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_readers(app, pilot)
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        type_text(app, "Zhang San")
        await pilot.press("enter")  # on to the category
        assert isinstance(app.focused, Select)
        await pilot.press("down")  # opens the list
        await settle(pilot, lambda: app.focused is not None and not isinstance(app.focused, Select))
        await pilot.press("down", "down", "down", "enter")  # (blank), External reader, Staff, Student
        await settle(pilot, lambda: form.values()["category"] == "student")
        assert app.focused.id == "field-department"  # choosing moved on
        type_text(app, "Class 3")
        await pilot.press("enter")
        type_text(app, "S2026001")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen and screen.showing_record)
        assert "Registered Zhang San with card" in status(screen)
    reader = Patron.get(Patron.name == "Zhang San")
    assert (reader.department, reader.id_number, reader.category.code) == ("Class 3", "S2026001", "student")
    assert CardEvent.get(CardEvent.patron == reader.id).kind == "issued"


async def test_the_form_shows_each_refusal_under_it_and_saves_nothing(lib, settings):
    office = office_clerk()
    lib.patron(name="Han Meimei", id_number="TAKEN1")
    item = lib.item()
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_readers(app, pilot)
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "needs a name" in form_status(app))
        form.query_one("#field-name").value = "Zhang San"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "Choose the reader's category" in form_status(app))
        form.query_one("#field-category").value = "student"
        for field, value, expected in [("email", "nope", "not an e-mail address"),
                                       ("phone", "call me", "not a phone number"),
                                       ("id_number", "taken1", "already Han Meimei's"),
                                       ("card", item.barcode, "is not a reader's card")]:
            form.query_one(f"#field-{field}").value = value
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: expected in form_status(app))
            assert app.screen is form  # still open, with what was typed
            form.query_one(f"#field-{field}").value = ""
        assert Patron.select().count() == 1
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ReadersScreen))
        assert "Nothing was saved" in status(app.screen)
    assert Patron.select().count() == 1


async def test_edit_a_reader(lib, settings):
    office = office_clerk()
    reader = lib.patron(name="Li Lei", phone="123456")
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        await pilot.press("ctrl+e")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert form.values()["name"] == "Li Lei" and form.values()["category"] == "student"
        await pilot.press("enter", "enter", "enter", "enter")  # name, category, department, identity number
        assert app.focused.id == "field-phone"
        await pilot.press("ctrl+u")  # clear the field
        type_text(app, "654321")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen and "Saved Li Lei's details" in status(screen))
    assert Patron.get_by_id(reader.id).phone == "654321"


async def test_block_with_a_last_day_then_lift_it(lib, settings):
    office = office_clerk()
    reader = lib.patron()
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        await pilot.press("ctrl+b")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        type_text(app, "damaged a book")
        await pilot.press("enter")
        type_text(app, "next week")
        await pilot.press("enter")  # the last field: saves
        await settle(pilot, lambda: "is not a last day" in form_status(app))
        last_day = (TODAY + timedelta(days=7)).isoformat()
        app.screen.query_one("#field-until").value = last_day
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen and "is blocked" in status(screen))
        assert f"BLOCKED: Blocked until {last_day}: damaged a book" in str(screen.query_one("#patron").content)
        await pilot.press("ctrl+b")
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        await pilot.press("l")
        await settle(pilot, lambda: "Block lifted" in status(screen))
    assert Patron.get_by_id(reader.id).status == "active"


async def test_renew_and_replace_a_lost_card_then_the_old_one_is_refused_at_check_out(lib, settings):
    office = staff.add_staff(None, "office1", "Office Clerk", "a good password", ["office", "circulation"], NOW)
    reader = lib.patron(expires_on=TODAY + timedelta(days=10))
    old = reader.card
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, old)
        await pilot.press("ctrl+y")
        renewed_to = TODAY.replace(year=TODAY.year + 1).isoformat()
        await settle(pilot, lambda: f"Card renewed: valid until {renewed_to}" in status(screen))
        await pilot.press("ctrl+g")
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        assert "fee ¥5.00" in str(app.screen.query(Static)[1].content)
        await pilot.press("l")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("enter")  # no pre-printed card: the next number
        await settle(pilot, lambda: "is refused from now on" in status(screen))
        new = Patron.get_by_id(reader.id).card
        assert new != old and f"New card {new}" in status(screen) and "¥5.00 charged" in status(screen)
        await pilot.press("f2")
        desk = app.screen
        assert isinstance(desk, CheckoutScreen)
        burst(app, old)
        await settle(pilot, lambda: "reported lost" in status(desk))
        assert status(desk) == f"This card was reported lost on {TODAY.isoformat()}; the reader now has card {new}."
        assert desk.patron is None
    assert Fee.get(Fee.patron == reader.id).kind == "card"


async def test_an_old_card_scanned_on_the_readers_screen_opens_its_reader_and_says_so(lib, settings):
    office = office_clerk()
    reader = lib.patron()
    from counter_tui.services.readers import cards
    new = cards.replace(office, reader.id, now=utc_now())
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_readers(app, pilot)
        burst(app, reader.card)
        await settle(pilot, lambda: screen.showing_record and "reported lost" in status(screen))
        assert f"now has card {new.card}" in status(screen)


async def test_cancel_with_a_loan_out_asks_what_happens_then_cancels(lib, settings):
    office = office_clerk()
    reader, book = lib.patron(), lib.item()
    lib.loan(book, reader, TODAY - timedelta(3), TODAY + timedelta(20))
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        await pilot.press("ctrl+x")
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        assert "the loans stay on the account and must still be returned" in app.screen.question
        await pilot.press("n")
        await settle(pilot, lambda: "not cancelled" in status(screen))
        assert Patron.get_by_id(reader.id).status == "active"
        await pilot.press("ctrl+x")
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        await pilot.press("y")
        await settle(pilot, lambda: "Card cancelled" in status(screen))
        assert "cancelled" in str(screen.query_one("#patron").content)
    assert Patron.get_by_id(reader.id).status == "cancelled"
    assert Loan.get(Loan.item == book.id).returned_at is None


async def test_circulation_staff_get_no_office_keys(lib, settings):
    reader = lib.patron()
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        for action in ("new_reader", "edit_reader", "block", "renew_card", "replace_card", "cancel_card"):
            assert not screen.check_action(action, ())
        await pilot.press("ctrl+n", "ctrl+b", "ctrl+y")
        await pilot.pause(0.2)
        assert app.screen is screen
    assert Patron.get_by_id(reader.id).expires_on == reader.expires_on


async def test_a_form_keeps_up_with_keys_typed_ahead(lib, settings):
    office = office_clerk()
    reader = lib.patron()
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        await pilot.press("ctrl+b")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        last_day = (TODAY + timedelta(days=3)).isoformat()
        # both fields, a correction and both Enters in one read, as over ssh
        type_text(app, "lost two bookz")
        press_now(app, "backspace")
        burst(app, "s", "x")
        press_now(app, "ctrl+u")
        burst(app, last_day)
        await settle(pilot, lambda: app.screen is screen and "is blocked" in status(screen))
    stored = Patron.get_by_id(reader.id)
    assert (stored.block_reason, stored.block_until.isoformat()) == ("lost two books", last_day)


async def test_print_the_readers_card_from_the_record(lib, settings, tmp_path, monkeypatch):
    import pypdfium2
    import zxingcpp
    monkeypatch.setenv("COUNTER_TUI_CARDS", str(tmp_path / "cards"))
    office = staff.add_staff(None, "office1", "Office Clerk", "a good password", ["office"], NOW)
    reader = lib.patron(name="Jim Green")
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        await pilot.press("ctrl+f")
        await settle(pilot, lambda: "Card printed to" in status(screen))
    [pdf] = (tmp_path / "cards").iterdir()
    assert reader.card not in pdf.name  # a file name carries no card number
    page = pypdfium2.PdfDocument(str(pdf))[0].render(scale=300 / 72).to_pil()
    assert [r.text for r in zxingcpp.read_barcodes(page)] == [f"A{reader.card}B"]
