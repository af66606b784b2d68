"""Creating and upgrading the database schema.

Migrations run only from `counter-tui migrate` (they take no lock between processes);
the desk refuses to start on a schema older than the code.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from peewee import DateTimeField
from playhouse.migrate import SchemaMigrator, migrate as run_migration

from counter_tui.db import SCHEMA_VERSION, SchemaError, as_datetime, database, is_sqlite, schema_change, write
from counter_tui.models import (ALL_MODELS, V4_MODELS, AuditEvent, Biblio, CardEvent, CirculationRule, Fee,
                               InHouseUse, Item, ItemType, Loan, Notice, Patron, PatronCategory, SchemaVersion,
                               SignInGuard, Staff)
from counter_tui.domain.calendar import utc_now
from counter_tui.services import access, audit
from counter_tui.services.catalogue.search_index import FTS_TABLE, create_search_index


def _v2_audit_desk() -> None:
    """Version 2: each audit event says which desk it came from."""
    run_migration(SchemaMigrator.from_database(database.obj)
                  .add_column(AuditEvent._meta.table_name, "desk", AuditEvent.desk))


def _v3_cards_and_blocks() -> None:
    """Version 3: card history, manual blocks with an end, card rules per category, sign-in lockout."""
    migrator = SchemaMigrator.from_database(database.obj)
    run_migration(
        migrator.add_column(Patron._meta.table_name, "block_until", Patron.block_until),
        migrator.add_column(PatronCategory._meta.table_name, "renew_from_expiry", PatronCategory.renew_from_expiry),
        migrator.add_column(PatronCategory._meta.table_name, "card_fee", PatronCategory.card_fee),
        migrator.add_column(Staff._meta.table_name, "locked_until", DateTimeField(null=True)),  # gone in 6
    )
    database.create_tables([CardEvent])


# Columns version 4 added to tables that were already there: (model, field).
V4_COLUMNS = [
    (Biblio, Biblio.book_number), (Biblio, Biblio.created_by),
    (ItemType, ItemType.processing_fee),
    (Item, Item.volume), (Item, Item.status_since), (Item, Item.catalogued_at), (Item, Item.catalogued_by),
    (CirculationRule, CirculationRule.holds_allowed), (CirculationRule, CirculationRule.hold_pickup_days),
    (Loan, Loan.lost_at), (Loan, Loan.claimed_returned_at), (Loan, Loan.claimed_by),
    (PatronCategory, PatronCategory.notice1_days), (PatronCategory, PatronCategory.notice2_days),
    (PatronCategory, PatronCategory.notice3_days), (PatronCategory, PatronCategory.hold_limit),
    (Fee, Fee.applies_to),
]


def _v4_holds_care_and_property() -> None:
    """Version 4: holds, damage and in-house use, notices, the accession register, write-offs, transfers."""
    migrator = SchemaMigrator.from_database(database.obj)
    run_migration(*(migrator.add_column(model._meta.table_name, field.column_name, field)
                    for model, field in V4_COLUMNS),
                  migrator.add_index(Biblio._meta.table_name, ("classification", "book_number")))
    database.create_tables(V4_MODELS)
    create_search_index()


# Columns version 5 added: who reported a claim returned; the desk that counted an in-house use.
V5_COLUMNS = [(Loan, Loan.claim_reported_by), (InHouseUse, InHouseUse.desk)]


def _v5_claims_and_in_house_desk() -> None:
    """Version 5: who reported a claim returned; which desk counted an in-house use.

    A table version 4 created from today's models has its column already."""
    migrator = SchemaMigrator.from_database(database.obj)
    run_migration(*(migrator.add_column(model._meta.table_name, field.column_name, field)
                    for model, field in V5_COLUMNS
                    if field.column_name not in {c.name for c in database.get_columns(model._meta.table_name)}))


# -- the audit trail, protected by the database ------------------------------------------------

AUDIT_NO_DELETE = "The audit trail is append-only: its events cannot be deleted."
AUDIT_NO_UPDATE = ("The audit trail is append-only: an event cannot be changed, except its values "
                   "redacted once (old and new, with redacted_at set).")


def _fixed_audit_columns() -> list[str]:
    """Every column of an event but its values (old, new) and the mark of their redaction."""
    return [f.column_name for f in AuditEvent._meta.sorted_fields if f.name not in ("old", "new", "redacted_at")]


