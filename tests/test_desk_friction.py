"""A day at the desk without friction (issue 11): the panel at the loan limit, counts said
right, the lock saying why, the catalogue's refusals, claims returned asking who and when,
the fine explanation with its payments, due dates cut back to the card's expiry, and
in-house use counted once per use."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import Static

from counter_tui.app import CounterApp
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.models import Loan
from counter_tui.services.errors import Refusal
from tests.conftest import ZONE
from tests.test_desk_screens import burst, rows, settle, status


def panel(screen) -> str:
    return str(screen.query_one("#patron", Static).content)


def today() -> date:
    return local_date(utc_now(), ZONE)


async def open_search_desk(app, pilot, key: str):
    """The catalogue (F6) or the readers (F5), its first page listed."""
    await pilot.press(key)
    screen = app.screen
    await settle(pilot, lambda: screen.page is not None)
    return screen


# -- the reader panel at the loan limit --------------------------------------------------------

async def test_panel_says_the_reader_may_borrow_no_more_at_the_loan_limit(lib, settings):
    reader = lib.patron(name="Li Lei")  # a student: 5 books
    for n in range(4):
        lib.loan(lib.item(title=f"Out {n}"), reader, today() - timedelta(days=3), today() + timedelta(days=20))
    fifth, sixth = lib.item(title="Fifth"), lib.item(title="Sixth")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        burst(app, reader.card)
        await settle(pilot, lambda: screen.patron is not None)
        assert "Loans 4/5" in panel(screen) and "May borrow" in panel(screen)
        assert "no more" not in panel(screen)
        burst(app, fifth.barcode, sixth.barcode)
        await settle(pilot, lambda: screen.lines == 2)
        text = panel(screen)
        assert "Loans 5/5" in text
        assert "May borrow no more: 5 books out, the limit for the Student category" in text
        assert "already has 5 books out" in rows(screen)[1][1]
        burst(app, reader.card)  # the same reader again (at the limit when the card is read)
        await settle(pilot, lambda: "may borrow no more" in status(screen))
        assert "Li Lei may borrow no more: 5 books out, the limit for the Student category." in status(screen)
    assert Loan.select().where(Loan.patron == reader.id, Loan.returned_at.is_null()).count() == 5


# -- the lock says why ------------------------------------------------------------------------

async def test_a_desk_locked_by_hand_does_not_claim_it_was_idle(lib, settings):
    from counter_tui.screens.lock import LockScreen
    settings.idle_lock_minutes = 10
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l")
        await settle(pilot, lambda: isinstance(app.screen, LockScreen))
        said = str(app.screen.query_one(Static).content)
        assert "Desk locked[/] by hand." in said and "idle" not in said


async def test_an_idle_desk_says_how_long_it_waited(lib, settings):
    from counter_tui.screens.lock import LockScreen
    settings.idle_lock_minutes = 0.01
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LockScreen))
        said = str(app.screen.query_one(Static).content)
        assert "Desk locked[/] after 0.01 idle minutes." in said and "by hand" not in said


# -- the catalogue: a wrong check digit, and a search that finds nothing -------------------------

def test_an_isbn_with_a_wrong_check_digit_gets_the_check_digit_sentence(lib):
    from counter_tui.models import Biblio
    from counter_tui.services.catalogue import titles
    from tests.conftest import NOW
    Biblio.create(title="红楼梦", author="曹雪芹", isbn="9787020002207", created_at=NOW)
    for typed, code in (("9787020002209", "9787020002209"), ("978-7-02-000220-9", "9787020002209"),
                        ("7020002207", "7020002207"), ("isbn: 9787020002201", "9787020002201")):
        with pytest.raises(Refusal, match=f"The check digit of ISBN {code} is wrong"):
            titles.search_page(lib.clerk, typed)
    assert [r.title for r in titles.search_page(lib.clerk, "9787020002207").rows] == ["红楼梦"]
    assert [r.title for r in titles.search_page(lib.clerk, "702000220X").rows] == ["红楼梦"]


async def test_catalogue_scans_a_wrong_check_digit_and_a_search_with_no_match_empties_the_list(lib, settings):
    from counter_tui.models import Biblio
    from tests.conftest import NOW
    for n in range(3):
        Biblio.create(title=f"红楼梦 第{n + 1}卷", author="曹雪芹", created_at=NOW)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_search_desk(app, pilot, "f6")
        burst(app, "红楼梦")
        await settle(pilot, lambda: "3 titles for" in status(screen))
        assert len(rows(screen, "#results")) == 3
        burst(app, "9787020002209")  # a cover barcode misread: its last digit is wrong
        await settle(pilot, lambda: "check digit" in status(screen))
        assert "The check digit of ISBN 9787020002209 is wrong" in status(screen)
        assert "no title" not in status(screen).lower()
        burst(app, "水浒传")
        await settle(pilot, lambda: "No title in the catalogue matches" in status(screen))
        assert rows(screen, "#results") == []  # the 红楼梦 volumes are not what this search found
        assert "No titles." in str(screen.query_one("#page-info", Static).content)


async def test_readers_search_with_no_match_empties_the_list(lib, settings):
    for n in range(3):
        lib.patron(name=f"Wang {n}")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_search_desk(app, pilot, "f5")
        burst(app, "wang")
        await settle(pilot, lambda: "3 readers match" in status(screen))
        burst(app, "zhao")
        await settle(pilot, lambda: "No reader's name, card or identity number matches" in status(screen))
        assert rows(screen, "#results") == []


# -- a due date past the card's expiry ----------------------------------------------------------

async def test_a_loan_is_due_when_the_card_expires_and_the_line_says_so(lib, settings):
    expires = today() + timedelta(days=10)  # the default rule lends for 28 days
    reader, book = lib.patron(name="Li Lei", expires_on=expires), lib.item(title="Fortress Besieged")
    other, second = lib.patron(name="Han Meimei"), lib.item(title="Dune")  # a card good for longer
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        burst(app, reader.card, book.barcode)
        await settle(pilot, lambda: screen.lines == 1)
        assert rows(screen)[0][3] == expires.isoformat()
        assert f"Lent: Fortress Besieged, due {expires.isoformat()}: the card expires then." in status(screen)
        burst(app, other.card, second.barcode)
        await settle(pilot, lambda: screen.patron.name == "Han Meimei" and screen.lines == 1)
        assert "card expires" not in status(screen)
    assert local_date(Loan.get(Loan.item == book.id).due_at, ZONE) == expires
    assert local_date(Loan.get(Loan.item == second.id).due_at, ZONE) > expires


def test_due_date_at_expiry_on_a_closed_day_the_keep_setting_and_renewal(lib, settings):
    from counter_tui.services.circulation import lending
    from tests.conftest import NOW
    day = local_date(NOW, ZONE)
    expires = day + timedelta(days=10)
    lib.closed(expires)  # the card's last day falls on a closed day: due the open day before
    reader = lib.patron(expires_on=expires)
    cut = lending.checkout(lib.clerk, reader.id, lib.item().barcode, NOW)
    assert cut.due == expires - timedelta(days=1)
    assert cut.due_note == f"the card expires on {expires.isoformat()}, a closed day"
    settings.due_past_card_expiry = "keep"  # a library that lends for the full period says so
    kept = lending.checkout(lib.clerk, reader.id, lib.item().barcode, NOW)
    assert kept.due == day + timedelta(days=28)
    assert kept.due_note == f"the card expires before that, on {expires.isoformat()}"
    settings.due_past_card_expiry = "cut"
    # renewing a loan already due on the card's last day gains nothing: the refusal names the card
    book = lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    with pytest.raises(Refusal, match=f"card expires on {expires.isoformat()}; renew the card first"):
        lending.renew(lib.clerk, book.barcode, NOW + timedelta(days=1))
    assert Loan.get(Loan.item == book.id).renewals == 0


def test_the_settings_file_chooses_cut_or_keep(tmp_path):
    from counter_tui import config
    path = tmp_path / "settings.toml"
    assert config.Settings().due_past_card_expiry == "cut"  # cut back, as established systems do
    path.write_text('due_past_card_expiry = "keep"\n')
    assert config.load_settings(path=path).due_past_card_expiry == "keep"
    path.write_text('due_past_card_expiry = "shorten"\n')
    with pytest.raises(config.SettingsError, match="due_past_card_expiry"):
        config.load_settings(path=path)


# -- counts said right: "1 copy", "1 title", "1 day" ---------------------------------------------

def test_counted_says_one_and_many():
    from counter_tui.domain.plurals import counted, plural
    assert [counted(n, "copy") for n in (0, 1, 2)] == ["0 copies", "1 copy", "2 copies"]
    assert counted(1, "title") == "1 title" and counted(1204, "title") == "1,204 titles"
    assert counted(3, "class") == "3 classes" and counted(2, "day") == "2 days"
    assert counted(10.0, "minute") == "10 minutes" and counted(0.5, "minute") == "0.5 minutes"
    assert counted(2, "copy in processing") == "2 copies in processing" and plural("reader") == "readers"


async def test_one_title_one_day_one_copy_at_the_desks(lib, settings):
    from counter_tui.services.circulation import lending
    book = lib.item(title="Fortress Besieged")
    reader = lib.patron(name="Li Lei")
    lib.loan(book, reader, today() - timedelta(days=29), today() - timedelta(days=1))  # one day late
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        desk = app.screen
        burst(app, book.barcode)
        await settle(pilot, lambda: desk.lines == 1)
        assert "Li Lei, 1 day late" in status(desk) and "1 days" not in status(desk)
        await pilot.press("f7")
        holds_desk = app.screen
        burst(app, reader.card, "fortress")
        await settle(pilot, lambda: getattr(holds_desk, "view", "") == "titles")
        assert status(holds_desk).startswith("1 title:")
        await pilot.press("f6")
        catalogue = app.screen
        await settle(pilot, lambda: catalogue.page is not None)
        burst(app, book.barcode)  # the copy's barcode opens its title
        await settle(pilot, lambda: catalogue.showing_record)
        assert "of 1 copy available" in str(catalogue.query_one("#record", Static).content)
    lib.rule(renewals=1)
    lending.checkout(lib.clerk, reader.id, book.barcode)
    lending.renew(lib.clerk, book.barcode, utc_now() + timedelta(days=2))
    with pytest.raises(Refusal, match="renewed 1 time, the most allowed"):
        lending.renew(lib.clerk, book.barcode, utc_now() + timedelta(days=4))


# -- claims returned: who reported it, and when ---------------------------------------------------

async def test_claims_returned_asks_who_and_when_and_records_both(lib, settings):
    from counter_tui.models import AuditEvent, Item
    from counter_tui.screens.readers.reader_form import FormScreen
    from counter_tui.widgets.decision import Decision
    from tests.test_readers_screen import form_status, open_record, press_now, type_text
    reader, book = lib.patron(name="Li Lei"), lib.item(title="Dune")
    lib.loan(book, reader, today() - timedelta(days=40), today() - timedelta(days=12))
    reported = today() - timedelta(days=3)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)  # on the Loans tab, the loan chosen
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, Decision))
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert form.values() == {"reported_by": "Li Lei", "reported_on": today().isoformat()}
        type_text(app, "his mother, by phone")  # replaces the reader's name, selected
        press_now(app, "enter")
        type_text(app, (today() + timedelta(days=1)).isoformat())  # tomorrow: refused, nothing changes
        press_now(app, "enter")
        await settle(pilot, lambda: "still to come" in form_status(app))
        assert app.screen is form and Loan.get().claimed_returned_at is None
        type_text(app, reported.isoformat())  # the cursor is back in the day, its text selected
        press_now(app, "enter")
        await settle(pilot, lambda: "Claim recorded" in status(screen))
        assert f"reported by his mother, by phone on {reported.isoformat()}" in status(screen)
    loan = Loan.get()
    assert loan.claim_reported_by == "his mother, by phone" and loan.claimed_by_id == lib.clerk.id
    assert local_date(loan.claimed_returned_at, ZONE) == reported
    assert Item.get_by_id(book.id).status == "claims returned"
    event = AuditEvent.get(AuditEvent.action == "loan.claimed_returned")
    assert "his mother" in event.new and reported.isoformat() in event.new


def test_a_claim_reported_days_ago_stops_the_fine_that_day_and_bad_days_change_nothing(lib):
    from counter_tui.models import AuditEvent, Fee, Item
    from counter_tui.services.circulation import lending, losses
    from tests.conftest import NOW
    lib.rule(fine_amount=10, fine_interval_days=1, grace_days=0, fine_cap=None, fine_cap_at_price=False,
             fines_skip_closed=False)
    day = local_date(NOW, ZONE)
    reader, book = lib.patron(name="Li Lei"), lib.item()
    loan = lib.loan(book, reader, day - timedelta(days=33), day - timedelta(days=5))  # 5 days late today
    before = (Loan.get_by_id(loan.id).claimed_returned_at, Item.get_by_id(book.id).status, AuditEvent.select().count())
    for kwargs, refused in (({"reported_on": day + timedelta(days=1)}, "still to come"),
                            ({"reported_on": day - timedelta(days=40)}, "was lent on"),
                            ({"reported_by": "x" * 101}, "at most 100 characters")):
        with pytest.raises(Refusal, match=refused) as raised:
            losses.claim_returned(lib.clerk, loan.id, NOW, **kwargs)
        assert raised.value.field in ("reported_on", "reported_by")
    assert (Loan.get_by_id(loan.id).claimed_returned_at, Item.get_by_id(book.id).status,
            AuditEvent.select().count()) == before
    done = losses.claim_returned(lib.clerk, loan.id, NOW, reported_on=day - timedelta(days=2))
    assert (done.reported_by, done.reported_on) == ("Li Lei", day - timedelta(days=2))  # the reader, by default
    from counter_tui.services.circulation import explain
    said = explain.explain_fine(lib.clerk, loan.id, NOW).lines()
    assert f"Claimed returned {day - timedelta(days=2)} (reported by Li Lei): the fine stops on that day." in said
    back = lending.checkin(lib.clerk, book.barcode, NOW + timedelta(days=10))  # found ten days later
    assert back.fine == 30  # three days late on the day reported, not five, not fifteen
    assert Fee.get(Fee.kind == "overdue").amount == 30


# -- fines explain: the payments, waivers and refunds, and what is left -----------------------------

def test_fines_explain_lists_payments_waivers_refunds_and_what_is_left(lib, settings, monkeypatch, capsys):
    from counter_tui import cli
    from counter_tui.models import Fee
    from counter_tui.services.admin import staff
    from counter_tui.services.circulation import explain, lending
    from counter_tui.services.fees import payments
    from tests.conftest import NOW
    curator = staff.add_staff(None, "head", "Head", "correct horse", ["curator"], NOW)
    lib.rule(fine_amount=10, fine_interval_days=1, grace_days=0, fine_cap=None, fine_cap_at_price=False,
             fines_skip_closed=False)
    day = local_date(NOW, ZONE)
    reader = lib.patron(name="Li Lei")
    older = Fee.create(patron=reader.id, kind="card", amount=500, at=NOW - timedelta(days=60), note="new card")
    book = lib.item(title="Dune")
    loan = lib.loan(book, reader, day - timedelta(days=40), day - timedelta(days=12))
    lending.checkin(lib.clerk, book.barcode, NOW)  # 12 days late: ¥1.20
    assert "Paid by the reader: nothing yet." in explain.explain_fine(lib.clerk, loan.id, NOW).lines()
    payments.pay(lib.clerk, reader.id, 550, NOW + timedelta(hours=1), receipt=False)  # ¥5.00 card, ¥0.50 fine
    fine = Fee.get(Fee.kind == "overdue")
    payments.waive(curator, reader.id, fine.id, "first time late", 30, NOW + timedelta(hours=2))
    payments.pay(lib.clerk, reader.id, 20, NOW + timedelta(hours=3), receipt=False)
    lines = explain.explain_fine(lib.clerk, loan.id, NOW + timedelta(hours=4)).lines()
    text = "\n".join(lines)
    assert "waiver        -¥0.30  first time late" in text
    assert f"{day}  payment       -¥0.50  of ¥5.50 paid that day" in text  # the card took the rest
    assert f"{day}  payment       -¥0.20  the whole payment" in text
    assert lines[-1] == "Left to pay for this loan: ¥0.20."
    payments.refund(curator, reader.id, fine.id, "paid by mistake", 20, NOW + timedelta(hours=5), pay_out=False)
    lines = explain.explain_fine(lib.clerk, loan.id, NOW + timedelta(hours=6)).lines()
    assert "refund        -¥0.20  paid by mistake" in "\n".join(lines)
    assert lines[-1] == "Left to pay for this loan: ¥0.00."  # the refunded money paid the ¥0.20 left
    # the command line prints the same lines
    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", "/nonexistent/none.toml")
    monkeypatch.setattr(cli, "_open", lambda args, url=None, need_schema=True: settings)
    capsys.readouterr()
    cli.main(["fines", "explain", str(loan.id), "--as", "clerk"])
    out = capsys.readouterr().out
    assert "Paid by the reader (payments cover the oldest charges first):" in out
    assert "first time late" in out and "Left to pay for this loan: ¥0.00." in out
    assert payments.statement(reader.id).charge(older.id).paid == 500  # the older charge was paid first
    assert all(sum(p.amount for p in c.paid_by) == c.paid for c in payments.statement(reader.id).charges)
