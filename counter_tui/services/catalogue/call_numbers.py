"""Call numbers: class number + book number + volume, and their shelf-order keys.

The scheme is the library's setting `call_numbers`: "clc" (Chinese Library
Classification, the default) or "dewey".

Book numbers belong to the title (Biblio.book_number); every copy of the title shares
them and a volume ("v.2", "2") tells the copies of a set apart. Two kinds:

* running number (种次号, the usual CLC practice): 1, 2, 3... within the class, one
  NumberSeries row per class named "book_number:<scheme>:<CLASS>". The series starts
  after the highest number already in use in the class (catalogued biblios and copies'
  call numbers), is advanced with UPDATE ... RETURNING inside the caller's
  transaction, and skips a number somebody typed in by hand, so a number is never
  handed out twice in a class, whatever the number of desks.
* author mark (the usual Dewey practice): a Cutter mark from the LC Cutter table
  (`domain.callnumbers.cutter`) followed by a work mark, the first letter of the
  title in lower case: Chekhov, "Three sisters" -> "C445t". When another title of the
  class already has it, a digit follows (C445t2, C445t3...). For CLC the author mark
  is the author's initials (surname first, capitals): "Austen, Jane" -> "AJ", with the
  same digit on a clash. Names that are not in Latin letters have no mark: they get a
  running number instead.

Use from other services (inside `db.write`):

    text, key = call_numbers.call_number_for(biblio, volume="v.2")
    item.call_number, item.call_sort = text, key

`call_number_for` assigns and stores the title's book number when it has none.
`compose(class, book_number, volume)` only composes (no writes). `assign_call_number`
(its own transaction, audited) gives an existing copy its call number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from counter_tui import db
from counter_tui.domain import callnumbers
from counter_tui.domain.calendar import utc_now
from counter_tui.domain.text import clean
from counter_tui.models import Biblio, Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.errors import Refusal

RUNNING, AUTHOR = "running", "author"
SERIES_PREFIX = "book_number:"
_FIRST_NUMBER = re.compile(r"\d+")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class CallNumber:
    text: str
    sort: str
    book_number: str
    assigned: bool  # True when the title's book number was handed out just now


def scheme() -> str:
    """The library's classification: "clc" or "dewey"."""
    value = (library_settings.settings().call_numbers or "clc").strip().lower()
    return value if value in callnumbers.SCHEMES else "clc"


def sort_key(call_number: str, scheme_name: str | None = None) -> str:
    """The shelf-order key of a call number in the library's scheme."""
    return callnumbers.sort_key(call_number, scheme_name or scheme()) if call_number.strip() else ""


def compose(class_number: str, book_number: str, volume: str = "",
            scheme_name: str | None = None) -> tuple[str, str]:
    """(call number, sort key) from its parts; pure, no writes. "" for both without a class."""
    if not (class_number or "").strip():
        return "", ""
    name = scheme_name or scheme()
    text = callnumbers.compose(normal_class(class_number), book_number or "", volume or "", name)
    return text, callnumbers.sort_key(text, name)


def normal_class(class_number: str) -> str:
    """The class number as filed: full-width forms made ASCII, upper case, no spaces."""
    return "".join(class_number.translate(callnumbers._ASCII_FORMS).split()).upper()


def default_kind(scheme_name: str) -> str:
    return AUTHOR if scheme_name == "dewey" else RUNNING


# ---- book numbers (inside the caller's transaction) ---------------------------------------------

