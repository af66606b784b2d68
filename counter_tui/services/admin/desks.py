"""The desks open on the library, so that `restore` can refuse while they are (saying what they
would lose) and `check` can tell a -wal file deleted or replaced under them.

**SQLite.** Each desk keeps a file of its own in the folder beside the database
(`library.db-desks/HOST-PID.desk`): its desk name, the person signed in, when it opened, and the
identity (device and inode) of the database's `-wal` file it has open. It holds an exclusive lock
(flock) on that file for as long as it runs, and removes it when it closes. A file whose lock can
be taken belongs to a desk that is gone (killed, crashed): it is ignored and removed. The folder
takes the database's own access (a database its group may write gives a folder its group may write).

**PostgreSQL.** Each desk's connections carry an `application_name` (`counter-tui desk PID@HOST
DESK`), and `pg_stat_activity` lists them; a desk that is gone has no connection left.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from counter_tui import db

SUFFIX = "-desks"
APPLICATION = "counter-tui desk"


@dataclass(frozen=True)
class OpenDesk:
    desk: str
    host: str
    pid: int
    staff: str  # the username signed in ("" before anyone has; unknown on PostgreSQL)
    since: datetime | None  # when it opened (UTC)
    wal: tuple[int, int] | None = None  # (device, inode) of the -wal file it opened (SQLite)

    def said(self) -> str:
        who = f", {self.staff}" if self.staff else ""
        when = f", open since {self.since.astimezone():%Y-%m-%d %H:%M}" if self.since else ""
        return f"{self.desk} (process {self.pid} on {self.host}{who}{when})"


def application_name(desk: str) -> str:
    """What a desk's PostgreSQL connections call themselves (at most 63 bytes, PostgreSQL's limit)."""
    return f"{APPLICATION} {os.getpid()}@{socket.gethostname()} {desk}".encode()[:63].decode("utf-8", "ignore")


def _database_file() -> Path | None:
    if not db.is_sqlite():
        return None
    return Path(db.database.obj.database)


def _folder(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


def wal_identity(database: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(f"{database}-wal")
    except OSError:
        return None
    return st.st_dev, st.st_ino


# ---- this desk ---------------------------------------------------------------------------------------

class Presence:
    """This desk's file in the desks folder, locked while the desk runs (SQLite); nothing on PostgreSQL,
    where the connections' application_name says it."""

    def __init__(self, desk: str, staff: str = "") -> None:
        self.desk, self.staff = desk, staff
        self.since = datetime.now(timezone.utc)
        self.database = _database_file()
        self.path: Path | None = None
        self.wal: tuple[int, int] | None = None
        self._fd: int | None = None
        if self.database is not None:
            self._open()

    def _open(self) -> None:
        assert self.database is not None
        db.database.execute_sql("SELECT 1")  # a connection is open: the -wal exists, and stays while we run
        self.wal = wal_identity(self.database)
        folder = _folder(self.database)
        try:
            _make_folder_like(folder, self.database)
            name = f"{socket.gethostname()}-{os.getpid()}.desk"
            scratch = folder / f".{name}.part"
            fd = os.open(scratch, os.O_RDWR | os.O_CREAT | os.O_TRUNC, _file_mode(self.database))
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # locked before anyone can see it
            self._fd = fd
            self._write()
            os.replace(scratch, folder / name)
            self.path = folder / name
        except OSError:  # a folder this user may not write: the desk works, unseen by restore and check
            self.close()

    def _write(self) -> None:
        if self._fd is None:
            return
        data = json.dumps({"desk": self.desk, "host": socket.gethostname(), "pid": os.getpid(), "staff": self.staff,
                           "since": self.since.isoformat(), "wal": list(self.wal) if self.wal else None})
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data.encode("utf-8"), 0)

    def signed_in(self, username: str) -> None:
        self.staff = username
        try:
            self._write()
        except OSError:
            pass

    def wal_lost(self) -> str:
        """A sentence when the -wal file this desk opened is no longer the one beside the database
        (deleted, or replaced by another): what it writes from now on may be lost."""
        if self.database is None or self.wal is None:
            return ""
        if wal_identity(self.database) == self.wal:
            return ""
        return (f"The library's {self.database.name}-wal file has been deleted or replaced while this desk had it "
                "open: what is lent or returned here may be lost. Stop every desk now (Ctrl+Q) and run "
                "`counter-tui check`; never delete the -wal or -shm files of a library in use.")

    def close(self) -> None:
        if self.path is not None:
            try:
                os.remove(self.path)
            except OSError:
                pass
            self.path = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


_here: Presence | None = None


