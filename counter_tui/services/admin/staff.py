"""Staff accounts: creating them and signing in."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.models import Staff
from counter_tui.services import access, audit
from counter_tui.services.access import ROLES
from counter_tui.services.errors import Refusal

# scrypt is memory-hard (16 MiB per hash with these figures): slow to brute-force on GPUs.
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "scrypt${}${}${}${}${}".format(_N, _R, _P, base64.b64encode(salt).decode(),
                                          base64.b64encode(digest).decode())


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                         p=int(p), dklen=32)
    return hmac.compare_digest(got, base64.b64decode(digest))


def _check_new_account(username: str, password: str, roles: list[str]) -> str:
    username = username.strip()
    if not username or not username.isprintable() or " " in username or len(username) > 40:
        raise Refusal("A username is one word with no spaces, at most 40 characters.", field="username")
    _check_password_rules(password)
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise Refusal(f"Unknown role {unknown[0]!r}; the roles are {', '.join(ROLES)}.", field="roles")
    if not roles:
        raise Refusal("Give the account at least one role.", field="roles")
    return username


def _check_password_rules(password: str) -> None:
    if len(password) < 8:
        raise Refusal("A password needs at least 8 characters.", field="password")


def add_staff(actor: Staff | None, username: str, full_name: str, password: str,
              roles: list[str], now: datetime | None = None) -> Staff:
    """Create a staff account (the curator's job).

    `actor` is None only from the command line of the server, run by whoever looks after
    it (the first account of a new library is made that way).
    """
    now = now or utc_now()
    if actor is not None:
        access.require(actor, "manage staff accounts", access.CURATOR)
    username = _check_new_account(username, password, roles)
    password_hash = hash_password(password)  # slow: outside the write lock

    def work() -> Staff:
        if Staff.select().where(Staff.username == username).exists():
            raise Refusal(f"There is already a staff account named {username}.", field="username")
        member = Staff.create(username=username, full_name=full_name.strip() or username,
                              password_hash=password_hash, roles=",".join(roles), created_at=now)
        audit.record(actor or member, "staff.add", "staff", member.id, now,
                     new={"username": username, "roles": roles})
        return member

    return db.write(work)


@dataclass(frozen=True)
class StaffLine:
    id: int
    username: str
    full_name: str
    roles: tuple[str, ...]
    active: bool
    locked_until: datetime | None


def list_staff(actor: Staff) -> list[StaffLine]:
    access.require(actor, "manage staff accounts", access.CURATOR)
    return [StaffLine(id=m.id, username=m.username, full_name=m.full_name,
                      roles=tuple(r for r in m.roles.split(",") if r), active=m.active,
                      locked_until=m.locked_until)
            for m in Staff.select().order_by(Staff.username)]


def _change(actor: Staff, username: str, action: str, now: datetime | None, **fields) -> Staff:
    """Change one account's fields, as the curator, with the old and new values audited."""
    now = now or utc_now()
    access.require(actor, "manage staff accounts", access.CURATOR)

    def work() -> Staff:
        member = Staff.get_or_none(Staff.username == username)
        if member is None:
            raise Refusal(f"There is no staff account named {username}.")
        if member.id == actor.id and fields.get("active") is False:
            raise Refusal("You cannot disable your own account while signed in with it.")
        old = {k: getattr(member, k) for k in fields if k != "password_hash"}
        Staff.update(**fields).where(Staff.id == member.id).execute()
        new = {k: v for k, v in fields.items() if k != "password_hash"}
        audit.record(actor, action, "staff", member.id, now, old=old, new=new or {"password": "changed"})
        return Staff.get_by_id(member.id)

    return db.write(work)


def set_active(actor: Staff, username: str, active: bool, now: datetime | None = None) -> Staff:
    return _change(actor, username, "staff.enable" if active else "staff.disable", now, active=active)


def set_roles(actor: Staff, username: str, roles: list[str], now: datetime | None = None) -> Staff:
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise Refusal(f"Give one or more of the roles {', '.join(ROLES)}.", field="roles")
    return _change(actor, username, "staff.roles", now, roles=",".join(roles))


def set_password(actor: Staff, username: str, password: str, now: datetime | None = None) -> Staff:
    """The curator gives an account a new password (and so unlocks it)."""
    _check_password_rules(password)
    return _change(actor, username, "staff.password", now, password_hash=hash_password(password),
                   failed_logins=0, locked_until=None)


def unlock(actor: Staff, username: str, now: datetime | None = None) -> Staff:
    return _change(actor, username, "staff.unlock", now, failed_logins=0, locked_until=None)


# Failed sign-ins: from the third on, each answer waits longer; the fifth locks the
# account for a quarter of an hour (the curator can unlock it sooner).
SLOW_AFTER = 3
LOCK_AFTER = 5
LOCK_MINUTES = 15


def sign_in(username: str, password: str, now: datetime | None = None) -> Staff:
    """The staff member with this username and password, or a refusal that names no detail."""
    now = now or utc_now()
    member = Staff.get_or_none(Staff.username == username.strip())
    if member is not None and member.locked_until and member.locked_until > now:
        raise Refusal(f"This account is locked after {LOCK_AFTER} failed sign-ins until "
                      f"{_local_time(member.locked_until)}; the curator can unlock it sooner.")
    if member is None or not member.active or not check_password(password, member.password_hash):
        if member is not None and member.active:
            failures = _count_failure(member.id, now)
            if failures >= SLOW_AFTER:
                time.sleep(min(0.5 * 2 ** (failures - SLOW_AFTER), 4.0))  # slows guessing down
            if failures >= LOCK_AFTER:
                raise Refusal(f"Wrong password {failures} times: the account is locked for "
                              f"{LOCK_MINUTES} minutes; the curator can unlock it sooner.")
        raise Refusal("Wrong username or password.")
    if member.failed_logins:
        db.write(lambda: Staff.update(failed_logins=0, locked_until=None).where(Staff.id == member.id).execute())
    return member


def _count_failure(staff_id: int, now: datetime) -> int:
    def work() -> int:
        Staff.update(failed_logins=Staff.failed_logins + 1).where(Staff.id == staff_id).execute()
        failures = Staff.get_by_id(staff_id).failed_logins
        if failures >= LOCK_AFTER:
            Staff.update(locked_until=now + timedelta(minutes=LOCK_MINUTES)).where(Staff.id == staff_id).execute()
        audit.record(None, "staff.sign_in_failed", "staff", staff_id, now, new={"failures": failures})
        return failures

    return db.write(work)


def _local_time(utc: datetime) -> str:
    from counter_tui.services import library_settings
    local = utc.replace(tzinfo=timezone.utc).astimezone(library_settings.settings().timezone)
    return local.strftime("%H:%M")


def account_now(staff_id: int) -> Staff | None:
    """The account as the database has it now: a desk asks every few seconds whether its person is
    still active (and still holds the roles it shows)."""
    return Staff.get_or_none(Staff.id == staff_id)


def get_staff(username: str) -> Staff:
    member = Staff.get_or_none(Staff.username == username)
    if member is None:
        raise Refusal(f"There is no staff account named {username}.")
    return member


def os_user_account(os_username: str) -> Staff | None:
    """The active account named like the operating-system user, for desks that trust ssh sign-in."""
    member = Staff.get_or_none(Staff.username == os_username)
    return member if member is not None and member.active else None
