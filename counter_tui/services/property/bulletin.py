"""The new-books bulletin: the copies catalogued in a period, title by title, grouped by class.

Drawn from the copies' `catalogued_at` (set by services/copies.py when a copy is received):
one entry per title with its call number, author, publisher, year and how many copies
went where. Classes are the main classes of the Chinese Library Classification (the
first letter; T and its two-letter subclasses are kept apart, as libraries shelve them).
`bulletin()` gives the data, `bulletin_lines()` the text of the proofreading view, and
`write_bulletin()` the PDF to print and post (services/printing/documents.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from counter_tui import db
from counter_tui.domain.calendar import end_of_local_day_utc
from counter_tui.models import Staff
from counter_tui.services import access, files, library_settings
from counter_tui.services.property import accessions
from counter_tui.services.printing import documents, slips

ROLES = (access.CATALOGING, access.CURATOR)

CLC_MAIN_CLASSES = {
    "A": "Marxism, Leninism, Mao Zedong Thought, Deng Xiaoping Theory", "B": "Philosophy and religion",
    "C": "Social sciences", "D": "Politics and law", "E": "Military science", "F": "Economics",
    "G": "Culture, science, education and sport", "H": "Languages", "I": "Literature", "J": "Art",
    "K": "History and geography", "N": "Natural sciences", "O": "Mathematics, physics and chemistry",
    "P": "Astronomy and earth sciences", "Q": "Biology", "R": "Medicine and health", "S": "Agriculture",
    "T": "Industrial technology", "TB": "General industrial technology", "TD": "Mining",
    "TE": "Petroleum and natural gas", "TF": "Metallurgy", "TG": "Metalworking", "TH": "Machinery",
    "TJ": "Weapons", "TK": "Energy and power", "TL": "Nuclear technology", "TM": "Electrical engineering",
    "TN": "Electronics and telecommunications", "TP": "Automation and computer technology",
    "TQ": "Chemical industry", "TS": "Light industry and handicrafts", "TU": "Building science",
    "TV": "Water conservancy", "U": "Transport", "V": "Aviation and spaceflight",
    "X": "Environmental science and safety", "Z": "General works",
}


@dataclass(frozen=True)
class Entry:
    biblio_id: int
    call_number: str
    title: str
    author: str
    publisher: str
    year: int | None
    isbn: str
    copies: int
    locations: str


@dataclass(frozen=True)
class ClassGroup:
    code: str
    name: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Bulletin:
    since: date
    until: date
    groups: tuple[ClassGroup, ...]

    @property
    def titles(self) -> int:
        return sum(len(g.entries) for g in self.groups)

    @property
    def copies(self) -> int:
        return sum(e.copies for g in self.groups for e in g.entries)


def main_class(classification: str) -> str:
    text = (classification or "").strip().upper()
    if not text or not ("A" <= text[0] <= "Z"):
        return "?"
    if text[0] == "T" and len(text) > 1 and text[:2] in CLC_MAIN_CLASSES:
        return text[:2]
    return text[0]


def utc_bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """Naive UTC [start, end] of the local days since..until."""
    zone = library_settings.settings().timezone
    return end_of_local_day_utc(since - timedelta(days=1), zone) + timedelta(seconds=1), end_of_local_day_utc(until, zone)


def bulletin(actor: Staff, since: date, until: date) -> Bulletin:
    """The titles whose copies were catalogued from `since` to `until` (local days, inclusive)."""
    access.require(actor, "make the new-books bulletin", *ROLES)
    if until < since:
        raise ValueError("the period ends before it starts")
    start, end = utc_bounds(since, until)
    rows = db.execute(
        "SELECT b.id, b.classification, b.title, b.author, b.publisher, b.year, COALESCE(b.isbn, ''), "
        "i.call_number, i.call_sort, i.location FROM item i JOIN biblio b ON b.id = i.biblio_id "
        "WHERE i.catalogued_at >= ? AND i.catalogued_at <= ? AND i.status <> 'withdrawn' "
        "ORDER BY i.call_sort, i.accession_number", start, end).fetchall()
    titles: dict[int, dict] = {}
    for biblio_id, cls, title, author, publisher, year, isbn, call, sort, location in rows:
        entry = titles.setdefault(biblio_id, dict(cls=cls, title=title, author=author, publisher=publisher,
                                                  year=year, isbn=isbn, call=call, sort=sort, locations={}))
        entry["locations"][location] = entry["locations"].get(location, 0) + 1
    groups: dict[str, list[tuple[str, Entry]]] = {}
    for biblio_id, e in titles.items():
        call = e["call"].rsplit("/", 1)[0] if e["call"].count("/") >= 2 else e["call"]  # without the volume
        where = ", ".join(f"{place or 'no location'} {n}" for place, n in e["locations"].items())
        groups.setdefault(main_class(e["cls"] or e["call"]), []).append(
            (e["sort"], Entry(biblio_id, call, e["title"], e["author"], e["publisher"], e["year"], e["isbn"],
                              sum(e["locations"].values()), where)))
    out = [ClassGroup(code, CLC_MAIN_CLASSES.get(code, "Not yet classified"),
                      tuple(entry for _, entry in sorted(items, key=lambda pair: (pair[0], pair[1].title))))
           for code, items in sorted(groups.items(), key=lambda kv: (kv[0] == "?", kv[0]))]
    return Bulletin(since, until, tuple(out))


def bulletin_lines(data: Bulletin) -> list[str]:
    """The bulletin as printed: a heading per class, an entry of two or three lines per title."""
    width = accessions.PAGE
    out = [library_settings.settings().library_name, "NEW BOOKS", f"Catalogued {data.since.isoformat()} to {data.until.isoformat()}: "
           f"{data.titles} titles, {data.copies} copies", "=" * width]
    if not data.groups:
        out.append("No copies were catalogued in this period.")
    for group in data.groups:
        out += ["", f"{group.code}  {group.name}", "-" * width]
        for n, entry in enumerate(group.entries, 1):
            head = f"{n:>3}. {entry.title}"
            if entry.author:
                head += f" / {entry.author}"
            out += slips.wrap(head, width)
            imprint = ", ".join(p for p in (entry.publisher, str(entry.year or "")) if p)
            detail = f"     {entry.call_number:<20} {imprint}"
            if entry.isbn:
                detail += f"  ISBN {entry.isbn}"
            out += slips.wrap(detail, width)
            out.append(f"     {entry.copies} cop{'y' if entry.copies == 1 else 'ies'}: {entry.locations}")
    return out


def bulletin_document(data: Bulletin) -> documents.Document:
    """The bulletin as printed: a table of titles under a heading per class, and the totals."""
    columns = (documents.Column("No.", 8, "R"), documents.Column("Title / author", 62),
               documents.Column("Call number", 24), documents.Column("Publisher, year, ISBN", 40),
               documents.Column("Copies", 13, "R"), documents.Column("Where", 27))
    rows: list[tuple[str, ...] | str] = []
    for group in data.groups:
        rows.append(f"{group.code}  {group.name}")
        for n, entry in enumerate(group.entries, 1):
            imprint = ", ".join(p for p in (entry.publisher, str(entry.year or "")) if p)
            if entry.isbn:
                imprint += ("\n" if imprint else "") + f"ISBN {entry.isbn}"
            title = f"{entry.title} / {entry.author}" if entry.author else entry.title
            rows.append((str(n), title, entry.call_number, imprint, str(entry.copies), entry.locations))
    blocks: tuple[str | documents.Table, ...] = ((documents.Table(columns, tuple(rows)),) if rows else
                                                   ("No copies were catalogued in this period.",))
    return documents.Document(
        "New books",
        (f"Catalogued {data.since.isoformat()} to {data.until.isoformat()}: {data.titles} titles, "
         f"{data.copies} copies",),
        blocks,
        (("Titles", str(data.titles)), ("Copies", str(data.copies))))


def write_bulletin(actor: Staff, since: date, until: date) -> tuple[Bulletin, Path]:
    data = bulletin(actor, since, until)
    # the same period made again is a new file beside the first, which is never written over
    path = files.fresh_path(accessions.documents_dir("bulletins"), f"new-books-{since.isoformat()}-to-{until.isoformat()}",
                            ".pdf")
    documents.write(path, [bulletin_document(data)])
    return data, path
