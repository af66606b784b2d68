"""Scan-to-screen latency and sustained scanning on the real check-out desk, in a real pty.

What it does, on a copy of a library (the original is never written):

1. Copies `--db` (default: the large library, benchmarks/out/large.db, made when
   missing by benchmarks/make_large_library.py, or by services.demo at its LARGE
   scale while that script does not exist) to `--work-db` with SQLite's backup API,
   migrates the copy if its schema is older, and adds to it a reader category with
   no loan limit, one reader in it, and (unless `--user` is given) a staff account.
2. Times `lending.checkout` in this process on a few copies: the service's share.
3. Starts `counter-tui --db WORK_DB` under a pseudo-terminal, signs in, scans the
   reader's card, then scans `--scans` copies one at a time. Each scan's time is from
   writing `BARCODE\\r` to the arrival of that copy's table row (barcode then title)
   in the terminal output (the barcode alone would match too early: the scan line
   echoes it). With `--per-reader K` the desk is cleared (ctrl+n, next reader) every
   K scans, as at a real counter; without it the table keeps growing, as on a long
   session, and every new row repaints all visible rows. Then three scans that must
   be refused (already lent, unknown barcode, a reference copy), timed to the sentence.
4. Sustained (unless `--sustained 0`): writes `--sustained` barcodes in bursts at `--rate` scans/second, waits
   for the last row, quits the app, and checks in the database that every copy
   scanned was lent exactly once to the reader: none lost, none merged or doubled.
5. The same single-scan timing and burst against benchmarks/bare_echo_app.py (the
   desk's widgets, no database), and the ratio of the two.

Prints tables and a one-line summary; writes benchmarks/out/scan_to_screen.json.
No figure here is asserted: this is a measurement, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from pty_harness import PtyProcess, PtyTimeout, python_env, summarize_ms  # noqa: E402

VENV_BIN = Path(sys.executable).parent
DESK_CMD = [str(VENV_BIN / "counter-tui")]
BARE_CMD = [sys.executable, str(HERE / "bare_echo_app.py")]
DEFAULT_DB = OUT / "large.db"
MAKE_LARGE = HERE / "make_large_library.py"

BENCH_CATEGORY = "bench"
BENCH_READER = "Bench Reader"
BENCH_USER = "bench"
BENCH_PASSWORD = "bench-password"


# -- preparing the library ---------------------------------------------------------------

def ensure_library(path: Path, fallback_copies: int) -> str:
    """Make sure `path` holds a library; returns how it was obtained.

    The default path gets the large library: from make_large_library.py when it exists,
    else from services.demo at its LARGE scale. Any other missing path gets a library
    of `fallback_copies` copies.
    """
    if path.exists():
        return "existing"
    if path.resolve() == DEFAULT_DB.resolve():
        if MAKE_LARGE.exists():
            print(f"{path} is missing: running {MAKE_LARGE.name} (this takes a while)...", flush=True)
            subprocess.run([sys.executable, str(MAKE_LARGE), "--db", str(path)], check=True, cwd=ROOT)
            return "made by make_large_library.py"
        print(f"{path} is missing: building the large demo library with services.demo...", flush=True)
        build_library_file(path, None)
        return "built here at demo.LARGE scale"
    print(f"{path} is missing: building a library of {fallback_copies:,} copies with "
          f"services.demo.build_library...", flush=True)
    build_library_file(path, fallback_copies)
    return f"built here ({fallback_copies:,} copies)"


def build_library_file(path: Path, copies: int | None) -> None:
    """A new library file filled by services.demo: `copies` copies, or the LARGE scale."""
    from counter_tui import db
    from counter_tui.config import Settings
    from counter_tui import demo
    from counter_tui.services import library_settings
    from counter_tui.services.admin import schema, setup
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    library_settings.configure(Settings(db_url=url))
    database = db.connect(url)
    schema.create_schema()
    db.write(setup.seed_standard_rows)
    scale = demo.LARGE if copies is None else demo.Scale(
        titles=max(1, copies * 3 // 5), copies=copies, readers=max(1, copies // 10),
        past_loans=copies * 2, open_loans=copies // 20, overdue_loans=copies // 200)
    started = time.perf_counter()
    counts = demo.build_library(scale, progress=lambda stage: print(f"  {stage}...", flush=True))
    database.close()
    print(f"  built in {time.perf_counter() - started:.0f} s:",
          ", ".join(f"{v:,} {k}" for k, v in counts.items()), flush=True)


def backup_copy(src: Path, dst: Path) -> None:
    """A consistent copy of a (possibly live) SQLite library, via the backup API."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dst)
    with target:
        source.backup(target, pages=65536)
    source.close()
    target.close()


