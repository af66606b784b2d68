"""Staff accounts, roles at every service boundary, and sign-in lockout."""
from __future__ import annotations

from datetime import timedelta

import pytest

from counter_tui.models import AuditEvent, Loan, SignInGuard, Staff
from counter_tui.services.circulation import lending
from counter_tui.services.fees import payments
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW


@pytest.fixture
def people(lib):
    curator = staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator"])
    office = staff.add_staff(None, "office1", "Office Clerk", "a good password", ["office"])
    cataloguer = staff.add_staff(None, "cat1", "Cataloguer", "a good password", ["cataloging"])
    return {"curator": curator, "office": office, "cataloguer": cataloguer, "clerk": lib.clerk}


@pytest.mark.parametrize("who", ["curator", "office", "cataloguer"])
def test_only_circulation_staff_lend_return_and_renew(lib, people, who):
    reader, book = lib.patron(), lib.item()
    actor = people[who]
    for call in (lambda: lending.checkout(actor, reader.id, book.barcode, NOW),
                 lambda: lending.checkin(actor, book.barcode, NOW),
                 lambda: lending.renew(actor, book.barcode, NOW)):
        with pytest.raises(PermissionDenied, match="Only circulation staff may"):
            call()
    assert Loan.select().count() == 0


def test_payments_by_circulation_or_office_only(lib, people):
    from counter_tui.models import Fee
    reader = lib.patron()
    Fee.create(patron=reader, kind="overdue", amount=300, at=NOW)
    with pytest.raises(PermissionDenied, match="circulation staff or office staff"):
        payments.pay(people["cataloguer"], reader.id, 100, NOW, receipt=False)
    assert payments.pay(people["office"], reader.id, 100, NOW, receipt=False).balance == 200


def test_only_the_curator_manages_staff(lib, people):
    for who in ("office", "clerk", "cataloguer"):
        with pytest.raises(PermissionDenied, match="Only the curator may manage staff accounts"):
            staff.add_staff(people[who], "newbie", "New", "a good password", ["circulation"])
        with pytest.raises(PermissionDenied):
            staff.set_active(people[who], "office1", False)
        with pytest.raises(PermissionDenied):
            staff.list_staff(people[who])
    assert not Staff.select().where(Staff.username == "newbie").exists()
    head = people["curator"]
    staff.add_staff(head, "newbie", "New", "a good password", ["circulation"])
    staff.set_active(head, "newbie", False)
    with pytest.raises(Refusal, match="Wrong username or password"):
        staff.sign_in("newbie", "a good password")
    staff.set_active(head, "newbie", True)
    staff.set_password(head, "newbie", "another password")
    assert staff.sign_in("newbie", "another password").username == "newbie"
    with pytest.raises(Refusal, match="cannot disable your own account"):
        staff.set_active(head, "head", False)
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert {"staff.disable", "staff.enable", "staff.password"} <= set(actions)
    # passwords never reach the audit trail, in clear or hashed
    assert not AuditEvent.select().where(AuditEvent.new.contains("another password")
                                         | AuditEvent.new.contains("scrypt$")).exists()


def test_bad_account_input_changes_nothing(lib, people):
    head = people["curator"]
    before = Staff.select().count()
    for args, expected in [(("two words", "x", "a good password", ["office"]), "one word"),
                           (("ok", "x", "short", ["office"]), "at least 8"),
                           (("ok", "x", "a good password", ["janitor"]), "Unknown role"),
                           (("ok", "x", "a good password", []), "at least one role"),
                           (("head", "x", "a good password", ["office"]), "already a staff account")]:
        with pytest.raises(Refusal, match=expected):
            staff.add_staff(head, *args)
    assert Staff.select().count() == before


def test_failed_sign_ins_slow_down_then_lock(lib, people, monkeypatch):
    naps = []
    monkeypatch.setattr(staff.time, "sleep", naps.append)
    for _ in range(4):
        with pytest.raises(Refusal, match="Wrong username or password"):
            staff.sign_in("office1", "guess", NOW)
    assert len(naps) == 2 and naps[1] > naps[0]  # the third and fourth answers wait, longer each time
    with pytest.raises(Refusal, match="locked at this desk for 15 minutes"):
        staff.sign_in("office1", "guess", NOW)
    with pytest.raises(Refusal, match="locked at this desk after 5 failed sign-ins"):
        staff.sign_in("office1", "a good password", NOW + timedelta(minutes=5))  # even the right one
    assert staff.sign_in("office1", "a good password", NOW + timedelta(minutes=16)).username == "office1"
    assert not SignInGuard.select().where(SignInGuard.username == "office1").exists()  # nothing left counted
    for _ in range(5):
        with pytest.raises(Refusal):
            staff.sign_in("office1", "guess", NOW)
    staff.unlock(people["curator"], "office1")
    assert staff.sign_in("office1", "a good password", NOW).username == "office1"


def test_passwords_are_stored_as_scrypt_hashes(lib, people):
    stored = Staff.get(Staff.username == "office1").password_hash
    assert stored.startswith("scrypt$") and "a good password" not in stored


def test_a_staff_name_keeps_no_escape_codes(lib):
    from counter_tui.models import Staff as StaffRow
    member = staff.add_staff(None, "mallory", "Mal\x1b]52;c;ZWNobw==\x07lory\u202e", "a good password", ["circulation"])
    stored = StaffRow.get_by_id(member.id).full_name
    assert "\x1b" not in stored and "\u202e" not in stored and "Mal" in stored