def protect_audit_trail() -> None:
    """Triggers that refuse UPDATE and DELETE on audit_event (and TRUNCATE on PostgreSQL), whoever asks.

    One change is let through, for anonymising (a reader's card number leaves the details of
    old loans' events): an UPDATE that sets redacted_at on an event that has none and changes
    nothing but old and new. A second redaction, or any change to who, when, what, which
    record or desk, is refused. The triggers name every other column of the model: a migration
    that adds a column to audit_event runs this again.
    """
    fixed = _fixed_audit_columns()
    if is_sqlite():
        same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in fixed)
        for sql in ("DROP TRIGGER IF EXISTS audit_event_no_delete",
                    "DROP TRIGGER IF EXISTS audit_event_no_update",
                    f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
                    f"BEGIN SELECT RAISE(ABORT, '{AUDIT_NO_DELETE}'); END",
                    f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                    f"WHEN NOT (OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND {same}) "
                    f"BEGIN SELECT RAISE(ABORT, '{AUDIT_NO_UPDATE}'); END"):
            database.execute_sql(sql)
        return
    new = ", ".join(f"NEW.{c}" for c in fixed)
    old = ", ".join(f"OLD.{c}" for c in fixed)
    for sql in (f"""CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND ({new}) IS NOT DISTINCT FROM ({old}) THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE = '{AUDIT_NO_UPDATE}';
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE = '{AUDIT_NO_DELETE}';
END $$""",
                "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
                "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
                "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
                "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
                "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"):
        database.execute_sql(sql)


def _v6_trust() -> None:
    """Version 6: the audit trail protected by the database (redacted_at, and triggers that refuse
    every other change and every delete); failed sign-ins counted per name and desk in
    sign_in_guard instead of staff.failed_logins and staff.locked_until (a lock in force is
    carried over to the desks as one at every desk, until it would have ended); one notice
    per loan and level, by a unique index."""
    migrator = SchemaMigrator.from_database(database.obj)
    run_migration(migrator.add_column(AuditEvent._meta.table_name, "redacted_at", AuditEvent.redacted_at))
    protect_audit_trail()
    database.create_tables([SignInGuard])
    locked = database.execute_sql("SELECT username, locked_until FROM staff WHERE locked_until IS NOT NULL").fetchall()
    for username, until in locked:
        until = as_datetime(until)
        SignInGuard.create(username=username, desk="", locked_until=until, touched_at=until - timedelta(minutes=15))
    run_migration(migrator.drop_column(Staff._meta.table_name, "failed_logins"),
                  migrator.drop_column(Staff._meta.table_name, "locked_until"))
    _one_notice_per_loan_and_level(migrator)


def _one_notice_per_loan_and_level(migrator: SchemaMigrator) -> None:
    """Version 6: the index of notices by loan and level becomes unique. A level recorded twice for
    a loan (two runs at once sent it twice) keeps its first record; the others are named, with
    their letters' files, in one audit event before they go."""
    twice = database.execute_sql(
        "SELECT n.id, n.loan_id, n.level, n.at, n.file FROM notice n WHERE n.loan_id IS NOT NULL AND EXISTS "
        "(SELECT 1 FROM notice f WHERE f.loan_id = n.loan_id AND f.level = n.level AND f.id < n.id) "
        "ORDER BY n.id").fetchall()
    if twice:
        audit.record(None, "notice.duplicates_removed", "notice", None, utc_now(),
                     old={"notices": [{"id": i, "loan": loan, "level": level, "at": at, "file": file}
                                      for i, loan, level, at, file in twice]})
        Notice.delete().where(Notice.id.in_([row[0] for row in twice])).execute()
    run_migration(migrator.drop_index(Notice._meta.table_name, "notice_loan_id_level"),
                  migrator.add_index(Notice._meta.table_name, ("loan_id", "level"), unique=True))


def _v7_languages() -> None:
    """Version 7: the language each person's desk speaks (empty: the library's)."""
    migrator = SchemaMigrator.from_database(database.obj)
    if "language" not in {c.name for c in database.get_columns(Staff._meta.table_name)}:
        run_migration(migrator.add_column(Staff._meta.table_name, "language", Staff.language))


# Schema that Peewee models cannot describe (search indexes, triggers); run after the tables exist.
AFTER_CREATE: list[Callable[[], None]] = [create_search_index, protect_audit_trail]


# version reached -> step that brings a database from the version before to it
MIGRATIONS: dict[int, Callable[[], None]] = {2: _v2_audit_desk, 3: _v3_cards_and_blocks,
                                               4: _v4_holds_care_and_property, 5: _v5_claims_and_in_house_desk,
                                               6: _v6_trust, 7: _v7_languages}


