"""The command line: run the desk, the demo library, serve desks to browsers; each post adds its own commands.

The posts' subcommands (a new library, backup, labels, holds, ...) live in counter_tui/commands/<post>/
and are found there: adding a post edits nothing here.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from counter_tui import config
from counter_tui.commands.acting import PASSWORD_ENV  # noqa: F401  (tests and scripts name it here)
from counter_tui.commands.arguments import whole_number


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
    p.add_argument("--port", type=whole_number(1, 65_535, "a TCP port"), default=8000)
    p.add_argument("--public-url", default=None, help="the address browsers use, behind a reverse proxy "
                                                      "(https:// when --host is not loopback)")
    p.add_argument("--max-desks", type=int, default=8, help="desks (browser tabs) open at once (default 8)")
    p.add_argument("--allow-origin", action="append", default=[], metavar="URL",
                   help="another address whose pages may open desks (default: only the public URL's)")

    # each post's own commands: every module of counter_tui/commands/<post>/ with a register()
    from counter_tui.commands import post_modules
    for area in post_modules():
        area.register(sub, _db_option, _open)
    return parser


def _open(args, url: str | None = None, need_schema: bool = True, desk: bool = False):
    import peewee

    from counter_tui import db
    from counter_tui.services import library_settings
    from counter_tui.services.admin import desks, schema
    settings = config.load_settings(db_url=getattr(args, "db", None) or url)
    library_settings.configure(settings)
    if settings.db_url.startswith("sqlite:///"):  # before SQLite opens it, which would answer "disk I/O error"
        problems = desks.wal_problems(Path(settings.db_url.removeprefix("sqlite:///")))
        if problems:
            raise SystemExit("The library's files are not as the open desks left them: " + "; ".join(problems)
                             + ". Nothing was done.")
    db.connect(settings.db_url, application_name=desks.application_name(settings.desk) if desk else None)
    try:  # a wrong password, a server that is down, a file that is no database: one sentence, not a traceback
        db.database.connect(reuse_if_open=True)
    except peewee.DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SystemExit(f"Cannot open the library at {db.shown(settings.db_url)}: {first}") from None
    if need_schema:
        try:
            schema.check_schema()
        except db.SchemaError as exc:
            raise SystemExit(str(exc)) from None
    return settings


def _need_terminal() -> None:
    """The desk reads keys from a terminal: without one (cron, a pipe) it would wait for ever."""
    if os.environ.get("TEXTUAL_DRIVER"):  # a desk served to a browser (serve) brings its own
        return
    if not (sys.stdin and sys.stdin.isatty()):
        raise SystemExit("The desk needs a terminal to run in, and standard input is not one: start it at "
                         "a terminal (over ssh: ssh -t). The other commands (counter-tui --help) need none.")


def _run_desk(settings, actor=None) -> None:
    _need_terminal()
    from counter_tui.app import CounterApp
    from counter_tui.services.admin import desks
    desks.arrive(settings.desk, actor.username if actor else "")  # restore and check see it while it runs
    try:
        CounterApp(settings, actor).run()
    finally:
        desks.leave()


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
    settings = _open(args, desk=True)
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
        own_file = url == config.demo_db_url()  # the demo's own file (older demos carry no mark)
        if schema.current_version() is not None and not own_file and not is_demo_library():
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
        _need_terminal()  # before minutes of building a demo that no one can open
        from counter_tui import demo
        started = time.perf_counter()
        print("Making the demo library...", file=sys.stderr)
        schema.create_schema()
        db.write(setup.seed_standard_rows)
        counts = demo.build_library(demo.DEMO)
        print(f"Demo library ready in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{v} {k}" for k, v in counts.items()), file=sys.stderr)
    else:
        try:
            schema.check_schema()
        except db.SchemaError as exc:  # a demo made by an older counter-tui: say what to do
            raise SystemExit(f"{exc} (or make the demo again: counter-tui demo --fresh)") from None
        if not is_demo_library():  # the demo's password-free sign-in is for a demo library only
            raise SystemExit(f"{url} is not a demo library, so the demo signs no one in: "
                             f"open it with counter-tui --db {url}")
    _run_desk(settings, staff.get_staff("demo"))  # the demo signs its clerk in


def cmd_serve(args) -> None:
    import importlib.util

    from counter_tui import serving
    if importlib.util.find_spec("textual_serve") is None:
        raise SystemExit("The web option needs textual-serve: pip install 'counter-tui[web]'.")
    settings = _open(args)  # refuse now, not in every browser tab, if the database is not usable
    try:
        public_url = serving.check_address(args.host, args.port, args.public_url)
    except serving.ServeRefused as refused:
        raise SystemExit(str(refused)) from None
    if args.max_desks < 1:
        raise SystemExit("--max-desks must be at least 1.")
    serving.desk_environment(settings.db_url)
    serving.library_server(serving.desk_command(), host=args.host, port=args.port, title=settings.library_name,
                           public_url=public_url, max_desks=args.max_desks,
                           allowed_origins=tuple(args.allow_origin)).serve()


COMMANDS = {None: cmd_desk, "serve": cmd_serve, "demo": cmd_demo}  # the rest: each post's commands/ package


def main(argv: list[str] | None = None) -> None:
    from counter_tui.commands.output import cleaned_output
    with cleaned_output():  # nothing a command prints carries escape codes to the terminal
        _main(argv)


def _main(argv: list[str] | None) -> None:
    from counter_tui.commands.acting import refusal_words
    from counter_tui.services.errors import Refusal
    args = None
    try:
        args = build_parser().parse_args(argv)
        handler = getattr(args, "handler", None) or COMMANDS[args.command]
        handler(args)
    except Refusal as refusal:  # every command's refusals, said once, in the command line's words
        raise SystemExit(refusal_words(refusal)) from None
    except ValueError as exc:  # a malformed --db URL, a bad settings value
        raise SystemExit(str(exc)) from None
    except BrokenPipeError:  # `counter-tui register list | head`: the reader has read all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the exit's flush has nowhere to fail
        raise SystemExit(141) from None  # 128 + SIGPIPE, as other tools end in a pipe
    except KeyboardInterrupt:
        print("Stopped (Ctrl+C).", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as exc:  # a bug, a failing disk: one sentence here, the traceback in the library's error log
        raise SystemExit(_unexpected(exc, args)) from None


def _unexpected(error: Exception, args) -> str:
    from types import SimpleNamespace

    from counter_tui.services.admin import error_log
    given = vars(args) if args is not None else {}
    words = [w for w in (given.get("command"), *(v for k, v in given.items()
                                                 if k.endswith("_command") and isinstance(v, str))) if w]
    command = "counter-tui" + "".join(f" {w}" for w in words)
    as_user = getattr(args, "as_user", None)
    path = error_log.record(error, command, actor=SimpleNamespace(username=as_user) if as_user else None)
    said = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return (f"{command} stopped on an unexpected error ({type(error).__name__}{': ' + said if said else ''}). "
            f"{error_log.where_said(path)}")
