"""A key that commits something asks first, with one key, naming what it commits: the repair queue's R
names the copy; the notices screen's P and S name how many letters go to how many readers."""
from __future__ import annotations

from counter_tui.app import CounterApp
from counter_tui.models import Item, Notice
from counter_tui.screens.circulation.notices import NoticesScreen
from counter_tui.screens.circulation.repairs import RepairsScreen
from counter_tui.services.circulation import damage, lending
from counter_tui.widgets.decision import Decision
from tests.test_care_screens import lent, open_tool, status_of
from tests.test_desk_screens import rows, settle, status
from tests.test_notices import folder, overdue_by  # noqa: F401 (folder is a fixture)


async def question(app, pilot) -> Decision:
    await settle(pilot, lambda: isinstance(app.screen, Decision))
    return app.screen


async def test_r_in_the_repair_queue_asks_naming_the_copy(lib, settings):
    reader = lib.patron()
    first, second = lent(lib, reader, "Dune", "Walden")
    for book in (first, second):
        lending.checkin(lib.clerk, book.barcode)
        damage.assess_damage(lib.clerk, book.barcode, "moderate", damage.REPAIR)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_tool(app, pilot, "repairs")
        assert isinstance(screen, RepairsScreen)
        await settle(pilot, lambda: screen.loaded >= 1)
        await pilot.press("down", "r")  # the second copy
        asked = await question(app, pilot)
        assert "Walden" in asked.question and second.barcode in asked.question and "Dune" not in asked.question
        await pilot.press("n")
        await settle(pilot, lambda: "Nothing changed" in status_of(screen))
        assert [r[0] for r in rows(screen, "#queue")] == [first.barcode, second.barcode]
        assert Item.get_by_id(second.id).status == "in repair"
        await pilot.press("r")
        await question(app, pilot)
        await pilot.press("y")
        await settle(pilot, lambda: "Repaired: Walden" in status_of(screen))
        assert [r[0] for r in rows(screen, "#queue")] == [first.barcode]
    assert Item.get_by_id(second.id).status == "shelving cart" and Item.get_by_id(first.id).status == "in repair"


async def test_p_and_s_on_the_notices_screen_ask_how_many_letters_for_how_many_readers(lib, settings, folder):
    li = lib.patron(name="Li Lei")
    overdue_by(lib, li, 9, "Dune")
    overdue_by(lib, li, 9, "Walden")
    overdue_by(lib, lib.patron(name="Wang Fang"), 9, "Emma")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_tool(app, pilot, "notices")
        assert isinstance(screen, NoticesScreen)
        await settle(pilot, lambda: len(rows(screen, "#notices")) == 3)
        await pilot.press("p")
        asked = await question(app, pilot)
        assert "Print 2 letters for 2 readers (3 notices)" in asked.question
        await pilot.press("n")
        await settle(pilot, lambda: "Nothing was printed" in status(screen))
        await pilot.press("s")
        asked = await question(app, pilot)
        assert "one sheet of 2 letters for 2 readers (3 notices)" in asked.question
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, Decision) and "Nothing was printed" in status(screen))
        assert Notice.select().count() == 0 and not (folder.exists() and any(folder.iterdir()))
        assert len(rows(screen, "#notices")) == 3
        await pilot.press("s")
        await question(app, pilot)
        await pilot.press("y")
        await settle(pilot, lambda: "Printed" in status(screen))
        assert rows(screen, "#notices") == []
    assert Notice.select().count() == 3 and len(list(folder.iterdir())) == 1
