"""The catalogue (F6): finding titles, a title's record with its copies, and saving a record.

Search takes what the clerk types or scans into one line:
- an ISBN (EAN-13 978/979 from the book's barcode, ISBN-10 or ISBN-13 typed with or
  without hyphens), an ISSN or a periodical's EAN-13 (977), or a copy's barcode: that title;
- `t:` title, `a:` author, `s:` subject, `c:` call number, then words; a call number
  typed alone (I242.47, TP311, 813.54) finds the titles on that shelf;
- words: titles, authors and subjects containing every word, in any script, so 楼梦
  finds 红楼梦. Words of three characters or more use the trigram index; shorter ones
  are matched with LIKE among what the longer ones found (or, alone, among all titles,
  a page at a time).
Pages are keyset pages in catalogue order (by record number; a call number's titles
in shelf order), so any page costs what the first one does. The first page counts the
matches up to 1,000, except when only one- or two-character words were typed: counting
those would read every title. Anyone signed in may search; cataloguers and the curator may edit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn

from counter_tui import db
from counter_tui.domain import callnumbers
from counter_tui.domain.barcodes import Kind, classify, wrong_isbn_check_digit
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.domain.chinese import spellings
from counter_tui.domain.text import clean as clean_text
from counter_tui.models import Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.catalogue.search_index import FTS_TABLE, fts_phrase, like_pattern
from counter_tui.services.catalogue.duplicates import Candidate, find_duplicates, normalise_isbn
from counter_tui.services.errors import NotFound, PermissionDenied, Refusal

EDIT_ROLES = (access.CATALOGING, access.CURATOR)
COUNT_CAP = 1000
FIELDS = ("title", "author", "edition", "publisher", "year", "isbn", "issn", "language", "classification",
          "subjects")
NOT_HELD = ("withdrawn",)  # copies that no longer count among the library's holdings
_PREFIXES = {"t": "title", "a": "author", "s": "subjects", "c": "call number", "isbn": "isbn"}
_CALL_NUMBER = re.compile(r"^(?:[A-Z]{1,2}\d[\d.\-()=\"<>:]*(?:/\S*)?|\d{3}(?:\.\d+)?)$")


@dataclass(frozen=True)
class TitleRow:
    id: int
    title: str
    author: str
    year: int | None
    call_number: str
    available: int
    total: int
    location: str


@dataclass(frozen=True)
class Page:
    rows: tuple[TitleRow, ...]
    next: object | None  # where the next page starts (pass it back as `after`); None on the last page
    how: str  # isbn, issn, barcode, words, call number, all, none
    total: int | None = None  # counted on the first page only, up to COUNT_CAP
    total_capped: bool = False


@dataclass(frozen=True)
class Copy:
    id: int
    barcode: str
    status: str
    call_number: str
    location: str
    due: date | None  # local due date while on loan


@dataclass(frozen=True)
class Record:
    id: int
    title: str
    author: str
    edition: str
    publisher: str
    year: int | None
    isbn: str | None
    issn: str | None
    language: str
    classification: str
    subjects: str
    created_at: datetime | None
    copies: tuple[Copy, ...] = field(default=())

    @property
    def available(self) -> int:
        return sum(1 for c in self.copies if c.status in ("available", "shelving cart"))

    def values(self) -> dict[str, str]:
        """The record as the form shows it."""
        shown = {name: getattr(self, name) for name in FIELDS}
        if self.isbn and normalise_isbn(self.isbn):
            shown["isbn"] = stdnum_isbn.format(normalise_isbn(self.isbn))  # hyphens where the ranges put them
        return {name: "" if value is None else str(value) for name, value in shown.items()}


@dataclass(frozen=True)
class Saved:
    id: int
    created: bool


class PossibleDuplicates(Refusal):
    """The title may already be in the catalogue: the cataloguer chooses; nothing was saved."""

    bell = True

    def __init__(self, candidates: list[Candidate]):
        first = candidates[0]
        more = f" and {len(candidates) - 1} more" if len(candidates) > 1 else ""
        super().__init__(f"This may already be in the catalogue: {first.title} (record {first.biblio_id}, "
                         f"{first.reason}){more}.")
        self.candidates = candidates


def _require_signed_in(actor: Staff | None) -> None:
    """Anyone signed in may search; an account disabled meanwhile may not (read from the database)."""
    if not access.roles_of(actor):
        raise PermissionDenied("Sign in to search the catalogue.")
    access.require(actor, "search the catalogue", *access.ROLES)


# -- search -------------------------------------------------------------------------------

def search_page(actor: Staff | None, text: str, after=None, page_size: int = 20) -> Page:
    """One page of titles for what was typed or scanned; the first page also counts them."""
    _require_signed_in(actor)
    page_size = max(1, min(int(page_size), 500))
    text = " ".join((text or "").split())
    if not text:
        return _page("all", "1 = 1", [], after, page_size)
    field, words = _split_prefix(text)
    if field in (None, "isbn"):
        exact = _exact(words, field == "isbn")
        if exact is not None:
            return exact
    if field == "call number" or (field is None and _CALL_NUMBER.match(words.upper())):
        page = _call_number_page(words, after, page_size)
        if page.rows or field == "call number":
            return page
    return _words_page(field, words, after, page_size)


def _split_prefix(text: str) -> tuple[str | None, str]:
    head, sep, rest = text.partition(":")
    if sep and head.strip().lower() in _PREFIXES and rest.strip():
        return _PREFIXES[head.strip().lower()], rest.strip()
    return None, text


def _exact(text: str, isbn_only: bool) -> Page | None:
    """An ISBN, ISSN or copy barcode finds its titles at once; None when `text` is none of them."""
    isbn13 = normalise_isbn(text) if re.fullmatch(r"[\d\sXx\-]+", text) else None
    scan = classify(text, library_settings.settings().barcodes)
    if isbn13 is None and scan.kind is Kind.ISBN:
        isbn13 = scan.code
    if isbn13:
        return _fixed("isbn", "b.isbn = ?", [isbn13])
    wrong_check = wrong_isbn_check_digit(text)  # an ISBN but for its last digit: say so, never "no match"
    if isbn_only:
        raise Refusal(wrong_check or f"{text[:40]} is not a valid ISBN: check the digits.")
    if wrong_check and len(re.sub(r"[^\dXx]", "", text)) == 13:  # 978/979 and 13 digits: no copy's barcode
        raise Refusal(wrong_check)
    issn = None
    if scan.kind is Kind.SERIAL:  # 977 + the ISSN's seven digits + 00 + EAN check digit
        issn = scan.code[3:10] + stdnum_issn.calc_check_digit(scan.code[3:10])
    elif re.fullmatch(r"\d{4}-?\d{3}[\dXx]", text) and stdnum_issn.is_valid(text):
        issn = stdnum_issn.compact(text)
    if issn:
        formatted = stdnum_issn.format(issn)
        return _fixed("issn", "(b.issn = ? OR b.issn = ?)", [formatted, issn])
    if scan.kind in (Kind.ITEM, Kind.LEGACY) and any(ch.isdigit() for ch in text):
        page = _fixed("barcode", "b.id IN (SELECT i.biblio_id FROM item i WHERE i.barcode = ?)", [scan.code])
        if page.rows:
            return page
    if wrong_check:  # ten digits that are no copy's barcode: an ISBN-10 mistyped
        raise Refusal(wrong_check)
    return None


def _fixed(how: str, where: str, params: list) -> Page:
    ids = [r[0] for r in db.execute(f"SELECT b.id FROM biblio b WHERE {where} ORDER BY b.id LIMIT 101", *params)]
    rows = _title_rows(ids)
    return Page(rows=tuple(rows), next=None, how=how if rows else "none", total=len(rows))


def _call_number_page(text: str, after, page_size: int) -> Page:
    """Titles with a copy whose call number starts with `text`, in shelf order.

    A range of the shelf-order index on copies; pages follow the copies' (sort key, id),
    so a title whose copies stand under several call numbers shows at each."""
    scheme = library_settings.settings().call_numbers
    upper = text.upper()
    key = callnumbers.sort_key(upper, scheme)
    if scheme == "clc" and "/" not in upper:
        key = key[:-1]  # the class part's end mark: I24 takes in I242 and I247.57
    elif scheme == "dewey" and " " not in upper:
        key = key[:-2]  # the class's and the (absent) Cutter mark's end marks
    shelf = "i.call_sort >= ? AND i.call_sort < ? AND i.status <> 'withdrawn'"
    bounds = [key, _key_after(key)]
    ids: list[int] = []
    positions: list[tuple[str, int]] = []
    position = tuple(after) if after is not None else None
    while len(ids) <= page_size:
        keyset, keyset_params = "", []
        if position is not None:
            keyset = " AND (i.call_sort > ? OR (i.call_sort = ? AND i.id > ?))"
            keyset_params = [position[0], position[0], position[1]]
        batch = list(db.execute(f"SELECT i.call_sort, i.id, i.biblio_id FROM item i WHERE {shelf}{keyset} "
                                "ORDER BY i.call_sort, i.id LIMIT ?", *bounds, *keyset_params, 4 * page_size))
        for sort, item_id, biblio_id in batch:
            position = (sort, item_id)
            if biblio_id not in ids:
                ids.append(biblio_id)
                positions.append(position)
                if len(ids) > page_size:
                    break
        if len(batch) < 4 * page_size:
            break
    more = len(ids) > page_size
    ids, positions = ids[:page_size], positions[:page_size]
    total = capped = None
    if after is None:
        total = len(ids) if not more else db.execute(
            f"SELECT COUNT(*) FROM (SELECT DISTINCT i.biblio_id FROM item i WHERE {shelf} LIMIT ?) AS m",
            *bounds, COUNT_CAP + 1).fetchone()[0]
        capped = total > COUNT_CAP
        total = min(total, COUNT_CAP)
    rows = _title_rows(ids)
    return Page(rows=tuple(rows), next=positions[-1] if more else None, how="call number" if rows else "none",
                total=total, total_capped=bool(capped))


_KEY_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _key_after(prefix: str) -> str:
    """The smallest sort key after every key starting with `prefix` (keys use 0-9 and A-Z)."""
    chars = list(prefix)
    while chars:
        i = _KEY_CHARS.find(chars[-1])
        if 0 <= i < len(_KEY_CHARS) - 1:
            chars[-1] = _KEY_CHARS[i + 1]
            return "".join(chars)
        chars.pop()
    return "~"


def _words_page(field: str | None, text: str, after: int | None, page_size: int) -> Page:
    columns = {"title": ("title",), "author": ("author",), "subjects": ("subjects",)}.get(field or "",
                                                                                         ("title", "author", "subjects"))
    words = list(dict.fromkeys(text.replace('"', " ").split()))  # quotes are not part of a word
    if not words:
        return _page("all", "1 = 1", [], after, page_size)
    long = [w for w in words if len(w) >= 3]
    short = [w for w in words if len(w) < 3]
    where, params = [], []
    # each word in every spelling it may be catalogued in: simplified and traditional characters
    spelled = {word: spellings(word) for word in words}
    if not db.is_sqlite():
        for word in words:  # pg_trgm's GIN indexes serve ILIKE on each column
            where.append("(" + " OR ".join(f"b.{c} ILIKE ?" for c in columns for _ in spelled[word]) + ")")
            params += [like_pattern(s) for _ in columns for s in spelled[word]]
        return _page("words", " AND ".join(where), params, after, page_size)
    for word in short:  # shorter than a trigram: compared in each row (among what the longer words found)
        if word.isascii():
            where.append("(" + " OR ".join(f"b.{c} LIKE ? ESCAPE '\\'" for c in columns) + ")")
            params += [like_pattern(word)] * len(columns)
        else:  # no case to fold: instr is several times cheaper than LIKE
            where.append("(" + " OR ".join(f"instr(b.{c}, ?) > 0" for c in columns for _ in spelled[word]) + ")")
            params += [s for _ in columns for s in spelled[word]]
    if not long:
        # every row read until a page is found; counting would read them all, so it is left out
        return _page("words", " AND ".join(where), params, after, page_size, count=False)
    scope = columns[0] if len(columns) == 1 else "{" + " ".join(columns) + "}"
    match = " AND ".join(f"{scope} : (" + " OR ".join(fts_phrase(s) for s in spelled[w]) + ")" for w in long)
    # straight from the index in record order, so a page stops as soon as it is full
    source = f"{FTS_TABLE} f" + (" JOIN biblio b ON b.id = f.rowid" if where else "")
    return _page("words", " AND ".join([f"{FTS_TABLE} MATCH ?", *where]), [match, *params], after, page_size,
                 source=source, id_column="f.rowid")


def _page(how: str, where: str, params: list, after: int | None, page_size: int, count: bool = True,
          source: str = "biblio b", id_column: str = "b.id") -> Page:
    keyset = f" AND {id_column} > ?" if after is not None else ""
    keyset_params = [after] if after is not None else []
    ids = [r[0] for r in db.execute(
        f"SELECT {id_column} FROM {source} WHERE {where}{keyset} ORDER BY {id_column} LIMIT ?",
        *params, *keyset_params, page_size + 1)]
    more = len(ids) > page_size
    ids = ids[:page_size]
    rows = _title_rows(ids)
    total = capped = None
    if after is None and (count or not more):
        total = len(ids) if not more else db.execute(
            f"SELECT COUNT(*) FROM (SELECT {id_column} FROM {source} WHERE {where} LIMIT ?) AS m",
            *params, COUNT_CAP + 1).fetchone()[0]
        capped = total > COUNT_CAP
        total = min(total, COUNT_CAP)
    return Page(rows=tuple(rows), next=ids[-1] if more else None, how=how if rows else "none",
                total=total, total_capped=bool(capped))


def _title_rows(ids: list[int]) -> list[TitleRow]:
    """The titles with their copies counted: available of held, a call number and where they stand."""
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    copies = {row[0]: row[1:] for row in db.execute(
        "SELECT i.biblio_id, COUNT(*), SUM(CASE WHEN i.status IN ('available', 'shelving cart') THEN 1 ELSE 0 END), "
        "MIN(i.call_number), MIN(CASE WHEN i.status IN ('available', 'shelving cart') THEN i.location END), "
        "MIN(i.location), MAX(i.location) "
        f"FROM item i WHERE i.biblio_id IN ({marks}) AND i.status <> 'withdrawn' GROUP BY i.biblio_id", *ids)}
    rows = []
    found = {r[0]: r for r in db.execute(f"SELECT b.id, b.title, b.author, b.year FROM biblio b WHERE b.id IN ({marks})",
                                         *ids)}
    for bid, title, author, year in (found[i] for i in ids if i in found):  # in the order asked
        total, available, call_number, shelf, first, last = copies.get(bid, (0, 0, "", None, "", ""))
        location = shelf or first or ""
        if first != last:
            location += " +"  # copies stand in more than one place
        rows.append(TitleRow(bid, title, author or "", year, call_number or "", int(available or 0), total,
                             location))
    return rows


# -- a title's record ---------------------------------------------------------------------

def record(actor: Staff | None, biblio_id: int) -> Record:
    """The bibliographic record and every copy held, with due dates of those on loan."""
    _require_signed_in(actor)
    row = db.execute("SELECT id, title, author, edition, publisher, year, isbn, issn, language, classification, "
                     "subjects, created_at FROM biblio WHERE id = ?", biblio_id).fetchone()
    if row is None:
        raise NotFound(f"There is no catalogue record {biblio_id}.")
    zone = library_settings.settings().timezone
    copies = []
    for cid, barcode, status, call_number, location, due_at in db.execute(
            "SELECT i.id, i.barcode, i.status, i.call_number, i.location, l.due_at FROM item i "
            "LEFT JOIN loan l ON l.item_id = i.id AND l.returned_at IS NULL "
            "WHERE i.biblio_id = ? ORDER BY i.call_sort, i.barcode", biblio_id):
        due = None
        if due_at is not None:
            due_at = due_at if isinstance(due_at, datetime) else datetime.fromisoformat(str(due_at))
            due = local_date(due_at, zone)
        copies.append(Copy(cid, barcode, status, call_number or "", location or "", due))
    created = row[11]
    if created is not None and not isinstance(created, datetime):
        created = datetime.fromisoformat(str(created))
    return Record(*row[:11], created_at=created, copies=tuple(copies))


# -- saving a record ----------------------------------------------------------------------

def clean(values: dict[str, str], now: datetime | None = None) -> dict:
    """The record's fields checked and tidied, or a Refusal naming the first problem."""
    got = {name: clean_text(str(values.get(name) or "")) for name in FIELDS}
    if not got["title"]:
        raise Refusal("A record needs a title.")
    for name, limit in (("title", 500), ("author", 300), ("subjects", 500)):
        if len(got[name]) > limit:
            raise Refusal(f"The {name} is longer than {limit} characters; shorten it.")
    for name in ("edition", "publisher", "language", "classification"):
        if len(got[name]) > 200:
            raise Refusal(f"The {name} is longer than 200 characters; shorten it.")
    year = None
    if got["year"]:
        this_year = (now or utc_now()).year
        if not re.fullmatch(r"\d{4}", got["year"]) or not 1000 <= int(got["year"]) <= this_year + 1:
            raise Refusal(f"The year must be four digits, from 1000 to {this_year + 1}, like 2019.")
        year = int(got["year"])
    isbn = _clean_isbn(got["isbn"]) if got["isbn"] else None
    issn = _clean_issn(got["issn"]) if got["issn"] else None
    subjects = "; ".join(s.strip() for s in re.split(r"[;；]", got["subjects"]) if s.strip())
    return {**got, "year": year, "isbn": isbn, "issn": issn, "subjects": subjects}


