"""Staff accounts, the sign-in guard (failed sign-ins per name and desk) and the append-only audit log."""
from peewee import SQL, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from counter_tui.models.base import BaseModel


class Staff(BaseModel):
    username = CharField(unique=True)
    full_name = CharField()
    password_hash = CharField()  # scrypt, see services/staff.py
    roles = CharField(default="")  # comma-separated role names
    active = BooleanField(default=True)
    created_at = DateTimeField()  # failed sign-ins are counted in SignInGuard (schema version 6)
    # schema 7: the language the desk speaks to this person ("en", "zh_CN"); "": the library's
    language = CharField(default="", constraints=[SQL("DEFAULT ''")])

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)


class AuditEvent(BaseModel):
    """Who did what to which record, with the values before and after. Never updated or deleted:
    triggers refuse it, except a redaction of the values (old, new), once."""
    at = DateTimeField(index=True)
    staff = ForeignKeyField(Staff, null=True, backref="audit_events", on_delete="RESTRICT")
    action = CharField(index=True)
    record_type = CharField()
    record_id = IntegerField(null=True)
    old = TextField(null=True)  # JSON
    new = TextField(null=True)  # JSON
    desk = CharField(default="")  # which desk (terminal) did it; schema version 2
    # when its old and new values were redacted (schema version 6): the database refuses every
    # other change and every delete, and allows this one once (services/admin/schema.py)
    redacted_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("record_type", "record_id"), False),)


class SignInGuard(BaseModel):
    """Failed sign-ins with one username at one desk, and the lock they brought (schema version 6).

    Keyed by the name as typed, whether or not an account has it, so an unknown name is
    answered exactly like a known one. The row of desk "" holds the lock of a name at every
    desk. The row is locked (IMMEDIATE on SQLite, FOR UPDATE on PostgreSQL) while counting.
    """
    username = CharField()
    desk = CharField()
    failures = TextField(default="")  # times of the latest failures (ISO, oldest first, at most a lock's worth)
    pending = IntegerField(default=0)  # attempts whose password is being checked right now
    locked_until = DateTimeField(null=True)
    touched_at = DateTimeField(index=True)  # rows left alone for a while are removed

    class Meta:
        indexes = ((("username", "desk"), True),)
