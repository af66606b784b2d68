"""Readers' privacy: old loan history stops naming the reader, the statistics stay.

A returned loan older than N days is moved to one placeholder reader per category
("Anonymised student", ...): its dates, copy and category still count in every figure,
but no reader's history shows it any more.

Left alone, on purpose:
- open loans (the book is still out);
- loans that carry a fee. The fee ledger is never edited; each charge names the reader
  and the loan (and its note the title), and `check` proves they agree. Such loans stay
  with their reader for as long as the ledger keeps the charge.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from peewee import fn

from counter_tui import db
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.models import Fee, Loan, Patron, PatronCategory, Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.errors import Refusal

# Scanned or typed codes are upper-cased before any lookup (domain/barcodes.normalize),
# so a card that starts in lower case can never be scanned, typed or found by card.
PLACEHOLDER_PREFIX = "anon-"
CHUNK = 5_000  # loan ids per UPDATE, well inside every engine's limit on parameters


def placeholder_card(category_code: str) -> str:
    return PLACEHOLDER_PREFIX + category_code


def is_placeholder_card(card: str) -> bool:
    return card.startswith(PLACEHOLDER_PREFIX)


def not_placeholder():
    """A condition for reader searches: leave out the placeholders.

    SUBSTR, not LIKE: LIKE ignores case on SQLite (and Peewee's startswith is ILIKE),
    and a legacy card such as "ANON-7" belongs to a real reader.
    """
    return fn.SUBSTR(Patron.card, 1, len(PLACEHOLDER_PREFIX)) != PLACEHOLDER_PREFIX


def _make_placeholder(category: PatronCategory, now: datetime) -> int:
    """The category's placeholder reader, made on first use. Inside the transaction."""
    return Patron.create(
        card=placeholder_card(category.code), name=f"Anonymised {category.name.lower()}",
        category=category.id, expires_on=local_date(now, library_settings.settings().timezone), status="cancelled",
        block_reason="Holds anonymised loan history; never lends.",
        notes="Made by the anonymiser: loans moved here no longer name their reader.",
        created_at=now).id


def _check_days(days: object) -> int:
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise Refusal("Say how many days of loan history to keep: a whole number, 1 or more.")
    return days


def _anonymisable(cutoff: datetime):
    """A loan that may move: returned before the cutoff and carrying no fee."""
    return (Loan.returned_at.is_null(False) & (Loan.returned_at < cutoff)
            & ~fn.EXISTS(Fee.select(Fee.id).where(Fee.loan == Loan.id)))


def _candidates(cutoff: datetime, at_most: int | None) -> dict[int, list[int]]:
    """Reader category id -> loans that may move. Read before the write lock is taken:
    finding them visits every reader, moving them does not."""
    query = (Loan.select(Loan.id, Patron.category).join(Patron)
             .where(_anonymisable(cutoff), not_placeholder()))
    found: dict[int, list[int]] = {}
    for loan_id, category_id in (query.limit(at_most) if at_most else query).tuples():
        found.setdefault(category_id, []).append(loan_id)
    return found


def anonymise_loans(actor: Staff | None, older_than_days: int, now: datetime | None = None,
                    *, at_most: int | None = None) -> int:
    """Move returned, fee-free loans returned more than `older_than_days` ago to the
    placeholder of their reader's category. Returns how many loans were moved.

    `at_most` bounds one run, so that a first run over years of history can go in
    batches while desks keep lending (they wait for the write lock while loans move).
    """
    now = now or utc_now()
    access.require(actor, "anonymise loan history", access.CURATOR)
    _check_days(older_than_days)
    if at_most is not None and (not isinstance(at_most, int) or isinstance(at_most, bool) or at_most < 1):
        raise Refusal("A batch of loans to anonymise is a whole number, 1 or more.")
    cutoff = now - timedelta(days=older_than_days)
    found = _candidates(cutoff, at_most)

    def work() -> int:
        created: list[str] = []
        moved = 0
        categories = PatronCategory.select().where(PatronCategory.id.in_(list(found)))
        for category in categories.order_by(PatronCategory.id):
            target = Patron.get_or_none(Patron.card == placeholder_card(category.code))
            if target is None:
                target = _make_placeholder(category, now)
                created.append(placeholder_card(category.code))
            # checked again under the lock: a loan found above may have changed since
            still_theirs = fn.EXISTS(Patron.select(Patron.id).where(
                Patron.id == Loan.patron, Patron.category == category.id, not_placeholder()))
            ids = found[category.id]
            for start in range(0, len(ids), CHUNK):
                moved += (Loan.update(patron=target)
                          .where(Loan.id.in_(ids[start:start + CHUNK]), _anonymisable(cutoff), still_theirs)
                          .execute())
        audit.record(actor, "privacy.anonymise", "loan", None, now,
                     new={"older_than_days": older_than_days, "returned_before": cutoff,
                          "loans": moved, "placeholders_made": created})
        return moved

    return db.write(work)
