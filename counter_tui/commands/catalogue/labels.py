"""`counter-tui labels BARCODE... --output FILE.pdf`: spine and barcode labels for copies.

Copies by barcode, by transfer batch (`--batch N`) or all copies in processing
(`--processing`); `--spine`, `--barcode` or `--both` (the default); a sheet template
by name (`--template a4-4x10`) with any of its measures changed (`--page 148x210
--grid 2x5 --label 70x40 --margins 5,4 --gap 0,0`, millimetres); `--skip N` leaves
the first labels of a part-used sheet blank.
"""
from __future__ import annotations

from counter_tui.commands.acting import acting_staff, add_acting_option
from counter_tui.commands.arguments import LARGEST_NUMBER, whole_number


def register(subparsers, db_option, open_library) -> dict:
    from counter_tui.domain.label_sheets import DEFAULT_TEMPLATE, TEMPLATES
    parser = subparsers.add_parser(
        "labels", help="print spine and barcode labels for copies as a PDF sheet",
        description="Make a PDF of spine labels (the call number over lines) and barcode labels "
                    "(Codabar, with the digits and the title) for copies, to print at 100% on a "
                    "sheet of adhesive labels. A copy that is unknown, has a barcode failing its check "
                    "or no call number for its spine prints nothing.")
    db_option(parser)
    parser.add_argument("barcodes", nargs="*", metavar="BARCODE", help="copies' barcodes, as scanned or typed")
    parser.add_argument("--output", "-o", required=True, metavar="FILE.pdf", help="the PDF file to write")
    parser.add_argument("--force", action="store_true",
                        help="write over a file already at --output (never over a database, device or folder)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--batch", type=whole_number(1, LARGEST_NUMBER, "a transfer batch's number"), metavar="N",
                       help="every copy of transfer batch N")
    which.add_argument("--processing", action="store_true", help="every copy still in processing")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--spine", dest="kind", action="store_const", const="spine", help="spine labels only")
    kind.add_argument("--barcode", dest="kind", action="store_const", const="barcode", help="barcode labels only")
    kind.add_argument("--both", dest="kind", action="store_const", const="both",
                      help="a spine label and a barcode label for each copy (the default)")
    parser.add_argument("--template", default=DEFAULT_TEMPLATE, choices=sorted(TEMPLATES),
                        help=f"the label sheet (default {DEFAULT_TEMPLATE}); the options below change it")
    parser.add_argument("--page", metavar="WxH", help="page size in mm, e.g. 210x297")
    parser.add_argument("--grid", metavar="CxR", help="columns x rows of labels, e.g. 3x8")
    parser.add_argument("--label", metavar="WxH", help="label size in mm, e.g. 70x37")
    parser.add_argument("--margins", metavar="TOP,LEFT", help="top and left page margins in mm")
    parser.add_argument("--gap", metavar="X,Y", help="gaps between labels across and down, in mm")
    parser.add_argument("--skip", type=whole_number(0, LARGEST_NUMBER, "labels"), default=0, metavar="N",
                        help="leave the first N labels blank (a part-used sheet)")
    add_acting_option(parser)

    def labels(args) -> None:
        print_labels(args, open_library)

    parser.set_defaults(handler=labels)
    return {"labels": labels}


def _pair(text: str | None, sep: str, what: str, kind=float) -> tuple:
    if not text:
        return None, None
    parts = text.lower().replace(" ", "").split(sep)
    try:
        first, second = (kind(p) for p in parts)
    except ValueError:
        raise SystemExit(f"{what} is two numbers separated by '{sep}', like 3{sep}8, not {text!r}.") from None
    return first, second


def print_labels(args, open_library) -> None:
    from counter_tui.services.catalogue import labels
    from counter_tui.services.errors import Refusal
    settings = open_library(args)
    actor = acting_staff(args)
    page_w, page_h = _pair(args.page, "x", "--page")
    columns, rows = _pair(args.grid, "x", "--grid", int)
    label_w, label_h = _pair(args.label, "x", "--label")
    margin_top, margin_left = _pair(args.margins, ",", "--margins")
    gap_x, gap_y = _pair(args.gap, ",", "--gap")
    sheet = labels.template(args.template, page_w=page_w, page_h=page_h, columns=columns, rows=rows,
                            label_w=label_w, label_h=label_h, margin_top=margin_top,
                            margin_left=margin_left, gap_x=gap_x, gap_y=gap_y)
    if args.batch is not None:
        if args.barcodes:
            raise Refusal("Name barcodes or a batch, not both.")
        copies = labels.copies_of_batch(args.batch)
    elif args.processing:
        if args.barcodes:
            raise Refusal("Name barcodes or --processing, not both.")
        copies = labels.copies_in_processing()
    elif args.barcodes:
        copies = labels.copies_by_barcode(args.barcodes)
    else:
        raise Refusal("Name the copies: barcodes, --batch N or --processing.")
    result = labels.print_labels(actor, copies, args.output, args.kind or labels.BOTH, sheet, skip=args.skip,
                                 force=args.force)
    del settings
    pages = f"{result.pages} page{'s' if result.pages > 1 else ''}"
    print(f"{result.labels} label{'s' if result.labels > 1 else ''} on {pages} ({result.template.name}): "
          f"{result.path}")
