"""Fees as a ledger: charges are positive, credits negative, the balance is the sum."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from counter_tui.models.base import BaseModel
from counter_tui.models.circulation import Loan
from counter_tui.models.patrons import Patron
from counter_tui.models.staff import Staff


class Fee(BaseModel):
    patron = ForeignKeyField(Patron, backref="fees", on_delete="RESTRICT")
    loan = ForeignKeyField(Loan, null=True, backref="fees", on_delete="RESTRICT")
    kind = CharField()  # overdue, lost, damage, card, processing, payment, waiver, refund
    amount = IntegerField()  # minor units; charges > 0, credits < 0
    at = DateTimeField()
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    note = CharField(default="")
    # schema 4: the charge a waiver or refund is against, or the credit a refund gives back
    applies_to = ForeignKeyField("self", null=True, backref="credits", on_delete="RESTRICT")

    class Meta:
        indexes = ((("patron", "at"), False),)
