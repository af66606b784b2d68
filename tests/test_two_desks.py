"""Several desk processes on one database: no double loans, statuses match, nothing lost.

On SQLite and, when COUNTER_TUI_TEST_PG is set, on PostgreSQL (see conftest.py).
"""
from __future__ import annotations

import os
import statistics

from peewee import fn

from benchmarks.desk_load import start_desks
from counter_tui.models import Fee, Item, Loan, PatronCategory

STRESS_SECONDS = float(os.environ.get("COUNTER_TUI_STRESS_SECONDS", "30"))


def assert_books_agree_with_loans():
    doubled = (Loan.select(Loan.item, fn.COUNT(Loan.id)).where(Loan.returned_at.is_null())
               .group_by(Loan.item).having(fn.COUNT(Loan.id) > 1).count())
    assert doubled == 0
    on_loan = {i for (i,) in Loan.select(Loan.item).where(Loan.returned_at.is_null()).tuples()}
    checked_out = {i for (i,) in Item.select(Item.id).where(Item.status == "checked out").tuples()}
    assert on_loan == checked_out


def assert_acknowledged_work_is_stored(results):
    lent = [loan_id for r in results for loan_id in r["done"]["checkout"]]
    assert Loan.select().where(Loan.id.in_(lent)).count() == len(set(lent)) == len(lent)
    paid = [fee_id for r in results for fee_id in r["done"]["payment"]]
    assert Fee.select().where(Fee.id.in_(paid), Fee.kind == "payment").count() == len(paid)
    for loan_id, renewals in (pair for r in results for pair in r["done"]["renew"]):
        assert Loan.get_by_id(loan_id).renewals >= renewals
    # nobody was let pay more than they owed, whatever the race
    negative = (Fee.select(Fee.patron).group_by(Fee.patron).having(fn.SUM(Fee.amount) < 0).count())
    assert negative == 0


def busy_library(lib, readers=8, items=20):
    PatronCategory.update(loan_limit=100, max_overdue=0, max_fees=10**9).execute()
    lib.rule(renewals=1000, fine_amount=10, grace_days=0)
    people = [lib.patron(name=f"Reader {n}") for n in range(readers)]
    copies = [lib.item(title=f"Book {n}") for n in range(items)]
    for person in people:  # something to pay
        Fee.create(patron=person, kind="overdue", amount=5000, at=lib.clerk.created_at)
    return [c.barcode for c in copies], [p.id for p in people]


def test_two_desks_lend_and_return_the_same_items(lib, settings):
    barcodes, people = busy_library(lib, readers=6, items=15)
    results = start_desks(settings.db_url, 2, 4.0, barcodes, people)
    for result in results:
        assert result["errors"] == []  # no "database is locked" reached a desk
        assert result["done"]["checkout"] and result["done"]["checkin"]
    assert_books_agree_with_loans()
    assert_acknowledged_work_is_stored(results)


def test_eight_desks_for_thirty_seconds(lib, settings, capsys):
    barcodes, people = busy_library(lib, readers=10, items=40)
    results = start_desks(settings.db_url, 8, STRESS_SECONDS, barcodes, people)
    errors = [e for r in results for e in r["errors"]]
    assert errors == []
    assert_books_agree_with_loans()
    assert_acknowledged_work_is_stored(results)
    latencies = sorted(ms for r in results for ms in r["latencies_ms"])
    assert all(len(r["done"]["checkout"]) > 0 for r in results)  # every desk got work done
    with capsys.disabled():
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        print(f"\n8 desks, {settings.db_url.split(':')[0]}: {len(latencies) / STRESS_SECONDS:.0f} "
              f"committed operations/s, median {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms")
