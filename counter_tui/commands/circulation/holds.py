"""`counter-tui holds`: the hold shelf from the command line.

    counter-tui holds expire [--as USER]   holds not collected by their pick-up-by day expire;
                                           each copy goes to the next reader or back to the
                                           shelf (cron may run it each morning)
    counter-tui holds shelf [--as USER]    what is on the hold shelf, oldest pick-up-by first
    counter-tui holds pull [--print]       copies on the shelf that waiting holds can have, in
                                           shelf order, to fetch and scan in at check-in
"""
from __future__ import annotations

import argparse
from collections.abc import Callable

from counter_tui.commands.acting import acting_staff, add_acting_option


def register(subparsers, db_option: Callable[[argparse.ArgumentParser], None],
             open_library: Callable[..., object]) -> dict[str, Callable[[argparse.Namespace], None]]:
    p = subparsers.add_parser("holds", help="the hold shelf: expire uncollected holds, list the shelf, "
                                              "or the copies to pull for waiting holds")
    db_option(p)
    add_acting_option(p)
    p.add_argument("action", choices=("expire", "shelf", "pull"),
                   help="expire: holds past their pick-up-by day expire; shelf: list the hold shelf; "
                        "pull: copies on the shelf that waiting holds can have")
    p.add_argument("--print", action="store_true", dest="print_list",
                   help="with pull: also print the list as a slip (or save it, with no printer)")

    def run(args: argparse.Namespace) -> None:
        from counter_tui.services.circulation import holds
        open_library(args)
        actor = acting_staff(args)
        if args.action == "pull":
            _pull(actor, args.print_list)
            return
        if args.action == "shelf":
            rows = holds.hold_shelf(actor)
            for h in rows:
                until = h.pickup_by.isoformat() if h.pickup_by else "-"
                print(f"{until}  {h.barcode:<14} {h.patron_card:<14} {h.patron_name[:20]:<20} {h.title[:30]}")
            print(f"{len(rows)} cop{'ies' if len(rows) != 1 else 'y'} on the hold shelf.")
            return
        done = holds.expire(actor)
        for e in done:
            now = (f"now waits for {e.next_reader} until {e.next_pickup_by.isoformat()} (print a new slip)"
                   if e.next_reader else "back to the shelf")
            print(f"{e.barcode:<14} {e.title[:30]:<30} was for {e.patron_name[:20]}: {now}")
        moved = sum(1 for e in done if e.next_reader)
        print(f"{len(done)} hold{'s' if len(done) != 1 else ''} expired; {moved} cop{'ies' if moved != 1 else 'y'} "
              f"went to the next reader, {len(done) - moved} back to the shelf.")

    def _pull(actor, print_it: bool) -> None:
        from counter_tui.services.circulation import pull_list
        rows = pull_list.to_pull(actor)
        for r in rows:
            print(f"{r.shelf[:26]:<26} {r.barcode:<14} {r.title[:18]:<18} for {r.patron_name[:14]}")  # 80 cols
        print(f"{len(rows)} cop{'ies' if len(rows) != 1 else 'y'} to pull for waiting holds.")
        if print_it:
            done, _ = pull_list.print_list(actor)
            print("Sent to the printer." if done.printed else f"Saved as {done.path}. {done.problem}".rstrip())

    p.set_defaults(handler=run)
    return {"holds": run}
