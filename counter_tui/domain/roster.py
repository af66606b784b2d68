"""Reading a roster of readers (a CSV from the school office): no database here.

Schools export rosters from spreadsheets: UTF-8 (with or without Excel's BOM) or, on
Chinese Windows, GB18030; headers in English or Chinese; identity numbers that Excel
turned into 3.70102E+17. Every problem with a row becomes a `BadRow` naming its line,
so the clerk can fix the file; a problem with the whole file is a `RosterError`.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from counter_tui.domain.barcodes import BarcodeRules, Kind, classify
from counter_tui.domain.text import clean

# Longest value each field may hold: longer ones are pasted notes, not names.
LIMITS = {"name": 100, "id_number": 40, "department": 100, "category": 40, "phone": 40,
          "email": 254, "card": 40, "notes": 1000}
FIELD_WORDS = {"name": "name", "id_number": "identity number", "department": "class or department",
               "category": "category", "phone": "phone", "email": "email", "card": "card", "notes": "notes"}

# Header spellings, compared after `fold` (lower case, no spaces or punctuation).
HEADERS = {
    "name": ("name", "fullname", "readername", "studentname", "teachername", "姓名", "名字", "读者姓名",
             "学生姓名", "教师姓名"),
    "id_number": ("id", "idnumber", "idno", "identitynumber", "identity", "studentid", "studentnumber",
                  "studentno", "staffid", "staffnumber", "staffno", "employeeid", "employeenumber",
                  "teacherid", "学号", "工号", "身份证号", "身份证号码", "身份证", "证件号", "证件号码",
                  "学工号"),
    "department": ("class", "department", "dept", "faculty", "school", "form", "班级", "院系", "系",
                   "部门", "学院", "系别", "班别", "所在班级", "所在院系", "单位"),
    "category": ("category", "type", "readertype", "readercategory", "patrontype", "patroncategory", "role",
                 "类别", "读者类型", "读者类别", "类型", "身份"),
    "phone": ("phone", "mobile", "tel", "telephone", "phonenumber", "mobilephone", "电话", "手机", "手机号",
              "手机号码", "联系电话", "电话号码"),
    "email": ("email", "mail", "emailaddress", "邮箱", "电子邮箱", "电子邮件", "邮件"),
    "card": ("card", "cardnumber", "cardno", "cardbarcode", "librarycard", "barcode", "借书证号", "借书证",
             "读者证号", "读者证", "证号", "条码", "条码号"),
    "notes": ("notes", "note", "remark", "remarks", "comment", "备注", "说明"),
}
_HEADER_FIELD = {word: field for field, words in HEADERS.items() for word in words}

# Words for the standard categories (setup.CATEGORIES), besides each category's own code and name.
CATEGORY_WORDS = {
    "student": ("student", "students", "pupil", "学生", "本科生", "研究生"),
    "teacher": ("teacher", "teachers", "faculty", "教师", "老师"),
    "staff": ("staff", "employee", "职工", "员工", "工作人员"),
    "external": ("external", "externalreader", "visitor", "校外", "校外读者", "外部读者", "社会读者"),
}

_FOLD_OUT = re.compile(r"[\s_\-.·:：()（）/\\*#]+")
_EMAIL = re.compile(r"[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"'.]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{2,}(?:\s*(?:ext|x|转)\s*[0-9]+)?", re.IGNORECASE)
_EXCEL_NUMBER = re.compile(r"[0-9](?:\.[0-9]+)?E\+?[0-9]+", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not tab, LF or CR
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"))
_INVISIBLE_RE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]+")
# A roster of a large university (60,000 readers with every column) is about 5 MB. Larger files are
# refused before they are read whole: memory and time grow with the rows (a dry run and an import of
# 200,000 rows take a few seconds and a few hundred megabytes: benchmarks/bench_roster.py --bounds).
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
HEADER_SEARCH = 5  # a title line or two may stand above the header
LINES_NAMED = 5  # lines a bad row's reason names when a value is given on many


class RosterError(ValueError):
    """The file as a whole cannot be read; the message is the clerk's sentence."""


@dataclass(frozen=True)
class RosterRow:
    """One reader from the file; empty strings mean "not given" (an update keeps the old value)."""
    line: int
    name: str
    id_number: str
    category: str  # a category code of the library, "" when the file gave none
    department: str = ""
    phone: str = ""
    email: str = ""
    card: str = ""
    notes: str = ""


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str
    name: str = ""
    id_number: str = ""


