"""The cataloguing office's property accounts from the command line.

`counter-tui register totals [--from D] [--to D] [--by day|month|year]`  copies and value received
`counter-tui register list [--from D] [--to D] [--source S]`            the accession register's lines
`counter-tui register balance`                                           holdings = accessions - write-offs
`counter-tui writeoff --reason R BARCODE...`                             a numbered write-off certificate (PDF)
`counter-tui transfer BARCODE... [--destination D]`                      new copies to circulation, with the list (PDF)
`counter-tui bulletin --from D --to D`                                   the new-books bulletin (PDF)
`counter-tui processing --from D --to D [--by day|cataloguer|class]`     processing statistics

Each acts as a staff member (--as, with the password); cataloguers and the curator only.
Documents are PDF files to print and sign, written under COUNTER_TUI_PROPERTY_DOCS (default: the
data folder's "property").
"""
from __future__ import annotations

from datetime import date, timedelta

from counter_tui.commands.acting import acting_staff, add_acting_option


# days the register and the calendar can reckon with (a month before, a time zone away)
FIRST_DAY, LAST_DAY = date(1000, 1, 1), date(8999, 12, 31)


def _day(text: str) -> date:
    import argparse
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(f"give a date from {FIRST_DAY} to {LAST_DAY}, not {text}")
    return day


def register(subparsers, db_option, open_library) -> dict:
    reg = subparsers.add_parser("register", help="the accession register: totals, lines, balance")
    db_option(reg)
    actions = reg.add_subparsers(dest="register_command", metavar="ACTION", required=True)
    totals = actions.add_parser("totals", help="copies and value received, by period and source")
    listing = actions.add_parser("list", help="the register's lines in accession-number order")
    balance = actions.add_parser("balance", help="holdings = accessions - write-offs, by count and value")
    for p in (totals, listing, balance):
        db_option(p)
        add_acting_option(p)
    for p in (totals, listing):
        p.add_argument("--from", dest="since", type=_day, default=None, metavar="YYYY-MM-DD")
        p.add_argument("--to", dest="until", type=_day, default=None, metavar="YYYY-MM-DD")
    totals.add_argument("--by", choices=("day", "month", "year"), default="month")
    listing.add_argument("--source", default="", help="only this source (purchase, gift, ...)")

    wo = subparsers.add_parser("writeoff", help="write off copies under a numbered certificate",
                               description="Withdraw the copies and write the certificate, a PDF to sign (all or none).")
    db_option(wo)
    wo.add_argument("--reason", required=True, help="why: worn out, lost, out of date, ...")
    wo.add_argument("barcodes", nargs="+", metavar="BARCODE")
    add_acting_option(wo)

    tr = subparsers.add_parser("transfer", help="transfer new copies to circulation, with a list to sign",
                               description="Open a transfer batch, scan the copies in and close it: the copies "
                                           "become available and the transfer list, a PDF to sign, is written (all or none).")
    db_option(tr)
    tr.add_argument("barcodes", nargs="+", metavar="BARCODE")
    tr.add_argument("--destination", default="Circulation")
    add_acting_option(tr)

    bu = subparsers.add_parser("bulletin", help="the new-books bulletin of a period, as a PDF")
    pr = subparsers.add_parser("processing", help="processing statistics: titles and copies catalogued")
    for p in (bu, pr):
        db_option(p)
        p.add_argument("--from", dest="since", type=_day, default=None, metavar="YYYY-MM-DD",
                       help="first day (default: 30 days before --to)")
        p.add_argument("--to", dest="until", type=_day, default=None, metavar="YYYY-MM-DD",
                       help="last day (default: today)")
        add_acting_option(p)
    pr.add_argument("--by", choices=("day", "cataloguer", "class"), default="day")

    def run(fn):
        def handler(args) -> None:
            open_library(args)
            fn(args, acting_staff(args))
        return handler

    handlers = {"register": run(_register), "writeoff": run(_writeoff), "transfer": run(_transfer),
                "bulletin": run(_bulletin), "processing": run(_processing)}
    for parser, name in ((reg, "register"), (wo, "writeoff"), (tr, "transfer"), (bu, "bulletin"),
                         (pr, "processing")):
        parser.set_defaults(handler=handlers[name])
    return handlers


