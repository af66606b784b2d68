"""Readers (patrons) and their categories."""
from peewee import SQL, BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from counter_tui.models.base import BaseModel
from counter_tui.models.staff import Staff


class PatronCategory(BaseModel):
    code = CharField(unique=True)  # student, teacher, staff, external
    name = CharField()
    loan_limit = IntegerField(default=5)
    card_years = IntegerField(default=1)
    max_fees = IntegerField(default=1000)  # minor units; owing more blocks lending
    max_overdue = IntegerField(default=3)  # this many overdue loans block lending
    renew_from_expiry = BooleanField(default=False)  # card renewal counts from the old expiry, not today
    card_fee = IntegerField(default=500)  # minor units, for a replacement card
    # schema 4: days overdue at which the first, second and third notice goes out
    notice1_days = IntegerField(default=7, constraints=[SQL("DEFAULT 7")])
    notice2_days = IntegerField(default=21, constraints=[SQL("DEFAULT 21")])
    notice3_days = IntegerField(default=42, constraints=[SQL("DEFAULT 42")])
    hold_limit = IntegerField(default=5, constraints=[SQL("DEFAULT 5")])


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
    block_until = DateField(null=True)  # a manual block ends after this day; None: until lifted
    notes = TextField(default="")
    created_at = DateTimeField()


class CardEvent(BaseModel):
    """A card's history: issued, renewed, replaced (the old barcode kept), reported lost, cancelled."""
    patron = ForeignKeyField(Patron, backref="card_events", on_delete="RESTRICT")
    kind = CharField()  # issued, renewed, replaced, reported lost, cancelled
    card = CharField(index=True)  # the barcode the event is about (the old one, when replaced)
    at = DateTimeField()
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    fee = IntegerField(default=0)  # minor units charged with it
    expires_on = DateField(null=True)  # the expiry it set
    note = CharField(default="")
