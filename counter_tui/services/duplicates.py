"""Is this title already in the catalogue? One answer for the record form and the MARC import.

A duplicate is a title with the same ISBN (compared as 13 digits, so an ISBN-10 and its
ISBN-13 are the same book) or one whose title is nearly the same once case, punctuation,
spacing and full-width letters are set aside, by an author who is the same or compatible
(one blank, one containing the other, or the same names in another order).

Fast at 300,000 titles: the ISBN is an index lookup, and candidate titles come from the
catalogue's trigram search index (a few of the title's own words, ranked), never from
reading every title. The caller decides what to do with the candidates.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from stdnum import isbn as stdnum_isbn

from counter_tui import db
from counter_tui.services.catalogue_index import FTS_TABLE, fts_phrase, like_pattern

TITLE_RATIO = 0.9  # difflib ratio of the normalised titles
AUTHOR_RATIO = 0.85
CANDIDATE_LIMIT = 60  # titles read from the index for each check
SAME_ISBN = "same ISBN"
SIMILAR = "similar title and author"

_STOP_WORDS = frozenset("the and for with from les des der die das une und".split())


@dataclass(frozen=True)
class Candidate:
    biblio_id: int
    title: str
    author: str
    isbn: str | None
    year: int | None
    reason: str  # SAME_ISBN or SIMILAR


def normalise_isbn(raw: str | None) -> str | None:
    """The 13-digit ISBN for an ISBN-10 or ISBN-13 in any spelling, or None if it is not a valid one."""
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    try:
        compact = stdnum_isbn.validate(text)
    except Exception:
        return None
    if stdnum_isbn.isbn_type(compact) is None:
        return None
    return stdnum_isbn.to_isbn13(compact)


def normalise_text(text: str | None) -> str:
    """Case, punctuation, spacing and width set aside: '紅樓夢（上）' and '紅樓夢 (上)' agree."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        kept.append(" " if category[0] in "PSZC" else ch)
    return " ".join("".join(kept).split())


def similar_titles(a: str, b: str) -> bool:
    na, nb = normalise_text(a), normalise_text(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio() >= TITLE_RATIO


def compatible_authors(a: str, b: str) -> bool:
    """The same person or people, as far as a statement of responsibility tells."""
    na, nb = normalise_text(a), normalise_text(b)
    if not na or not nb:
        return True  # one record does not say: the title decides
    if na == nb or na in nb or nb in na:
        return True
    if sorted(na.split()) == sorted(nb.split()):
        return True  # "Cao Xueqin" and "Xueqin, Cao"
    return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio() >= AUTHOR_RATIO


def find_duplicates(title: str, author: str, isbn: str | None, *, exclude: int | None = None) -> list[Candidate]:
    """Titles already catalogued that may be this one: same ISBN first, then similar title and author.

    `exclude` leaves out the record being edited. Runs in the caller's connection or
    transaction; reads only.
    """
    found: dict[int, Candidate] = {}
    isbn13 = normalise_isbn(isbn)
    if isbn13:
        for row in db.execute("SELECT id, title, author, isbn, year FROM biblio WHERE isbn = ? ORDER BY id LIMIT 50",
                              isbn13):
            if row[0] != exclude:
                found[row[0]] = Candidate(row[0], row[1], row[2], row[3], row[4], SAME_ISBN)
    if normalise_text(title):
        for row in _title_candidates(title):
            if row[0] in found or row[0] == exclude:
                continue
            if similar_titles(title, row[1]) and compatible_authors(author, row[2]):
                found[row[0]] = Candidate(row[0], row[1], row[2], row[3], row[4], SIMILAR)
    return list(found.values())


# -- candidates from the search index ------------------------------------------------------

def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and ch.isalnum()


def title_pieces(title: str, limit: int = 8) -> list[str]:
    """Distinctive runs of the title to ask the trigram index for: long words, and CJK trigrams."""
    pieces: list[str] = []
    for word in normalise_text(title).split():
        runs = re.findall(r"[^\W\d_]+|\d+", word) if not any(_is_cjk(c) for c in word) else [word]
        for run in runs:
            if any(_is_cjk(c) for c in run):
                if len(run) >= 3:
                    step = max(1, (len(run) - 2) // 4)  # a few overlapping trigrams spread over the run
                    pieces += [run[i:i + 3] for i in range(0, len(run) - 2, step)]
            elif len(run) >= 3 and run not in _STOP_WORDS:
                pieces.append(run)
    unique = list(dict.fromkeys(pieces))
    unique.sort(key=len, reverse=True)  # longer runs are rarer
    return unique[:limit]


def _title_candidates(title: str) -> list[tuple]:
    pieces = title_pieces(title)
    columns = "b.id, b.title, b.author, b.isbn, b.year"
    if db.is_sqlite():
        if pieces:
            match = "title : (" + " OR ".join(fts_phrase(p) for p in pieces) + ")"
            return list(db.execute(
                f"SELECT {columns} FROM {FTS_TABLE} f JOIN biblio b ON b.id = f.rowid "
                f"WHERE {FTS_TABLE} MATCH ? ORDER BY f.rank LIMIT ?", match, CANDIDATE_LIMIT))
        # too short for a trigram (a one- or two-character title): titles containing it
        short = normalise_text(title)
        return list(db.execute(f"SELECT {columns} FROM biblio b WHERE b.title LIKE ? ESCAPE '\\' LIMIT ?",
                               like_pattern(short), CANDIDATE_LIMIT * 4))
    # PostgreSQL: pg_trgm's similarity, served by the GIN index on title
    if pieces:
        where = " OR ".join("b.title ILIKE ?" for _ in pieces)
        params = [like_pattern(p) for p in pieces]
        return list(db.execute(
            f"SELECT {columns} FROM biblio b WHERE {where} "
            "ORDER BY similarity(b.title, ?) DESC LIMIT ?", *params, title, CANDIDATE_LIMIT))
    return list(db.execute(f"SELECT {columns} FROM biblio b WHERE b.title ILIKE ? LIMIT ?",
                           like_pattern(normalise_text(title)), CANDIDATE_LIMIT * 4))
