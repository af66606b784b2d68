"""Reader search at 100,000 readers: median and p99 of `registration.search_page`, one page of 20.

By name prefix (a surname, part of an English name, typed in lower case), by card, by
identity number, a deep page (the 50th page of a broad prefix, reached by keyset cursors),
and the fallback of names containing the text. Read-only: the LARGE library is reused.

    .venv/bin/python benchmarks/bench_reader_search.py [--db PATH] [--runs 300]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_large_library import DEFAULT_DB, ensure_large_library, open_library  # noqa: E402

from counter_tui import db  # noqa: E402
from counter_tui.models import Staff  # noqa: E402
from counter_tui.services.readers import registration


def timed(fn, inputs) -> list[float]:
    times = []
    for value in inputs:
        started = time.perf_counter()
        fn(value)
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(label: str, times: list[float], found: str = "", width: int = 34) -> None:
    times = sorted(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"{label:<{width}} median {statistics.median(times):7.2f} ms   p99 {p99:7.2f} ms   {found}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"SQLite file (default {DEFAULT_DB})")
    parser.add_argument("--runs", type=int, default=300, help="searches of each kind")
    args = parser.parse_args(argv)
    path = ensure_large_library(args.db.resolve())
    open_library(path)
    # services read the person's roles from the database at every call: a real account (the demo's)
    office = Staff.select().where(Staff.active, Staff.roles.contains("office")).order_by(Staff.id).first()
    if office is None:
        raise SystemExit(f"{path} has no active account with the office role.")
    rand = random.Random(7)
    count = db.execute("SELECT COUNT(*) FROM patron").fetchone()[0]
    sample = db.execute("SELECT name, card, id_number FROM patron ORDER BY RANDOM() LIMIT ?", args.runs).fetchall()
    print(f"{count:,} readers in {path}; {args.runs} searches of each kind, a page of 20")

    def prefix(name: str) -> str:
        if name.isascii():  # "Emily Davis" -> "emily d"
            return name.lower()[: rand.randint(3, len(name.split()[0]) + 2)]
        return name[:1] if rand.random() < 0.5 else name[:2]  # a surname, or surname and a given name

    def search(text: str):
        return registration.search_page(office, text, None, 20)

    prefixes = [prefix(r[0]) for r in sample]
    hits = [len(search(p).rows) for p in prefixes]
    report("name prefix (first page, counted)", timed(search, prefixes), f"{statistics.mean(hits):.1f} rows")
    report("card", timed(search, [r[1] for r in sample]))
    with_ids = [r[2] for r in sample if r[2]]
    report("identity number", timed(search, with_ids))

    broad = max(set(p[:1] for p in prefixes if not p.isascii()) or {"王"},
                key=lambda p: db.execute("SELECT COUNT(*) FROM patron WHERE name >= ? AND name < ?",
                                         p, p[:-1] + chr(ord(p[-1]) + 1)).fetchone()[0])
    first = search(broad)
    cursors, page = [], first
    while page.next and len(cursors) < 49:
        cursors.append(page.next)
        page = registration.search_page(office, broad, page.next, 20)
    report(f"page {len(cursors) + 1} of {broad!r} (keyset)",
           timed(lambda c: registration.search_page(office, broad, c, 20), [cursors[-1]] * args.runs),
           f"{'over ' if first.total_capped else ''}{first.total:,} match")
    inside = [r[0][1:] for r in sample if not r[0].isascii() and len(r[0]) > 1][: max(20, args.runs // 10)]
    report("name containing (fallback)", timed(search, inside))


if __name__ == "__main__":
    main()
