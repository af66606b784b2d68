"""The audit trail: every write appends one event. Nothing updates or deletes events, but for one
redaction of an event's values (`redact`, for anonymising), which the database lets through once."""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from counter_tui import db
from counter_tui.models import Staff
from counter_tui.services import library_settings


def _json(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, ensure_ascii=False, sort_keys=True,
                      default=lambda v: v.isoformat() if isinstance(v, (date, datetime)) else str(v))


def record(actor: Staff | None, action: str, record_type: str, record_id: int | None, now: datetime,
           old: dict[str, Any] | None = None, new: dict[str, Any] | None = None) -> None:
    """Append an event; call inside the transaction that made the change."""
    db.execute("INSERT INTO audit_event (at, staff_id, action, record_type, record_id, old, new, desk) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", now, actor.id if actor else None, action, record_type,
               record_id, _json(old), _json(new), library_settings.settings().desk)


REDACT = "UPDATE audit_event SET old = ?, new = ?, redacted_at = ? WHERE id = ? AND redacted_at IS NULL"


def redact(event_id: int, old: dict[str, Any] | None, new: dict[str, Any] | None, now: datetime) -> bool:
    """Replace an event's values (old and new), once, marking it redacted; who, when, what and which
    record stay. The one change the database allows (services/admin/schema.protect_audit_trail):
    anonymising takes readers out of old loans' details with it. Inside the transaction; False
    when the event was redacted before."""
    return db.execute(REDACT, _json(old), _json(new), now, event_id).rowcount == 1
