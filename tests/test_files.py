"""Files never written over (issue 20, item 2) and files with personal data kept private (issue 19, item 7).

Every command that takes an output path refuses a file that exists unless --force, and never writes
over a database, a device, a FIFO or a folder even with --force; the desk's MARC export writes only
in the library's folder and asks one key before writing over a file; what the library writes with
personal data is its owner's (0600, folders 0700), or the group's the library names.
"""
from __future__ import annotations

import grp
import os
import sqlite3
import stat
from datetime import timedelta

import pytest

from counter_tui import cli
from counter_tui.services import files
from counter_tui.services.admin import staff
from counter_tui.services.errors import Refusal
from tests.conftest import NOW


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def command_line(settings, lib, cataloguer, tmp_path, monkeypatch):
    """A library with a cataloguer (`cat`), an office clerk (`office1`), one password, a reader and a copy."""
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
    staff.add_staff(None, "office1", "Office Clerk", "correct horse", ["office"], NOW)
    reader, copy = lib.patron(), lib.item()
    return {"db": ["--db", settings.db_url], "card": reader.card, "barcode": copy.barcode}


def writers(line, out) -> dict[str, list[str]]:
    """Every command that takes an output path, writing to `out`."""
    return {"marc export": ["marc", "export", str(out), "--as", "cat", *line["db"]],
            "labels": ["labels", line["barcode"], "--output", str(out), "--as", "cat", *line["db"]],
            "cards print": ["cards", "print", line["card"], "--output", str(out), "--as", "office1", *line["db"]]}


def a_database(path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE loan (id INTEGER PRIMARY KEY)")
    connection.commit()
    connection.close()


@pytest.mark.parametrize("command", ["marc export", "labels", "cards print"])
def test_a_command_writes_over_a_file_only_with_force(command_line, tmp_path, command, capsys):
    out = tmp_path / "out.pdf"
    out.write_text("keep me")
    words = writers(command_line, out)[command]
    with pytest.raises(SystemExit) as refused:
        cli.main(words)
    assert str(refused.value.code).startswith(f"{out} already exists; nothing was ") and "--force" in str(refused.value.code)
    assert out.read_text() == "keep me" and not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]
    cli.main(words + ["--force"])
    assert out.read_bytes() != b"keep me" and out.stat().st_size > 100
    assert mode(out) == 0o600  # the file written over is the library's, private, now


@pytest.mark.parametrize("command", ["marc export", "labels", "cards print"])
def test_a_command_never_writes_over_a_database_a_device_a_fifo_or_a_folder(command_line, tmp_path, command):
    library = tmp_path / "library.pdf"
    a_database(library)
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    device = tmp_path / "full.pdf"
    device.symlink_to("/dev/full")  # a link to a device is the device
    for target, what in [(library, "a database"), (fifo, "a FIFO"), (folder, "a folder"), (device, "a device")]:
        for force in ([], ["--force"]):
            with pytest.raises(SystemExit) as refused:
                cli.main(writers(command_line, target)[command] + force)
            assert str(refused.value.code).startswith(f"{target} is {what}"), refused.value.code
            assert "never written over" in str(refused.value.code)
    assert sqlite3.connect(library).execute("SELECT COUNT(*) FROM loan").fetchone() == (0,)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and folder.is_dir() and os.path.islink(device)


def test_the_library_s_own_database_file_is_never_exported_over(command_line, settings):
    if not settings.db_url.startswith("sqlite"):
        pytest.skip("a PostgreSQL library has no file of its own")
    own = settings.db_url.removeprefix("sqlite:///")
    with pytest.raises(SystemExit, match="is a database, which is never written over"):
        cli.main(["marc", "export", own, "--force", "--as", "cat", *command_line["db"]])
    for suffix in ("-wal",):  # its write-ahead log too, by the log's own header
        if os.path.exists(own + suffix) and os.path.getsize(own + suffix):
            with pytest.raises(SystemExit, match="is a database"):
                cli.main(["marc", "export", own + suffix, "--force", "--as", "cat", *command_line["db"]])


