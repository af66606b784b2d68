"""Titles (bibliographic records), item types and copies."""
from peewee import (SQL, BlobField, BooleanField, CharField, DateField, DateTimeField, ForeignKeyField,
                    IntegerField, TextField)

from counter_tui.models.base import BaseModel
from counter_tui.models.staff import Staff


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
    book_number = CharField(default="", constraints=[SQL("DEFAULT ''")])  # running number in the class or author mark; schema 4
    created_by = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")  # schema 4

    class Meta:
        # the next book number in a class (schema 4)
        indexes = ((("classification", "book_number"), False),)


class ItemType(BaseModel):
    code = CharField(unique=True)  # book, reference, periodical, av
    name = CharField()
    loanable = BooleanField(default=True)
    replacement_price = IntegerField(default=0)  # minor units, when a copy has no price
    processing_fee = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])  # minor units charged with a lost copy; schema 4


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
    # schema 4
    volume = CharField(default="", constraints=[SQL("DEFAULT ''")])  # volume/copy part of the call number, e.g. "v.2"
    status_since = DateTimeField(null=True)  # when the status last changed (shelving cart timer)
    catalogued_at = DateTimeField(null=True, index=True)
    catalogued_by = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
