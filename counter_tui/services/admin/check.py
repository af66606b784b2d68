"""`counter-tui check`: is the library's data sound? Books and accounts must agree.

Each check returns the problems it found as sentences; an empty list means it passed. A line
that is a `db.Note` is no problem: what was checked, or what could not be (on PostgreSQL). A
check the database cannot answer (damaged pages) fails with that sentence; no check raises.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from peewee import JOIN, DatabaseError, fn

from counter_tui import db
from counter_tui.domain.calendar import utc_now
from counter_tui.domain.item_status import ItemStatus
from counter_tui.models import CirculationRule, Fee, Item, Loan, Staff
from counter_tui.services import access, audit
from counter_tui.services.property import accessions
from counter_tui.services.circulation import damage, holds
from counter_tui.services.admin import desks, schema

CHARGES = ("overdue", "lost", "damage", "card", "processing")
PAYOUTS = ("payout",)  # money handed back to a reader in credit: positive, like a charge
CREDITS = ("payment", "waiver", "refund")
SHOWN = 20  # problems listed per check; the count says how many there are


@dataclass(frozen=True)
class CheckResult:
    name: str
    problems: tuple[str, ...]
    count: int
    notes: tuple[str, ...] = ()  # what was and was not checked

    @property
    def ok(self) -> bool:
        return self.count == 0


def _schema() -> list[str]:
    """The version, and every table and column this version expects (the catalog's word, not the version's)."""
    try:
        schema.check_schema()
    except db.SchemaError as exc:
        return [str(exc)]
    return schema.missing_parts()


def _one_open_loan_per_item() -> list[str]:
    rows = (Loan.select(Item.barcode, fn.COUNT(Loan.id)).join(Item)
            .where(Loan.returned_at.is_null()).group_by(Item.barcode)
            .having(fn.COUNT(Loan.id) > 1).tuples())
    return [f"copy {barcode} has {n} open loans" for barcode, n in rows]


# a claims-returned copy's loan stays open until it is found or declared lost (services/losses.py)
ON_LOAN = (ItemStatus.CHECKED_OUT.value, ItemStatus.CLAIMS_RETURNED.value)


def _status_matches_loans() -> list[str]:
    open_loan = Loan.alias()
    rows = (Item.select(Item.barcode, Item.status, open_loan.id)
            .join(open_loan, JOIN.LEFT_OUTER,
                  on=(open_loan.item == Item.id) & open_loan.returned_at.is_null())
            .where((Item.status.in_(ON_LOAN) & open_loan.id.is_null())
                   | (Item.status.not_in(ON_LOAN) & open_loan.id.is_null(False)))
            .tuples())
    return [f"copy {barcode} is '{status}' but has an open loan" if loan_id else
            f"copy {barcode} is '{status}' but has no open loan" for barcode, status, loan_id in rows]


def _loan_dates() -> list[str]:
    rows = Loan.select(Loan.id).where((Loan.due_at < Loan.out_at) | (Loan.returned_at < Loan.out_at)).tuples()
    return [f"loan {loan_id} is due or returned before it was lent" for (loan_id,) in rows]


def _fee_ledger() -> list[str]:
    wrong_sign = (Fee.select(Fee.id, Fee.kind, Fee.amount)
                  .where((Fee.kind.in_(CHARGES + PAYOUTS) & (Fee.amount <= 0))
                         | (Fee.kind.in_(CREDITS) & (Fee.amount >= 0))
                         | Fee.kind.not_in(CHARGES + CREDITS + PAYOUTS)).tuples())
    problems = [f"fee {fee_id} ({kind}) has the amount {amount}, of the wrong sign or kind"
                for fee_id, kind, amount in wrong_sign]
    other_reader = (Fee.select(Fee.id).join(Loan).where(Fee.patron != Loan.patron).tuples())
    problems += [f"fee {fee_id} is charged to a reader other than its loan's" for (fee_id,) in other_reader]
    # waivers and refunds (services/payments.py) name a charge of the same reader, and never
    # take more off a charge than it was
    charge = Fee.alias()
    astray = (Fee.select(Fee.id).join(charge, on=(Fee.applies_to == charge.id))
              .where(Fee.kind.in_(("waiver", "refund"))
                     & ((charge.patron != Fee.patron) | charge.kind.not_in(CHARGES))).tuples())
    problems += [f"fee {fee_id} waives or refunds something that is not its reader's charge"
                 for (fee_id,) in astray]
    taken = (charge.select(charge.id, charge.amount, fn.SUM(Fee.amount))
             .join(Fee, on=(Fee.applies_to == charge.id)).where(Fee.kind.in_(("waiver", "refund")))
             .group_by(charge.id, charge.amount).having(charge.amount + fn.SUM(Fee.amount) < 0).tuples())
    problems += [f"charge {fee_id} of {amount} has {-total} waived and refunded, more than it was"
                 for fee_id, amount, total in taken]
    return problems


# a copy in processing waits for cataloguing; a withdrawn one has left the shelves for good
OFF_THE_SHELVES = (ItemStatus.IN_PROCESSING.value, ItemStatus.WITHDRAWN.value)


def _call_numbers() -> list[str]:
    rows = db.execute("SELECT i.barcode, i.status, b.title FROM item i JOIN biblio b ON b.id = i.biblio_id "
                      "WHERE COALESCE(i.call_number, '') = '' AND i.status NOT IN (?, ?) ORDER BY i.accession_number",
                      *OFF_THE_SHELVES).fetchall()
    return [f"copy {barcode} of \"{title[:40]}\" is '{status}' with no call number, so it has no place on the "
            "shelves: C on its title's copies (F6, the title, Ctrl+T) gives it one" for barcode, status, title in rows]


def _default_rule() -> list[str]:
    exists = CirculationRule.select().where(CirculationRule.category.is_null()
                                            & CirculationRule.item_type.is_null()
                                            & CirculationRule.location.is_null()).exists()
    return [] if exists else ["there is no default circulation rule"]


STORAGE = "database files"
WAL = "the open desks' write-ahead log (-wal)"

CHECKS: list[tuple[str, Callable[[], list[str]]]] = [
    (STORAGE, db.storage_findings),
    (WAL, desks.wal_problems),
    ("schema version", _schema),
    ("one open loan per copy", _one_open_loan_per_item),
    ("copy status agrees with loans", _status_matches_loans),
    ("loan dates", _loan_dates),
    ("fee ledger", _fee_ledger),
    ("default circulation rule", _default_rule),
    ("property accounts: holdings = accessions - write-offs", accessions.balance_problems),
    ("accession register sources are known sources", accessions.unknown_sources),
    ("copies on the shelves have call numbers", _call_numbers),
    ("repair queue agrees with copy statuses", damage.queue_problems),
    ("hold shelf agrees with ready holds", holds.shelf_problems),
]


# What a library must always be, and so a backup before it replaces one (services/admin/backup.py):
# every check but the ones about the files in use (a backup has its own) and about data a library
# lives with while it tidies it (copies without call numbers, register lines of an unknown source).
INVARIANTS = tuple(name for name, _ in CHECKS if name not in (
    STORAGE, WAL, "accession register sources are known sources", "copies on the shelves have call numbers"))


def run_one(name: str, check: Callable[[], list[str]]) -> CheckResult:
    try:
        found = check()
    except DatabaseError as exc:  # damaged pages, a table that is not there: the check could not run
        found = [f"could not be run: the database answered {db.first_line(exc)!r}"]
    problems = [line for line in found if not isinstance(line, db.Note)]
    return CheckResult(name=name, problems=tuple(problems[:SHOWN]), count=len(problems),
                       notes=tuple(line for line in found if isinstance(line, db.Note)))


def run_checks(names: tuple[str, ...] | None = None, done: tuple[CheckResult, ...] = ()) -> list[CheckResult]:
    """Every check (or those `names`), in order; `done` are results already had (not run again)."""
    had = {r.name: r for r in done}
    return [had[name] if name in had else run_one(name, check)
            for name, check in CHECKS if names is None or name in names]


def storage() -> CheckResult:
    """The files alone, before anyone signs in: a damaged library is named as such, not half-read."""
    return run_one(STORAGE, db.storage_findings)


def file_problems(url: str) -> list[str]:
    """What is wrong with an SQLite library's file before it is opened (none there, not SQLite's,
    truncated): opening it would make one, or fail half-way. Nothing on PostgreSQL."""
    if not url.startswith("sqlite:///"):
        return []
    return db.sqlite_file_problems(Path(url.removeprefix("sqlite:///")))


def wal_before_opening(url: str) -> CheckResult | None:
    """The -wal check on an SQLite file not yet opened, when it fails (services/admin/desks.py)."""
    if not url.startswith("sqlite:///"):
        return None
    result = run_one(WAL, lambda: desks.wal_problems(Path(url.removeprefix("sqlite:///"))))
    return None if result.ok else result


def check_library(actor: Staff, now: datetime | None = None,
                  done: tuple[CheckResult, ...] = ()) -> list[CheckResult]:
    """`run_checks` as the curator or office staff (it reads every reader's account), audited:
    the event names who checked and which checks failed. A library that cannot take the event
    (a read-only or damaged file) says so as one more failed check, after the others."""
    access.require(actor, "check the library", access.CURATOR, access.OFFICE)
    results = run_checks(done=done)
    failed = [r.name for r in results if not r.ok]
    try:
        db.write(lambda: audit.record(actor, "library.check", "library", None, now or utc_now(),
                                      new={"failed": failed}))
    except DatabaseError as exc:
        said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        results.append(CheckResult(name="the check is recorded in the audit trail",
                                   problems=(f"the database refused the event: {said}",), count=1))
    return results
