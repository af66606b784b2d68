"""Roster import: a school's CSV of students or teachers becomes readers with cards.

`plan_import` is the dry run (office staff or the curator): it reads the file, checks every
row on its own and against the library (known readers by identity number, cards in use) and
says what would change. `run_import` does it in one transaction: new readers get a card from the
library's card series, an expiry from their category and an "issued" card event; known
readers (same identity number) get the file's name, class, contact and category, where an
empty cell keeps the old value. An import never renews or replaces a card: that is the
card desk's work, with its own events and fees.
A file with bad rows imports nothing unless the clerk asks for the good rows only.

Rows are written with the connection's `executemany` of multi-row INSERTs (as
services/demo.py does): through Peewee's model layer a 20,000-row roster would spend
most of its time building SQL.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from counter_tui import db
from counter_tui.domain.barcodes import library_barcode
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.domain.reader_fields import add_years
from counter_tui.domain.roster import (MAX_BYTES, BadRow, RosterError, RosterRow, category_words, check_size,
                                      read_roster)
from counter_tui.models import Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.readers import cards
from counter_tui.services.errors import Refusal
from counter_tui.domain.plurals import counted

LOOKUP_CHUNK = 500  # values per IN (...) list
ROWS_PER_STATEMENT = 100  # rows per multi-row INSERT
PROGRESS_EVERY = 500
# The fields an import changes on a known reader; an empty cell keeps the reader's value.
# Notes from the file go to new readers only: the desk's own notes on a reader stay.
UPDATED = ("name", "department", "phone", "email")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Renamed:
    """A known reader whose name the import would change: shown before and after, so a garbled
    name (冯小 -> 鍐皬) is seen in the dry run, not found later on the reader's card."""
    line: int
    id_number: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"line {self.line} [{self.id_number}]: {self.old} -> {self.new}"


@dataclass(frozen=True)
class ImportPlan:
    """What an import of the file would do; `bad` lists every row it would not import, `renamed`
    every known reader whose name would change."""
    source: str
    encoding: str
    columns: tuple[tuple[str, str], ...]  # (header in the file, field)
    ignored_columns: tuple[str, ...]
    default_category: str | None
    rows: tuple[RosterRow, ...]  # rows that passed the file's own checks
    bad: tuple[BadRow, ...]
    new: int
    updated: int
    unchanged: int
    renamed: tuple[Renamed, ...] = ()

    @property
    def good(self) -> int:
        return self.new + self.updated + self.unchanged

    @property
    def total(self) -> int:
        return self.good + len(self.bad)

    @property
    def summary(self) -> str:
        return (f"{counted(self.total, 'row')}: {self.new} new, {self.updated} updated, "
                f"{self.unchanged} unchanged, {len(self.bad)} bad.")


@dataclass(frozen=True)
class ImportResult:
    new: int
    updated: int
    unchanged: int
    skipped: int  # bad rows left out (good_rows_only)
    first_card: str | None  # the range of cards issued to new readers
    last_card: str | None

    @property
    def summary(self) -> str:
        skipped = f", {counted(self.skipped, 'bad row')} left out" if self.skipped else ""
        cards = f"; cards {self.first_card} to {self.last_card}" if self.first_card else ""
        return (f"Imported {counted(self.new, 'new reader')}, {self.updated} updated, {self.unchanged} unchanged"
                f"{skipped}{cards}.")


@dataclass
class _Checked:
    """The good rows sorted by what they do, and the rows the library's data makes bad."""
    new: list[RosterRow]
    updated: list[tuple[RosterRow, dict]]  # with the reader's current row
    unchanged: int
    bad: list[BadRow]
    renamed: list[Renamed]


def plan_import(actor: Staff, path_or_bytes: str | Path | bytes, default_category: str | None = None) -> ImportPlan:
    """The dry run: every check, nothing written. Office staff or the curator: it reads readers'
    names and identity numbers from the library."""
    access.require(actor, "check or import reader rosters", access.OFFICE, access.CURATOR)
    data, source = _read(path_or_bytes)
    categories = _categories()
    if default_category is not None and default_category not in categories:
        raise Refusal(f"There is no reader category {default_category!r}; the categories are "
                      f"{', '.join(sorted(categories))}.")
    words = category_words({code: c["name"] for code, c in categories.items()})
    try:
        roster = read_roster(data, words, default_category, library_settings.settings().barcodes)
    except RosterError as exc:
        raise Refusal(str(exc)) from None
    checked = _check(roster.rows, categories)
    bad = tuple(sorted(roster.bad + tuple(checked.bad), key=lambda b: b.line))
    good_lines = {r.line for r in roster.rows} - {b.line for b in checked.bad}
    return ImportPlan(source=source, encoding=roster.encoding, columns=roster.columns,
                      ignored_columns=roster.ignored, default_category=default_category,
                      rows=tuple(r for r in roster.rows if r.line in good_lines), bad=bad,
                      new=len(checked.new), updated=len(checked.updated), unchanged=checked.unchanged,
                      renamed=tuple(checked.renamed))


