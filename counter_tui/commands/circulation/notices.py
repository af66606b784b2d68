"""`counter-tui notices [--list] [--sheet]`: print the overdue and hold-ready notices that are due, as PDF letters."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from counter_tui.commands.acting import acting_staff, add_acting_option


def register(subparsers, db_option: Callable[[argparse.ArgumentParser], None],
             open_library: Callable[..., object]) -> None:
    p = subparsers.add_parser("notices", help="print the overdue (three levels) and hold-ready notices that are due")
    db_option(p)
    add_acting_option(p)
    p.add_argument("--list", action="store_true", help="only list what is due; print and record nothing")
    p.add_argument("--sheet", action="store_true", help="one PDF for all readers (each letter on pages of its own), not one per reader")
    p.add_argument("--output", metavar="FOLDER", type=Path, default=None,
                   help="where the PDF letters go (default: $COUNTER_TUI_NOTICES or the data folder's notices/)")

    def notices_command(args: argparse.Namespace) -> None:
        from counter_tui.services.circulation import notices
        open_library(args)
        actor = acting_staff(args)
        if args.list:
            due = notices.notices_due(actor)
            for line in due:
                what = (f"{notices.LEVEL_NAMES[line.level]} ({line.days_overdue} days)"
                        if line.kind == notices.OVERDUE else "hold ready")
                print(f"{line.card}\t{line.patron_name}\t{what}\t{line.barcode}\t{line.title}")
            if not due:
                print("No notices are due: no loan is late enough for a letter and no hold is waiting to be told.")
            return
        done = notices.produce(actor, one_sheet=args.sheet, folder=args.output)
        where = f", as PDF letters in {len(done.files)} file{'s' if len(done.files) != 1 else ''}:" if done.files else "."
        print(f"{done.notices} notices for {done.readers} readers{where}")
        for path in done.files:
            print(path)

    p.set_defaults(handler=notices_command)
