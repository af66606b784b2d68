"""The accession register: every copy received, its number, day, source and price.

Lines are written by services/copies.py when a copy is received and never edited. The
register balances with the write-offs: holdings (copies not withdrawn) equal accessions
minus write-off lines, by count and by value; `balance()` gives the figures and
`balance_problems()` is the check that `counter-tui check` runs.

A line's source is one of domain/acquisition_sources.py's list. Lines written before the
list was enforced may say something else ("45"); `check` names them (`unknown_sources`) and
`correct_source` puts a known source in their place, once, audited. A known source is
never changed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from counter_tui import db
from counter_tui.domain import acquisition_sources
from counter_tui.domain.calendar import utc_now
from counter_tui.domain.item_status import ItemStatus
from counter_tui.models import Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.errors import NotFound, Refusal

ROLES = (access.CATALOGING, access.CURATOR)
PERIODS = ("day", "month", "year")
WITHDRAWN = ItemStatus.WITHDRAWN.value
ENV_DOCUMENTS = "COUNTER_TUI_PROPERTY_DOCS"  # the folder for certificates, transfer lists and bulletins (PDF)
PAGE = 76  # columns of a line of the bulletin's proofreading view (fits an 80-column screen)


def documents_dir(kind: str) -> Path:
    """Where the cataloguing office's documents of one kind are written (made on demand, private)."""
    from counter_tui.services import files
    return files.make_folder(Path(os.environ.get(ENV_DOCUMENTS) or files.files_root() / "property") / kind)


def local_time(at: datetime) -> datetime:
    aware = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return aware.astimezone(library_settings.settings().timezone)


@dataclass(frozen=True)
class RegisterLine:
    number: int
    received_on: date
    source: str
    price: int
    barcode: str
    title: str
    call_number: str
    withdrawn_by: int | None  # the write-off certificate's number, if written off


@dataclass(frozen=True)
class Total:
    period: str  # "2026", "2026-11" or "2026-11-25"
    source: str
    copies: int
    value: int
    known: bool = True  # False: a source outside the list (check names the lines; correct_source fixes them)


@dataclass(frozen=True)
class Balance:
    accessions: int
    accession_value: int
    written_off: int
    written_off_value: int
    holdings: int
    holdings_value: int

    @property
    def ok(self) -> bool:
        return (self.accessions - self.written_off == self.holdings
                and self.accession_value - self.written_off_value == self.holdings_value)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _received_between(since: date | None, until: date | None, alias: str = "") -> tuple[list[str], list]:
    """SQL conditions (and their parameters) for lines received in the period; open ends are left out."""
    where, params = [], []
    if since:
        where.append(f"{alias}received_on >= ?")
        params.append(since)
    if until:
        where.append(f"{alias}received_on <= ?")
        params.append(until)
    return where, params


_LINES = ("SELECT a.number, a.received_on, a.source, a.price, i.barcode, b.title, i.call_number, w.number "
          "FROM accession a JOIN item i ON i.id = a.item_id JOIN biblio b ON b.id = i.biblio_id "
          "LEFT JOIN write_off_line l ON l.item_id = a.item_id LEFT JOIN write_off w ON w.id = l.write_off_id")


def _register_line(row) -> RegisterLine:
    number, on, source, price, barcode, title, call_number, withdrawn_by = row
    return RegisterLine(number, _day(on), source, price, barcode, title, call_number, withdrawn_by)


def register(actor: Staff, since: date | None = None, until: date | None = None, source: str = "",
             after_number: int = 0, limit: int = 200) -> list[RegisterLine]:
    """A page of the register in number order, from the line after `after_number`."""
    access.require(actor, "read the accession register", *ROLES)
    where, params = _received_between(since, until, "a.")
    where.append("a.number > ?")
    params.append(after_number)
    if source:
        where.append("a.source = ?")
        params.append(source_of(source))
    rows = db.execute(f"{_LINES} WHERE {' AND '.join(where)} ORDER BY a.number LIMIT ?", *params, limit).fetchall()
    return [_register_line(row) for row in rows]


def totals(actor: Staff, since: date | None = None, until: date | None = None,
           period: str = "month") -> list[Total]:
    """Copies and value received, by period and source (in the list's order), in period order; a grand
    total line last. A source outside the list is a line of its own with `known` False."""
    access.require(actor, "read the accession register", *ROLES)
    if period not in PERIODS:
        raise ValueError(f"period is one of {', '.join(PERIODS)}")
    where, params = _received_between(since, until)
    where.append("1 = 1")
    rows = db.execute(f"SELECT received_on, source, COUNT(*), SUM(price) FROM accession WHERE {' AND '.join(where)} "
                      "GROUP BY received_on, source", *params).fetchall()
    width = {"day": 10, "month": 7, "year": 4}[period]
    grouped: dict[tuple[str, str], list[int]] = {}
    for on, source, count, value in rows:
        key = (_day(on).isoformat()[:width], source)
        slot = grouped.setdefault(key, [0, 0])
        slot[0] += count
        slot[1] += value or 0
    ordered = sorted(grouped.items(), key=lambda kv: (kv[0][0], acquisition_sources.order(kv[0][1]), kv[0][1]))
    out = [Total(p, s, c, v, s in acquisition_sources.SOURCES) for (p, s), (c, v) in ordered]
    out.append(Total("total", "", sum(t.copies for t in out), sum(t.value for t in out)))
    return out


def source_of(text: str) -> str:
    """A source of acquisition as the register writes it; a Refusal naming the choices otherwise."""
    try:
        return acquisition_sources.source_of(text)
    except ValueError as exc:
        raise Refusal(str(exc), field="source") from None


