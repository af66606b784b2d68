"""Restores that cannot half-happen (issue 20, item 5), the -wal file deleted under a desk (item 6), and
`check` on the damage it exists to find (item 7).

A restore checks the backup's whole schema and invariants before replacing anything, keeps a copy of
the library it replaces, and refuses while desks are open unless --force, saying what they would lose.
`check` names a missing, foreign, truncated, damaged, incomplete or empty database in a sentence with
a non-zero exit, and on PostgreSQL says what it checked (amcheck, the catalog) and what it did not.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from counter_tui import cli, db
from counter_tui.models import Item, Loan
from counter_tui.services.admin import backup, check, desks, staff
from counter_tui.services.circulation import lending
from counter_tui.services.errors import Refusal
from tests.conftest import NOW

HERE = Path(__file__).resolve().parents[1]
DESK = """
import sys
from counter_tui import db
from counter_tui.services.admin import desks
db.connect(sys.argv[1], application_name=desks.application_name("desk-7"))
db.database.execute_sql("SELECT 1")
desks.arrive("desk-7", "clerk")
print("ready", flush=True)
sys.stdin.read()  # open until the test closes its input
desks.leave()
"""


@pytest.fixture
def curator(lib):
    return staff.add_staff(None, "head", "Head Librarian", "correct horse", ["curator"], NOW)


@pytest.fixture
def command_line(settings, curator, tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the safety copies go to the data folder
    return ["--db", settings.db_url, "--as", "head"]


@pytest.fixture
def other_desk(settings):
    """Another desk process open on the library (its presence file, or its PostgreSQL connection)."""
    started = []

    def start():
        desk = subprocess.Popen([sys.executable, "-c", DESK, settings.db_url], cwd=HERE, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert desk.stdout.readline().strip() == "ready"
        started.append(desk)
        return desk

    yield start
    for desk in started:
        if desk.poll() is None:
            desk.stdin.close()
            desk.wait(timeout=20)


def lend(lib, n: int = 1) -> list[Item]:
    reader = lib.patron()
    books = [lib.item(title=f"Book {i}") for i in range(n)]
    for book in books:
        lending.checkout(lib.clerk, reader.id, book.barcode)
    return books


def loans_in(path: Path) -> int:
    with db.examined(path):
        return Loan.select().count()


# -- 5. restore ----------------------------------------------------------------------------------------

def test_restore_refuses_a_backup_that_lacks_tables_or_columns_and_changes_nothing(lib, curator, tmp_path, settings):
    lend(lib)
    if db.is_sqlite():  # the file: one table, and a version that says 7
        partial = tmp_path / "partial.db"
        connection = sqlite3.connect(partial)
        connection.execute("CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER)")
        connection.execute("INSERT INTO schema_version (version) VALUES (?)", (db.SCHEMA_VERSION,))
        connection.commit()
        connection.close()
    else:  # a whole backup, but of a library whose loans lost a column
        partial = tmp_path / "partial.pgdump"
        db.execute("ALTER TABLE loan DROP COLUMN renewals")
        db.backup_to(partial)
        db.execute("ALTER TABLE loan ADD COLUMN renewals INTEGER NOT NULL DEFAULT 0")
    with pytest.raises(Refusal) as refused:
        backup.restore(curator, partial)
    said = str(refused.value)
    assert said.startswith(f"{partial} is not a whole backup of this program's library (") and said.endswith(
        "; nothing was restored.")
    assert ("the table audit_event is missing" in said) if db.is_sqlite() else ("the column loan.renewals is missing"
                                                                               in said)
    assert Loan.select().count() == 1 and all(r.ok for r in check.run_checks(names=check.INVARIANTS))


def test_restore_refuses_a_backup_that_breaks_the_library_s_rules(lib, curator, tmp_path):
    book = lend(lib)[0]
    idle = lib.item(title="On the shelf")
    Item.update(status="checked out").where(Item.id == idle.id).execute()  # no loan: a broken invariant
    broken = tmp_path / "broken.bak"
    backup.backup(curator, broken)
    Item.update(status="available").where(Item.id == idle.id).execute()
    with pytest.raises(Refusal, match=rf"^{broken} breaks the library's rules \(copy status agrees with loans: "
                                      rf"copy {idle.barcode} is 'checked out' but has no open loan\); nothing was "
                                      "restored.$"):
        backup.restore(curator, broken)
    assert Item.get_by_id(idle.id).status == "available" and Loan.get(Loan.item == book.id).returned_at is None


def test_restore_keeps_a_copy_of_the_library_it_replaces_and_says_where(lib, curator, tmp_path, settings, monkeypatch):
    monkeypatch.setattr(backup.files, "files_root", lambda: tmp_path / "library")
    lend(lib)
    earlier = tmp_path / "earlier.bak"
    backup.backup(curator, earlier)
    lend(lib, 2)
    done = backup.restore(curator, earlier)
    assert Loan.select().count() == 1  # the backup's state
    assert done.safety_copy.parent == tmp_path / "library" / "backups"
    assert done.safety_copy.name.startswith("before-restore-") and oct(done.safety_copy.stat().st_mode)[-3:] == "600"
    assert loans_in(done.safety_copy) == 3  # the library as it was: nothing is lost for good
    assert done.desks == () and "2 checkout" in done.undone, done.undone


def test_the_restore_command_says_where_the_copy_is(lib, command_line, tmp_path, capsys):
    lend(lib)
    cli.main(["backup", str(tmp_path / "b.bak"), *command_line])
    cli.main(["restore", str(tmp_path / "b.bak"), *command_line])
    said = capsys.readouterr().out.splitlines()[-1]
    copy = Path(said.split(" is kept in ", 1)[1].removesuffix("."))
    assert said.startswith(f"Restored from {tmp_path / 'b.bak'}. The library as it was just before is kept in ")
    assert copy.parent == tmp_path / "data" / "counter-tui" / "backups" and copy.is_file()


def test_restore_refuses_while_a_desk_is_open_saying_what_it_would_lose_unless_forced(lib, curator, tmp_path,
                                                                                     other_desk):
    lend(lib)
    earlier = tmp_path / "earlier.bak"
    backup.backup(curator, earlier)
    lend(lib, 2)  # done after the backup: a restore undoes it
    desk = other_desk()
    with pytest.raises(Refusal) as refused:
        backup.restore(curator, earlier)
    said = str(refused.value)
    assert said.startswith("1 desk is open on this library: desk-7 (process ")
    assert ", clerk, open since " in said or not db.is_sqlite()  # the person signed in, where it is known
    assert "everything recorded since the backup was taken" in said and "2 checkout" in said
    assert "would go on showing loans, returns and readers that are no longer there" in said
    assert said.endswith("Close them (Ctrl+Q) and restore again, or restore with --force. Nothing was restored.")
    assert Loan.select().count() == 3
    done = backup.restore(curator, earlier, force=True)
    assert [d.desk for d in done.desks] == ["desk-7"] and Loan.select().count() == 1
    desk.stdin.close()
    desk.wait(timeout=20)


def test_a_desk_that_was_killed_is_not_counted(lib, curator, tmp_path, other_desk, settings):
    if not db.is_sqlite():
        pytest.skip("on PostgreSQL a killed desk's connections end with it")
    earlier = tmp_path / "earlier.bak"
    backup.backup(curator, earlier)
    desk = other_desk()
    assert [d.desk for d in desks.open_desks()] == ["desk-7"]
    os.kill(desk.pid, signal.SIGKILL)  # its file stays, its lock goes
    desk.wait(timeout=20)
    folder = Path(settings.db_url.removeprefix("sqlite:///") + desks.SUFFIX)
    assert list(folder.glob("*.desk"))
    assert desks.open_desks() == [] and not list(folder.glob("*.desk"))  # ignored, and tidied away
    backup.restore(curator, earlier)


# -- 6. the -wal file deleted under a desk -------------------------------------------------------------

def test_a_wal_file_deleted_under_an_open_desk_is_found_by_check_and_the_desk(lib, command_line, settings, other_desk,
                                                                              capsys):
    if not db.is_sqlite():
        pytest.skip("a file of SQLite's")
    lend(lib)
    path = settings.db_url.removeprefix("sqlite:///")
    desk = other_desk()
    desks.arrive("this desk", "clerk")  # this process is a desk too
    try:
        assert desks.wal_lost_here() == "" and desks.wal_problems() == []
        os.remove(path + "-wal")
        assert "-wal file has been deleted or replaced while this desk had it open" in desks.wal_lost_here()
        with pytest.raises(SystemExit) as stopped:
            cli.main(["check", *command_line])
        with pytest.raises(SystemExit, match="^The library's files are not as the open desks left them: the "
                                             "library.db-wal file that desk desk-7"):  # nor opened by a command
            cli.main(["backup", str(settings.db_url.removeprefix("sqlite:///")) + ".bak", *command_line])
    finally:
        desks.leave()
    out = capsys.readouterr().out
    assert "FAIL  the open desks' write-ahead log (-wal): 1 problem(s)" in out
    assert "library.db-wal file that desk desk-7 (process" in out and "has been deleted or replaced" in out
    assert "check(s) of the library's files failed" in str(stopped.value.code)
    assert "All checks passed" not in out
    desk.stdin.close()
    desk.wait(timeout=20)


async def test_the_desk_says_at_once_that_its_wal_file_was_deleted(lib, settings, tmp_path):
    if not db.is_sqlite():
        pytest.skip("a file of SQLite's")
    from counter_tui.app import CounterApp
    settings.files_folder = str(tmp_path / "library")
    path = settings.db_url.removeprefix("sqlite:///")
    app = CounterApp(settings, lib.clerk)
    desks.arrive(settings.desk, "clerk")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            os.remove(path + "-wal")
            app._check_library_files()
            await pilot.pause()
            said = [n.message for n in app._notifications]
            assert any("has been deleted or replaced while this desk had it open" in m for m in said)
    finally:
        desks.leave()
    assert "the library's files, watched by the desk" in (tmp_path / "library" / "logs" / "errors.log").read_text()


# -- 7. check on damage --------------------------------------------------------------------------------

def sqlite_library(settings) -> Path:
    if not db.is_sqlite():
        pytest.skip("a file of SQLite's")
    db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.database.close()
    return Path(settings.db_url.removeprefix("sqlite:///"))


def test_check_names_a_truncated_or_foreign_file_in_a_sentence(lib, command_line, settings, tmp_path):
    lend(lib, 3)
    path = sqlite_library(settings)
    whole = path.read_bytes()
    for damage, words in [(whole[: len(whole) // 2 + 100], "is truncated: "),
                          (b"PK\x03\x04 a zip, not a library" * 50, "is not an SQLite database")]:
        path.write_bytes(damage)
        with pytest.raises(SystemExit) as stopped:
            cli.main(["check", *command_line])
        said = str(stopped.value.code)
        assert said.startswith(str(path)) and words in said and "restore the last backup" in said, said
    path.write_bytes(whole)


def test_check_reports_damaged_pages_instead_of_a_traceback(lib, command_line, settings, capsys):
    lend(lib)
    for n in range(300):
        lib.patron(name=f"Reader {n}")
    path = sqlite_library(settings)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    pages = len(data) // page
    for number in range(pages - 4, pages - 1):  # a few pages of tables and indexes, far from the schema
        data[number * page + 8: number * page + 200] = bytes(range(192))
    path.write_bytes(bytes(data))
    with pytest.raises(SystemExit) as stopped:
        cli.main(["check", *command_line])
    out = capsys.readouterr().out
    said = str(stopped.value.code)
    assert "FAIL  database files" in out and "check(s) of the library's files failed, so its books" in said, out
    assert "restore the last backup" in said and "All checks passed" not in out


def test_check_names_every_missing_table_or_column(lib, command_line, capsys):
    db.execute("ALTER TABLE biblio DROP COLUMN edition")
    with pytest.raises(SystemExit) as stopped:
        cli.main(["check", *command_line])
    out = capsys.readouterr().out
    assert "FAIL  schema version: 1 problem(s)" in out and "the column biblio.edition is missing" in out
    assert "check(s) of the library's files failed" in str(stopped.value.code)


def test_check_on_a_sound_library_passes_and_says_what_it_checked_on_postgresql(lib, command_line, capsys):
    lend(lib)
    cli.main(["check", *command_line])
    out = capsys.readouterr().out
    assert out.rstrip().endswith("All checks passed.")
    if db.is_sqlite():
        assert "note:" not in out
        return
    assert "note: amcheck is not installed in this database, so index pages were not checked" in out
    assert "data checksums are off" in out or "carry checksums" in out
    db.execute("CREATE EXTENSION amcheck")
    cli.main(["check", *command_line])
    out = capsys.readouterr().out
    assert "note: amcheck checked" in out and "indexes and the table rows they hold" in out
    assert out.rstrip().endswith("All checks passed.")

