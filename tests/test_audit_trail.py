"""The audit trail: read by the curator only, filtered, paged by id; and never rewritten."""
from __future__ import annotations

import ast
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from counter_tui import db
from counter_tui.domain.calendar import local_date
from counter_tui.models import AuditEvent, Fee
from counter_tui.services import audit, library_settings
from counter_tui.services.admin import audit_trail, check, staff
from counter_tui.services.circulation import lending
from counter_tui.services.fees import payments
from counter_tui.services.readers import privacy
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW, ZONE

PACKAGE = Path(__file__).resolve().parent.parent / "counter_tui"


@pytest.fixture
def head(lib):
    return staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator"])


def write_events(actor, n: int, start: datetime = NOW, **fields) -> None:
    """n events a minute apart, oldest first, in one transaction."""
    def work():
        for i in range(n):
            audit.record(actor, fields.get("action", "test.event"), fields.get("record_type", "thing"),
                         i, start + timedelta(minutes=i), new={"n": i})
    db.write(work)


def test_newest_first_and_keyset_pages_cover_everything_once(lib, head):
    write_events(lib.clerk, 250)
    everything = [e.id for e in AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id.desc())]
    seen, before, pages = [], None, 0
    while True:
        page = audit_trail.events(head, before_id=before, limit=100)
        if not page:
            break
        pages += 1
        seen += [line.id for line in page]
        before = page[-1].id
    assert seen == everything and pages == 3
    assert len(everything) == 252  # two staff.add events and ours


def test_lines_name_the_staff_the_desk_and_local_time(lib, head):
    reader, book = lib.patron(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    line = audit_trail.events(head, action="checkout")[0]
    assert (line.staff_username, line.staff_name, line.record_type) == ("clerk", "Desk Clerk", "loan")
    assert line.at == datetime(2026, 11, 25, 10, 0)  # 02:00 UTC is 10:00 in Shanghai
    assert line.desk == library_settings.settings().desk and line.record == f"loan {line.record_id}"
    assert f"item={book.barcode}" in line.summary and f'"patron": "{reader.card}"' in audit_trail.pretty(line.new)
    assert audit_trail.pretty(None) == "(none)"


def test_filters_by_staff_action_and_record(lib, head):
    reader, first, second = lib.patron(), lib.item(), lib.item()
    one = lending.checkout(lib.clerk, reader.id, first.barcode, NOW)
    lending.checkout(lib.clerk, reader.id, second.barcode, NOW)
    lending.checkin(lib.clerk, first.barcode, NOW + timedelta(hours=1))
    write_events(None, 3)  # from commands run by no one signed in
    by_clerk = audit_trail.events(head, staff_username="clerk")
    assert {line.action for line in by_clerk} == {"staff.add", "checkout", "checkin"}
    assert [line.action for line in audit_trail.events(head, staff_username=" head ")] == ["staff.add"]
    assert [line.action for line in audit_trail.events(head, record_type="loan", record_id=one.loan_id)] == \
        ["checkin", "checkout"]
    assert len(audit_trail.events(head, action="checkout")) == 2
    assert audit_trail.events(head, action="check") == []  # actions match exactly
    nobody = audit_trail.events(head, action="test.event")
    assert len(nobody) == 3 and all(line.staff_username == "" for line in nobody)


def test_dates_are_local_library_days(lib, head):
    # 15:59:59 UTC is 23:59:59 on the 24th in Shanghai; 16:00 is midnight of the 25th
    late_on_24th, first_of_25th = datetime(2026, 11, 24, 15, 59, 59), datetime(2026, 11, 24, 16, 0, 0)
    last_of_25th = datetime(2026, 11, 25, 15, 59, 59)
    db.write(lambda: [audit.record(lib.clerk, "test.event", "thing", i, at)
                      for i, at in enumerate((late_on_24th, first_of_25th, last_of_25th,
                                              last_of_25th + timedelta(seconds=1)))])
    day = date(2026, 11, 25)
    got = audit_trail.events(head, since=day, until=day, action="test.event")
    assert [line.record_id for line in got] == [2, 1]
    assert [line.record_id for line in audit_trail.events(head, until=date(2026, 11, 24), action="test.event")] == [0]
    assert [line.record_id for line in audit_trail.events(head, since=date(2026, 11, 26), action="test.event")] == [3]
    assert local_date(first_of_25th, ZONE) == day


def test_only_the_curator_reads_it(lib, head):
    office = staff.add_staff(None, "office1", "Office Clerk", "a good password", ["office"])
    for who in (lib.clerk, office, None):
        with pytest.raises(PermissionDenied, match="Only the curator may read the audit trail"):
            audit_trail.events(who)
    staff_rows = AuditEvent.select().count()
    assert audit_trail.events(head) and AuditEvent.select().count() == staff_rows  # reading writes nothing


@pytest.mark.parametrize("kwargs, sentence", [
    ({"staff_username": "nobody"}, "no staff account named nobody"),
    ({"since": date(2026, 11, 26), "until": date(2026, 11, 25)}, "from date 2026-11-26 is after the to date"),
    ({"limit": 0}, "A page holds from 1 to 1000 events"),
    ({"limit": 1001}, "A page holds from 1 to 1000 events"),
])
def test_bad_filters_are_one_sentence(lib, head, kwargs, sentence):
    with pytest.raises(Refusal, match=sentence):
        audit_trail.events(head, **kwargs)


# -- append-only ------------------------------------------------------------------------

_SQL_REWRITE = re.compile(r"\b(update|delete\s+from|replace\s+into|insert\s+or\s+replace\s+into|truncate"
                          r"(\s+table)?|drop\s+table(\s+if\s+exists)?)\s+[\"`]?audit_event\b", re.IGNORECASE)
_MODEL_REWRITES = {"update", "delete", "replace", "replace_many", "insert_or_replace", "delete_by_id",
                   "set_by_id", "bulk_update", "truncate_table", "drop_table"}


def rewrites_of_the_audit_log(source: str) -> list[str]:
    """Every place in `source` that could change or remove audit events."""
    found = [m.group(0) for m in _SQL_REWRITE.finditer(source)]
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr in _MODEL_REWRITES
                and isinstance(node.value, ast.Name) and node.value.id == "AuditEvent"):
            found.append(f"AuditEvent.{node.attr} (line {node.lineno})")
    return found


