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
from counter_tui.services import access, audit, library
from counter_tui.services.errors import Refusal

# Scanned or typed codes are upper-cased before any lookup (domain/barcodes.normalize),
# so a card that starts in lower case can never be scanned, typed or found by card.
PLACEHOLDER_PREFIX = "anon-"


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


def _placeholder(category: PatronCategory, now: datetime, created: list[str]) -> int:
    """The category's placeholder reader, made on first use. Inside the transaction."""
    card = placeholder_card(category.code)
    existing = Patron.get_or_none(Patron.card == card)
    if existing is not None:
        return existing.id
    created.append(card)
    return Patron.create(
        card=card, name=f"Anonymised {category.name.lower()}", category=category.id,
        expires_on=local_date(now, library.settings().timezone), status="cancelled",
        block_reason="Holds anonymised loan history; never lends.",
        notes="Made by the anonymiser: loans moved here no longer name their reader.",
        created_at=now).id


def anonymise_loans(actor: Staff | None, older_than_days: int, now: datetime | None = None) -> int:
    """Move returned, fee-free loans returned more than `older_than_days` ago to the
    placeholder of their reader's category. Returns how many loans were moved."""
    now = now or utc_now()
    access.require(actor, "anonymise loan history", access.CURATOR)
    if not isinstance(older_than_days, int) or isinstance(older_than_days, bool) or older_than_days < 1:
        raise Refusal("Say how many days of loan history to keep: a whole number, 1 or more.")
    cutoff = now - timedelta(days=older_than_days)

    def work() -> int:
        created: list[str] = []
        moved = 0
        for category in PatronCategory.select().order_by(PatronCategory.id):
            readers = Patron.select(Patron.id).where(Patron.category == category.id, not_placeholder())
            old_enough = (Loan.returned_at.is_null(False) & (Loan.returned_at < cutoff)
                          & Loan.patron.in_(readers)
                          & ~fn.EXISTS(Fee.select(Fee.id).where(Fee.loan == Loan.id)))
            if not Loan.select(Loan.id).where(old_enough).exists():
                continue  # no placeholder for a category with nothing to move
            target = _placeholder(category, now, created)
            moved += Loan.update(patron=target).where(old_enough).execute()
        audit.record(actor, "privacy.anonymise", "loan", None, now,
                     new={"older_than_days": older_than_days, "returned_before": cutoff,
                          "loans": moved, "placeholders_made": created})
        return moved

    return db.write(work)
