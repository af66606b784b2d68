"""Is this title already in the catalogue? One answer for the record form and the MARC import.

A duplicate is a title with the same ISBN (compared as 13 digits, so an ISBN-10 and its
ISBN-13 are the same book) or one whose title is nearly the same once case, punctuation,
spacing and full-width letters are set aside, by an author who is the same or compatible
(one blank, one containing the other, or the same names in another order).

Numbers tell books apart where letters hardly do: titles whose numbers differ (第1卷 and
第2卷, 上册 and 下册, Vol. 1 and Vol. 2 or a title with a volume number and one without,
经济研究 2015年合订本 and 2019年合订本, 第2版 and 第3版, Part II and Part III) are never
"nearly the same", nor are two records with different years of publication or
different edition numbers when both say. A shared ISBN still means the same book unless
both titles name different volumes (a set catalogued volume by volume under one ISBN).

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


# -- numbers that tell books apart ------------------------------------------------------------

_CJK_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
               "八": 8, "九": 9}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000}
_CJK_NUMBER = "[0-9]+|[" + "".join(_CJK_DIGITS) + "".join(_CJK_UNITS) + "]+"
_VOLUME_UNITS = ("分册", "卷", "册", "冊", "辑", "輯", "集", "部", "编", "編", "篇", "季", "期", "号", "號")
_OTHER_UNITS = "章回届屆版讲講年月次"
_UNIT = "分册|[" + "".join(u for u in _VOLUME_UNITS if len(u) == 1) + _OTHER_UNITS + "]"
# 第2卷 第二册 第3版; 卷一; 全3册 十五讲 二〇一五年 (a bare number with a unit after it)
_CJK_DESIGNATION = re.compile(rf"第\s*(?P<ordinal>{_CJK_NUMBER})\s*(?P<ordinal_unit>{_UNIT})?"
                              rf"|卷\s*(?P<juan>{_CJK_NUMBER})"
                              rf"|(?P<count>{_CJK_NUMBER})\s*(?P<count_unit>{_UNIT})")
# 红楼梦（上）, 上册, 下卷, 中册: the volumes of a set of two or three
_CJK_PART = re.compile(r"(?:^|(?<=\s))(?P<alone>[上中下])(?=\s|$)|(?P<part>[上下](?=[册冊卷编編篇集部])|中(?=[册冊卷]))")
_WORD_NUMBERS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_WORD_NUMBERS.update({w: n for n, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split()) if n})
_VOLUME_WORDS = frozenset("vol vols volume volumes v part parts pt book bk tome tomo band bd teil livre no nr number "
                          "issue fasc".split())
_OTHER_WORDS = frozenset("chapter ch series ser episode ep edition ed".split())
_SPELLED_AFTER = frozenset("vol vols volume volumes part parts book tome series chapter episode edition".split())
_LATIN_DESIGNATION = re.compile(
    rf"\b(?P<word>{'|'.join(sorted(_VOLUME_WORDS | _OTHER_WORDS, key=len, reverse=True))})\s+"
    rf"(?P<number>[0-9]+|[ivxlcdm]+|{'|'.join(sorted(_WORD_NUMBERS, key=len, reverse=True))})\b")
_ORDINAL_BEFORE = re.compile(
    rf"\b(?P<number>{'|'.join(w for w, n in _WORD_NUMBERS.items() if w.endswith(('st', 'nd', 'rd', 'th')))})"
    r"\s+(?P<word>edition|ed|series|volume|vol|part|book|impression|printing)\b")
_ROMAN_ALONE = re.compile(r"\b(ii|iii|iv|vii|viii|ix|xii|xiii|xiv|xv|xvi|xvii|xviii|xix|xx)\b")  # not i, v, x, vi, xi: words too
_ROMAN = re.compile(r"m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})")
_ROMAN_VALUES = {"m": 1000, "d": 500, "c": 100, "l": 50, "x": 10, "v": 5, "i": 1}
_DIGITS = re.compile(r"[0-9]+")


def _cjk_int(text: str) -> int:
    if text.isdigit() and text.isascii():
        return int(text)
    if not any(ch in _CJK_UNITS for ch in text):  # 二〇一五: digit by digit
        return int("".join(str(_CJK_DIGITS[ch]) for ch in text))
    total = current = 0
    for ch in text:
        if ch in _CJK_DIGITS:
            current = _CJK_DIGITS[ch]
        else:
            total += (current or 1) * _CJK_UNITS[ch]
            current = 0
    return total + current


def _latin_int(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in _WORD_NUMBERS:
        return _WORD_NUMBERS[text]
    if _ROMAN.fullmatch(text):
        values = [_ROMAN_VALUES[ch] for ch in text]
        return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    return None


@functools.lru_cache(maxsize=8192)
def designations(text: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(every number the title or edition statement carries, the volume designations among them).

    Each sorted; a number is its value whatever the script ('第二卷', '第2卷', 'Vol. II' and
    'volume two' all say 2), the parts of a set are 上, 中 and 下.
    '经济研究 2015年合订本' -> (('2015',), ()); '红楼梦 第2卷' -> (('2',), ('2',)).
    """
    text = normalise_text(text)
    numbers = [str(int(d)) for d in _DIGITS.findall(text)]  # digits anywhere, once each
    volumes: list[str] = []
    for m in _CJK_DESIGNATION.finditer(text):
        raw = m.group("ordinal") or m.group("juan") or m.group("count")
        unit = m.group("ordinal_unit") if m.group("ordinal") else m.group("count_unit")
        if m.group("count") and raw.isdigit() and unit not in _VOLUME_UNITS:
            continue  # 2015年: already read as digits, and not a volume
        value = str(_cjk_int(raw))
        if not raw.isdigit():
            numbers.append(value)
        if m.group("juan") or unit in _VOLUME_UNITS:
            volumes.append(value)
    for m in _CJK_PART.finditer(text):
        part = m.group("alone") or m.group("part")
        numbers.append(part)
        volumes.append(part)
    taken: list[tuple[int, int]] = []
    for pattern in (_LATIN_DESIGNATION, _ORDINAL_BEFORE):
        for m in pattern.finditer(text):
            number, word = m.group("number"), m.group("word")
            value = _latin_int(number)
            if value is None or number in _WORD_NUMBERS and word not in _SPELLED_AFTER and pattern is _LATIN_DESIGNATION:
                continue  # "No One Belongs Here" names no issue
            taken.append(m.span())
            if not number.isdigit():
                numbers.append(str(value))
            if word in _VOLUME_WORDS:
                volumes.append(str(value))
    for m in _ROMAN_ALONE.finditer(text):
        if not any(start <= m.start() < end for start, end in taken):
            numbers.append(str(_latin_int(m.group(1))))
    return tuple(sorted(numbers)), tuple(sorted(volumes))


