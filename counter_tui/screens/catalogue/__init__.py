"""The catalogue desk (F6) and the cataloguers' tools: MARC, labels, the shelf list."""
from counter_tui.i18n import N_
from counter_tui.screens.posts import Desk, Entry, Post, TitleTool
from counter_tui.services.access import CATALOGING, CIRCULATION, CURATOR, ROLES

_HERE = "counter_tui.screens.catalogue"
POST = Post(
    name=N_("Cataloguing"), order=30,
    desks=(Desk("catalogue", "f6", N_("Catalogue"), ROLES, f"{_HERE}.catalogue_desk:CatalogueScreen"),),
    entries=(
        Entry("marc", "m", N_("MARC import and export"), (CATALOGING, CURATOR), f"{_HERE}.marc:MarcScreen"),
        Entry("labels", "l", N_("Spine and barcode labels"), (CATALOGING, CIRCULATION),
              f"{_HERE}.labels:LabelsScreen"),
        Entry("shelf_list", "h", N_("Shelf list by call number"), ROLES, f"{_HERE}.shelf_list:ShelfListScreen"),
    ),
    title_tools=(
        TitleTool("ctrl+t", N_("Copies"), "copies", (CATALOGING, CURATOR), f"{_HERE}.copies:CopiesScreen"),
    ),
    home={CATALOGING: "catalogue"},
)
