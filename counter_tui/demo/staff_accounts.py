"""The demo's staff accounts (one holding every role, one per post) and the mark a demo library carries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from counter_tui.models import AuditEvent, Staff
from counter_tui.services import access
from counter_tui.services.admin import staff

DEMO_MARK = "library.demo"  # the audit event a demo build leaves: this library is a demo


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    full_name: str
    roles: tuple[str, ...]
    post: str  # as the sign-in screen names it


DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-library"
DEMO_FULL_NAME = "Demo Clerk"
DEMO_ROLES = list(access.ROLES)  # `counter-tui demo` signs in as this account: every desk, every entry

# Passwords are public (the README and a demo library's sign-in screen list them).
DEMO_ACCOUNTS = (
    DemoAccount(DEMO_USERNAME, DEMO_PASSWORD, DEMO_FULL_NAME, tuple(DEMO_ROLES), "every post"),
    DemoAccount("curator", "curator-demo", "Demo Curator", (access.CURATOR,), "curator"),
    DemoAccount("office", "office-demo", "Demo Office Clerk", (access.OFFICE,), "office"),
    DemoAccount("circ", "circ-demo", "Demo Circulation Clerk", (access.CIRCULATION,), "circulation"),
    DemoAccount("reading", "reading-demo", "Demo Reading-room Clerk", (access.READING_ROOM,), "reading room"),
    DemoAccount("buyer", "buyer-demo", "Demo Acquisitions Clerk", (access.ACQUISITIONS,), "acquisitions"),
    DemoAccount("cataloguer", "cataloguer-demo", "Demo Cataloguer", (access.CATALOGING,), "cataloguing"),
)


def add_demo_accounts(now: datetime) -> Staff:
    """Every demo account not there yet; returns the one that holds every role."""
    for account in DEMO_ACCOUNTS:
        if not Staff.select().where(Staff.username == account.username).exists():
            staff.add_staff(None, account.username, account.full_name, account.password, list(account.roles), now)
    return Staff.get(Staff.username == DEMO_USERNAME)


def is_demo_library() -> bool:
    return AuditEvent.select().where(AuditEvent.action == DEMO_MARK).exists()


def accounts_to_list() -> list[DemoAccount]:
    """The accounts a demo library's sign-in screen lists; none on any other library.

    An account the curator has switched off or given a new password is left out:
    the list never shows a password that does not work.
    """
    if not is_demo_library():
        return []
    members = {m.username: m for m in Staff.select().where(Staff.username.in_([a.username for a in DEMO_ACCOUNTS]))}
    new_password = {staff_id for (staff_id,) in AuditEvent.select(AuditEvent.record_id).where(
        (AuditEvent.action == "staff.password") & (AuditEvent.record_type == "staff")).tuples()}
    return [a for a in DEMO_ACCOUNTS
            if (m := members.get(a.username)) is not None and m.active and m.id not in new_password]
