"""Staff accounts: creating them and signing in."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import datetime

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.models import Staff
from counter_tui.services import audit
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


def add_staff(actor: Staff | None, username: str, full_name: str, password: str,
              roles: list[str], now: datetime | None = None) -> Staff:
    """Create a staff account. `actor` is None only when the first account is made."""
    now = now or utc_now()
    username = username.strip()
    if not username or not username.isprintable() or " " in username:
        raise Refusal("A username is one word with no spaces.")
    if len(password) < 8:
        raise Refusal("A password needs at least 8 characters.")
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise Refusal(f"Unknown role {unknown[0]!r}; the roles are {', '.join(ROLES)}.")
    password_hash = hash_password(password)  # slow: outside the write lock

    def work() -> Staff:
        if Staff.select().where(Staff.username == username).exists():
            raise Refusal(f"There is already a staff account named {username}.")
        member = Staff.create(username=username, full_name=full_name.strip() or username,
                              password_hash=password_hash, roles=",".join(roles), created_at=now)
        audit.record(actor or member, "staff.add", "staff", member.id, now,
                     new={"username": username, "roles": roles})
        return member

    return db.write(work)


def sign_in(username: str, password: str, now: datetime | None = None) -> Staff:
    """The staff member with this username and password, or a refusal that names no detail."""
    now = now or utc_now()
    member = Staff.get_or_none(Staff.username == username.strip())
    if member is None or not member.active or not check_password(password, member.password_hash):
        raise Refusal("Wrong username or password.")
    return member


def get_staff(username: str) -> Staff:
    member = Staff.get_or_none(Staff.username == username)
    if member is None:
        raise Refusal(f"There is no staff account named {username}.")
    return member
