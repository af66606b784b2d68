"""Readers' privacy: old loan and hold history stops naming the reader, the statistics stay.

A returned loan older than N days, and a hold that ended (collected, cancelled or expired)
more than N days ago, move to one placeholder reader per category ("Anonymised student",
...): their dates, copy and category still count in every figure, but no reader's history
shows them any more. What named the reader with them goes too:
- the notices about them move to the placeholder with them (a letter's file name, which
  before issue 19 carried the card number, keeps only its last four digits);
- their audit events, and those of their notices, stop naming the reader: each card the
  reader has had becomes the placeholder's card and the reader's number the placeholder's.
  The audit trail is protected by the database; the one change it lets through is this
  redaction of an event's values, once (services/audit.redact).

Left alone, on purpose:
- open loans, and holds still waiting or on the hold shelf;
- loans that carry a fee. The fee ledger is never edited; each charge names the reader
  and the loan (and its note the title), and `check` proves they agree. Such loans stay
  with their reader for as long as the ledger keeps the charge;
- the reader's own record and its history (card events, the audit events about the
  reader), which name no loan.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import fn

from counter_tui import db
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.domain.slip_privacy import masked_card
from counter_tui.models import CardEvent, Fee, Hold, Loan, Notice, Patron, PatronCategory, Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.errors import Refusal

# Scanned or typed codes are upper-cased before any lookup (domain/barcodes.normalize),
# so a card that starts in lower case can never be scanned, typed or found by card.
PLACEHOLDER_PREFIX = "anon-"
CHUNK = 5_000  # loan or hold ids per statement, well inside every engine's limit on parameters
ENDED = ("collected", "cancelled", "expired")  # holds that are history


@dataclass(frozen=True)
class Anonymised:
    loans: int
    holds: int


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


def _make_placeholder(category: PatronCategory, now: datetime) -> Patron:
    """The category's placeholder reader, made on first use. Inside the transaction."""
    return Patron.create(
        card=placeholder_card(category.code), name=f"Anonymised {category.name.lower()}",
        category=category.id, expires_on=local_date(now, library_settings.settings().timezone), status="cancelled",
        block_reason="Holds anonymised loan history; never lends.",
        notes="Made by the anonymiser: loans moved here no longer name their reader.",
        created_at=now)


def _check_days(days: object) -> int:
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise Refusal("Say how many days of loan history to keep: a whole number, 1 or more.")
    return days


def _anonymisable(cutoff: datetime):
    """A loan that may move: returned before the cutoff and carrying no fee."""
    return (Loan.returned_at.is_null(False) & (Loan.returned_at < cutoff)
            & ~fn.EXISTS(Fee.select(Fee.id).where(Fee.loan == Loan.id)))


def _ended(cutoff: datetime):
    """A hold that may move: collected, cancelled or expired before the cutoff."""
    return Hold.status.in_(ENDED) & (fn.COALESCE(Hold.ended_at, Hold.placed_at) < cutoff)


# what moves: the model, the condition its rows must meet, and the audit trail's name for them
_HISTORY = ((Loan, _anonymisable, "loan"), (Hold, _ended, "hold"))


def _candidates(model, condition, at_most: int | None) -> dict[int, list[int]]:
    """Reader category id -> rows that may move. Read before the write lock is taken:
    finding them visits every reader, moving them does not."""
    query = (model.select(model.id, Patron.category).join(Patron, on=(model.patron == Patron.id))
             .where(condition, not_placeholder()))
    found: dict[int, list[int]] = {}
    for row_id, category_id in (query.limit(at_most) if at_most else query).tuples():
        found.setdefault(category_id, []).append(row_id)
    return found


