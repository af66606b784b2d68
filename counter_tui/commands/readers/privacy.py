"""`counter-tui anonymise --older-than DAYS [--as USERNAME]`: old loans and holds stop naming readers."""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from counter_tui.commands.acting import acting_staff, add_acting_option, refusal_words
from counter_tui.commands.arguments import whole_number
from counter_tui.domain.plurals import counted

# Loans moved per transaction: desks wait for the write lock while a batch moves (about
# 0.15 s for 2,000 on a library of two million loans), and get it in the pause between.
BATCH = 2_000
PAUSE_SECONDS = 0.05


def register(subparsers, db_option: Callable[[argparse.ArgumentParser], None],
             open_library: Callable[..., object]) -> dict[str, Callable[[argparse.Namespace], None]]:
    """Add the privacy commands; returns command name -> handler for cli.COMMANDS."""
    p = subparsers.add_parser(
        "anonymise", help="returned loans and ended holds older than DAYS stop naming their reader "
                          "(statistics stay)")
    db_option(p)
    p.add_argument("--older-than", metavar="DAYS", type=whole_number(1, 36_500, "days: a hundred years at most"),
                   required=True, dest="older_than", help="anonymise loans returned more than this many days ago")
    add_acting_option(p, "the curator doing it")
    p.add_argument("--batch", metavar="LOANS", type=whole_number(1, 1_000_000, "loans"), default=BATCH,
                   help=f"loans moved per transaction, so desks keep working (default {BATCH:,})")

    def anonymise(args: argparse.Namespace) -> None:
        from counter_tui.domain.calendar import utc_now
        from counter_tui.services.readers import privacy
        from counter_tui.services.errors import Refusal
        open_library(args)
        actor = acting_staff(args)  # the audit trail names who did it, so they prove who they are
        now, loans, holds = utc_now(), 0, 0  # one cutoff for every batch
        try:
            while True:
                batch = privacy.anonymise_loans(actor, args.older_than, now, at_most=args.batch)
                loans, holds = loans + batch.loans, holds + batch.holds
                if batch.loans < args.batch and batch.holds < args.batch:
                    break
                time.sleep(PAUSE_SECONDS)
        except Refusal as refusal:  # the batches before it stay done: say how many
            said = refusal_words(refusal)
            raise SystemExit(f"{said} ({loans} loans were anonymised before this.)" if loans else said) from None
        ended = f" and {counted(holds, 'hold')} ended" if holds else ""
        print(f"Anonymised {counted(loans, 'loan')} returned{ended} more than {counted(args.older_than, 'day')} ago.")

    p.set_defaults(handler=anonymise)
    return {"anonymise": anonymise}
