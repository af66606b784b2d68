"""`counter-tui staff add USERNAME --role ROLE --as CURATOR`: staff accounts from the server's command line.

Only a curator adds accounts, here as at the desk: the command signs the curator in first,
and the audit trail names them (the first curator of a new library comes from `init`).
"""
from __future__ import annotations

import argparse
from collections.abc import Callable

from counter_tui.commands.acting import acting_staff, add_acting_option, new_password
from counter_tui.services.access import ROLES


def _role(text: str) -> str:
    """A role by its name; a near miss (`cataloguer`, `Curator`) is answered with the right one."""
    import difflib
    from counter_tui.services.access import ROLE_NAMES
    if text in ROLES:
        return text
    word = text.strip().lower().replace("-", "_").replace(" ", "_")
    spoken = {role: role for role in ROLES}  # and the words refusals use: "cataloguers", "office staff"
    spoken |= {name.removeprefix("the ").removesuffix(" staff").replace("-", "_"): role
               for role, name in ROLE_NAMES.items()}
    near = ([spoken[word]] if word in spoken else
            [spoken[w] for w in spoken if len(word) >= 3 and w.startswith(word)]
            or [spoken[w] for w in difflib.get_close_matches(word, list(spoken), n=1, cutoff=0.6)])
    guess = f"; did you mean {near[0]}?" if near else "."
    raise argparse.ArgumentTypeError(f"there is no role {text!r}{guess} The roles are {', '.join(ROLES)}.")


def register(subparsers, db_option: Callable[[argparse.ArgumentParser], None],
             open_library: Callable[..., object]) -> dict[str, Callable[[argparse.Namespace], None]]:
    def add(args) -> None:
        from counter_tui.services.admin import staff
        open_library(args)
        curator = acting_staff(args)
        password = new_password(f"Password for the new account {args.username}: ",
                                f"the new account {args.username}")
        member = staff.add_staff(curator, args.username, args.full_name, password, args.role or ["circulation"])
        print(f"Added {member.username} ({member.roles}).")

    p = subparsers.add_parser("staff", help="staff accounts")
    db_option(p)
    actions = p.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    a = actions.add_parser("add", help="add a staff account")
    db_option(a)
    a.add_argument("username")
    a.add_argument("--full-name", default="")
    a.add_argument("--role", action="append", default=[], type=_role, metavar="ROLE",
                   help=f"one of {', '.join(ROLES)} (default circulation); repeat for several")
    add_acting_option(a, "the curator adding the account")
    a.set_defaults(handler=add)
    return {"staff": add}
