"""Circulation rules, the calendar of closed days, and loans."""
from peewee import (BooleanField, CharField, DateField, DateTimeField, ForeignKeyField,
                    IntegerField, SQL)

from counter_tui.models.base import BaseModel
from counter_tui.models.catalogue import Item, ItemType
from counter_tui.models.patrons import Patron, PatronCategory
from counter_tui.models.staff import Staff


class CirculationRule(BaseModel):
    """Reader category x item type (x location); empty means any. Most specific wins."""
    category = ForeignKeyField(PatronCategory, null=True, on_delete="CASCADE")
    item_type = ForeignKeyField(ItemType, null=True, on_delete="CASCADE")
    location = CharField(null=True)
    loan_days = IntegerField(default=28)
    renewals = IntegerField(default=2)
    renew_overdue_days = IntegerField(default=0)  # an overdue loan may be renewed up to this many days late
    fine_amount = IntegerField(default=0)  # minor units per interval
    fine_interval_days = IntegerField(default=1)
    grace_days = IntegerField(default=0)
    fine_includes_grace = BooleanField(default=True)
    fine_cap = IntegerField(null=True)
    fine_cap_at_price = BooleanField(default=False)
    fines_skip_closed = BooleanField(default=True)
    # schema 4
    holds_allowed = BooleanField(default=True, constraints=[SQL("DEFAULT TRUE")])
    hold_pickup_days = IntegerField(default=7, constraints=[SQL("DEFAULT 7")])  # open days a trapped copy waits on the hold shelf

    class Meta:
        indexes = ((("category", "item_type", "location"), True),)


class ClosedDay(BaseModel):
    day = DateField(unique=True)
    reason = CharField(default="")


class Loan(BaseModel):
    item = ForeignKeyField(Item, backref="loans", on_delete="RESTRICT")
    patron = ForeignKeyField(Patron, backref="loans", on_delete="RESTRICT")
    out_at = DateTimeField()
    due_at = DateTimeField()  # naive UTC of the end of the local due day
    returned_at = DateTimeField(null=True)
    renewals = IntegerField(default=0)
    staff_out = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    staff_in = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    # schema 4
    lost_at = DateTimeField(null=True)  # declared lost (the loan is closed then)
    claimed_returned_at = DateTimeField(null=True)
    claimed_by = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")  # who recorded the claim
    # schema 5
    claim_reported_by = CharField(default="", constraints=[SQL("DEFAULT ''")])  # who said it came back: the reader, a parent...


# At most one open loan per item, enforced by the database, not only by code.
Loan.add_index(Loan.index(Loan.item, unique=True, where=SQL("returned_at IS NULL"),
                          name="loan_one_open_per_item"))
Loan.add_index(Loan.index(Loan.patron, Loan.returned_at, name="loan_patron_returned"))
