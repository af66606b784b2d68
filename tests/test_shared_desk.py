"""A shared desk: it locks when idle and keeps its state, someone else can sign in, keys follow roles."""
from __future__ import annotations

import os
import time

from textual.widgets import DataTable, Static

from counter_tui import cli
from counter_tui.app import CounterApp
from counter_tui.models import Loan, SignInGuard, Staff
from counter_tui.screens.circulation.checkout import CheckoutScreen
from counter_tui.screens.lock import LockScreen
from counter_tui.screens.login import LoginScreen
from counter_tui.services.admin import staff
from tests.test_desk_screens import burst, rows, settle


async def test_idle_desk_locks_keeps_its_reader_and_ignores_scans(lib, settings):
    reader, book = lib.patron(name="Li Lei"), lib.item()
    settings.idle_lock_minutes = 0.01  # 0.6 s
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = app.screen
        burst(app, reader.card, book.barcode)
        await settle(pilot, lambda: desk.lines == 1)
        await settle(pilot, lambda: isinstance(app.screen, LockScreen))
        burst(app, book.barcode)  # a scan while locked is no password guess
        await settle(pilot, lambda: "not used" in str(app.screen.query_one("#lock-status", Static).content))
        assert not SignInGuard.select().exists()  # nothing counted against the name
        app.last_input = time.monotonic() + 3600  # no relocking while we type
        burst(app, "wrong one")
        await settle(pilot, lambda: "Wrong" in str(app.screen.query_one("#lock-status", Static).content))
        burst(app, "correct horse")
        await settle(pilot, lambda: app.screen is desk)
        assert desk.patron.name == "Li Lei" and rows(desk)[0][0] == book.barcode  # state kept
    assert Loan.select().count() == 1


async def test_switch_user_keeps_the_desk_and_hides_what_the_role_may_not_use(lib, settings):
    staff.add_staff(None, "office1", "Office Clerk", "a good password", ["office"])
    reader = lib.patron(name="Li Lei")
    settings.idle_lock_minutes = 0
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, reader.card)
        await settle(pilot, lambda: app.screen.patron is not None)
        await pilot.press("ctrl+o")
        await settle(pilot, lambda: isinstance(app.screen, LoginScreen))
        burst(app, "office1", "a good password")
        await settle(pilot, lambda: app.actor.username == "office1")
        await settle(pilot, lambda: not isinstance(app.screen, LoginScreen))
        assert app.current_mode == "account"  # office may not lend: moved to the readers' desk
        assert app.check_action("desk", ("checkout",)) is False
        footer_keys = {b.binding.key for b in app.screen.active_bindings.values() if b.enabled}
        assert "f2" not in footer_keys and "f5" in footer_keys
        await pilot.press("f2")
        assert app.current_mode == "account"


async def test_curator_adds_an_account_from_the_back_office(lib, settings):
    head = staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator"])
    settings.idle_lock_minutes = 0
    app = CounterApp(settings, head)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.press("u")  # staff accounts' key in the menu
        await settle(pilot, lambda: app.screen.TITLE == "Staff accounts")
        table = app.screen.query_one(DataTable)
        await settle(pilot, lambda: table.row_count == 2)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"alice", "enter", *"Alice Wong", "enter", *"short", "enter", *"circulation", "enter")
        await settle(pilot, lambda: "at least 8" in str(app.screen.query_one("#dialog-error").content))
        assert not Staff.select().where(Staff.username == "alice").exists()
        await pilot.press(*"a good password", "ctrl+s")  # the cursor waits in the emptied password field
        await settle(pilot, lambda: table.row_count == 3)
    assert staff.sign_in("alice", "a good password").roles == "circulation"