@dataclass(frozen=True)
class Roster:
    encoding: str
    columns: tuple[tuple[str, str], ...]  # (header as written, field) for the columns used
    ignored: tuple[str, ...]  # headers that name no field
    rows: tuple[RosterRow, ...]
    bad: tuple[BadRow, ...]


def fold(text: str) -> str:
    """A header or category as compared: 'Student ID' -> 'studentid', '身份证号：' -> '身份证号'."""
    return _FOLD_OUT.sub("", unicodedata.normalize("NFKC", text).translate(_INVISIBLE)).casefold()


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and its encoding: UTF-8 (BOM or not), else GB18030, else a refusal."""
    check_size(len(data))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError("This is a spreadsheet workbook, not a CSV file: save it as "
                          "\"CSV UTF-8 (comma delimited)\" and import that.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterError("The file is UTF-16 text: save it as \"CSV UTF-8\" and import that.")
    text, encoding = _decoded(data)
    if _CONTROL.search(text):
        raise RosterError("The file holds binary data, not text: save it from the spreadsheet "
                          "as \"CSV UTF-8\" and import that.")
    # once for the whole file: zero-width spaces pasted from web pages, a second BOM
    return _INVISIBLE_RE.sub("", text), encoding


def check_size(size: int) -> None:
    """Refuse a file larger than a roster may be (MAX_BYTES), before it is read."""
    if size > MAX_BYTES:
        raise RosterError(f"The file is {size / 2 ** 20:,.1f} MB and a roster may be at most {MAX_BYTES // 2 ** 20} MB "
                          f"({MAX_ROWS:,} readers): split it into smaller files and import each; nothing was "
                          "imported.")


SAVE_AS_UTF8 = "save the whole file from the spreadsheet again as \"CSV UTF-8\" and import that"


def _decoded(data: bytes) -> tuple[str, str]:
    """The text and the one encoding of the whole file: UTF-8 (with or without a BOM), else GB18030.

    A file is one encoding or it is refused, naming the first line that breaks it: a school
    office that pastes rows from two exports makes a file whose first lines are UTF-8 and one
    line GB18030; read as GB18030 whole, its UTF-8 names turn into other characters (冯小 into
    鍐皬), and an import would rename known readers with them.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            line = next(n for n, kind in _line_encodings(data[3:]) if kind != "UTF-8")
            raise RosterError(f"The file says it is UTF-8 (it starts with a byte-order mark) but line {line} "
                              f"is not UTF-8: {SAVE_AS_UTF8}.") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    first: tuple[int, str] | None = None
    for line, kind in _line_encodings(data):
        if kind is None:
            raise RosterError(f"Line {line} of the file is neither UTF-8 nor GB18030 text: {SAVE_AS_UTF8}.")
        if first is None:
            first = (line, kind)
        elif kind != first[1]:
            raise RosterError(f"The file mixes two encodings: line {first[0]} is {first[1]} and line {line} is "
                              f"{kind}, so names would be garbled; nothing was imported. To keep one encoding, "
                              f"{SAVE_AS_UTF8}.")
    return data.decode("gb18030"), "gb18030"


def _line_encodings(data: bytes):
    """(line number, "UTF-8", "GB18030" or None for neither) of each line that is not plain ASCII.

    A line of GB18030 can be valid UTF-8 by chance (about one short Chinese name in fifty is),
    and a line of UTF-8 is nearly always valid GB18030, read as other characters. So a line
    that reads as UTF-8 counts as UTF-8 unless its GB18030 reading is all common characters
    (GB2312) while its UTF-8 reading is not all common Chinese characters: tried on 600,000
    generated lines of names and classes, this took no line for the other encoding.
    """
    for number, raw in enumerate(data.split(b"\n"), start=1):  # 0x0A is in no multi-byte character of either
        if raw.isascii():
            continue
        try:
            as_utf8 = raw.decode("utf-8")
        except UnicodeDecodeError:
            as_utf8 = None
        try:
            as_gb = raw.decode("gb18030")
        except UnicodeDecodeError:
            as_gb = None
        if as_utf8 is None:
            yield number, "GB18030" if as_gb is not None else None
        elif as_gb is not None and _common(as_gb) and not all(
                "\u4e00" <= c <= "\u9fff" and _common(c) for c in as_utf8 if not c.isascii()):
            yield number, "GB18030"
        else:
            yield number, "UTF-8"