def different_volumes(a: str, b: str) -> bool:
    """Both titles name a volume, and not the same one: two books even under one ISBN."""
    va, vb = designations(a)[1], designations(b)[1]
    return bool(va) and bool(vb) and va != vb


def different_books(title_a: str, title_b: str, year_a: int | None = None, year_b: int | None = None,
                    edition_a: str | None = None, edition_b: str | None = None) -> bool:
    """Numbers that tell two nearly equal titles apart: in the titles, the years or the editions.

    The titles' numbers must be the same (a volume number on one only is a difference too);
    a year or an edition number known on one record only is no difference.
    """
    if designations(title_a)[0] != designations(title_b)[0]:
        return True
    if year_a and year_b and year_a != year_b:
        return True
    ea, eb = designations(edition_a)[0], designations(edition_b)[0]
    return bool(ea) and bool(eb) and ea != eb


def _at_least(a: str, b: str, ratio: float) -> bool:
    """difflib's ratio >= `ratio`, its two cheap upper bounds first (a MARC import checks thousands)."""
    total = len(a) + len(b)
    if 2 * min(len(a), len(b)) < ratio * total:  # difflib's real_quick_ratio, without building a matcher
        return False
    if 2 * sum((Counter(a) & Counter(b)).values()) < ratio * total:  # its quick_ratio
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= ratio