def test_backup_writes_over_a_file_only_with_force_never_over_an_earlier_backup_and_is_private(
        command_line, tmp_path, monkeypatch):
    from counter_tui.services.admin import backup
    staff.add_staff(None, "head", "Head", "correct horse", ["curator"], NOW)
    base = ["--as", "head", *command_line["db"]]
    first = tmp_path / "nightly" / "lib.bak"
    cli.main(["backup", str(first), *base])
    assert mode(first) == 0o600 and mode(first.parent) == 0o700
    for force in ([], ["--force"]):  # an earlier backup is a database: never written over
        with pytest.raises(SystemExit, match="is a database backup|is a database"):
            cli.main(["backup", str(first), *force, *base])
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    with pytest.raises(SystemExit, match=f"^{notes} already exists; nothing was backed up"):
        cli.main(["backup", str(notes), *base])
    assert notes.read_text() == "keep me"
    cli.main(["backup", str(notes), "--force", *base])
    assert notes.read_bytes()[:5] in (b"SQLit", b"PGDMP") and mode(notes) == 0o600

    def full_disk(path):
        path.write_bytes(b"half a backup")
        raise RuntimeError("No space left on device")

    monkeypatch.setattr("counter_tui.db.backup_to", full_disk)
    with pytest.raises(SystemExit, match="failed .No space left on device.; nothing was backed up"):
        cli.main(["backup", str(tmp_path / "full.bak"), *base])
    assert not [p.name for p in tmp_path.iterdir() if "full" in p.name]  # no half file left behind
    del backup


def test_imports_read_regular_files_only(tmp_path):
    fifo = tmp_path / "roster.csv"
    os.mkfifo(fifo)
    for path, words in [(fifo, "is a FIFO (a named pipe), not a file"), ("/dev/zero", "is a device, not a file"),
                        (tmp_path, "is a folder, not a file"), (tmp_path / "none.mrc", "There is no file at")]:
        with pytest.raises(Refusal, match=words.replace("(", r"\(").replace(")", r"\)")):
            files.readable_file(path)
    (tmp_path / "ok.csv").write_text("name\n")
    assert files.readable_file(tmp_path / "ok.csv") == tmp_path / "ok.csv"


# -- the desk: its own folders, and one key before writing over -------------------------------------

async def test_the_marc_screen_exports_into_the_library_s_folder_and_asks_before_writing_over(
        cataloguer, lib, settings, tmp_path):
    from textual.widgets import Input, Static

    from counter_tui.app import CounterApp
    from counter_tui.screens.catalogue.marc import MarcScreen
    from counter_tui.widgets.decision import Decision
    settings.files_folder = str(tmp_path / "library")
    lib.item(title="Journey to the West")
    outside = tmp_path / "elsewhere.mrc"
    app = CounterApp(settings, cataloguer)

    async def export(pilot, screen, typed: str) -> None:
        screen.query_one("#out", Input).value = typed
        screen.query_one("#out", Input).focus()
        await pilot.press("enter")
        for _ in range(200):
            await pilot.pause(0.02)
            if isinstance(app.screen, Decision) or not screen.busy:
                break

    def summary(screen) -> str:
        return str(screen.query_one("#summary", Static).content)

    async with app.run_test(size=(100, 30)) as pilot:
        screen = MarcScreen()
        await app.push_screen(screen)
        await pilot.pause()
        await export(pilot, screen, str(outside))  # a path outside the library's folder
        assert "writes files only in the library's folder" in summary(screen) and not outside.exists()
        await export(pilot, screen, "all.mrc")
        written = tmp_path / "library" / "exports" / "all.mrc"
        assert "Exported 1 record" in summary(screen) and written.stat().st_size > 0
        assert mode(written) == 0o600 and mode(written.parent) == 0o700
        written.write_text("keep me")
        await export(pilot, screen, "all.mrc")  # it is there: one key decides
        assert isinstance(app.screen, Decision) and "already exists" in str(app.screen.question)
        await pilot.press("n")
        await pilot.pause()
        assert written.read_text() == "keep me" and "Nothing was exported" in summary(screen)
        await export(pilot, screen, str(written))  # the same file by its whole path
        assert isinstance(app.screen, Decision)
        await pilot.press("y")
        for _ in range(200):
            await pilot.pause(0.02)
            if not screen.busy:
                break
        assert "Exported 1 record" in summary(screen) and written.read_bytes() != b"keep me"
        own = tmp_path / "library" / "exports" / "own.db"
        a_database(own)
        await export(pilot, screen, str(own))  # a database: no question, never
        assert not isinstance(app.screen, Decision) and "is a database, which is never written over" in summary(screen)