def run_import(actor: Staff, plan: ImportPlan, good_rows_only: bool = False, progress: Progress | None = None,
               now: datetime | None = None) -> ImportResult:
    """Import the planned rows in one transaction: all of them, or with `good_rows_only` the good ones.

    The rows are checked again inside the transaction (another desk may have issued a
    card since the dry run). `progress(done, total)` is called as rows are written.
    """
    now = now or utc_now()
    access.require(actor, "import reader rosters", access.OFFICE, access.CURATOR)
    report = progress or (lambda done, total: None)

    def work() -> ImportResult:
        categories = _categories()
        checked = _check(plan.rows, categories)
        bad = sorted(plan.bad + tuple(checked.bad), key=lambda b: b.line)
        if bad and not good_rows_only:
            raise Refusal(f"{len(bad)} of {counted(plan.total, 'row')} {'is' if len(bad) == 1 else 'are'} bad (line {bad[0].line}: {bad[0].reason}); "
                          "nothing was imported: fix the file, or import the good rows only.")
        if not checked.new and not checked.updated and not checked.unchanged:
            raise Refusal("No row of the file can be imported; nothing was imported.")
        total = len(checked.new) + len(checked.updated)
        report(0, total)
        cards = _insert_readers(actor, checked.new, categories, now, lambda done: report(done, total))
        _update_readers(checked.updated, categories, lambda done: report(len(checked.new) + done, total))
        result = ImportResult(new=len(checked.new), updated=len(checked.updated), unchanged=checked.unchanged,
                              skipped=len(bad), first_card=cards[0] if cards else None,
                              last_card=cards[-1] if cards else None)
        audit.record(actor, "readers.import", "patron", None, now, new={
            "file": plan.source, "encoding": plan.encoding, "new": result.new, "updated": result.updated,
            "unchanged": result.unchanged, "bad_rows_skipped": result.skipped,
            "cards": f"{result.first_card}..{result.last_card}" if cards else None})
        report(total, total)
        return result

    return db.write(work)


# ---- reading ---------------------------------------------------------------------------------

def _read(path_or_bytes: str | Path | bytes) -> tuple[bytes, str]:
    if isinstance(path_or_bytes, bytes):
        return path_or_bytes, "(pasted data)"
    path = Path(path_or_bytes).expanduser()
    if not path.is_file():
        raise Refusal(f"There is no file at {path}." if not path.exists() else f"{path} is a folder, not a file.")
    try:
        check_size(path.stat().st_size)  # a 50 MB file is refused before it is read
        with path.open("rb") as file:
            return file.read(MAX_BYTES + 1), str(path)  # no more, should it grow meanwhile: decode refuses it
    except RosterError as exc:
        raise Refusal(str(exc)) from None
    except OSError as exc:
        raise Refusal(f"{path} cannot be read ({exc.strerror}).") from None


def _categories() -> dict[str, dict]:
    rows = db.execute("SELECT code, id, name, card_years FROM patron_category").fetchall()
    return {code: {"id": cid, "name": name, "card_years": years} for code, cid, name, years in rows}


def _chunks(values: Sequence, size: int = LOOKUP_CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _select_in(head: str, values: Sequence[str]) -> list[tuple]:
    """`head` ends with "IN"; the values go into lists small enough for every backend."""
    rows: list[tuple] = []
    for chunk in _chunks(values):
        rows += db.execute(f"{head} ({', '.join('?' * len(chunk))})", *chunk).fetchall()
    return rows


# ---- checking against the library ------------------------------------------------------------

_READER_COLUMNS = ("id", "card", "name", "category_id", "department", "id_number", "phone", "email")


def _check(rows: Sequence[RosterRow], categories: dict[str, dict]) -> _Checked:
    known = {r[5]: dict(zip(_READER_COLUMNS, r)) for r in _select_in(
        f"SELECT {', '.join(_READER_COLUMNS)} FROM patron WHERE id_number IN", [r.id_number for r in rows])}
    given = sorted({r.card for r in rows if r.card})
    card_holder = dict(_select_in("SELECT card, id FROM patron WHERE card IN", given))
    old_card_holder = dict(_select_in("SELECT card, patron_id FROM card_event WHERE card IN", given))
    checked = _Checked(new=[], updated=[], unchanged=0, bad=[], renamed=[])
    for row in rows:
        reader = known.get(row.id_number)
        reader_id = reader["id"] if reader else None
        problem = None
        if row.card and reader and row.card != reader["card"]:
            problem = (f"this reader's card is {reader['card']}, not {row.card}: "
                       "replace cards from the reader's record, not by import")
        elif row.card and card_holder.get(row.card, reader_id) != reader_id:
            problem = f"card {row.card} already belongs to another reader"
        elif row.card and old_card_holder.get(row.card, reader_id) != reader_id:
            problem = f"card {row.card} was another reader's card before (replaced or reported lost)"
        if problem:
            checked.bad.append(BadRow(row.line, problem, row.name, row.id_number))
        elif reader is None:
            checked.new.append(row)
        elif _changes(row, reader, categories):
            checked.updated.append((row, reader))
            if row.name != (reader["name"] or ""):  # a name is never empty in the file: it always counts
                checked.renamed.append(Renamed(row.line, row.id_number, reader["name"] or "", row.name))
        else:
            checked.unchanged += 1
    return checked


def _merged(row: RosterRow, reader: dict, categories: dict[str, dict]) -> dict:
    values = {field: getattr(row, field) or (reader[field] or "") for field in UPDATED}
    values["category_id"] = categories[row.category]["id"]
    return values


def _changes(row: RosterRow, reader: dict, categories: dict[str, dict]) -> bool:
    merged = _merged(row, reader, categories)
    return any(merged[field] != (reader[field] or "") for field in UPDATED) \
        or merged["category_id"] != reader["category_id"]


# ---- writing ----------------------------------------------------------------------------------

def _insert_many(table: str, columns: Sequence[str], rows: Sequence[tuple],
                 done: Callable[[int], None] = lambda n: None) -> None:
    """Multi-row INSERTs through the DB-API cursor, in chunks so progress can be told."""
    cursor = db.database.cursor()
    param, width = db.database.param, len(columns)
    one = "(" + ", ".join([param] * width) + ")"
    head = f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) VALUES '
    many = head + ", ".join([one] * ROWS_PER_STATEMENT)
    written = 0
    for chunk in _chunks(rows, PROGRESS_EVERY):
        whole = len(chunk) // ROWS_PER_STATEMENT * ROWS_PER_STATEMENT
        if whole:
            cursor.executemany(many, [tuple(v for row in chunk[i:i + ROWS_PER_STATEMENT] for v in row)
                                      for i in range(0, whole, ROWS_PER_STATEMENT)])
        if whole < len(chunk):
            cursor.executemany(head + one, list(chunk[whole:]))
        written += len(chunk)
        done(written)


