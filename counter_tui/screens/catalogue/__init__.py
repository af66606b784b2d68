"""The catalogue desk (F6) and the cataloguers' tools: MARC, labels, the shelf list."""
from counter_tui.screens.posts import Desk, Entry, Post, TitleTool
from counter_tui.services.access import CATALOGING, CIRCULATION, CURATOR, ROLES

_HERE = "counter_tui.screens.catalogue"
POST = Post(
    name="Cataloguing", order=30,
    desks=(Desk("catalogue", "f6", "Catalogue", ROLES, f"{_HERE}.catalogue_desk:CatalogueScreen"),),
    entries=(
        Entry("marc", "m", "MARC import and export", (CATALOGING, CURATOR), f"{_HERE}.marc:MarcScreen"),
        Entry("labels", "l", "Spine and barcode labels", (CATALOGING, CIRCULATION), f"{_HERE}.labels:LabelsScreen"),
        Entry("shelf_list", "h", "Shelf list by call number", ROLES, f"{_HERE}.shelf_list:ShelfListScreen"),
    ),
    title_tools=(
        TitleTool("ctrl+t", "Copies", "copies", (CATALOGING, CURATOR), f"{_HERE}.copies:CopiesScreen"),
    ),
    home={CATALOGING: "catalogue"},
)
