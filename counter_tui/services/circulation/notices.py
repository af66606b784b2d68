"""Notices to readers: overdue notices at three levels, and hold-ready notices.

A loan reaches level 1, 2 or 3 when it is that many days overdue as its reader's
category says (notice1_days ...). Each level is sent once per loan: a Notice row
records it (unique per loan and level), so running the notices twice sends nothing
twice, nor two runs at once (the second waits for the first's row locks, then finds
nothing left to send). A loan that jumped
past a level (the notices were not run for a while) gets only the highest level it
has reached. Loans declared lost or claimed returned get no overdue notices.

Printed notices are letters as PDF (services/printing/documents.py), one file per reader
or one file for all (each letter on pages of its own), in the notices folder; nothing is
written to the database until they are produced.
"""
from __future__ import annotations

import os
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import peewee

from counter_tui import db
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.models import Hold, Loan, Staff
from counter_tui.services import access, audit, files, library_settings
from counter_tui.services.errors import Refusal
from counter_tui.services.printing import documents
from counter_tui.domain.plurals import counted

ENV_NOTICES = "COUNTER_TUI_NOTICES"
OVERDUE, HOLD_READY = "overdue", "hold ready"
LEVEL_NAMES = {1: "first reminder", 2: "second reminder", 3: "final notice"}


def notices_dir() -> Path:
    from counter_tui.services.files import files_root
    return Path(os.environ.get(ENV_NOTICES) or files_root() / "notices")


@dataclass(frozen=True)
class NoticeLine:
    """One thing a reader is told about: an overdue loan at a level, or a hold waiting."""
    kind: str
    level: int  # 1..3 for overdue; 0 for hold ready
    patron_id: int
    patron_name: str
    card: str
    email: str
    title: str
    barcode: str
    due: date | None = None  # overdue: the due day
    days_overdue: int = 0
    pickup_by: date | None = None  # hold ready: the last day it waits
    loan_id: int | None = None
    hold_id: int | None = None


def level_for(days_overdue: int, thresholds: tuple[int, int, int]) -> int:
    """The highest notice level reached: 0 when not yet at the first."""
    return max((level for level, days in enumerate(thresholds, start=1) if days_overdue >= days), default=0)


_OVERDUE = """SELECT l.id, l.due_at, p.id, p.name, p.card, p.email, b.title, i.barcode,
  c.notice1_days, c.notice2_days, c.notice3_days,
  (SELECT MAX(n.level) FROM notice n WHERE n.loan_id = l.id AND n.kind = 'overdue')
FROM loan l JOIN patron p ON p.id = l.patron_id JOIN patron_category c ON c.id = p.category_id
  JOIN item i ON i.id = l.item_id JOIN biblio b ON b.id = i.biblio_id
WHERE l.returned_at IS NULL AND l.lost_at IS NULL AND l.claimed_returned_at IS NULL AND l.due_at < ?
ORDER BY p.name, p.id, l.due_at"""

_HOLDS_READY = """SELECT h.id, h.pickup_by, p.id, p.name, p.card, p.email, b.title, i.barcode
FROM hold h JOIN patron p ON p.id = h.patron_id JOIN biblio b ON b.id = h.biblio_id
  LEFT JOIN item i ON i.id = h.item_id
WHERE h.status = 'ready'
  AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.hold_id = h.id AND n.kind = 'hold ready')
ORDER BY p.name, p.id, h.ready_at"""


def notices_due(actor: Staff, now: datetime | None = None) -> list[NoticeLine]:
    """What `produce` would send now, for the screen and `counter-tui notices --list`."""
    access.require(actor, "see the notices due", access.CIRCULATION, access.CURATOR)
    return due_notices(now)


def due_notices(now: datetime | None = None) -> list[NoticeLine]:
    """Every notice that is due and not yet sent, readers in name order."""
    now = now or utc_now()
    zone = library_settings.settings().timezone
    today = local_date(now, zone)
    lines: list[NoticeLine] = []
    for (loan_id, due_at, patron_id, name, card, email, title, barcode,
         n1, n2, n3, sent) in db.execute(_OVERDUE, now).fetchall():
        due = local_date(db.as_datetime(due_at), zone)
        days = (today - due).days
        level = level_for(days, (n1, n2, n3))
        if level and level > (sent or 0):
            lines.append(NoticeLine(OVERDUE, level, patron_id, name, card, email or "", title, barcode,
                                    due=due, days_overdue=days, loan_id=loan_id))
    for hold_id, pickup_by, patron_id, name, card, email, title, barcode in db.execute(_HOLDS_READY).fetchall():
        lines.append(NoticeLine(HOLD_READY, 0, patron_id, name, card, email or "", title, barcode or "",
                                pickup_by=db.as_date(pickup_by), hold_id=hold_id))
    lines.sort(key=lambda line: (line.patron_name, line.patron_id, line.kind != HOLD_READY, -line.level))
    return lines


@dataclass(frozen=True)
class Produced:
    files: tuple[Path, ...]
    readers: int
    notices: int


