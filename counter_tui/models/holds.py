"""Holds: a reader waiting for a title (any copy) or for one copy."""
from peewee import CharField, DateField, DateTimeField, ForeignKeyField

from counter_tui.models.base import BaseModel
from counter_tui.models.catalogue import Biblio, Item
from counter_tui.models.patrons import Patron
from counter_tui.models.staff import Staff


class Hold(BaseModel):
    """The queue of a title is its holds in (placed_at, id) order; nothing renumbers it."""
    biblio = ForeignKeyField(Biblio, backref="holds", on_delete="RESTRICT")
    item = ForeignKeyField(Item, null=True, backref="holds", on_delete="RESTRICT")  # copy-level, or the copy trapped
    copy_level = CharField(default="")  # "yes" when the reader asked for this one copy
    patron = ForeignKeyField(Patron, backref="holds", on_delete="RESTRICT")
    status = CharField(default="waiting")  # waiting, ready, collected, cancelled, expired
    placed_at = DateTimeField()
    ready_at = DateTimeField(null=True)
    pickup_by = DateField(null=True)  # last local day it waits on the hold shelf
    ended_at = DateTimeField(null=True)
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    note = CharField(default="")

    class Meta:
        indexes = ((("biblio", "status", "placed_at"), False), (("patron", "status"), False),
                   (("item", "status"), False))
