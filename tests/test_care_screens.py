"""The damage key at check-in, the shelving screen in a burst, the repair queue: driven by keys."""
from __future__ import annotations

from datetime import timedelta

from counter_tui.app import CounterApp
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.models import DamageAssessment, Fee, InHouseUse, Item, Loan
from counter_tui.screens.circulation.repairs import RepairsScreen
from counter_tui.screens.circulation.shelving import ShelvingScreen
from counter_tui.services.circulation import damage, lending
from counter_tui.widgets.decision import Decision
from counter_tui.widgets.fields_dialog import FieldsDialog
from tests.conftest import ZONE
from tests.test_desk_screens import burst, rows, settle, status


def lent(lib, reader, *titles):
    today = local_date(utc_now(), ZONE)
    books = [lib.item(title=t) for t in titles]
    for b in books:
        lib.loan(b, reader, today - timedelta(days=5), today + timedelta(days=10))
    return books


async def answer(app, pilot, key: str) -> None:
    await settle(pilot, lambda: isinstance(app.screen, Decision))
    question = app.screen
    await pilot.press(key)
    await settle(pilot, lambda: app.screen is not question)


async def test_damage_key_on_a_checkin_line_charges_after_confirmation(lib, settings):
    reader = lib.patron(name="Li Lei")
    torn, fine, later = lent(lib, reader, "Fortress Besieged", "Dune", "Walden")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        screen = app.screen
        burst(app, torn.barcode, fine.barcode)
        await settle(pilot, lambda: screen.lines == 2)
        table = screen.query_one("#lines")
        table.move_cursor(row=0)  # the clerk picks the first line
        await pilot.press("ctrl+t")
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        assert "Fortress Besieged" in str(app.screen.question)
        burst(app, later.barcode)  # a scan arriving during the questions waits its turn
        await answer(app, pilot, "v")  # severe
        await answer(app, pilot, "r")  # repair
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        assert "Li Lei" in app.screen.question
        await answer(app, pilot, "p")  # the replacement price
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        assert "¥45.00" in app.screen.question  # the amount is shown before anything is charged
        assert Fee.select().where(Fee.kind == "damage").count() == 0
        await answer(app, pilot, "y")
        await settle(pilot, lambda: screen.lines == 3)
        lines = rows(screen)
        assert lines[0][5] == "repair queue" and lines[2][0] == later.barcode
    fee = Fee.get(Fee.kind == "damage")
    assert fee.amount == 4500 and fee.patron_id == reader.id
    assert fee.loan_id == Loan.get(Loan.item == torn.id).id
    assert Item.get_by_id(torn.id).status == "in repair"
    assert Item.get_by_id(later.id).status == "shelving cart"  # the waiting scan was checked in after


async def test_damage_key_typed_amount_and_escape_records_nothing(lib, settings):
    reader = lib.patron(name="Li Lei")
    (book,) = lent(lib, reader, "Dune")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        screen = app.screen
        burst(app, book.barcode)
        await settle(pilot, lambda: screen.lines == 1)
        await pilot.press("ctrl+t")
        await answer(app, pilot, "s")
        await answer(app, pilot, "escape")
        await settle(pilot, lambda: "cancelled" in status(screen))
        assert DamageAssessment.select().count() == 0
        await pilot.press("ctrl+t")
        await answer(app, pilot, "s")
        await answer(app, pilot, "k")
        await answer(app, pilot, "t")
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
        await pilot.press(*"abc", "enter", "enter")
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog) and app.screen.error)
        assert "not an amount" in app.screen.error
        await pilot.press(*"3.5", "enter", *"torn page", "enter")
        await answer(app, pilot, "y")
        await settle(pilot, lambda: "charged" in status(screen))
        assert rows(screen)[0][5] != "repair queue"  # kept in circulation
    a = DamageAssessment.get()
    assert (a.degree, a.decision, a.note) == ("slight", damage.KEEP, "torn page")
    assert Fee.get(Fee.kind == "damage").amount == 350


async def test_damage_key_with_no_line_says_so(lib, settings):
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        screen = app.screen
        await pilot.press("ctrl+t")
        await settle(pilot, lambda: "Check a book in first" in status(screen))
    assert DamageAssessment.select().count() == 0


async def open_tool(app, pilot, tool_id: str):
    """F9, then the entry's one key, as the clerk reads it in the menu."""
    from counter_tui.screens import posts
    await pilot.press("f9")
    menu = app.screen
    await pilot.press(next(e.key for p in posts.posts() for e in p.entries if e.id == tool_id))
    await settle(pilot, lambda: app.screen is not menu and not app.screen.__class__.__name__ == "BackOffice")
    return app.screen


