"""Holds to pull: waiting holds a copy on the shelf can fill, the copy to fetch, in shelf order;
and the shelving scan that stops a copy a hold waits for."""
from __future__ import annotations

from datetime import timedelta

from counter_tui import cli
from counter_tui.domain.callnumbers import sort_key
from counter_tui.models import AuditEvent, Hold, Item, Loan
from counter_tui.services.circulation import holds, lending, pull_list, shelving
from tests.conftest import NOW
from tests.test_holds import copy_of, on_loan, status_of


def shelved(lib, title, call_number, **fields) -> Item:
    return lib.item(title=title, call_number=call_number, call_sort=sort_key(call_number), **fields)


def test_each_waiting_hold_gets_one_copy_from_the_shelf_in_queue_order(lib):
    one = shelved(lib, "Fortress Besieged", "I246.5/12")
    two = copy_of(lib, one, call_number="I246.5/12", call_sort=sort_key("I246.5/12"))
    readers = [lib.patron(name=n) for n in ("First", "Second", "Third")]
    for n, reader in enumerate(readers):
        holds.place(lib.clerk, reader.id, one.biblio_id, now=NOW + timedelta(minutes=n))
    rows = pull_list.to_pull(lib.clerk, NOW + timedelta(hours=1))
    assert sorted(r.patron_name for r in rows) == ["First", "Second"]  # two copies, two holds: Third waits
    assert sorted(r.barcode for r in rows) == sorted([one.barcode, two.barcode])
    assert all(r.shelf == "Stacks I246.5/12" for r in rows)


def test_the_list_is_in_shelf_order_with_the_cart_first_and_skips_what_cannot_fill_a_hold(lib):
    later = shelved(lib, "Later on the shelf", "TP311.1/5")
    earlier = shelved(lib, "Earlier on the shelf", "TP311/28")
    lent = shelved(lib, "Out on loan", "A1/1")
    on_loan(lib, lent, lib.patron(name="Borrower"))
    copy_of(lib, lent, item_type="reference")  # on the shelf, but not lendable: no use to the hold
    carted = shelved(lib, "Just returned", "Z9/9")
    reader = lib.patron(name="Waiter")
    for book in (later, earlier, lent):
        holds.place(lib.clerk, reader.id, book.biblio_id, now=NOW)
    holds.place(lib.clerk, lib.patron(name="Cart waiter").id, carted.biblio_id, now=NOW)
    Item.update(status="shelving cart", status_since=NOW).where(Item.id == carted.id).execute()
    rows = pull_list.to_pull(lib.clerk, NOW + timedelta(minutes=10))
    assert [r.title for r in rows] == ["Just returned", "Earlier on the shelf", "Later on the shelf"]
    assert rows[0].shelf == "on the shelving cart (Z9/9)"
    # past the shelving time the cart copy counts as on its shelf
    later_rows = pull_list.to_pull(lib.clerk, NOW + timedelta(hours=5))
    assert [r.title for r in later_rows] == ["Earlier on the shelf", "Later on the shelf", "Just returned"]


def test_a_copy_level_hold_is_pulled_only_with_its_copy(lib):
    one = shelved(lib, "Dune", "I712.45/3")
    two = copy_of(lib, one)
    on_loan(lib, two, lib.patron(name="Borrower"))
    holds.place(lib.clerk, lib.patron(name="Wants two").id, one.biblio_id, item_id=two.id, now=NOW)
    assert pull_list.to_pull(lib.clerk, NOW) == []
    holds.place(lib.clerk, lib.patron(name="Wants any").id, one.biblio_id, now=NOW + timedelta(minutes=1))
    assert [(r.patron_name, r.barcode) for r in pull_list.to_pull(lib.clerk, NOW)] == [("Wants any", one.barcode)]


def test_the_fetched_copy_scanned_at_check_in_fills_the_hold_and_leaves_the_list(lib, tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTER_TUI_SLIPS", str(tmp_path / "slips"))
    book = shelved(lib, "Red Sorghum", "I247.5/88")
    holds.place(lib.clerk, lib.patron(name="Han Meimei").id, book.biblio_id, now=NOW)
    delivered, count = pull_list.print_list(lib.clerk, NOW)
    text = delivered.path.read_text(encoding="utf-8")
    assert count == 1 and "HOLDS TO PULL" in text and book.barcode in text and "Stacks I247.5/88" in text
    assert all(len(line) <= 42 for line in text.splitlines())
    result = lending.checkin(lib.clerk, book.barcode, NOW + timedelta(minutes=30))
    assert not result.was_on_loan and result.hold.patron_name == "Han Meimei"
    holds.trap(lib.clerk, book.id, result.hold.hold_id, NOW + timedelta(minutes=30))
    assert status_of(book) == "on hold shelf" and pull_list.to_pull(lib.clerk, NOW) == []
    assert Loan.select().count() == 0


def test_a_shelving_scan_stops_a_copy_a_hold_waits_for(lib):
    book = lib.item(title="Wanted again")
    reader = lib.patron(name="Borrower")
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW - timedelta(days=2))
    holds.place(lib.clerk, lib.patron(name="Waiter").id, book.biblio_id, now=NOW - timedelta(days=1))
    lending.checkin(lib.clerk, book.barcode, NOW)  # the clerk ignored the question: onto the cart
    events = AuditEvent.select().count()
    done = shelving.shelve(lib.clerk, book.barcode, NOW + timedelta(minutes=5))
    assert done.hold is not None and done.hold.patron_name == "Waiter"
    assert status_of(book) == "shelving cart" and AuditEvent.select().count() == events  # nothing written
    anyway = shelving.shelve(lib.clerk, book.barcode, NOW + timedelta(minutes=6), despite_hold=True)
    assert anyway.hold is None and status_of(book) == "available"
    assert Hold.get().status == "waiting"