def arrive(desk: str, staff: str = "") -> Presence:
    """This process is a desk from now on, until `leave()`."""
    global _here
    leave()
    _here = Presence(desk, staff)
    return _here


def leave() -> None:
    global _here
    if _here is not None:
        _here.close()
        _here = None


def signed_in(username: str) -> None:
    if _here is not None:
        _here.signed_in(username)


def wal_lost_here() -> str:
    return _here.wal_lost() if _here is not None else ""


# ---- the others ----------------------------------------------------------------------------------------

def open_desks(database: Path | None = None) -> list[OpenDesk]:
    """Every desk open on the library (the SQLite file `database`, else the one connected) but this process."""
    database = database or _database_file()
    if database is None:
        return _postgresql_desks()
    folder = _folder(database)
    found = []
    try:
        entries = sorted(folder.glob("*.desk"))
    except OSError:
        return []
    for path in entries:
        desk = _live(path)
        if desk is not None and not (desk.pid == os.getpid() and desk.host == socket.gethostname()):
            found.append(desk)
    return found


def _live(path: Path) -> OpenDesk | None:
    """The desk of a file whose lock is held; a file no one holds is a desk that is gone, and goes."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # its desk holds it: alive
            return _read(path)
        except OSError:
            return None
        try:
            os.remove(path)  # stale: its desk was killed or crashed
        except OSError:
            pass
        return None
    finally:
        os.close(fd)


def _read(path: Path) -> OpenDesk | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return OpenDesk(desk=str(data.get("desk", "")), host=str(data.get("host", "")), pid=int(data.get("pid", 0)),
                        staff=str(data.get("staff") or ""),
                        since=datetime.fromisoformat(data["since"]) if data.get("since") else None,
                        wal=tuple(data["wal"]) if data.get("wal") else None)
    except (OSError, ValueError, TypeError, KeyError):
        name = path.stem
        host, _, pid = name.rpartition("-")
        return OpenDesk(desk=name, host=host, pid=int(pid) if pid.isdigit() else 0, staff="", since=None)


def _postgresql_desks() -> list[OpenDesk]:
    rows = db.database.execute_sql(
        "SELECT application_name, MIN(backend_start) FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name LIKE %s AND pid <> pg_backend_pid() GROUP BY application_name ORDER BY 2",
        (APPLICATION + " %",)).fetchall()
    found = []
    for name, since in rows:
        process, _, desk = name.removeprefix(APPLICATION + " ").partition(" ")
        pid, _, host = process.partition("@")
        if pid.isdigit() and int(pid) == os.getpid() and host == socket.gethostname():
            continue
        found.append(OpenDesk(desk=desk or process, host=host, pid=int(pid) if pid.isdigit() else 0, staff="",
                              since=since))
    return found


# ---- what check can tell about the -wal file ---------------------------------------------------------------

def wal_problems(database: Path | None = None) -> list[str]:
    """The -wal file deleted or replaced under a desk that is open, and an -shm file without its -wal
    while desks are open (SQLite): each as a sentence. Empty when all is well, and on PostgreSQL.

    `database` names the SQLite file without opening it: opened, SQLite would make a new -wal beside
    the old -shm and answer "disk I/O error"."""
    database = database or _database_file()
    if database is None:
        return []
    problems = []
    desks = open_desks(database)
    current = wal_identity(database)
    for desk in desks:
        if desk.wal is not None and desk.wal != current:
            problems.append(f"the {database.name}-wal file that desk {desk.said()} opened has been deleted or "
                            "replaced: what it lent or returned since may be lost when it closes; stop every desk, "
                            "and restore the last backup if loans are missing")
    if desks and current is None and os.path.exists(f"{database}-shm") and not problems:
        problems.append(f"{database.name}-shm is there without {database.name}-wal while {len(desks)} "
                        f"desk{'s are' if len(desks) > 1 else ' is'} open: the -wal file was deleted, and what they "
                        "wrote in it may be lost; stop every desk")
    return problems


def _file_mode(database: Path) -> int:
    """Desk files: the owner's, and the group's too when the database is its group's to write."""
    try:
        shared = os.stat(database).st_mode & stat.S_IWGRP
    except OSError:
        shared = 0
    return 0o660 if shared else 0o600


def _make_folder_like(folder: Path, database: Path) -> None:
    try:
        st = os.stat(database)
    except OSError:
        return
    shared = st.st_mode & stat.S_IWGRP
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        return
    if shared:
        os.chown(folder, -1, st.st_gid)
        os.chmod(folder, 0o2770)
    else:
        os.chmod(folder, 0o700)
