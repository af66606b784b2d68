"""Holds at the desk, driven with keys: the question at check-in with scans waiting behind it,
the warning at check-out, and the holds desk (F7)."""
from __future__ import annotations

from datetime import date, timedelta

from counter_tui.app import CounterApp
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.models import Hold, Item, Loan
from counter_tui.screens.circulation.holds import HoldsScreen
from counter_tui.services.circulation import holds
from counter_tui.widgets.decision import Decision
from tests.conftest import NOW, ZONE
from tests.test_desk_screens import burst, rows, settle, status


def panel_text(desk) -> str:
    from counter_tui.widgets.patron_panel import PatronPanel
    return str(desk.query_one(PatronPanel).render())


def today() -> date:
    return local_date(utc_now(), ZONE)


def lent(lib, item, reader):
    return lib.loan(item, reader, date.fromordinal(today().toordinal() - 3),
                    date.fromordinal(today().toordinal() + 20))


async def test_check_in_asks_about_the_hold_while_the_scans_behind_wait_in_order(lib, settings):
    wanted, second, third = lib.item(title="Wanted"), lib.item(title="Second"), lib.item(title="Third")
    borrower = lib.patron(name="Borrower")
    for book in (wanted, second, third):
        lent(lib, book, borrower)
    waiter = lib.patron(name="Waiter")
    holds.place(lib.clerk, waiter.id, wanted.biblio_id)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        desk = app.screen
        burst(app, wanted.barcode, second.barcode, third.barcode)  # one burst: the question comes mid-pile
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        assert "Waiter" in app.screen.question and "fills a hold" in app.screen.question
        assert desk.lines == 1  # the two scans behind wait
        await pilot.press("y")
        await settle(pilot, lambda: desk.lines == 3)
        lines = rows(desk)
        assert [line[1] for line in lines] == ["Wanted", "Second", "Third"]
        assert lines[0][5] == "HOLD SHELF"
    hold = Hold.get()
    assert hold.status == "ready" and hold.item_id == wanted.id and hold.pickup_by is not None
    assert Item.get_by_id(wanted.id).status == "on hold shelf"
    assert Loan.select().where(Loan.returned_at.is_null()).count() == 0


async def test_check_in_print_slip_and_ignore(lib, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTER_TUI_SLIPS", str(tmp_path / "slips"))
    one, two = lib.item(title="One"), lib.item(title="Two")
    borrower = lib.patron(name="Borrower")
    lent(lib, one, borrower)
    lent(lib, two, borrower)
    holds.place(lib.clerk, lib.patron(name="Waiter One").id, one.biblio_id)
    holds.place(lib.clerk, lib.patron(name="Waiter Two").id, two.biblio_id)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        desk = app.screen
        burst(app, one.barcode, two.barcode)
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        await pilot.press("p")
        await settle(pilot, lambda: isinstance(app.screen, Decision) and "Waiter Two" in app.screen.question)
        assert rows(desk)[0][5] == "HOLD SHELF"  # the first was trapped before the second was asked
        await pilot.press("n")
        await settle(pilot, lambda: "Hold left waiting" in status(desk))
        assert [line[5] for line in rows(desk)][0] == "HOLD SHELF"
    assert Item.get_by_id(one.id).status == "on hold shelf"
    assert Item.get_by_id(two.id).status == "shelving cart"
    assert Hold.get(Hold.biblio == two.biblio_id).status == "waiting"
    slip = next((tmp_path / "slips").glob("*hold-slip.txt")).read_text(encoding="utf-8")
    assert "W. One" in slip and one.barcode in slip  # the name as the slip_name setting shortens it


async def test_lending_a_copy_on_the_hold_shelf_for_another_reader_warns(lib, settings):
    book, after = lib.item(title="On the hold shelf"), lib.item(title="After")
    waiter, other = lib.patron(name="Waiter"), lib.patron(name="Other Reader")
    holds.place(lib.clerk, waiter.id, book.biblio_id)
    from counter_tui.services.circulation import lending
    found = lending.checkin(lib.clerk, book.barcode).hold
    holds.trap(lib.clerk, book.id, found.hold_id)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = app.screen
        burst(app, other.card, book.barcode, after.barcode)
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        assert "waits on the hold shelf for Waiter" in app.screen.question
        await pilot.press("n")
        await settle(pilot, lambda: desk.lines == 1)
        assert rows(desk)[0][1] == "After"  # the scan behind went on after the answer
        assert "hold shelf" not in panel_text(desk)
        burst(app, waiter.card)  # the reader it waits for comes to the desk: the panel says so
        await settle(pilot, lambda: "1 waiting on the hold shelf" in panel_text(desk))
        burst(app, book.barcode)
        await settle(pilot, lambda: desk.lines == 1 and rows(desk)[0][1] == "On the hold shelf")
        assert "hold shelf" not in panel_text(desk)
    assert Item.get_by_id(book.id).status == "checked out" and Hold.get().status == "collected"
    assert Loan.get(Loan.item == after.id).patron_id == other.id and Loan.get(Loan.item == book.id).patron_id == waiter.id


async def test_holds_desk_place_by_title_words_see_the_place_and_cancel(lib, settings):
    book = lib.item(title="Fortress Besieged")
    lent(lib, book, lib.patron(name="Borrower"))
    first, reader = lib.patron(name="First Waiter"), lib.patron(name="Han Meimei")
    holds.place(lib.clerk, first.id, book.biblio_id)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        desk = app.screen
        assert isinstance(desk, HoldsScreen)
        burst(app, reader.card, "fortress")
        await settle(pilot, lambda: desk.view == "titles")
        assert rows(desk)[0][0] == "Fortress Besieged"
        await pilot.press("ctrl+t")
        await settle(pilot, lambda: "Hold placed" in status(desk))
        assert "number 2 in the queue" in status(desk)
        assert desk.view == "reader" and rows(desk)[0][2] == "waiting, number 2 in the queue"
        await pilot.press("ctrl+z")
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        await pilot.press("y")
        await settle(pilot, lambda: "Cancelled" in status(desk))
        assert rows(desk) == []
    assert Hold.get(Hold.patron == reader.id).status == "cancelled"
    assert Hold.get(Hold.patron == first.id).status == "waiting"


async def test_holds_desk_copy_level_hold_by_scanning_a_copy(lib, settings):
    book = lib.item(title="Dune")
    lent(lib, book, lib.patron(name="Borrower"))
    reader = lib.patron(name="Li Lei")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        desk = app.screen
        burst(app, reader.card, book.barcode)
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        assert "this copy" in app.screen.question
        await pilot.press("c")
        await settle(pilot, lambda: "Hold placed" in status(desk))
    hold = Hold.get()
    assert hold.copy_level == "yes" and hold.item_id == book.id and hold.patron_id == reader.id


async def test_f7_from_the_checkout_desk_opens_that_readers_holds(lib, settings):
    book = lib.item(title="Wanted")
    reader = lib.patron(name="Li Lei")
    holds.place(lib.clerk, reader.id, book.biblio_id)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        checkout = app.screen
        burst(app, reader.card)
        await settle(pilot, lambda: checkout.patron is not None)
        await pilot.press("f7")
        desk = app.screen
        await settle(pilot, lambda: isinstance(desk, HoldsScreen) and desk.view == "reader")
        assert rows(desk)[0][0] == "Wanted" and rows(desk)[0][2] == "waiting, number 1 in the queue"


async def test_hold_shelf_and_expire_from_the_desk(lib, settings):
    book = lib.item(title="Never collected")
    first, second = lib.patron(name="First"), lib.patron(name="Second")
    holds.place(lib.clerk, first.id, book.biblio_id)
    holds.place(lib.clerk, second.id, book.biblio_id)
    from counter_tui.services.circulation import lending
    found = lending.checkin(lib.clerk, book.barcode).hold
    holds.trap(lib.clerk, book.id, found.hold_id)
    Hold.update(pickup_by=date.fromordinal(today().toordinal() - 1)).where(Hold.id == found.hold_id).execute()
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        desk = app.screen
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: desk.view == "shelf")
        assert rows(desk)[0][1] == "First" and "1 not collected in time" in status(desk)
        await pilot.press("ctrl+g")
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        await pilot.press("y")
        await settle(pilot, lambda: desk.view == "expired")
        assert rows(desk)[0][2] == "First" and rows(desk)[0][3] == "for Second"
    assert Hold.get(Hold.patron == second.id).status == "ready"
    assert Item.get_by_id(book.id).status == "on hold shelf"


