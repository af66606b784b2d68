"""A desk killed with SIGKILL in the middle of a burst of scans loses nothing it showed.

The real program runs on a pseudo-terminal; scans are written as a scanner types them.
Every loan the screen acknowledged (a result line with the book's title) must be in
the database afterwards, the database must open cleanly and the invariants must hold.
"""
from __future__ import annotations

import os
import re
import signal
import sys
import time
from pathlib import Path

from benchmarks.pty_harness import PtyProcess, strip_ansi
from counter_tui import db
from counter_tui.models import Loan, PatronCategory
from tests.test_two_desks import assert_books_agree_with_loans

DESK = str(Path(sys.executable).with_name("counter-tui"))


def test_sigkill_mid_burst_keeps_every_acknowledged_scan(lib, settings, tmp_path):
    PatronCategory.update(loan_limit=500).execute()
    reader = lib.patron(name="Crash Reader")
    books = {lib.item(title=f"Book {n:03d}").barcode: n for n in range(600)}
    env = dict(os.environ, COUNTER_TUI_CONFIG=str(tmp_path / "none.toml"), TZ="Asia/Shanghai")
    term = PtyProcess([DESK, "--db", settings.db_url], cols=100, rows=30, env=env)
    try:
        term.wait_for(b"Username", timeout=20, strip=True)
        term.write(b"clerk\rcorrect horse\r")
        term.wait_for(b"Check out", timeout=20, strip=True)
        term.write(reader.card.encode() + b"\r")
        term.wait_for(b"Crash Reader", timeout=20, strip=True)
        mark = term.mark()
        term.write(b"".join(code.encode() + b"\r" for code in books))  # the whole pile, at once
        term.wait_for(re.compile(rb"\d{14}\s+Book \d{3}"), after=mark, timeout=30, strip=True)
        os.killpg(term.proc.pid, signal.SIGKILL)  # mid-burst: later scans are still queued
        term.proc.wait(10)
        time.sleep(0.2)
        screen = strip_ansi(term.output(mark)).decode(errors="replace")
    finally:
        term.close(quit_bytes=b"")
    shown = {int(n) for code, n in re.findall(r"(\d{14})\s+Book (\d{3})", screen) if code in books}
    assert shown, "the screen acknowledged no loan before the kill"
    db.database.close()
    db.connect(settings.db_url)
    assert db.storage_problems() == []
    assert_books_agree_with_loans()
    lent = {books[code] for (code,) in Loan.select(Loan.item.barcode).join(Loan.item.rel_model)
            .where(Loan.patron == reader.id, Loan.returned_at.is_null()).tuples()}
    assert shown <= lent  # everything the clerk saw lent is lent
    assert len(lent) < len(books)  # and the kill really came mid-burst
