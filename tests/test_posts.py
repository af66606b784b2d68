"""Each post declares itself: its desks, its F9 entries and its commands, with no central list."""
from __future__ import annotations

import sys
import textwrap

import pytest
from textual.widgets import OptionList

from counter_tui import cli, commands, screens
from counter_tui.app import CounterApp
from counter_tui.screens import posts
from counter_tui.screens.back_office import BackOffice
from counter_tui.screens.catalogue.catalogue_desk import CatalogueScreen
from counter_tui.screens.catalogue.shelf_list import ShelfListScreen
from counter_tui.screens.circulation.checkout import CheckoutScreen
from counter_tui.screens.circulation.repairs import RepairsScreen
from counter_tui.services import access
from counter_tui.services.admin import staff
from tests.test_desk_screens import burst, settle

EVERY_ROLE = list(access.ROLES)


@pytest.fixture
def everyone(lib):
    return staff.add_staff(None, "all", "All Posts", "correct horse", EVERY_ROLE)


def menu_ids(app) -> list[str]:
    return [o.id for menu in app.screen.query(OptionList) for o in menu.options if o.id]


async def test_f2_over_a_back_office_screen_goes_back_to_the_desk_and_the_app_lives(lib, settings):
    reader = lib.patron(name="Lucas Brown")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        desk = app.screen
        burst(app, reader.card)
        await settle(pilot, lambda: desk.patron is not None)
        await pilot.press("f9", "r")  # the repair queue, over the check-out desk
        await settle(pilot, lambda: isinstance(app.screen, RepairsScreen))
        await pilot.press("f2")  # it used to crash the app: the repair queue has no next reader
        await settle(pilot, lambda: app.screen is desk)
        assert desk.patron is not None  # back to the same reader, not a cleared desk
        await pilot.press("f2")  # on the desk itself: the next reader
        await settle(pilot, lambda: desk.patron is None)
        assert app.is_running


async def test_the_desk_key_of_the_desk_underneath_brings_it_back(lib, settings):
    cataloguer = staff.add_staff(None, "cat", "Cataloguer", "correct horse", ["cataloging"])
    app = CounterApp(settings, cataloguer)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, CatalogueScreen))  # a cataloguer's home desk
        await pilot.press("f9", "h")
        await settle(pilot, lambda: isinstance(app.screen, ShelfListScreen))
        await pilot.press("f6")  # did nothing before
        await settle(pilot, lambda: isinstance(app.screen, CatalogueScreen))


async def test_the_menu_groups_entries_by_post_and_shows_only_what_the_roles_allow(lib, settings, everyone):
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot, lambda: isinstance(app.screen, BackOffice))
        clerk_sees = menu_ids(app)
        headings = [str(o.prompt) for menu in app.screen.query(OptionList) for o in menu.options if o.disabled]
    assert "notices" in clerk_sees and "staff" not in clerk_sees and "register" not in clerk_sees
    assert headings[0] == "Circulation" and "Administration" not in headings

    app = CounterApp(settings, everyone)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot, lambda: isinstance(app.screen, BackOffice))
        every_entry = [e.id for p in posts.posts() for e in p.entries]
        assert sorted(menu_ids(app)) == sorted(every_entry)
        # at 80x24 every entry is on screen at once: nothing below the fold
        for menu in app.screen.query(OptionList):
            assert menu.region.bottom <= 24 and menu.virtual_size.height <= menu.size.height
            assert menu.region.width >= 38  # the labels are not cut


async def test_every_entry_opens_with_its_one_key_for_the_person_holding_every_role(lib, settings, everyone):
    app = CounterApp(settings, everyone)
    async with app.run_test(size=(80, 24)) as pilot:
        for post in posts.posts():
            for entry in post.entries:
                await pilot.press("f9")
                await settle(pilot, lambda: isinstance(app.screen, BackOffice))
                await pilot.press(entry.key)
                wanted = posts.load(entry.screen)
                await settle(pilot, lambda: isinstance(app.screen, wanted))
                await pilot.press("f6")  # back to a desk for the next one
                await settle(pilot, lambda: isinstance(app.screen, CatalogueScreen))