def migrate_copy(path: Path) -> str:
    """Bring a copy (never an original) up to this program's schema; says what it did."""
    from counter_tui import db
    from counter_tui.config import Settings
    from counter_tui.services import library_settings
    from counter_tui.services.admin import schema

    url = f"sqlite:///{path}"
    library_settings.configure(Settings(db_url=url))
    database = db.connect(url)
    start, end = schema.migrate()
    database.close()
    return "" if start == end else f"; the copy was migrated from schema {start} to {end}"


def library_copy(src: Path, dst: Path) -> str:
    """A fresh, current-schema copy of `src` at `dst`."""
    backup_copy(src, dst)
    return migrate_copy(dst)


@dataclass
class Workload:
    patron_id: int
    card: str
    staff_user: str
    staff_password: str
    service_items: list[tuple[str, str]]   # (barcode, title) lent in-process
    scan_items: list[tuple[str, str]]      # one at a time, timed
    burst_items: list[tuple[str, str]]     # the sustained test
    refusals: list[tuple[str, str, bytes]]  # (label, text scanned, pattern of the sentence)
    loan_id_before_app: int = 0
    library_counts: dict[str, int] = field(default_factory=dict)


def prepare(work_db: Path, n_service: int, n_scans: int, n_burst: int,
            user: str | None, password: str | None) -> Workload:
    """Add the bench reader (and staff) to the copy and choose the copies to scan."""
    from counter_tui import db
    from counter_tui.config import Settings
    from counter_tui.domain.barcodes import library_barcode
    from counter_tui.domain.calendar import utc_now
    from counter_tui.models import Patron, PatronCategory
    from counter_tui.services import library_settings
    from counter_tui.services.admin import schema, staff

    url = f"sqlite:///{work_db}"
    library_settings.configure(Settings(db_url=url))
    database = db.connect(url)
    schema.check_schema()

    def add_reader() -> Patron:
        category = PatronCategory.create(code=BENCH_CATEGORY, name="Benchmark reader", loan_limit=1_000_000,
                                         card_years=10, max_fees=10**12, max_overdue=0)
        card = next(c for c in (library_barcode(library_settings.settings().barcodes.patron_prefix + "999", n)
                                for n in range(1, 1000))
                    if not Patron.select().where(Patron.card == c).exists())
        return Patron.create(card=card, name=BENCH_READER, category=category,
                             expires_on=utc_now().date() + timedelta(days=5 * 365),
                             created_at=utc_now())

    patron = db.write(add_reader)
    if user is None:
        user, password = BENCH_USER, BENCH_PASSWORD
        staff.add_staff(None, user, "Bench Clerk", password, ["circulation"])
    database.close()

    con = sqlite3.connect(work_db)
    counts = {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
              for t in ("biblio", "item", "patron", "loan")}
    wanted = n_service + n_scans + n_burst + 1
    rows = con.execute(
        """SELECT i.barcode, b.title FROM item i
           JOIN biblio b ON b.id = i.biblio_id JOIN item_type t ON t.id = i.item_type_id
           WHERE i.status = 'available' AND t.loanable AND instr(b.title, '[') = 0
             AND NOT EXISTS (SELECT 1 FROM loan l WHERE l.item_id = i.id AND l.returned_at IS NULL)
           ORDER BY random() LIMIT ?""", (wanted,)).fetchall()
    if len(rows) < wanted:
        raise SystemExit(f"The library has only {len(rows)} available loanable copies; {wanted} are needed.")
    reference = con.execute(
        """SELECT i.barcode, b.title FROM item i JOIN biblio b ON b.id = i.biblio_id
           JOIN item_type t ON t.id = i.item_type_id WHERE NOT t.loanable AND i.status = 'available'
           LIMIT 1""").fetchone()
    con.close()
    service, rows = rows[:n_service], rows[n_service:]
    scans, burst = rows[:n_scans], rows[n_scans:n_scans + n_burst]
    rules = library_settings.settings().barcodes
    unknown = library_barcode(rules.item_prefix, 10 ** (rules.length - 1 - len(rules.item_prefix)) - 1)
    refusals = [("already on loan to this reader", scans[0][0], b"already on loan to"),
                ("no such copy", unknown, b"No copy has barcode")]
    if reference:
        refusals.append(("reference copy (not loanable)", reference[0], b"for use in the library only"))
    return Workload(patron.id, patron.card, user, password, service, scans, burst, refusals,
                    library_counts=counts)


