"""`counter-tui marc import FILE` and `counter-tui marc export FILE`: MARC 21 in batch.

Import reads ISO 2709 or MARCXML (found from the file's first byte) and prints the
report (imported, duplicate and rejected records, copies left out) on standard output;
the exit status is non-zero only when no record of the file could be read.
"""
from __future__ import annotations

import sys

from counter_tui.commands.acting import acting_staff, add_acting_option


def register(subparsers, db_option, open_library) -> dict:
    parser = subparsers.add_parser("marc", help="MARC 21 records: import and export (ISO 2709, MARCXML)")
    db_option(parser)
    actions = parser.add_subparsers(dest="marc_command", metavar="ACTION", required=True)

    importing = actions.add_parser(
        "import", help="import a MARC 21 file (ISO 2709 or MARCXML); 952 fields become copies",
        description="Import a MARC 21 file: ISO 2709 (MARC-8 or UTF-8, whatever the Leader says) or "
                    "MARCXML. Koha 952 fields become copies with accession numbers. The report goes to "
                    "standard output; the exit status is non-zero only when nothing could be read.")
    db_option(importing)
    importing.add_argument("file", metavar="FILE")
    importing.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    importing.add_argument("--duplicates", choices=("skip", "add-copies", "new"), default="skip",
                           help="a record already in the library (same ISBN, or similar title and author): "
                                "skip it (default), add its copies to the existing record, or import it "
                                "as a new record")
    importing.add_argument("--match", choices=("isbn-or-title", "isbn"), default="isbn-or-title",
                           help="what makes a duplicate of a title in the library: the same ISBN or a "
                                "similar title by a compatible author (default), or the same ISBN only "
                                "(faster, for a migration into a library whose titles all come from this "
                                "file); within the file the same ISBN or title and author also counts, "
                                "except between records with different control numbers (001)")
    importing.add_argument("--status", choices=("available", "in-processing"), default="available",
                           help="status of the new copies: available (default: holdings migrated from "
                                "another system are already on the shelves) or in-processing (new books "
                                "that still go to circulation in a transfer batch)")
    importing.add_argument("--quiet", "-q", action="store_true", help="no progress on standard error")
    add_acting_option(importing)

    exporting = actions.add_parser(
        "export", help="export titles and their copies to a MARC 21 file",
        description="Write catalogue records with one 952 field per copy, to import elsewhere or back.")
    db_option(exporting)
    exporting.add_argument("file", metavar="FILE")
    exporting.add_argument("--format", choices=("iso2709", "marcxml"), default=None,
                           help="iso2709 (default) or marcxml (default when FILE ends in .xml)")
    exporting.add_argument("--search", metavar="TERM", default=None,
                           help="only titles found by an ISBN, a title number or words of the title or author")
    exporting.add_argument("--force", action="store_true",
                           help="write over a file already at FILE (never over a database, device or folder)")
    add_acting_option(exporting)

    def marc(args) -> None:
        if args.marc_command == "import":
            import_file(args, open_library)
        else:
            export_file(args, open_library)

    parser.set_defaults(handler=marc)
    return {"marc": marc}


def import_file(args, open_library) -> None:
    from counter_tui.services.catalogue import marc
    from counter_tui.services.files import readable_file
    readable_file(args.file)  # a regular file: never a device, a FIFO or a folder
    open_library(args)
    actor = acting_staff(args)
    shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if not args.quiet and percent != shown[0]:
            shown[0] = percent
            print(f"\r{done}/{total} records ({percent}%)", end="" if done < total else "\n",
                  file=sys.stderr, flush=True)

    report = marc.import_marc(actor, args.file, dry_run=args.dry_run, policy=args.duplicates,
                              status=args.status, match=args.match, progress=progress)
    sys.stdout.write(report.text())
    if report.nothing_read:
        raise SystemExit(1)


def export_file(args, open_library) -> None:
    from counter_tui.services.catalogue import marc
    open_library(args)
    actor = acting_staff(args)
    fmt = args.format or ("marcxml" if args.file.lower().endswith(".xml") else "iso2709")
    ids = None
    if args.search is not None:
        ids = [row[0] for row in marc.find_titles(args.search, limit=1_000_000)]
        if not ids:
            raise SystemExit(f"No title matches {args.search!r}; nothing was exported.")
    result = marc.export_marc(actor, args.file, fmt, ids, force=args.force)
    print(result.summary)
    for _, why in result.left_out:
        print(f"  {why}")
