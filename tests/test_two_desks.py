"""Two desk processes on one SQLite file: no double loans, statuses match, nothing locked."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from peewee import fn

from counter_tui.models import Item, Loan, PatronCategory


def start_desks(url, n, seconds, barcodes, patrons):
    setup = json.dumps({"barcodes": barcodes, "patrons": patrons})
    root = Path(__file__).resolve().parent.parent
    procs = [subprocess.Popen([sys.executable, "-m", "tests.desk_load", url, str(seconds), str(seed)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=root) for seed in range(n)]
    results = []
    for proc in procs:
        out, err = proc.communicate(setup, timeout=seconds + 60)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def assert_books_agree_with_loans():
    doubled = (Loan.select(Loan.item, fn.COUNT(Loan.id)).where(Loan.returned_at.is_null())
               .group_by(Loan.item).having(fn.COUNT(Loan.id) > 1).count())
    assert doubled == 0
    on_loan = {i for (i,) in Loan.select(Loan.item).where(Loan.returned_at.is_null()).tuples()}
    checked_out = {i for (i,) in Item.select(Item.id).where(Item.status == "checked out").tuples()}
    assert on_loan == checked_out


def test_two_desks_lend_and_return_the_same_items(lib, settings):
    PatronCategory.update(loan_limit=100, max_overdue=0).execute()
    readers = [lib.patron(name=f"Reader {n}") for n in range(6)]
    items = [lib.item(title=f"Book {n}") for n in range(15)]
    results = start_desks(settings.db_url, 2, 4.0, [i.barcode for i in items], [r.id for r in readers])
    for result in results:
        assert result["errors"] == []  # no "database is locked" reached a desk
        assert result["checkout"] > 20 and result["checkin"] > 5
    assert_books_agree_with_loans()
    acknowledged = [loan_id for r in results for kind, loan_id in r["acknowledged"]]
    assert Loan.select().where(Loan.id.in_(acknowledged)).count() == len(acknowledged)