def test_the_holds_pull_command_lists_and_prints(lib, settings, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("COUNTER_TUI_SLIPS", str(tmp_path / "slips"))
    monkeypatch.setattr("counter_tui.config.load_settings", lambda **_: settings)
    book = shelved(lib, "On the shelf", "K928/4")
    holds.place(lib.clerk, lib.patron(name="Phoned in").id, book.biblio_id, now=NOW)
    cli.main(["holds", "pull", "--print", "--as", "clerk", "--db", settings.db_url])
    out = capsys.readouterr().out
    assert "Stacks K928/4" in out and book.barcode in out and "for Phoned in" in out
    assert "1 copy to pull for waiting holds." in out and "Saved as" in out
    assert list((tmp_path / "slips").glob("*")), "the list was saved as a slip"


def test_when_nothing_waits_nothing_is_pulled(lib):
    lib.item(title="Nobody wants it")
    assert pull_list.to_pull(lib.clerk, NOW) == []


# -- at the desk, with keys ------------------------------------------------------------------

async def test_placing_a_hold_on_a_title_on_the_shelf_says_where_to_fetch_it_and_ctrl_f_lists_it(
        lib, settings, tmp_path, monkeypatch):
    from counter_tui.app import CounterApp
    from tests.test_desk_screens import burst, rows, settle, status
    monkeypatch.setenv("COUNTER_TUI_SLIPS", str(tmp_path / "slips"))
    book = shelved(lib, "Fortress Besieged", "I246.5/12")
    reader = lib.patron(name="Han Meimei")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        desk = app.screen
        burst(app, reader.card, "fortress")
        await settle(pilot, lambda: desk.view == "titles")
        await pilot.press("ctrl+t")
        await settle(pilot, lambda: "Hold placed" in status(desk))
        assert f"Fetch {book.barcode} from Stacks I246.5/12 and scan it at check-in" in status(desk)
        await pilot.press("ctrl+f")
        await settle(pilot, lambda: desk.view == "pull")
        assert rows(desk) == [["I246.5/12 Stacks", "Fortress Besieged", book.barcode, "Han Meimei"]]
        assert "1 copy to fetch" in status(desk)
        await pilot.press("ctrl+f")
        await settle(pilot, lambda: "List of 1 to pull" in status(desk))
    assert "HOLDS TO PULL" in next((tmp_path / "slips").glob("*")).read_text(encoding="utf-8")


async def test_the_shelving_screen_asks_about_a_hold_and_the_scans_behind_wait(lib, settings):
    from counter_tui.app import CounterApp
    from counter_tui.widgets.decision import Decision
    from tests.test_care_screens import open_tool
    from tests.test_desk_screens import burst, rows, settle, status
    settings.shelving_minutes = 0
    reader = lib.patron(name="Borrower")
    wanted, other = lib.item(title="Wanted"), lib.item(title="Other")
    for book in (wanted, other):
        lending.checkout(lib.clerk, reader.id, book.barcode)
    holds.place(lib.clerk, lib.patron(name="Waiter").id, wanted.biblio_id)
    for book in (wanted, other):
        lending.checkin(lib.clerk, book.barcode)  # nobody answered the question: both on the cart
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_tool(app, pilot, "shelving")
        await settle(pilot, lambda: "on the cart" in status(screen))
        burst(app, wanted.barcode, other.barcode)
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        assert "Waiter" in app.screen.question and screen.lines == 1
        await pilot.press("y")
        await settle(pilot, lambda: screen.lines == 2)
        assert [line[3] for line in rows(screen)] == ["HOLD SHELF", "shelved"]
    assert status_of(wanted) == "on hold shelf" and status_of(other) == "available"
    assert Hold.get().status == "ready"


async def test_escape_on_the_shelving_question_writes_nothing(lib, settings):
    from counter_tui.app import CounterApp
    from counter_tui.widgets.decision import Decision
    from tests.test_care_screens import open_tool
    from tests.test_desk_screens import burst, rows, settle, status
    book = lib.item(title="Wanted")
    lending.checkout(lib.clerk, lib.patron(name="Borrower").id, book.barcode)
    holds.place(lib.clerk, lib.patron(name="Waiter").id, book.biblio_id)
    lending.checkin(lib.clerk, book.barcode)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_tool(app, pilot, "shelving")
        await settle(pilot, lambda: "on the cart" in status(screen))
        events = AuditEvent.select().count()
        burst(app, book.barcode)
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        await pilot.press("escape")
        await settle(pilot, lambda: "stays on the cart" in status(screen))
        assert rows(screen)[0][3] == "on cart"
    assert status_of(book) == "shelving cart" and Hold.get().status == "waiting"
    assert AuditEvent.select().count() == events


def test_an_any_copy_hold_leaves_the_copy_a_later_reader_named(lib):
    first = shelved(lib, "Two copies", "I207/1")
    second = copy_of(lib, first, call_number="I207/1", call_sort=sort_key("I207/1"))
    holds.place(lib.clerk, lib.patron(name="Any copy").id, first.biblio_id, now=NOW)
    holds.place(lib.clerk, lib.patron(name="This copy").id, first.biblio_id, item_id=first.id,
                now=NOW + timedelta(minutes=1))
    pulled = {r.patron_name: r.barcode for r in pull_list.to_pull(lib.clerk, NOW)}
    assert pulled == {"Any copy": second.barcode, "This copy": first.barcode}
