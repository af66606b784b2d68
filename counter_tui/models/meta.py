"""Bookkeeping of the database itself: schema version and numbering series."""
from peewee import CharField, IntegerField

from counter_tui.models.base import BaseModel


class SchemaVersion(BaseModel):
    version = IntegerField()


class NumberSeries(BaseModel):
    """The last number handed out in a series (cards, item barcodes, accessions).

    Numbers are taken inside the caller's transaction, so a rolled-back write never
    burns or reuses one.
    """
    name = CharField(unique=True)
    last = IntegerField(default=0)
