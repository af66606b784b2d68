"""The shelving cart, the shelving scan, the sweep after the shelving time, and in-house use."""
from __future__ import annotations

from datetime import timedelta

import pytest

from counter_tui import cli
from counter_tui.models import AuditEvent, InHouseUse, Item, Staff
from counter_tui.services.admin import check, staff
from counter_tui.services.circulation import lending, shelving
from counter_tui.services import library_settings
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW


def snapshot():
    return ([(i.id, i.status, i.status_since, i.last_seen) for i in Item.select().order_by(Item.id)],
            InHouseUse.select().count(), AuditEvent.select().count())


def returned(lib, **fields):
    """A copy lent and checked in at NOW: on the shelving cart."""
    reader, book = lib.patron(), lib.item(**fields)
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW - timedelta(days=2))
    lending.checkin(lib.clerk, book.barcode, NOW)
    return book


def test_a_returned_copy_waits_on_the_cart_and_a_shelving_scan_makes_it_available(lib):
    book = returned(lib)
    assert Item.get_by_id(book.id).status == "shelving cart"
    assert not [r for r in check.run_checks() if not r.ok and r.name != "database files"]
    done = shelving.shelve(lib.clerk, book.barcode, NOW + timedelta(minutes=5))
    assert done.was == "shelving cart" and "Stacks" in done.shelf
    item = Item.get_by_id(book.id)
    assert item.status == "available" and item.status_since == NOW + timedelta(minutes=5)
    assert item.last_seen == NOW + timedelta(minutes=5)
    assert AuditEvent.select().where(AuditEvent.action == "shelve").count() == 1


def test_shelving_an_available_copy_only_notes_it_was_seen(lib):
    book = lib.item()
    done = shelving.shelve(lib.clerk, book.barcode, NOW)
    assert "already" in done.note
    assert Item.get_by_id(book.id).status == "available" and Item.get_by_id(book.id).last_seen == NOW


@pytest.mark.parametrize("status, words", [
    ("checked out", "still on loan"), ("lost", "marked lost"), ("in repair", "in repair"),
    ("withdrawn", "withdrawn"), ("on hold shelf", "hold shelf"), ("in processing", "catalogued")])
def test_a_shelving_scan_refuses_copies_that_do_not_belong_on_the_shelf(lib, status, words):
    book = lib.item(status=status)
    if status == "checked out":
        lib.loan(book, lib.patron(name="Han Meimei"), NOW.date(), NOW.date() + timedelta(days=30))
    before = snapshot()
    with pytest.raises(Refusal, match=words):
        shelving.shelve(lib.clerk, book.barcode, NOW)
    assert snapshot() == before


def test_the_desk_lends_straight_from_the_cart(lib):
    book = returned(lib)
    result = lending.checkout(lib.clerk, lib.patron(name="Han Meimei").id, book.barcode, NOW)
    assert result.loan_id and Item.get_by_id(book.id).status == "checked out"


def test_after_the_shelving_time_a_cart_copy_counts_as_available_and_the_sweep_writes_it(lib, settings):
    settings.shelving_minutes = 60
    early, late = returned(lib), lib.item(title="Fortress Besieged")
    Item.update(status="shelving cart", status_since=NOW + timedelta(minutes=50)).where(Item.id == late.id).execute()
    at = NOW + timedelta(minutes=70)
    assert shelving.shown_status("shelving cart", NOW, at) == "available"
    assert shelving.shown_status("shelving cart", NOW + timedelta(minutes=50), at) == "shelving cart"
    assert shelving.shown_status("checked out", NOW, at) == "checked out"
    copies, total = shelving.cart(at)
    assert total == 2 and {c.barcode: c.counts_as_shelved for c in copies} == {early.barcode: True,
                                                                                late.barcode: False}
    # the SQL condition for catalogue searches agrees with shown_status
    from counter_tui import db
    found = db.execute("SELECT i.barcode FROM item i WHERE " + shelving.AVAILABLE_SQL,
                       shelving.cart_cutoff(at)).fetchall()
    assert [b for (b,) in found] == [early.barcode]
    assert shelving.sweep(lib.clerk, at) == [early.barcode]
    assert Item.get_by_id(early.id).status == "available" and Item.get_by_id(early.id).status_since == at
    assert Item.get_by_id(late.id).status == "shelving cart"
    assert AuditEvent.select().where(AuditEvent.action == "shelve.expired").count() == 1
    assert shelving.sweep(lib.clerk, at) == []  # nothing left to sweep


