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
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from stdnum import isbn as stdnum_isbn

from counter_tui import db
from counter_tui.services.catalogue.search_index import FTS_TABLE, fts_phrase, like_pattern

TITLE_RATIO = 0.9  # difflib ratio of the normalised titles
AUTHOR_RATIO = 0.85
CANDIDATE_LIMIT = 200  # titles read from the index for each check, at most
FALLBACK_PIECES = 4  # the longest runs asked again, all but one at a time, when none matched all
SAME_ISBN = "same ISBN"
SIMILAR = "similar title and author"

_ROLE_WORDS = frozenset("著 编 主编 编著 译 等 撰 绘 选编 整理 校注 注 ed eds by and trans tr".split())
_CJK_ROLES = sorted((w for w in _ROLE_WORDS if not w.isascii()), key=len, reverse=True)
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


@functools.lru_cache(maxsize=4096)  # pure; an import compares each title with dozens of candidates
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
    return _at_least(na, nb, TITLE_RATIO)


def compatible_authors(a: str, b: str) -> bool:
    """The same person or people, as far as a statement of responsibility tells."""
    na, nb = normalise_text(a), normalise_text(b)
    if not na or not nb:
        return True  # one record does not say: the title decides
    if na == nb or na in nb or nb in na:
        return True
    names_a, names_b = set(author_names(a)), set(author_names(b))
    if names_a and names_b and (names_a <= names_b or names_b <= names_a):
        return True  # "Cao Xueqin" and "Xueqin, Cao"; "曹雪芹编著" and "曹雪芹 著"
    return _at_least(na, nb, AUTHOR_RATIO)


def author_names(author: str) -> list[str]:
    """The names in a statement of responsibility without roles: '曹雪芹著' and '曹雪芹 著' give ['曹雪芹']."""
    names = []
    for word in normalise_text(author).split():
        for role in _CJK_ROLES:
            if word.endswith(role) and len(word) > len(role) + 1:
                word = word[: -len(role)]
                break
        if word not in _ROLE_WORDS and len(word) >= 2:
            names.append(word)
    return names


def _at_least(a: str, b: str, ratio: float) -> bool:
    """difflib's ratio >= `ratio`, its two cheap upper bounds first (a MARC import checks thousands)."""
    total = len(a) + len(b)
    if 2 * min(len(a), len(b)) < ratio * total:  # difflib's real_quick_ratio, without building a matcher
        return False
    if 2 * sum((Counter(a) & Counter(b)).values()) < ratio * total:  # its quick_ratio
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= ratio


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
        for row in _title_candidates(title, author):
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


def _title_candidates(title: str, author: str) -> list[tuple]:
    """Titles that contain the title's distinctive runs, by a compatible author.

    First every run (an unranked AND: a millisecond even for common words), then, when
    that finds no similar title, every run but one (one word changed, added or dropped).
    Ranking by relevance would cost fifty times more and is not needed: each candidate
    is compared with the title itself.
    """
    pieces = title_pieces(title)
    if not pieces:  # too short for a trigram (a one- or two-character title): titles containing it
        return _short_title_candidates(title, author)
    found = _matching(pieces, [pieces], author)
    if len(pieces) > 1 and not any(similar_titles(title, row[1]) for row in found):
        # A title with one of these runs changed still has all but one of the longest few:
        # every few-but-one of those finds it, at a fraction of the cost of all-but-one of all.
        few = pieces[:FALLBACK_PIECES]  # fewer runs a group match more titles: read more of them
        found += _matching(few, [few[:i] + few[i + 1:] for i in range(len(few))], author, 2 * CANDIDATE_LIMIT)
    return found




def _author_filter(author: str) -> tuple[str, list]:
    """SQL keeping records whose author is blank or shares a name with `author` (none: no filter)."""
    names = author_names(author)
    if not names:
        return "", []
    op = "LIKE" if db.is_sqlite() else "ILIKE"
    tests = " OR ".join(f"b.author {op} ?" + (" ESCAPE '\\'" if db.is_sqlite() else "") for _ in names)
    return f" AND (b.author = '' OR {tests})", [like_pattern(n) for n in names]


def _matching(pieces: list[str], groups: list[list[str]], author: str, limit: int = CANDIDATE_LIMIT) -> list[tuple]:
    columns = "b.id, b.title, b.author, b.isbn, b.year"
    who, who_params = _author_filter(author)
    if db.is_sqlite():
        match = "title : (" + " OR ".join("(" + " AND ".join(fts_phrase(p) for p in group) + ")"
                                          for group in groups) + ")"
        return list(db.execute(
            f"SELECT {columns} FROM {FTS_TABLE} f JOIN biblio b ON b.id = f.rowid "
            f"WHERE {FTS_TABLE} MATCH ?{who} LIMIT ?", match, *who_params, limit))
    # PostgreSQL: ILIKE on each run, served by pg_trgm's GIN index on title
    where = " OR ".join("(" + " AND ".join("b.title ILIKE ?" for _ in group) + ")" for group in groups)
    params = [like_pattern(p) for group in groups for p in group]
    return list(db.execute(f"SELECT {columns} FROM biblio b WHERE ({where}){who} LIMIT ?",
                           *params, *who_params, limit))


def _short_title_candidates(title: str, author: str) -> list[tuple]:
    who, who_params = _author_filter(author)
    op, escape = ("LIKE", " ESCAPE '\\'") if db.is_sqlite() else ("ILIKE", "")
    return list(db.execute(f"SELECT b.id, b.title, b.author, b.isbn, b.year FROM biblio b "
                           f"WHERE b.title {op} ?{escape}{who} LIMIT ?",
                           like_pattern(normalise_text(title)), *who_params, CANDIDATE_LIMIT * 4))
