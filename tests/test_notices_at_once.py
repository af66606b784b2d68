"""Notices exactly once: two `notices` runs at the same moment send each letter once (a unique
(loan, level) in the schema, and row locks on PostgreSQL), and every recorded letter's file exists."""
from __future__ import annotations

import threading
from datetime import timedelta

import peewee
import pytest

from counter_tui import db
from counter_tui.models import AuditEvent, Hold, Notice
from counter_tui.services.circulation import notices
from tests.conftest import NOW
from tests.test_notices import TODAY, overdue_by


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv(notices.ENV_NOTICES, str(tmp_path / "notices"))
    return tmp_path / "notices"


def test_the_schema_keeps_one_notice_per_loan_and_level(lib):
    reader = lib.patron()
    loan = overdue_by(lib, reader, 10)
    Notice.create(patron=reader, kind="overdue", level=1, loan=loan, at=NOW)
    with pytest.raises(peewee.IntegrityError):
        db.write(lambda: Notice.create(patron=reader, kind="overdue", level=1, loan=loan, at=NOW))
    Notice.create(patron=reader, kind="overdue", level=2, loan=loan, at=NOW)  # the next level is its own
    assert Notice.select().count() == 2


def test_two_runs_at_once_send_each_notice_once(lib, folder, monkeypatch):
    li, wang = lib.patron(name="Li Lei"), lib.patron(name="Wang Fang")
    overdue_by(lib, li, 10, "Overdue book")
    overdue_by(lib, li, 30, "Long overdue")
    overdue_by(lib, wang, 50, "Very long overdue")
    book = lib.item(title="Held book", status="on hold shelf")
    Hold.create(biblio=book.biblio, item=book, patron=wang, status="ready", placed_at=NOW,
                ready_at=NOW, pickup_by=TODAY + timedelta(days=7))
    due = notices.due_notices(NOW)
    assert len(due) == 4

    # Both runs draw their letters before either records them; then each, inside its transaction,
    # waits a moment after checking what is still due, so that without locks both would record.
    drawn, checked = threading.Barrier(2), threading.Barrier(2, timeout=1.0)
    local = threading.local()
    draw, still_due = notices.letter, notices.due_notices

    def drawing(lines, now, actor):
        if not getattr(local, "drawn", False):
            local.drawn = True
            drawn.wait(30)
        return draw(lines, now, actor)

    def checking(now=None):
        lines = still_due(now)
        if db.database.in_transaction():
            try:
                checked.wait()
            except threading.BrokenBarrierError:  # the other run waits for this one's locks
                pass
        return lines

    monkeypatch.setattr(notices, "letter", drawing)
    monkeypatch.setattr(notices, "due_notices", checking)
    results, problems = [], []

    def run():
        try:
            with db.database.connection_context():
                results.append(notices.produce(lib.clerk, now=NOW))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            problems.append(exc)

    runs = [threading.Thread(target=run) for _ in range(2)]
    for t in runs:
        t.start()
    for t in runs:
        t.join()
    assert problems == []
    assert sorted(r.notices for r in results) == [0, 4]  # one run sent them all, the other nothing
    sent = list(Notice.select().order_by(Notice.id))
    assert sorted((n.loan_id or 0, n.hold_id or 0, n.level) for n in sent) == sorted(
        (line.loan_id or 0, line.hold_id or 0, line.level) for line in due)
    assert AuditEvent.select().where(AuditEvent.action == "notice.sent").count() == 4
    # every recorded letter exists, and no letter of the run that sent nothing is left behind
    files = {n.file for n in sent}
    assert all(folder.joinpath(f).exists() for f in files)
    assert {str(p) for p in folder.iterdir()} == files
    monkeypatch.undo()
    assert notices.due_notices(NOW) == []
