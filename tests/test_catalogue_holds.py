"""A hold placed from the catalogue: F6, open the title, Ctrl+R, scan the reader's card."""
from __future__ import annotations

from datetime import date

from textual import events

from counter_tui.app import CounterApp
from counter_tui.models import Hold
from counter_tui.screens.catalogue.catalogue_desk import CatalogueScreen
from counter_tui.screens.circulation.holds import HoldsScreen
from counter_tui.widgets.decision import Decision
from tests.test_desk_screens import burst, settle, status


async def test_place_a_hold_from_a_titles_record(lib, settings):
    book = lib.item(title="Fortress Besieged")
    lib.loan(book, lib.patron(name="Wang Fang"), date(2026, 11, 20), date(2026, 12, 18))
    reader = lib.patron(name="Li Lei")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        screen = app.screen
        assert isinstance(screen, CatalogueScreen)
        await settle(pilot, lambda: screen.page is not None)
        burst(app, "Fortress Besieged")
        await settle(pilot, lambda: screen.page is not None and len(screen.page.rows) == 1)
        await pilot.press("down", "enter")
        await settle(pilot, lambda: screen.showing_record)
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: isinstance(app.screen, HoldsScreen))
        holds = app.screen
        burst(app, reader.card)
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        await pilot.press("y")
        await settle(pilot, lambda: Hold.select().count() == 1)
        await settle(pilot, lambda: "Li Lei" in status(holds))
    hold = Hold.get()
    assert (hold.patron_id, hold.biblio_id, hold.status, hold.item_id) == (reader.id, book.biblio_id, "waiting", None)


async def test_down_and_enter_in_one_burst_open_the_title(lib, settings):
    """Down then Enter typed at once: the Enter reaches the search line before the focus moves."""
    book = lib.item(title="红楼梦")
    lib.item(title="Dune")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        screen = app.screen
        await settle(pilot, lambda: screen.page is not None)
        burst(app, "楼梦")
        await settle(pilot, lambda: screen.page is not None and len(screen.page.rows) == 1)
        for key, character in (("down", None), ("enter", "\r")):  # queued together, no wait between
            event = events.Key(key, character)
            event.set_sender(app)
            app._driver.send_message(event)
        await settle(pilot, lambda: screen.showing_record)
        assert screen.record.id == book.biblio_id
