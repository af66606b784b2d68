"""Check-in latency on the LARGE library (1,000,000 copies) when the copy's title has a queue of holds.

    .venv/bin/python benchmarks/bench_checkin_holds.py [--db PATH] [--n 1000] [--queue 20] [--seed 1]

Uses its own copy of the LARGE library (benchmarks/out/holds_bench.db, built by
make_large_library if missing, migrated if its schema is older). Picks 2 x --n random
(reader, available copy) pairs; the titles of the first --n copies get a queue of
--queue waiting holds from other random readers (inserted directly, in the past). Each
copy is lent (untimed; lent anyway past the queue), then checked in with
lending.checkin, timed with time.perf_counter_ns:

  checkin, title with a queue   the loan is closed and the first hold the copy can fill
                                is found and offered to the clerk (one indexed query)
  checkin, no holds             the same check-in on the other --n copies, for comparison
  trap (clerk confirms)         holds.trap: the copy onto the hold shelf with its
                                pick-up-by date (open days), on every other queued copy

Before the check-ins it times the holds-to-pull list (pull_list.to_pull) over all those
waiting holds, each title having copies on the shelf: five runs, the median.

The two kinds alternate so a busy moment on a shared machine falls on both. Afterwards
the holds it made are deleted and its copies put back on the shelf. Prints n, median,
p90, p99 and max in milliseconds.
"""
from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta
from pathlib import Path

from bench_circulation import pick_pairs, stats
from make_large_library import ensure_large_library, open_library

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.models import Item, Patron, Staff
from counter_tui.services.circulation import holds, lending, pull_list
from counter_tui.services.admin import schema
from counter_tui.demo import DEMO_USERNAME

DEFAULT_DB = Path(__file__).resolve().parent / "out" / "holds_bench.db"
NOTE = "bench_checkin_holds"


def queue_holds(titles: list[int], queue: int, seed: int, staff_id: int) -> int:
    """`queue` waiting holds on each title, from random readers, oldest first."""
    rng = random.Random(seed)
    max_reader = Patron.select(Patron.id).order_by(Patron.id.desc()).scalar()
    start = utc_now() - timedelta(days=30)
    rows = []
    for biblio_id in titles:
        for k, patron_id in enumerate(rng.sample(range(1, max_reader + 1), queue)):
            rows.append((biblio_id, patron_id, start + timedelta(minutes=k), staff_id, NOTE))
    with db.database.atomic():
        db.database.cursor().executemany(
            "INSERT INTO hold (biblio_id, item_id, copy_level, patron_id, status, placed_at, staff_id, note) "
            "VALUES (?, NULL, '', ?, 'waiting', ?, ?, ?)",
            [(b, p, at.strftime("%Y-%m-%d %H:%M:%S"), s, n) for b, p, at, s, n in rows])
    return len(rows)


def clean_up(barcodes: list[str]) -> None:
    with db.database.atomic():
        db.execute("DELETE FROM hold WHERE note = ?", NOTE)
        Item.update(status="available").where(Item.barcode.in_(barcodes)).execute()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"the LARGE library (default {DEFAULT_DB})")
    parser.add_argument("--n", type=int, default=1000, help="check-ins of each kind (default 1000)")
    parser.add_argument("--queue", type=int, default=20, help="holds waiting on each queued title (default 20)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed pairs first (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    path = ensure_large_library(args.db.resolve())
    database = open_library(path)
    try:
        before, after = schema.migrate()
        if before != after:
            print(f"migrated {path.name} from schema {before} to {after}")
        actor = Staff.get(Staff.username == DEMO_USERNAME)
        started = time.perf_counter()
        total = args.n + args.warmup
        pairs = pick_pairs(2 * total, args.seed)
        queued, plain = pairs[:total], pairs[total:]
        items = {i.barcode: i for i in Item.select(Item.barcode, Item.biblio).where(
            Item.barcode.in_([b for _, b in pairs]))}
        titles = sorted({items[b].biblio_id for _, b in queued})
        plain = [(p, b) for p, b in plain if items[b].biblio_id not in set(titles)][:total]
        made = queue_holds(titles, args.queue, args.seed, actor.id)
        print(f"{path}: {Item.select().count():,} copies, {Patron.select().count():,} readers; "
              f"{made:,} waiting holds on {len(titles):,} titles ({args.queue} each); "
              f"set up in {time.perf_counter() - started:.1f} s")
        pulls = []
        for _ in range(5):  # the morning list, over every waiting hold in the library
            t0 = time.perf_counter_ns()
            to_fetch = pull_list.to_pull(actor)
            pulls.append(time.perf_counter_ns() - t0)
        print(f"holds to pull, whole library: {len(to_fetch):,} copies to fetch, "
              f"median {sorted(pulls)[2] / 1e6:.0f} ms of 5 runs")
        timings: dict[str, list[int]] = {"checkin, title with a queue": [], "checkin, no holds": [],
                                         "trap (clerk confirms)": []}
        offered, missed, runs = 0, [], 0
        try:
            for n, ((p1, b1), (p2, b2)) in enumerate(zip(queued, plain)):
                runs += 1
                lending.checkout(actor, p1, b1, lend_held=True)
                lending.checkout(actor, p2, b2, lend_held=True)
                t0 = time.perf_counter_ns()
                result = lending.checkin(actor, b1)
                t1 = time.perf_counter_ns()
                lending.checkin(actor, b2)
                t2 = time.perf_counter_ns()
                offered += result.hold is not None
                if result.hold is None and len(missed) < 5:
                    missed.append((b1, db.execute(
                        "SELECT h.status, COUNT(*) FROM hold h JOIN item i ON i.biblio_id = h.biblio_id "
                        "WHERE i.barcode = ? GROUP BY h.status", b1).fetchall(),
                        db.execute("SELECT status FROM item WHERE barcode = ?", b1).fetchone()))
                trap_ns = None
                if result.hold is not None and n % 2 == 0:
                    t3 = time.perf_counter_ns()
                    holds.trap(actor, result.hold.item_id, result.hold.hold_id)
                    trap_ns = time.perf_counter_ns() - t3
                if n >= args.warmup:
                    timings["checkin, title with a queue"].append(t1 - t0)
                    timings["checkin, no holds"].append(t2 - t1)
                    if trap_ns is not None:
                        timings["trap (clerk confirms)"].append(trap_ns)
        finally:
            clean_up([b for _, b in queued + plain])
        print(f"\n{'ms per call':<30}{'n':>6}{'median':>9}{'p90':>9}{'p99':>9}{'max':>9}")
        for name, samples in timings.items():
            row = stats(samples)
            print(f"{name:<30}{row['n']:>6}{row['median']:>9.3f}{row['p90']:>9.3f}{row['p99']:>9.3f}"
                  f"{row['max']:>9.2f}")
        print(f"check-ins of a queued title that offered a hold: {offered} of {runs}")
        for barcode, counts, status in missed:
            print(f"  no hold offered for {barcode} (now {status[0]}); holds on its title: {counts}")
    finally:
        database.close()


if __name__ == "__main__":
    main()
