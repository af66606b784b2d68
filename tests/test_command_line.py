"""The command line as its users meet it: refusals in its own words, a pipe closed early, no
terminal, folders, role names, arguments given the wrong way round, schema versions, numbers."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from counter_tui import cli
from counter_tui.commands.acting import refusal_words
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied

from tests.conftest import NOW


@pytest.fixture
def command_line(settings, lib, tmp_path, monkeypatch):
    """A library with a circulation clerk (`clerk`), an office clerk (`office1`), one password,
    and a copy in processing."""
    lib.item(status="in processing")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
    staff.add_staff(None, "office1", "Office Clerk", "correct horse", ["office"], NOW)
    return ["--db", settings.db_url]


# -- 1. a refusal names the account tried and says --as, never Ctrl+O -------------------------

def test_a_refusal_names_the_account_tried_and_says_how_to_act_as_someone_else(command_line, tmp_path):
    out = tmp_path / "labels.pdf"
    with pytest.raises(SystemExit) as refused:
        cli.main(["labels", "--processing", "--output", str(out), "--as", "office1", *command_line])
    said = str(refused.value.code)
    assert said == ("Only cataloguers or circulation staff may print labels, not office1: "
                    "run it with --as USERNAME of someone who may.")
    assert not out.exists()
    with pytest.raises(SystemExit) as refused:  # another post's command, another service's refusal
        cli.main(["register", "balance", "--as", "clerk", *command_line])
    assert "not clerk: run it with --as USERNAME" in str(refused.value.code)
    assert "Ctrl+O" not in str(refused.value.code)


def test_any_refusal_that_sends_the_clerk_to_ctrl_o_says_as_on_the_command_line():
    """Sentences the services write for the desk, whoever adds them, lose the Ctrl+O advice in one place."""
    disabled = PermissionDenied("The account ann has been disabled, so it may no longer lend books; "
                                "sign in as someone else (Ctrl+O switches user).")
    assert refusal_words(disabled) == ("The account ann has been disabled, so it may no longer lend books; "
                                       "sign in as someone else with --as USERNAME.")
    nobody = PermissionDenied("Only the curator may manage staff accounts; sign in as someone who may "
                              "(Ctrl+O switches user).", doing="manage staff accounts", allowed="the curator")
    assert refusal_words(nobody) == "Only the curator may manage staff accounts: run it with --as USERNAME of someone who may."


def test_a_failed_sign_in_names_the_account_tried(command_line, monkeypatch):
    with pytest.raises(SystemExit, match="^Signing in as nobody failed: Wrong username or password.$"):
        cli.main(["register", "balance", "--as", "nobody", *command_line])
    monkeypatch.setattr("getpass.getuser", lambda: "root")  # no --as: the login name is tried, and said so
    with pytest.raises(SystemExit, match=r"^Signing in as root \(your login name; --as USERNAME names your "
                                         r"staff account\) failed: Wrong username or password.$"):
        cli.main(["register", "balance", *command_line])


# -- 2. notices --list when nothing is due; pipes; backup folders; role names; swapped arguments -----

def test_notices_list_says_so_when_nothing_is_due(command_line, lib, capsys):
    cli.main(["notices", "--list", "--as", "clerk", *command_line])
    assert capsys.readouterr().out == ("No notices are due: no loan is late enough for a letter and no hold "
                                       "is waiting to be told.\n")
    reader, book = lib.patron(), lib.item()
    lib.loan(book, reader, out=NOW.date() - timedelta(days=90), due=NOW.date() - timedelta(days=60))
    cli.main(["notices", "--list", "--as", "clerk", *command_line])
    listed = capsys.readouterr().out
    assert listed.startswith(f"{reader.card}\t{reader.name}\t") and "No notices are due" not in listed


def _counter_tui(*words: str, password: str | None = "correct horse", **popen) -> subprocess.Popen:
    """counter-tui in a process of its own, as a shell runs it (no controlling terminal, stdin empty)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_TUI_")}
    env["COUNTER_TUI_CONFIG"] = os.environ["COUNTER_TUI_CONFIG"]
    if password is not None:
        env[cli.PASSWORD_ENV] = password
    return subprocess.Popen([sys.executable, "-m", "counter_tui", *words], env=env, text=True,
                            stdin=subprocess.DEVNULL, stdout=popen.pop("stdout", subprocess.PIPE),
                            stderr=subprocess.PIPE, start_new_session=True, **popen)