def _common(text: str) -> bool:
    """Whether every character of the text is in GB2312 (the common simplified characters and symbols)."""
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _delimiter(first_line: str) -> str:
    # Excel writes ';' where the comma is the decimal mark, and some exports use tabs.
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _cell(value: str) -> str:
    value = clean(value, lines=True).strip()  # C1 codes and bidi controls out (C0 ones refuse the file)
    if len(value) >= 3 and value.startswith('="') and value.endswith('"'):
        value = value[2:-1].strip()  # Excel's way of keeping "0123" as text
    return value


def map_headers(header: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column index -> field, and the headers that name no field. Refuses ambiguous headers."""
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    ignored = []
    for index, title in enumerate(header):
        field = _HEADER_FIELD.get(fold(title))
        if field is None:
            if title.strip():
                ignored.append(title.strip())
            continue
        if field in seen:
            raise RosterError(f"Columns \"{seen[field]}\" and \"{title.strip()}\" both look like the "
                              f"{FIELD_WORDS[field]}: rename or delete one of them.")
        seen[field] = title.strip()
        mapping[index] = field
    return mapping, ignored


def _too_many_rows() -> None:
    raise RosterError(f"The file has more than {MAX_ROWS:,} rows and a roster may have at most {MAX_ROWS:,}: "
                      "split it into smaller files and import each; nothing was imported.")


def _find_header(records: list[tuple[int, list[str]]]) -> int:
    """Which of the first records is the header: the first that names a name and an id column."""
    for position, (_, cells) in enumerate(records[:HEADER_SEARCH]):
        fields = {_HEADER_FIELD.get(fold(c)) for c in cells}
        if {"name", "id_number"} <= fields:
            return position
    first = ", ".join(c.strip() for c in records[0][1] if c.strip())[:120] if records else ""
    raise RosterError("The file needs a header line naming at least the name and identity number columns "
                      f"(name/姓名 and id/学号/工号/身份证号); its first line is: {first or 'empty'}.")


def read_roster(data: bytes, categories: Mapping[str, str], default_category: str | None = None,
                rules: BarcodeRules = BarcodeRules()) -> Roster:
    """Every row of the file, checked on its own and against the other rows.

    `categories` maps folded category words to the library's category codes
    (see `category_words`); `default_category` (a code) is for rows that give none.
    Checks that need the database (known cards, known readers) are the service's.
    """
    import csv  # here, not at start-up: only an import needs it
    import io

    text, encoding = decode(data)
    delimiter = _delimiter(text.lstrip().partition("\n")[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        start = 1
        for cells in reader:
            if any(c.strip() for c in cells):
                records.append((start, cells))
                if len(records) > MAX_ROWS + HEADER_SEARCH:  # stop before the rows fill the memory
                    _too_many_rows()
            start = reader.line_num + 1  # a quoted cell may span lines: report where the row starts
    except csv.Error as exc:
        raise RosterError(f"Line {reader.line_num} of the file is not valid CSV ({exc}); "
                          "fix it or export the file again.") from None
    if not records:
        raise RosterError("The file is empty.")
    at = _find_header(records)
    if len(records) - at - 1 > MAX_ROWS:
        _too_many_rows()
    mapping, ignored = map_headers(records[at][1])
    if "category" not in mapping.values() and not default_category:
        raise RosterError("The file has no category column: choose the category of its readers "
                          "(for example student or teacher).")
    width = len(records[at][1])
    rows, bad = [], []
    for line, cells in records[at + 1:]:
        row_or_reason = _row(line, cells, width, mapping, categories, default_category, rules)
        if isinstance(row_or_reason, RosterRow):
            rows.append(row_or_reason)
        else:
            bad.append(row_or_reason)
    if not rows and not bad:
        raise RosterError("The file has a header but no readers.")
    rows, duplicates = _without_duplicates(rows)
    bad = sorted(bad + duplicates, key=lambda b: b.line)
    columns = tuple((records[at][1][i].strip(), field) for i, field in sorted(mapping.items()))
    return Roster(encoding, columns, tuple(ignored), tuple(rows), tuple(bad))


def _row(line: int, cells: list[str], width: int, mapping: dict[int, str], categories: Mapping[str, str],
         default_category: str | None, rules: BarcodeRules) -> RosterRow | BadRow:
    values = {field: _cell(cells[i]) if i < len(cells) else "" for i, field in mapping.items()}
    name = " ".join(values.get("name", "").split())
    id_number = unicodedata.normalize("NFKC", values.get("id_number", "")).replace(" ", "").upper()

    def bad(reason: str) -> BadRow:
        return BadRow(line, reason, name, id_number)

    extra = [c for c in cells[width:] if c.strip()]
    if extra:
        return bad(f"has {width + len(extra)} cells but the header names {width} columns "
                   "(a comma inside a name needs quotes)")
    if not name:
        return bad("no name")
    if not id_number:
        return bad("no identity number")
    if _EXCEL_NUMBER.fullmatch(id_number):
        return bad(f"identity number {id_number} was turned into a number by a spreadsheet: "
                   "format that column as text and export again")
    values["name"], values["id_number"] = name, id_number
    for field, value in values.items():
        if len(value) > LIMITS[field]:
            return bad(f"the {FIELD_WORDS[field]} is {len(value)} characters long; at most {LIMITS[field]} fit")
    category = values.get("category", "")
    if category:
        code = categories.get(category) or categories.get(fold(category))
        if code is None:
            known = ", ".join(sorted(set(categories.values())))
            return bad(f"unknown category \"{category}\" (the categories are {known})")
    elif default_category:
        code = default_category
    else:
        return bad("no category")
    email = unicodedata.normalize("NFKC", values.get("email", ""))
    if email and not _EMAIL.fullmatch(email):
        return bad(f"email \"{email}\" is not an email address")
    phone = unicodedata.normalize("NFKC", values.get("phone", ""))
    if phone and not _PHONE.fullmatch(phone):
        return bad(f"phone \"{phone}\" is not a phone number")
    card = values.get("card", "")
    if card:
        scan = classify(card, rules)
        if scan.kind is Kind.INVALID:
            return bad(f"card {card}: {scan.problem}")
        if scan.kind not in (Kind.PATRON, Kind.LEGACY):
            return bad(f"card {scan.code} is not a reader's card number (it reads as {scan.kind.value})")
        card = scan.code
    return RosterRow(line=line, name=name, id_number=id_number, category=code,
                     department=" ".join(values.get("department", "").split()), phone=phone, email=email,
                     card=card, notes=values.get("notes", ""))


def _without_duplicates(rows: list[RosterRow]) -> tuple[list[RosterRow], list[BadRow]]:
    """Rows whose identity number or card is also on another line: all of them are suspect."""
    lines_of: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        lines_of.setdefault(("identity number", row.id_number), []).append(row.line)
        if row.card:
            lines_of.setdefault(("card", row.card), []).append(row.line)
    clashes = {key: lines for key, lines in lines_of.items() if len(lines) > 1}
    if not clashes:
        return rows, []
    reason_for: dict[int, str] = {}
    for (what, value), lines in clashes.items():
        reason = f"{what} {value} is given {_times(lines)}"  # one sentence for all its lines: no copy per line
        for line in lines:
            reason_for.setdefault(line, reason)
    keep = [r for r in rows if r.line not in reason_for]
    bad = [BadRow(r.line, reason_for[r.line], r.name, r.id_number) for r in rows if r.line in reason_for]
    return keep, bad


def _times(lines: list[int]) -> str:
    """How often a value is given, and where: every line up to LINES_NAMED, then the first few and a count,
    so that a reason stays short however often the file repeats it (20,000 rows of one identity
    number once made 20,000 reasons of 20,000 line numbers each)."""
    if len(lines) <= LINES_NAMED:
        return f"more than once (lines {', '.join(map(str, lines))})"
    return (f"{len(lines):,} times (lines {', '.join(map(str, lines[:LINES_NAMED]))} "
            f"and {len(lines) - LINES_NAMED:,} more)")


def category_words(categories: Mapping[str, str]) -> dict[str, str]:
    """Folded words -> category code, from the library's categories (code -> name) and CATEGORY_WORDS."""
    words = {}
    for code, name in categories.items():
        for word in CATEGORY_WORDS.get(code, ()):
            words[fold(word)] = code
    for code, name in categories.items():  # the library's own codes and names win
        words[fold(name)] = code
        words[fold(code)] = code
    return words
