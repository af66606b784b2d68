"""The roster import screen, driven as a clerk drives it: path, Enter, read the report, one key."""
from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Input, ProgressBar, Static

from counter_tui.app import CounterApp
from counter_tui.models import CardEvent, Patron
from counter_tui.screens.readers.roster_import import RosterImportScreen
from counter_tui.services.admin import staff
from tests.conftest import NOW


async def settle(pilot, until, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not until():
        assert loop.time() < deadline, "the screen did not finish in time"
        await pilot.pause(0.02)
    await pilot.pause()


def summary(screen) -> str:
    return str(screen.query_one("#summary", Static).content)


def bad_rows(screen) -> list[list[str]]:
    table = screen.query_one("#bad", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_screen(app, pilot) -> RosterImportScreen:
    await pilot.pause()
    screen = RosterImportScreen()
    await app.push_screen(screen)
    await pilot.pause()
    return screen


ROSTER = ("姓名,学号,班级,类别,邮箱\n"
          "李雷,2024001,初一(1)班,学生,lilei@example.edu.cn\n"
          "韩梅梅,2024002,初一(1)班,学生,\n"
          ",2024003,初一(2)班,学生,\n"
          "张伟,2024004,初一(2)班,学生,zhang@\n")


async def test_dry_run_then_import_the_good_rows(tmp_path, clerk, settings):
    office = staff.add_staff(None, "office", "Office Clerk", "office password", ["office"], NOW)
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER.encode("gb18030"))
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        screen.query_one("#path", Input).value = str(path)  # pilot.press is slow per key: type the path at once
        await pilot.press("enter")
        await settle(pilot, lambda: screen.plan is not None)
        assert "4 rows: 2 new, 0 updated, 0 unchanged, 2 bad" in summary(screen)
        assert bad_rows(screen) == [["4", "", "2024003", "no name"],
                                    ["5", "张伟", "2024004", 'email "zhang@" is not an email address']]
        await pilot.press("ctrl+s")  # all or nothing: refused, with the way out
        await pilot.pause()
        assert "nothing would be imported" in summary(screen) and "Ctrl+G" in summary(screen)
        assert Patron.select().count() == 0
        await pilot.press("ctrl+g")
        await settle(pilot, lambda: "Imported" in summary(screen))
        assert "Imported 2 new readers, 0 updated, 0 unchanged, 2 bad rows left out; cards " in summary(screen)
        bar = screen.query_one(ProgressBar)
        assert bar.total == 2 and bar.progress == 2
        assert screen.plan is None  # a second key press imports nothing twice
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RosterImportScreen)
    assert sorted(p.name for p in Patron.select()) == ["李雷", "韩梅梅"]
    assert CardEvent.select().count() == 2


async def test_a_clean_file_imports_with_one_key(tmp_path, clerk, settings):
    curator = staff.add_staff(None, "head", "Head", "a password!", ["curator"], NOW)
    path = tmp_path / "teachers.csv"
    path.write_text("Name,Staff ID,Department\nJim Green,T01,Physics\nAnn Lee,T02,History\n", encoding="utf-8-sig")
    app = CounterApp(settings, curator)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        screen.query_one("#path", Input).value = f"'{path}'"  # pasted with quotes, as a dragged file is
        await pilot.press("tab", *"teacher", "enter")
        await settle(pilot, lambda: screen.plan is not None)
        assert "2 rows: 2 new" in summary(screen) and "Ctrl+S imports them" in summary(screen)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "Imported" in summary(screen))
    assert {p.category.code for p in Patron.select()} == {"teacher"}


async def test_a_refused_file_is_a_sentence_and_other_roles_see_no_import_keys(tmp_path, clerk, settings):
    office = staff.add_staff(None, "office", "Office Clerk", "office password", ["office"], NOW)
    path = tmp_path / "roster.csv"
    path.write_text("name,id,category\nLi Lei,S1,student\n", encoding="utf-8")
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        screen.query_one("#path", Input).value = str(tmp_path / "missing.csv")
        await pilot.press("enter")
        await settle(pilot, lambda: "There is no file at" in summary(screen))
    app = CounterApp(settings, clerk)  # circulation staff: may neither check a roster nor import it
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        assert "Checking and importing a roster takes office staff or the curator." in summary(screen)
        screen.query_one("#path", Input).value = str(path)
        await pilot.press("enter")  # the dry run reads the library's readers: the service refuses it
        await settle(pilot, lambda: "Only office staff or the curator may check or import reader rosters"
                     in summary(screen))
        assert screen.plan is None and not screen.busy
        await pilot.press("ctrl+s", "ctrl+g")  # not this role's keys: nothing happens
        await pilot.pause(0.2)
        assert not screen.busy and screen.plan is None
        assert screen.check_action("import_all", ()) is False  # hidden from the footer too
    assert Patron.select().count() == 0


async def test_the_dry_run_lists_names_that_change_before_and_after(tmp_path, clerk, settings, lib):
    office = staff.add_staff(None, "office", "Office Clerk", "office password", ["office"], NOW)
    lib.patron(name="冯小", id_number="2024001")
    path = tmp_path / "roster.csv"
    path.write_text("姓名,学号,类别\n鍐皬,2024001,学生\n韩梅梅,2024002,学生\n", encoding="utf-8")
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        screen.query_one("#path", Input).value = str(path)
        await pilot.press("enter")
        await settle(pilot, lambda: screen.plan is not None)
        assert "2 rows: 1 new, 1 updated" in summary(screen)
        assert "1 known reader would get a new name, listed: check them." in summary(screen)
        assert bad_rows(screen) == [["2", "鍐皬", "2024001", "renames 冯小 -> 鍐皬"]]
    assert Patron.get(Patron.id_number == "2024001").name == "冯小"