def test_trusted_ssh_sign_in_uses_the_real_login_and_only_from_the_system_settings(lib, settings, monkeypatch):
    import pwd
    login = pwd.getpwuid(os.getuid()).pw_name
    me = staff.add_staff(None, login, "The Login", "a good password", ["circulation"])
    staff.add_staff(None, "head", "Head", "a good password", ["curator"])
    started = []
    monkeypatch.setattr(cli, "_run_desk", lambda s, actor: started.append(actor))
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 5000 10.0.0.1 22")
    monkeypatch.setenv("LOGNAME", "head")  # anyone can set these: they name nobody
    monkeypatch.setenv("USER", "head")
    trusting = _trusting(settings, cli.config.SYSTEM_CONFIG)
    monkeypatch.setattr(cli.config, "load_settings", lambda db_url=None: trusting)
    cli.main(["--db", settings.db_url])
    assert started[-1].id == me.id  # the process's own login, not LOGNAME's curator
    monkeypatch.setenv(cli.SERVED_ENV, "1")
    cli.main(["--db", settings.db_url])
    assert started[-1] is None  # a desk served to a browser always asks
    monkeypatch.delenv(cli.SERVED_ENV)
    trusting.source = cli.config.SYSTEM_CONFIG.with_name("named-in-COUNTER_TUI_CONFIG.toml")
    cli.main(["--db", settings.db_url])
    assert started[-1] is None  # trust comes only from /etc/counter-tui/settings.toml
    trusting.source = cli.config.SYSTEM_CONFIG
    monkeypatch.delenv("SSH_CONNECTION")
    cli.main(["--db", settings.db_url])
    assert started[-1] is None  # not inside ssh: the sign-in screen asks


def _trusting(settings, source):
    settings.trust_ssh_user = True
    settings.source = source
    return settings


async def test_after_a_switch_of_user_open_screens_name_the_new_person_and_read_their_record_again(
        lib, settings):
    from counter_tui.screens.readers.readers_desk import ReadersScreen
    from counter_tui.services.readers import registration
    head = staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator", "circulation"])
    reader = lib.patron(name="Li Lei")
    registration.block(head, reader.id, "lost three books")
    settings.idle_lock_minutes = 0
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(100, 30)) as pilot:
        checkout = app.screen
        burst(app, reader.card)
        await settle(pilot, lambda: checkout.patron is not None)
        assert checkout.patron.blocked
        await pilot.press("f5")  # the readers desk opens the same reader
        await settle(pilot, lambda: isinstance(app.screen, ReadersScreen) and app.screen.showing_record)
        readers = app.screen
        assert readers.record.summary.blocked
        registration.unblock(head, reader.id)  # lifted at another desk
        await pilot.press("ctrl+o")
        await settle(pilot, lambda: isinstance(app.screen, LoginScreen))
        burst(app, "head", "a good password")
        await settle(pilot, lambda: app.screen is readers and not readers.record.summary.blocked)
        assert "Head Librarian" in str(readers.query_one("#title", Static).content)
        await pilot.press("f2")
        await settle(pilot, lambda: app.screen is checkout and not checkout.patron.blocked)
        assert "Head Librarian" in str(checkout.query_one("#title", Static).content)
        assert lib.clerk.full_name not in str(checkout.query_one("#title", Static).content)


async def test_a_locked_desk_cannot_be_got_round_by_esc_desk_keys_or_the_palette(lib, settings):
    reader = lib.patron(name="Li Lei")
    settings.idle_lock_minutes = 0
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = app.screen
        burst(app, reader.card)
        await settle(pilot, lambda: desk.patron is not None)
        await pilot.press("ctrl+l")
        await settle(pilot, lambda: isinstance(app.screen, LockScreen))
        lock = app.screen
        await pilot.press("escape")  # someone else signs in...
        await settle(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press("escape")  # ...or not: back to the lock, never to the desk
        await settle(pilot, lambda: app.screen is lock)
        for key in ("f2", "f3", "f5", "f9", "ctrl+p", "ctrl+o"):
            await pilot.press(key)
            await pilot.pause(0.05)
            assert app.screen is lock, key
        burst(app, "correct horse")
        await settle(pilot, lambda: app.screen is desk)
        await pilot.press("f3")  # unlocked: the keys work again
        await settle(pilot, lambda: app.screen is not desk)
