"""check, backup and restore, on a library that desks are busy with."""
from __future__ import annotations

import threading

import pytest

from counter_tui import db
from counter_tui.models import Item, Loan, PatronCategory
from counter_tui.services.admin import backup, check, staff
from counter_tui.services.circulation import lending
from counter_tui.services.errors import Refusal
from tests.conftest import NOW
from tests.test_two_desks import assert_books_agree_with_loans, start_desks


def failed(results):
    return {r.name: r.problems for r in results if not r.ok}


@pytest.fixture
def head(clerk):
    """The curator, who backs up and restores."""
    return staff.add_staff(None, "head", "Head Librarian", "correct horse", ["curator"], NOW)


def test_check_passes_on_a_sound_library_and_names_each_problem(lib):
    reader, lent, idle = lib.patron(), lib.item(), lib.item()
    lending.checkout(lib.clerk, reader.id, lent.barcode)
    assert failed(check.run_checks()) == {}
    Item.update(status="checked out").where(Item.id == idle.id).execute()
    Item.update(status="available").where(Item.id == lent.id).execute()
    problems = failed(check.run_checks())
    assert set(problems) == {"copy status agrees with loans"}
    assert sorted(problems["copy status agrees with loans"]) == sorted([
        f"copy {idle.barcode} is 'checked out' but has no open loan",
        f"copy {lent.barcode} is 'available' but has an open loan"])


def test_check_finds_a_fee_of_the_wrong_sign(lib):
    from counter_tui.models import Fee
    reader = lib.patron()
    Fee.create(patron=reader, kind="payment", amount=500, at=lib.clerk.created_at)
    assert "fee ledger" in failed(check.run_checks())


def test_backup_while_desks_write_then_restore(lib, head, settings, tmp_path):
    PatronCategory.update(loan_limit=100, max_overdue=0).execute()
    readers = [lib.patron(name=f"Reader {n}") for n in range(5)]
    items = [lib.item(title=f"Book {n}") for n in range(12)]
    copies = []

    def take_backups():
        import time
        for n in range(3):
            time.sleep(0.8)
            copies.append(backup.backup(head, tmp_path / f"backup{n}.bak"))

    taker = threading.Thread(target=take_backups)
    taker.start()
    results = start_desks(settings.db_url, 2, 3.5, [i.barcode for i in items], [r.id for r in readers])
    taker.join()
    assert all(r["errors"] == [] for r in results)
    assert len(copies) == 3
    loans_now = Loan.select().count()
    backup.restore(head, copies[0])
    assert Loan.select().count() < loans_now  # the desks' later work is gone: it is the old state
    assert failed(check.run_checks()) == {}
    assert_books_agree_with_loans()


def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(lib, head, tmp_path):
    reader, book = lib.patron(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode)
    junk = tmp_path / "junk.bak"
    junk.write_bytes(b"this is not a database" * 100)
    for path, expected in [(junk, "not a counter-tui backup|failed"), (tmp_path / "missing.bak", "no backup file")]:
        with pytest.raises(Refusal, match=expected):
            backup.restore(head, path)
    assert Loan.select().count() == 1 and db.storage_problems() == []


def test_backup_refuses_to_overwrite(lib, head, tmp_path):
    target = tmp_path / "exists.bak"
    target.write_text("keep me")
    with pytest.raises(Refusal, match="already exists"):
        backup.backup(head, target)
    assert target.read_text() == "keep me"


def test_backup_and_restore_are_the_curator_s_and_check_the_curator_s_or_the_office_s_audited(lib, head, tmp_path,
                                                                                           monkeypatch):
    import json

    import peewee

    from counter_tui.models import AuditEvent
    from counter_tui.services import audit
    from counter_tui.services.errors import PermissionDenied
    office = staff.add_staff(None, "office1", "Office Clerk", "correct horse", ["office"], NOW)
    copy = backup.backup(head, tmp_path / "kept.bak")
    events = AuditEvent.select().count()
    for who in (lib.clerk, office, None):
        with pytest.raises(PermissionDenied, match="^Only the curator may back up the library"):
            backup.backup(who, tmp_path / "other.bak")
        with pytest.raises(PermissionDenied, match="^Only the curator may restore the library from a backup"):
            backup.restore(who, copy)
    with pytest.raises(PermissionDenied, match="^Only the curator or office staff may check the library"):
        check.check_library(lib.clerk)
    assert AuditEvent.select().count() == events and not (tmp_path / "other.bak").exists()
    assert failed(check.check_library(office)) == {}
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.action, event.staff_id, json.loads(event.new)) == ("library.check", office.id, {"failed": []})

    def refused(*args, **kwargs):
        raise peewee.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(audit, "record", refused)  # a library that takes no event: said, as one more failed check
    assert failed(check.check_library(head)) == {
        "the check is recorded in the audit trail": ("the database refused the event: attempt to write a "
                                                      "readonly database",)}


def test_postgresql_tools_get_the_password_in_their_environment_never_in_their_arguments(tmp_path, monkeypatch):
    import shutil
    import subprocess

    from counter_tui import db
    calls = []
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append((args, kw.get("env") or {}))
                        or subprocess.CompletedProcess(args, 0, "", ""))
    db.connect("postgresql://clerk:s3cret@db.example.org:5433/library")  # peewee connects lazily: no server needed
    db.backup_to(tmp_path / "lib.dump")
    db.restore_from(tmp_path / "lib.dump")
    assert len(calls) == 2
    for args, env in calls:
        assert not any("s3cret" in a for a in args) and env.get("PGPASSWORD") == "s3cret"
        assert any("clerk@db.example.org:5433/library" in a for a in args)
    assert db.shown("postgresql://clerk:s3cret@db.example.org/library") == "postgresql://clerk:***@db.example.org/library"


def test_a_database_that_cannot_be_reached_is_one_sentence_without_the_password(capsys):
    from counter_tui import cli
    with pytest.raises(SystemExit) as stopped:
        cli.main(["check", "--db", "postgresql://clerk:s3cret@127.0.0.1:1/library"])
    assert str(stopped.value.code).startswith("Cannot open the library at postgresql://clerk:***@127.0.0.1:1/library")
    assert "s3cret" not in str(stopped.value.code) + capsys.readouterr().err