def _insert_readers(actor: Staff, rows: list[RosterRow], categories: dict[str, dict], now: datetime,
                    done: Callable[[int], None]) -> list[str]:
    """New readers, each with a card (the file's, or the next of the series) and an "issued" event."""
    if not rows:
        return []
    today = local_date(now, library_settings.settings().timezone)
    at = now.isoformat(sep=" ")
    numbers = iter(_next_cards(sum(1 for r in rows if not r.card), {r.card for r in rows if r.card}))
    cards = [row.card or next(numbers) for row in rows]
    expiry = {code: add_years(today, c["card_years"]).isoformat() for code, c in categories.items()}
    _insert_many("patron", ("card", "name", "category_id", "department", "id_number", "phone", "email",
                            "expires_on", "status", "block_reason", "notes", "created_at"),
                 [(card, r.name, categories[r.category]["id"], r.department, r.id_number, r.phone, r.email,
                   expiry[r.category], "active", "", r.notes, at) for card, r in zip(cards, rows)], done)
    ids = dict(_select_in("SELECT card, id FROM patron WHERE card IN", cards))
    _insert_many("card_event", ("patron_id", "kind", "card", "at", "staff_id", "fee", "expires_on", "note"),
                 [(ids[card], "issued", card, at, actor.id, 0, expiry[r.category], "roster import")
                  for card, r in zip(cards, rows)])
    return cards


def _update_readers(updates: list[tuple[RosterRow, dict]], categories: dict[str, dict],
                    done: Callable[[int], None]) -> None:
    if not updates:
        return
    cursor = db.database.cursor()
    sql = db.sql("UPDATE patron SET name = ?, department = ?, phone = ?, email = ?, category_id = ? WHERE id = ?")
    for start, chunk in enumerate(_chunks(updates, PROGRESS_EVERY)):
        params = []
        for row, reader in chunk:
            v = _merged(row, reader, categories)
            params.append((v["name"], v["department"], v["phone"], v["email"], v["category_id"], reader["id"]))
        cursor.executemany(sql, params)
        done(start * PROGRESS_EVERY + len(chunk))


def _next_cards(count: int, taken: set[str]) -> list[str]:
    """`count` new card numbers from the library's series, after the highest ever issued.

    The series row is locked on PostgreSQL (SQLite holds the file lock) so two imports
    or registrations never hand out one number twice; a rolled-back import burns none.
    """
    if not count:
        return []
    rules = library_settings.settings().barcodes
    prefix = cards.series_prefix()
    row = db.execute_locked("SELECT n.last FROM number_series n WHERE n.name = ?", "n", cards.SERIES).fetchone()
    number = max(row[0] if row else 0, cards.highest_in_use(prefix))
    numbers = []
    while len(numbers) < count:
        number += 1
        card = library_barcode(prefix, number, rules)
        if card not in taken:
            numbers.append(card)
    if row is None:
        db.execute("INSERT INTO number_series (name, last) VALUES (?, ?)", cards.SERIES, number)
    else:
        db.execute("UPDATE number_series SET last = ? WHERE name = ?", number, cards.SERIES)
    return numbers
