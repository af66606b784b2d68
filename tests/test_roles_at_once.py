"""Roles and accounts that change take effect at once: every service call reads the person's roles
and active flag from the database, and a desk whose person was disabled locks."""
from __future__ import annotations

import pytest
from textual.widgets import Static

from counter_tui.app import CounterApp
from counter_tui.models import AuditEvent, Loan, Staff
from counter_tui.screens.lock import LockScreen
from counter_tui.services import access
from counter_tui.services.admin import staff
from counter_tui.services.circulation import lending
from counter_tui.services.errors import PermissionDenied
from counter_tui.services.readers import registration
from tests.conftest import NOW
from tests.test_desk_screens import burst, settle, status


@pytest.fixture
def head(lib) -> Staff:
    return staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator"], NOW)


def test_a_role_removed_at_another_desk_is_refused_at_the_next_call(lib, head):
    reader, first, second = lib.patron(), lib.item(), lib.item()
    desk_clerk = Staff.get_by_id(lib.clerk.id)  # the record the desk read at sign-in, kept in memory
    lending.checkout(desk_clerk, reader.id, first.barcode, NOW)
    staff.set_roles(head, "clerk", ["curator"], NOW)
    assert access.may(desk_clerk, access.CIRCULATION)  # what the desk's screens still show
    events = AuditEvent.select().count()
    with pytest.raises(PermissionDenied, match="^Only circulation staff may lend books"):
        lending.checkout(desk_clerk, reader.id, second.barcode, NOW)
    with pytest.raises(PermissionDenied, match="^Only circulation staff may check books in"):
        lending.checkin(desk_clerk, first.barcode, NOW)
    assert Loan.select().count() == 1 and Loan.get().returned_at is None  # nothing changed
    assert AuditEvent.select().count() == events
    # services that choose what to show go by the database too: the curator sees no past loans
    assert registration.reader_record(desk_clerk, reader.id, NOW).history is None
    staff.set_roles(head, "clerk", ["circulation"], NOW)
    lending.checkout(desk_clerk, reader.id, second.barcode, NOW)
    assert Loan.select().count() == 2


def test_a_disabled_account_is_refused_at_the_next_call_and_again_when_enabled_may_work(lib, head):
    reader, book = lib.patron(), lib.item()
    desk_clerk = Staff.get_by_id(lib.clerk.id)
    staff.set_active(head, "clerk", False, NOW)
    with pytest.raises(PermissionDenied, match="^The account clerk has been disabled, so it may no longer lend books"):
        lending.checkout(desk_clerk, reader.id, book.barcode, NOW)
    assert Loan.select().count() == 0
    staff.set_active(head, "clerk", True, NOW)
    lending.checkout(desk_clerk, reader.id, book.barcode, NOW)
    assert Loan.select().count() == 1


def test_the_check_is_one_read_of_the_staff_row_by_its_key(lib, monkeypatch):
    from counter_tui import db
    statements = []
    execute_sql = db.database.obj.execute_sql

    def traced(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return execute_sql(sql, params, *args, **kwargs)

    monkeypatch.setattr(db.database.obj, "execute_sql", traced)
    access.require(lib.clerk, "lend books", access.CIRCULATION)
    monkeypatch.undo()
    assert len(statements) == 1 and "FROM staff WHERE id =" in statements[0]


async def test_a_desk_whose_person_is_disabled_refuses_the_next_scan_and_locks(lib, head, settings):
    reader, book = lib.patron(name="Li Lei"), lib.item()
    settings.idle_lock_minutes = 0  # the idle lock is off: the desk locks all the same
    app = CounterApp(settings, Staff.get_by_id(lib.clerk.id))
    app.account_check_seconds = 3600.0  # first the scan; the check comes below
    async with app.run_test(size=(80, 24)) as pilot:
        desk = app.screen
        burst(app, reader.card)
        await settle(pilot, lambda: desk.patron is not None)
        staff.set_active(head, "clerk", False, NOW)  # the curator, at another desk
        burst(app, book.barcode)
        await settle(pilot, lambda: "has been disabled" in status(desk))
        assert Loan.select().count() == 0
        await app._check_account()  # what the desk's timer does every few seconds
        await settle(pilot, lambda: isinstance(app.screen, LockScreen))
        said = [str(n.message) for n in app._notifications]
        assert any("The account clerk has been disabled, so the desk is locked" in s for s in said)
        words = str(app.screen.query_one(Static).render())
        assert "because the account clerk has been disabled" in words and "by hand" not in words


async def test_the_desk_timer_finds_it_without_a_scan(lib, head, settings):
    settings.idle_lock_minutes = 0
    app = CounterApp(settings, Staff.get_by_id(lib.clerk.id))
    app.account_check_seconds = 0.05
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert not isinstance(app.screen, LockScreen)  # still active: the checks change nothing
        staff.set_active(head, "clerk", False, NOW)
        await settle(pilot, lambda: isinstance(app.screen, LockScreen))


async def test_roles_changed_elsewhere_show_at_the_desk(lib, head, settings):
    settings.idle_lock_minutes = 0
    app = CounterApp(settings, Staff.get_by_id(lib.clerk.id))
    app.account_check_seconds = 0.05
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.check_action("desk", ("checkout",)) is True
        staff.set_roles(head, "clerk", ["office"], NOW)
        await settle(pilot, lambda: app.actor.roles == "office")
        assert app.check_action("desk", ("checkout",)) is False
        assert not isinstance(app.screen, LockScreen)


def test_a_disabled_account_can_no_longer_search_the_catalogue(lib):
    from counter_tui.services.admin import staff
    from counter_tui.services.catalogue import titles
    from counter_tui.services.errors import PermissionDenied
    head = staff.add_staff(None, "head2", "Head", "a good password", ["curator"])
    clerk = lib.clerk
    titles.search_page(clerk, "dream")  # allowed while active
    staff.set_active(head, clerk.username, False)
    with pytest.raises(PermissionDenied, match="has been disabled"):
        titles.search_page(clerk, "dream")
