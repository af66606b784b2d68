"""`counter-tui anonymise --older-than DAYS [--as USERNAME]`: old loans stop naming readers."""
from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Callable

PASSWORD_ENV = "COUNTER_TUI_PASSWORD"  # the same variable cli.py reads for scripted runs


def register(subparsers, db_option: Callable[[argparse.ArgumentParser], None],
             open_library: Callable[..., object]) -> dict[str, Callable[[argparse.Namespace], None]]:
    """Add the privacy commands; returns command name -> handler for cli.COMMANDS."""
    p = subparsers.add_parser(
        "anonymise", help="returned loans older than DAYS stop naming their reader (statistics stay)")
    db_option(p)
    p.add_argument("--older-than", metavar="DAYS", type=int, required=True, dest="older_than",
                   help="anonymise loans returned more than this many days ago")
    p.add_argument("--as", metavar="USERNAME", dest="as_user", default=None,
                   help="the curator doing it (default: your login name); asks for the password")

    def anonymise(args: argparse.Namespace) -> None:
        from counter_tui.services import privacy, staff
        from counter_tui.services.errors import Refusal
        open_library(args)
        username = args.as_user or getpass.getuser()
        # the audit trail names who did it, so they prove who they are
        password = os.environ.get(PASSWORD_ENV) or getpass.getpass(f"Password for {username}: ")
        try:
            actor = staff.sign_in(username, password)
            moved = privacy.anonymise_loans(actor, args.older_than)
        except Refusal as refusal:
            raise SystemExit(refusal.sentence) from None
        print(f"Anonymised {moved} loan{'s' if moved != 1 else ''} returned more than "
              f"{args.older_than} day{'s' if args.older_than != 1 else ''} ago.")

    p.set_defaults(handler=anonymise)
    return {"anonymise": anonymise}
