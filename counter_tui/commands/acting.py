"""Who a command acts as, and the one place a command asks for a password.

`--as USERNAME` (default: the login name) names the staff account; its password proves it,
so the audit trail names the person, as at the desk. For scripted runs the password may
come from COUNTER_TUI_PASSWORD instead of the terminal.
"""
from __future__ import annotations

import getpass
import os

PASSWORD_ENV = "COUNTER_TUI_PASSWORD"


def ask_password(prompt: str) -> str:
    """The password of an existing account: from the terminal (or the scripted-run variable)."""
    return os.environ.get(PASSWORD_ENV) or getpass.getpass(prompt)


def new_password(prompt: str) -> str:
    """A new account's password, typed twice so a slip of the finger does not lock anyone out."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        raise SystemExit("The two passwords differ; nothing was changed.")
    return first


def add_acting_option(parser, who: str = "the staff account doing this") -> None:
    parser.add_argument("--as", dest="as_user", metavar="USERNAME", default=None,
                        help=f"{who} (default: your login name); asks for the password")


def acting_staff(args):
    """The signed-in staff member, or SystemExit with the sentence."""
    from counter_tui.services.admin import staff
    from counter_tui.services.errors import Refusal
    username = args.as_user or getpass.getuser()
    try:
        return staff.sign_in(username, ask_password(f"Password for {username}: "))
    except Refusal as refusal:
        raise SystemExit(refusal.sentence) from None
