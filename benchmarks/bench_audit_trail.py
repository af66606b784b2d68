"""Reading the audit trail with millions of events: pages by id stay as fast as the first.

    .venv/bin/python benchmarks/bench_audit_trail.py [--db PATH] [--events 2000000] [--repeat 30] [--force]

Builds (once; reused after) a SQLite library whose audit log holds --events events over
three years from 40 staff members: lending and returns mostly, renewals, payments, card
work, and a few staff changes. Then times audit_trail.events() as the curator's screen
calls it (a page of 101, to know whether an older page exists) for: the newest page; a
page near the very oldest (keyset, before_id); the same page by OFFSET, for comparison;
and each filter alone and combined. Prints median, p99 and max in milliseconds per case.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from counter_tui import db
from counter_tui.config import Settings
from counter_tui.models import AuditEvent, Staff
from counter_tui.services.admin import audit_trail, schema, setup
from counter_tui.services import library_settings

DEFAULT_DB = Path(__file__).resolve().parent / "out" / "audit_bench.db"
ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2023, 9, 1)
STAFF = 40
# action, record type, share of events
ACTIONS = [("checkout", "loan", 0.44), ("checkin", "loan", 0.44), ("renew", "loan", 0.07),
           ("fee.pay", "fee", 0.03), ("card.renew", "patron", 0.019), ("staff.add", "staff", 0.001)]


def open_library(path: Path) -> None:
    settings = Settings(db_url=f"sqlite:///{path}", library_name="Audit benchmark", timezone=ZONE)
    library_settings.configure(settings)
    db.connect(settings.db_url)


def build(path: Path, events: int) -> None:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{path}{suffix}"):
            os.remove(f"{path}{suffix}")
    path.parent.mkdir(parents=True, exist_ok=True)
    open_library(path)
    schema.create_schema()
    db.write(setup.seed_standard_rows)
    now = datetime(2023, 9, 1)
    # no scrypt here: these accounts never sign in
    db.write(lambda: [Staff.create(username=f"staff{n:02d}", full_name=f"Staff {n}", password_hash="-",
                                   roles="curator" if n == 0 else "circulation", created_at=now)
                      for n in range(STAFF)])
    rng = random.Random(1)
    names = [a for a, _, _ in ACTIONS]
    kinds = {a: t for a, t, _ in ACTIONS}
    weights = [w for _, _, w in ACTIONS]
    step = (3 * 365 * 86400) / events  # seconds between events, on average
    conn = db.database.connection()
    batch, at = [], START
    started = time.perf_counter()
    for n in range(events):
        at += timedelta(seconds=rng.expovariate(1 / step))
        action = rng.choices(names, weights)[0]
        # staff39 (id 40) rarely works the desk: a rare name to filter by
        staff_id = rng.randint(2, STAFF - 1) if rng.random() > 0.002 else STAFF
        batch.append((at.replace(microsecond=0), staff_id, action, kinds[action], rng.randint(1, events // 2),
                      None, json.dumps({"item": f"3{n:013d}", "patron": f"2{n:013d}"}), "desk/pts/1"))
        if len(batch) == 50_000:
            _insert(conn, batch)
            batch = []
    _insert(conn, batch)
    conn.execute("ANALYZE")
    print(f"Built {events:,} events in {time.perf_counter() - started:.1f} s into {path}")


def _insert(conn, rows) -> None:
    with db.database.atomic():
        conn.executemany("INSERT INTO audit_event (at, staff_id, action, record_type, record_id, old, new, desk) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--force", action="store_true", help="build the events again")
    args = parser.parse_args(argv)
    path = args.db.resolve()
    if args.force or not path.exists():
        build(path, args.events)
    open_library(path)
    total = AuditEvent.select().count()
    head = Staff.get(Staff.username == "staff00")
    oldest_ids = [e.id for e in AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id).limit(300)]
    deep = oldest_ids[-1]  # a page that starts 300 events from the very beginning
    some_loan = AuditEvent.select(AuditEvent.record_id).where(AuditEvent.record_type == "loan").first().record_id
    mid = START.date() + timedelta(days=540)
    rare = f"staff{STAFF - 1:02d}"
    page = 101

    def offset_page():  # what OFFSET paging would cost for the same deep page
        return list(AuditEvent.select().order_by(AuditEvent.id.desc()).offset(total - 300).limit(page))

    cases = [
        ("newest page", lambda: audit_trail.events(head, limit=page)),
        ("page near the oldest (keyset)", lambda: audit_trail.events(head, before_id=deep, limit=page)),
        ("same page by OFFSET", offset_page),
        ("one staff member (common)", lambda: audit_trail.events(head, staff_username="staff07", limit=page)),
        ("one staff member (rare)", lambda: audit_trail.events(head, staff_username=rare, limit=page)),
        ("action staff.add (rare)", lambda: audit_trail.events(head, action="staff.add", limit=page)),
        ("one record (loan)", lambda: audit_trail.events(head, record_type="loan", record_id=some_loan, limit=page)),
        ("one day", lambda: audit_trail.events(head, since=mid, until=mid, limit=page)),
        ("a year, rare staff member", lambda: audit_trail.events(
            head, staff_username=rare, since=mid, until=mid + timedelta(days=365), limit=page)),
        ("a month, action fee.pay", lambda: audit_trail.events(
            head, action="fee.pay", since=mid, until=mid + timedelta(days=30), limit=page)),
        ("from a day to now, renewals", lambda: audit_trail.events(
            head, action="renew", since=date(2026, 1, 1), limit=page)),
    ]
    print(f"{total:,} audit events in {path}; {args.repeat} runs per case, pages of {page}")
    print(f"{'case':<32}{'rows':>6}{'median ms':>11}{'p99 ms':>9}{'max ms':>9}")
    for name, fn in cases:
        times, result = timed(fn, args.repeat)
        p99 = statistics.quantiles(times, n=100, method="inclusive")[98] if len(times) > 1 else times[0]
        print(f"{name:<32}{len(result):>6}{statistics.median(times):>11.2f}{p99:>9.2f}{max(times):>9.2f}")


if __name__ == "__main__":
    main()
