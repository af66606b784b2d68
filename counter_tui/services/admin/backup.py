"""Backing up a live library and restoring it."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.models import Staff
from counter_tui.services import access, audit, files
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


def restore(actor: Staff | None, path: Path) -> None:
    """Replace the library with a backup. A file that is not a sound backup changes nothing.

    The curator of the library being replaced does it; the restored library's audit trail names
    them by username, and by their account there when it has one of that name."""
    access.require(actor, "restore the library from a backup", access.CURATOR)
    path = Path(path)
    try:
        version = db.backup_version(path)
    except (db.SchemaError, RuntimeError) as exc:
        raise Refusal(str(exc)) from None
    if version != db.SCHEMA_VERSION:
        raise Refusal(f"The backup has schema version {version}, this program {db.SCHEMA_VERSION}: "
                      "restore it with the program that made it, then run `counter-tui migrate`.")
    try:
        db.restore_from(path)
    except RuntimeError as exc:
        raise Refusal(str(exc)) from None
    here = Staff.get_or_none(Staff.username == actor.username)  # the restored library's ids are the backup's
    db.write(lambda: audit.record(here, "library.restore", "library", None, utc_now(),
                                  new={"file": str(path), "by": actor.username}))