def test_the_detector_catches_rewrites():
    assert rewrites_of_the_audit_log('db.execute("UPDATE audit_event SET new = ?", x)')
    assert rewrites_of_the_audit_log("q = 'delete from \"audit_event\" where id = 1'")
    assert rewrites_of_the_audit_log("AuditEvent.delete().where(AuditEvent.id == 1).execute()")
    assert rewrites_of_the_audit_log("fn = AuditEvent.update")
    assert not rewrites_of_the_audit_log("db.execute('INSERT INTO audit_event (at) VALUES (?)', now)")
    assert not rewrites_of_the_audit_log("Loan.update(patron=1).execute(); AuditEvent.select()")


def test_no_module_rewrites_the_audit_log():
    """Services are the only writers (DESIGN.md), and none may update or delete an event.

    Schema migrations may add a column (services/schema.py); that changes no event.
    """
    modules = sorted(PACKAGE.rglob("*.py"))
    assert any(p.parent.name == "services" for p in modules)
    offenders = {str(p.relative_to(PACKAGE)): hits for p in modules
                 if (hits := rewrites_of_the_audit_log(p.read_text(encoding="utf-8")))}
    # but the one change the database lets through: an event's values redacted, once, for anonymising
    assert offenders.pop("services/audit.py", None) == ["UPDATE audit_event"]
    assert audit.REDACT.startswith("UPDATE audit_event SET old = ?, new = ?, redacted_at = ? WHERE id = ?")
    assert offenders == {}