def test_output_piped_into_head_ends_without_a_traceback(command_line, lib, cataloguer):
    from counter_tui.models import Accession, Biblio, Item, ItemType
    title, book = Biblio.create(title="A long register", created_at=NOW), ItemType.get(ItemType.code == "book")
    first = Item.select().count() + 1
    numbers = range(first, first + 1500)  # far more than a pipe holds (64 KiB): the writer meets the closed end
    Item.insert_many([dict(barcode=f"B{n:09d}", accession_number=n, biblio=title, call_number="I242/1", item_type=book,
                           price=100, status="available", location="Stacks") for n in numbers]).execute()
    Accession.insert_many([dict(number=n, item=Item.get(Item.accession_number == n), received_on=NOW.date(),
                                source="purchase", price=100, at=NOW, staff=cataloguer) for n in numbers]).execute()
    run = _counter_tui("register", "list", "--as", "cat", *command_line)  # counter-tui register list | head -1
    assert run.stdout.readline().split()[0] == "1"
    run.stdout.close()  # head has what it wanted
    said = run.stderr.read()
    assert run.wait(timeout=60) == 141  # as other tools end in a pipe (128 + SIGPIPE)
    assert said == ""  # no traceback, no "Exception ignored ... BrokenPipeError"


def test_ctrl_c_at_a_prompt_stops_with_a_word_not_a_traceback(command_line, monkeypatch, capsys):
    monkeypatch.delenv(cli.PASSWORD_ENV)

    def interrupted(prompt="", stream=None):
        raise KeyboardInterrupt

    monkeypatch.setattr("getpass.getpass", interrupted)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["register", "balance", "--as", "clerk", *command_line])
    assert stopped.value.code == 130 and capsys.readouterr().err == "Stopped (Ctrl+C).\n"


def test_backup_into_a_folder_makes_the_folders_and_a_dated_file_inside(command_line, tmp_path, capsys):
    from counter_tui import db
    staff.add_staff(None, "head", "Head", "correct horse", ["curator"], NOW)
    kept = tmp_path / "kept"
    kept.mkdir()
    named = [str(kept), str(tmp_path / "new" / "nightly") + "/", str(tmp_path / "more" / "folders" / "lib.bak")]
    for where in named:
        cli.main(["backup", where, "--as", "head", *command_line])
    written = [line.removeprefix("Backed up to ").removesuffix(".") for line in capsys.readouterr().out.splitlines()]
    inside_kept, inside_new, plain = (Path(p) for p in written)
    assert inside_kept.parent == kept and inside_kept.name.startswith("library-")
    assert inside_kept.suffix == (".db" if db.is_sqlite() else ".pgdump")  # an SQLite file, or pg_dump's archive
    assert inside_new.parent == tmp_path / "new" / "nightly" and (tmp_path / "new" / "nightly").is_dir()
    assert plain == tmp_path / "more" / "folders" / "lib.bak"
    for path in (inside_kept, inside_new, plain):
        assert db.backup_version(path) == db.SCHEMA_VERSION  # each a sound backup of the library
    with pytest.raises(SystemExit, match="is a database( backup)?, which is never written over"):  # a backup: not even with --force
        cli.main(["backup", str(plain), "--as", "head", *command_line])


def test_staff_add_lists_the_roles_and_answers_a_near_miss_with_the_right_one(command_line, capsys, monkeypatch):
    from counter_tui.models import Staff
    from counter_tui.services.access import ROLES
    with pytest.raises(SystemExit):
        cli.main(["staff", "add", "--help"])
    assert f"one of {', '.join(ROLES)}" in " ".join(capsys.readouterr().out.split())
    head = staff.add_staff(None, "head", "Head", "correct horse", ["curator"], NOW)
    asked = []
    monkeypatch.setattr("counter_tui.commands.admin.staff.acting_staff", lambda args: asked.append(args) or head)
    for typed, answer in [("cataloguer", "did you mean cataloging?"), ("Curator", "did you mean curator?"),
                          ("reading room", "did you mean reading_room?"), ("circ", "did you mean circulation?"),
                          ("janitor", "there is no role 'janitor'. The roles are")]:
        with pytest.raises(SystemExit) as stopped:
            cli.main(["staff", "add", "ann", "--role", "office", "--role", typed, "--as", "head", *command_line])
        assert stopped.value.code == 2 and answer in capsys.readouterr().err
    assert not asked and not Staff.select().where(Staff.username == "ann").exists()  # before any password
    cli.main(["staff", "add", "ann", "--role", "office", "--role", "cataloging", "--as", "head", *command_line])
    assert Staff.get(Staff.username == "ann").roles == "office,cataloging"


