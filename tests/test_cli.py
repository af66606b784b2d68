"""The command line: init, staff add, migrate, and refusing an old schema."""
from __future__ import annotations

import pytest

from counter_tui import cli
from counter_tui.models import AuditEvent, SchemaVersion, Staff
from counter_tui.services.admin import staff


@pytest.fixture
def fresh_db(tmp_path, monkeypatch):
    monkeypatch.setenv(cli.PASSWORD_ENV, "a good password")
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(tmp_path / "none.toml"))
    return str(tmp_path / "lib.db")


def test_init_creates_a_library_and_its_curator(fresh_db, capsys):
    cli.main(["init", "--username", "head", "--full-name", "Head Librarian", "--db", fresh_db])
    assert "head can sign in" in capsys.readouterr().out
    head = staff.sign_in("head", "a good password")
    assert "curator" in head.role_set
    with pytest.raises(SystemExit, match="already holds a library"):
        cli.main(["init", "--username", "other", "--db", fresh_db])
    assert Staff.select().count() == 1


def test_staff_add_and_refusals(fresh_db, capsys, monkeypatch):
    cli.main(["init", "--username", "head", "--db", fresh_db])
    cli.main(["staff", "add", "alice", "--role", "circulation", "--as", "head", "--db", fresh_db])
    assert staff.sign_in("alice", "a good password").roles == "circulation"
    with pytest.raises(SystemExit, match="already a staff account named alice"):
        cli.main(["staff", "add", "alice", "--as", "head", "--db", fresh_db])
    with pytest.raises(SystemExit):  # argparse answers, before any password is asked
        cli.main(["staff", "add", "bob", "--role", "janitor", "--as", "head", "--db", fresh_db])
    assert "there is no role 'janitor'. The roles are curator, office," in capsys.readouterr().err
    with pytest.raises(SystemExit, match="Only the curator may manage staff accounts"):
        cli.main(["staff", "add", "mallory", "--role", "curator", "--as", "alice", "--db", fresh_db])
    assert Staff.select().count() == 2
    added = AuditEvent.get(AuditEvent.action == "staff.add", AuditEvent.record_id == Staff.get(username="alice").id)
    assert added.staff_id == Staff.get(username="head").id  # the curator who added her, not alice herself
    # typed at the terminal: the curator's password, then the new one twice
    monkeypatch.delenv(cli.PASSWORD_ENV)
    typed = iter(["a good password", "short", "short"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="", stream=None: next(typed))
    with pytest.raises(SystemExit, match="at least 8 characters"):
        cli.main(["staff", "add", "carol", "--as", "head", "--db", fresh_db])
    assert Staff.select().count() == 2


def test_the_desk_refuses_an_empty_or_older_database_and_names_the_command(fresh_db, monkeypatch):
    with pytest.raises(SystemExit, match="counter-tui init"):
        cli.main(["--db", fresh_db])
    cli.main(["init", "--username", "head", "--db", fresh_db])
    SchemaVersion.update(version=SchemaVersion.version - 1).execute()  # one version behind
    with pytest.raises(SystemExit, match="counter-tui migrate"):
        cli.main(["--db", fresh_db])


def test_db_from_the_environment(fresh_db, monkeypatch, capsys):
    monkeypatch.setenv("COUNTER_TUI_DB", fresh_db)
    cli.main(["init", "--username", "head"])
    cli.main(["migrate"])
    assert "already at version" in capsys.readouterr().out


def test_a_bad_database_url_is_one_sentence(tmp_path):
    with pytest.raises(SystemExit, match="Unknown database URL"):
        cli.main(["migrate", "--db", "mysql://nowhere/x"])


def test_demo_fresh_and_the_demo_sign_in_refuse_a_library_made_by_init(fresh_db, monkeypatch):
    from pathlib import Path
    cli.main(["init", "--username", "head", "--db", fresh_db])
    staff.add_staff(None, "demo", "Not a demo", "a good password", ["curator"])  # a name anyone could take
    before = Path(fresh_db).read_bytes()
    monkeypatch.setattr(cli, "_run_desk", lambda settings, actor: pytest.fail("a desk was opened"))
    with pytest.raises(SystemExit, match="not a demo .* Nothing was deleted"):
        cli.main(["demo", "--fresh", "--db", fresh_db])
    assert Path(fresh_db).read_bytes() == before
    with pytest.raises(SystemExit, match="is not a demo library, so the demo signs no one in"):
        cli.main(["demo", "--db", fresh_db])


def test_the_demo_on_a_library_of_an_older_schema_says_what_to_do(fresh_db, monkeypatch):
    from counter_tui import db
    cli.main(["init", "--username", "head", "--db", fresh_db])
    db.database.execute_sql("UPDATE schema_version SET version = version - 1")
    monkeypatch.setattr(cli, "_run_desk", lambda settings, actor: pytest.fail("a desk was opened"))
    with pytest.raises(SystemExit, match="counter-tui demo --fresh"):
        cli.main(["demo", "--db", fresh_db])
