"""The audit trail: every write appends one event. Nothing updates or deletes events."""
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
