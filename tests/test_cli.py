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
    cli.main(["migrate", "--as", "head"])
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


# -- every command that reads or changes the library acts as someone (issue 19, item 3) ----------

def last_event():
    return AuditEvent.select().order_by(AuditEvent.id.desc()).first()


def test_library_commands_act_as_a_signed_in_person_with_the_role_they_need(fresh_db, tmp_path, monkeypatch,
                                                                           capsys):
    import json
    import re

    cli.main(["init", "--username", "head", "--db", fresh_db])
    staff.add_staff(None, "office1", "Office Clerk", "a good password", ["office"])
    staff.add_staff(None, "clerk1", "Desk Clerk", "a good password", ["circulation"])
    monkeypatch.setattr("getpass.getuser", lambda: "someone")  # a login name that is no account
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path.parent / f"{tmp_path.name}-data"))  # restore's safety copy
    roster = tmp_path / "roster.csv"
    roster.write_text("name,id,category\nLi Lei,S1,student\n")
    kept = tmp_path / "kept.db"
    cli.main(["backup", str(kept), "--as", "head", "--db", fresh_db])
    backup_to = tmp_path / "backup.db"
    capsys.readouterr()
    # (command, someone whose role does not do it and the refusal, someone whose role does, its audit event)
    for words, wrong, refusal, right, action in [
        (["backup", str(backup_to)], "office1", "Only the curator may back up the library", "head", "library.backup"),
        (["restore", str(kept)], "office1", "Only the curator may restore the library from a backup", "head",
         "library.restore"),
        (["migrate"], "office1", "Only the curator may upgrade the library's schema", "head", "library.migrate"),
        (["check"], "clerk1", "Only the curator or office staff may check the library", "office1", "library.check"),
        (["readers", "import", str(roster), "--dry-run"], "clerk1",
         "Only office staff or the curator may check or import reader rosters", "office1", None),
        (["rules", "list"], None, None, "clerk1", None),
    ]:
        events, files = AuditEvent.select().count(), sorted(tmp_path.iterdir())
        with pytest.raises(SystemExit, match=r"^Signing in as someone \(your login name; --as USERNAME names your "
                                             r"staff account\) failed: Wrong username or password.$"):
            cli.main([*words, "--db", fresh_db])
        if wrong:
            with pytest.raises(SystemExit, match=f"^{re.escape(refusal)}, not {wrong}: run it with --as USERNAME"):
                cli.main([*words, "--as", wrong, "--db", fresh_db])
        assert (AuditEvent.select().count(), sorted(tmp_path.iterdir())) == (events, files)  # nothing done
        assert capsys.readouterr().out == ""
        cli.main([*words, "--as", right, "--db", fresh_db])
        assert capsys.readouterr().out
        if action:
            event = last_event()
            assert (event.action, event.staff.username) == (action, right), words
    restored = AuditEvent.get(AuditEvent.action == "library.restore")  # in the library restored, by username
    assert restored.staff_id == Staff.get(Staff.username == "head").id
    said = json.loads(restored.new)
    assert {k: said[k] for k in ("file", "by")} == {"file": str(kept), "by": "head"}
    assert said["safety_copy"].startswith(str(tmp_path.parent / f"{tmp_path.name}-data"))  # the library before


def test_migrate_signs_the_curator_in_against_an_older_schema_and_restore_too(fresh_db, tmp_path, monkeypatch,
                                                                            capsys):
    """The staff table exists since schema 1: migrate (and restore) sign in against it as it stands."""
    import json

    from counter_tui import db
    from counter_tui.db import SCHEMA_VERSION
    from tests.test_schema import make_version_1
    cli.main(["init", "--username", "head", "--db", fresh_db])
    staff.add_staff(None, "office1", "Office Clerk", "a good password", ["office"])
    kept = tmp_path / "kept.db"
    cli.main(["backup", str(kept), "--as", "head", "--db", fresh_db])
    make_version_1(db.database.obj)
    monkeypatch.setattr(staff.time, "sleep", lambda seconds: None)  # a failure costs a second: not here
    for who, sentence in [("nobody", "^Signing in as nobody failed: Wrong username or password.$"),
                          ("office1", "^Only the curator may upgrade the library's schema, not office1")]:
        with pytest.raises(SystemExit, match=sentence):
            cli.main(["migrate", "--as", who, "--db", fresh_db])
        assert [v.version for v in SchemaVersion.select()] == [1]
    monkeypatch.setenv(cli.PASSWORD_ENV, "not the password")
    with pytest.raises(SystemExit, match="^Signing in as head failed: Wrong username or password.$"):
        cli.main(["restore", str(kept), "--as", "head", "--db", fresh_db])
    assert [v.version for v in SchemaVersion.select()] == [1]
    monkeypatch.setenv(cli.PASSWORD_ENV, "a good password")
    capsys.readouterr()
    cli.main(["migrate", "--as", "head", "--db", fresh_db])
    assert capsys.readouterr().out == f"Schema upgraded from 1 to version {SCHEMA_VERSION}.\n"
    event = last_event()
    assert (event.action, event.staff.username, json.loads(event.new)) == (
        "library.migrate", "head", {"from": 1, "to": SCHEMA_VERSION})
    make_version_1(db.database.obj)  # a restore over a library of an older schema: signed in the same way
    cli.main(["restore", str(kept), "--as", "head", "--db", fresh_db])
    assert (last_event().action, last_event().staff.username) == ("library.restore", "head")
    assert [v.version for v in SchemaVersion.select()] == [SCHEMA_VERSION]


def test_migrate_and_restore_on_an_empty_database_say_to_make_a_library_first(fresh_db, tmp_path):
    kept = tmp_path / "kept.db"
    kept.write_bytes(b"")
    with pytest.raises(SystemExit, match="^This database is empty: create a library with `counter-tui init`"):
        cli.main(["migrate", "--db", fresh_db])
    with pytest.raises(SystemExit, match=r"^This database holds no library, so no one can sign in to restore into "
                                         r"it: create one with `counter-tui init --username NAME`, then restore"):
        cli.main(["restore", str(kept), "--db", fresh_db])
    from counter_tui.services.admin import schema
    assert schema.current_version() is None  # migrate made no tables that no one could sign in to
