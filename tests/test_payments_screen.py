"""Fees and losses on the Readers screen, from the keyboard at 80x24 (Ctrl+S menu)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from counter_tui.app import CounterApp
from counter_tui.domain.calendar import utc_now
from counter_tui.models import Fee, Item, Loan
from counter_tui.screens.readers.reader_form import FormScreen
from counter_tui.services.printing import slips
from counter_tui.widgets.decision import Decision
from counter_tui.widgets.patron_panel import PatronPanel
from tests.test_desk_screens import settle, status
from tests.test_readers_screen import TODAY, form_status, open_record, press_now, type_text


@pytest.fixture(autouse=True)
def slip_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(slips.ENV_SLIPS, str(tmp_path / "slips"))
    monkeypatch.delenv(slips.ENV_PRINT, raising=False)


async def menu(app, pilot, key: str) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot, lambda: isinstance(app.screen, Decision))
    await pilot.press(key)


async def test_part_payment_from_the_menu_prints_a_receipt(lib, settings):
    reader = lib.patron(name="Li Lei")
    Fee.create(patron=reader.id, kind="overdue", amount=900, at=utc_now() - timedelta(days=3), note="late")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        await menu(app, pilot, "p")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        press_now(app, "ctrl+u")  # the field offers the whole balance, ¥9.00
        type_text(app, "2.5")
        await pilot.press("enter")
        await settle(pilot, lambda: "Paid ¥2.50" in status(screen))
        assert "Balance now ¥6.50" in status(screen) and "Receipt saved" in status(screen)
        assert Fee.get(Fee.kind == "payment").amount == -250
        assert "Fee receipt" in slips.last_slip()


async def test_a_plain_clerk_is_refused_a_waiver_before_the_form(lib, settings):
    reader = lib.patron()
    Fee.create(patron=reader.id, kind="overdue", amount=900, at=utc_now(), note="late")
    app = CounterApp(settings, lib.clerk)  # circulation only
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        await menu(app, pilot, "w")
        await settle(pilot, lambda: "Only the curator may waive fees" in status(screen))
        assert not isinstance(app.screen, FormScreen)
        assert Fee.select().count() == 1


async def test_a_refused_payment_keeps_the_form_open_and_changes_nothing(lib, settings):
    reader = lib.patron()
    Fee.create(patron=reader.id, kind="overdue", amount=300, at=utc_now(), note="late")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(app, pilot, reader.card)
        await menu(app, pilot, "p")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        press_now(app, "ctrl+u")
        type_text(app, "5")
        await pilot.press("enter")
        await settle(pilot, lambda: "more than that" in form_status(app))
        assert isinstance(app.screen, FormScreen) and Fee.select().count() == 1


async def test_declare_the_selected_loan_lost_with_one_key(lib, settings):
    reader, book = lib.patron(), lib.item(price=3000)
    lib.loan(book, reader, TODAY - timedelta(days=10), TODAY + timedelta(days=18))
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)  # opens on the Loans tab
        await menu(app, pilot, "l")
        await settle(pilot, lambda: isinstance(app.screen, Decision) and "Declare" in app.screen.question)
        assert "¥30.00" in app.screen.question
        await pilot.press("y")
        await settle(pilot, lambda: "Declared lost" in status(screen))
        assert Item.get_by_id(book.id).status == "lost" and Loan.get().lost_at is not None
        assert Fee.get(Fee.kind == "lost").amount == 3000


async def test_claims_returned_from_the_menu(lib, settings):
    reader, book = lib.patron(), lib.item()
    lib.loan(book, reader, TODAY - timedelta(days=40), TODAY - timedelta(days=12))
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        await menu(app, pilot, "c")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))  # who and when: the reader, today
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "Claim recorded" in status(screen))
        assert Item.get_by_id(book.id).status == "claims returned"
        assert Loan.get().claimed_by_id == lib.clerk.id and Loan.get().claim_reported_by == reader.name


async def test_a_reader_in_credit_is_shown_so_and_paid_out(lib, settings):
    reader = lib.patron()
    charge = Fee.create(patron=reader.id, kind="lost", amount=500, at=utc_now(), note="lost")
    Fee.create(patron=reader.id, kind="payment", amount=-500, at=utc_now(), note="paid")
    Fee.create(patron=reader.id, kind="refund", amount=-500, at=utc_now(), applies_to=charge.id, note="found")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(app, pilot, reader.card)
        assert "in credit ¥5.00" in str(screen.query_one(PatronPanel).content)
        await menu(app, pilot, "o")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("enter")  # the whole credit
        await settle(pilot, lambda: "Hand ¥5.00 back" in status(screen))
        assert Fee.get(Fee.kind == "payout").amount == 500
        assert "owes nothing" in str(screen.query_one(PatronPanel).content)


async def test_opening_a_reader_past_the_claims_limit_warns(lib, settings):
    settings.claims_returned_limit = 0
    try:
        reader, book = lib.patron(), lib.item()
        loan = lib.loan(book, reader, TODAY - timedelta(days=40), TODAY - timedelta(days=12))
        Loan.update(claimed_returned_at=utc_now()).where(Loan.id == loan.id).execute()
        app = CounterApp(settings, lib.clerk)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_record(app, pilot, reader.card)
            await settle(pilot, lambda: "Has claimed 1 book returned, more than the library's limit of 0" in status(screen))
    finally:
        settings.claims_returned_limit = 3