def anonymise_loans(actor: Staff | None, older_than_days: int, now: datetime | None = None,
                    *, at_most: int | None = None) -> Anonymised:
    """Move returned, fee-free loans returned, and holds ended, more than `older_than_days` ago
    to the placeholder of their reader's category, with their notices, and take the reader out
    of their audit events. Returns how many loans and holds were moved.

    `at_most` bounds one run (loans, and holds, each), so that a first run over years of
    history can go in batches while desks keep lending (they wait for the write lock while
    loans move).
    """
    now = now or utc_now()
    access.require(actor, "anonymise loan history", access.CURATOR)
    _check_days(older_than_days)
    if at_most is not None and (not isinstance(at_most, int) or isinstance(at_most, bool) or at_most < 1):
        raise Refusal("A batch of loans to anonymise is a whole number, 1 or more.")
    cutoff = now - timedelta(days=older_than_days)
    found = {model: _candidates(model, condition(cutoff), at_most) for model, condition, _ in _HISTORY}

    def work() -> Anonymised:
        created: list[str] = []
        moved = {model: 0 for model, _, _ in _HISTORY}
        redacted = 0
        wanted = {category for by_category in found.values() for category in by_category}
        for category in PatronCategory.select().where(PatronCategory.id.in_(list(wanted))).order_by(PatronCategory.id):
            target = Patron.get_or_none(Patron.card == placeholder_card(category.code))
            if target is None:
                target = _make_placeholder(category, now)
                created.append(target.card)
            for model, condition, record_type in _HISTORY:
                ids = found[model].get(category.id, [])
                for start in range(0, len(ids), CHUNK):
                    rows = _still_theirs(model, condition(cutoff), category.id, ids[start:start + CHUNK])
                    if rows:
                        model.update(patron=target.id).where(model.id.in_(list(rows))).execute()
                        redacted += _forget_the_reader(model, record_type, rows, target, now)
                        moved[model] += len(rows)
        audit.record(actor, "privacy.anonymise", "loan", None, now,
                     new={"older_than_days": older_than_days, "returned_before": cutoff,
                          "loans": moved[Loan], "holds": moved[Hold], "events_redacted": redacted,
                          "placeholders_made": created})
        return Anonymised(loans=moved[Loan], holds=moved[Hold])

    return db.write(work)


def _still_theirs(model, condition, category_id: int, ids: list[int]) -> dict[int, int]:
    """Row id -> reader id of the rows that may still move, checked again (and locked) under the
    write lock: a row found before may have changed since."""
    query = (model.select(model.id, model.patron).join(Patron, on=(model.patron == Patron.id))
             .where(model.id.in_(ids), condition, Patron.category == category_id, not_placeholder()))
    return dict(db.locked_for_update(query, model).tuples())


def _forget_the_reader(model, record_type: str, moved: dict[int, int], target: Patron, now: datetime) -> int:
    """The moved rows' notices go to the placeholder too, and the reader leaves the details of the
    rows' and notices' audit events. Returns how many events were redacted."""
    cards = _cards_of(set(moved.values()))
    notices = list(Notice.select(Notice.id, Notice.patron, Notice.file)
                   .where(getattr(Notice, record_type).in_(list(moved))).tuples())
    for notice_id, reader, file in notices:
        for card in cards[reader]:
            file = file.replace(card, masked_card(card))
        Notice.update(patron=target.id, file=file).where(Notice.id == notice_id).execute()
    redacted = _redact_events(record_type, moved, cards, target, now)
    return redacted + _redact_events("notice", {n: reader for n, reader, _ in notices}, cards, target, now)


def _cards_of(readers: set[int]) -> dict[int, set[str]]:
    """Every card each reader has had: the one they hold and those their card history names."""
    cards: dict[int, set[str]] = {reader: set() for reader in readers}
    for reader, card in Patron.select(Patron.id, Patron.card).where(Patron.id.in_(list(readers))).tuples():
        cards[reader].add(card)
    for reader, card in CardEvent.select(CardEvent.patron, CardEvent.card).where(
            CardEvent.patron.in_(list(readers))).tuples():
        cards[reader].add(card)
    return cards


def _redact_events(record_type: str, readers_of: dict[int, int], cards: dict[int, set[str]], target: Patron,
                   now: datetime) -> int:
    """Take the reader out of the values of every audit event about these records."""
    if not readers_of:
        return 0
    marks = ", ".join("?" * len(readers_of))
    events = db.execute(f"SELECT id, record_id, old, new FROM audit_event WHERE record_type = ? "
                        f"AND record_id IN ({marks}) AND redacted_at IS NULL ORDER BY id",
                        record_type, *readers_of).fetchall()
    redacted = 0
    for event_id, record_id, old, new in events:
        reader = readers_of[record_id]
        values = [json.loads(v) if v else None for v in (old, new)]
        without = [_without_reader(v, cards[reader], reader, target) for v in values]
        if without != values:
            redacted += audit.redact(event_id, *without, now)
    return redacted


def _without_reader(value, cards: set[str], reader: int, target: Patron):
    """An event's values with the placeholder where they name the reader: one of their cards (a
    value of its own), or their number under "patron"."""
    if isinstance(value, dict):
        return {key: target.id if key == "patron" and type(v) is int and v == reader
                else _without_reader(v, cards, reader, target) for key, v in value.items()}
    if isinstance(value, list):
        return [_without_reader(v, cards, reader, target) for v in value]
    return target.card if isinstance(value, str) and value in cards else value
