"""Backing up a live library and restoring it."""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import peewee
from peewee import fn

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.models import AuditEvent, Staff
from counter_tui.services import access, audit, files
from counter_tui.services.admin import desks
from counter_tui.services.errors import Refusal


def backup(actor: Staff | None, path: Path, force: bool = False) -> Path:
    """Write a consistent copy of the library to `path` while desks keep working (the curator's work:
    a backup holds every reader and every password hash, so the file is private: services/files.py).

    A file already at `path` is written over only with `force`; a database (an earlier backup among
    them), a device, a FIFO or a folder never. A backup that fails (a full disk) leaves no file."""
    access.require(actor, "back up the library", access.CURATOR)
    path = Path(path)
    files.check_target(path, force=force, unwritten="nothing was backed up")
    files.make_folder(path.parent)

    def copy(scratch: Path) -> None:
        try:
            db.backup_to(scratch)
        except (RuntimeError, sqlite3.Error) as exc:
            raise Refusal(f"The backup to {path} failed ({exc}); nothing was backed up.") from None

    files.write_atomically(path, copy, force=force, unwritten="nothing was backed up")
    db.write(lambda: audit.record(actor, "library.backup", "library", None, utc_now(), new={"file": str(path)}))
    return path


@dataclass(frozen=True)
class Restored:
    safety_copy: Path  # the library as it was just before, kept in the library's backups folder
    desks: tuple[desks.OpenDesk, ...]  # open when it was restored (--force), whose screens are out of date
    undone: tuple[str, ...]  # what the library had done since the backup, as the audit trail counts it


def restore(actor: Staff | None, path: Path, force: bool = False, now: datetime | None = None) -> Restored:
    """Replace the library with a backup, in one step, after checking everything that can be checked
    before: a file that is not a sound backup of this program's whole schema, or that breaks the
    library's invariants, changes nothing. Refused while desks are open on the library (they would
    go on showing loans that no longer exist) unless `force`, saying which desks and what would be
    undone. The library as it was is first copied to the library's backups folder (`safety_copy`).

    The curator of the library being replaced does it; the restored library's audit trail names
    them by username, and by their account there when it has one of that name."""
    access.require(actor, "restore the library from a backup", access.CURATOR)
    path = Path(path).expanduser()
    if not os.path.lexists(path):
        raise Refusal(f"There is no backup file at {path}; nothing was restored.")
    files.readable_file(path)
    try:
        version = db.backup_version(path)
    except (db.SchemaError, RuntimeError) as exc:
        raise Refusal(str(exc)) from None
    if version != db.SCHEMA_VERSION:
        raise Refusal(f"The backup has schema version {version}, this program {db.SCHEMA_VERSION}: "
                      "restore it with the program that made it, then run `counter-tui migrate`.")
    newest, last_event = _examine(path)
    undone = _done_since(last_event)
    open_now = tuple(desks.open_desks())
    if open_now and not force:
        raise Refusal(_desks_would_lose(open_now, undone, newest))
    safety = _safety_copy(now or utc_now())
    try:
        db.restore_from(path)
    except RuntimeError as exc:
        raise Refusal(f"{exc}; the library was not changed (the copy taken before is {safety}).") from None
    here = Staff.get_or_none(Staff.username == actor.username)  # the restored library's ids are the backup's
    db.write(lambda: audit.record(here, "library.restore", "library", None, now or utc_now(),
                                  new={"file": str(path), "by": actor.username, "safety_copy": str(safety),
                                       "open_desks": [d.desk for d in open_now], "undone": list(undone)}))
    return Restored(safety, open_now, undone)


def _examine(path: Path) -> tuple[datetime | None, int]:
    """Check the backup's whole schema (every table and column, from its own catalog) and its invariants
    (services/admin/check.py) with the same code that checks the library; the time and number of its
    newest audit event. A Refusal names everything wrong, and nothing was changed."""
    from counter_tui.services.admin import check, schema
    try:
        with db.examined(path):
            missing = schema.missing_parts()
            if missing:
                raise Refusal(f"{path} is not a whole backup of this program's library ({_listed(missing)}); "
                              "nothing was restored.")
            broken = [r for r in check.run_checks(names=check.INVARIANTS) if not r.ok]
            if broken:
                said = "; ".join(f"{r.name}: {', '.join(r.problems[:3])}" + (" ..." if r.count > 3 else "")
                                 for r in broken)
                raise Refusal(f"{path} breaks the library's rules ({said}); nothing was restored.")
            newest, last_event = AuditEvent.select(fn.MAX(AuditEvent.at), fn.MAX(AuditEvent.id)).tuples().get()
    except RuntimeError as exc:  # PostgreSQL: the scratch database, pg_restore
        raise Refusal(f"{path} cannot be checked before it is restored: {exc}; nothing was restored.") from None
    except peewee.DatabaseError as exc:
        raise Refusal(f"{path} cannot be read as a backup ({db.first_line(exc)}); nothing was restored.") from None
    return db.as_datetime(newest), last_event or 0


def _listed(items: list[str], shown: int = 5) -> str:
    return ", ".join(items[:shown]) + (f" and {len(items) - shown} more" if len(items) > shown else "")


def _done_since(last_event: int) -> tuple[str, ...]:
    """What the library's audit trail records after the backup's newest event, counted by kind (the
    trail is numbered in order, and the library's runs on from its backup's)."""
    query = (AuditEvent.select(AuditEvent.action, fn.COUNT(AuditEvent.id)).where(AuditEvent.id > last_event)
             .group_by(AuditEvent.action))
    return tuple(f"{n} {action}" for action, n in sorted(query.tuples(), key=lambda row: (-row[1], row[0])))


def _desks_would_lose(open_now: tuple[desks.OpenDesk, ...], undone: tuple[str, ...], newest: datetime | None) -> str:
    when = f" (its newest event is of {newest:%Y-%m-%d %H:%M} UTC)" if newest else ""
    lost = (f"everything recorded since the backup was taken{when} would be undone: {_listed(list(undone), 8)}"
            if undone else "nothing recorded since the backup was taken would be undone")
    return (f"{len(open_now)} desk{'s are' if len(open_now) > 1 else ' is'} open on this library: "
            f"{'; '.join(d.said() for d in open_now)}. Restoring now, {lost}, and those desks would go on "
            "showing loans, returns and readers that are no longer there. Close them (Ctrl+Q) and restore "
            "again, or restore with --force. Nothing was restored.")


def _safety_copy(now: datetime) -> Path:
    """The library as it is, in the library's backups folder, before anything replaces it."""
    kind = ".db" if db.is_sqlite() else ".pgdump"
    path = files.fresh_path(files.library_folder("backups"), f"before-restore-{now:%Y-%m-%d-%H%M%S}", kind)

    def copy(scratch: Path) -> None:
        try:
            db.backup_to(scratch)
        except (RuntimeError, sqlite3.Error) as exc:
            raise Refusal(f"The copy of the library before the restore failed ({exc}); nothing was restored.") from None

    files.write_atomically(path, copy, unwritten="nothing was restored")
    return path