async def test_every_desk_opens_for_the_person_holding_every_role(lib, settings, everyone):
    app = CounterApp(settings, everyone)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, CheckoutScreen))  # circulation's home desk first
        for desk in posts.desks():
            await pilot.press(desk.key)
            wanted = posts.load(desk.screen)
            await settle(pilot, lambda: isinstance(app.screen, wanted))


@pytest.fixture
def new_post(tmp_path, monkeypatch):
    """A post that exists only in a folder of its own, as a new post's packages would."""
    for layer in ("screens", "commands"):
        (tmp_path / layer / "zz_post").mkdir(parents=True)
    (tmp_path / "screens" / "zz_post" / "__init__.py").write_text(textwrap.dedent('''
        from counter_tui.screens.posts import Entry, Post
        from counter_tui.services.access import CIRCULATION
        POST = Post(name="Brand-new post", order=95,
                    entries=(Entry("zz", "z", "The new post's tool", (CIRCULATION,),
                                   "counter_tui.screens.zz_post.tool:ToolScreen"),))
    '''))
    (tmp_path / "screens" / "zz_post" / "tool.py").write_text(textwrap.dedent('''
        from textual.screen import Screen
        from textual.widgets import Static
        class ToolScreen(Screen):
            def compose(self):
                yield Static("the new post's tool")
    '''))
    (tmp_path / "commands" / "zz_post" / "__init__.py").write_text("")
    (tmp_path / "commands" / "zz_post" / "greet.py").write_text(textwrap.dedent('''
        def register(subparsers, db_option, open_library):
            p = subparsers.add_parser("greet", help="the new post's command")
            p.set_defaults(handler=lambda args: print("hello from the new post"))
            return {}
    '''))
    monkeypatch.setattr(screens, "__path__", [*screens.__path__, str(tmp_path / "screens")])
    monkeypatch.setattr(commands, "__path__", [*commands.__path__, str(tmp_path / "commands")])
    posts.posts.cache_clear()
    yield
    posts.posts.cache_clear()
    for name in [m for m in sys.modules if ".zz_post" in m]:
        del sys.modules[name]


async def test_a_new_post_is_found_without_editing_a_central_list(lib, settings, new_post, capsys):
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot, lambda: isinstance(app.screen, BackOffice))
        assert "zz" in menu_ids(app)
        await pilot.press("z")
        await settle(pilot, lambda: type(app.screen).__name__ == "ToolScreen")
    cli.main(["greet"])
    assert "hello from the new post" in capsys.readouterr().out


async def test_the_command_palette_opens_desks_back_office_entries_and_the_screens_actions(lib, settings):
    from textual.command import CommandPalette

    from counter_tui.screens.circulation.checkin import CheckinScreen
    from counter_tui.screens.circulation.notices import NoticesScreen

    async def palette(pilot, app, words: str):
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*words)
        await pilot.pause(0.5)

    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await palette(pilot, app, "overdue and hold")
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, NoticesScreen))
        await palette(pilot, app, "check in")
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CheckinScreen))
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Why this fine" in commands and "Damage" in commands  # the screen's own keys
        assert "Staff accounts and roles" not in commands and "Screenshot" not in commands  # not a clerk's; no stray files


async def test_a_desk_the_person_may_not_use_says_so_when_its_key_is_pressed(lib, settings):
    office = staff.add_staff(None, "office1", "Office Clerk", "correct horse", ["office"])
    app = CounterApp(settings, office)
    async with app.run_test(size=(80, 24)) as pilot:
        home = app.screen
        await pilot.press("f2")
        await pilot.pause(0.2)
        assert app.screen is home  # no desk for them
        said = [str(n.message) for n in app._notifications]
        assert any("Check out (F2) is for circulation staff" in s for s in said)


async def test_at_80x24_the_check_out_desk_shows_every_desk_key(lib, settings, everyone):
    from counter_tui.widgets.key_bar import KeyBar
    app = CounterApp(settings, everyone)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, CheckoutScreen))
        await pilot.pause(0.2)
        bar = app.screen.query_one(KeyBar)
        shown = str(bar.render())
        for key in ("f10 Receipt", "f2", "f3", "f4", "f5", "f6", "f7 Holds", "f9 Back office", "f1 Help"):
            assert key in shown
        assert all(len(line) <= 78 for line in shown.splitlines())  # nothing runs off the end
        assert bar.region.bottom == 24