async def test_shelving_scans_in_a_burst_then_in_house_use(lib, settings):
    settings.shelving_minutes = 0  # only the scan shelves, so the burst does all the work
    reader = lib.patron()
    books = lent(lib, reader, *(f"Book {n}" for n in range(12)))
    for b in books:
        lending.checkin(lib.clerk, b.barcode)
    on_shelf = lib.item(title="Read in the library")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_tool(app, pilot, "shelving")
        assert isinstance(screen, ShelvingScreen)
        await settle(pilot, lambda: "on the cart" in status(screen))
        burst(app, *(b.barcode for b in books), books[0].barcode)
        await settle(pilot, lambda: screen.lines == 13)
        lines = rows(screen)
        assert [line[0] for line in lines] == [b.barcode for b in books] + [books[0].barcode]
        assert all(line[3] == "shelved" for line in lines[:12]) and lines[12][3] == "seen"
        await pilot.press("f10")
        burst(app, on_shelf.barcode, on_shelf.barcode)
        await settle(pilot, lambda: screen.lines == 15)
        assert rows(screen)[13][3] == "use 1"
        assert rows(screen)[14][3] == "already counted"  # scanned twice in one go: one use
        assert "Already counted" in status(screen)
        await pilot.press("ctrl+g")
        await settle(pilot, lambda: app.screen.__class__.__name__ == "CartList")
        assert app.screen.total == 1
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
    assert all(Item.get_by_id(b.id).status == "available" for b in books)
    assert InHouseUse.select().count() == 1 and Item.get_by_id(on_shelf.id).status == "shelving cart"


async def test_shelving_screen_sweeps_copies_whose_time_is_up(lib, settings):
    settings.shelving_minutes = 30
    (book,) = lent(lib, lib.patron(), "Dune")
    lending.checkin(lib.clerk, book.barcode, utc_now() - timedelta(hours=1))
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_tool(app, pilot, "shelving")
        await settle(pilot, lambda: "as shelved" in status(screen))
        assert status(screen).startswith("1 copy on the cart longer than 30 minutes now counts as shelved")
    assert Item.get_by_id(book.id).status == "available"


async def test_repair_queue_marks_repaired_and_proposes_withdrawal(lib, settings):
    reader = lib.patron()
    first, second = lent(lib, reader, "Dune", "Walden")
    for b in (first, second):
        lending.checkin(lib.clerk, b.barcode)
        damage.assess_damage(lib.clerk, b.barcode, "moderate", damage.REPAIR)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_tool(app, pilot, "repairs")
        assert isinstance(screen, RepairsScreen)
        await settle(pilot, lambda: screen.loaded >= 1)
        assert [r[0] for r in rows(screen, "#queue")] == [first.barcode, second.barcode]
        await pilot.press("r")
        await answer(app, pilot, "y")
        await settle(pilot, lambda: "Repaired: Dune" in status_of(screen))
        assert [r[0] for r in rows(screen, "#queue")] == [second.barcode]
        await pilot.press("w")
        await answer(app, pilot, "y")
        await settle(pilot, lambda: "Proposed for withdrawal" in status_of(screen))
        assert rows(screen, "#queue")[0][3] == "withdraw?"
        await pilot.press("r")  # repaired after all? it asks, and N leaves the proposal
        await answer(app, pilot, "n")
        await settle(pilot, lambda: "Nothing changed" in status_of(screen))
        assert rows(screen, "#queue")[0][3] == "withdraw?"
        legacy = lib.item(title="Put in repair long ago", status="in repair")  # no assessment recorded
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: len(screen.lines) == 2)
        assert rows(screen, "#queue")[0][0] == legacy.barcode  # undated: first
        screen.query_one("#queue").move_cursor(row=0)
        await pilot.press("w")
        await answer(app, pilot, "y")
        await answer(app, pilot, "m")  # how bad: asked because nothing was recorded
        await settle(pilot, lambda: "Proposed for withdrawal: Put in repair" in status_of(screen))
        await pilot.press("escape")
    assert Item.get_by_id(first.id).status == "shelving cart"
    assert [q.barcode for q in damage.withdrawal_proposals()] == [second.barcode, legacy.barcode]  # by date


def status_of(screen) -> str:
    from textual.widgets import Static
    return str(screen.query_one("#repairs-status", Static).content)


async def test_reading_room_staff_open_the_shelving_screen_in_in_house_use(lib, settings):
    from counter_tui.services.admin import staff
    room = staff.add_staff(None, "room", "Reading Room", "correct horse", ["reading_room"], utc_now())
    paper = lib.item(title="People's Daily, bound")
    app = CounterApp(settings, room)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_tool(app, pilot, "shelving")
        await settle(pilot, lambda: screen.mode == "in-house use")
        burst(app, paper.barcode)
        await settle(pilot, lambda: screen.lines == 1)
        assert rows(screen)[0][3] == "use 1"
        await pilot.press("ctrl+s")  # sweeping the cart is circulation's: said, not listed as a scan
        await settle(pilot, lambda: "Only circulation staff" in status(screen))
        assert screen.lines == 1
    assert InHouseUse.select().count() == 1
