"""Schema versions: an older database is refused until `migrate` upgrades it, data intact."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from peewee import DateTimeField, IntegerField
from playhouse.migrate import SchemaMigrator, migrate

from counter_tui import db
from counter_tui.models import V4_MODELS, AuditEvent, CardEvent, Loan, Notice, SchemaVersion, SignInGuard
from counter_tui.services.circulation import lending
from counter_tui.services.admin import schema
from counter_tui.services.admin.schema import V4_COLUMNS
from counter_tui.services.errors import Refusal
from tests.conftest import NOW


def make_version_6(database):
    """Turn a fresh library into what version 6 of the program made: undo version 7."""
    if db.is_sqlite():  # dropping a column rebuilds the table, which the audit trail points at
        database.execute_sql("PRAGMA foreign_keys = OFF")
    migrate(SchemaMigrator.from_database(database).drop_column("staff", "language"))
    if db.is_sqlite():
        database.execute_sql("PRAGMA foreign_keys = ON")
    SchemaVersion.update(version=6).execute()


def make_version_5(database):
    """Turn a fresh library into what version 5 of the program made: undo versions 7 and 6."""
    make_version_6(database)
    if db.is_sqlite():
        database.execute_sql("DROP TRIGGER audit_event_no_delete")
        database.execute_sql("DROP TRIGGER audit_event_no_update")
    else:
        database.execute_sql("DROP TRIGGER audit_event_append_only ON audit_event")
        database.execute_sql("DROP TRIGGER audit_event_no_truncate ON audit_event")
        database.execute_sql("DROP FUNCTION audit_event_append_only()")
    migrator = SchemaMigrator.from_database(database)
    database.drop_tables([SignInGuard])
    migrate(migrator.drop_column("audit_event", "redacted_at"),
            # NOT NULL then; nullable here, so that SQLite need not rebuild the table the loans point at
            migrator.add_column("staff", "failed_logins", IntegerField(null=True)),
            migrator.add_column("staff", "locked_until", DateTimeField(null=True)),
            migrator.drop_index("notice", "notice_loan_id_level"),
            migrator.add_index("notice", ("loan_id", "level"), False))
    SchemaVersion.update(version=5).execute()


def make_version_1(database):
    """Turn a fresh library into what version 1 of the program made: undo versions 6, 5, 4, 3 and 2."""
    make_version_5(database)
    migrator = SchemaMigrator.from_database(database)
    database.drop_tables([CardEvent, *V4_MODELS])  # version 5's in-house use column goes with its table
    if db.is_sqlite():  # dropping a column rebuilds the table, which the loans point at
        database.execute_sql("PRAGMA foreign_keys = OFF")
    # SQLite cannot ALTER away a column with a foreign key or an index: rebuild the table
    legacy = {"legacy": True} if db.is_sqlite() else {}
    migrate(*(migrator.drop_column(model._meta.table_name, field.column_name, **legacy)
              for model, field in V4_COLUMNS + [(Loan, Loan.claim_reported_by)]),
            migrator.drop_column("patron", "block_until"),
            migrator.drop_column("patron_category", "renew_from_expiry"),
            migrator.drop_column("patron_category", "card_fee"),
            migrator.drop_column("staff", "locked_until"),
            migrator.drop_column("audit_event", "desk"))
    if db.is_sqlite():
        database.execute_sql("PRAGMA foreign_keys = ON")
    SchemaVersion.update(version=1).execute()


def test_an_older_database_is_refused_then_upgraded_with_its_data(lib, empty_db):
    reader, book = lib.patron(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode)
    make_version_1(empty_db)
    columns = {c.name for c in empty_db.get_columns("audit_event")}
    assert "desk" not in columns
    with pytest.raises(db.SchemaError, match="counter-tui migrate"):
        schema.check_schema()
    assert schema.migrate() == (1, db.SCHEMA_VERSION)
    schema.check_schema()
    assert db.SCHEMA_VERSION == 7
    assert "language" in {c.name for c in empty_db.get_columns("staff")}
    assert "redacted_at" in {c.name for c in empty_db.get_columns("audit_event")}
    assert "desk" in {c.name for c in empty_db.get_columns("audit_event")}
    assert "block_until" in {c.name for c in empty_db.get_columns("patron")}
    assert empty_db.table_exists("card_event") and empty_db.table_exists("hold")
    assert "processing_fee" in {c.name for c in empty_db.get_columns("item_type")}
    assert "claim_reported_by" in {c.name for c in empty_db.get_columns("loan")}
    assert "desk" in {c.name for c in empty_db.get_columns("in_house_use")}
    assert Loan.select().count() == 1 and AuditEvent.select().count() == 2  # staff.add + checkout
    lending.checkin(lib.clerk, book.barcode)
    assert AuditEvent.select().order_by(AuditEvent.id.desc()).first().desk != ""


def test_a_newer_database_is_refused(lib):
    SchemaVersion.update(version=db.SCHEMA_VERSION + 1).execute()
    with pytest.raises(db.SchemaError, match="newer than this program"):
        schema.check_schema()


def test_version_4_gains_who_reported_a_claim_and_the_desk_of_an_in_house_use(lib, empty_db):
    from counter_tui.models import InHouseUse
    reader, book = lib.patron(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode)
    make_version_5(empty_db)
    migrator = SchemaMigrator.from_database(empty_db)
    legacy = {"legacy": True} if db.is_sqlite() else {}
    if db.is_sqlite():
        empty_db.execute_sql("PRAGMA foreign_keys = OFF")
    migrate(migrator.drop_column("loan", "claim_reported_by", **legacy),
            migrator.drop_column("in_house_use", "desk", **legacy))
    if db.is_sqlite():
        empty_db.execute_sql("PRAGMA foreign_keys = ON")
    SchemaVersion.update(version=4).execute()
    with pytest.raises(db.SchemaError, match="counter-tui migrate"):
        schema.check_schema()
    assert schema.migrate() == (4, db.SCHEMA_VERSION)
    schema.check_schema()
    assert Loan.get().claim_reported_by == "" and InHouseUse.select().count() == 0


def test_version_5_upgraded_to_6_keeps_its_data_and_the_new_constraints_hold(lib, empty_db):
    import peewee
    reader, book = lib.patron(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode)
    from counter_tui.services.admin import staff
    staff.add_staff(None, "office1", "Office Clerk", "a good password", ["office"])
    make_version_5(empty_db)
    assert "redacted_at" not in {c.name for c in empty_db.get_columns("audit_event")}
    # version 5 locked office1:
    db.execute("UPDATE staff SET failed_logins = 5, locked_until = ? WHERE username = 'office1'",
               datetime.utcnow() + timedelta(minutes=10))
    loan = Loan.get()  # two runs at once sent its first notice twice
    first, twice, second = (Notice.create(patron=reader, kind="overdue", level=level, loan=loan, at=NOW, file=f)
                            for level, f in ((1, "a.pdf"), (1, "b.pdf"), (2, "c.pdf")))
    events = list(AuditEvent.select(AuditEvent.id, AuditEvent.action, AuditEvent.new).order_by(AuditEvent.id).tuples())
    with db.database.atomic() as version_5:  # the old schema let anyone rewrite the trail
        db.execute("DELETE FROM audit_event")
        version_5.rollback()
    with pytest.raises(db.SchemaError, match="counter-tui migrate"):
        schema.check_schema()
    assert schema.migrate() == (5, db.SCHEMA_VERSION)
    schema.check_schema()
    after = list(AuditEvent.select(AuditEvent.id, AuditEvent.action, AuditEvent.new).order_by(AuditEvent.id).tuples())
    assert after[:-1] == events and after[-1][1] == "notice.duplicates_removed"
    assert '"file": "b.pdf"' in AuditEvent.get_by_id(after[-1][0]).old  # named before it went
    events = after
    assert Loan.select().count() == 1
    assert [n.id for n in Notice.select().order_by(Notice.id)] == [first.id, second.id]  # the first of each kept
    with pytest.raises(peewee.IntegrityError):
        db.write(lambda: Notice.create(patron=reader, kind="overdue", level=2, loan=loan, at=NOW, file="d.pdf"))
    for sql in ("DELETE FROM audit_event", "UPDATE audit_event SET action = 'x'"):
        with pytest.raises(peewee.IntegrityError, match="append-only"):
            db.write(lambda sql=sql: db.execute(sql))
    lending.checkin(lib.clerk, book.barcode)  # the desk goes on appending
    assert AuditEvent.select().count() == len(events) + 1
    # failed sign-ins are counted per desk now; a lock in force stays, at every desk, until it ends
    assert not {"failed_logins", "locked_until"} & {c.name for c in empty_db.get_columns("staff")}
    with pytest.raises(Refusal, match="locked at every desk"):
        staff.sign_in("office1", "a good password", desk="any desk")
    assert staff.sign_in("office1", "a good password", datetime.utcnow() + timedelta(minutes=11),
                         desk="any desk").username == "office1"
    assert staff.sign_in("clerk", "correct horse", desk="any desk").username == "clerk"


def test_version_7_gives_each_person_a_language_and_keeps_the_accounts(lib, empty_db):
    from counter_tui.models import Staff
    make_version_6(empty_db)
    assert "language" not in {c.name for c in empty_db.get_columns("staff")}
    with pytest.raises(db.SchemaError, match="counter-tui migrate"):
        schema.check_schema()
    assert schema.migrate() == (6, 7)
    clerk = Staff.get_by_id(lib.clerk.id)
    assert clerk.username == lib.clerk.username and clerk.language == ""
