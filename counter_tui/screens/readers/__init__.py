"""The readers desk (F5) and the office's reader forms and roster import."""
from counter_tui.i18n import N_
from counter_tui.screens.posts import Desk, Entry, Post
from counter_tui.services.access import CIRCULATION, CURATOR, OFFICE

_HERE = "counter_tui.screens.readers"
POST = Post(
    name=N_("Readers and cards"), order=20,
    desks=(Desk("account", "f5", N_("Readers"), (CIRCULATION, OFFICE, CURATOR),
                f"{_HERE}.readers_desk:ReadersScreen"),),
    entries=(
        Entry("roster", "i", N_("Import a roster of readers"), (OFFICE, CURATOR),
              f"{_HERE}.roster_import:RosterImportScreen"),
    ),
    home={OFFICE: "account", CURATOR: "account"},
)
