"""A day at the desk without friction (issue 11): the panel at the loan limit, counts said
right, the lock saying why, the catalogue's refusals, claims returned asking who and when,
the fine explanation with its payments, due dates cut back to the card's expiry, and
in-house use counted once per use."""
from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import Static

from counter_tui.app import CounterApp
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.models import Loan
from tests.conftest import ZONE
from tests.test_desk_screens import burst, rows, settle, status


def panel(screen) -> str:
    return str(screen.query_one("#patron", Static).content)


def today() -> date:
    return local_date(utc_now(), ZONE)


# -- the reader panel at the loan limit --------------------------------------------------------

async def test_panel_says_the_reader_may_borrow_no_more_at_the_loan_limit(lib, settings):
    reader = lib.patron(name="Li Lei")  # a student: 5 books
    for n in range(4):
        lib.loan(lib.item(title=f"Out {n}"), reader, today() - timedelta(days=3), today() + timedelta(days=20))
    fifth, sixth = lib.item(title="Fifth"), lib.item(title="Sixth")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        burst(app, reader.card)
        await settle(pilot, lambda: screen.patron is not None)
        assert "Loans 4/5" in panel(screen) and "May borrow" in panel(screen)
        assert "no more" not in panel(screen)
        burst(app, fifth.barcode, sixth.barcode)
        await settle(pilot, lambda: screen.lines == 2)
        text = panel(screen)
        assert "Loans 5/5" in text
        assert "May borrow no more: 5 books out, the limit for the Student category" in text
        assert "already has 5 books out" in rows(screen)[1][1]
        burst(app, reader.card)  # the same reader again (at the limit when the card is read)
        await settle(pilot, lambda: "may borrow no more" in status(screen))
        assert "Li Lei may borrow no more: 5 books out, the limit for the Student category." in status(screen)
    assert Loan.select().where(Loan.patron == reader.id, Loan.returned_at.is_null()).count() == 5


# -- the lock says why ------------------------------------------------------------------------

async def test_a_desk_locked_by_hand_does_not_claim_it_was_idle(lib, settings):
    from counter_tui.screens.lock import LockScreen
    settings.idle_lock_minutes = 10
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot, lambda: isinstance(app.screen, LockScreen))
        said = str(app.screen.query_one(Static).content)
        assert "Desk locked[/] by hand." in said and "idle" not in said


async def test_an_idle_desk_says_how_long_it_waited(lib, settings):
    from counter_tui.screens.lock import LockScreen
    settings.idle_lock_minutes = 0.01
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LockScreen))
        said = str(app.screen.query_one(Static).content)
        assert "Desk locked[/] after 0.01 idle minutes." in said and "by hand" not in said