def test_rules_explain_with_the_copy_and_the_card_swapped_says_so_and_explains(command_line, lib, capsys):
    reader, book = lib.patron(), lib.item()
    cli.main(["rules", "explain", reader.card, book.barcode, "--as", "clerk", *command_line])
    right_way = capsys.readouterr().out
    assert right_way.startswith(f"Reader: {reader.name} ({reader.card})")
    cli.main(["rules", "explain", book.barcode, reader.card, "--as", "clerk", *command_line])
    assert capsys.readouterr().out == (f"{book.barcode} is a copy and {reader.card} a reader's card: the order is "
                                       "`rules explain CARD ITEM`, so they are explained the other way round.\n"
                                       + right_way)
    with pytest.raises(SystemExit, match=f"^No reader has card {book.barcode}"):  # neither way round
        cli.main(["rules", "explain", book.barcode, book.barcode, "--as", "clerk", *command_line])


# -- 3. schema versions no migration reaches; numbers too large; help text -------------------

def test_migrate_refuses_an_empty_version_table_and_a_newer_database_and_changes_nothing(command_line, capsys):
    from counter_tui import db
    from counter_tui.models import SchemaVersion
    SchemaVersion.delete().execute()
    for words in (["migrate"], ["check"], []):  # the desk and check say the same, not "run migrate"
        with pytest.raises(SystemExit, match=r"schema_version table holds no version this program knows \(0\).*"
                                             r"restore the library from a backup.*Nothing was changed"):
            cli.main([*words, *command_line])
    assert not SchemaVersion.select().exists()
    newer = db.SCHEMA_VERSION + 1
    SchemaVersion.create(version=newer)
    with pytest.raises(SystemExit, match=f"schema version {newer}, newer than this program "
                                         rf"\({db.SCHEMA_VERSION}\): upgrade counter-tui. Nothing was changed."):
        cli.main(["migrate", *command_line])
    assert [v.version for v in SchemaVersion.select()] == [newer]
    assert "upgraded" not in capsys.readouterr().out


def test_check_on_an_empty_database_says_it_is_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "nothing.db").touch()
    with pytest.raises(SystemExit, match="This database is empty: create a library with `counter-tui init`"):
        cli.main(["check", "--db", str(tmp_path / "nothing.db")])
    with pytest.raises(SystemExit, match="^There is no database at .*none.db: the library cannot be checked"):
        cli.main(["check", "--db", str(tmp_path / "none.db")])
    assert not (tmp_path / "none.db").exists()  # checking made nothing


@pytest.mark.parametrize("words, answer", [
    (["anonymise", "--older-than", "99999999999"],
     "argument --older-than: give a whole number from 1 to 36,500 (days: a hundred years at most), not 99999999999"),
    (["anonymise", "--older-than", "30", "--batch", "99999999999999999999"],
     "argument --batch: give a whole number from 1 to 1,000,000 (loans), not 99999999999999999999"),
    (["labels", "--batch", "99999999999999999999", "--output", "x.pdf"],
     "argument --batch: give a whole number from 1 to 2,147,483,647 (a transfer batch's number), "
     "not 99999999999999999999"),
    (["labels", "--batch", "-1", "--output", "x.pdf"], "argument --batch: give a whole number from 1 to"),
    (["labels", "--processing", "--skip", "many", "--output", "x.pdf"],
     "argument --skip: give a whole number (labels), not 'many'"),
    (["bulletin", "--from", "0001-01-01"], "argument --from: give a date from 1000-01-01 to 8999-12-31, not 0001-01-01"),
    (["processing", "--to", "9999-12-31"], "argument --to: give a date from 1000-01-01 to 8999-12-31, not 9999-12-31"),
    (["serve", "--port", "99999999"], "argument --port: give a whole number from 1 to 65,535 (a TCP port), not 99999999"),
])
def test_numbers_and_dates_out_of_range_get_a_sentence_not_an_overflow(command_line, words, answer, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main([*words, "--as", "head", *command_line] if words[0] != "serve" else [*words, *command_line])
    assert stopped.value.code == 2 and answer in capsys.readouterr().err


def test_cards_print_help_says_100_percent(capsys):
    with pytest.raises(SystemExit):
        cli.main(["cards", "print", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "to print at 100% on A4 card stock" in shown and "%%" not in shown


def test_without_a_terminal_or_the_password_a_command_and_the_desk_end_in_a_sentence(command_line):
    """cron: no terminal to ask on (stdin empty, no controlling terminal) and no COUNTER_TUI_PASSWORD."""
    for words, sentence in [
        (["register", "balance", "--as", "clerk"],
         "The password of clerk is needed and there is no terminal to type it on: run the command at a "
         "terminal, or set COUNTER_TUI_PASSWORD for a scripted run. Nothing was changed.\n"),
        (["staff", "add", "ann", "--as", "clerk"], "The password of clerk is needed and there is no terminal"),
        ([], "The desk needs a terminal to run in, and standard input is not one"),
    ]:
        run = _counter_tui(*words, *command_line, password=None)
        out, err = run.communicate(timeout=60)
        assert run.returncode == 1 and err.startswith(sentence) and "Traceback" not in out + err
