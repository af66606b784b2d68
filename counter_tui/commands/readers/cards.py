"""`counter-tui cards print CARD... --output FILE.pdf`: a sheet of library cards to print."""
from __future__ import annotations

from counter_tui.commands.acting import acting_staff, add_acting_option


def register(subparsers, db_option, open_library) -> dict:
    """Add the commands; returns command name -> handler for cli.COMMANDS (also set as `handler`)."""
    parser = subparsers.add_parser("cards", help="library cards: print a sheet of them")
    db_option(parser)
    actions = parser.add_subparsers(dest="cards_command", metavar="ACTION", required=True)
    printing = actions.add_parser(
        "print", help="make a PDF sheet of library cards (A4, ten cards a page, Codabar barcodes)",
        description="Make a PDF of the readers' library cards, to print at 100% on A4 card stock. "
                    "An unknown, replaced, lost or cancelled card prints nothing.")
    db_option(printing)
    printing.add_argument("cards", nargs="+", metavar="CARD", help="card numbers, as scanned or typed")
    printing.add_argument("--output", "-o", required=True, metavar="FILE.pdf", help="the PDF file to write")
    printing.add_argument("--force", action="store_true",
                          help="write over a file already at --output (never over a database, device or folder)")
    add_acting_option(printing)

    def cards(args) -> None:
        if args.cards_command == "print":
            print_cards(args, open_library)

    parser.set_defaults(handler=cards)
    return {"cards": cards}


def print_cards(args, open_library) -> None:
    from counter_tui.services.readers import card_sheet
    settings = open_library(args)
    actor = acting_staff(args)
    sheet = card_sheet.card_sheet(actor, args.cards, args.output, settings, force=args.force)
    pages = f"{sheet.pages} page{'s' if sheet.pages > 1 else ''}"
    print(f"{len(sheet.cards)} card{'s' if len(sheet.cards) > 1 else ''} on {pages}: {sheet.path}")