def find_duplicates(title: str, author: str, isbn: str | None, *, exclude: int | None = None,
                    year: int | None = None, edition: str | None = None,
                    before: int | None = None) -> list[Candidate]:
    """Titles already catalogued that may be this one: same ISBN first, then similar title and author.

    `exclude` leaves out the record being edited; `before` looks only at titles numbered up
    to it (those in the library when a MARC import began: the import judges its own
    records by the file's rule). `year` and `edition`, when known, tell apart titles that
    differ only in them (see different_books). Runs in the caller's connection or
    transaction; reads only.
    """
    found: dict[int, Candidate] = {}
    isbn13 = normalise_isbn(isbn)
    bound, bound_params = ("", []) if before is None else (" AND id <= ?", [before])
    if isbn13:
        for row in db.execute(f"SELECT id, title, author, isbn, year FROM biblio WHERE isbn = ?{bound} "
                              "ORDER BY id LIMIT 50", isbn13, *bound_params):
            if row[0] != exclude and not different_volumes(title, row[1]):
                found[row[0]] = Candidate(row[0], row[1], row[2], row[3], row[4], SAME_ISBN)
    if normalise_text(title):
        def same(row: tuple) -> bool:
            return (similar_titles(title, row[1]) and compatible_authors(author, row[2])
                    and not different_books(title, row[1], year, row[4], edition, row[5]))

        for row in _title_candidates(title, author, same, before):
            if row[0] in found or row[0] == exclude:
                continue
            if same(row):
                found[row[0]] = Candidate(row[0], row[1], row[2], row[3], row[4], SIMILAR)
    return list(found.values())


class TitleSet:
    """Titles held in memory (a MARC file's earlier records), checked by find_duplicates' rule.

    `find` answers as find_duplicates would if these titles were in the catalogue: the
    same ISBN, or a similar title by a compatible author that no number tells apart;
    with `similar=False` only the same title and author once normalised. Candidates come
    from an index of the titles' runs, built the first time a similar title is asked for.
    """

    def __init__(self) -> None:
        self.books: list[tuple] = []  # (key, title, author, isbn, year, edition)
        self.by_isbn: dict[str, list[int]] = {}
        self.by_text: dict[str, list[int]] = {}  # normalised title
        self.by_run: dict[str, set[int]] = {}
        self.indexed = 0  # books[:indexed] are in by_run

    def __len__(self) -> int:
        return len(self.books)

    def add(self, key, title: str, author: str, isbn: str | None, year: int | None, edition: str | None) -> None:
        n = len(self.books)
        self.books.append((key, title, author, normalise_isbn(isbn), year, edition))
        if self.books[n][3]:
            self.by_isbn.setdefault(self.books[n][3], []).append(n)
        self.by_text.setdefault(normalise_text(title), []).append(n)

    def find(self, title: str, author: str, isbn: str | None, year: int | None = None,
             edition: str | None = None, *, similar: bool = True) -> list[tuple[object, str]]:
        """(key, SAME_ISBN or SIMILAR) of the titles that may be this one, the earliest first."""
        found: dict[int, str] = {}
        isbn13 = normalise_isbn(isbn)
        for n in self.by_isbn.get(isbn13, ()) if isbn13 else ():
            if not different_volumes(title, self.books[n][1]):
                found[n] = SAME_ISBN
        text = normalise_text(title)
        if text:
            def same(n: int) -> bool:
                _, other, other_author, _, other_year, other_edition = self.books[n]
                if similar:
                    alike = similar_titles(title, other) and compatible_authors(author, other_author)
                else:
                    alike = normalise_text(other) == text and normalise_text(other_author) == normalise_text(author)
                return alike and not different_books(title, other, year, other_year, edition, other_edition)

            for n in (self._candidates(title, same) if similar else self.by_text.get(text, ())):
                if n not in found and same(n):
                    found[n] = SIMILAR
        return [(self.books[n][0], reason) for n, reason in sorted(found.items())]

    def _candidates(self, title: str, same) -> list[int]:
        """Titles holding every run of this one, or (none alike) all but one of its longest few."""
        pieces = title_pieces(title)
        if not pieces:
            return list(self.by_text.get(normalise_text(title), ()))
        for n in range(self.indexed, len(self.books)):
            for run in _index_runs(self.books[n][1]):
                self.by_run.setdefault(run, set()).add(n)
        self.indexed = len(self.books)
        found = self._holding(pieces)
        if len(pieces) > 1 and not any(same(n) for n in found):
            few = pieces[:FALLBACK_PIECES]
            for i in range(len(few)):
                found |= self._holding(few[:i] + few[i + 1:])
        return sorted(found)[-2 * CANDIDATE_LIMIT:]  # the latest, as many as the catalogue's check reads

    def _holding(self, pieces: list[str]) -> set[int]:
        sets = sorted((self.by_run.get(p, set()) for p in pieces), key=len)
        return set(sets[0]).intersection(*sets[1:]) if sets else set()


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