def time_service(work_db: Path, workload: Workload) -> list[float]:
    """circulation.checkout called in this process: the database and service share, in ms."""
    from counter_tui import db
    from counter_tui.config import Settings
    from counter_tui.services.circulation import lending
    from counter_tui.services import library_settings
    from counter_tui.services.admin import staff

    url = f"sqlite:///{work_db}"
    library_settings.configure(Settings(db_url=url))
    database = db.connect(url)
    actor = staff.get_staff(workload.staff_user)
    times = []
    for barcode, _title in workload.service_items:
        started = time.perf_counter_ns()
        lending.checkout(actor, workload.patron_id, barcode)
        times.append((time.perf_counter_ns() - started) / 1e6)
    workload.loan_id_before_app = database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM loan").fetchone()[0]
    database.close()
    return times


# -- driving a terminal --------------------------------------------------------------------

def row_pattern(barcode: str, title: str) -> re.Pattern[bytes]:
    """The table row of a scan: its barcode, blanks, then the start of its title.

    The scan line shows the barcode alone while it is typed, so the barcode by itself
    would match too early; the title after it exists only in the result row.
    """
    prefix = title.strip()[:8].strip()
    words = [re.escape(w.encode()) for w in prefix.split()]
    return re.compile(re.escape(barcode.encode()) + rb"\s+" + rb"\s+".join(words))


def sign_in(term: PtyProcess, user: str, password: str, timeout: float) -> float:
    """Sign in on the login screen; returns ms from the password's Enter to the desk."""
    term.wait_for(b"sign in", timeout=timeout, strip=True)
    term.wait_quiet(0.2, timeout=3)
    term.write(user + "\r")  # the login form's Input: one field at a time, never a burst
    term.wait_quiet(0.2, timeout=3)
    mark = term.mark()
    sent = term.write(password + "\r")
    seen = term.wait_for(b"Check out", timeout=timeout, after=mark, strip=True)
    return (seen - sent) / 1e6


def one_at_a_time(term: PtyProcess, items: list[tuple[str, re.Pattern[bytes]]], gap: float,
                  timeout: float, rows_before: int = 0, per_reader: int = 0,
                  next_reader: Callable[[PtyProcess], None] | None = None) -> list[tuple[float, int]]:
    """Scan each item after the screen has settled.

    Returns (ms from Enter's write to its row, rows in the table before the scan) per
    scan. With `per_reader`, `next_reader` clears the table after every that many scans.
    """
    times = []
    for i, (code, pattern) in enumerate(items):
        if per_reader and next_reader and i and i % per_reader == 0:
            next_reader(term)
            rows_before = 0
        term.wait_quiet(0.03, timeout=1.0)
        if gap:
            time.sleep(gap)
        mark = term.mark()
        sent = term.write(code + "\r")
        seen = term.wait_for(pattern, timeout=timeout, after=mark, strip=True)
        times.append(((seen - sent) / 1e6, rows_before))
        rows_before += 1
    return times


