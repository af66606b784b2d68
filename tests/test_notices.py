"""Overdue notices at three levels, hold-ready notices, each sent once, as letters (PDF, signed by the desk)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from counter_tui.models import AuditEvent, Biblio, Hold, Loan, Notice, PatronCategory
from counter_tui.services.circulation import notices
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied
from tests import printed
from tests.conftest import NOW

TODAY = date(2026, 11, 25)  # NOW's local day


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv(notices.ENV_NOTICES, str(tmp_path / "notices"))
    return tmp_path / "notices"


def overdue_by(lib, reader, days, title="Dune"):
    book = lib.item(title=title)
    return lib.loan(book, reader, TODAY - timedelta(days=days + 28), TODAY - timedelta(days=days))


def test_levels_follow_the_readers_category(lib):
    PatronCategory.update(notice1_days=7, notice2_days=21, notice3_days=42).execute()
    reader = lib.patron(name="Li Lei")
    overdue_by(lib, reader, 3, "Not yet")
    first = overdue_by(lib, reader, 7, "First")
    second = overdue_by(lib, reader, 30, "Second")
    third = overdue_by(lib, reader, 42, "Third")
    due = notices.due_notices(NOW)
    assert {(line.loan_id, line.level, line.days_overdue) for line in due} == {
        (first.id, 1, 7), (second.id, 2, 30), (third.id, 3, 42)}


def test_each_level_goes_out_once_and_the_next_level_later(lib, folder):
    reader = lib.patron(name="Li Lei")
    loan = overdue_by(lib, reader, 8)
    done = notices.produce(lib.clerk, now=NOW)
    assert (done.notices, done.readers, len(done.files)) == (1, 1, 1)
    assert done.files[0].parent == folder and done.files[0].suffix == ".pdf"
    [letter] = printed.pages(done.files[0])
    assert letter.startswith("Test Library Overdue notice: first reminder To: Li Lei")
    assert "First reminder: these books are overdue" in letter and "Date: 2026-11-25" in letter
    assert "Dune" in letter and "8 days first reminder" in letter
    assert "Books overdue 1 Thank you. For the circulation desk Name: Desk Clerk" in letter
    assert letter.endswith("Page 1 of 1")
    assert notices.due_notices(NOW) == []  # sent: not due again
    assert notices.produce(lib.clerk, now=NOW).notices == 0
    later = NOW + timedelta(days=14)  # 22 days overdue: the second level
    assert [(line.loan_id, line.level) for line in notices.due_notices(later)] == [(loan.id, 2)]
    notices.produce(lib.clerk, now=later)
    assert [(n.level, n.kind) for n in Notice.select().order_by(Notice.id)] == [(1, "overdue"), (2, "overdue")]
    assert AuditEvent.select().where(AuditEvent.action == "notice.sent").count() == 2


def test_a_loan_past_several_levels_gets_only_the_highest(lib, folder):
    reader = lib.patron()
    overdue_by(lib, reader, 50)
    notices.produce(lib.clerk, now=NOW)
    assert [n.level for n in Notice.select()] == [3]
    assert notices.due_notices(NOW + timedelta(days=30)) == []


def test_returned_lost_and_claimed_loans_get_no_notice(lib):
    reader = lib.patron()
    for field in ("returned_at", "lost_at", "claimed_returned_at"):
        loan = overdue_by(lib, reader, 10, title=field)
        Loan.update({getattr(Loan, field): NOW}).where(Loan.id == loan.id).execute()
    assert notices.due_notices(NOW) == []


def test_one_sheet_holds_every_reader_and_hold_ready_notices(lib, folder):
    li, wang = lib.patron(name="Li Lei"), lib.patron(name="Wang Fang")
    overdue_by(lib, li, 10, "Overdue book")
    book = lib.item(title="Held book", status="on hold shelf")
    Hold.create(biblio=book.biblio, item=book, patron=wang, status="ready", placed_at=NOW,
                ready_at=NOW, pickup_by=TODAY + timedelta(days=7))
    done = notices.produce(lib.clerk, one_sheet=True, now=NOW)
    assert (done.notices, done.readers, len(done.files)) == (2, 2, 1)
    li_letter, wang_letter = printed.pages(done.files[0])  # a letter per reader, each on its own pages
    assert "To: Li Lei" in li_letter and "Overdue book" in li_letter and "Held book" not in li_letter
    assert "To: Wang Fang" in wang_letter and "Overdue book" not in wang_letter
    assert "Books waiting for you" in wang_letter and "Held book" in wang_letter and "2026-12-02" in wang_letter
    assert printed.page_numbers([li_letter, wang_letter]) == [(1, 1), (1, 1)]
    assert notices.due_notices(NOW) == []


def test_a_role_that_may_not_send_notices_is_refused_and_nothing_is_written(lib, folder):
    cataloguer = staff.add_staff(None, "cat", "Cataloguer", "correct horse", ["cataloging"], NOW)
    overdue_by(lib, lib.patron(), 10)
    with pytest.raises(PermissionDenied):
        notices.produce(cataloguer, now=NOW)
    assert Notice.select().count() == 0 and not folder.exists()


def test_letters_are_removed_when_recording_them_fails(lib, folder, monkeypatch):
    overdue_by(lib, lib.patron(), 10)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(notices.audit, "record", broken)
    with pytest.raises(RuntimeError):
        notices.produce(lib.clerk, now=NOW)
    assert Notice.select().count() == 0 and list(folder.iterdir()) == []


def test_notices_another_desk_sends_while_the_letters_are_drawn_are_not_sent_twice(lib, folder, monkeypatch):
    li, wang = lib.patron(name="Li Lei"), lib.patron(name="Wang Fang")
    li_loan = overdue_by(lib, li, 10, "Overdue book")
    overdue_by(lib, wang, 10, "Another book")
    draw, drawn = notices.letter, []

    def drawn_while_another_desk_sends(lines, now, actor):
        if not drawn:  # the other desk records Li Lei's notice between the drawing and the recording
            Notice.create(patron=li, kind="overdue", level=1, loan=li_loan, at=NOW, file="elsewhere")
        drawn.append(lines[0].patron_name)
        return draw(lines, now, actor)
    monkeypatch.setattr(notices, "letter", drawn_while_another_desk_sends)
    done = notices.produce(lib.clerk, now=NOW)
    assert drawn == ["Li Lei", "Wang Fang", "Wang Fang"]  # drawn again without Li Lei's
    assert (done.notices, done.readers) == (1, 1) and list(folder.iterdir()) == list(done.files)
    assert "To: Wang Fang" in printed.pages(done.files[0])[0]
    assert Notice.select().where(Notice.patron == li).count() == 1 and Notice.select().count() == 2


def test_chinese_letters_run_over_pages_and_each_counts_its_own(lib, folder):
    li, wang = lib.patron(name="李雷"), lib.patron(name="王芳")
    for n in range(45):
        overdue_by(lib, li, 10 + n, f"平凡的世界 第{n + 1}部")
    overdue_by(lib, wang, 50, "活着")
    done = notices.produce(lib.clerk, one_sheet=True, now=NOW)
    pages = printed.pages(done.files[0])
    li_pages = printed.page_numbers(pages)[0][1]  # Li Lei's letter, then Wang Fang's on a page of its own
    printed.assert_paged(pages[:li_pages], "Overdue notice: final notice", "Title Barcode Due Overdue Notice")
    assert printed.page_numbers(pages[li_pages:]) == [(1, 1)]
    li_text = " ".join(pages[:li_pages])
    assert all(f"平凡的世界 第{n + 1}部" in li_text for n in range(45)) and "To: 李雷" in li_text
    assert "Books overdue 45" in pages[li_pages - 1] and "declared lost" in li_text
    assert "To: 王芳" in pages[-1] and "活着" in pages[-1] and "Books overdue 1" in pages[-1]
    assert notices.produce(lib.clerk, now=NOW).notices == 0


def test_the_command_prints_pdf_letters_and_says_where(lib, settings, folder, monkeypatch, capsys):
    from counter_tui import cli
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(folder.parent / "none.toml"))
    monkeypatch.setenv("COUNTER_TUI_PASSWORD", "correct horse")
    overdue_by(lib, lib.patron(name="李雷"), 9, "红楼梦")
    overdue_by(lib, lib.patron(name="Wang Fang"), 9, "Dune")
    cli.main(["notices", "--as", "clerk", "--db", settings.db_url])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2 notices for 2 readers, as PDF letters in 2 files:"
    letters = sorted(folder.iterdir())
    assert sorted(out[1:]) == [str(p) for p in letters] and all(p.suffix == ".pdf" for p in letters)
    assert {"红楼梦" in printed.pages(p)[0] for p in letters} == {True, False}
    cli.main(["notices", "--as", "clerk", "--db", settings.db_url])
    assert capsys.readouterr().out == "0 notices for 0 readers.\n"


async def test_the_notices_screen_lists_them_and_p_prints_letters(lib, settings, folder):
    from counter_tui.app import CounterApp
    from counter_tui.screens.circulation.notices import NoticesScreen
    from tests.test_care_screens import open_tool
    from tests.test_desk_screens import rows, settle, status
    from counter_tui.widgets.decision import Decision
    overdue_by(lib, lib.patron(name="Li Lei"), 9, "Dune")
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_tool(app, pilot, "notices")  # F9, then the entry's key
        assert isinstance(screen, NoticesScreen), type(screen)
        await settle(pilot, lambda: "1 notice for 1 reader." in status(screen))
        assert rows(screen, "#notices")[0][0] == "Li Lei" and "first reminder" in rows(screen, "#notices")[0][1]
        await pilot.press("p")
        await settle(pilot, lambda: isinstance(app.screen, Decision))  # 1 letter for 1 reader: Y prints it
        await pilot.press("y")
        await settle(pilot, lambda: "Printed 1 notice" in status(screen))
        assert rows(screen, "#notices") == []
        [letter] = list(folder.iterdir())
        assert f"Printed 1 notice for 1 reader: {letter}" in status(screen) and letter.suffix == ".pdf"
    assert Notice.select().count() == 1 and "Dune" in printed.pages(letter)[0]
