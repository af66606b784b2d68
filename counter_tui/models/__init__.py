"""All models, in the order their tables are created."""
from counter_tui.models.catalogue import Biblio, Item, ItemType
from counter_tui.models.circulation import CirculationRule, ClosedDay, Loan
from counter_tui.models.fees import Fee
from counter_tui.models.meta import NumberSeries, SchemaVersion
from counter_tui.models.patrons import CardEvent, Patron, PatronCategory
from counter_tui.models.staff import AuditEvent, Staff

ALL_MODELS = [
    SchemaVersion, NumberSeries, Staff, AuditEvent, PatronCategory, Patron, Biblio, ItemType,
    Item, CirculationRule, ClosedDay, Loan, Fee, CardEvent,
]

__all__ = [m.__name__ for m in ALL_MODELS] + ["ALL_MODELS"]
