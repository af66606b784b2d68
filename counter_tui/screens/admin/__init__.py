"""Administration screens: staff accounts and the audit trail (the curator's)."""
from counter_tui.screens.posts import Entry, Post
from counter_tui.services.access import CURATOR

_HERE = "counter_tui.screens.admin"
POST = Post(
    name="Administration", order=90,
    entries=(
        Entry("staff", "u", "Staff accounts and roles", (CURATOR,), f"{_HERE}.staff:StaffScreen"),
        Entry("audit", "e", "Audit trail", (CURATOR,), f"{_HERE}.audit:AuditScreen"),
    ),
)