def desk_next_reader(card: str, timeout: float) -> Callable[[PtyProcess], None]:
    """ctrl+n (next reader) on the check-out desk, then the same reader's card again."""
    def step(term: PtyProcess) -> None:
        term.wait_quiet(0.03, timeout=1.0)
        mark = term.mark()
        term.write(b"\x0e")
        term.wait_for(b"Ready for the next reader", timeout=timeout, after=mark, strip=True)
        mark = term.mark()
        term.write(card + "\r")
        term.wait_for(b"scan the books", timeout=timeout, after=mark, strip=True)
    return step


def bare_clear(timeout: float) -> Callable[[PtyProcess], None]:
    def step(term: PtyProcess) -> None:
        term.wait_quiet(0.03, timeout=1.0)
        mark = term.mark()
        term.write(b"\x0e")
        term.wait_for(b"Cleared.", timeout=timeout, after=mark, strip=True)
    return step


@dataclass
class BurstResult:
    n: int
    first_write_ns: int
    last_write_ns: int
    last_seen_ns: int

    @property
    def offered_per_s(self) -> float:
        span = (self.last_write_ns - self.first_write_ns) / 1e9
        return (self.n - 1) / span if span > 0 else float("inf")

    @property
    def processed_per_s(self) -> float:
        return self.n / ((self.last_seen_ns - self.first_write_ns) / 1e9)

    @property
    def drain_ms(self) -> float:
        return (self.last_seen_ns - self.last_write_ns) / 1e6


