"""`counter-tui holds`: the hold shelf from the command line.

    counter-tui holds expire [--as USER]   holds not collected by their pick-up-by day expire;
                                           each copy goes to the next reader or back to the
                                           shelf (cron may run it each morning)
    counter-tui holds shelf [--as USER]    what is on the hold shelf, oldest pick-up-by first
"""
from __future__ import annotations

import argparse
from collections.abc import Callable

from counter_tui.commands.acting import acting_staff, add_acting_option


def register(subparsers, db_option: Callable[[argparse.ArgumentParser], None],
             open_library: Callable[..., object]) -> dict[str, Callable[[argparse.Namespace], None]]:
    p = subparsers.add_parser("holds", help="the hold shelf: expire uncollected holds, or list the shelf")
    db_option(p)
    add_acting_option(p)
    p.add_argument("action", choices=("expire", "shelf"),
                   help="expire: holds past their pick-up-by day expire; shelf: list the hold shelf")

    def run(args: argparse.Namespace) -> None:
        from counter_tui.services import holds
        from counter_tui.services.errors import Refusal
        open_library(args)
        actor = acting_staff(args)
        try:
            if args.action == "shelf":
                rows = holds.hold_shelf(actor)
                for h in rows:
                    until = h.pickup_by.isoformat() if h.pickup_by else "-"
                    print(f"{until}  {h.barcode:<14} {h.patron_card:<14} {h.patron_name[:20]:<20} {h.title[:30]}")
                print(f"{len(rows)} cop{'ies' if len(rows) != 1 else 'y'} on the hold shelf.")
                return
            done = holds.expire(actor)
        except Refusal as refusal:
            raise SystemExit(refusal.sentence) from None
        for e in done:
            now = (f"now waits for {e.next_reader} until {e.next_pickup_by.isoformat()} (print a new slip)"
                   if e.next_reader else "back to the shelf")
            print(f"{e.barcode:<14} {e.title[:30]:<30} was for {e.patron_name[:20]}: {now}")
        moved = sum(1 for e in done if e.next_reader)
        print(f"{len(done)} hold{'s' if len(done) != 1 else ''} expired; {moved} cop{'ies' if moved != 1 else 'y'} "
              f"went to the next reader, {len(done) - moved} back to the shelf.")

    p.set_defaults(handler=run)
    return {"holds": run}
