"""The large library's parallel build: jobs in helper processes, their rows handed over in scratch SQLite files.

Where the time goes at the large scale, and what is done about it:
- Updating 25 secondary indexes row by row would cost more than the inserts; they are
  dropped for the load and built again before the commit, inside the same transaction.
  On SQLite the load also runs with a large page cache, foreign keys checked once by
  the tests rather than per row, and a rollback journal instead of the WAL (bulk_load.py).
- Building those indexes (~12 s) is single-threaded database work; so is the commit.
  The machine's second core gets the pure Python: the copies (each barcode from the
  domain's `library_barcode` costs ~11 us, a million of them) and the two years of
  past loans are made by helper processes that hand their rows over in scratch SQLite
  files, copied in with INSERT ... SELECT (see `Helpers`). Small builds, and builds
  on PostgreSQL, run the same jobs in this process.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import peewee

from counter_tui import db
from counter_tui.demo.bulk_load import Rows, quoted
from counter_tui.demo.catalogue import copy_barcodes, write_copies
from counter_tui.demo.loans import write_past_loans
from counter_tui.services.files import write_atomically

# A job is a pure function of a picklable argument, writing rows to a Sink. Some jobs
# have early work that needs only a small first argument (the copies' barcodes need only
# their number), so a helper can start on it before the builder has planned the rest.
# On a small build (or on PostgreSQL) a job runs here when its result is first asked for,
# and writes straight into the library's tables. On a big SQLite build it runs in a
# helper process that writes its rows into a scratch SQLite file; the builder copies them
# across with one INSERT ... SELECT, a fraction of the cost of binding them from Python.

JOBS: dict[str, Callable] = {"copies": write_copies, "past_loans": write_past_loans}  # (argument, sink, early)
EARLY: dict[str, Callable] = {"copies": copy_barcodes}  # name -> function(early argument)
_HELPER_PATIENCE = 900  # seconds a helper waits for its argument before giving up


class Sink:
    """Where a job's rows go: the library's own tables, or a scratch SQLite file."""

    def __init__(self, cursor, scratch: bool):
        self.cursor, self.scratch = cursor, scratch

    def rows(self, table: str, columns: Sequence[str]) -> Rows:
        if self.scratch:  # untyped columns: the library's table gives the types on the copy
            self.cursor.execute(f'CREATE TABLE "{table}" ({quoted(columns)})')
            return Rows(self.cursor, table, columns, "?")
        return Rows(self.cursor, table, columns, db.database.param)


def helper_main(job: str, folder: str, niceness: str) -> None:
    """Entry point of a helper process: files early.in, in, out and rows.sqlite in `folder`."""
    import sqlite3
    import time as timing  # (the module's `time` is datetime.time)
    parent = os.getppid()
    try:  # the builder, which writes the library, is the critical path: it goes first
        os.nice(int(niceness))
    except OSError:
        pass
    place = Path(folder)
    early = None
    if job in EARLY:
        with open(place / "early.in", "rb") as fh:
            early = EARLY[job](pickle.load(fh))
    deadline = timing.monotonic() + _HELPER_PATIENCE
    while not (place / "in").exists():
        if timing.monotonic() > deadline or os.getppid() != parent:
            raise SystemExit("the builder never sent the job")
        timing.sleep(0.02)
    with open(place / "in", "rb") as fh:
        argument = pickle.load(fh)
    conn = sqlite3.connect(place / "rows.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    result = JOBS[job](argument, Sink(conn.cursor(), scratch=True), early)
    conn.execute("COMMIT")
    conn.close()
    with open(place / "out", "wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)


def _dump(value, path: Path) -> None:
    """Pickle to `path` so that a reader never sees half a file."""
    def pickled(scratch: Path) -> None:
        with open(scratch, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    write_atomically(path, pickled, unwritten="the demo library was not made")


class Job:
    """A job started early; `provide` gives it its argument, `result` waits for it."""

    def __init__(self, helpers: "Helpers", name: str, early, proc=None, folder: Path | None = None):
        self.helpers, self.name, self.early = helpers, name, early
        self.proc, self.folder = proc, folder
        self.argument = None
        self._done, self._result = False, None

    def provide(self, argument) -> "Job":
        self.argument = argument
        if self.proc is not None:
            _dump(argument, self.folder / "in")
        return self

    def result(self):
        """The job's result, once its rows are in the library's tables."""
        if not self._done:
            self._result, self._done = self._finish(), True
        return self._result

    def _finish(self):
        if self.proc is not None and self.proc.wait() == 0:
            try:
                with open(self.folder / "out", "rb") as fh:
                    result = pickle.load(fh)
                self.helpers.copy_in(self.folder / "rows.sqlite")
                return result
            except (OSError, pickle.UnpicklingError, EOFError):
                pass
        # no helper, or it failed: do the work here, straight into the library's tables
        early = EARLY[self.name](self.early) if self.name in EARLY else None
        return JOBS[self.name](self.argument, Sink(self.helpers.cursor, scratch=False), early)


class Helpers:
    """Runs jobs in helper processes (big SQLite builds) or here (everything else).

    A helper is a plain `python -c` child of this interpreter that talks through files:
    no multiprocessing, whose spawn re-runs the caller's main script and whose fork is
    unsafe under an app's threads. Should a helper fail, its job is done here instead.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.cursor = None  # the builder's, set when it starts
        self.procs: list[subprocess.Popen] = []
        self.attached: list[str] = []

    def __enter__(self) -> "Helpers":
        if self.enabled:
            self.folder = tempfile.TemporaryDirectory(prefix="counter-tui-demo-")
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        if self.enabled:
            self.folder.cleanup()
        return False

    def start(self, name: str, early=None, niceness: int = 5) -> Job:
        """Start a job's helper now; give it its argument later with `provide`."""
        if not self.enabled:
            return Job(self, name, early)
        folder = Path(self.folder.name) / str(len(self.procs))
        folder.mkdir()
        if name in EARLY:
            _dump(early, folder / "early.in")
        code = "import sys; from counter_tui.demo.parallel_build import helper_main; helper_main(*sys.argv[1:])"
        try:
            proc = subprocess.Popen([sys.executable, "-c", code, name, str(folder), str(niceness)],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        except OSError:
            return Job(self, name, early)
        self.procs.append(proc)
        return Job(self, name, early, proc, folder)

    def copy_in(self, scratch: Path) -> None:
        """Copy every table of a scratch file into the library's table of the same name."""
        alias = f"demo_scratch_{len(self.attached)}"
        self.cursor.execute(f"ATTACH DATABASE ? AS {alias}", (str(scratch),))
        self.attached.append(alias)  # (SQLite detaches only after the commit)
        tables = [row[0] for row in self.cursor.execute(f"SELECT name FROM {alias}.sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = ", ".join(f'"{row[1]}"' for row in self.cursor.execute(f'PRAGMA {alias}.table_info("{table}")'))
            self.cursor.execute(f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM {alias}."{table}"')

    def detach(self) -> None:
        for alias in self.attached:
            try:
                db.database.execute_sql(f"DETACH DATABASE {alias}")
            except peewee.DatabaseError:
                pass
        self.attached.clear()

