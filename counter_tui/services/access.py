"""Who may do what: every service asks here before it writes or shows private data.

Roles are the library's posts (DESIGN.md section 2). A person may hold several.
"""
from __future__ import annotations

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


def roles_of(actor: Staff | None) -> frozenset[str]:
    if actor is None or not actor.active:
        return frozenset()
    return frozenset(r for r in (actor.roles or "").split(",") if r)


def may(actor: Staff | None, *roles: str) -> bool:
    return bool(roles_of(actor) & set(roles))


def require(actor: Staff | None, doing: str, *roles: str) -> None:
    """Refuse, in one sentence, unless the acting staff member holds one of `roles`.

    `doing` completes "Only ... may ___": e.g. "lend and return books".
    """
    if not may(actor, *roles):
        who = " or ".join(ROLE_NAMES[r] for r in roles)
        raise PermissionDenied(f"Only {who} may {doing}; sign in as someone who may (Ctrl+O switches user).")