def produce(actor: Staff, *, one_sheet: bool = False, now: datetime | None = None,
            folder: Path | None = None) -> Produced:
    """Write the due notices as letters and record each as sent.

    The letters are drawn before the transaction (a hundred of them take seconds, and the
    other desks must not wait that long), which then checks that the same notices are
    still due (else they are drawn again) and records them. If recording fails, the
    letters are removed: a notice is recorded exactly when its letter exists.
    """
    now = now or utc_now()
    access.require(actor, "send notices to readers", access.CIRCULATION, access.CURATOR)
    folder = folder or notices_dir()
    for _ in range(3):
        lines = due_notices(now)
        if not lines:
            return Produced((), 0, 0)
        files.make_folder(folder)  # letters name readers: the folder is private, like them
        by_reader: dict[int, list[NoticeLine]] = defaultdict(list)
        for line in lines:
            by_reader[line.patron_id].append(line)
        letters = [letter(reader_lines, now, actor) for reader_lines in by_reader.values()]
        # a name of this run's own: a run at the same second must not write over, or remove, its letters
        stamp = f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        drafts = documents.Drafts()
        if one_sheet:
            path = folder / f"notices-{stamp}.pdf"
            drafts.write(path, letters)
            paths = {patron_id: path for patron_id in by_reader}
        else:
            paths = {}
            # numbered within the run: a file name carries no card number (nor anything else of the reader's)
            for number, (patron_id, document) in enumerate(zip(by_reader, letters), start=1):
                paths[patron_id] = folder / f"notice-{stamp}-{number}.pdf"
                drafts.write(paths[patron_id], [document])

        def work(lines=lines, paths=paths) -> Produced:
            _lock_what_they_are_about(lines)
            if due_notices(now) != lines:  # another desk sent some meanwhile
                raise _SentMeanwhile
            for line in lines:
                notice_id = db.execute(
                    "INSERT INTO notice (patron_id, kind, level, loan_id, hold_id, at, staff_id, file) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    line.patron_id, line.kind, line.level, line.loan_id, line.hold_id, now, actor.id,
                    str(paths[line.patron_id])).fetchone()[0]
                audit.record(actor, "notice.sent", "notice", notice_id, now,
                             new={"kind": line.kind, "level": line.level, "loan": line.loan_id,
                                  "hold": line.hold_id, "patron": line.patron_id})
            return Produced(tuple(dict.fromkeys(paths.values())), len(by_reader), len(lines))

        try:
            return drafts.kept_if(lambda: db.write(work))
        except (_SentMeanwhile, peewee.IntegrityError):  # the unique (loan, level) held against a run
            continue
    raise Refusal("Another desk is sending these notices at the same time; nothing was sent from here. "
                  "Try again in a moment.")


class _SentMeanwhile(Exception):
    """The notices due changed between drawing the letters and recording them."""


def _lock_what_they_are_about(lines: list[NoticeLine]) -> None:
    """Lock the loans and holds these notices are about, in id order, before checking that they are
    still due: a second run at the same moment waits here and then sees what this one recorded.

    PostgreSQL only: SQLite's IMMEDIATE transaction already holds the whole file.
    """
    if db.is_sqlite():
        return
    for model, ids in ((Loan, {line.loan_id for line in lines}), (Hold, {line.hold_id for line in lines})):
        ids.discard(None)
        if ids:
            list(model.select(model.id).where(model.id.in_(sorted(ids))).order_by(model.id).for_update())


def letter(lines: list[NoticeLine], now: datetime, actor: Staff) -> documents.Document:
    """One reader's letter: what is overdue (by level) and what waits for them, signed by the desk."""
    settings = library_settings.settings()
    first = lines[0]
    today = local_date(now, settings.timezone)
    particulars = [f"To: {first.patron_name}  (card {first.card})"]
    if first.email:
        particulars.append(f"    {first.email}")
    particulars.append(f"Date: {today.isoformat()}")
    ready = [line for line in lines if line.kind == HOLD_READY]
    overdue = [line for line in lines if line.kind == OVERDUE]
    level = max((line.level for line in overdue), default=0)
    blocks: list[str | documents.Table] = []
    totals = []
    if ready:
        blocks += ["Books you asked for are waiting for you at the desk:", documents.Table(
            (documents.Column("Title", 90), documents.Column("Barcode", 40), documents.Column("Waiting until", 44)),
            tuple((line.title, line.barcode, line.pickup_by.isoformat() if line.pickup_by else "")
                  for line in ready))]
        totals.append(("Books waiting for you", str(len(ready))))
    if overdue:
        blocks += [f"{LEVEL_NAMES[level].capitalize()}: these books are overdue. Please return or renew them.",
                   documents.Table(
                       (documents.Column("Title", 64), documents.Column("Barcode", 32), documents.Column("Due", 24),
                        documents.Column("Overdue", 20, "R"), documents.Column("Notice", 34)),
                       tuple((line.title, line.barcode, line.due.isoformat(), counted(line.days_overdue, "day"),
                              LEVEL_NAMES[line.level]) for line in overdue))]
        if level == 3:
            blocks.append("Books not returned after a final notice may be declared lost and charged.")
        totals.append(("Books overdue", str(len(overdue))))
    title = f"Overdue notice: {LEVEL_NAMES[level]}" if overdue else "Books waiting for you"
    return documents.Document(title, tuple(particulars), tuple(blocks), tuple(totals),
                              (documents.Signature("For the circulation desk", actor.full_name),), ("Thank you.",))
