"""Finding readers by name, card or identity number, a page at a time, fast at 100,000 readers.

Pages are keyset pages: each page starts after the last (name, id) of the one before,
so page 500 costs what page 1 costs (OFFSET would walk every row before it). A name
prefix is a range of the name index; a few spellings of the typed case (wang, Wang,
WANG) are separate ranges, merged. Only when no name starts with the text does the
search fall back to names containing it, which has to read every name.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from counter_tui import db
from counter_tui.domain.barcodes import Kind, classify
from counter_tui.domain.reader_fields import clean_id_number
from counter_tui.models import Staff
from counter_tui.services import access, library_settings
from counter_tui.services.readers.privacy import PLACEHOLDER_PREFIX

COUNT_CAP = 1000  # "more than 1,000 readers" is all a clerk needs to know: type more of the name
LOOKUP_ROLES = (access.CIRCULATION, access.OFFICE, access.CURATOR)

_COLUMNS = ("SELECT p.id, p.name, p.card, c.name, p.department, p.status, p.expires_on "
            "FROM patron p JOIN patron_category c ON c.id = p.category_id")


@dataclass(frozen=True)
class ReaderRow:
    id: int
    name: str
    card: str
    category: str
    department: str
    status: str
    expires_on: date
    matched: str = "name"  # name, card, old card, identity number


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after this (name, id), searching the same way."""
    how: str  # prefix, contains, all
    name: str
    id: int


@dataclass(frozen=True)
class Page:
    rows: tuple[ReaderRow, ...]
    next: Cursor | None  # None: this is the last page
    how: str  # exact, prefix, contains, all, none
    total: int | None = None  # counted on the first page only, up to COUNT_CAP
    total_capped: bool = False  # there are more than COUNT_CAP


def search_page(actor: Staff | None, text: str, after: Cursor | None = None, page_size: int = 20) -> Page:
    """One page of readers matching `text`; the first page also counts them.

    A card (current or old) or identity number finds that reader only; otherwise names
    starting with the text, else names containing it. Empty text lists every reader.
    """
    access.require(actor, "look readers up", *LOOKUP_ROLES)
    page_size = max(1, min(int(page_size), 500))
    text = _tidy(text)
    if after is None:
        exact = _exact(text)
        if exact:
            return Page(rows=exact, next=None, how="exact", total=len(exact))
    if not text:
        return _page("all", text, after, page_size)
    if not any(ch.isalpha() for ch in text):  # a number that is no card or identity number: no name has it
        return Page(rows=(), next=None, how="none", total=0)
    if after is not None:
        return _page(after.how, text, after, page_size)
    page = _page("prefix", text, None, page_size)
    return page if page.rows else _page("contains", text, None, page_size)


def name_matches(text: str, limit: int) -> list[ReaderRow]:
    """Up to `limit` readers whose name starts with, or else contains, `text` (for the desk)."""
    text = _tidy(text)
    if not text:
        return []
    rows = _rows("prefix", text, None, limit)
    return rows or _rows("contains", text, None, limit)


# -- exact matches ------------------------------------------------------------------------

def _exact(text: str) -> tuple[ReaderRow, ...]:
    if not any(ch.isdigit() for ch in text):
        return ()
    found: dict[int, ReaderRow] = {}
    scan = classify(text, library_settings.settings().barcodes)
    if scan.kind in (Kind.PATRON, Kind.LEGACY):
        for row in db.execute(_COLUMNS + " WHERE p.card = ?", scan.code):
            found.setdefault(row[0], _row(row, "card"))
        old = (" WHERE p.id IN (SELECT e.patron_id FROM card_event e WHERE e.card = ?)")
        for row in db.execute(_COLUMNS + old, scan.code):
            found.setdefault(row[0], _row(row, "old card"))
    id_number = clean_id_number(text)
    if id_number:
        for row in db.execute(_COLUMNS + " WHERE p.id_number = ?", id_number):
            found.setdefault(row[0], _row(row, "identity number"))
    return tuple(found.values())


# -- pages of names -----------------------------------------------------------------------

