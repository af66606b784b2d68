"""What a clerk may type into a reader's record, checked and tidied before it is stored.

Pure Python: every problem is a ValueError whose text is the sentence the clerk reads
(a FieldProblem naming the field, so that a form can put the cursor back in it).
The rules are loose on purpose (a phone number may have spaces, an e-mail address only
needs an @ and a dot after it): the form must stop garbage, not real people's details.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

NAME_MAX = 100
SHORT_MAX = 100  # department or class
ID_MAX = 40
PHONE_MAX = 30
EMAIL_MAX = 254
NOTES_MAX = 2000

_PHONE = re.compile(r"\+?[0-9 ()\-./]+(?:(?:ext\.?|x) ?[0-9]+)?", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_ID = re.compile(r"[0-9A-Z][0-9A-Z\-/]*")
_DAY = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})|([0-9]{4})([0-9]{2})([0-9]{2})")


class FieldProblem(ValueError):
    """A sentence about one field, named as ReaderFields names it."""

    def __init__(self, sentence: str, field: str) -> None:
        super().__init__(sentence)
        self.field = field


@dataclass(frozen=True)
class ReaderFields:
    """The details a clerk types for a reader; `category` is a category code."""
    name: str
    category: str
    department: str = ""
    id_number: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""


def _line(text: str, what: str, longest: int, field: str) -> str:
    """One line of ordinary text: whitespace collapsed, no control characters."""
    text = " ".join(unicodedata.normalize("NFC", text or "").split())
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise FieldProblem(f"The {what} contains characters that cannot be printed; type it again.", field)
    if len(text) > longest:
        raise FieldProblem(f"The {what} is {len(text)} characters long; at most {longest} fit.", field)
    return text


def clean_id_number(text: str) -> str:
    """One spelling per identity or student number: full-width digits and case undone."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).upper()


def clean(fields: ReaderFields) -> ReaderFields:
    """The fields as they will be stored; ValueError with a sentence for the first problem."""
    name = _line(fields.name, "name", NAME_MAX, "name")
    if not name:
        raise FieldProblem("A reader needs a name.", "name")
    if not any(ch.isalpha() for ch in name):
        raise FieldProblem(f"{name!r} is not a name: it has no letters.", "name")
    category = (fields.category or "").strip()
    if not category:
        raise FieldProblem("Choose the reader's category.", "category")
    department = _line(fields.department, "department or class", SHORT_MAX, "department")
    id_number = clean_id_number(fields.id_number)
    if id_number and (len(id_number) > ID_MAX or not _ID.fullmatch(id_number)):
        raise FieldProblem(f"{fields.id_number.strip()[:ID_MAX]!r} is not an identity number: "
                           f"use letters and digits only, at most {ID_MAX}.", "id_number")
    phone = _line(fields.phone, "phone number", PHONE_MAX, "phone")
    if phone and (not _PHONE.fullmatch(phone) or sum(ch.isdigit() for ch in phone) < 3):
        raise FieldProblem(f"{phone!r} is not a phone number: use digits, spaces, + and -.", "phone")
    email = _line(fields.email, "e-mail address", EMAIL_MAX, "email")
    if email and not _EMAIL.fullmatch(email):
        raise FieldProblem(f"{email!r} is not an e-mail address: it looks like name@example.org.", "email")
    notes = unicodedata.normalize("NFC", fields.notes or "").strip()
    if any(unicodedata.category(ch).startswith("C") and ch not in "\n\t" for ch in notes):
        raise FieldProblem("The notes contain characters that cannot be printed; type them again.", "notes")
    if len(notes) > NOTES_MAX:
        raise FieldProblem(f"The notes are {len(notes)} characters long; at most {NOTES_MAX} fit.", "notes")
    return replace(fields, name=name, category=category, department=department, id_number=id_number,
                   phone=phone, email=email, notes=notes)


def parse_day(text: str, what: str = "date") -> date | None:
    """A typed day (2026-12-31, 2026/12/31, 20261231) or None when left empty."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    match = _DAY.fullmatch(text)
    if match is None:
        raise ValueError(f"{text[:20]!r} is not a {what}: type it as year-month-day, e.g. 2026-12-31.")
    year, month, day = (int(g) for g in (match.groups()[:3] if match[1] else match.groups()[3:]))
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text} is not a day on the calendar.") from None


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