def _period(args) -> tuple[date, date]:
    from counter_tui.domain.calendar import local_date, utc_now
    from counter_tui.services import library_settings
    until = args.until or local_date(utc_now(), library_settings.settings().timezone)
    return args.since or until - timedelta(days=30), until


def _register(args, actor) -> None:
    from counter_tui.services.property import accessions
    from counter_tui.services import library_settings
    money = library_settings.money
    if args.register_command == "totals":
        for t in accessions.totals(actor, args.since, args.until, args.by):
            print(f"{t.period:<10} {t.source:<14} {t.copies:>9} {money(t.value):>16}")
    elif args.register_command == "list":
        after = 0
        while True:
            page = accessions.register(actor, args.since, args.until, args.source, after_number=after, limit=1000)
            for line in page:
                gone = f"  written off ({line.withdrawn_by})" if line.withdrawn_by else ""
                print(f"{line.number:>8} {line.received_on.isoformat()} {line.source:<12} "
                      f"{money(line.price):>12} {line.barcode} {line.title[:40]}{gone}")
            if len(page) < 1000:
                break
            after = page[-1].number
    else:
        from counter_tui.services import access
        access.require(actor, "read the accession register", *accessions.ROLES)
        b = accessions.balance()
        print(f"accessions  {b.accessions:>9} {money(b.accession_value):>16}")
        print(f"write-offs  {b.written_off:>9} {money(b.written_off_value):>16}")
        print(f"holdings    {b.holdings:>9} {money(b.holdings_value):>16}")
        print("balanced" if b.ok else "NOT BALANCED: run counter-tui check")
        if not b.ok:
            raise SystemExit(1)


def _writeoff(args, actor) -> None:
    from counter_tui.services import library_settings
    from counter_tui.services.property import writeoffs
    cert = writeoffs.write_off(actor, args.barcodes, args.reason)
    copies = f"{cert.copies} cop{'y' if cert.copies == 1 else 'ies'}"
    print(f"Write-off certificate {cert.number}: {copies}, {library_settings.money(cert.value)}. "
          f"The certificate to sign (PDF): {cert.path}")


def _transfer(args, actor) -> None:
    from counter_tui import db
    from counter_tui.services.property import transfers

    def work():
        batch = transfers.open_batch(actor, args.destination)
        if batch.count:
            raise_open(batch)
        for raw in args.barcodes:
            transfers.scan_in(actor, batch.id, raw)
        return transfers.close_batch(actor, batch.id)

    def raise_open(batch):
        from counter_tui.services.errors import Refusal
        raise Refusal(f"You have transfer batch {batch.number} open with {batch.count} copies at the desk; "
                      "close it there first.")

    done = db.write(work)
    print(f"Transfer batch {done.number}: {done.count} copies to {done.destination}. "
          f"The transfer list to sign (PDF): {done.file}")


def _bulletin(args, actor) -> None:
    from counter_tui.services.property import bulletin
    since, until = _period(args)
    data, path = bulletin.write_bulletin(actor, since, until)
    print(f"New books {since} to {until}: {data.titles} titles, {data.copies} copies in "
          f"{len(data.groups)} classes. The bulletin to print (PDF): {path}")


def _processing(args, actor) -> None:
    from counter_tui.services.property import processing_stats
    since, until = _period(args)
    print(f"{'':<24} {'titles':>8} {'copies':>8}")
    for row in processing_stats.processing(actor, since, until, args.by):
        print(f"{row.key:<24} {row.titles:>8} {row.copies:>8}")
