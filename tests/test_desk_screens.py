"""The desk driven as a clerk drives it: keys in, screen and database out."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from textual import events
from textual.widgets import DataTable, Static

from counter_tui.app import CounterApp
from counter_tui.domain.calendar import local_date
from counter_tui.models import Fee, Item, Loan
from counter_tui.screens.circulation.checkout import CheckoutScreen
from counter_tui.screens.help import HelpScreen
from counter_tui.widgets.decision import Decision
from counter_tui.widgets.patron_picker import PatronPicker
from tests.conftest import ZONE


def burst(app, *scans: str, terminator: str = "enter") -> None:
    """Type scans as a fast scanner does: every key queued at once, no waiting between."""
    for scan in scans:
        for ch in scan:
            key = events.Key(ch, ch)
            key.set_sender(app)
            app._driver.send_message(key)
        end = events.Key(terminator, "\r" if terminator == "enter" else "\n")
        end.set_sender(app)
        app._driver.send_message(end)


async def settle(pilot, until, timeout: float = 10.0) -> None:
    """Wait until the desk has done what it was given (the database runs on its own thread)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not until():
        assert loop.time() < deadline, "the desk did not finish in time"
        await pilot.pause(0.02)
    await pilot.pause()


def status(screen) -> str:
    return str(screen.query_one("#status", Static).content)


def rows(screen, table="#lines") -> list[list[str]]:
    t = screen.query_one(table, DataTable)
    return [[str(c) for c in t.get_row_at(i)] for i in range(t.row_count)]


async def test_lend_three_books_by_scanning(lib, settings):
    reader = lib.patron(name="Li Lei")
    books = [lib.item(title=t) for t in ("Dream of the Red Chamber", "Fortress Besieged", "Dune")]
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, CheckoutScreen)
        await pilot.press(*reader.card, "enter")  # typed key by key, like a careful clerk
        await settle(pilot, lambda: screen.patron is not None)
        assert "Li Lei" in str(screen.query_one("#patron", Static).content)
        burst(app, *(b.barcode for b in books))
        await settle(pilot, lambda: screen.lines == 3)
        lines = rows(screen)
        assert [line[0] for line in lines] == [b.barcode for b in books]
        assert lines[2][1] == "Dune" and lines[2][2] == "I242.47/1"
        due = lines[0][3]
        assert due == (local_date(Loan.select().first().due_at, ZONE)).isoformat()
        assert "Loans 3/5" in str(screen.query_one("#patron", Static).content)
    assert Loan.select().where(Loan.patron == reader.id, Loan.returned_at.is_null()).count() == 3


async def test_scanning_another_card_switches_reader(lib, settings):
    first, second = lib.patron(name="Li Lei"), lib.patron(name="Han Meimei")
    book = lib.item()
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        burst(app, first.card, book.barcode, second.card)
        await settle(pilot, lambda: screen.patron is not None and screen.patron.name == "Han Meimei")
        assert screen.lines == 0  # the new reader starts with an empty list
        assert "Han Meimei" in str(screen.query_one("#patron", Static).content)
    assert Loan.get(Loan.item == book.id).patron_id == first.id


async def test_refusal_shows_its_sentence_and_changes_nothing(lib, settings):
    reader, book = lib.patron(), lib.item(status="lost")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        burst(app, reader.card, book.barcode, "31234000000017")
        await settle(pilot, lambda: screen.lines == 2)
        lines = rows(screen)
        assert "is marked lost" in lines[0][1]
        assert "check digit" in lines[1][1] and "check digit" in status(screen)
    assert Loan.select().count() == 0 and Item.get_by_id(book.id).status == "lost"


async def test_return_a_late_book_and_see_the_fine(lib, settings):
    reader, book = lib.patron(name="Li Lei"), lib.item(title="Fortress Besieged")
    lib.rule(fine_amount=10, grace_days=0, fines_skip_closed=False, fine_cap=None)
    today = local_date(__import__("counter_tui.domain.calendar", fromlist=["utc_now"]).utc_now(), ZONE)
    lib.loan(book, reader, today - timedelta(days=40), today - timedelta(days=12))
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        screen = app.screen
        assert screen.TITLE == "Check in"
        burst(app, book.barcode)
        await settle(pilot, lambda: screen.lines == 1)
        line = rows(screen)[0]
        assert line[2] == "Li Lei" and line[3] == "12d" and line[4] == "¥1.20"
        assert "fine ¥1.20 charged" in status(screen)
    assert Fee.get(Fee.patron == reader.id).amount == 120


async def test_renew_by_scanning(lib, settings):
    reader, book = lib.patron(), lib.item()
    from counter_tui.domain.calendar import utc_now
    today = local_date(utc_now(), ZONE)
    lib.loan(book, reader, today - timedelta(days=20), today + timedelta(days=2))
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        screen = app.screen
        burst(app, book.barcode, book.barcode)
        await settle(pilot, lambda: screen.lines == 2)
        lines = rows(screen)
        assert lines[0][4] > lines[0][3]  # the due date moved later
        assert "would not extend it" in lines[1][1]  # a second renewal the same day gains nothing
    assert Loan.get(Loan.item == book.id).renewals == 1


