"""A scanner faster than any real one: every scan must arrive whole and in order."""
from __future__ import annotations

from textual import events

from counter_tui.app import CounterApp
from counter_tui.models import Loan
from counter_tui.widgets.scan_input import ScanInput
from tests.test_desk_screens import rows, settle


async def test_twenty_four_scans_with_mixed_terminators_are_lent_in_order(lib, settings):
    reader = lib.patron()
    lib.rule(loan_days=14)
    from counter_tui.models import PatronCategory
    PatronCategory.update(loan_limit=50).execute()
    books = [lib.item(title=f"Book {n:02d}") for n in range(23)]
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        codes = [reader.card] + [b.barcode for b in books]
        for n, code in enumerate(codes):
            # Codabar start/stop letters on some scans, LF on every third, CR on the rest
            text = f"A{code}B" if n % 4 == 1 else code
            for ch in text:
                key = events.Key(ch, ch)
                key.set_sender(app)
                app._driver.send_message(key)
            end = events.Key("ctrl+j", "\n") if n % 3 == 0 else events.Key("enter", "\r")
            end.set_sender(app)
            app._driver.send_message(end)
        await settle(pilot, lambda: screen.lines == len(books), timeout=30)
        assert [line[0] for line in rows(screen)] == [b.barcode for b in books]
        # a merged or cut scan would have left a refusal line; every line is a loan
        assert all(not line[0].startswith("✗") for line in rows(screen))
        assert screen.queue.empty()
    loans = list(Loan.select().order_by(Loan.id))
    assert [loan.item_id for loan in loans] == [b.id for b in books]


async def test_paste_of_several_lines_is_several_scans(lib, settings):
    reader, a, b = lib.patron(), lib.item(title="A"), lib.item(title="B")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one(ScanInput).post_message(events.Paste(f"{reader.card}\r\n{a.barcode}\n{b.barcode}\n"))
        await settle(pilot, lambda: screen.lines == 2)
        assert [r[1] for r in rows(screen)] == ["A", "B"]


async def test_a_correction_typed_in_the_same_burst_applies_in_its_turn(lib, settings):
    reader = lib.patron()
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        for key, char in [*((c, c) for c in reader.card[:-1] + "7"), ("backspace", None),
                          (reader.card[-1], reader.card[-1]), ("enter", "\r")]:
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)  # all at once, as over a slow ssh link
        await settle(pilot, lambda: screen.patron is not None or screen.lines)
        assert screen.patron is not None and screen.patron.card == reader.card


async def test_sign_in_with_a_corrected_password_typed_ahead(lib, settings):
    from counter_tui.screens.circulation.checkout import CheckoutScreen
    app = CounterApp(settings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = [*((c, c) for c in "clerk"), ("enter", "\r"), *((c, c) for c in "correct horsX"),
                ("backspace", None), ("e", "e"), ("enter", "\r")]
        for key, char in keys:
            event = events.Key("space" if char == " " else key, char)
            event.set_sender(app)
            app._driver.send_message(event)
        await settle(pilot, lambda: isinstance(app.screen, CheckoutScreen))


async def test_ctrl_q_behind_a_burst_quits_only_after_every_scan_is_answered(lib, settings):
    from textual import events as textual_events

    from counter_tui.app import CounterApp
    from tests.test_desk_screens import burst
    reader = lib.patron(name="Li Lei")
    books = [lib.item(title=f"Book {n}") for n in range(5)]
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, reader.card, *(b.barcode for b in books))
        quit_key = textual_events.Key("ctrl+q", None)
        quit_key.set_sender(app)
        app._driver.send_message(quit_key)  # typed right behind the scans
        for _ in range(200):
            if app._exit:  # it has decided to quit
                break
            await pilot.pause(0.05)
    assert Loan.select().where(Loan.patron == reader.id).count() == 5
