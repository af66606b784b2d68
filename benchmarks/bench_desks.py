"""Throughput and latency with 1, 4 and 8 desk processes on one database.

Each desk lends, returns, renews and takes payments flat out (benchmarks/desk_load.py)
on an overlapping set of copies and readers; the figures are committed operations per
second and the median and p99 latency of one operation as the desk sees it.

    .venv/bin/python benchmarks/bench_desks.py                      # SQLite, in a temp folder
    .venv/bin/python benchmarks/bench_desks.py --db postgresql://postgres@127.0.0.1:54329/bench
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.desk_load import start_desks  # noqa: E402
from counter_tui import db  # noqa: E402
from counter_tui.config import Settings  # noqa: E402
from counter_tui.domain.barcodes import library_barcode  # noqa: E402
from counter_tui.models import (Biblio, CirculationRule, Fee, Item, ItemType, Patron,  # noqa: E402
                                PatronCategory)
from counter_tui.services import library_settings
from counter_tui.services.admin import schema, setup, staff


def make_library(url: str, readers: int, copies: int) -> tuple[list[str], list[int]]:
    library_settings.configure(Settings(db_url=url, timezone=ZoneInfo("Asia/Shanghai")))
    db.connect(url)
    if schema.current_version() is not None:
        db.database.drop_tables(list(reversed(__import__("counter_tui.models", fromlist=["ALL_MODELS"]).ALL_MODELS)))
    schema.create_schema()
    db.write(setup.seed_standard_rows)
    staff.add_staff(None, "clerk", "Bench Clerk", "bench-password", ["circulation"])
    now = datetime.utcnow()
    with db.database.atomic():
        PatronCategory.update(loan_limit=1000, max_overdue=0, max_fees=10**9).execute()
        CirculationRule.update(renewals=10**6).execute()
        student, book = PatronCategory.get(code="student"), ItemType.get(code="book")
        people = [Patron.create(card=library_barcode("21234", n), name=f"Reader {n}", category=student,
                                expires_on=date(2030, 1, 1), created_at=now).id for n in range(1, readers + 1)]
        for pid in people:
            Fee.create(patron=pid, kind="overdue", amount=10**7, at=now)
        biblio = Biblio.create(title="Benchmark title", created_at=now)
        barcodes = []
        for n in range(1, copies + 1):
            code = library_barcode("31234", n)
            Item.create(barcode=code, accession_number=n, biblio=biblio, item_type=book, call_number=f"I247/{n}")
            barcodes.append(code)
    db.database.close()
    return barcodes, people


def run(url: str, desks: int, seconds: float, barcodes: list[str], people: list[int]) -> dict:
    results = start_desks(url, desks, seconds, barcodes, people)
    latencies = sorted(ms for r in results for ms in r["latencies_ms"])
    return {"desks": desks, "ops_per_s": len(latencies) / seconds, "median_ms": statistics.median(latencies),
            "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)], "max_ms": latencies[-1],
            "errors": sum(len(r["errors"]) for r in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temp folder); it is wiped")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--desks", default="1,4,8")
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--copies", type=int, default=2000)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{tmp.name}/bench.db"
    print(f"{url.split(':')[0]}: {args.readers} readers, {args.copies} copies, {args.seconds:.0f} s per run")
    print(f"{'desks':>5} {'ops/s':>8} {'median ms':>10} {'p99 ms':>8} {'max ms':>8} {'errors':>6}")
    for desks in (int(d) for d in args.desks.split(",")):
        barcodes, people = make_library(url, args.readers, args.copies)
        r = run(url, desks, args.seconds, barcodes, people)
        print(f"{r['desks']:>5} {r['ops_per_s']:>8.0f} {r['median_ms']:>10.2f} {r['p99_ms']:>8.1f} "
              f"{r['max_ms']:>8.0f} {r['errors']:>6}")


if __name__ == "__main__":
    main()
