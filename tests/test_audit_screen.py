"""The curator's audit trail screen, driven from the keyboard at 80x24."""
from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input, Static

from counter_tui.app import CounterApp
from counter_tui.models import AuditEvent
from counter_tui.screens.admin.audit import AuditScreen, EventDetail
from counter_tui.services.circulation import lending
from counter_tui.services.admin import staff
from tests.conftest import NOW
from tests.test_audit_trail import write_events
from tests.test_desk_screens import settle


@pytest.fixture
def head(lib):
    return staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator"])


def status(screen) -> str:
    return str(screen.query_one("#audit-status", Static).content)


def table_rows(screen) -> list[list[str]]:
    t = screen.query_one("#events", DataTable)
    return [[str(c) for c in t.get_row_at(i)] for i in range(t.row_count)]


async def open_audit(app, pilot, page_size: int = 100) -> AuditScreen:
    screen = AuditScreen(page_size=page_size)
    await app.push_screen(screen)
    await settle(pilot, lambda: screen.loaded >= 1 or "Only" in status(screen))
    return screen


async def test_newest_first_and_enter_shows_the_whole_event(lib, head, settings):
    reader, book = lib.patron(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    app = CounterApp(settings, head)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(app, pilot)
        rows = table_rows(screen)
        assert [r[2] for r in rows] == ["checkout", "staff.add", "staff.add"]
        assert rows[0][:2] == ["2026-11-25 10:00", "clerk"] and rows[0][3].startswith("loan ")
        assert "Page 1: 3 events" in status(screen) and "Nothing older" in status(screen)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, EventDetail))
        after = str(app.screen.query_one("#event-new", Static).content)
        assert f'  "item": "{book.barcode}"' in after and f'"patron": "{reader.card}"' in after
        assert str(app.screen.query_one("#event-old", Static).content) == "(none)"
        assert "by clerk (Desk Clerk)" in str(app.screen.query_one("#event-head", Static).content)
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)


async def test_pgdn_pages_to_older_events_and_pgup_back(lib, head, settings):
    write_events(lib.clerk, 23)  # with the two staff.add events: 25
    newest = AuditEvent.select().order_by(AuditEvent.id.desc()).first().id
    app = CounterApp(settings, head)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(app, pilot, page_size=10)
        assert [line.id for line in screen.lines] == list(range(newest, newest - 10, -1))
        for page, first_id, count in ((2, newest - 10, 10), (3, newest - 20, 5)):
            await pilot.press("pagedown")
            await settle(pilot, lambda: screen.loaded == page)
            assert screen.lines[0].id == first_id and len(table_rows(screen)) == count
            assert f"Page {page}" in status(screen)
        await pilot.press("pagedown")
        await settle(pilot, lambda: "no older events" in status(screen))
        assert screen.loaded == 3
        await pilot.press("pageup")
        await settle(pilot, lambda: screen.loaded == 4)
        assert screen.lines[0].id == newest - 10 and "Page 2" in status(screen)


async def test_filters_from_the_keyboard(lib, head, settings):
    reader, book = lib.patron(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    write_events(None, 3, start=NOW - timedelta(days=3))  # 2026-11-22, local
    app = CounterApp(settings, head)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(app, pilot)
        assert len(table_rows(screen)) == 6
        await pilot.press("ctrl+f")
        assert app.focused is screen.query_one("#f-staff", Input)
        await pilot.press(*"clerk", "enter")
        await settle(pilot, lambda: screen.loaded == 2)
        assert [r[2] for r in table_rows(screen)] == ["checkout", "staff.add"]
        assert "(filtered)" in status(screen)

        # staff, then From and To: the fields in order with Tab
        await pilot.press("ctrl+f", "ctrl+k", "tab", *"2026-11-22", "tab", *"2026-11-22", "enter")
        await settle(pilot, lambda: screen.loaded == 3)
        assert [r[2] for r in table_rows(screen)] == ["test.event"] * 3

        await pilot.press("ctrl+r")  # clear every filter
        await settle(pilot, lambda: screen.loaded == 4)
        assert len(table_rows(screen)) == 6
        assert all(field.value == "" for field in screen.query(Input))


@pytest.mark.parametrize("field, typed, sentence", [
    ("since", "25/11/2026", "Write the from date as YYYY-MM-DD"),
    ("until", "yesterday", "Write the to date as YYYY-MM-DD"),
    ("record_id", "12a", "The record id is a whole number"),
    ("staff", "nobody", "There is no staff account named nobody"),
])
async def test_a_badly_written_filter_is_one_sentence_and_keeps_the_page(lib, head, settings, field, typed, sentence):
    app = CounterApp(settings, head)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(app, pilot)
        shown = table_rows(screen)
        screen.query_one(f"#f-{field}", Input).focus()
        await pilot.press(*typed, "enter")
        await settle(pilot, lambda: sentence in status(screen))
        assert table_rows(screen) == shown and screen.filters == {} and screen.loaded == 1


async def test_only_the_curator_sees_events(lib, settings):
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(app, pilot)
        assert "Only the curator may read the audit trail" in status(screen)
        assert table_rows(screen) == []


async def test_it_fits_80x24(lib, head, settings):
    write_events(lib.clerk, 40)
    app = CounterApp(settings, head)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(app, pilot)
        for field in screen.query(Input):
            region = field.region
            assert region.width >= 10 and region.right <= 80 and region.bottom <= 24, field.id
        table = screen.query_one("#events", DataTable)
        assert table.region.height >= 15 and table.virtual_size.width <= table.region.width
        assert screen.query_one("#audit-status", Static).region.bottom <= table.region.y
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, AuditScreen))
