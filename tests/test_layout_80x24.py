"""At 80x24 every back-office screen shows its title, its status line whole (wrapped where a sentence
needs two lines) and the row under the cursor; nothing a clerk must read is cut or under the key bar.

`hidden_text` is the clerk's eye: every line of text on the screen (outside the lists and panes
that scroll by design) whose words need more lines than it has, or that lies off the screen or
under the key bar."""
from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Static

from counter_tui.app import CounterApp
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.screens import posts
from counter_tui.screens.back_office import BackOffice
from counter_tui.services.access import ROLES
from counter_tui.services.admin import staff
from counter_tui.services.circulation import damage, lending
from counter_tui.widgets.decision import Decision
from counter_tui.widgets.key_bar import KeyBar
from tests.conftest import ZONE
from tests.test_desk_screens import settle, status


def hidden_text(screen) -> list[str]:
    """What on `screen` cannot be read whole, each as a short description; [] when all of it can."""
    problems = []
    if screen.scroll_offset.y or screen.virtual_size.height > screen.size.height:
        problems.append(f"the screen is {screen.virtual_size.height} lines high, {screen.size.height} shown")
    bars = list(screen.query(KeyBar))
    floor = bars[0].region.y if bars else screen.region.bottom
    for widget in screen.query(Static):
        if isinstance(widget, KeyBar) or not widget.display or not widget.visible:
            continue
        holders = widget.ancestors[:widget.ancestors.index(screen)]
        if any(holder.is_scrollable or isinstance(holder, DataTable) for holder in holders):
            continue  # inside a list or a pane that scrolls by design
        text = str(widget.render()).strip()
        if not text:
            continue
        region = widget.content_region
        needed = widget.get_content_height(widget.parent.size, screen.size, region.width)
        if needed > region.height:
            problems.append(f"{text[:50]!r} needs {needed} lines, shows {region.height}")
        elif widget.region.y < 0 or widget.region.bottom > floor:
            problems.append(f"{text[:50]!r} is off the screen or under the key bar")
    return problems


def cursor_row_shown(table: DataTable) -> bool:
    """The highlighted row lies inside the table's visible part (not under the key bar)."""
    if table.row_count == 0:
        return True
    bar = table.screen.query_one(KeyBar).region
    top = table.content_region.y + 1 - table.scroll_offset.y  # the header takes one line
    row_y = top + table.cursor_row
    return table.content_region.y < row_y < min(table.content_region.bottom, bar.y)


@pytest.fixture
def busy_library(lib):
    """Overdue loans (notices due), copies in repair, and the person who holds every role."""
    today = local_date(utc_now(), ZONE)
    for n in range(30):
        reader = lib.patron(name=f"Reader number {n:02d} with a long name")
        book = lib.item(title=f"A rather long title of a book, volume {n}")
        lib.loan(book, reader, today - timedelta(days=60 + n), today - timedelta(days=30 + n))
    for n in range(30):
        book = lib.item(title=f"Damaged book {n}")
        damage.assess_damage(lib.clerk, book.barcode, "moderate", damage.REPAIR)
    return staff.add_staff(None, "all", "All Posts", "correct horse", list(ROLES))


def entry(entry_id: str):
    return next(e for post in posts.posts() for e in post.entries if e.id == entry_id)


async def open_entry(app, pilot, entry):
    await pilot.press("f9")
    await settle(pilot, lambda: isinstance(app.screen, BackOffice))
    await pilot.press(entry.key)
    wanted = posts.load(entry.screen)
    await settle(pilot, lambda: isinstance(app.screen, wanted))
    await pilot.pause(0.3)  # its first lines are read on the database thread
    return app.screen


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_back_office_screen_shows_its_text_whole(lib, settings, busy_library, size):
    app = CounterApp(settings, busy_library)
    found = {}
    async with app.run_test(size=size) as pilot:
        for post in posts.posts():
            for entry in post.entries:
                screen = await open_entry(app, pilot, entry)
                await pilot.pause(0.5)
                problems = hidden_text(screen)
                if problems:
                    found[entry.id] = problems
                await pilot.press("f6")
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())


async def test_notices_keep_their_title_and_say_the_highlighted_one_in_full(lib, settings, busy_library, tmp_path,
                                                                           monkeypatch):
    from counter_tui.services.circulation import notices
    monkeypatch.setenv(notices.ENV_NOTICES, str(tmp_path / "notices"))
    app = CounterApp(settings, busy_library)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_entry(app, pilot, entry("notices"))
        table = screen.query_one("#notices", DataTable)
        await settle(pilot, lambda: table.row_count == 30)
        assert "Overdue and hold notices" in str(screen.query_one("#title", Static).render())
        assert screen.query_one("#title").region.y == 0
        table.move_cursor(row=table.row_count - 2)
        await pilot.press("down")  # the last notice
        await settle(pilot, lambda: "volume 29" in str(screen.query_one("#notice-detail", Static).render()))
        detail = str(screen.query_one("#notice-detail", Static).render())
        assert "Reader number 29 with a long name" in detail and "A rather long title of a book, volume 29" in detail
        assert cursor_row_shown(table) and hidden_text(screen) == []
        await pilot.press("p")
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        assert "Print 30 letters for 30 readers (30 notices)" in app.screen.question
        await pilot.press("y")
        await settle(pilot, lambda: "Printed 30 notices" in status(screen), timeout=60)  # 30 letters to draw
        assert hidden_text(screen) == []  # the folder the letters are in, whole


async def test_the_last_copy_in_the_repair_queue_is_not_under_the_key_bar(lib, settings, busy_library):
    app = CounterApp(settings, busy_library)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_entry(app, pilot, entry("repairs"))
        table = screen.query_one("#queue", DataTable)
        await settle(pilot, lambda: table.row_count == 30)
        for _ in range(table.row_count - 1):
            await pilot.press("down")
        assert table.cursor_row == table.row_count - 1
        assert cursor_row_shown(table) and hidden_text(screen) == []
        assert "Damaged book 29" in str(screen.query_one("#repairs-note", Static).render())


async def test_a_write_off_sentence_shows_the_certificate_path_whole(lib, settings, cataloguer, property_documents):
    from counter_tui.screens.property.writeoff import WriteOffScreen
    from counter_tui.widgets.fields_dialog import FieldsDialog
    from tests.test_desk_screens import burst
    pile = [lib.item(title=f"Book {n}", price=1000 + n) for n in range(2)]
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = WriteOffScreen()
        app.push_screen(desk)
        await pilot.pause()
        burst(app, *(book.barcode for book in pile))
        await settle(pilot, lambda: desk.lines == 2)
        await pilot.press("f10")
        await settle(pilot, lambda: isinstance(app.screen, FieldsDialog))
        burst(app, "worn out and torn beyond any repair")
        await settle(pilot, lambda: desk.certificate is not None)
        await pilot.pause(0.2)
        path = desk.certificate.path
        assert str(path) in status(desk).replace("\n", "") and len(str(path)) > 40
        assert hidden_text(desk) == []


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_desk_shows_its_text_whole(lib, settings, busy_library, size):
    app = CounterApp(settings, busy_library)
    found = {}
    async with app.run_test(size=size) as pilot:
        for desk in posts.desks():
            await pilot.press(desk.key)
            wanted = posts.load(desk.screen)
            await settle(pilot, lambda: isinstance(app.screen, wanted))
            await pilot.pause(0.5)
            problems = hidden_text(app.screen)
            if problems:
                found[desk.key] = problems
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())
