"""Check-out and check-in latency of the services on any library URL (SQLite or PostgreSQL).

bench_circulation.py sets the services beside raw sqlite3 on the SQLite file; this one
times the same service calls on whatever database it is given (it lifts the loan
limits there and adds a "bench" account: use a benchmark copy), e.g. the PostgreSQL
copy of the large library made by `make_large_library.py --postgres URL`.

    .venv/bin/python benchmarks/bench_service_latency.py --db postgresql://postgres@127.0.0.1:54329/large
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.pty_harness import percentile  # noqa: E402
from counter_tui import db  # noqa: E402
from counter_tui.config import Settings  # noqa: E402
from counter_tui.models import Item, ItemType, Patron, PatronCategory, Staff  # noqa: E402
from counter_tui.services.circulation import lending
from counter_tui.services import library_settings
from counter_tui.services.admin import staff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    library_settings.configure(Settings(db_url=args.db, timezone=ZoneInfo("Asia/Shanghai")))
    db.connect(args.db)
    clerk = Staff.get_or_none(Staff.username == "bench") or staff.add_staff(
        None, "bench", "Bench", "bench-password", ["circulation"])
    PatronCategory.update(loan_limit=10**6, max_fees=10**9, max_overdue=0).execute()
    items = [b for (b,) in Item.select(Item.barcode).join(ItemType)
             .where(Item.status == "available", ItemType.loanable == True)  # noqa: E712
             .limit(args.n * 3).tuples()]
    readers = [p for (p,) in Patron.select(Patron.id).where(Patron.status == "active").limit(5000).tuples()]
    rng = random.Random(3)
    rng.shuffle(items)
    out_ms, in_ms, refused = [], [], 0
    for barcode in items:
        if len(out_ms) >= args.n:
            break
        start = time.perf_counter()
        try:
            lending.checkout(clerk, rng.choice(readers), barcode)
        except Exception:  # an expired card in the sample: try the next pair
            refused += 1
            continue
        out_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        lending.checkin(clerk, barcode)
        in_ms.append((time.perf_counter() - start) * 1000)
    print(f"{args.db.split(':')[0]}: {Item.select().count():,} copies, {len(out_ms)} pairs ({refused} refused)")
    for name, values in (("checkout", sorted(out_ms)), ("checkin", sorted(in_ms))):
        print(f"  {name:<9} median {percentile(values, 50):.2f} ms  p90 {percentile(values, 90):.2f}  "
              f"p99 {percentile(values, 99):.2f}  max {values[-1]:.2f}")


if __name__ == "__main__":
    main()
