"""Administration screens: staff accounts and the audit trail (the curator's)."""
from counter_tui.i18n import N_
from counter_tui.screens.posts import Entry, Post
from counter_tui.services.access import CURATOR

_HERE = "counter_tui.screens.admin"
POST = Post(
    name=N_("Administration"), order=90,
    entries=(
        Entry("staff", "u", N_("Staff accounts and roles"), (CURATOR,), f"{_HERE}.staff:StaffScreen"),
        Entry("audit", "e", N_("Audit trail"), (CURATOR,), f"{_HERE}.audit:AuditScreen"),
    ),
)
