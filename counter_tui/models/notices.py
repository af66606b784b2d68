"""Notices sent to readers: overdue (three levels) and hold ready."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from counter_tui.models.base import BaseModel
from counter_tui.models.circulation import Loan
from counter_tui.models.holds import Hold
from counter_tui.models.patrons import Patron
from counter_tui.models.staff import Staff


class Notice(BaseModel):
    patron = ForeignKeyField(Patron, backref="notices", on_delete="RESTRICT")
    kind = CharField()  # overdue, hold ready
    level = IntegerField(default=0)  # overdue level 1..3; 0 for hold ready
    loan = ForeignKeyField(Loan, null=True, backref="+", on_delete="RESTRICT")
    hold = ForeignKeyField(Hold, null=True, backref="+", on_delete="RESTRICT")
    at = DateTimeField(index=True)
    staff = ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    file = CharField(default="")  # where the printed notice went

    class Meta:
        # each overdue level goes out once per loan, whatever runs at once (unique since schema 6)
        indexes = ((("loan", "level"), True), (("patron", "at"), False))
