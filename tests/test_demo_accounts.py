"""The demo opens every post: its accounts, the passwords the README lists, and the sign-in screen that shows them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from counter_tui import demo
from counter_tui.app import CounterApp
from counter_tui.demo import staff_accounts
from counter_tui.screens import posts
from counter_tui.screens.login import LoginScreen
from counter_tui.services import access
from counter_tui.services.admin import staff
from tests.conftest import NOW
from tests.test_desk_screens import settle

README = Path(__file__).resolve().parent.parent / "README.md"
# | `username` | `password` | post (`role`) | Desk (Fn) |
ROW = re.compile(r"^\| `([^`]+)` \| `([^`]+)` \| ([^|]+) \| ([^|(]+) \(F\d+\) \|$", re.MULTILINE)
MODE_OF_DESK = {"Check out": "checkout", "Readers": "account", "Catalogue": "catalogue"}


def readme_accounts() -> list[tuple[str, str, frozenset[str], str]]:
    """The README's table of demo accounts: username, password, roles, the desk it opens on."""
    rows = []
    for username, password, post, desk in ROW.findall(README.read_text(encoding="utf-8")):
        roles = frozenset(access.ROLES) if post.startswith("every post") else frozenset(re.findall(r"`(\w+)`", post))
        rows.append((username, password, roles, desk.strip()))
    return rows


@pytest.fixture
def small_demo(clerk):
    scale = demo.Scale(titles=30, copies=60, readers=10, past_loans=20, open_loans=5, overdue_loans=1)
    return demo.build_library(scale, now=NOW)


def screen_text(app) -> str:
    """The screen as painted, line by line (what a person at the terminal reads)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def test_every_listed_account_signs_in_with_its_password_and_holds_its_posts_role(small_demo):
    listed = readme_accounts()
    assert [(u, p) for u, p, *_ in listed] == [(a.username, a.password) for a in staff_accounts.DEMO_ACCOUNTS]
    per_post = [roles for username, _, roles, _ in listed if username != demo.DEMO_USERNAME]
    assert all(len(roles) == 1 for roles in per_post)
    assert sorted(r for roles in per_post for r in roles) == sorted(access.ROLES)  # one account per post, each post
    for username, password, roles, _ in listed:
        member = staff.sign_in(username, password, NOW)
        assert member.role_set == roles, username
    assert staff.get_staff(demo.DEMO_USERNAME).role_set == frozenset(access.ROLES)
    assert staff.get_staff("clerk").role_set == {"circulation"}  # an account already there is left as it was


def test_the_readme_names_the_desk_each_account_opens_on(small_demo, settings):
    for username, _, _, desk in readme_accounts():
        app = CounterApp(settings, staff.get_staff(username))
        try:
            assert app.first_desk() == MODE_OF_DESK[desk], username
        finally:
            app.db_executor.shutdown()


def test_the_demo_account_may_open_every_desk_and_every_back_office_entry(small_demo):
    member = staff.get_staff(demo.DEMO_USERNAME)
    assert all(access.may(member, *desk.roles) for desk in posts.desks())
    every_entry = [e.id for p in posts.posts() for e in p.entries]
    assert [e.id for _, entries in posts.entries_for(member) for e in entries] == every_entry
    cataloguer = staff.get_staff("cataloguer")  # a post's account sees its post's entries, not all
    assert len([e for _, entries in posts.entries_for(cataloguer) for e in entries]) < len(every_entry)


def test_an_account_switched_off_or_given_a_new_password_is_not_listed(small_demo):
    assert [a.username for a in staff_accounts.accounts_to_list()] == [a.username for a in staff_accounts.DEMO_ACCOUNTS]
    curator = staff.get_staff(demo.DEMO_USERNAME)
    staff.set_password(curator, "office", "a password of its own", NOW)
    staff.set_active(curator, "buyer", False, NOW)
    assert "office" not in [a.username for a in staff_accounts.accounts_to_list()]
    assert "buyer" not in [a.username for a in staff_accounts.accounts_to_list()]
    assert "circ" in [a.username for a in staff_accounts.accounts_to_list()]


async def test_the_sign_in_screen_of_a_demo_library_lists_every_account_and_each_signs_in(small_demo, settings):
    app = CounterApp(settings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: app.screen.demo_accounts is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "Demo accounts" in text
        for account in staff_accounts.DEMO_ACCOUNTS:  # all of it fits at 80x24, one line each
            assert re.search(rf"{account.username} +{account.password} +{account.post}", text), account.username
        await pilot.press(*"cataloguer", "enter", *"cataloguer-demo", "enter")
        await settle(pilot, lambda: app.actor is not None)
        assert app.actor.username == "cataloguer"

        await pilot.press("ctrl+o")  # switch user: the same screen, the same list
        await settle(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen.demo_accounts is not None)
        await pilot.pause()
        assert "circ-demo" in screen_text(app)
        await pilot.press(*"circ", "enter", *"circ-demo", "enter")
        await settle(pilot, lambda: app.actor.username == "circ")
        assert app.actor.role_set == {access.CIRCULATION}


async def test_the_sign_in_screen_of_a_real_library_lists_no_accounts(lib, settings):
    # even an account named and passworded like the demo's: only a demo library's mark lists it
    staff.add_staff(None, demo.DEMO_USERNAME, "Someone", demo.DEMO_PASSWORD, ["circulation"], NOW)
    app = CounterApp(settings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: app.screen.demo_accounts is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "sign in" in text  # the screen is there and read
        assert "Demo accounts" not in text and demo.DEMO_PASSWORD not in text
        assert app.screen.demo_accounts == []