def current_version() -> int | None:
    """The database's schema version, or None when it has no tables yet."""
    if not database.table_exists(SchemaVersion._meta.table_name):
        return None
    row = SchemaVersion.select().order_by(SchemaVersion.version.desc()).first()
    return row.version if row else 0


def create_schema() -> None:
    """Create every table of an empty database at the current version."""
    with database.atomic():
        database.create_tables(ALL_MODELS)
        for step in AFTER_CREATE:
            step()
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=SCHEMA_VERSION)


AUDIT_TRIGGERS = {True: ("audit_event_no_delete", "audit_event_no_update"),  # SQLite
                  False: ("audit_event_append_only", "audit_event_no_truncate")}  # PostgreSQL


def missing_parts() -> list[str]:
    """Every table and column this program's models expect that the database lacks, and what is made
    after the tables (the catalogue's search index on SQLite, the audit trail's triggers), each as a
    sentence; empty when the database has them all. Read from the database's own catalog."""
    sqlite = is_sqlite()
    tables = set(database.get_tables())
    problems = []
    for model in ALL_MODELS:
        table = model._meta.table_name
        if table not in tables:
            problems.append(f"the table {table} is missing")
            continue
        have = {c.name for c in database.get_columns(table)}
        problems += [f"the column {table}.{field.column_name} is missing"
                     for field in model._meta.sorted_fields if field.column_name not in have]
    if sqlite and FTS_TABLE not in tables:
        problems.append(f"the catalogue's search index ({FTS_TABLE}) is missing")
    if "audit_event" in tables:
        if sqlite:
            triggers = {r[0] for r in database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        else:
            triggers = {r[0] for r in database.execute_sql(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass")}
        problems += [f"the audit trail's trigger {name} is missing (nothing stops its events being changed)"
                     for name in AUDIT_TRIGGERS[sqlite] if name not in triggers]
    return problems


def check_schema() -> None:
    """Refuse to run on a database this program cannot use, naming the fix."""
    version = current_version()
    if version is None:
        raise SchemaError("This database is empty: create a library with `counter-tui init` "
                          "(or try `counter-tui demo`).")
    _refuse_a_version_no_migration_reaches(version)
    if version < SCHEMA_VERSION:
        raise SchemaError(f"This database has schema version {version} and this program needs "
                          f"{SCHEMA_VERSION}: run `counter-tui migrate` first (back it up before).")


def _refuse_a_version_no_migration_reaches(version: int) -> None:
    """A version table with no version in it, or a database newer than the program: no migration
    can help, and `migrate` must change nothing."""
    if version < min(MIGRATIONS) - 1:
        raise SchemaError("This database's schema_version table holds no version this program knows "
                          f"({version}), so nothing can tell which tables it has: restore the library from "
                          "a backup (counter-tui restore FILE). Nothing was changed.")
    if version > SCHEMA_VERSION:
        raise SchemaError(f"This database has schema version {version}, newer than this program "
                          f"({SCHEMA_VERSION}): upgrade counter-tui. Nothing was changed.")


def migrate() -> tuple[int | None, int]:
    """Bring the database to the current version; returns (from, to)."""
    start = current_version()
    if start is None:
        create_schema()
        return None, SCHEMA_VERSION
    _refuse_a_version_no_migration_reaches(start)
    for version in range(start + 1, SCHEMA_VERSION + 1):
        with schema_change(), database.atomic():
            MIGRATIONS[version]()
            SchemaVersion.delete().execute()
            SchemaVersion.create(version=version)
    return start, SCHEMA_VERSION


def check_migratable() -> None:
    """Refuse (SchemaError) a database `upgrade` cannot help: an empty one (`init` makes a library),
    one whose version table holds no version, one newer than this program."""
    version = current_version()
    if version is None:
        check_schema()  # says the database is empty and names init
    _refuse_a_version_no_migration_reaches(version)


def upgrade(actor: Staff) -> tuple[int, int]:
    """`migrate` as the curator, audited: (from, to). A database with no library in it is refused
    (`counter-tui init` makes one: there is no one yet to sign in as), as is one no migration reaches.
    The actor signed in against the staff table as the old schema has it (staff.sign_in_on_any_schema);
    the event is recorded once the audit trail has this program's columns."""
    check_migratable()
    access.require(actor, "upgrade the library's schema", access.CURATOR)
    start, end = migrate()
    write(lambda: audit.record(actor, "library.migrate", "library", None, utc_now(), new={"from": start, "to": end}))
    return start, end
