"""Who may do what: every service asks here before it writes or shows private data.

Roles are the library's posts (DESIGN.md section 2). A person may hold several.

Services ask `require` (or `allowed`), which read the person's roles and active flag from
the database at every call (one read of the staff row by its key), so a role the curator
removes or an account the curator disables counts at the next scan, at every desk.
`may` and `roles_of` answer from the staff record the desk holds (read at sign-in): the
screens use them to decide what to show without touching the database on the event loop;
they never decide what a service does.
"""
from __future__ import annotations

from counter_tui import db
from counter_tui.models import Staff
from counter_tui.services.errors import PermissionDenied

CURATOR = "curator"
OFFICE = "office"
CIRCULATION = "circulation"
READING_ROOM = "reading_room"
ACQUISITIONS = "acquisitions"
CATALOGING = "cataloging"
ROLES = (CURATOR, OFFICE, CIRCULATION, READING_ROOM, ACQUISITIONS, CATALOGING)

# role -> the words a refusal uses for the people who hold it
ROLE_NAMES = {
    CURATOR: "the curator", OFFICE: "office staff", CIRCULATION: "circulation staff",
    READING_ROOM: "reading-room staff", ACQUISITIONS: "acquisitions staff", CATALOGING: "cataloguers",
}


def _split(roles: str | None) -> frozenset[str]:
    return frozenset(r for r in (roles or "").split(",") if r)


def roles_of(actor: Staff | None) -> frozenset[str]:
    """The roles on the record the desk holds: for screens deciding what to show."""
    if actor is None or not actor.active:
        return frozenset()
    return _split(actor.roles)


def may(actor: Staff | None, *roles: str) -> bool:
    """For screens: whether to offer something (the service still asks `require`)."""
    return bool(roles_of(actor) & set(roles))


def standing(actor: Staff | None) -> tuple[bool, frozenset[str]]:
    """(active, roles) of the person as the database has them now; (False, none) for nobody."""
    if actor is None or actor.id is None:
        return False, frozenset()
    row = db.execute("SELECT active, roles FROM staff WHERE id = ?", actor.id).fetchone()
    if row is None or not row[0]:
        return False, frozenset()
    return True, _split(row[1])


def current_roles(actor: Staff | None) -> frozenset[str]:
    """The roles the person holds now (none once the account is disabled), from the database."""
    return standing(actor)[1]


def allowed(actor: Staff | None, *roles: str) -> bool:
    """For services: whether the person holds one of `roles` now (read from the database)."""
    return bool(current_roles(actor) & set(roles))


def require(actor: Staff | None, doing: str, *roles: str) -> None:
    """Refuse, in one sentence, unless the acting staff member holds one of `roles` now.

    `doing` completes "Only ... may ___": e.g. "lend and return books". The roles and the
    active flag are read from the database, not from the record read at sign-in.
    """
    active, held = standing(actor)
    if actor is not None and actor.id is not None and not active:
        raise PermissionDenied(f"The account {actor.username} has been disabled, so it may no longer {doing}; "
                               f"sign in as someone else (Ctrl+O switches user).")
    if not held & set(roles):
        who = " or ".join(ROLE_NAMES[r] for r in roles)
        raise PermissionDenied(f"Only {who} may {doing}; sign in as someone who may (Ctrl+O switches user).",
                               tried=actor.username if actor is not None else None, doing=doing, allowed=who)
