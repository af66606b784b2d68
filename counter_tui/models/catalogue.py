"""Titles (bibliographic records), item types and copies."""
from peewee import (BlobField, BooleanField, CharField, DateField, DateTimeField, ForeignKeyField,
                    IntegerField, TextField)

from counter_tui.models.base import BaseModel


class Biblio(BaseModel):
    title = TextField()
    author = TextField(default="")  # statement of responsibility
    edition = CharField(default="")
    publisher = CharField(default="")
    year = IntegerField(null=True)
    isbn = CharField(null=True, index=True)  # 13 digits, normalised
    issn = CharField(null=True, index=True)
    language = CharField(default="")
    classification = CharField(default="")  # CLC or Dewey class number
    subjects = TextField(default="")
    marc = BlobField(null=True)
    created_at = DateTimeField()


class ItemType(BaseModel):
    code = CharField(unique=True)  # book, reference, periodical, av
    name = CharField()
    loanable = BooleanField(default=True)
    replacement_price = IntegerField(default=0)  # minor units, when a copy has no price


class Item(BaseModel):
    barcode = CharField(unique=True)
    accession_number = IntegerField(unique=True)
    biblio = ForeignKeyField(Biblio, backref="items", on_delete="RESTRICT")
    call_number = CharField(default="")
    call_sort = CharField(default="", index=True)
    location = CharField(default="")
    item_type = ForeignKeyField(ItemType, backref="items", on_delete="RESTRICT")
    price = IntegerField(null=True)  # minor units
    acquired_on = DateField(null=True)
    source = CharField(default="")
    status = CharField(default="available", index=True)  # see domain/item_status.py
    condition = CharField(default="")
    last_seen = DateTimeField(null=True)
