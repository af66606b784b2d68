"""The command line as its users meet it: refusals in its own words, a pipe closed early, no
terminal, folders, role names, arguments given the wrong way round, schema versions, numbers."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

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
