"""Rules you can read from the command line.

`counter-tui rules list`                  every circulation rule and its terms
`counter-tui rules explain CARD ITEM`     which rule lending this copy to this reader uses, and why
                                          (given the copy first, it says so and explains anyway)
`counter-tui fines explain LOAN`          a loan's fine step by step (LOAN: a loan number or a
                                          copy's barcode, for its open or else its latest loan)

Each asks who is looking (--as, with the password): anyone signed in may list the rules;
explaining names a reader, so it takes circulation or office staff or the curator.
"""
from __future__ import annotations

from counter_tui.commands.acting import acting_staff, add_acting_option


def register(subparsers, db_option, open_library) -> dict:
    rules_parser = subparsers.add_parser("rules", help="circulation rules: list them, explain which applies")
    db_option(rules_parser)
    actions = rules_parser.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every circulation rule and its terms, the default first")
    db_option(listing)
    add_acting_option(listing)
    explain = actions.add_parser(
        "explain", help="which rule applies to a reader and a copy, and why",
        description="Weigh every circulation rule for this reader's category and this copy's type "
                    "and location, and say which one lending would use.")
    db_option(explain)
    explain.add_argument("card", metavar="CARD", help="the reader's card number")
    explain.add_argument("item", metavar="ITEM", help="the copy's barcode")
    add_acting_option(explain)

    fines_parser = subparsers.add_parser("fines", help="overdue fines: explain one")
    db_option(fines_parser)
    fine_actions = fines_parser.add_subparsers(dest="fines_command", metavar="ACTION", required=True)
    fine = fine_actions.add_parser(
        "explain", help="a loan's overdue fine, step by step, and what was charged",
        description="The arithmetic of a loan's overdue fine: days late, closed days, grace, "
                    "intervals, cap, total; and the reader's ledger rows for the loan. A loan still "
                    "out is reckoned as if returned today.")
    db_option(fine)
    fine.add_argument("loan", metavar="LOAN", help="a loan number, or a copy's barcode (its open or latest loan)")
    add_acting_option(fine)

    def rules(args) -> None:
        from counter_tui.services.circulation import explain as explaining
        from counter_tui.services.errors import NotFound, Refusal
        open_library(args)
        if args.rules_command == "list":
            for line in explaining.list_rules(acting_staff(args)):
                print(f"Rule {line.id}: {explaining.scope(line)}{' (default)' if line.is_default else ''}")
                print(f"    {line.terms}")
            return
        actor = acting_staff(args)
        try:
            found = explaining.explain_rule(actor, args.card, args.item)
        except NotFound as not_found:  # the copy first and the card second?
            try:
                found = explaining.explain_rule(actor, args.item, args.card)
            except Refusal:
                raise not_found from None
            print(f"{args.card.strip()} is a copy and {args.item.strip()} a reader's card: the order is "
                  "`rules explain CARD ITEM`, so they are explained the other way round.")
        print("\n".join(found.lines()))

    def fines(args) -> None:
        from counter_tui.services.circulation import explain as explaining
        open_library(args)
        actor = acting_staff(args)
        found = explaining.explain_fine(actor, args.loan)
        print("\n".join(found.lines()))

    rules_parser.set_defaults(handler=rules)
    fines_parser.set_defaults(handler=fines)
    return {"rules": rules, "fines": fines}
