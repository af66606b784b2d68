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


# -- the catalogue: a wrong check digit, and a search that finds nothing -------------------------

def test_an_isbn_with_a_wrong_check_digit_gets_the_check_digit_sentence(lib):
    import pytest

    from counter_tui.models import Biblio
    from counter_tui.services.catalogue import titles
    from counter_tui.services.errors import Refusal
    from tests.conftest import NOW
    Biblio.create(title="红楼梦", author="曹雪芹", isbn="9787020002207", created_at=NOW)
    for typed, code in (("9787020002209", "9787020002209"), ("978-7-02-000220-9", "9787020002209"),
                        ("7020002207", "7020002207"), ("isbn: 9787020002201", "9787020002201")):
        with pytest.raises(Refusal, match=f"The check digit of ISBN {code} is wrong"):
            titles.search_page(lib.clerk, typed)
    assert [r.title for r in titles.search_page(lib.clerk, "9787020002207").rows] == ["红楼梦"]
    assert [r.title for r in titles.search_page(lib.clerk, "702000220X").rows] == ["红楼梦"]


async def test_catalogue_scans_a_wrong_check_digit_and_a_search_with_no_match_empties_the_list(lib, settings):
    from counter_tui.models import Biblio
    from tests.conftest import NOW
    for n in range(3):
        Biblio.create(title=f"红楼梦 第{n + 1}卷", author="曹雪芹", created_at=NOW)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        screen = app.screen
        await settle(pilot, lambda: screen.page is not None)
        burst(app, "红楼梦")
        await settle(pilot, lambda: "3 titles for" in status(screen))
        assert len(rows(screen, "#results")) == 3
        burst(app, "9787020002209")  # a cover barcode misread: its last digit is wrong
        await settle(pilot, lambda: "check digit" in status(screen))
        assert "The check digit of ISBN 9787020002209 is wrong" in status(screen)
        assert "no title" not in status(screen).lower()
        burst(app, "水浒传")
        await settle(pilot, lambda: "No title in the catalogue matches" in status(screen))
        assert rows(screen, "#results") == []  # the 红楼梦 volumes are not what this search found
        assert "No titles." in str(screen.query_one("#page-info", Static).content)


async def test_readers_search_with_no_match_empties_the_list(lib, settings):
    for n in range(3):
        lib.patron(name=f"Wang {n}")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        screen = app.screen
        await settle(pilot, lambda: screen.page is not None)
        burst(app, "wang")
        await settle(pilot, lambda: "3 readers match" in status(screen))
        burst(app, "zhao")
        await settle(pilot, lambda: "No reader's name, card or identity number matches" in status(screen))
        assert rows(screen, "#results") == []
