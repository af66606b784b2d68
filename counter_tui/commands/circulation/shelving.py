"""`counter-tui shelve`: the shelving cart from the command line.

    counter-tui shelve --expired [--as USER]     copies on the cart past the shelving time
                                                 become available (cron may run it)
    counter-tui shelve --list                    what is on the cart, in shelf order
    counter-tui shelve BARCODE... [--as USER]    shelving scans typed or pasted
"""
from __future__ import annotations

import argparse
from collections.abc import Callable

from counter_tui.commands.acting import acting_staff, add_acting_option, refusal_words


def register(subparsers, db_option: Callable[[argparse.ArgumentParser], None],
             open_library: Callable[..., object]) -> dict[str, Callable[[argparse.Namespace], None]]:
    p = subparsers.add_parser(
        "shelve", help="the shelving cart: shelve copies past the shelving time (--expired), list it, "
                       "or shelve barcodes")
    db_option(p)
    add_acting_option(p)
    p.add_argument("barcodes", nargs="*", metavar="BARCODE", help="copies put back on their shelves")
    p.add_argument("--expired", action="store_true",
                   help="copies on the cart longer than shelving_minutes become available")
    p.add_argument("--list", action="store_true", dest="list_cart", help="list the cart in shelf order")

    def shelve(args: argparse.Namespace) -> None:
        from counter_tui.services import library_settings
        from counter_tui.services.circulation import shelving
        from counter_tui.services.errors import Refusal
        open_library(args)
        if not (args.expired or args.list_cart or args.barcodes):
            raise SystemExit("Say what to do: --expired, --list, or the barcodes of the copies shelved.")
        if args.list_cart:
            copies, total = shelving.cart()
            for c in copies:
                since = c.since.strftime("%Y-%m-%d %H:%M") if c.since else "unknown"
                mark = "  (time is up)" if c.counts_as_shelved else ""
                print(f"{c.location:<10} {c.call_number:<16} {c.barcode:<14} {c.title[:30]}  since {since} UTC{mark}")
            print(f"{total} cop{'ies' if total != 1 else 'y'} on the shelving cart"
                  + (f" ({len(copies)} listed)" if len(copies) < total else "") + ".")
            if not (args.expired or args.barcodes):
                return
        actor = acting_staff(args)
        failed = 0
        for raw in args.barcodes:
            try:
                done = shelving.shelve(actor, raw)
                if done.hold is not None:
                    print(f"{done.barcode}  {done.title[:40]}\n    not shelved: a hold waits for "
                          f"{done.hold.patron_name[:20]}; scan it at check-in (F3)")
                    continue
                print(f"{done.barcode}  {done.title[:40]}  -> {done.shelf}" + (f"  ({done.note})" if done.note else ""))
            except Refusal as refusal:  # the other copies are still shelved
                failed += 1
                print(f"{raw.strip()}  not shelved: {refusal_words(refusal)}")
        if args.expired:
            minutes = library_settings.settings().shelving_minutes
            if minutes <= 0:
                print("shelving_minutes is 0: only a shelving scan puts a copy back; nothing swept.")
            else:
                swept = shelving.sweep(actor)
                print(f"{len(swept)} cop{'ies' if len(swept) != 1 else 'y'} on the cart longer than "
                      f"{minutes:g} minutes now available.")
        if failed:
            raise SystemExit(f"{failed} of {len(args.barcodes)} copies were not shelved.")

    p.set_defaults(handler=shelve)
    return {"shelve": shelve}
