"""Reading the audit trail: the curator's view of who did what, newest first.

Events are paged by id (keyset), never by OFFSET: the thousandth page costs what the
first does, however many millions of events the library has written. Dates are the
library's local days. Reading changes nothing and is not itself audited.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from peewee import JOIN

from counter_tui.models import AuditEvent, Staff
from counter_tui.services import access, library_settings
from counter_tui.services.errors import Refusal

MAX_PAGE = 1000


@dataclass(frozen=True)
class EventLine:
    id: int
    at: datetime  # local time in the library's zone, naive
    staff_username: str  # "" when the event came from a command run by no one signed in
    staff_name: str
    desk: str
    action: str
    record_type: str
    record_id: int | None
    old: str | None  # JSON, as stored
    new: str | None

    @property
    def record(self) -> str:
        return f"{self.record_type} {self.record_id}" if self.record_id is not None else self.record_type

    @property
    def summary(self) -> str:
        """The new values on one line, for a table cell."""
        values = _loads(self.new)
        if isinstance(values, dict):
            return ", ".join(f"{key}={value}" for key, value in values.items())
        return "" if values is None else str(values)


def _loads(text: str | None):
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text  # an event is shown as it was written, even if it is not JSON


def pretty(text: str | None) -> str:
    """Stored JSON, indented for reading; "(none)" when there is nothing."""
    values = _loads(text)
    if values is None:
        return "(none)"
    if isinstance(values, str):
        return values
    return json.dumps(values, indent=2, ensure_ascii=False, sort_keys=True)


def start_of_local_day_utc(day: date) -> datetime:
    """Naive UTC of local midnight: the first moment of that library day."""
    local = datetime.combine(day, time(0), tzinfo=library_settings.settings().timezone)
    return local.astimezone(UTC).replace(tzinfo=None)


def _local(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC).astimezone(library_settings.settings().timezone).replace(tzinfo=None)


def events(actor: Staff | None, staff_username: str | None = None, since: date | None = None,
           until: date | None = None, record_type: str | None = None, record_id: int | None = None,
           action: str | None = None, before_id: int | None = None, limit: int = 100) -> list[EventLine]:
    """Up to `limit` events older than `before_id` (all when None), newest first.

    `since` and `until` are local days, both included; the other filters match exactly.
    Pass the last line's id as `before_id` for the next, older page.
    """
    access.require(actor, "read the audit trail", access.CURATOR)
    if not 1 <= limit <= MAX_PAGE:
        raise Refusal(f"A page holds from 1 to {MAX_PAGE} events.")
    if since and until and since > until:
        raise Refusal(f"The from date {since.isoformat()} is after the to date {until.isoformat()}.")
    query = (AuditEvent.select(AuditEvent, Staff.id, Staff.username, Staff.full_name)
             .join(Staff, JOIN.LEFT_OUTER).order_by(AuditEvent.id.desc()).limit(limit))
    if staff_username and staff_username.strip():
        member = Staff.get_or_none(Staff.username == staff_username.strip())
        if member is None:
            raise Refusal(f"There is no staff account named {staff_username.strip()}.")
        query = query.where(AuditEvent.staff == member.id)
    if since:
        query = query.where(AuditEvent.at >= start_of_local_day_utc(since))
    if until:
        query = query.where(AuditEvent.at < start_of_local_day_utc(until + timedelta(days=1)))
    if record_type and record_type.strip():
        query = query.where(AuditEvent.record_type == record_type.strip())
    if record_id is not None:
        query = query.where(AuditEvent.record_id == record_id)
    if action and action.strip():
        query = query.where(AuditEvent.action == action.strip())
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return [EventLine(id=e.id, at=_local(e.at), staff_username=e.staff.username if e.staff_id else "",
                      staff_name=e.staff.full_name if e.staff_id else "", desk=e.desk or "",
                      action=e.action, record_type=e.record_type, record_id=e.record_id,
                      old=e.old, new=e.new)
            for e in query]
