"""Anonymising a year of loan history on the LARGE library, batch by batch, as the command does.

    .venv/bin/python benchmarks/bench_anonymise.py [--db PATH] [--older-than 365] [--batch 2000]

Copies the LARGE library (building it with make_large_library if it is missing) to a
scratch file beside it, so the original is left as it was, then runs
privacy.anonymise_loans in batches of --batch until nothing is left, as
`counter-tui anonymise` does. Each batch is timed in two parts: finding the loans (read,
no lock held) and moving them (the write transaction: what a desk would wait for).
Prints median, p99 and max of both in milliseconds, the loans moved and the wall time,
then the time of a run with nothing left to do. The scratch copy is removed.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import time
from datetime import datetime
from pathlib import Path

from make_large_library import DEFAULT_DB, ensure_large_library, open_library

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.models import Loan, Staff
from counter_tui.services.readers import privacy


def figures(name: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    p99 = statistics.quantiles(ms, n=100, method="inclusive")[98] if len(ms) > 1 else ms[0]
    return f"{name:<28}{statistics.median(ms):>10.0f}{p99:>9.0f}{max(ms):>9.0f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--older-than", type=int, default=365, dest="older_than")
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args(argv)
    source = ensure_large_library(args.db.resolve())
    scratch = source.with_name("anonymise_scratch.db")
    src, dst = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(scratch)
    src.backup(dst)
    src.close()
    dst.close()
    find = privacy._candidates
    try:
        open_library(scratch)
        head = db.write(lambda: Staff.create(username="bench-curator", full_name="Benchmark", password_hash="-",
                                             roles="curator", created_at=datetime(2026, 1, 1)))
        print(f"{Loan.select().count():,} loans in a copy of {source}")
        finding, moving = [], []

        def timed_find(*a):
            started = time.perf_counter()
            try:
                return find(*a)
            finally:
                finding.append(time.perf_counter() - started)

        privacy._candidates = timed_find
        now, moved, started = utc_now(), 0, time.perf_counter()
        while True:
            t = time.perf_counter()
            n = privacy.anonymise_loans(head, args.older_than, now, at_most=args.batch)
            moving.append(time.perf_counter() - t - finding[-1])
            moved += n
            if n < args.batch:
                break
        wall = time.perf_counter() - started
        print(f"moved {moved:,} loans returned over {args.older_than} days ago in {len(moving)} batches "
              f"of {args.batch:,}: {wall:.1f} s")
        print(f"{'per batch':<28}{'median ms':>10}{'p99 ms':>9}{'max ms':>9}")
        print(figures("finding (no lock)", finding))
        print(figures("moving (write lock held)", moving))
        t = time.perf_counter()
        privacy.anonymise_loans(head, args.older_than, now)
        print(f"a run with nothing left to move: {(time.perf_counter() - t) * 1000:.0f} ms")
    finally:
        privacy._candidates = find
        db.database.close()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(f"{scratch}{suffix}"):
                os.remove(f"{scratch}{suffix}")


if __name__ == "__main__":
    main()