def test_with_shelving_minutes_zero_only_a_scan_shelves(lib, settings):
    settings.shelving_minutes = 0
    book = returned(lib)
    later = NOW + timedelta(days=3)
    assert shelving.shown_status("shelving cart", NOW, later) == "shelving cart"
    assert shelving.sweep(lib.clerk, later) == []
    assert Item.get_by_id(book.id).status == "shelving cart"
    assert not shelving.cart(later)[0][0].counts_as_shelved


def test_in_house_use_counts_a_use_and_puts_the_copy_on_the_cart(lib):
    book = lib.item()
    first = shelving.in_house_use(lib.clerk, book.barcode, NOW)
    assert first.uses_today == 1 and first.to_cart
    item = Item.get_by_id(book.id)
    assert item.status == "shelving cart" and item.status_since == NOW
    second = shelving.in_house_use(lib.clerk, book.barcode, NOW + timedelta(hours=1))
    assert second.uses_today == 2 and not second.to_cart
    assert Item.get_by_id(book.id).status_since == NOW + timedelta(hours=1)  # the cart's time starts again
    assert InHouseUse.select().count() == 2
    assert shelving.in_house_uses(NOW - timedelta(hours=1), NOW + timedelta(hours=2)) == 2
    # the next local day starts the count again (Shanghai midnight is 16:00 UTC)
    assert shelving.in_house_use(lib.clerk, book.barcode, NOW + timedelta(hours=15)).uses_today == 1
    assert not [r for r in check.run_checks() if not r.ok and r.name != "database files"]


def test_in_house_use_scanned_again_soon_at_the_same_desk_is_the_same_use(lib, settings):
    book = lib.item()
    first = shelving.in_house_use(lib.clerk, book.barcode, NOW)
    again = shelving.in_house_use(lib.clerk, book.barcode, NOW + timedelta(minutes=2))
    assert first.already_counted_at is None and again.already_counted_at == NOW
    assert again.uses_today == 1 and not again.to_cart
    assert InHouseUse.select().count() == 1
    assert Item.get_by_id(book.id).status_since == NOW  # nothing written by the second scan
    here = settings.desk
    settings.desk = "reading-room/pts/3"  # another desk: another table, another use
    assert shelving.in_house_use(lib.clerk, book.barcode, NOW + timedelta(minutes=3)).uses_today == 2
    settings.desk = here
    later = NOW + timedelta(minutes=shelving.SAME_USE_MINUTES + 5)  # read again after a while
    assert shelving.in_house_use(lib.clerk, book.barcode, later).uses_today == 3
    assert InHouseUse.select().count() == 3


def test_in_house_use_of_a_copy_on_loan_is_refused_and_counts_nothing(lib):
    book = lib.item()
    lib.loan(book, lib.patron(), NOW.date(), NOW.date() + timedelta(days=30))
    before = snapshot()
    with pytest.raises(Refusal, match="still on loan to Li Lei"):
        shelving.in_house_use(lib.clerk, book.barcode, NOW)
    with pytest.raises(Refusal, match="reader's card"):
        shelving.in_house_use(lib.clerk, lib.patron(name="Han Meimei").card, NOW)
    assert snapshot() == before


def test_only_circulation_staff_shelve(lib):
    book = returned(lib)
    office = staff.add_staff(None, "office", "Office Clerk", "correct horse", ["office"], NOW)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        shelving.shelve(office, book.barcode, NOW)
    with pytest.raises(PermissionDenied):
        shelving.sweep(office, NOW + timedelta(days=1))
    assert snapshot() == before


def test_the_shelve_command_lists_sweeps_and_shelves(lib, settings, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setattr("counter_tui.services.circulation.shelving.utc_now", lambda: NOW + timedelta(hours=3))
    settings.shelving_minutes = 120
    old, new = returned(lib), lib.item(title="Fortress Besieged")
    Item.update(status="shelving cart", status_since=NOW + timedelta(hours=2, minutes=30)).where(
        Item.id == new.id).execute()
    kept = settings
    monkeypatch.setattr("counter_tui.config.load_settings", lambda **_: kept)
    cli.main(["shelve", "--list", "--db", settings.db_url])
    out = capsys.readouterr().out
    assert "2 copies on the shelving cart" in out and "(time is up)" in out
    cli.main(["shelve", "--expired", "--as", "clerk", "--db", settings.db_url])
    assert "1 copy on the cart longer than 120 minutes now available" in capsys.readouterr().out
    assert Item.get_by_id(old.id).status == "available"
    with pytest.raises(SystemExit, match="1 of 2 copies were not shelved"):
        cli.main(["shelve", new.barcode, "31234000000000", "--as", "clerk", "--db", settings.db_url])
    assert Item.get_by_id(new.id).status == "available"
    assert Staff.select().count() == 1
