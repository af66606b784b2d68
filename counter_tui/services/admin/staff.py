"""Staff accounts: creating them and signing in."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from peewee import fn

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.domain.text import clean
from counter_tui.models import SignInGuard, Staff
from counter_tui.services import access, audit
from counter_tui.services.access import ROLES
from counter_tui.services.errors import Refusal

# scrypt is memory-hard (16 MiB per hash with these figures): slow to brute-force on GPUs.
# Raise them and every account's hash is made again with the new ones at its next sign-in.
_N, _R, _P = 2**14, 8, 1


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # OpenSSL refuses more than 32 MiB unless told: leave room for raised parameters
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32,
                          maxmem=128 * r * (n + p + 2) + 2**20)


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = _scrypt(password, salt, _N, _R, _P)
    return "scrypt${}${}${}${}${}".format(_N, _R, _P, base64.b64encode(salt).decode(),
                                          base64.b64encode(digest).decode())


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's (or another scheme)."""
    try:
        scheme, n, r, p, _salt, _digest = stored.split("$")
        return scheme != "scrypt" or int(n) < _N or int(r) < _R or int(p) < _P
    except ValueError:
        return True


def _dummy_hash() -> str:
    """A hash no password matches, with today's parameters: an unknown name costs the same check."""
    return "scrypt${}${}${}${}${}".format(_N, _R, _P, base64.b64encode(b"no such account!").decode(),
                                          base64.b64encode(bytes(32)).decode())


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
        member = Staff.create(username=username, full_name=clean(full_name).strip() or username,
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


def list_staff(actor: Staff, now: datetime | None = None) -> list[StaffLine]:
    """Every account; `locked_until` is the end of the latest lock after failed sign-ins, at any desk."""
    access.require(actor, "manage staff accounts", access.CURATOR)
    now = now or utc_now()
    locks = dict(SignInGuard.select(SignInGuard.username, fn.MAX(SignInGuard.locked_until))
                 .where(SignInGuard.locked_until > now).group_by(SignInGuard.username).tuples())
    return [StaffLine(id=m.id, username=m.username, full_name=m.full_name,
                      roles=tuple(r for r in m.roles.split(",") if r), active=m.active,
                      locked_until=db.as_datetime(locks.get(m.username)))
            for m in Staff.select().order_by(Staff.username)]


def _change(actor: Staff, username: str, action: str, now: datetime | None, *, unlock: bool = False,
            **fields) -> Staff:
    """Change one account's fields, as the curator, with the old and new values audited.

    `unlock`: forget its failed sign-ins and lift its locks, at every desk."""
    now = now or utc_now()
    access.require(actor, "manage staff accounts", access.CURATOR)

    def work() -> Staff:
        member = Staff.get_or_none(Staff.username == username)
        if member is None:
            raise Refusal(f"There is no staff account named {username}.")
        if member.id == actor.id and fields.get("active") is False:
            raise Refusal("You cannot disable your own account while signed in with it.")
        old = {k: getattr(member, k) for k in fields if k != "password_hash"}
        new = {k: v for k, v in fields.items() if k != "password_hash"}
        if fields:
            Staff.update(**fields).where(Staff.id == member.id).execute()
        if unlock:
            locked = [desk or "every desk" for (desk,) in SignInGuard.select(SignInGuard.desk).where(
                SignInGuard.username == member.username, SignInGuard.locked_until > now).tuples()]
            SignInGuard.delete().where(SignInGuard.username == member.username).execute()
            old["locked_at"], new["locked_at"] = sorted(locked), []
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
    return _change(actor, username, "staff.password", now, unlock=True, password_hash=hash_password(password))


def unlock(actor: Staff, username: str, now: datetime | None = None) -> Staff:
    """Lift the locks after failed sign-ins on an account, at every desk, and forget the failures."""
    return _change(actor, username, "staff.unlock", now, unlock=True)


def set_language(actor: Staff, language: str, now: datetime | None = None) -> Staff:
    """The language the desk speaks to the person signed in (their own choice, kept with the account)."""
    from counter_tui.i18n import LANGUAGES
    if actor is None or not access.roles_of(actor):
        raise Refusal("Sign in first; the language is kept with your account.")
    if language not in LANGUAGES:
        raise Refusal(f"The desk speaks {' or '.join(LANGUAGES)}, not {language!r}.")
    now = now or utc_now()

    def work() -> Staff:
        member = Staff.get_by_id(actor.id)
        audit.record(actor, "staff.language", "staff", member.id, now, old={"language": member.language},
                     new={"language": language})
        Staff.update(language=language).where(Staff.id == member.id).execute()
        return Staff.get_by_id(member.id)

    return db.write(work)


# Failed sign-ins are counted per name and desk (the desk as the audit trail names it).
# From the third within WINDOW, each answer waits longer; the fifth locks that name at that
# desk for LOCK_MINUTES, so a wrong password typed at one desk cannot lock the curator out
# of the others. Failures older than WINDOW no longer count: a lock ends with its failures,
# and one typo after it locks nothing. ACCOUNT_LOCK_AFTER failures within WINDOW at all desks
# together (three desks' worth: no one desk can reach it) lock the name at every desk.
# The curator can unlock sooner. An unknown name is counted, slowed and locked alike.
SLOW_AFTER = 3
LOCK_AFTER = 5
LOCK_MINUTES = 15
WINDOW = timedelta(minutes=15)
ACCOUNT_LOCK_AFTER = 3 * LOCK_AFTER
EVERY_DESK = ""  # the guard row of a name's lock at every desk
_NAME_KEPT = 64  # characters of a typed name the guard keeps (no account name is longer than 40)


def sign_in(username: str, password: str, now: datetime | None = None, desk: str | None = None) -> Staff:
    """The staff member with this username and password, or a refusal that names no detail.

    The attempt is counted (as pending) under the guard row's lock before the password is
    checked, outside any transaction (scrypt is slow on purpose); the outcome is then counted
    under the lock again. So attempts made at the same moment are checked at most as many as
    a lock allows, and a right password that finishes after the count reached a lock is refused
    and resets nothing. An unknown name checks a dummy hash: the same time, the same sentences.
    """
    from counter_tui.services import library_settings
    now = now or utc_now()
    name = username.strip()[:_NAME_KEPT]
    desk = (desk if desk is not None else library_settings.settings().desk).strip()[:_NAME_KEPT] or "unnamed desk"
    member = Staff.get_or_none(Staff.username == name)
    refused = db.write(lambda: _attempt_begins(name, desk, now))
    if refused:
        raise Refusal(refused)
    stored = member.password_hash if member is not None else _dummy_hash()
    if check_password(password, stored) and member is not None and member.active:
        refused = db.write(lambda: _attempt_succeeded(name, desk, now))
        if refused:
            raise Refusal(refused)
        if needs_rehash(stored):
            _rehash(member, password, stored, now)
        return Staff.get_by_id(member.id)
    failures, sentence = db.write(lambda: _attempt_failed(name, desk, member, now))
    if failures >= SLOW_AFTER:
        time.sleep(min(0.5 * 2 ** (failures - SLOW_AFTER), 4.0))  # slows guessing down
    raise Refusal(sentence)


def sign_in_on_any_schema(username: str, password: str) -> Staff:
    """`sign_in`, also on a database whose schema is not this program's (for `migrate`, and for
    `restore` over a library whose schema is older, newer or has lost its version).

    On the current schema this is `sign_in`. Otherwise the account is read from the staff table,
    which every schema has had since the first, by the columns every schema has had
    (id, username, password_hash, roles, active): the model's later columns (language, schema 7)
    and the lockout's table (sign_in_guard, schema 6) may not be there yet. The password is
    checked as at every sign-in; with nowhere sure to count failures, each one costs a second.
    """
    from counter_tui.services.admin import schema
    if schema.current_version() == db.SCHEMA_VERSION:
        return sign_in(username, password)
    name = username.strip()[:_NAME_KEPT]
    row = db.execute("SELECT id, username, password_hash, roles, active FROM staff WHERE username = ?",
                     name).fetchone()
    if row is not None and check_password(password, row[2]) and row[4]:
        return Staff(id=row[0], username=row[1], password_hash=row[2], roles=row[3] or "", active=True)
    if row is None:
        check_password(password, _dummy_hash())  # the same time as a wrong password
    time.sleep(1.0)
    raise Refusal("Wrong username or password.")


def _guard(name: str, desk: str, now: datetime) -> SignInGuard:
    """The name's guard row at this desk, made if missing and locked for this transaction."""
    SignInGuard.insert(username=name, desk=desk, touched_at=now).on_conflict_ignore().execute()
    return db.locked_for_update(SignInGuard.select().where(SignInGuard.username == name,
                                                           SignInGuard.desk == desk), SignInGuard).get()


def _recent(row: SignInGuard, now: datetime) -> list[datetime]:
    return [t for t in map(datetime.fromisoformat, row.failures.split()) if t > now - WINDOW]


def _locked_here(until: datetime) -> str:
    return (f"This account is locked at this desk after {LOCK_AFTER} failed sign-ins until {_local_time(until)}; "
            f"other desks still take it, and the curator can unlock it sooner.")


def _locked_everywhere(until: datetime) -> str:
    return (f"This account is locked at every desk after failed sign-ins at several desks until "
            f"{_local_time(until)}; the curator can unlock it sooner.")


def _attempt_begins(name: str, desk: str, now: datetime) -> str | None:
    """Count an attempt as under way, or refuse it (a sentence) without checking its password."""
    SignInGuard.delete().where(SignInGuard.touched_at < now - WINDOW,
                               SignInGuard.locked_until.is_null() | (SignInGuard.locked_until <= now)).execute()
    everywhere = SignInGuard.get_or_none(SignInGuard.username == name, SignInGuard.desk == EVERY_DESK)
    if everywhere is not None and everywhere.locked_until and everywhere.locked_until > now:
        return _locked_everywhere(everywhere.locked_until)
    row = _guard(name, desk, now)
    if row.locked_until and row.locked_until > now:
        return _locked_here(row.locked_until)
    if len(_recent(row, now)) + row.pending >= LOCK_AFTER:
        # attempts under way would reach a lock if wrong: this one is refused unchecked, and counts
        if _count_failure(row, now) >= LOCK_AFTER:
            return _locked_here(row.locked_until)
        return "Other sign-ins with this name are being checked at this desk; try again in a moment."
    SignInGuard.update(pending=SignInGuard.pending + 1, touched_at=now).where(SignInGuard.id == row.id).execute()
    return None


def _attempt_succeeded(name: str, desk: str, now: datetime) -> str | None:
    """The password was right: forget this desk's failures, unless a lock came meanwhile (a sentence)."""
    row = _guard(name, desk, now)
    everywhere = SignInGuard.get_or_none(SignInGuard.username == name, SignInGuard.desk == EVERY_DESK)
    if everywhere is not None and everywhere.locked_until and everywhere.locked_until > now:
        refusal = _locked_everywhere(everywhere.locked_until)
    elif row.locked_until and row.locked_until > now:
        refusal = _locked_here(row.locked_until)
    else:
        refusal = None
    pending = max(row.pending - 1, 0)
    if refusal is None and pending == 0:
        SignInGuard.delete().where(SignInGuard.id == row.id).execute()
    elif refusal is None:
        SignInGuard.update(pending=pending, failures="", touched_at=now).where(SignInGuard.id == row.id).execute()
    else:
        SignInGuard.update(pending=pending).where(SignInGuard.id == row.id).execute()
    return refusal


def _attempt_failed(name: str, desk: str, member: Staff | None, now: datetime) -> tuple[int, str]:
    """Count a wrong password (or a disabled or unknown account): (failures at this desk, the sentence)."""
    row = _guard(name, desk, now)
    SignInGuard.update(pending=max(row.pending - 1, 0)).where(SignInGuard.id == row.id).execute()
    failures = _count_failure(row, now)
    if member is not None:  # an unknown name may be a password typed in the wrong field: not kept
        audit.record(None, "staff.sign_in_failed", "staff", member.id, now, new={"failures": failures})
    everywhere = SignInGuard.get_or_none(SignInGuard.username == name, SignInGuard.desk == EVERY_DESK)
    if everywhere is not None and everywhere.locked_until and everywhere.locked_until > now:
        return failures, _locked_everywhere(everywhere.locked_until)
    if failures >= LOCK_AFTER:
        return failures, (f"Wrong username or password {failures} times: this account is locked at this desk "
                          f"for {LOCK_MINUTES} minutes; other desks still take it, and the curator can unlock it sooner.")
    return failures, "Wrong username or password."


def _count_failure(row: SignInGuard, now: datetime) -> int:
    """Add a failure to a locked guard row; lock the name here, or everywhere, when it reaches the limit."""
    recent = (_recent(row, now) + [now])[-LOCK_AFTER:]
    locked_until = row.locked_until
    if len(recent) >= LOCK_AFTER and not (locked_until and locked_until > now):
        locked_until = now + timedelta(minutes=LOCK_MINUTES)
    SignInGuard.update(failures=" ".join(t.isoformat() for t in recent), locked_until=locked_until,
                       touched_at=now).where(SignInGuard.id == row.id).execute()
    row.failures, row.locked_until = " ".join(t.isoformat() for t in recent), locked_until
    everywhere = sum(len(_recent(other, now)) for other in SignInGuard.select().where(
        SignInGuard.username == row.username, SignInGuard.desk != EVERY_DESK))
    if everywhere >= ACCOUNT_LOCK_AFTER:
        until = now + timedelta(minutes=LOCK_MINUTES)
        SignInGuard.insert(username=row.username, desk=EVERY_DESK, touched_at=now).on_conflict_ignore().execute()
        SignInGuard.update(locked_until=until, touched_at=now).where(
            SignInGuard.username == row.username, SignInGuard.desk == EVERY_DESK,
            SignInGuard.locked_until.is_null() | (SignInGuard.locked_until <= now)).execute()
    return len(recent)


def _rehash(member: Staff, password: str, stored: str, now: datetime) -> None:
    """Make the hash again with today's parameters (they were raised since it was made)."""
    fresh = hash_password(password)  # slow: outside the write lock

    def work() -> None:
        changed = Staff.update(password_hash=fresh).where(Staff.id == member.id,
                                                          Staff.password_hash == stored).execute()
        if changed:  # not if the curator set a new password meanwhile
            audit.record(member, "staff.password_rehashed", "staff", member.id, now,
                         new={"hash": f"scrypt n={_N} r={_R} p={_P}"})

    db.write(work)


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
