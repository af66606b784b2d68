"""`counter-tui anonymise --older-than DAYS [--as USERNAME]`: old loans stop naming readers."""
from __future__ import annotations

import argparse
import getpass
import os
import time
from collections.abc import Callable

PASSWORD_ENV = "COUNTER_TUI_PASSWORD"  # the same variable cli.py reads for scripted runs
# Loans moved per transaction: desks wait for the write lock while a batch moves (about
# 0.15 s for 2,000 on a library of two million loans), and get it in the pause between.
BATCH = 2_000
PAUSE_SECONDS = 0.05


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
    p.add_argument("--batch", metavar="LOANS", type=int, default=BATCH,
                   help=f"loans moved per transaction, so desks keep working (default {BATCH:,})")

    def anonymise(args: argparse.Namespace) -> None:
        from counter_tui.domain.calendar import utc_now
        from counter_tui.services.readers import privacy
        from counter_tui.services.admin import staff
        from counter_tui.services.errors import Refusal
        open_library(args)
        username = args.as_user or getpass.getuser()
        # the audit trail names who did it, so they prove who they are
        password = os.environ.get(PASSWORD_ENV) or getpass.getpass(f"Password for {username}: ")
        now, moved = utc_now(), 0  # one cutoff for every batch
        try:
            actor = staff.sign_in(username, password)
            while True:
                batch = privacy.anonymise_loans(actor, args.older_than, now, at_most=args.batch)
                moved += batch
                if batch < args.batch:
                    break
                time.sleep(PAUSE_SECONDS)
        except Refusal as refusal:
            raise SystemExit(f"{refusal.sentence} ({moved} loans were anonymised before this.)"
                             if moved else refusal.sentence) from None
        print(f"Anonymised {moved} loan{'s' if moved != 1 else ''} returned more than "
              f"{args.older_than} day{'s' if args.older_than != 1 else ''} ago.")

    p.set_defaults(handler=anonymise)
    return {"anonymise": anonymise}