async def test_copy_on_another_account_asks_one_key_and_scans_behind_wait(lib, settings):
    first, second = lib.patron(name="Li Lei"), lib.patron(name="Han Meimei")
    held, other = lib.item(title="Held"), lib.item(title="Next in pile")
    from counter_tui.services.circulation import lending
    lending.checkout(lib.clerk, first.id, held.barcode)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        burst(app, second.card, held.barcode, other.barcode)  # the next scan arrives during the question
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        assert "still on loan to Li Lei" in app.screen.question
        assert screen.lines == 0  # the scan behind waits
        await pilot.press("y")
        await settle(pilot, lambda: screen.lines == 2)
        assert [r[1] for r in rows(screen)] == ["Held", "Next in pile"]
    assert Loan.get(Loan.item == held.id, Loan.returned_at.is_null()).patron_id == second.id


async def test_type_part_of_a_name_and_pick_the_reader(lib, settings):
    lib.patron(name="Wang Fang")
    wei = lib.patron(name="Wang Wei")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press(*"wang", "enter")
        await settle(pilot, lambda: isinstance(app.screen, PatronPicker))
        await pilot.press("down", "enter")
        await settle(pilot, lambda: screen.patron is not None)
        assert screen.patron.id == wei.id


async def test_the_reader_picker_is_painted_and_scans_behind_it_wait_their_turn(lib, settings):
    lib.patron(name="Lucas Brown")
    green = lib.patron(name="Lucas Green")
    books = [lib.item(title=t) for t in ("Dune", "Walden")]
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        burst(app, "Lucas")
        await settle(pilot, lambda: isinstance(app.screen, PatronPicker))
        picker = app.screen
        assert app._batch_count == 0  # the desk's held repaint is over: the list is on the screen
        assert "Readers matching Lucas" in str(picker.query_one(Static).content)
        burst(app, *(b.barcode for b in books))  # the scanner goes on: no Enter of it picks a reader
        await pilot.pause(0.2)
        assert app.screen is picker and screen.patron is None and screen.queue.qsize() == 2
        await pilot.press("down", "enter")  # the clerk picks the second match
        await settle(pilot, lambda: screen.lines == 2)
        assert screen.patron.id == green.id
        assert [line[0] for line in rows(screen)] == [b.barcode for b in books]  # both lent, in order
    assert Loan.select().where(Loan.patron == green.id).count() == 2


async def test_help_lists_the_keys(lib, settings):
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        described = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"Check out", "Check in", "Renew", "Readers", "Next reader"} <= described
        assert "Scan the reader's card, then each book" in str(app.screen.query(Static).first().render())
        await pilot.press("escape")
        await pilot.press("f7")
        await pilot.press("question_mark")  # '?' on an empty scan line is help too
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        heading = str(app.screen.query(Static).first().render())  # what a scan does on this screen
        assert "Keys on Holds" in heading and "scan a book or type title words" in heading


async def test_reader_account_shows_loans_and_fees_and_renews(lib, settings):
    reader = lib.patron(name="Li Lei")
    late, fine_book = lib.item(title="Late book"), lib.item()
    from counter_tui.domain.calendar import utc_now
    today = local_date(utc_now(), ZONE)
    lib.rule(renew_overdue_days=5)
    lib.loan(late, reader, today - timedelta(days=30), today - timedelta(days=1))
    Fee.create(patron=reader, kind="overdue", amount=300, at=utc_now(), note="old fine")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, reader.card)
        screen = app.screen
        await settle(pilot, lambda: screen.patron is not None)
        await pilot.press("f5")
        account = app.screen
        assert account.TITLE == "Readers"
        await settle(pilot, lambda: account.account is not None)
        assert rows(account, "#loans")[0][1] == "Late book" and rows(account, "#loans")[0][3] == "1d"
        assert ["Balance", "¥3.00"] == rows(account, "#fees")[-1][1:3]
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: "Renewed" in status(account))
    assert Loan.get(Loan.item == late.id).renewals == 1


async def test_sign_in_refuses_a_wrong_password(lib, settings):
    app = CounterApp(settings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"clerk", "enter", *"wrong", "enter")
        await settle(pilot, lambda: "Wrong" in str(app.screen.query_one("#login-status", Static).content))
        await pilot.press("f2")  # nothing opens before signing in
        assert app.actor is None
        await pilot.press(*"correct horse", "enter")
        await settle(pilot, lambda: isinstance(app.screen, CheckoutScreen))
        assert app.actor.username == "clerk"


async def test_sign_in_typed_ahead_in_one_burst(lib, settings):
    app = CounterApp(settings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, "clerk", "correct horse")  # username and password in one read, as over ssh
        await settle(pilot, lambda: isinstance(app.screen, CheckoutScreen))
        assert app.actor.username == "clerk"


async def test_every_refusal_of_a_burst_can_be_read_whole_with_up_and_down(lib, settings):
    reader = lib.patron(name="Li Lei")
    book = lib.item(title="Dune")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        burst(app, reader.card, "31234000099990", book.barcode, "nonsense!")
        await settle(pilot, lambda: screen.lines == 3)
        first_refusal = status(screen)
        await pilot.press("up")  # the scan line keeps the focus; the cursor walks the lines
        assert "Dune" in status(screen)
        await pilot.press("up")
        sentence = status(screen)
        assert sentence.startswith("31234000099990: ") and len(sentence) > 40  # whole, not cut to the column
        assert sentence != first_refusal and "nonsense!" in first_refusal
        assert screen.query_one("#lines", DataTable).cursor_row == 0
        await pilot.press("down", "down", "down")
        assert screen.query_one("#lines", DataTable).cursor_row == 2