def _index_runs(title: str) -> set[str]:
    """Every run title_pieces could ask for that this title holds: its words, and all its CJK trigrams."""
    runs: set[str] = set()
    for word in normalise_text(title).split():
        if any(_is_cjk(c) for c in word):
            runs.update(word[i:i + 3] for i in range(len(word) - 2))
        else:
            runs.update(r for r in re.findall(r"[^\W\d_]+|\d+", word) if len(r) >= 3 and r not in _STOP_WORDS)
    return runs


def _title_candidates(title: str, author: str, same=None, before: int | None = None) -> list[tuple]:
    """Titles that contain the title's distinctive runs, by a compatible author.

    First every run (an unranked AND: a millisecond even for common words), then, when
    that finds no similar title, every run but one (one word changed, added or dropped).
    Ranking by relevance would cost fifty times more and is not needed: each candidate
    is compared with the title itself.
    """
    pieces = title_pieces(title)
    if not pieces:  # too short for a trigram (a one- or two-character title): titles containing it
        return _short_title_candidates(title, author, before)
    same = same or (lambda row: similar_titles(title, row[1]))
    found = _matching(pieces, [pieces], author, before=before)
    if len(pieces) > 1 and not any(same(row) for row in found):
        # A title with one of these runs changed still has all but one of the longest few:
        # every few-but-one of those finds it, at a fraction of the cost of all-but-one of all.
        few = pieces[:FALLBACK_PIECES]  # fewer runs a group match more titles: read more of them
        found += _matching(few, [few[:i] + few[i + 1:] for i in range(len(few))], author, 2 * CANDIDATE_LIMIT,
                           before=before)
    return found




def _author_filter(author: str) -> tuple[str, list]:
    """SQL keeping records whose author is blank or shares a name with `author` (none: no filter)."""
    names = author_names(author)
    if not names:
        return "", []
    op = "LIKE" if db.is_sqlite() else "ILIKE"
    tests = " OR ".join(f"b.author {op} ?" + (" ESCAPE '\\'" if db.is_sqlite() else "") for _ in names)
    return f" AND (b.author = '' OR {tests})", [like_pattern(n) for n in names]


def _matching(pieces: list[str], groups: list[list[str]], author: str, limit: int = CANDIDATE_LIMIT, *,
              before: int | None = None) -> list[tuple]:
    columns = "b.id, b.title, b.author, b.isbn, b.year, b.edition"
    who, who_params = _author_filter(author)
    if before is not None:
        who, who_params = who + " AND b.id <= ?", [*who_params, before]
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


def _short_title_candidates(title: str, author: str, before: int | None = None) -> list[tuple]:
    who, who_params = _author_filter(author)
    if before is not None:
        who, who_params = who + " AND b.id <= ?", [*who_params, before]
    op, escape = ("LIKE", " ESCAPE '\\'") if db.is_sqlite() else ("ILIKE", "")
    return list(db.execute(f"SELECT b.id, b.title, b.author, b.isbn, b.year, b.edition FROM biblio b "
                           f"WHERE b.title {op} ?{escape}{who} LIMIT ?",
                           like_pattern(normalise_text(title)), *who_params, CANDIDATE_LIMIT * 4))
