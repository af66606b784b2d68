"""The property accounts' screens: accession register, write-offs, transfers, bulletin, statistics."""
from counter_tui.i18n import N_
from counter_tui.screens.posts import Entry, Post
from counter_tui.services.access import CATALOGING, CURATOR

_HERE = "counter_tui.screens.property"
_WHO = (CATALOGING, CURATOR)
POST = Post(
    name=N_("Property accounts"), order=40,
    entries=(
        Entry("register", "a", N_("Accession register and balance"), _WHO, f"{_HERE}.register:RegisterScreen"),
        Entry("writeoff", "w", N_("Write off copies (certificate)"), _WHO, f"{_HERE}.writeoff:WriteOffScreen"),
        Entry("transfer", "t", N_("Transfer new books to circulation"), _WHO, f"{_HERE}.transfer:TransferScreen"),
        Entry("bulletin", "b", N_("New-books bulletin"), _WHO, f"{_HERE}.bulletin:BulletinScreen"),
        Entry("processing", "p", N_("Processing statistics"), _WHO, f"{_HERE}.processing:ProcessingScreen"),
    ),
)
