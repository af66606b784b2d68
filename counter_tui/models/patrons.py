"""Readers (patrons) and their categories."""
from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from counter_tui.models.base import BaseModel


class PatronCategory(BaseModel):
    code = CharField(unique=True)  # student, teacher, staff, external
    name = CharField()
    loan_limit = IntegerField(default=5)
    card_years = IntegerField(default=1)
    max_fees = IntegerField(default=1000)  # minor units; owing more blocks lending
    max_overdue = IntegerField(default=3)  # this many overdue loans block lending


class Patron(BaseModel):
    card = CharField(unique=True)  # card barcode
    name = CharField(index=True)
    category = ForeignKeyField(PatronCategory, backref="patrons", on_delete="RESTRICT")
    department = CharField(default="")  # department or class
    id_number = CharField(null=True, unique=True)  # identity or student number
    phone = CharField(default="")
    email = CharField(default="")
    expires_on = DateField()
    status = CharField(default="active")  # active, blocked, card lost, cancelled
    block_reason = TextField(default="")
    notes = TextField(default="")
    created_at = DateTimeField()