async def test_f7_from_a_readers_record_opens_their_holds(lib, settings):
    book = lib.item(title="Wanted")
    reader = lib.patron(name="Li Lei")
    holds.place(lib.clerk, reader.id, book.biblio_id)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        readers = app.screen
        burst(app, reader.card)
        await settle(pilot, lambda: readers.patron is not None)
        await pilot.press("f7")
        desk = app.screen
        await settle(pilot, lambda: isinstance(desk, HoldsScreen) and desk.view == "reader")
        assert desk.patron.id == reader.id and rows(desk)[0][0] == "Wanted"


async def test_f7_from_a_catalogue_record_then_a_card_places_the_hold(lib, settings):
    book = lib.item(title="Fortress Besieged")
    lent(lib, book, lib.patron(name="Borrower"))
    reader = lib.patron(name="Han Meimei")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        catalogue = app.screen
        burst(app, book.barcode)  # a scanned copy opens its title's record
        await settle(pilot, lambda: catalogue.biblio_id == book.biblio_id)
        await pilot.press("f7")
        desk = app.screen
        await settle(pilot, lambda: isinstance(desk, HoldsScreen) and desk.view == "queue")
        assert desk.patron is None and desk.title_id == book.biblio_id
        burst(app, reader.card)
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        assert "Fortress Besieged" in app.screen.question and "Han Meimei" in app.screen.question
        await pilot.press("y")
        await settle(pilot, lambda: "Hold placed" in status(desk))
    assert Hold.get().patron_id == reader.id and Hold.get().biblio_id == book.biblio_id


async def test_the_catalogue_record_tool_screen_opens_on_the_title(lib, settings):
    from counter_tui.screens.circulation.holds import TitleHoldsScreen
    book = lib.item(title="Dune")
    waiter = lib.patron(name="Waiter")
    holds.place(lib.clerk, waiter.id, book.biblio_id)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = TitleHoldsScreen(book.biblio_id)
        app.push_screen(screen)
        await settle(pilot, lambda: screen.view == "queue")
        assert rows(screen)[0][1] == "Waiter" and rows(screen)[0][0] == "1"
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is not screen)


async def test_the_readers_record_lists_their_holds_with_the_place_in_the_queue(lib, settings):
    from tests.test_readers_screen import open_record
    book = lib.item(title="Fortress Besieged")
    lib.loan(book, lib.patron(name="Borrower"), date(2026, 11, 20), date(2026, 12, 18))
    first, reader = lib.patron(name="First"), lib.patron(name="Li Lei")
    holds.place(lib.clerk, first.id, book.biblio_id, now=NOW)
    holds.place(lib.clerk, reader.id, book.biblio_id, now=NOW + timedelta(minutes=1))
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        assert rows(screen, "#holds") == [["Fortress Besieged", "waiting, number 2 in the queue", ""]]
