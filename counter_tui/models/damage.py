"""The copies' care: damage assessments (and the repair queue they feed) and in-house use."""
from peewee import SQL, CharField, DateTimeField, ForeignKeyField

from counter_tui.models.base import BaseModel
from counter_tui.models.catalogue import Item
from counter_tui.models.circulation import Loan
from counter_tui.models.fees import Fee
from counter_tui.models.patrons import Patron
from counter_tui.models.staff import Staff


class DamageAssessment(BaseModel):
    item = ForeignKeyField(Item, backref="assessments", on_delete="RESTRICT")
    loan = ForeignKeyField(Loan, null=True, backref="+", on_delete="RESTRICT")  # the loan it came back from
    patron = ForeignKeyField(Patron, null=True, backref="+", on_delete="RESTRICT")  # the last borrower
    degree = CharField()  # slight, moderate, severe
    decision = CharField()  # keep circulating, repair, propose for withdrawal
    fee = ForeignKeyField(Fee, null=True, backref="+", on_delete="RESTRICT")  # charge to the borrower, if any
    note = CharField(default="")
    at = DateTimeField(index=True)
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    repaired_at = DateTimeField(null=True)
    repaired_by = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")


class InHouseUse(BaseModel):
    """A copy read in the library and left on a table: counted by a scan, never a loan."""
    item = ForeignKeyField(Item, backref="+", on_delete="RESTRICT")
    at = DateTimeField(index=True)
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    # schema 5: the same copy scanned again at the same desk soon after is the same use (services/circulation/shelving.py)
    desk = CharField(default="", constraints=[SQL("DEFAULT ''")])
