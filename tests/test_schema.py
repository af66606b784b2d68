"""Schema versions: an older database is refused until `migrate` upgrades it, data intact."""
from __future__ import annotations

import pytest
from playhouse.migrate import SchemaMigrator, migrate

from counter_tui import db
from counter_tui.models import AuditEvent, Loan, SchemaVersion
from counter_tui.services import circulation, schema


def make_version_1(database):
    """Turn a fresh library into what version 1 of the program made (no audit desk column)."""
    migrate(SchemaMigrator.from_database(database).drop_column("audit_event", "desk"))
    SchemaVersion.update(version=1).execute()


def test_an_older_database_is_refused_then_upgraded_with_its_data(lib, empty_db):
    reader, book = lib.patron(), lib.item()
    circulation.checkout(lib.clerk, reader.id, book.barcode)
    make_version_1(empty_db)
    columns = {c.name for c in empty_db.get_columns("audit_event")}
    assert "desk" not in columns
    with pytest.raises(db.SchemaError, match="counter-tui migrate"):
        schema.check_schema()
    assert schema.migrate() == (1, db.SCHEMA_VERSION)
    schema.check_schema()
    assert "desk" in {c.name for c in empty_db.get_columns("audit_event")}
    assert Loan.select().count() == 1 and AuditEvent.select().count() == 2  # staff.add + checkout
    circulation.checkin(lib.clerk, book.barcode)
    assert AuditEvent.select().order_by(AuditEvent.id.desc()).first().desk != ""


def test_a_newer_database_is_refused(lib):
    SchemaVersion.update(version=db.SCHEMA_VERSION + 1).execute()
    with pytest.raises(db.SchemaError, match="newer than this program"):
        schema.check_schema()
