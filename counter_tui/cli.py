"""The command line: run the desk, make the demo library, create and upgrade libraries."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
import time

from counter_tui import config

PASSWORD_ENV = "COUNTER_TUI_PASSWORD"  # for scripted set-up; otherwise we ask


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                        help=f"database: a file path, sqlite:///PATH or postgresql://... "
                             f"(default: ${config.ENV_DB}, the settings file, or the user's data folder)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="counter-tui", description="The counter work of a library, from the keyboard.")
    _db_option(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", help="open the desk on a demo library (made on first run, then reused)")
    _db_option(p)
    p.add_argument("--fresh", action="store_true", help="throw the demo library away and make it again")

    p = sub.add_parser("init", help="create an empty library and its first staff account (a curator)")
    _db_option(p)
    p.add_argument("--username", required=True)
    p.add_argument("--full-name", default="")

    p = sub.add_parser("migrate", help="upgrade the database to this program's schema")
    _db_option(p)

    p = sub.add_parser("check", help="check the database and that books and accounts agree (exit 1 if not)")
    _db_option(p)

    p = sub.add_parser("backup", help="copy the live library to a file, while desks keep working")
    _db_option(p)
    p.add_argument("path")

    p = sub.add_parser("restore", help="replace the library with a backup file")
    _db_option(p)
    p.add_argument("path")

    p = sub.add_parser("serve", help="serve desks to web browsers (textual-serve), on loopback by default")
    _db_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: put the "
                                                        "library's own access control in front)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--public-url", default=None, help="the address browsers use, behind a reverse proxy")

    p = sub.add_parser("staff", help="staff accounts")
    _db_option(p)
    staff_sub = p.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = staff_sub.add_parser("add", help="add a staff account")
    _db_option(add)
    add.add_argument("username")
    add.add_argument("--full-name", default="")
    add.add_argument("--role", action="append", default=[], help="a role; repeat for several")

    # each post's own commands: every module of counter_tui/commands/<post>/ with a register()
    from counter_tui.commands import post_modules
    for area in post_modules():
        area.register(sub, _db_option, _open)
    return parser


def _password(prompt: str) -> str:
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        raise SystemExit("The two passwords differ; nothing was changed.")
    return first


def _open(args, url: str | None = None, need_schema: bool = True):
    from counter_tui import db
    from counter_tui.services import library_settings
    from counter_tui.services.admin import schema
    settings = config.load_settings(db_url=getattr(args, "db", None) or url)
    library_settings.configure(settings)
    db.connect(settings.db_url)
    if need_schema:
        try:
            schema.check_schema()
        except db.SchemaError as exc:
            raise SystemExit(str(exc)) from None
    return settings


def _run_desk(settings, actor=None) -> None:
    from counter_tui.app import CounterApp
    CounterApp(settings, actor).run()


def cmd_desk(args) -> None:
    settings = _open(args)
    actor = None
    if settings.trust_ssh_user and os.environ.get("SSH_CONNECTION"):
        # sshd has already checked who this is; the account must carry the same name
        import getpass
        from counter_tui.services.admin import staff
        actor = staff.os_user_account(getpass.getuser())
    _run_desk(settings, actor)


def cmd_demo(args) -> None:
    from counter_tui import db
    from counter_tui.services.admin import schema, setup, staff
    url = getattr(args, "db", None) or config.demo_db_url()
    path = url.removeprefix("sqlite:///")
    if args.fresh and "://" not in url.replace("sqlite:///", "", 1) and os.path.exists(path):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    settings = _open(args, url=url, need_schema=False)
    if settings.library_name == "Library":
        settings.library_name = "Demo Library"
    if schema.current_version() is None:
        from counter_tui import demo
        started = time.perf_counter()
        print("Making the demo library...", file=sys.stderr)
        schema.create_schema()
        db.write(setup.seed_standard_rows)
        counts = demo.build_library(demo.DEMO)
        print(f"Demo library ready in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{v} {k}" for k, v in counts.items()), file=sys.stderr)
    else:
        schema.check_schema()
    _run_desk(settings, staff.get_staff("demo"))  # the demo signs its clerk in


def cmd_init(args) -> None:
    from counter_tui.services.admin import schema, setup
    from counter_tui.services.errors import Refusal
    settings = _open(args, need_schema=False)
    if schema.current_version() is not None:
        raise SystemExit("This database already holds a library; nothing was changed.")
    password = _password(f"Password for {args.username}: ")
    try:
        setup.init_library(args.username, args.full_name, password)
    except Refusal as refusal:
        raise SystemExit(refusal.sentence) from None
    print(f"Library created at {settings.db_url}; {args.username} can sign in as curator.")


def cmd_migrate(args) -> None:
    from counter_tui.services.admin import schema
    _open(args, need_schema=False)
    start, end = schema.migrate()
    if start == end:
        print(f"The schema is already at version {end}.")
    else:
        print(f"Schema upgraded from {start if start is not None else 'nothing'} to version {end}.")


def cmd_staff(args) -> None:
    from counter_tui.services.admin import staff
    from counter_tui.services.errors import Refusal
    _open(args)
    password = _password(f"Password for {args.username}: ")
    try:
        member = staff.add_staff(None, args.username, args.full_name, password, args.role or ["circulation"])
    except Refusal as refusal:
        raise SystemExit(refusal.sentence) from None
    print(f"Added {member.username} ({member.roles}).")


def cmd_check(args) -> None:
    from counter_tui.services.admin import check
    _open(args, need_schema=False)
    failed = 0
    for result in check.run_checks():
        print(f"{'ok  ' if result.ok else 'FAIL'}  {result.name}"
              + ("" if result.ok else f": {result.count} problem(s)"))
        for problem in result.problems:
            print(f"        {problem}")
        if result.count > len(result.problems):
            print(f"        ... and {result.count - len(result.problems)} more")
        failed += not result.ok
    from counter_tui.services.property import accessions
    from counter_tui.services.library_settings import money
    b = accessions.balance()  # the proof in figures, as an auditor reads it
    print(f"      accessions {b.accessions:,} ({money(b.accession_value)}) - write-offs {b.written_off:,} "
          f"({money(b.written_off_value)}) = holdings {b.holdings:,} ({money(b.holdings_value)})")
    print("All checks passed." if not failed else f"{failed} check(s) failed.")
    if failed:
        raise SystemExit(1)


def cmd_backup(args) -> None:
    from pathlib import Path
    from counter_tui.services.admin import backup
    from counter_tui.services.errors import Refusal
    _open(args)
    try:
        path = backup.backup(None, Path(args.path))
    except Refusal as refusal:
        raise SystemExit(refusal.sentence) from None
    print(f"Backed up to {path}.")


def cmd_restore(args) -> None:
    from pathlib import Path
    from counter_tui.services.admin import backup
    from counter_tui.services.errors import Refusal
    _open(args, need_schema=False)
    try:
        backup.restore(None, Path(args.path))
    except Refusal as refusal:
        raise SystemExit(refusal.sentence) from None
    print(f"Restored from {args.path}.")


def cmd_serve(args) -> None:
    import shlex
    try:
        from textual_serve.server import Server
    except ImportError:
        raise SystemExit("The web option needs textual-serve: pip install 'counter-tui[web]'.") from None
    settings = _open(args)  # refuse now, not in every browser tab, if the database is not usable
    command = " ".join(shlex.quote(part) for part in (sys.executable, "-m", "counter_tui", "--db", settings.db_url))
    # every browser tab runs its own desk process, which asks for a username and password
    Server(command, host=args.host, port=args.port, title=settings.library_name,
           public_url=args.public_url).serve()


COMMANDS = {None: cmd_desk, "serve": cmd_serve, "check": cmd_check, "backup": cmd_backup, "restore": cmd_restore, "demo": cmd_demo, "init": cmd_init, "migrate": cmd_migrate, "staff": cmd_staff}


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        handler = getattr(args, "handler", None) or COMMANDS[args.command]
        handler(args)
    except ValueError as exc:  # a malformed --db URL, a bad settings value
        raise SystemExit(str(exc)) from None
