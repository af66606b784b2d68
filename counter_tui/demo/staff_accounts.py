"""The demo's staff account, and the mark a demo library carries."""
from __future__ import annotations

from datetime import datetime

from counter_tui.models import Staff
from counter_tui.services.admin import staff

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-library"
DEMO_FULL_NAME = "Demo Clerk"
DEMO_ROLES = ["circulation", "curator"]

DEMO_MARK = "library.demo"  # the audit event a demo build leaves: this library is a demo


def add_demo_accounts(now: datetime) -> Staff:
    """The demo's account, made unless it is there already."""
    clerk = Staff.get_or_none(Staff.username == DEMO_USERNAME)
    if clerk is None:
        clerk = staff.add_staff(None, DEMO_USERNAME, DEMO_FULL_NAME, DEMO_PASSWORD, DEMO_ROLES, now)
    return clerk