# -- files with personal data are their owner's ------------------------------------------------------

def test_init_makes_a_database_and_wal_only_its_owner_reads(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
    path = tmp_path / "new" / "library.db"
    cli.main(["init", "--username", "head", "--db", str(path)])
    from counter_tui import db
    db.database.execute_sql("SELECT 1")  # the connection is open: its -wal and -shm are there
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert mode(f"{path}-wal") == 0o600 and mode(f"{path}-shm") == 0o600
    db.database.close()


def test_slips_notices_certificates_and_cards_are_private(lib, settings, tmp_path, monkeypatch, property_documents):
    from counter_tui.services.circulation import lending, notices
    from counter_tui.services.printing import slips
    from counter_tui.services.property import writeoffs
    from counter_tui.services.readers import card_sheet
    monkeypatch.setenv(slips.ENV_SLIPS, str(tmp_path / "slips"))
    monkeypatch.setenv(notices.ENV_NOTICES, str(tmp_path / "notices"))
    curator = staff.add_staff(None, "head", "Head", "correct horse", ["curator", "cataloging", "office"], NOW)
    reader, book, worn = lib.patron(), lib.item(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode, now=NOW - timedelta(days=60))
    slip = slips.deliver("receipt", ["Li Lei", reader.card], at=NOW)
    letters = notices.produce(curator, now=NOW)
    certificate = writeoffs.write_off(curator, [worn.barcode], "worn out", now=NOW).path
    cards = card_sheet.card_sheet(curator, [reader.card], tmp_path / "cards" / "card.pdf", settings) \
        if (tmp_path / "cards").mkdir() is None else None
    written = [slip.path, slips.slips_dir() / f"last-{settings.desk.replace('/', '_')}.txt", *letters.files,
               certificate, cards.path]
    assert letters.files and all(p.exists() for p in written)
    for path in written:
        assert mode(path) == 0o600, path
    for folder in (tmp_path / "slips", tmp_path / "notices", property_documents, property_documents / "write-offs"):
        assert mode(folder) == 0o700, folder


def test_the_group_the_library_names_shares_its_files(lib, settings, tmp_path, monkeypatch):
    from counter_tui.services.printing import slips
    group = next((g for g in ("daemon", "nogroup", "users", "adm") if _group_exists(g)), None)
    if group is None:
        pytest.skip("no group to share with on this machine")
    settings.files_group = group
    monkeypatch.setenv(slips.ENV_SLIPS, str(tmp_path / "shared" / "slips"))
    slip = slips.deliver("receipt", ["a slip"], at=NOW)
    gid = grp.getgrnam(group).gr_gid
    assert mode(slip.path) == 0o660 and os.stat(slip.path).st_gid == gid
    assert mode(slip.path.parent) == 0o2770 and os.stat(slip.path.parent).st_gid == gid
    settings.files_group = "no-such-group-here"
    with pytest.raises(Refusal, match="files_group setting names the group 'no-such-group-here'"):
        slips.deliver("receipt", ["a slip"], at=NOW)


def test_a_settings_file_naming_a_group_that_is_not_there_is_refused(tmp_path):
    from counter_tui import config
    path = tmp_path / "settings.toml"
    path.write_text('files_group = "no-such-group-here"\n')
    with pytest.raises(config.SettingsError, match="files_group 'no-such-group-here' is not a group"):
        config.load_settings(path=path)
    path.write_text('files_folder = "relative/folder"\n')
    with pytest.raises(config.SettingsError, match="files_folder 'relative/folder' is not a full path"):
        config.load_settings(path=path)


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


@pytest.mark.parametrize("words", [["marc", "import"], ["readers", "import"]])
def test_the_import_commands_read_regular_files_only(command_line, tmp_path, words):
    fifo = tmp_path / "records"
    os.mkfifo(fifo)  # reading it would wait for a writer for ever
    for path, what in [(fifo, "a FIFO (a named pipe)"), ("/dev/zero", "a device"), (tmp_path, "a folder")]:
        with pytest.raises(SystemExit) as refused:
            cli.main([*words, str(path), "--dry-run", "--as", "office1", *command_line["db"]])
        assert refused.value.code == f"{path} is {what}, not a file: only regular files are read."
