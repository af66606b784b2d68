"""Who a command acts as, the one place a command asks for a password, and the words of a refusal.

`--as USERNAME` (default: the login name) names the staff account; its password proves it,
so the audit trail names the person, as at the desk. For scripted runs the password may
come from COUNTER_TUI_PASSWORD instead of the terminal.

The services word their refusals for the desk ("Ctrl+O switches user"); `refusal_words` says
them as the command line must (the account tried, and `--as`), for every command: cli.main
catches refusals there.
"""
from __future__ import annotations

import getpass
import io
import os
import re
import sys
import warnings

PASSWORD_ENV = "COUNTER_TUI_PASSWORD"
DESK_SWITCH = re.compile(r"\s*\(Ctrl\+O switches user\)")  # the desk's advice, which a command cannot take


def _has_terminal() -> bool:
    """Whether getpass has a terminal to ask on (it tries /dev/tty, then standard input)."""
    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
    except OSError:
        return bool(sys.stdin and sys.stdin.isatty())
    return True


def _typed(prompt: str, whose: str) -> str:
    """A password typed at the terminal; a sentence, not EOFError, when there is none (cron)."""
    terminal = _has_terminal()
    try:
        with warnings.catch_warnings():
            if terminal:
                return getpass.getpass(prompt)
            # no terminal: getpass reads standard input (a pipe, or nothing at all), where nothing
            # can be echoed on a screen; its prompt and echo warning would only garble the sentence
            warnings.simplefilter("ignore", getpass.GetPassWarning)
            return getpass.getpass(prompt, stream=io.StringIO())
    except EOFError:
        raise SystemExit(f"The password of {whose} is needed and there is no terminal to type it on: run the "
                         f"command at a terminal, or set {PASSWORD_ENV} for a scripted run. "
                         "Nothing was changed.") from None


def ask_password(prompt: str, whose: str = "the account") -> str:
    """The password of an existing account: from the terminal (or the scripted-run variable)."""
    return os.environ.get(PASSWORD_ENV) or _typed(prompt, whose)


def new_password(prompt: str, whose: str = "the new account") -> str:
    """A new account's password, typed twice so a slip of the finger does not lock anyone out."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    first = _typed(prompt, whose)
    if _typed("Again: ", whose) != first:
        raise SystemExit("The two passwords differ; nothing was changed.")
    return first


def add_acting_option(parser, who: str = "the staff account doing this") -> None:
    parser.add_argument("--as", dest="as_user", metavar="USERNAME", default=None,
                        help=f"{who} (default: your login name); asks for the password")


def acting_staff(args, any_schema: bool = False):
    """The signed-in staff member, or SystemExit with the sentence (naming the account tried).

    `any_schema` for the commands that run on a database whose schema is not this program's
    (`migrate`, `restore`): the account is read as every schema has it."""
    import peewee

    from counter_tui.services.admin import staff
    from counter_tui.services.errors import Refusal
    username = args.as_user or _login_name()
    named = "" if args.as_user else " (your login name; --as USERNAME names your staff account)"
    sign_in = staff.sign_in_on_any_schema if any_schema else staff.sign_in
    try:
        return sign_in(username, ask_password(f"Password for {username}: ", username))
    except Refusal as refusal:
        raise SystemExit(f"Signing in as {username}{named} failed: {refusal.sentence}") from None
    except peewee.DatabaseError as exc:  # a damaged or read-only file: who is signing in cannot be checked
        said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SystemExit(f"Signing in as {username}{named} failed: the library's staff accounts cannot be read "
                         f"or the sign-in recorded ({said}). Nothing was changed.") from None


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no LOGNAME or USER, and a uid with no name (a bare container)
        raise SystemExit("Name the staff account doing this with --as USERNAME.") from None


def refusal_words(refusal) -> str:
    """A service's refusal as a command-line user reads it: the account tried, and `--as` where
    the desk would say "Ctrl+O switches user"."""
    from counter_tui.services.errors import PermissionDenied
    if isinstance(refusal, PermissionDenied) and refusal.doing:
        tried = f", not {refusal.tried}" if refusal.tried else ""
        return f"Only {refusal.allowed} may {refusal.doing}{tried}: run it with --as USERNAME of someone who may."
    # any other sentence that sends the clerk to Ctrl+O ("sign in as someone else (Ctrl+O ...)")
    return DESK_SWITCH.sub(" with --as USERNAME", refusal.sentence)
