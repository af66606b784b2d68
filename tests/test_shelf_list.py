"""The shelf list: copies in call-number order from a typed call number, paged both ways."""
from __future__ import annotations

import random

import pytest
from textual.widgets import DataTable, Static

from counter_tui.app import CounterApp
from counter_tui.domain.callnumbers import clc_sort_key
from counter_tui.screens.back_office import BackOffice
from counter_tui.screens.catalogue.shelf_list import ShelfListScreen
from counter_tui.services.catalogue import shelf_list
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied
from tests.conftest import NOW
from tests.test_call_numbers import CLC_SHELF
from tests.test_desk_screens import settle


def stock(lib):
    """The standard CLC vector on the shelves, entered in a shuffled order, plus two that are not."""
    numbers = CLC_SHELF[:]
    random.Random(3).shuffle(numbers)
    copies = {n: lib.item(title=f"Book {n}", call_number=n, call_sort=clc_sort_key(n)) for n in numbers}
    lib.item(title="Gone", call_number="A1/1", call_sort=clc_sort_key("A1/1"), status="withdrawn")
    lib.item(title="Unclassified", call_number="", call_sort="")
    return copies


def test_pages_follow_the_shelf_order_both_ways(lib):
    copies = stock(lib)
    first = shelf_list.browse(lib.clerk, "", limit=10)
    assert [r.call_number for r in first.rows] == CLC_SHELF[:10]
    assert (first.more_before, first.more_after) == (False, True)
    second = shelf_list.browse(lib.clerk, after=first.rows[-1].place, limit=10)
    third = shelf_list.browse(lib.clerk, after=second.rows[-1].place, limit=10)
    assert [r.call_number for r in first.rows + second.rows + third.rows] == CLC_SHELF
    assert (third.more_before, third.more_after) == (True, False)
    back = shelf_list.browse(lib.clerk, before=third.rows[0].place, limit=10)
    assert back.rows == second.rows and back.more_before
    row = first.rows[0]
    assert (row.title, row.barcode, row.status) == ("Book A81/1", copies["A81/1"].barcode, "available")


def test_start_at_a_typed_call_number_or_a_scanned_copy(lib):
    copies = stock(lib)
    # TP311 is not on the shelf: the list starts where it would stand, before TP311/1
    assert [r.call_number for r in shelf_list.browse(lib.clerk, "tp311", limit=3).rows] == [
        "TP311/1", "TP311.1/1", "TP311.13/5"]
    assert shelf_list.browse(lib.clerk, "I247.5/100", limit=1).rows[0].call_number == "I247.5/123"
    assert shelf_list.browse(lib.clerk, copies["O13/2"].barcode, limit=1).rows[0].call_number == "O13/2"
    # past the last shelf: the last page
    last = shelf_list.browse(lib.clerk, "ZZ9", limit=2)
    assert [r.call_number for r in last.rows] == ["TQ/1", "Z228/3"] and not last.more_after


def test_copies_sharing_a_call_number_are_each_listed_once(lib):
    for _ in range(5):
        lib.item(call_number="I247.5/28", call_sort=clc_sort_key("I247.5/28"))
    seen, page = [], shelf_list.browse(lib.clerk, "", limit=2)
    while True:
        seen += [r.item_id for r in page.rows]
        if not page.more_after:
            break
        page = shelf_list.browse(lib.clerk, after=page.rows[-1].place, limit=2)
    assert len(seen) == len(set(seen)) == 5


def test_signed_out_may_not_browse(lib):
    with pytest.raises(PermissionDenied):
        shelf_list.browse(None, "")


def status(screen) -> str:
    return str(screen.query_one("#shelf-status", Static).content)


def table_rows(screen) -> list[list[str]]:
    t = screen.query_one("#shelf", DataTable)
    return [[str(c) for c in t.get_row_at(i)] for i in range(t.row_count)]


async def test_browse_from_the_keyboard_at_80x24(lib, settings):
    stock(lib)
    reading = staff.add_staff(None, "room", "Reading Room", "correct horse", ["reading_room"], NOW)
    app = CounterApp(settings, reading)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot, lambda: isinstance(app.screen, BackOffice))
        # every role sees it, the reading room too; one key opens it
        await pilot.press("h")
        await settle(pilot, lambda: isinstance(app.screen, ShelfListScreen))
        screen = app.screen
        screen.page_size = 8
        await settle(pilot, lambda: screen.loaded >= 1)
        await pilot.press(*"i247.5", "enter")
        await settle(pilot, lambda: table_rows(screen) and table_rows(screen)[0][0] == "I247.5/28")
        assert [r[0] for r in table_rows(screen)] == CLC_SHELF[2:10]
        assert table_rows(screen)[0][1:] == ["Book I247.5/28", screen.page.rows[0].barcode, "available"]
        assert "PgUp before" in status(screen) and "PgDn next" in status(screen)
        await pilot.press("pagedown")
        await settle(pilot, lambda: table_rows(screen)[0][0] == CLC_SHELF[10])
        await pilot.press("pageup", "pageup")
        await settle(pilot, lambda: table_rows(screen)[0][0] == CLC_SHELF[0])
        await pilot.press("pageup")
        await settle(pilot, lambda: "first shelf" in status(screen))
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, ShelfListScreen))