def _clean_isbn(text: str) -> str:
    import unicodedata
    typed = unicodedata.normalize("NFKC", text)
    try:
        compact = stdnum_isbn.validate(typed)
    except stdnum_isbn.InvalidChecksum:
        raise Refusal(f"The check digit of ISBN {text} is wrong: check the number on the book.") from None
    except Exception:
        raise Refusal(f"{text} is not an ISBN: an ISBN has 10 or 13 digits (the last may be X).") from None
    if stdnum_isbn.isbn_type(compact) is None:  # an EAN-13 that is no book's
        raise Refusal(f"{text} is not an ISBN: an ISBN-13 starts with 978 or 979.")
    return stdnum_isbn.to_isbn13(compact)


def _clean_issn(text: str) -> str:
    import unicodedata
    typed = unicodedata.normalize("NFKC", text)
    try:
        return stdnum_issn.format(stdnum_issn.validate(typed))
    except stdnum_issn.InvalidChecksum:
        raise Refusal(f"The check digit of ISSN {text} is wrong: check the number on the issue.") from None
    except Exception:
        raise Refusal(f"{text} is not an ISSN: an ISSN has 8 characters, like 0317-8471.") from None


def save_biblio(actor: Staff | None, values: dict[str, str], biblio_id: int | None = None, *,
                confirmed: bool = False, now: datetime | None = None) -> Saved:
    """Create a record (biblio_id None) or change one, after the duplicate check.

    Raises PossibleDuplicates, saving nothing, when the same ISBN or a close title by a
    compatible author is already catalogued, unless `confirmed` (the cataloguer chose
    "save as a new record").
    """
    access.require(actor, "edit catalogue records", *EDIT_ROLES)
    now = (now or utc_now()).replace(microsecond=0)
    fields = clean(values, now)

    def save() -> Saved:
        old = None
        if biblio_id is not None:
            row = db.execute(f"SELECT {', '.join(FIELDS)} FROM biblio WHERE id = ?", biblio_id).fetchone()
            if row is None:
                raise NotFound(f"There is no catalogue record {biblio_id}.")
            old = dict(zip(FIELDS, row))
        if not confirmed:
            candidates = find_duplicates(fields["title"], fields["author"], fields["isbn"], exclude=biblio_id)
            if old is not None:  # an edit warns only about what it changes
                unchanged = (old["isbn"] == fields["isbn"] and old["title"] == fields["title"]
                             and old["author"] == fields["author"])
                candidates = [] if unchanged else candidates
            if candidates:
                raise PossibleDuplicates(candidates)
        if old is None:
            cursor = db.execute(
                "INSERT INTO biblio (title, author, edition, publisher, year, isbn, issn, language, classification, "
                "subjects, created_at, created_by_id, book_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')"
                + ("" if db.is_sqlite() else " RETURNING id"),
                *(fields[name] for name in FIELDS), now, actor.id)
            new_id = cursor.lastrowid if db.is_sqlite() else cursor.fetchone()[0]
            audit.record(actor, "biblio.create", "biblio", new_id, now, new=fields)
            return Saved(new_id, True)
        changed = {name: fields[name] for name in FIELDS if fields[name] != old[name]}
        if changed:
            assignments = ", ".join(f"{name} = ?" for name in changed)
            db.execute(f"UPDATE biblio SET {assignments} WHERE id = ?", *changed.values(), biblio_id)
            audit.record(actor, "biblio.update", "biblio", biblio_id, now,
                         old={name: old[name] for name in changed}, new=changed)
        return Saved(biblio_id, False)

    return db.write(save)