def next_book_number(class_number: str, scheme_name: str | None = None) -> str:
    """The next running number in this class. Call inside a write transaction."""
    name = scheme_name or scheme()
    cls = normal_class(class_number)
    if not cls:
        raise Refusal("A title needs a class number before it can have a book number.")
    series = f"{SERIES_PREFIX}{name}:{cls}"[:250]
    if db.execute("SELECT last FROM number_series WHERE name = ?", series).fetchone() is None:
        db.execute("INSERT INTO number_series (name, last) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                   series, _highest_running(cls, name))
    while True:
        number = str(db.execute("UPDATE number_series SET last = last + 1 WHERE name = ? RETURNING last",
                                series).fetchone()[0])
        if not _book_number_taken(cls, number, name):
            return number


def author_mark(author: str, title: str, scheme_name: str | None = None) -> str:
    """The author mark of a title (no uniqueness check); "" when the name has no Latin letters."""
    name = scheme_name or scheme()
    surname, given = _name_parts(author)
    if not surname:
        return ""
    if name == "dewey":
        mark = callnumbers.cutter(surname)
        work = next((ch.lower() for ch in _filing_title(title) if ch.isascii() and ch.isalpha()), "")
        return mark + work
    return (surname[0] + (given[0] if given else "")).upper()


def book_number_for(biblio: Biblio, kind: str | None = None) -> tuple[str, bool]:
    """The title's book number, assigned and stored when it has none: (number, assigned now).

    Call inside a write transaction. Refuses when the title has no class number.
    """
    if (biblio.book_number or "").strip():
        return biblio.book_number.strip(), False
    name = scheme()
    cls = normal_class(biblio.classification or "")
    if not cls:
        raise Refusal(f"\"{_short(biblio.title)}\" has no class number yet; classify it first.")
    number = ""
    if (kind or default_kind(name)) == AUTHOR:
        mark = author_mark(biblio.author or "", biblio.title or "", name)
        if mark:
            number, suffix = mark, 1
            while _book_number_taken(cls, number, name, biblio.id):
                suffix += 1
                number = f"{mark}{suffix}"
    if not number:
        number = next_book_number(cls, name)
    db.execute("UPDATE biblio SET book_number = ? WHERE id = ?", number, biblio.id)
    biblio.book_number = number
    return number, True


def call_number_for(biblio: Biblio, volume: str = "", kind: str | None = None) -> tuple[str, str]:
    """(call number, sort key) of a copy of this title; assigns the book number if missing.

    Call inside a write transaction (it may store Biblio.book_number). A title without a
    class number gets ("", ""): the copy can be classified later.
    """
    if not normal_class(biblio.classification or ""):
        return "", ""
    number, _ = book_number_for(biblio, kind)
    return compose(biblio.classification, number, volume)


def assign_call_number(actor: Staff, item_id: int, volume: str | None = None, *, kind: str | None = None,
                       now: datetime | None = None) -> CallNumber:
    """Give a copy its call number from its title (its own transaction, audited).

    `volume` None keeps the copy's volume. Cataloguers only. Refuses, changing nothing,
    when the copy is unknown or its title has no class number.
    """
    access.require(actor, "assign call numbers", access.CATALOGING)
    now = now or utc_now()

    def run() -> CallNumber:
        row = db.execute("SELECT biblio_id, call_number, volume FROM item WHERE id = ?", item_id).fetchone()
        if row is None:
            raise Refusal(f"There is no copy with id {item_id}.")
        biblio_id, old_number, old_volume = row
        biblio = Biblio.get_by_id(biblio_id)
        new_volume = clean(old_volume if volume is None else volume)[:20]
        book_number, assigned = book_number_for(biblio, kind)
        text, key = compose(biblio.classification, book_number, new_volume)
        db.execute("UPDATE item SET call_number = ?, call_sort = ?, volume = ? WHERE id = ?",
                   text, key, new_volume, item_id)
        audit.record(actor, "item.call_number", "item", item_id, now,
                     old={"call_number": old_number, "volume": old_volume},
                     new={"call_number": text, "volume": new_volume})
        if assigned:
            audit.record(actor, "biblio.book_number", "biblio", biblio.id, now,
                         new={"class": normal_class(biblio.classification), "book_number": book_number})
        return CallNumber(text, key, book_number, assigned)

    return db.write(run)


# ---- helpers -----------------------------------------------------------------------------------

_KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _key_range(prefix: str) -> tuple[str, str]:
    """[low, high): every sort key that starts with `prefix` (keys use only 0-9 and A-Z)."""
    head = prefix
    while head and head[-1] == "Z":
        head = head[:-1]
    if not head:
        return prefix, "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"
    return prefix, head[:-1] + _KEY_ALPHABET[_KEY_ALPHABET.index(head[-1]) + 1]


def _class_key(cls: str, name: str) -> str:
    """The start of the sort key of every call number in this class (an indexed range)."""
    if name == "dewey":
        return callnumbers.dewey_sort_key(cls)[:-1]  # drop the "no Cutter mark" end
    return callnumbers.clc_sort_key(cls)


def _book_part(call_number: str, name: str) -> str:
    """The book number of a call number: "I247.5/12:2" -> "12", "813.54 C372 v.2" -> "C372"."""
    text = call_number.strip()
    if name == "dewey":
        words = callnumbers.spine_lines(text, "dewey")
        start = next((i for i, word in enumerate(words) if word[:1].isdigit()), None)
        return words[start + 1] if start is not None and start + 1 < len(words) else ""
    lines = callnumbers.spine_lines(text, "clc")
    return lines[1] if len(lines) > 1 else ""


def _highest_running(cls: str, name: str) -> int:
    highest = 0
    for (number,) in db.execute("SELECT book_number FROM biblio WHERE classification = ? AND book_number <> ''",
                                cls).fetchall():
        if number.strip().isdigit():
            highest = max(highest, int(number))
    # A book number of digits starts the rest of the key with "1" and its length, so the last
    # key of the class that starts that way is the copy with the highest number (one index step).
    numeric = _class_key(cls, name) + ("01" if name == "dewey" else "1")
    row = db.execute("SELECT call_number FROM item WHERE call_sort >= ? AND call_sort < ? "
                     "ORDER BY call_sort DESC LIMIT 1", *_key_range(numeric)).fetchone()
    if row is not None and _book_part(row[0], name).isdigit():
        highest = max(highest, int(_book_part(row[0], name)))
    return highest


def _book_number_taken(cls: str, number: str, name: str, other_than: int | None = None) -> bool:
    """Does another title of the class have this book number, in the catalogue or on a copy?"""
    if db.execute("SELECT 1 FROM biblio WHERE classification = ? AND book_number = ? AND id <> ?",
                  cls, number, other_than or 0).fetchone() is not None:
        return True
    # every copy's call number with this class and book number has this sort key at its start
    low, high = _key_range(callnumbers.sort_key(callnumbers.compose(cls, number, "", name), name))
    return db.execute("SELECT 1 FROM item WHERE call_sort >= ? AND call_sort < ? AND biblio_id <> ?",
                      low, high, other_than or 0).fetchone() is not None


def _name_parts(author: str) -> tuple[str, str]:
    """(surname, given name) of the first Latin-letter author: "Austen, Jane" or "Jane Austen"."""
    text = re.split(r"[;/]| and | & ", author or "")[0].strip()
    if not _LATIN.search(text):
        return "", ""
    text = re.sub(r"^(by|edited by|ed\.)\s+", "", text, flags=re.I)
    if "," in text:
        surname, given = (part.strip() for part in text.split(",", 1))
    else:
        words = text.split()
        surname, given = (words[-1], " ".join(words[:-1])) if words else ("", "")
    surname = "".join(ch for ch in surname if ch.isascii() and ch.isalpha())
    given = "".join(ch for ch in given if ch.isascii() and ch.isalpha())
    return surname, given


def _filing_title(title: str) -> str:
    words = (title or "").split()
    if words and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words)


def _short(title: str) -> str:
    return title if len(title) <= 40 else title[:39] + "…"
