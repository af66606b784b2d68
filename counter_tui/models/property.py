"""Property accounts: the accession register, write-off certificates and transfer batches.

Holdings (copies not withdrawn) always equal accessions minus write-offs, by count and
by value; `counter-tui check` proves it. Register lines and write-off lines are never
edited: their price is the price on the day.
"""
from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField

from counter_tui.models.base import BaseModel
from counter_tui.models.catalogue import Item
from counter_tui.models.staff import Staff


class Accession(BaseModel):
    """One line of the accession register per copy received."""
    number = IntegerField(unique=True)  # the copy's accession number
    item = ForeignKeyField(Item, unique=True, backref="+", on_delete="RESTRICT")
    received_on = DateField(index=True)
    source = CharField(default="")  # purchase, gift, exchange, legal deposit, transfer
    price = IntegerField(default=0)  # minor units
    at = DateTimeField()
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")


class WriteOff(BaseModel):
    """A numbered write-off certificate."""
    number = IntegerField(unique=True)
    at = DateTimeField(index=True)
    reason = CharField()
    copies = IntegerField(default=0)
    value = IntegerField(default=0)  # minor units
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    file = CharField(default="")


class WriteOffLine(BaseModel):
    write_off = ForeignKeyField(WriteOff, backref="lines", on_delete="RESTRICT")
    item = ForeignKeyField(Item, unique=True, backref="+", on_delete="RESTRICT")
    accession_number = IntegerField()
    price = IntegerField(default=0)


class TransferBatch(BaseModel):
    """New copies handed from cataloguing to circulation, with a list to sign."""
    number = IntegerField(unique=True)
    opened_at = DateTimeField()
    closed_at = DateTimeField(null=True)
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    destination = CharField(default="")
    file = CharField(default="")


class TransferLine(BaseModel):
    batch = ForeignKeyField(TransferBatch, backref="lines", on_delete="RESTRICT")
    item = ForeignKeyField(Item, backref="+", on_delete="RESTRICT")
    at = DateTimeField()

    class Meta:
        indexes = ((("batch", "item"), True),)
