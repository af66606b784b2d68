"""Check-out and check-in on the LARGE library: the services beside the same work in raw sqlite3.

    .venv/bin/python benchmarks/bench_circulation.py [--db PATH] [--n 1000] [--seed 1]

Opens the LARGE library (building it with make_large_library if it is missing), picks
--n random copies that are available and loanable and as many random readers with no
blocks, and for each pair, in turn:

  service   lending.checkout(actor, reader, barcode), then lending.checkin(actor, barcode)
  raw       the same check-out as one hand-written transaction on a separate sqlite3
            connection (WAL, synchronous=FULL, BEGIN IMMEDIATE): the copy by barcode,
            the reader and category, the reader's open and overdue loans and balance,
            the rule, the closed days ahead; insert the loan, set the copy's status,
            append the audit event; COMMIT. Then the matching raw check-in.
  raw, synchronous=NORMAL   the raw pair once more on a connection that does not sync
            the WAL at each commit: the difference from `raw` is the cost of the fsync
            that makes an acknowledged scan survive a power cut (shown, not compared).

Each call is timed with time.perf_counter_ns. The pairs alternate between the two
paths, so a busy moment on a shared machine falls on both. Every copy is checked back
in, so the library is left as it was found (plus loans, returned, and audit events).
Prints median, p90, p99 and max in milliseconds, and the service / raw ratio.
"""
from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from make_large_library import DEFAULT_DB, ensure_large_library, open_library

from counter_tui.domain.calendar import due_date, end_of_local_day_utc, local_date, utc_now
from counter_tui.domain.fines import FinePolicy, overdue_fine, replacement_price
from counter_tui.models import Item, ItemType, Patron, Staff
from counter_tui.services.circulation import lending
from counter_tui.services import library_settings
from counter_tui.services.readers import patrons
from counter_tui.demo import DEMO_USERNAME

_ITEM = ("SELECT i.id, i.barcode, i.call_number, i.location, i.price, i.status, i.item_type_id, b.title, "
         "t.name, t.loanable, t.replacement_price FROM item i JOIN biblio b ON b.id = i.biblio_id "
         "JOIN item_type t ON t.id = i.item_type_id WHERE i.barcode = ?")
_READER = ("SELECT p.id, p.card, p.name, p.expires_on, p.status, p.category_id, c.loan_limit, c.max_fees, "
           "c.max_overdue FROM patron p JOIN patron_category c ON c.id = p.category_id WHERE p.id = ?")
_STANDING = ("SELECT (SELECT COUNT(*) FROM loan WHERE patron_id = ? AND returned_at IS NULL), "
             "(SELECT COUNT(*) FROM loan WHERE patron_id = ? AND returned_at IS NULL AND due_at < ?), "
             "(SELECT COALESCE(SUM(amount), 0) FROM fee WHERE patron_id = ?)")
_RULE = ("SELECT id, loan_days, fine_amount, fine_interval_days, grace_days, fine_includes_grace, fine_cap, "
         "fine_cap_at_price, fines_skip_closed FROM circulation_rule "
         "WHERE (category_id IS NULL OR category_id = ?) AND (item_type_id IS NULL OR item_type_id = ?) "
         "AND (location IS NULL OR location = ?) "
         "ORDER BY (item_type_id IS NOT NULL) + (category_id IS NOT NULL) + (location IS NOT NULL) DESC, "
         "item_type_id IS NOT NULL DESC, category_id IS NOT NULL DESC, location IS NOT NULL DESC LIMIT 1")
_CLOSED = "SELECT day FROM closed_day WHERE day BETWEEN ? AND ?"
_AUDIT = ("INSERT INTO audit_event (at, staff_id, action, record_type, record_id, old, new, desk) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, 'bench raw sqlite3')")


