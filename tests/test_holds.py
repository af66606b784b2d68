"""Holds: the queue, copy-level and title-level holds, trapping, the hold shelf, expiry, and the
rules holds impose on lending and renewing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from counter_tui.models import AuditEvent, Hold, Item, Loan, PatronCategory
from counter_tui.services.circulation import holds, lending
from counter_tui.services.readers import patrons
from counter_tui.services.errors import Refusal
from tests.conftest import NOW


def copy_of(lib, item: Item, **fields) -> Item:
    """Another copy of the same title."""
    other = lib.item(title=item.biblio.title, **fields)
    Item.update(biblio=item.biblio_id).where(Item.id == other.id).execute()
    return Item.get_by_id(other.id)


def on_loan(lib, item, reader):
    return lib.loan(item, reader, date(2026, 11, 20), date(2026, 12, 18))


def status_of(item) -> str:
    return Item.get_by_id(item.id).status


def test_the_queue_keeps_its_order(lib):
    book = lib.item(title="Fortress Besieged")
    on_loan(lib, book, lib.patron(name="Borrower"))
    readers = [lib.patron(name=n) for n in ("First", "Second", "Third")]
    for n, reader in enumerate(readers):
        holds.place(lib.clerk, reader.id, book.biblio_id, now=NOW + timedelta(minutes=n))
    assert [h.place for r in readers for h in holds.reader_holds(lib.clerk, r.id)] == [1, 2, 3]
    result = lending.checkin(lib.clerk, book.barcode, now=NOW + timedelta(hours=1))
    assert result.hold is not None and result.hold.patron_name == "First" and result.hold.waiting == 3
    holds.trap(lib.clerk, book.id, result.hold.hold_id, now=NOW + timedelta(hours=1))
    assert status_of(book) == "on hold shelf"
    first, second = holds.reader_holds(lib.clerk, readers[0].id)[0], holds.reader_holds(lib.clerk, readers[1].id)[0]
    assert first.status == "ready" and "on the hold shelf until" in first.where
    assert second.place == 1 and second.where == "waiting, number 1 in the queue"
    assert [h.patron_name for h in holds.title_queue(lib.clerk, book.biblio_id)] == ["First", "Second", "Third"]


def test_a_copy_level_hold_waits_for_its_copy_only(lib):
    one = lib.item(title="Dune")
    two = copy_of(lib, one)
    someone = lib.patron(name="Borrower")
    on_loan(lib, one, someone)
    on_loan(lib, two, lib.patron(name="Borrower Two"))
    wants_two, wants_any = lib.patron(name="Wants copy two"), lib.patron(name="Wants any")
    copy_hold = holds.place(lib.clerk, wants_two.id, one.biblio_id, item_id=two.id, now=NOW)
    holds.place(lib.clerk, wants_any.id, one.biblio_id, now=NOW + timedelta(minutes=1))
    assert copy_hold.copy_level and copy_hold.barcode == two.barcode
    back_one = lending.checkin(lib.clerk, one.barcode, now=NOW + timedelta(hours=1))
    assert back_one.hold.patron_name == "Wants any"  # copy one cannot fill the copy-level hold
    back_two = lending.checkin(lib.clerk, two.barcode, now=NOW + timedelta(hours=1))
    assert back_two.hold.patron_name == "Wants copy two" and back_two.hold.copy_level


def test_ignoring_a_hold_at_check_in_changes_nothing_of_the_hold(lib):
    book = lib.item()
    on_loan(lib, book, lib.patron(name="Borrower"))
    holds.place(lib.clerk, lib.patron(name="Waiter").id, book.biblio_id, now=NOW)
    result = lending.checkin(lib.clerk, book.barcode, now=NOW + timedelta(hours=1))
    assert result.hold is not None
    assert status_of(book) == "shelving cart"  # ignored: the copy goes back to the shelf
    assert Hold.get().status == "waiting" and Hold.get().item_id is None


def test_pick_up_by_skips_closed_days(lib):
    book = lib.item()
    lib.rule(hold_pickup_days=3)
    holds.place(lib.clerk, lib.patron(name="Waiter").id, book.biblio_id, now=NOW)
    # NOW is Wednesday 2026-11-25 locally; Thursday and Saturday are closed
    lib.closed(date(2026, 11, 26), date(2026, 11, 28))
    found = lending.checkin(lib.clerk, book.barcode, now=NOW).hold
    trapped = holds.trap(lib.clerk, book.id, found.hold_id, now=NOW)
    # open days after Wednesday: Friday 27, Sunday 29, Monday 30
    assert trapped.pickup_by == date(2026, 11, 30) == Hold.get().pickup_by
    assert holds.add_open_days(date(2026, 11, 25), 3, set()) == date(2026, 11, 28)


def test_uncollected_hold_expires_and_the_copy_goes_to_the_next_reader_then_to_the_shelf(lib):
    book = lib.item(title="Dream")
    lib.rule(hold_pickup_days=2)
    first, second = lib.patron(name="First"), lib.patron(name="Second")
    holds.place(lib.clerk, first.id, book.biblio_id, now=NOW)
    holds.place(lib.clerk, second.id, book.biblio_id, now=NOW + timedelta(minutes=1))
    found = lending.checkin(lib.clerk, book.barcode, now=NOW).hold
    holds.trap(lib.clerk, book.id, found.hold_id, now=NOW)
    assert holds.expire(lib.clerk, now=NOW + timedelta(days=2)) == []  # the last day still waits
    done = holds.expire(lib.clerk, now=NOW + timedelta(days=3))
    assert [(e.patron_name, e.next_reader) for e in done] == [("First", "Second")]
    assert status_of(book) == "on hold shelf"
    assert Hold.get(Hold.patron == first.id).status == "expired"
    nxt = Hold.get(Hold.patron == second.id)
    assert nxt.status == "ready" and nxt.item_id == book.id and nxt.pickup_by == date(2026, 11, 30)
    shelf = holds.hold_shelf(lib.clerk)
    assert [(h.patron_name, h.barcode) for h in shelf] == [("Second", book.barcode)]
    done = holds.expire(lib.clerk, now=NOW + timedelta(days=10))
    assert [(e.patron_name, e.next_reader) for e in done] == [("Second", "")]
    assert status_of(book) == "shelving cart" and holds.hold_shelf(lib.clerk) == []


def test_lending_a_copy_waiting_for_another_reader_warns_and_changes_nothing(lib):
    book = lib.item(title="Held book")
    waiter, other = lib.patron(name="Waiter"), lib.patron(name="Other")
    holds.place(lib.clerk, waiter.id, book.biblio_id, now=NOW)
    found = lending.checkin(lib.clerk, book.barcode, now=NOW).hold
    holds.trap(lib.clerk, book.id, found.hold_id, now=NOW)
    with pytest.raises(holds.WantedByAnother, match="waits on the hold shelf for Waiter"):
        lending.checkout(lib.clerk, other.id, book.barcode, now=NOW)
    assert Loan.select().count() == 0 and status_of(book) == "on hold shelf" and Hold.get().status == "ready"
    lending.checkout(lib.clerk, other.id, book.barcode, now=NOW, lend_held=True)
    hold = Hold.get()
    assert Loan.get().patron_id == other.id and status_of(book) == "checked out"
    assert hold.status == "waiting" and hold.item_id is None and hold.pickup_by is None  # back in its place


def test_lending_a_shelf_copy_others_wait_for_warns(lib):
    book = lib.item(title="Wanted")
    first, me = lib.patron(name="First"), lib.patron(name="Me")
    holds.place(lib.clerk, first.id, book.biblio_id, now=NOW)
    holds.place(lib.clerk, me.id, book.biblio_id, now=NOW + timedelta(minutes=1))
    with pytest.raises(holds.WantedByAnother, match="1 other reader waits for it \\(First first\\)"):
        lending.checkout(lib.clerk, me.id, book.barcode, now=NOW)
    lending.checkout(lib.clerk, me.id, book.barcode, now=NOW, lend_held=True)
    assert Hold.get(Hold.patron == me.id).status == "collected"
    assert Hold.get(Hold.patron == first.id).status == "waiting"


def test_the_reader_collecting_their_hold_fills_it(lib):
    book = lib.item()
    waiter = lib.patron(name="Waiter")
    holds.place(lib.clerk, waiter.id, book.biblio_id, now=NOW)
    found = lending.checkin(lib.clerk, book.barcode, now=NOW).hold
    holds.trap(lib.clerk, book.id, found.hold_id, now=NOW)
    assert patrons.summary(waiter.id, NOW).holds_ready == 1  # the desk is told when the card is scanned
    lent = lending.checkout(lib.clerk, waiter.id, book.barcode, now=NOW + timedelta(hours=2))
    hold = Hold.get()
    assert hold.status == "collected" and hold.ended_at is not None and status_of(book) == "checked out"
    assert holds.hold_shelf(lib.clerk) == []
    assert lent.patron.holds_ready == 0 and lent.patron.loans_out == 1


def test_renewing_a_loan_others_wait_for_is_refused(lib):
    book = lib.item(title="Popular")
    borrower = lib.patron(name="Borrower")
    loan = on_loan(lib, book, borrower)
    holds.place(lib.clerk, lib.patron(name="Waiter").id, book.biblio_id, now=NOW)
    before = AuditEvent.select().count()
    with pytest.raises(Refusal, match="cannot be renewed: 1 other reader waits for it"):
        lending.renew(lib.clerk, book.barcode, now=NOW)
    assert Loan.get_by_id(loan.id).renewals == 0 and AuditEvent.select().count() == before
    copy_of(lib, book)  # another copy on the shelf can fill the hold
    assert lending.renew(lib.clerk, book.barcode, now=NOW).renewals == 1


def test_renewing_a_copy_another_reader_asked_for_is_refused(lib):
    book = lib.item(title="That copy")
    copy_of(lib, book)
    on_loan(lib, book, lib.patron(name="Borrower"))
    holds.place(lib.clerk, lib.patron(name="Waiter").id, book.biblio_id, item_id=book.id, now=NOW)
    with pytest.raises(Refusal, match="asked for this copy"):
        lending.renew(lib.clerk, book.barcode, now=NOW)


def test_cancel_a_waiting_hold_and_a_ready_one(lib):
    book = lib.item()
    first, second = lib.patron(name="First"), lib.patron(name="Second")
    a = holds.place(lib.clerk, first.id, book.biblio_id, now=NOW)
    b = holds.place(lib.clerk, second.id, book.biblio_id, now=NOW + timedelta(minutes=1))
    holds.cancel(lib.clerk, a.id, now=NOW)
    assert Hold.get_by_id(a.id).status == "cancelled"
    assert holds.reader_holds(lib.clerk, second.id)[0].place == 1
    with pytest.raises(Refusal, match="already cancelled"):
        holds.cancel(lib.clerk, a.id, now=NOW)
    found = lending.checkin(lib.clerk, book.barcode, now=NOW).hold
    assert found.hold_id == b.id
    holds.trap(lib.clerk, book.id, b.id, now=NOW)
    holds.cancel(lib.clerk, b.id, now=NOW)
    assert status_of(book) == "shelving cart" and holds.reader_holds(lib.clerk, second.id) == []


def test_hold_limit_per_category(lib):
    PatronCategory.update(hold_limit=2).where(PatronCategory.code == "student").execute()
    reader = lib.patron()
    titles = [lib.item(title=f"Title {n}") for n in range(3)]
    for book in titles[:2]:
        holds.place(lib.clerk, reader.id, book.biblio_id, now=NOW)
    with pytest.raises(Refusal, match="already has 2 holds, the limit"):
        holds.place(lib.clerk, reader.id, titles[2].biblio_id, now=NOW)
    assert Hold.select().count() == 2


def test_holds_not_allowed_by_the_rule_are_refused_and_nothing_changes(lib):
    lib.rule(holds_allowed=False)
    book, reader = lib.item(), lib.patron()
    before = AuditEvent.select().count()
    with pytest.raises(Refusal, match="Holds are not allowed"):
        holds.place(lib.clerk, reader.id, book.biblio_id, now=NOW)
    assert Hold.select().count() == 0 and AuditEvent.select().count() == before


def test_a_second_hold_on_the_same_title_or_on_a_book_in_hand_is_refused(lib):
    book, reader = lib.item(title="Once"), lib.patron(name="Reader")
    holds.place(lib.clerk, reader.id, book.biblio_id, now=NOW)
    with pytest.raises(Refusal, match="already has a hold on Once"):
        holds.place(lib.clerk, reader.id, book.biblio_id, now=NOW)
    other = lib.item(title="In hand")
    on_loan(lib, other, reader)
    with pytest.raises(Refusal, match="already has In hand on loan"):
        holds.place(lib.clerk, reader.id, other.biblio_id, now=NOW)
    blocked = lib.patron(name="Blocked", status="blocked", block_reason="damaged books")
    with pytest.raises(Refusal, match="may not place holds"):
        holds.place(lib.clerk, blocked.id, book.biblio_id, now=NOW)
    assert Hold.select().count() == 1


def test_the_hold_slip(lib, tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTER_TUI_SLIPS", str(tmp_path / "slips"))
    book = lib.item(title="Dream of the Red Chamber", call_number="I242.47/1")
    reader = lib.patron(name="Han Meimei")
    holds.place(lib.clerk, reader.id, book.biblio_id, now=NOW)
    found = lending.checkin(lib.clerk, book.barcode, now=NOW).hold
    trapped = holds.trap(lib.clerk, book.id, found.hold_id, now=NOW, print_slip=True)
    text = trapped.slip.path.read_text(encoding="utf-8")
    assert "HOLD SLIP" in text and "For: H. Meimei" in text and book.barcode in text  # on the public shelf:
    assert "Han Meimei" not in text and reader.card not in text and reader.card[-4:] in text  # shortened, masked
    assert f"Pick up by{' ' * 22}{trapped.pickup_by.isoformat()}" in text
    assert all(len(line) <= 42 for line in text.splitlines())


@pytest.mark.parametrize("slip_name, shown", [("initial", "王*"), ("full", "王芳")])
def test_the_library_says_how_much_of_the_name_a_hold_slip_prints(lib, settings, tmp_path, monkeypatch,
                                                                    slip_name, shown):
    monkeypatch.setenv("COUNTER_TUI_SLIPS", str(tmp_path / "slips"))
    settings.slip_name = slip_name
    book, reader = lib.item(title="红楼梦"), lib.patron(name="王芳")
    holds.place(lib.clerk, reader.id, book.biblio_id, now=NOW)
    found = lending.checkin(lib.clerk, book.barcode, now=NOW).hold
    text = holds.trap(lib.clerk, book.id, found.hold_id, now=NOW, print_slip=True).slip.path.read_text("utf-8")
    assert f"For: {shown}\n" in text and reader.card not in text  # the card is masked either way


def test_the_holds_command_lists_the_shelf_and_expires(lib, settings, capsys, monkeypatch, tmp_path):
    from counter_tui import cli
    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setattr("counter_tui.config.load_settings", lambda **_: settings)
    book = lib.item(title="Left on the shelf")
    holds.place(lib.clerk, lib.patron(name="Forgetful").id, book.biblio_id, now=NOW - timedelta(days=30))
    found = lending.checkin(lib.clerk, book.barcode, now=NOW - timedelta(days=30)).hold
    holds.trap(lib.clerk, book.id, found.hold_id, now=NOW - timedelta(days=30))
    cli.main(["holds", "shelf", "--as", "clerk", "--db", settings.db_url])
    out = capsys.readouterr().out
    assert "Forgetful" in out and book.barcode in out and "1 copy on the hold shelf." in out
    cli.main(["holds", "expire", "--as", "clerk", "--db", settings.db_url])
    out = capsys.readouterr().out
    assert "was for Forgetful: back to the shelf" in out and "1 hold expired" in out
    assert Hold.get().status == "expired" and status_of(book) == "shelving cart"


def test_the_check_finds_a_hold_shelf_out_of_step(lib):
    from counter_tui.services.admin import check
    book = lib.item()
    holds.place(lib.clerk, lib.patron(name="Waiter").id, book.biblio_id, now=NOW)
    found = lending.checkin(lib.clerk, book.barcode, now=NOW).hold
    holds.trap(lib.clerk, book.id, found.hold_id, now=NOW)
    assert holds.shelf_problems() == []
    Item.update(status="available").where(Item.id == book.id).execute()
    assert holds.shelf_problems() == [f"hold {found.hold_id} is ready, but its copy {book.barcode} is available"]
    Item.update(status="on hold shelf").where(Item.id == book.id).execute()
    Hold.update(status="waiting").execute()
    assert holds.shelf_problems() == [f"copy {book.barcode} is on the hold shelf but 0 holds are ready for it"]
    result = next(r for r in check.run_checks() if r.name == "hold shelf agrees with ready holds")
    assert result.count == 1


def test_the_demo_library_has_queues_and_a_hold_shelf(clerk):
    from counter_tui import demo
    from counter_tui.services.admin import staff
    counts = demo.build_library(demo.DEMO, now=NOW)
    actor = staff.get_staff(demo.DEMO_USERNAME)
    assert counts["holds"] >= 12
    assert len(holds.hold_shelf(actor)) == 3 and holds.shelf_problems() == []
    waiting = Hold.select().where(Hold.status == "waiting")
    assert all(Item.select().where((Item.biblio == h.biblio_id) & (Item.status == "available")).count() == 0
               for h in waiting)  # queues only on titles whose every copy is out


def test_taking_another_copy_fills_the_hold_and_the_kept_copy_goes_on(lib):
    kept = lib.item(title="Two copies")
    other = copy_of(lib, kept)
    first, second = lib.patron(name="First"), lib.patron(name="Second")
    holds.place(lib.clerk, first.id, kept.biblio_id, now=NOW)
    found = lending.checkin(lib.clerk, kept.barcode, now=NOW).hold
    holds.trap(lib.clerk, kept.id, found.hold_id, now=NOW)
    holds.place(lib.clerk, second.id, kept.biblio_id, now=NOW + timedelta(minutes=5))
    lending.checkout(lib.clerk, first.id, other.barcode, now=NOW + timedelta(hours=1))
    assert Hold.get(Hold.patron == first.id).status == "collected"
    assert Hold.get(Hold.patron == first.id).item_id == other.id
    nxt = Hold.get(Hold.patron == second.id)
    assert nxt.status == "ready" and nxt.item_id == kept.id and status_of(kept) == "on hold shelf"
    assert holds.shelf_problems() == []


def test_a_copy_from_the_hold_shelf_scanned_at_check_in_names_its_reader_and_changes_nothing(lib):
    book = lib.item(title="Fortress Besieged")
    on_loan(lib, book, lib.patron(name="Borrower"))
    first, second = lib.patron(name="First"), lib.patron(name="Second")
    for n, reader in enumerate((first, second)):
        holds.place(lib.clerk, reader.id, book.biblio_id, now=NOW + timedelta(minutes=n))
    found = lending.checkin(lib.clerk, book.barcode, now=NOW + timedelta(hours=1)).hold
    holds.trap(lib.clerk, book.id, found.hold_id, now=NOW + timedelta(hours=1))
    before = list(Hold.select(Hold.id, Hold.status, Hold.item).order_by(Hold.id).tuples())
    again = lending.checkin(lib.clerk, book.barcode, now=NOW + timedelta(hours=2))
    assert again.hold is None  # not offered to the second reader: it is the first's
    assert "waits on the hold shelf for First" in again.note and again.destination == "HOLD SHELF"
    assert list(Hold.select(Hold.id, Hold.status, Hold.item).order_by(Hold.id).tuples()) == before
    assert status_of(book) == "on hold shelf"
