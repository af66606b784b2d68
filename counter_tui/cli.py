"""The command line: run the desk, the demo library, serve desks to browsers; each post adds its own commands.

The posts' subcommands (a new library, backup, labels, holds, ...) live in counter_tui/commands/<post>/
and are found there: adding a post edits nothing here.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from counter_tui import config
from counter_tui.commands.acting import PASSWORD_ENV  # noqa: F401  (tests and scripts name it here)


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

    p = sub.add_parser("serve", help="serve desks to web browsers (textual-serve), on loopback by default")
    _db_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: put the "
                                                        "library's own access control in front)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--public-url", default=None, help="the address browsers use, behind a reverse proxy")

    # each post's own commands: every module of counter_tui/commands/<post>/ with a register()
    from counter_tui.commands import post_modules
    for area in post_modules():
        area.register(sub, _db_option, _open)
    return parser


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


SERVED_ENV = "COUNTER_TUI_SERVED"  # set for the desks `serve` starts: a browser's visitor is no OS user


def trusted_login(settings) -> str | None:
    """The operating-system login a desk may sign in as without a password, or None.

    Only when the administrator says so in the system-wide settings file (a file named in
    an environment variable, or the user's own, cannot grant it), only inside ssh, never
    for a desk served to a browser; and the login is the process's real user, looked up by
    uid, not the LOGNAME or USER variables anyone can set.
    """
    import pwd
    if not settings.trust_ssh_user or settings.source != config.SYSTEM_CONFIG:
        return None
    if os.environ.get(SERVED_ENV) or not os.environ.get("SSH_CONNECTION"):
        return None
    return pwd.getpwuid(os.getuid()).pw_name


def cmd_desk(args) -> None:
    settings = _open(args)
    actor = None
    login = trusted_login(settings)
    if login is not None:  # sshd has already checked who this is; the account must carry the same name
        from counter_tui.services.admin import staff
        actor = staff.os_user_account(login)
    elif settings.trust_ssh_user and settings.source != config.SYSTEM_CONFIG:
        print(f"trust_ssh_user is honoured only in {config.SYSTEM_CONFIG}, not in {settings.source}: "
              f"the desk asks for a password.", file=sys.stderr)
    _run_desk(settings, actor)


def cmd_demo(args) -> None:
    from counter_tui import db
    from counter_tui.services.admin import schema, setup, staff
    from counter_tui.demo.staff_accounts import is_demo_library
    url = getattr(args, "db", None) or config.demo_db_url()
    path = url.removeprefix("sqlite:///")
    if args.fresh and "://" not in url.replace("sqlite:///", "", 1) and os.path.exists(path):
        _open(args, url=url, need_schema=False)
        if schema.current_version() is not None and not is_demo_library():
            raise SystemExit(f"{path} holds a library that is not a demo (made by init); --fresh throws away "
                             f"only a demo library. Nothing was deleted.")
        db.database.close()
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
        if not is_demo_library():  # the demo's password-free sign-in is for a demo library only
            raise SystemExit(f"{url} is not a demo library, so the demo signs no one in: "
                             f"open it with counter-tui --db {url}")
    _run_desk(settings, staff.get_staff("demo"))  # the demo signs its clerk in


def cmd_serve(args) -> None:
    import shlex
    try:
        from textual_serve.server import Server
    except ImportError:
        raise SystemExit("The web option needs textual-serve: pip install 'counter-tui[web]'.") from None
    settings = _open(args)  # refuse now, not in every browser tab, if the database is not usable
    command = " ".join(shlex.quote(part) for part in (sys.executable, "-m", "counter_tui", "--db", settings.db_url))
    os.environ[SERVED_ENV] = "1"  # every tab's desk asks who is there: no trusted sign-in under serve
    # every browser tab runs its own desk process, which asks for a username and password
    Server(command, host=args.host, port=args.port, title=settings.library_name,
           public_url=args.public_url).serve()


COMMANDS = {None: cmd_desk, "serve": cmd_serve, "demo": cmd_demo}  # the rest: each post's commands/ package


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        handler = getattr(args, "handler", None) or COMMANDS[args.command]
        handler(args)
    except ValueError as exc:  # a malformed --db URL, a bad settings value
        raise SystemExit(str(exc)) from None
