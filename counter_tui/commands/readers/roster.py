"""`counter-tui readers import FILE`: a roster of students or teachers from a CSV file.

Prints what would change (or changed): every known reader's name that changes, before and
after, and every bad row with its line and reason;
exits with status 1 when nothing could be imported.
"""
from __future__ import annotations

import sys

from counter_tui.commands.acting import acting_staff, add_acting_option


def register(subparsers, db_option, open_library) -> dict:
    """Add the commands; returns command name -> handler for cli.COMMANDS (also set as `handler`)."""
    parser = subparsers.add_parser("readers", help="readers: import a roster")
    db_option(parser)
    actions = parser.add_subparsers(dest="readers_command", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import", help="import a CSV roster of students or teachers (UTF-8 or GB18030)",
        description="Add the readers of a CSV roster and update known ones (same identity number). "
                    "A file with bad rows imports nothing unless --good-rows-only is given.")
    db_option(imp)
    imp.add_argument("file", help="the CSV file (headers such as name/姓名, id/学号/工号, class/班级, category/类别)")
    imp.add_argument("--dry-run", action="store_true", help="check the file and report; change nothing")
    imp.add_argument("--good-rows-only", action="store_true", help="import the good rows and leave out the bad ones")
    imp.add_argument("--category", metavar="CODE", help="category of rows that give none (e.g. student, teacher)")
    add_acting_option(imp)

    def readers(args) -> None:
        if args.readers_command == "import":
            import_roster(args, open_library)

    parser.set_defaults(handler=readers)
    return {"readers": readers}


def import_roster(args, open_library) -> None:
    from counter_tui.services.files import readable_file
    from counter_tui.services.readers import roster
    readable_file(args.file)  # a regular file: never a device, a FIFO or a folder
    open_library(args)
    actor = acting_staff(args)  # the dry run too: it reads the library's readers
    plan = roster.plan_import(actor, args.file, default_category=args.category)
    print_plan(plan)
    if args.dry_run:
        if not plan.good or (plan.bad and not args.good_rows_only):
            print("An import would import nothing" + (": fix the bad rows, or use --good-rows-only."
                                                      if plan.good else "."))
            raise SystemExit(1)
        print("Dry run: nothing was changed.")
        return
    result = roster.run_import(actor, plan, good_rows_only=args.good_rows_only, progress=_progress())
    print(result.summary)


def print_plan(plan) -> None:
    print(f"{plan.source} ({plan.encoding}), columns: "
          + ", ".join(f"{header} -> {field}" for header, field in plan.columns))
    if plan.ignored_columns:
        print(f"Columns not used: {', '.join(plan.ignored_columns)}")
    print(plan.summary)
    if plan.renamed:  # a garbled or mistyped name shows here, before it reaches the readers
        print("Known readers whose name changes (before -> after):")
        for renamed in plan.renamed:
            print(f"  {renamed}")
    if plan.bad:
        print("Bad rows:")
    for bad in plan.bad:
        who = " ".join(part for part in (bad.name, bad.id_number) if part)
        print(f"  line {bad.line}: {bad.reason}" + (f" [{who}]" if who else ""))


def _progress():
    """A progress line on a terminal; nothing when the output goes to a file."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        print(f"\rWriting readers: {done}/{total}", end="" if done < total else "\n", file=sys.stderr)

    return show