def _text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class RawDesk:
    """The check-out and check-in transactions written straight against sqlite3."""

    def __init__(self, path: Path, staff_id: int, synchronous: str = "FULL"):
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=5)
        for pragma in ("journal_mode = WAL", f"synchronous = {synchronous}", "foreign_keys = 1",
                       "busy_timeout = 5000"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.staff_id = staff_id
        self.tz = library_settings.settings().timezone

    def _closed(self, start: date, end: date) -> frozenset[date]:
        # the same window as rules.closed_days_ahead (a year past the loan period)
        return frozenset(date.fromisoformat(d)
                         for (d,) in self.conn.execute(_CLOSED, (start.isoformat(), end.isoformat())))

    def checkout(self, patron_id: int, barcode: str) -> int:
        now = utc_now()
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            item = c.execute(_ITEM, (barcode,)).fetchone()
            reader = c.execute(_READER, (patron_id,)).fetchone()
            out, overdue, owed = c.execute(_STANDING, (patron_id, patron_id, _text(now), patron_id)).fetchone()
            today = local_date(now, self.tz)
            if (item is None or reader is None or item[5] not in ("available", "shelving cart") or not item[9]
                    or reader[4] != "active" or reader[3] < today.isoformat() or out >= reader[6] or owed > reader[7]
                    or (reader[8] and overdue >= reader[8])):
                raise RuntimeError(f"raw check-out refused: {barcode} to reader {patron_id}")
            rule = c.execute(_RULE, (reader[5], item[6], item[3] or "")).fetchone()
            due = due_date(today, rule[1], self._closed(today, today + timedelta(days=rule[1] + 366)))
            loan_id = c.execute("INSERT INTO loan (item_id, patron_id, out_at, due_at, renewals, staff_out_id) "
                                "VALUES (?, ?, ?, ?, 0, ?) RETURNING id",
                                (item[0], patron_id, _text(now), _text(end_of_local_day_utc(due, self.tz)),
                                 self.staff_id)).fetchone()[0]
            c.execute("UPDATE item SET status = 'checked out' WHERE id = ?", (item[0],))
            c.execute(_AUDIT, (_text(now), self.staff_id, "checkout", "loan", loan_id, None,
                               json.dumps({"item": barcode, "patron": reader[1], "due": due.isoformat(),
                                           "rule": rule[0]})))
            c.execute("COMMIT")
            return loan_id
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def checkin(self, barcode: str) -> int:
        now = utc_now()
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            item = c.execute(_ITEM, (barcode,)).fetchone()
            loan = c.execute("SELECT l.id, l.patron_id, l.due_at, p.category_id, p.card FROM loan l "
                             "JOIN patron p ON p.id = l.patron_id WHERE l.item_id = ? AND l.returned_at IS NULL",
                             (item[0],)).fetchone()
            rule = c.execute(_RULE, (loan[3], item[6], item[3] or "")).fetchone()
            due = local_date(datetime.fromisoformat(loan[2]), self.tz)
            today = local_date(now, self.tz)
            policy = FinePolicy(amount=rule[2], interval_days=rule[3], grace_days=rule[4],
                                include_grace=bool(rule[5]), cap=rule[6], cap_at_price=bool(rule[7]),
                                skip_closed=bool(rule[8]))
            fine = overdue_fine(due, today, policy, self._closed(due, today),
                                price=replacement_price(item[4], item[10]))
            c.execute("UPDATE loan SET returned_at = ?, staff_in_id = ? WHERE id = ?",
                      (_text(now), self.staff_id, loan[0]))
            if fine.amount:
                c.execute("INSERT INTO fee (patron_id, loan_id, kind, amount, at, staff_id, note) "
                          "VALUES (?, ?, 'overdue', ?, ?, ?, ?)",
                          (loan[1], loan[0], fine.amount, _text(now), self.staff_id, f"{fine.days_late} days late"))
            c.execute("UPDATE item SET status = 'shelving cart', status_since = ? WHERE id = ?",
                      (_text(now), item[0]))
            c.execute(_AUDIT, (_text(now), self.staff_id, "checkin", "loan", loan[0], '{"returned_at": null}',
                               json.dumps({"item": barcode, "patron": loan[4], "returned_at": _text(now),
                                           "fine": fine.amount})))
            c.execute("COMMIT")
            return loan[0]
        except BaseException:
            c.execute("ROLLBACK")
            raise


def pick_pairs(n: int, seed: int) -> list[tuple[int, str]]:
    """n random (reader with no blocks, available loanable copy), each reader and copy once."""
    rng = random.Random(seed)
    now = utc_now()
    max_item = Item.select(Item.id).order_by(Item.id.desc()).scalar()
    max_reader = Patron.select(Patron.id).order_by(Patron.id.desc()).scalar()
    items: list[str] = []
    seen: set[int] = set()
    while len(items) < n:
        batch = [i for i in rng.sample(range(1, max_item + 1), 4 * n) if i not in seen]
        seen.update(batch)
        rows = (Item.select(Item.barcode).join(ItemType)
                .where(Item.id.in_(batch) & (Item.status == "available") & ItemType.loanable).tuples())
        items.extend(code for (code,) in rows)
    readers: list[int] = []
    tried: set[int] = set()
    while len(readers) < n:
        patron_id = rng.randint(1, max_reader)
        if patron_id in tried:
            continue
        tried.add(patron_id)
        summary = patrons.summary(patron_id, now)
        if not summary.blocks and summary.loans_out < summary.loan_limit:
            readers.append(patron_id)
    rng.shuffle(items)
    return list(zip(readers, items[:n]))


def stats(samples_ns: list[int]) -> dict[str, float]:
    ms = sorted(s / 1e6 for s in samples_ns)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, int(round(p * (len(ms) - 1))))]

    return {"n": len(ms), "median": statistics.median(ms), "p90": pct(0.90), "p99": pct(0.99), "max": ms[-1]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"the LARGE library (default {DEFAULT_DB})")
    parser.add_argument("--n", type=int, default=1000, help="check-outs per path (default 1000)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed pairs first (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    path = ensure_large_library(args.db.resolve())
    database = open_library(path)
    try:
        actor = Staff.get(Staff.username == DEMO_USERNAME)
        raw = RawDesk(path, actor.id)
        unsynced = RawDesk(path, actor.id, synchronous="NORMAL")
        started = time.perf_counter()
        pairs = pick_pairs(args.n + args.warmup, args.seed)
        print(f"{path}: {Item.select().count():,} copies, {Patron.select().count():,} readers; "
              f"picked {len(pairs)} (reader, copy) pairs in {time.perf_counter() - started:.1f} s")
        timings: dict[str, list[int]] = {"checkout (service)": [], "checkin (service)": [],
                                         "checkout (raw sqlite3)": [], "checkin (raw sqlite3)": [],
                                         "checkout (raw, NORMAL)": [], "checkin (raw, NORMAL)": []}
        for n, (patron_id, barcode) in enumerate(pairs):
            t0 = time.perf_counter_ns()
            lending.checkout(actor, patron_id, barcode)
            t1 = time.perf_counter_ns()
            lending.checkin(actor, barcode)
            t2 = time.perf_counter_ns()
            raw.checkout(patron_id, barcode)
            t3 = time.perf_counter_ns()
            raw.checkin(barcode)
            t4 = time.perf_counter_ns()
            unsynced.checkout(patron_id, barcode)
            t5 = time.perf_counter_ns()
            unsynced.checkin(barcode)
            t6 = time.perf_counter_ns()
            if n >= args.warmup:
                for name, ns in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)):
                    timings[name].append(ns)
        raw.conn.close()
        unsynced.conn.close()

        out = sum(1 for _ in Item.select().where(Item.barcode.in_([b for _, b in pairs])
                                                 & Item.status.not_in(("available", "shelving cart"))))
        rows = {name: stats(samples) for name, samples in timings.items()}
        print(f"\n{'ms per call':<24}{'n':>6}{'median':>9}{'p90':>9}{'p99':>9}{'max':>9}")
        for name, row in rows.items():
            print(f"{name:<24}{row['n']:>6}{row['median']:>9.3f}{row['p90']:>9.3f}{row['p99']:>9.3f}"
                  f"{row['max']:>9.2f}")
        for what in ("checkout", "checkin"):
            service, direct = rows[f"{what} (service)"], rows[f"{what} (raw sqlite3)"]
            print(f"{what}: service / raw sqlite3 = {service['median'] / direct['median']:.1f}x at the median, "
                  f"{service['p99'] / direct['p99']:.1f}x at p99")
        print(f"copies of the run not back on the shelf afterwards: {out}")
    finally:
        database.close()


if __name__ == "__main__":
    main()
