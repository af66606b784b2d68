"""The property accounts' screens: accession register, write-offs, transfers, bulletin, statistics."""
from counter_tui.screens.posts import Entry, Post
from counter_tui.services.access import CATALOGING, CURATOR

_HERE = "counter_tui.screens.property"
_WHO = (CATALOGING, CURATOR)
POST = Post(
    name="Property accounts", order=40,
    entries=(
        Entry("register", "a", "Accession register and balance", _WHO, f"{_HERE}.register:RegisterScreen"),
        Entry("writeoff", "w", "Write off copies (certificate)", _WHO, f"{_HERE}.writeoff:WriteOffScreen"),
        Entry("transfer", "t", "Transfer new books to circulation", _WHO, f"{_HERE}.transfer:TransferScreen"),
        Entry("bulletin", "b", "New-books bulletin", _WHO, f"{_HERE}.bulletin:BulletinScreen"),
        Entry("processing", "p", "Processing statistics", _WHO, f"{_HERE}.processing:ProcessingScreen"),
    ),
)