def _unknown_source_sql() -> tuple[str, tuple[str, ...]]:
    return f"a.source NOT IN ({', '.join('?' for _ in acquisition_sources.SOURCES)})", acquisition_sources.SOURCES


def next_unknown_source(actor: Staff, after_number: int = 0) -> RegisterLine | None:
    """The first register line after `after_number` (else the first of all) whose source is not a known one."""
    access.require(actor, "read the accession register", *ROLES)
    where, params = _unknown_source_sql()
    for after in (after_number, 0):
        row = db.execute(f"{_LINES} WHERE {where} AND a.number > ? ORDER BY a.number LIMIT 1",
                         *params, after).fetchone()
        if row is not None:
            return _register_line(row)
    return None


def unknown_sources() -> list[str]:
    """Register lines whose source is not one of the known sources, as `check` reports them."""
    where, params = _unknown_source_sql()
    rows = db.execute(f"SELECT a.number, a.source, i.barcode FROM accession a JOIN item i ON i.id = a.item_id "
                      f"WHERE {where} ORDER BY a.number", *params).fetchall()
    return [f"register line {number} (copy {barcode}) has the source '{source}', not one of "
            f"{acquisition_sources.choices()}: S in the accession register (F9, A) corrects it"
            for number, source, barcode in rows]


def source_kept(number: int, source: str) -> str:
    """Why a line with a known source is not corrected."""
    return (f"Register line {number} says '{source}', a known source: a register line is never edited, "
            "only a source outside the list is corrected.")


def correct_source(actor: Staff, number: int, source: str, now: datetime | None = None) -> str:
    """Put a known source on a register line (and its copy) that has an unknown one; returns the source.

    Only a line outside the list is corrected, once: a known source is never changed.
    The old and new source go to the audit trail. Cataloguers and the curator only.
    """
    now = now or utc_now()
    access.require(actor, "correct the accession register", *ROLES)
    new = source_of(source)

    def work() -> str:
        row = db.execute("SELECT id, item_id, source FROM accession WHERE number = ?", number).fetchone()
        if row is None:
            raise NotFound(f"The register has no line {number}.")
        line_id, item_id, old = row
        if old in acquisition_sources.SOURCES:
            raise Refusal(source_kept(number, old))
        db.execute("UPDATE accession SET source = ? WHERE id = ?", new, line_id)
        db.execute("UPDATE item SET source = ? WHERE id = ?", new, item_id)
        audit.record(actor, "accession.source", "accession", line_id, now, old={"source": old}, new={"source": new})
        return new

    return db.write(work)


def balance() -> Balance:
    """Accessions, write-offs and holdings, by count and by value (minor units)."""
    acc = db.execute("SELECT COUNT(*), COALESCE(SUM(price), 0) FROM accession").fetchone()
    off = db.execute("SELECT COUNT(*), COALESCE(SUM(price), 0) FROM write_off_line").fetchone()
    held = db.execute("SELECT COUNT(*), COALESCE(SUM(COALESCE(price, 0)), 0) FROM item WHERE status <> ?",
                      WITHDRAWN).fetchone()
    return Balance(acc[0], int(acc[1]), off[0], int(off[1]), held[0], int(held[1]))


def balance_problems() -> list[str]:
    """Why the books and the accounts disagree (empty when holdings = accessions - write-offs)."""
    b = balance()
    problems = []
    if not b.ok:
        problems.append(
            f"holdings {b.holdings} copies worth {b.holdings_value} are not accessions {b.accessions} "
            f"({b.accession_value}) minus write-offs {b.written_off} ({b.written_off_value})")
    queries = [
        ("SELECT i.barcode FROM item i LEFT JOIN accession a ON a.item_id = i.id WHERE a.id IS NULL",
         "copy {} has no line in the accession register"),
        ("SELECT i.barcode FROM item i JOIN accession a ON a.item_id = i.id WHERE a.number <> i.accession_number",
         "copy {} has an accession number other than its register line's"),
        ("SELECT i.barcode FROM item i JOIN accession a ON a.item_id = i.id "
         "WHERE i.status <> 'withdrawn' AND COALESCE(i.price, 0) <> a.price",
         "copy {} has a price other than its register line's"),
        ("SELECT i.barcode FROM item i LEFT JOIN write_off_line l ON l.item_id = i.id "
         "WHERE i.status = 'withdrawn' AND l.id IS NULL",
         "copy {} is withdrawn without a write-off certificate"),
        ("SELECT i.barcode FROM item i JOIN write_off_line l ON l.item_id = i.id WHERE i.status <> 'withdrawn'",
         "copy {} is on a write-off certificate but not withdrawn"),
        ("SELECT i.barcode FROM write_off_line l JOIN item i ON i.id = l.item_id "
         "JOIN accession a ON a.item_id = l.item_id WHERE a.price <> l.price OR a.number <> l.accession_number",
         "copy {} was written off at a price or number other than its register line's"),
        ("SELECT w.number FROM write_off w LEFT JOIN (SELECT write_off_id, COUNT(*) AS n, SUM(price) AS v "
         "FROM write_off_line GROUP BY write_off_id) t ON t.write_off_id = w.id "
         "WHERE w.copies <> COALESCE(t.n, 0) OR w.value <> COALESCE(t.v, 0)",
         "write-off certificate {} does not add up to its lines"),
    ]
    for sql, sentence in queries:
        problems += [sentence.format(row[0]) for row in db.execute(sql).fetchall()]
    return problems