def burst(term: PtyProcess, codes: list[str], last_pattern: re.Pattern[bytes], rate: float,
          burst_size: int, timeout: float) -> BurstResult:
    """Write `codes` in bursts of `burst_size` at `rate` scans/s; wait for the last row."""
    term.wait_quiet(0.1, timeout=2.0)
    mark = term.mark()
    interval = burst_size / rate
    first = last = 0
    start = time.perf_counter()
    for k in range(0, len(codes), burst_size):
        due = start + (k // burst_size) * interval
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        sent = term.write("".join(c + "\r" for c in codes[k:k + burst_size]))
        first = first or sent
        last = sent
    seen = term.wait_for(last_pattern, timeout=timeout, after=mark, strip=True)
    return BurstResult(len(codes), first, last, seen)


def verify_loans(work_db: Path, workload: Workload, scanned: list[str]) -> dict[str, object]:
    """Every copy scanned at the desk lent exactly once, to the bench reader, and nothing else."""
    con = sqlite3.connect(f"file:{work_db}?mode=ro", uri=True)
    rows = con.execute(
        """SELECT i.barcode, l.patron_id, l.returned_at IS NULL, i.status FROM loan l
           JOIN item i ON i.id = l.item_id WHERE l.id > ?""", (workload.loan_id_before_app,)).fetchall()
    con.close()
    per_code: dict[str, int] = {}
    wrong_reader = closed = wrong_status = 0
    for code, patron_id, is_open, status in rows:
        per_code[code] = per_code.get(code, 0) + 1
        wrong_reader += patron_id != workload.patron_id
        closed += not is_open
        wrong_status += status != "checked out"
    expected = set(scanned)
    return {
        "scanned": len(scanned),
        "distinct_scanned": len(expected),
        "loans_made": len(rows),
        "lost": sorted(expected - per_code.keys()),
        "doubled": sorted(c for c, n in per_code.items() if n > 1),
        "unexpected": sorted(per_code.keys() - expected),
        "wrong_reader": wrong_reader,
        "closed": closed,
        "status_not_checked_out": wrong_status,
    }


# -- reporting -----------------------------------------------------------------------------

def stats_row(label: str, values: list[float]) -> str:
    s = summarize_ms(values)
    return (f"  {label:<34} {s['n']:>5} {s['median']:>8.1f} {s['p90']:>8.1f} {s['p99']:>8.1f} "
            f"{s['max']:>8.1f}")


def by_rows(label: str, timed: list[tuple[float, int]]) -> str:
    """Medians by how many rows the table held before the scan (each new row repaints them all)."""
    buckets = [(0, 4), (5, 9), (10, 19), (20, 39), (40, 10**9)]
    parts = []
    for lo, hi in buckets:
        chunk = [ms for ms, rows in timed if lo <= rows <= hi]
        if chunk:
            name = f"{lo}-{hi}" if hi < 10**9 else f"{lo}+"
            parts.append(f"{name}: {statistics.median(chunk):6.1f} ({len(chunk)})")
    return f"  {label:<34} " + "   ".join(parts)


def print_sustained(desk: BurstResult, bare: BurstResult | None, rate: float, size: int) -> None:
    print()
    print(f"Sustained: {desk.n} scans written {size} per write at {rate:g}/s target")
    print(f"  {'':<24} {'offered/s':>10} {'done/s':>10} {'drain ms':>10}")
    for label, result in (("checkout desk", desk), ("bare app", bare)):
        if result:
            print(f"  {label:<24} {result.offered_per_s:>10.0f} {result.processed_per_s:>10.1f} "
                  f"{result.drain_ms:>10.0f}")
    print("  (done/s: scans from the first write to the last row on screen; drain: last write -> last row)")


STATS_HEADER = f"  {'':<34} {'n':>5} {'median':>8} {'p90':>8} {'p99':>8} {'max':>8}   (ms)"


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Scan-to-screen latency and sustained scanning of the check-out desk, in a real "
                    "pseudo-terminal, beside a bare Textual app.")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB,
                        help=f"library to copy (default {DEFAULT_DB.relative_to(ROOT)}; made if missing)")
    parser.add_argument("--work-db", type=Path, default=OUT / "scan_bench.db",
                        help="where the copy the desk writes to goes (replaced on every run)")
    parser.add_argument("--fallback-copies", type=int, default=50_000,
                        help="size of the library built when --db names a missing file other than the "
                             "default (default 50000)")
    parser.add_argument("--user", help="staff username to sign in with (default: a bench account "
                                       "added to the copy)")
    parser.add_argument("--password", help="its password")
    parser.add_argument("--scans", type=int, default=200, help="timed single scans (default 200)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed scans first (default 3)")
    parser.add_argument("--gap", type=float, default=0.05,
                        help="pause after the screen settles, before each timed scan (s, default 0.05)")
    parser.add_argument("--per-reader", type=int, default=0, metavar="K",
                        help="press ctrl+n (next reader) and scan the card again after every K timed scans, "
                             "so the table never holds more than K rows (default 0: never)")
    parser.add_argument("--sustained", type=int, default=300, help="scans in the burst test (default 300)")
    parser.add_argument("--rate", type=float, default=150, help="burst test input rate, scans/s (default 150)")
    parser.add_argument("--burst-size", type=int, default=10, help="scans per write in the burst test")
    parser.add_argument("--service", type=int, default=50, help="in-process checkout calls timed (default 50)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare app")
    parser.add_argument("--bare-via-thread", action="store_true",
                        help="also time the bare app with a queue and executor hop, like the desk")
    parser.add_argument("--cols", type=int, default=100)
    parser.add_argument("--rows", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=30, help="longest wait for any one thing (s)")
    parser.add_argument("--json", type=Path, default=OUT / "scan_to_screen.json", help="where to write results")
    args = parser.parse_args()
    if (args.user is None) != (args.password is None):
        parser.error("give --user and --password together")
    OUT.mkdir(exist_ok=True)

    origin = ensure_library(args.db, args.fallback_copies)
    started = time.perf_counter()
    migrated = library_copy(args.db, args.work_db)
    copy_s = time.perf_counter() - started
    n_scan_items = args.warmup + args.scans
    workload = prepare(args.work_db, args.service, n_scan_items, args.sustained, args.user, args.password)
    service_ms = time_service(args.work_db, workload)
    c = workload.library_counts
    print(f"Library {args.db} ({origin}): {c['biblio']:,} titles, {c['item']:,} copies, "
          f"{c['patron']:,} readers, {c['loan']:,} loans; copied to {args.work_db} in {copy_s:.1f} s{migrated}.")
    print(f"Terminal {args.cols}x{args.rows}, TERM=xterm-256color; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f}.")
    results: dict[str, object] = {"library": str(args.db), "library_counts": c, "service_ms": service_ms}

    # -- the desk --------------------------------------------------------------------------
    harness_cpu, harness_wall = time.process_time(), time.perf_counter()
    env = python_env(OUT / "pycache")  # .pyc files as an installed app has them
    term = PtyProcess(DESK_CMD + ["--db", str(args.work_db)], cols=args.cols, rows=args.rows, env=env)
    desk_burst = None
    try:
        sign_in_ms = sign_in(term, workload.staff_user, workload.staff_password, args.timeout)
        term.wait_quiet(0.1)
        mark = term.mark()
        sent = term.write(workload.card + "\r")
        card_ms = (term.wait_for(b"scan the books", timeout=args.timeout, after=mark, strip=True) - sent) / 1e6
        items = [(code, row_pattern(code, title)) for code, title in workload.scan_items]
        warm = [ms for ms, _ in one_at_a_time(term, items[:args.warmup], args.gap, args.timeout)]
        desk_timed = one_at_a_time(term, items[args.warmup:], args.gap, args.timeout, rows_before=args.warmup,
                                   per_reader=args.per_reader,
                                   next_reader=desk_next_reader(workload.card, args.timeout))
        refusal_ms = [(label, one_at_a_time(term, [(text, re.compile(re.escape(pattern)))], args.gap,
                                            args.timeout)[0][0])
                      for label, text, pattern in workload.refusals]
        codes = [code for code, _ in workload.burst_items]
        if codes:
            desk_burst = burst(term, codes, row_pattern(*workload.burst_items[-1]), args.rate,
                               args.burst_size, timeout=max(args.timeout, 120))
        term.wait_quiet(0.2, timeout=5)
    except PtyTimeout as exc:
        print(f"\nThe desk did not show what was expected: {exc}\n--- last output, escapes stripped ---")
        from pty_harness import strip_ansi
        print(strip_ansi(exc.tail).decode(errors="replace")[-1500:])
        term.close()
        raise SystemExit(1)
    exit_code = term.close()
    harness_cpu, harness_wall = time.process_time() - harness_cpu, time.perf_counter() - harness_wall
    scanned = [code for code, _ in workload.scan_items] + codes
    check = verify_loans(args.work_db, workload, scanned)

    # -- the bare app ----------------------------------------------------------------------
    bare_timed: list[tuple[float, int]] = []
    bare_thread_timed: list[tuple[float, int]] = []
    bare_burst = None
    if not args.no_bare:
        variants = [("plain", []), ("via-thread", ["--via-thread"])] if args.bare_via_thread else [("plain", [])]
        for name, extra in variants:
            with PtyProcess(BARE_CMD + extra, cols=args.cols, rows=args.rows, env=env) as bare:
                bare.wait_for(b"Bare echo desk", timeout=args.timeout, strip=True)
                echo_items = [(code, re.compile(re.escape(code.encode()) + rb"\s+Echo"))
                              for code, _ in workload.scan_items]
                one_at_a_time(bare, echo_items[:args.warmup], args.gap, args.timeout)
                timed = one_at_a_time(bare, echo_items[args.warmup:], args.gap, args.timeout,
                                      rows_before=args.warmup, per_reader=args.per_reader,
                                      next_reader=bare_clear(args.timeout))
                if name != "plain":
                    bare_thread_timed = timed
                    continue
                bare_timed = timed
                if codes:
                    bare_burst = burst(bare, codes, re.compile(re.escape(codes[-1].encode()) + rb"\s+Echo"),
                                       args.rate, args.burst_size, timeout=max(args.timeout, 120))
    desk_ms = [ms for ms, _ in desk_timed]
    bare_ms = [ms for ms, _ in bare_timed]
    bare_thread_ms = [ms for ms, _ in bare_thread_timed]

    # -- report ----------------------------------------------------------------------------
    print()
    print("Single scans: write of BARCODE+Enter -> its row (barcode, title) on the terminal")
    print(STATS_HEADER)
    print(stats_row("checkout desk (counter-tui)", desk_ms))
    if bare_ms:
        print(stats_row("bare Textual app (ScanInput+table)", bare_ms))
    if bare_thread_ms:
        print(stats_row("bare app, queue + executor hop", bare_thread_ms))
    print(stats_row("checkout service in-process", service_ms))
    if bare_ms:
        ratio = statistics.median(desk_ms) / statistics.median(bare_ms)
        print(f"  desk / bare, medians: {ratio:.2f}x; p99s: "
              f"{summarize_ms(desk_ms)['p99'] / summarize_ms(bare_ms)['p99']:.2f}x")
    print()
    print("The same, median ms (and count) by rows already in the table before the scan")
    print(by_rows("checkout desk", desk_timed))
    if bare_timed:
        print(by_rows("bare Textual app", bare_timed))
    print(f"  warm-up scans (not in the figures): {', '.join(f'{t:.1f}' for t in warm)} ms")
    print(f"  this script's own CPU while driving the desk: {harness_cpu:.1f} s in {harness_wall:.0f} s "
          f"({100 * harness_cpu / harness_wall:.0f}% of one CPU)")
    print(f"  sign in (password Enter -> desk): {sign_in_ms:.0f} ms; reader's card -> panel: {card_ms:.1f} ms")
    print()
    print("Refusals: write -> the refusal sentence on the terminal")
    for label, ms in refusal_ms:
        print(f"  {label:<34} {ms:8.1f} ms")
    if desk_burst:
        print_sustained(desk_burst, bare_burst, args.rate, args.burst_size)
    ok = not (check["lost"] or check["doubled"] or check["unexpected"] or check["wrong_reader"]
              or check["closed"] or check["status_not_checked_out"])
    print()
    print(f"Database check after the desk quit (exit code {exit_code}): {check['loans_made']} loans for "
          f"{check['distinct_scanned']} distinct copies scanned; lost {len(check['lost'])}, "
          f"doubled {len(check['doubled'])}, unexpected {len(check['unexpected'])}, "
          f"to another reader {check['wrong_reader']}, closed {check['closed']}, "
          f"status not 'checked out' {check['status_not_checked_out']}: {'OK' if ok else 'PROBLEM'}")
    if not ok:
        for key in ("lost", "doubled", "unexpected"):
            if check[key]:
                print(f"  {key}: {', '.join(check[key][:20])}")

    d, b = summarize_ms(desk_ms), summarize_ms(bare_ms) if bare_ms else None
    summary = (f"SUMMARY scan-to-screen desk median {d['median']:.1f} ms p99 {d['p99']:.1f} ms"
               + (f" vs bare {b['median']:.1f}/{b['p99']:.1f} ms ({d['median'] / b['median']:.2f}x)" if b else "")
               + f"; service {statistics.median(service_ms):.2f} ms"
               + (f"; sustained {desk_burst.processed_per_s:.0f} scans/s" if desk_burst else "")
               + f"; {check['loans_made']} loans, {'none lost or doubled' if ok else 'ERRORS in the loans'}")
    print()
    print(summary)
    results.update(desk_ms_rows=desk_timed, bare_ms_rows=bare_timed, bare_via_thread_ms_rows=bare_thread_timed,
                   warmup_ms=warm, sign_in_ms=sign_in_ms, card_ms=card_ms, refusal_ms=refusal_ms,
                   sustained={name: vars(r) | {"offered_per_s": r.offered_per_s,
                                               "processed_per_s": r.processed_per_s}
                              for name, r in (("desk", desk_burst), ("bare", bare_burst)) if r},
                   check=check, summary=summary)
    args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
