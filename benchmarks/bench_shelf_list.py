"""The shelf list and book numbers on the LARGE library (a million copies).

    .venv/bin/python benchmarks/bench_shelf_list.py --db PATH [--repeat 200]

PATH is a schema-4 copy of the LARGE library (benchmarks/make_large_library.py, then
`counter-tui migrate --db PATH`). Times, in milliseconds (median, p99, max):
  start    shelf_list.browse from a random typed call number (a page of 50)
  next     PgDn: the next page after a random place
  before   PgUp: the page before a random place
  book     call_numbers.next_book_number in a random class whose series is new (it
           finds the highest number of the class on its copies), in a transaction
           that is rolled back, so the library is left as it was
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from counter_tui import db
from counter_tui.config import Settings
from counter_tui.models import Staff
from counter_tui.services.catalogue import call_numbers, shelf_list
from counter_tui.services import library_settings


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def report(name: str, times: list[float]) -> None:
    times = sorted(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"{name:8} median {statistics.median(times):7.2f} ms  p99 {p99:7.2f} ms  max {times[-1]:7.2f} ms"
          f"  ({len(times)} runs)")


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    library_settings.configure(Settings(db_url=f"sqlite:///{args.db}", library_name="Large", timezone=ZoneInfo("Asia/Shanghai")))
    db.connect(f"sqlite:///{args.db}")
    actor = Staff.select().first()
    rng = random.Random(7)
    calls = [c for (c,) in db.execute("SELECT call_number FROM item WHERE id % 997 = 0").fetchall() if c]
    places = [(s, i) for (s, i) in db.execute("SELECT call_sort, id FROM item WHERE id % 991 = 0").fetchall() if s]
    print(f"{db.execute('SELECT COUNT(*) FROM item').fetchone()[0]:,} copies")
    report("start", [timed(lambda: shelf_list.browse(actor, rng.choice(calls)[:6], limit=50))
                     for _ in range(args.repeat)])
    report("next", [timed(lambda: shelf_list.browse(actor, after=rng.choice(places), limit=50))
                    for _ in range(args.repeat)])
    report("before", [timed(lambda: shelf_list.browse(actor, before=rng.choice(places), limit=50))
                      for _ in range(args.repeat)])
    classes = sorted({call_numbers._book_part(c, "clc") and c.split("/")[0] for c in calls} - {""})
    book = []
    for _ in range(min(args.repeat, 50)):
        cls = rng.choice(classes)
        try:
            with db.database.atomic():
                db.execute("DELETE FROM number_series WHERE name = ?", f"book_number:clc:{cls}")
                book.append(timed(lambda: call_numbers.next_book_number(cls, "clc")))
                raise Rollback
        except Rollback:
            pass
    report("book", book)


if __name__ == "__main__":
    main()
