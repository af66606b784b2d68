"""Who a command acts as: `--as USERNAME` (default: the login name), proved by the password.

The audit trail names the person, so a command asks for the password as the desk does
(or reads COUNTER_TUI_PASSWORD, for scripted runs), like commands/privacy.py.
"""
from __future__ import annotations

import getpass
import os

PASSWORD_ENV = "COUNTER_TUI_PASSWORD"  # the same variable cli.py reads for scripted runs


def add_acting_option(parser) -> None:
    parser.add_argument("--as", dest="as_user", metavar="USERNAME", default=None,
                        help="the staff account doing this (default: your login name); asks for the password")


def acting_staff(args):
    """The signed-in staff member, or SystemExit with the sentence."""
    from counter_tui.services.admin import staff
    from counter_tui.services.errors import Refusal
    username = args.as_user or getpass.getuser()
    password = os.environ.get(PASSWORD_ENV) or getpass.getpass(f"Password for {username}: ")
    try:
        return staff.sign_in(username, password)
    except Refusal as refusal:
        raise SystemExit(refusal.sentence) from None
