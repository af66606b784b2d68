"""All models, in the order their tables are created."""
from counter_tui.models.damage import DamageAssessment, InHouseUse
from counter_tui.models.catalogue import Biblio, Item, ItemType
from counter_tui.models.circulation import CirculationRule, ClosedDay, Loan
from counter_tui.models.fees import Fee
from counter_tui.models.holds import Hold
from counter_tui.models.meta import NumberSeries, SchemaVersion
from counter_tui.models.notices import Notice
from counter_tui.models.patrons import CardEvent, Patron, PatronCategory
from counter_tui.models.property import Accession, TransferBatch, TransferLine, WriteOff, WriteOffLine
from counter_tui.models.staff import AuditEvent, SignInGuard, Staff

# Tables that schema version 4 added (holds, care, notices, property accounts).
V4_MODELS = [Hold, DamageAssessment, InHouseUse, Notice, Accession, WriteOff, WriteOffLine,
             TransferBatch, TransferLine]

ALL_MODELS = [
    SchemaVersion, NumberSeries, Staff, AuditEvent, PatronCategory, Patron, Biblio, ItemType,
    Item, CirculationRule, ClosedDay, Loan, Fee, CardEvent, *V4_MODELS, SignInGuard,
]

__all__ = [m.__name__ for m in ALL_MODELS] + ["ALL_MODELS", "V4_MODELS"]