def test_events_written_by_a_checkout_survive_every_later_service(lib, head, monkeypatch, tmp_path):
    reader, book, other = lib.patron(), lib.item(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW - timedelta(days=60))

    def events():
        return list(AuditEvent.select().order_by(AuditEvent.id).tuples())

    written = events()
    statements: list[str] = []
    execute_sql = db.database.obj.execute_sql

    def traced(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return execute_sql(sql, params, *args, **kwargs)

    monkeypatch.setattr(db.database.obj, "execute_sql", traced)
    lending.renew(lib.clerk, book.barcode, NOW - timedelta(days=40))
    lending.checkin(lib.clerk, book.barcode, NOW - timedelta(days=5))  # a week late: a fine
    payments.pay(lib.clerk, reader.id, Fee.get().amount, NOW - timedelta(days=4), receipt=False)
    lending.checkout(lib.clerk, reader.id, other.barcode, NOW - timedelta(days=50))
    lending.checkin(lib.clerk, other.barcode, NOW - timedelta(days=45))
    staff.add_staff(None, "office1", "Office Clerk", "a good password", ["office"])
    privacy.anonymise_loans(head, 10, NOW)
    audit_trail.events(head)
    check.run_checks()
    for refused in (lambda: lending.checkin(head, book.barcode, NOW),
                    lambda: privacy.anonymise_loans(lib.clerk, 10, NOW),
                    lambda: audit_trail.events(lib.clerk)):
        with pytest.raises(Refusal):
            refused()
    monkeypatch.undo()

    assert events()[: len(written)] == written
    assert len(events()) > len(written)  # the services did write, by appending
    rewrites = [s for s in statements if rewrites_of_the_audit_log(repr(s))]
    assert set(rewrites) == {db.sql(audit.REDACT)}  # anonymising redacted the returned loan's events
    changed = AuditEvent.select().where(AuditEvent.redacted_at.is_null(False))
    assert {(e.record_type, e.action) for e in changed} == {("loan", "checkout"), ("loan", "checkin")}
    assert any("INSERT INTO audit_event" in s for s in statements)


# -- protected by the database ---------------------------------------------------------------------

def test_the_database_refuses_to_change_or_delete_an_event(lib, head):
    import peewee
    reader, book = lib.patron(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    event = AuditEvent.get(AuditEvent.action == "checkout")
    events = list(AuditEvent.select().order_by(AuditEvent.id).tuples())
    refused = ["UPDATE audit_event SET action = 'nothing.happened' WHERE id = ?",
               "UPDATE audit_event SET staff_id = NULL WHERE id = ?",
               "UPDATE audit_event SET at = at WHERE id = ?",  # even a change that changes nothing
               "UPDATE audit_event SET new = '{}' WHERE id = ?",  # values, but not marked as redacted
               "DELETE FROM audit_event WHERE id = ?"]
    for sql in refused:
        with pytest.raises(peewee.IntegrityError, match="append-only"):
            db.write(lambda sql=sql: db.execute(sql, event.id))
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        db.write(lambda: db.execute("DELETE FROM audit_event"))
    if not db.is_sqlite():
        with pytest.raises(peewee.IntegrityError, match="append-only"):
            db.write(lambda: db.execute("TRUNCATE audit_event"))
    assert list(AuditEvent.select().order_by(AuditEvent.id).tuples()) == events


def test_a_redaction_of_the_values_is_let_through_once_and_nothing_with_it(lib, head):
    """The way left for anonymising: old and new replaced, redacted_at set, once."""
    import peewee
    reader, book = lib.patron(), lib.item()
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    event = AuditEvent.get(AuditEvent.action == "checkout")
    assert reader.card in event.new and event.redacted_at is None
    redact = "UPDATE audit_event SET old = NULL, new = ?, redacted_at = ? WHERE id = ?"
    with pytest.raises(peewee.IntegrityError, match="append-only"):  # who did it stays
        db.write(lambda: db.execute(redact.replace("WHERE", ", staff_id = NULL WHERE"), "{}", NOW, event.id))
    db.write(lambda: db.execute(redact, '{"patron": "anonymised"}', NOW, event.id))
    after = AuditEvent.get_by_id(event.id)
    assert reader.card not in after.new and after.redacted_at == NOW
    assert (after.at, after.staff_id, after.action, after.record_type, after.record_id, after.desk) == (
        event.at, event.staff_id, event.action, event.record_type, event.record_id, event.desk)
    with pytest.raises(peewee.IntegrityError, match="append-only"):  # once
        db.write(lambda: db.execute(redact, '{"patron": "someone else"}', NOW, event.id))
    assert AuditEvent.get_by_id(event.id).new == '{"patron": "anonymised"}'
