"""A library's life on the server: `init`, `migrate`, `check`, `backup`, `restore`.

Each acts as a signed-in person (`--as`) with the role it needs, checked by its service and
named in the audit trail: the curator (check: the curator or office staff). `init` alone
asks no one: it runs on an empty database and makes the first curator."""
from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from counter_tui.commands.acting import acting_staff, add_acting_option, new_password


def register(subparsers, db_option: Callable[[argparse.ArgumentParser], None],
             open_library: Callable[..., object]) -> dict[str, Callable[[argparse.Namespace], None]]:
    def init(args) -> None:
        from counter_tui.services.admin import schema, setup
        settings = open_library(args, need_schema=False)
        if schema.current_version() is not None:
            raise SystemExit("This database already holds a library; nothing was changed.")
        password = new_password(f"Password for {args.username}: ", args.username)
        setup.init_library(args.username, args.full_name, password)
        from counter_tui.db import shown
        print(f"Library created at {shown(settings.db_url)}; {args.username} can sign in as curator.")

    def migrate(args) -> None:
        from counter_tui.db import SchemaError
        from counter_tui.services.admin import schema
        open_library(args, need_schema=False)
        try:
            schema.check_migratable()  # an empty database, or one no migration reaches: before any password
            start, end = schema.upgrade(acting_staff(args, any_schema=True))  # the staff table as it stands
        except SchemaError as exc:  # no version, or a newer one: nothing a migration can do
            raise SystemExit(str(exc)) from None
        if start == end:
            print(f"The schema is already at version {end}.")
        else:
            print(f"Schema upgraded from {start if start is not None else 'nothing'} to version {end}.")

    def check(args) -> None:
        """The files first, before anyone signs in (they hold nothing of the readers, and a damaged or
        incomplete library cannot sign anyone in): a missing, foreign or truncated file, damaged pages,
        the -wal file lost under open desks, missing tables or columns. Then the books and accounts."""
        import peewee

        from counter_tui import config, db
        from counter_tui.services import library_settings
        from counter_tui.services.admin import check as checks
        from counter_tui.services.property import accessions
        restore_it = "restore the last backup (counter-tui restore FILE)"
        url = config.load_settings(db_url=getattr(args, "db", None)).db_url
        unopened = checks.file_problems(url)  # opening would make a missing file, or fail half-way
        if unopened:
            advice = "" if unopened[0].startswith("There is no database") else f", {restore_it}"
            raise SystemExit(f"{unopened[0]}: the library cannot be checked{advice}. Nothing was changed or made.")
        wal = checks.wal_before_opening(url)  # opened now, SQLite would answer "disk I/O error"
        if wal:
            failed = _show(wal)
            raise SystemExit(f"{failed} check(s) of the library's files failed, so it was not opened: stop every "
                             f"desk, then run check again (and {restore_it} if loans are missing).")
        try:
            open_library(args)  # an empty, older or newer database is named as such, not checked table by table
            before = [checks.storage(), *checks.run_checks(names=(checks.WAL, "schema version"))]
        except peewee.DatabaseError as exc:
            raise SystemExit(f"The library's database cannot be read ({db.first_line(exc)}): {restore_it}. "
                             "Nothing was changed.") from None
        if not all(result.ok for result in before):  # said without signing in: no one could, perhaps
            failed = sum(_show(result) for result in before)
            raise SystemExit(f"{failed} check(s) of the library's files failed, so its books and accounts were "
                             f"not checked: stop the desks, then {restore_it}.")
        failed = sum(_show(result) for result in checks.check_library(acting_staff(args), done=tuple(before)))
        money = library_settings.money
        b = accessions.balance()  # the proof in figures, as an auditor reads it
        print(f"      accessions {b.accessions:,} ({money(b.accession_value)}) - write-offs {b.written_off:,} "
              f"({money(b.written_off_value)}) = holdings {b.holdings:,} ({money(b.holdings_value)})")
        print("All checks passed." if not failed else f"{failed} check(s) failed.")
        if failed:
            raise SystemExit(1)

    def backup(args) -> None:
        from counter_tui.services.admin import backup as backups
        settings = open_library(args)
        path = backups.backup(acting_staff(args), _backup_file(args.path, settings), force=args.force)
        print(f"Backed up to {path}.")

    def restore(args) -> None:
        from counter_tui.services.admin import backup as backups
        from counter_tui.services.admin import schema
        open_library(args, need_schema=False)
        if schema.current_version() is None:  # no one to sign in as
            raise SystemExit("This database holds no library, so no one can sign in to restore into it: create one "
                             "with `counter-tui init --username NAME`, then restore as that curator. "
                             "Nothing was changed.")
        done = backups.restore(acting_staff(args, any_schema=True), Path(args.path), force=args.force)
        print(f"Restored from {args.path}. The library as it was just before is kept in {done.safety_copy}.")
        if done.desks:
            print(f"{len(done.desks)} desk(s) were open and show what is no longer there until they are started "
                  f"again: {'; '.join(d.said() for d in done.desks)}.")

    p = subparsers.add_parser("init", help="create an empty library and its first staff account (a curator)")
    db_option(p)
    p.add_argument("--username", required=True)
    p.add_argument("--full-name", default="")
    p.set_defaults(handler=init)

    p = subparsers.add_parser("migrate", help="upgrade the database to this program's schema (the curator)")
    db_option(p)
    add_acting_option(p, "the curator doing this")
    p.set_defaults(handler=migrate)

    p = subparsers.add_parser("check", help="check the database and that books and accounts agree (exit 1 if not)")
    db_option(p)
    add_acting_option(p, "the curator or office staff doing this")
    p.set_defaults(handler=check)

    p = subparsers.add_parser("backup", help="copy the live library to a file, while desks keep working")
    db_option(p)
    p.add_argument("path", metavar="FILE|FOLDER/",
                   help="the backup file, or a folder (one that exists, or a name ending in /) to hold a "
                        "dated file; missing folders are made")
    p.add_argument("--force", action="store_true",
                   help="write over a file already at FILE (never over a database: an earlier backup stays)")
    add_acting_option(p, "the curator doing this")
    p.set_defaults(handler=backup)

    p = subparsers.add_parser("restore", help="replace the library with a backup file (its schema and rules are "
                                              "checked first, and a copy of the library is kept)")
    db_option(p)
    p.add_argument("path")
    p.add_argument("--force", action="store_true",
                   help="restore even while desks are open on the library (they lose what they did since the "
                        "backup, and show what is no longer there until started again)")
    add_acting_option(p, "the curator doing this")
    p.set_defaults(handler=restore)
    return {"init": init, "migrate": migrate, "check": check, "backup": backup, "restore": restore}


def _show(result) -> bool:
    """Print one check's result, its problems and notes; True when it failed."""
    print(f"{'ok  ' if result.ok else 'FAIL'}  {result.name}" + ("" if result.ok else f": {result.count} problem(s)"))
    for problem in result.problems:
        print("\n".join(f"        {line}" for line in problem.splitlines() if line.strip()))
    if result.count > len(result.problems):
        print(f"        ... and {result.count - len(result.problems)} more")
    for note in result.notes:
        print(f"        note: {note}")
    return not result.ok


def _backup_file(named: str, settings) -> Path:
    """The file a backup goes to: `named`, or a dated file inside it when it names a folder (one
    that exists, or a path ending in a slash). The service makes the folders that are missing."""
    from datetime import datetime

    from counter_tui import db
    path = Path(named).expanduser()
    if not (path.is_dir() or named.endswith(("/", os.sep))):
        return path
    kind = "db" if db.is_sqlite() else "pgdump"  # an SQLite file, or pg_dump's archive
    return path / f"library-{datetime.now(settings.timezone):%Y-%m-%d-%H%M%S}.{kind}"
