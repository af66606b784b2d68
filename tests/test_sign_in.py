"""Sign-in lockout: counted under a row lock, decaying, per name and desk; an unknown name answered
like a wrong password; hashes made again when the parameters rise."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from counter_tui import db
from counter_tui.models import AuditEvent, SignInGuard, Staff
from counter_tui.services.admin import staff
from counter_tui.services.errors import Refusal
from tests.conftest import NOW

RIGHT = "correct horse"  # the clerk's password (conftest)


@pytest.fixture
def no_naps(monkeypatch):
    """The growing waits after failures, recorded instead of slept."""
    naps = []
    monkeypatch.setattr(staff.time, "sleep", naps.append)
    return naps


@pytest.fixture
def checked(monkeypatch):
    """The stored hashes each sign-in checked a password against, in order."""
    seen = []
    real = staff.check_password

    def check(password, stored):
        seen.append(stored)
        return real(password, stored)

    monkeypatch.setattr(staff, "check_password", check)
    return seen


def attempt(username: str, password: str, now=NOW, desk: str = "desk-1") -> str:
    """The sentence a sign-in answers with ("signed in" when it lets the person in)."""
    try:
        staff.sign_in(username, password, now, desk=desk)
    except Refusal as refusal:
        return refusal.sentence
    return "signed in"


def test_24_wrong_and_1_right_at_the_same_moment_end_locked(lib, monkeypatch, no_naps):
    """The right password, checked last, cannot undo what the 24 wrong ones brought."""
    real = staff.check_password
    checks, wrong_done = [], threading.Event()
    wrong_left = [24]
    lock = threading.Lock()

    def check(password, stored):
        with lock:
            checks.append(password)
        if password == RIGHT:
            wrong_done.wait(60)  # the right one's check finishes after every wrong attempt is over
        return real(password, stored)

    monkeypatch.setattr(staff, "check_password", check)
    start = threading.Barrier(25)
    answers: dict[str, list[str]] = {"right": [], "wrong": []}

    def desk(password: str) -> None:
        with db.database.connection_context():
            start.wait()
            said = attempt("clerk", password)
        with lock:
            answers["right" if password == RIGHT else "wrong"].append(said)
            if password != RIGHT:
                wrong_left[0] -= 1
                if not wrong_left[0]:
                    wrong_done.set()

    threads = [threading.Thread(target=desk, args=(RIGHT if i == 12 else f"guess {i}",)) for i in range(25)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # refused: checked, it finished after the count reached a lock; or not checked at all
    assert len(answers["right"]) == 1 and answers["right"][0] != "signed in"
    assert len(checks) <= staff.LOCK_AFTER  # no more passwords were tried than a lock allows
    assert all(a.startswith(("Wrong username or password", "This account is locked", "Other sign-ins"))
               for a in answers["wrong"])
    monkeypatch.setattr(staff, "check_password", real)
    assert "locked at this desk" in attempt("clerk", RIGHT, NOW + timedelta(minutes=1))  # still locked
    assert attempt("clerk", RIGHT, NOW + timedelta(minutes=1), desk="desk-2") == "signed in"


def test_a_right_password_after_a_lock_came_meanwhile_resets_nothing(lib, monkeypatch, no_naps):
    """Four wrong; then a wrong and the right one together: the right one's check ends last."""
    for i in range(4):
        assert attempt("clerk", f"guess {i}") == "Wrong username or password."
    real, wrong_done = staff.check_password, threading.Event()

    def check(password, stored):
        if password == RIGHT:
            wrong_done.wait(60)
        return real(password, stored)

    monkeypatch.setattr(staff, "check_password", check)
    said = {}

    def desk(password):
        with db.database.connection_context():
            said[password] = attempt("clerk", password)
        if password != RIGHT:
            wrong_done.set()

    threads = [threading.Thread(target=desk, args=(p,)) for p in (RIGHT, "guess 4")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert said[RIGHT] != "signed in" and "locked at this desk" in said[RIGHT] + said["guess 4"]
    monkeypatch.setattr(staff, "check_password", real)
    assert "locked at this desk" in attempt("clerk", RIGHT, NOW + timedelta(minutes=1))


def test_failures_older_than_the_window_no_longer_count(lib, no_naps):
    for i in range(4):
        attempt("clerk", "guess", NOW + timedelta(minutes=i))
    # 20 minutes on, the four have aged out: one more wrong is the first again
    assert attempt("clerk", "guess", NOW + timedelta(minutes=20)) == "Wrong username or password."
    assert attempt("clerk", "guess", NOW + timedelta(minutes=21)) == "Wrong username or password."
    for i in range(3):  # five within a quarter of an hour: locked
        said = attempt("clerk", "guess", NOW + timedelta(minutes=22 + i))
    assert "locked at this desk for 15 minutes" in said
    after = NOW + timedelta(minutes=24 + 16)
    # the lock over, one typo does not lock again: the failures before it have aged out too
    assert attempt("clerk", "guess", after) == "Wrong username or password."
    assert attempt("clerk", RIGHT, after) == "signed in"


def test_a_lock_is_per_desk_and_only_several_desks_together_lock_the_account_everywhere(lib, no_naps):
    staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator"], NOW)
    for _ in range(staff.LOCK_AFTER):
        attempt("head", "guess", desk="front desk")
    assert "locked at this desk" in attempt("head", "a good password", desk="front desk")
    # someone at the front desk cannot lock the curator out of the office
    assert attempt("head", "a good password", desk="office") == "signed in"
    for desk in ("desk-a", "desk-b", "desk-c"):  # guessing from three desks: every desk is locked
        for _ in range(staff.LOCK_AFTER):
            said = attempt("head", "guess", desk=desk)
    assert "locked at every desk" in said
    assert "locked at every desk" in attempt("head", "a good password", desk="office")
    deputy = staff.add_staff(None, "deputy", "Deputy Curator", "a good password", ["curator"], NOW)
    locked = {line.username: line.locked_until for line in staff.list_staff(deputy, NOW)}
    assert locked["head"] is not None and locked["clerk"] is None
    staff.unlock(deputy, "head", NOW)
    assert not SignInGuard.select().where(SignInGuard.username == "head").exists()
    assert attempt("head", "a good password", desk="front desk") == "signed in"
    unlocked = AuditEvent.select().where(AuditEvent.action == "staff.unlock").get()
    assert "front desk" in unlocked.old and "every desk" in unlocked.old


def test_an_unknown_name_is_answered_like_a_wrong_password(lib, no_naps, checked):
    known = [attempt("clerk", "guess") for _ in range(6)]
    naps_known = list(no_naps)
    no_naps.clear()
    unknown = [attempt("nobody", "guess") for _ in range(6)]
    assert unknown == known  # the same sentences, the fifth's lock and the sixth's too
    assert no_naps == naps_known  # the same waits
    assert known[0] == "Wrong username or password." and "locked" in known[4] and "locked" in known[5]
    # the same work: a hash with today's parameters was checked for both, as often
    assert len(checked) == 2 * staff.LOCK_AFTER
    params = {tuple(stored.split("$")[:4]) for stored in checked}
    assert params == {("scrypt", str(staff._N), str(staff._R), str(staff._P))}
    # no audit event keeps a typed name that is no account (it may be a password)
    assert not AuditEvent.select().where(AuditEvent.new.contains("nobody")).exists()


def test_a_disabled_account_is_counted_like_a_wrong_password(lib, no_naps):
    head = staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator"], NOW)
    staff.set_active(head, "clerk", False, NOW)
    assert attempt("clerk", RIGHT) == "Wrong username or password."
    assert attempt("nobody", RIGHT) == "Wrong username or password."


def test_a_hash_is_made_again_at_sign_in_when_the_parameters_rise(lib, monkeypatch):
    before = Staff.get_by_id(lib.clerk.id).password_hash
    assert before.startswith("scrypt$16384$8$1$") and not staff.needs_rehash(before)
    assert attempt("clerk", RIGHT) == "signed in"
    assert Staff.get_by_id(lib.clerk.id).password_hash == before  # nothing to do
    monkeypatch.setattr(staff, "_N", 2**15)  # the library raises the cost
    assert staff.needs_rehash(before)
    assert attempt("clerk", "wrong password") == "Wrong username or password."
    assert Staff.get_by_id(lib.clerk.id).password_hash == before  # a wrong password upgrades nothing
    assert attempt("clerk", RIGHT) == "signed in"
    after = Staff.get_by_id(lib.clerk.id).password_hash
    assert after.startswith("scrypt$32768$8$1$") and after != before and not staff.needs_rehash(after)
    assert attempt("clerk", RIGHT) == "signed in"  # the new hash checks
    event = AuditEvent.get(AuditEvent.action == "staff.password_rehashed")
    assert "32768" in event.new and "$" not in event.new  # the parameters, never the hash