def _page(how: str, text: str, after: Cursor | None, page_size: int) -> Page:
    rows = _rows(how, text, after, page_size + 1)  # one more tells whether a next page exists
    more = len(rows) > page_size
    rows = rows[:page_size]
    nxt = Cursor(how, rows[-1].name, rows[-1].id) if more else None
    total = capped = None
    if after is None:
        total = len(rows) if not more else _count(how, text)  # a first page not full needs no count
        capped = total > COUNT_CAP
        total = min(total, COUNT_CAP)
    return Page(rows=tuple(rows), next=nxt, how=how if rows else "none", total=total,
                total_capped=bool(capped))


# the anonymiser's stand-in readers ("Anonymised student") hold old loans, not people
_NOT_PLACEHOLDER = f"SUBSTR(p.card, 1, {len(PLACEHOLDER_PREFIX)}) <> '{PLACEHOLDER_PREFIX}'"


def _rows(how: str, text: str, after: Cursor | None, limit: int) -> list[ReaderRow]:
    ids_sql, params = _ids(how, text, after, limit)
    sql = (f"SELECT p.id, p.name, p.card, c.name, p.department, p.status, p.expires_on FROM ({ids_sql}) AS u "
           "JOIN patron p ON p.id = u.id JOIN patron_category c ON c.id = p.category_id "
           f"WHERE {_NOT_PLACEHOLDER} ORDER BY p.name, p.id LIMIT ?")
    return [_row(r) for r in db.execute(sql, *params, limit)]


def _count(how: str, text: str) -> int:
    ids_sql, params = _ids(how, text, None, COUNT_CAP + 1)
    return db.execute(f"SELECT COUNT(*) FROM ({ids_sql}) AS u JOIN patron p ON p.id = u.id "
                      f"WHERE {_NOT_PLACEHOLDER}", *params).fetchone()[0]


def _ids(how: str, text: str, after: Cursor | None, limit: int) -> tuple[str, list]:
    """SQL for the (id, name) of up to `limit` matches in name order after the cursor."""
    keyset, keyset_params = "", []
    if after is not None:
        keyset = " AND (p.name > ? OR (p.name = ? AND p.id > ?))"
        keyset_params = [after.name, after.name, after.id]
    if how == "prefix":
        parts, params = [], []
        for i, spelling in enumerate(_spellings(text)):
            end = spelling[:-1] + _after(spelling[-1])  # the first name past the prefix
            start = max(spelling, after.name) if after else spelling  # seek straight to the page
            parts.append(f"SELECT id, name FROM (SELECT p.id, p.name FROM patron p WHERE p.name >= ? "
                         f"AND p.name < ? AND SUBSTR(p.name, 1, ?) = ?{keyset} "
                         f"ORDER BY p.name, p.id LIMIT ?) AS s{i}")
            params += [start, end, len(spelling), spelling, *keyset_params, limit]
        return " UNION ".join(parts), params
    where, params = "1 = 1", []
    if how == "contains":
        # SQLite's LIKE ignores ASCII case already; PostgreSQL's ILIKE is slow, so only where case exists
        like = "LIKE" if db.is_sqlite() or text.lower() == text.upper() else "ILIKE"
        where, params = f"p.name {like} ? ESCAPE '!'", [f"%{_escape(text)}%"]
    if after is not None:
        where += " AND p.name >= ?"  # lets the name index seek to the page's start
        params.append(after.name)
    return (f"SELECT p.id, p.name FROM patron p WHERE {where}{keyset} ORDER BY p.name, p.id LIMIT ?",
            [*params, *keyset_params, limit])


def _tidy(text: str) -> str:
    """Whitespace collapsed; control characters (which PostgreSQL refuses in text) dropped."""
    text = "".join(ch for ch in (text or "") if ch.isprintable() or ch.isspace())
    return " ".join(text.split())[:100]


def _after(ch: str) -> str:
    following = ord(ch) + 1
    return chr(0xE000 if 0xD800 <= following < 0xE000 else min(following, 0x10FFFF))


def _spellings(text: str) -> list[str]:
    """The typed text and the ways names are usually written: Wang Fang, WANG FANG."""
    return list(dict.fromkeys([text, text.title(), text[:1].upper() + text[1:], text.lower(), text.upper()]))


def _escape(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _row(r, matched: str = "name") -> ReaderRow:
    expires = r[6] if isinstance(r[6], date) else date.fromisoformat(str(r[6])[:10])
    return ReaderRow(id=r[0], name=r[1], card=r[2], category=r[3], department=r[4] or "", status=r[5],
                     expires_on=expires, matched=matched)
