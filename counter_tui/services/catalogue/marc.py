"""MARC 21 import and export: ISO 2709 and MARCXML files in, catalogue records and copies out.

Import (`import_marc`): every record of the file is read on its own, so a broken one
(cut short, a damaged directory, no title) is rejected with its record number and the
reason while the rest go on. Leader/09 says MARC-8 (blank) or UTF-8 ('a'), but files
lie: a record flagged MARC-8 whose bytes are valid UTF-8 with non-ASCII characters is
read as UTF-8, and one flagged UTF-8 that is not valid UTF-8 is read as MARC-8; the
report notes each. Koha's 952 fields (items) become copies, each with the next
accession number and a line in the accession register; a copy whose barcode is bad or
already in the library is left out and reported, and the record is imported without it.
What pymarc mends while reading a record (missing or extra indicators, a subfield code
that is not ASCII, a MARC-8 character it cannot read) goes to the report, one line per
record, never to the terminal.

Duplicates follow one policy for the whole file: "skip" the record, "add-copies" (its
952 copies go to the record already there), or import it as a "new" record anyway. Each
is listed in the report with the record it matched. A record is a duplicate of a title
the library held when the import began (services/catalogue/duplicates.py: the same ISBN,
or a similar title by a compatible author, numbers, years and editions agreeing), or of
an earlier record of the file by the same rule, unless the two carry different control
numbers (001, with 003): those are two records of the catalogue the file came from, kept
apart as it kept them, so an export imports back whole. The import never takes its own
records for the library's, so a dry run, which writes nothing, answers exactly what the
import will do.

Records are written 500 to a transaction with plain SQL (Peewee's query building
would cost more than the writes). A record is checked completely before its batch is
written, so nothing half-writes; if the database refuses a batch anyway, that batch is
written again record by record and only the refused record is rejected. A dry run does
every check and writes nothing. One audit event per batch says what it added.

The stored MARC (Biblio.marc) is the record as read, in UTF-8 ISO 2709, without its 952
fields: the copies live in the item table. Export (`export_marc`) starts from it (or
builds a record from the catalogue's fields when there is none), brings the fields the
catalogue may have changed since up to date, and adds one 952 per copy, so an exported
file imports back to the same data.
"""
from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
import unicodedata
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from pymarc import Field, Indicators, Leader, Record, Subfield, XMLWriter
from pymarc.exceptions import PymarcException
from stdnum import issn as stdnum_issn

from counter_tui import db
from counter_tui.domain.barcodes import Kind, classify
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.domain.money import parse_money
from counter_tui.domain.text import clean
from counter_tui.models import Staff
from counter_tui.services import access, audit, files, library_settings
from counter_tui.services.catalogue import call_numbers, duplicates
from counter_tui.services.errors import Refusal
from counter_tui.services.files import write_atomically

ROLES = (access.CATALOGING, access.CURATOR)
BATCH = 500  # records per transaction
POLICIES = ("skip", "add-copies", "new")
# What makes a record a duplicate of one in the library: the same ISBN or a similar title by
# a compatible author (services/duplicates.py), or the same ISBN only (a migration into a
# library whose titles all came from the same file; about ten times faster on a large
# catalogue). Within the file the same rule holds, except that "isbn" still counts the same
# title and author; records with different control numbers never count.
MATCHES = ("isbn-or-title", "isbn")
COPY_STATUSES = {"available": "available", "in-processing": "in processing"}
FORMATS = ("iso2709", "marcxml")
MAX_ISO_RECORD = 99_999  # ISO 2709's five-digit record length

END_OF_FIELD = b"\x1e"
END_OF_RECORD = b"\x1d"
SUBJECT_TAGS = ("600", "610", "611", "630", "650", "651")
_TRAILING = " /:;,=."
_YEAR = re.compile(r"(1[0-9]{3}|20[0-9]{2})")
_AMOUNT = re.compile(r"[0-9]+(?:[.,][0-9]+)?")
_MARCXML_NS = "http://www.loc.gov/MARC21/slim"

Progress = Callable[[int, int], None]


# ---- the report --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Duplicate:
    number: int  # record number in the file
    title: str
    matched: str  # "record 12 of this file" or "title 345: Its title"
    reason: str
    action: str


@dataclass
class ImportReport:
    source: str
    format: str
    dry_run: bool
    policy: str
    status: str
    match: str = "isbn-or-title"
    read: int = 0  # records found in the file (good or bad)
    imported: list[tuple[int, int | None, str]] = field(default_factory=list)  # number, biblio id, title
    duplicates: list[Duplicate] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # number, reason
    copies_added: int = 0
    copies_rejected: list[tuple[int, str, str]] = field(default_factory=list)  # number, barcode, reason
    notes: list[tuple[int, str]] = field(default_factory=list)  # number (0: the whole file), note
    warnings: list[tuple[int, str]] = field(default_factory=list)  # number, what pymarc said reading it

    @property
    def nothing_read(self) -> bool:
        """No record of the file could be read at all: the command's exit status says so."""
        return self.read == 0 or len(self.rejected) == self.read and not self.imported and not self.duplicates

    @property
    def summary(self) -> str:
        would = "would be " if self.dry_run else ""
        return (f"{_count(self.read, 'record')} read: {len(self.imported)} {would}imported, "
                f"{len(self.duplicates)} duplicate, {len(self.rejected)} rejected; "
                f"{_count(self.copies_added, 'copy', 'copies')} {would}added, "
                f"{len(self.copies_rejected)} left out.")

    def lines(self) -> list[str]:
        head = "MARC import (dry run: nothing was written)" if self.dry_run else "MARC import"
        would = "would be " if self.dry_run else ""
        out = [head, f"File: {self.source} ({'MARCXML' if self.format == 'marcxml' else 'ISO 2709'})",
               f"Duplicates: {self.policy} (matched by {self.match.replace('-', ' ')}); "
               f"new copies: {self.status}",
               f"Records: {self.read} read, {len(self.imported)} {would}imported, {len(self.duplicates)} duplicate, "
               f"{len(self.rejected)} rejected",
               f"Copies: {self.copies_added} {would}added, {len(self.copies_rejected)} left out"]
        if self.rejected:
            out += ["", "Rejected records:"]
            out += [f"  record {n}: {reason}" for n, reason in self.rejected]
        if self.duplicates:
            out += ["", "Duplicates:"]
            out += [f"  record {d.number} \"{_short(d.title)}\": {d.reason} as {d.matched}; {d.action}"
                    for d in self.duplicates]
        if self.copies_rejected:
            out += ["", "Copies left out:"]
            out += [f"  record {n}, barcode {code or '(none)'}: {reason}" for n, code, reason in self.copies_rejected]
        if self.notes:
            out += ["", "Notes:"]
            out += [f"  {'file' if n == 0 else f'record {n}'}: {note}" for n, note in self.notes]
        if self.warnings:
            out += ["", "Read with warnings (pymarc mended what it could):"]
            out += [f"  record {n}: {said}" for n, said in self.warnings]
        return out

    def text(self) -> str:
        return "\n".join(self.lines()) + "\n"


@dataclass(frozen=True)
class ExportResult:
    path: str
    format: str
    records: int
    copies: int
    left_out: tuple[tuple[int, str], ...]  # biblio id, why

    @property
    def summary(self) -> str:
        left = f"; {len(self.left_out)} left out ({self.left_out[0][1]})" if self.left_out else ""
        fmt = "MARCXML" if self.format == "marcxml" else "ISO 2709"
        return (f"Exported {_count(self.records, 'record')} with {_count(self.copies, 'copy', 'copies')} "
                f"to {self.path} ({fmt}){left}.")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


class Rejected(Exception):
    """A record that cannot be imported; the message is the reason in the report."""


# ---- reading the file --------------------------------------------------------------------------

def read_bytes(path: str | Path) -> bytes:
    path = Path(path).expanduser()
    if not path.is_file():
        raise Refusal(f"There is no file at {path}." if not path.exists() else f"{path} is a folder, not a file.")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise Refusal(f"{path} cannot be read ({exc.strerror}).") from None


def file_format(data: bytes) -> str:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "marcxml" if head == b"<" else "iso2709"


def iso2709_records(data: bytes) -> list[tuple[bytes, bool]]:
    """The file cut at each end-of-record mark: (record bytes with the mark, whether it had one).

    The mark (0x1D) never occurs inside MARC-8 or UTF-8 text, so a record whose Leader or
    directory is damaged costs only itself: the next record starts after its mark.
    """
    pieces = data.split(END_OF_RECORD)
    records = []
    for i, piece in enumerate(pieces):
        piece = piece.lstrip(b" \t\r\n\x00")
        last = i == len(pieces) - 1
        if last and not piece.strip(b" \t\r\n\x00\x1a"):
            continue  # trailing newline or DOS end-of-file
        records.append((piece + (b"" if last else END_OF_RECORD), not last))
    return records


def parse_iso2709(chunk: bytes, complete: bool = True) -> tuple[Record, str, str]:
    """One record from its bytes, a note when its Leader lied about the encoding, and what pymarc
    warned about while reading it (one line, or ""); Rejected if broken."""
    if not complete:
        raise Rejected("the file ends in the middle of this record (no end-of-record mark)")
    if len(chunk) < 25:
        raise Rejected(f"only {len(chunk)} bytes: too short to be a MARC record")
    head = chunk[:24]
    try:
        leader = head.decode("ascii")
    except UnicodeDecodeError:
        raise Rejected("the Leader is not plain text: this is not the start of a MARC record") from None
    if not leader[:5].isdigit():
        raise Rejected(f"the record length in the Leader ({leader[:5]!r}) is not a number")
    length = int(leader[:5])
    if length != len(chunk):
        cut = "cut short" if length > len(chunk) else "damaged"
        raise Rejected(f"the Leader says {length} bytes but the record has {len(chunk)} ({cut})")
    if not leader[12:17].isdigit():
        raise Rejected(f"the base address of data in the Leader ({leader[12:17]!r}) is not a number")
    base = int(leader[12:17])
    if not 25 <= base < len(chunk) or chunk[base - 1:base] != END_OF_FIELD:
        raise Rejected("the directory does not end where the Leader says (bad base address)")
    directory = chunk[24:base - 1]
    if len(directory) % 12:
        raise Rejected("the directory is damaged (its length is not a multiple of 12)")
    data_length = len(chunk) - 1 - base
    for start in range(0, len(directory), 12):
        entry = directory[start:start + 12]
        tag, size, offset = entry[:3], entry[3:7], entry[7:12]
        if not (tag.isalnum() and size.isdigit() and offset.isdigit()):
            raise Rejected(f"directory entry {start // 12 + 1} is damaged ({entry.decode('latin-1')!r})")
        end = int(offset) + int(size)
        if int(size) < 1 or end > data_length or chunk[base + end - 1:base + end] != END_OF_FIELD:
            raise Rejected(f"the directory entry for field {tag.decode()} points outside its field "
                           "(damaged directory)")
    body = chunk[base:]
    flag = leader[9]
    note = ""
    utf8 = flag == "a"
    if not body.isascii():
        try:
            body.decode("utf-8")
            valid = True
        except UnicodeDecodeError:
            valid = False
        if flag == "a" and not valid:
            utf8, note = False, "the Leader says UTF-8 but the record is not valid UTF-8: read as MARC-8"
        elif flag != "a" and valid:
            utf8 = True
            note = ("the Leader says MARC-8 but the record is UTF-8: read as UTF-8" if flag == " " else
                    f"Leader/09 is {flag!r} (not MARC-8 or UTF-8); the record is valid UTF-8: read as UTF-8")
        elif flag not in (" ", "a"):
            note = f"Leader/09 is {flag!r} (neither MARC-8 nor UTF-8): read as MARC-8"
    if not utf8 and flag != " ":
        chunk = chunk[:9] + b" " + chunk[10:]  # pymarc reads a record flagged 'a' as UTF-8 whatever we say
    # pymarc's warnings (logged, warned or written to stderr) are kept for the report
    loud = not utf8 or re.search(rb"\x1f[\x80-\xff]", body) is not None  # MARC-8, or a non-ASCII subfield code
    with _pymarc_warnings(loud) as heard:
        try:
            record = Record(data=chunk, to_unicode=True, force_utf8=utf8, hide_utf8_warnings=not loud)
        except (PymarcException, ValueError, UnicodeDecodeError, IndexError) as exc:
            raise Rejected(f"pymarc cannot read it ({type(exc).__name__}: {exc})".replace(": )", ")")) from None
    record.force_utf8 = True
    record.leader = Leader(str(record.leader)[:9] + "a" + str(record.leader)[10:])
    return record, note, _warning_sentence(heard, chunk, base, directory)


# pymarc reports what it mends in a record (missing or extra indicators, a subfield code that
# is not ASCII, a MARC-8 character it cannot read) on its logger, with warnings.warn, or
# straight to sys.stderr. On a terminal that garbles the desk's screen and the command's
# output; the import keeps them for the report instead, one line per record.
_heard = threading.local()
_loud_lock = threading.Lock()


class _KeepPymarcLog(logging.Filter):
    """Records of the "pymarc" logger go to the record being read on this thread, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        bucket = getattr(_heard, "bucket", None)
        if bucket is None:
            return True
        bucket.append(record)
        return False


if not any(isinstance(f, _KeepPymarcLog) for f in logging.getLogger("pymarc").filters):
    logging.getLogger("pymarc").addFilter(_KeepPymarcLog())


@contextlib.contextmanager
def _pymarc_warnings(loud: bool):
    """What pymarc says while a record is read: log records, warning messages, stderr lines.

    Its logger is filtered for this thread only. warnings.warn and sys.stderr are the
    process's, so a `loud` record (one that can reach them) is read under a lock with both
    caught for the moment it takes; anything not from pymarc caught then is passed on.
    """
    heard: list = []
    _heard.bucket = heard
    try:
        if not loud:
            yield heard
            return
        with _loud_lock, warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stderr(io.StringIO()) as written:
            warnings.simplefilter("always")
            try:
                yield heard
            finally:
                heard += [w for w in caught if "pymarc" in (w.filename or "")]
                heard += [line for line in written.getvalue().splitlines() if line.strip()]
                others = [w for w in caught if "pymarc" not in (w.filename or "")]
        for w in others:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    finally:
        _heard.bucket = None


def _warning_sentence(heard: list, chunk: bytes, base: int, directory: bytes) -> str:
    """pymarc's warnings about one record in one line, each field named by its tag."""
    if not heard:
        return ""
    tags = {}
    for start in range(0, len(directory), 12):
        entry = directory[start:start + 12]
        offset, size = int(entry[7:12]), int(entry[3:7])
        tags[chunk[base + offset:base + offset + size - 1]] = entry[:3].decode("ascii", "replace")
    said: list[str] = []
    for item in heard:
        if isinstance(item, logging.LogRecord):
            args = item.args if isinstance(item.args, tuple) else ()
            if isinstance(item.msg, str) and item.msg.endswith(": %s") and len(args) == 1 \
                    and isinstance(args[0], bytes):
                text = f"{item.msg[:-4]} in field {tags.get(args[0], '?')}"  # "more than 2 indicators found: b'...'"
            else:
                text = item.getMessage()
        elif isinstance(item, warnings.WarningMessage):
            text = str(item.message)
        else:
            text = str(item)
        text = _short(" ".join(text.split()), 100)
        if text not in said:
            said.append(text)
    more = f" (and {len(said) - 3} more)" if len(said) > 3 else ""
    return "pymarc: " + "; ".join(said[:3]) + more


def marcxml_records(data: bytes) -> list[Record | Rejected]:
    """Each <record> of a MARCXML file as a pymarc Record, or Rejected with the reason."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise Refusal(f"The file is not readable MARCXML ({exc}); nothing was imported.") from None
    local = _local_name(root.tag)
    elements = [root] if local == "record" else [e for e in root.iter() if _local_name(e.tag) == "record"]
    return [_xml_record(element) for element in elements]


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_record(element: ET.Element) -> Record | Rejected:
    record = Record(force_utf8=True)
    try:
        for child in element:
            name = _local_name(child.tag)
            if name == "leader":
                text = (child.text or "").ljust(24)
                if len(text) != 24:
                    return Rejected(f"the Leader has {len(text)} characters, not 24")
                record.leader = Leader(text[:9] + "a" + text[10:])
            elif name == "controlfield":
                tag = child.get("tag", "")
                if not (len(tag) == 3 and tag.isalnum()):
                    return Rejected(f"a control field has a bad tag {tag!r}")
                record.add_field(Field(tag=tag, data=child.text or ""))
            elif name == "datafield":
                tag = child.get("tag", "")
                if not (len(tag) == 3 and tag.isalnum()):
                    return Rejected(f"a data field has a bad tag {tag!r}")
                subfields = [Subfield(code=(s.get("code") or " ")[:1], value=s.text or "")
                             for s in child if _local_name(s.tag) == "subfield"]
                record.add_field(Field(tag=tag, indicators=Indicators((child.get("ind1") or " ")[:1],
                                                                      (child.get("ind2") or " ")[:1]),
                                       subfields=subfields))
    except (PymarcException, ValueError) as exc:
        return Rejected(f"the record cannot be read ({exc})")
    return record


# ---- a record's catalogue fields -------------------------------------------------------------

def _clean(text: str | None) -> str:
    text = " ".join(unicodedata.normalize("NFC", text or "").split())  # MARC-8 gives combining accents
    while text and text[-1] in _TRAILING:
        text = text[:-1].rstrip()
    return text


def without_control_codes(record: Record) -> None:
    """Every field of the record as it may be kept: no escape sequences or control characters
    (domain/text.clean), whatever the file carried. The catalogue's fields, the copies and the
    stored MARC are all made from it after this."""
    for f in record.fields:
        if f.is_control_field():
            f.data = clean(f.data, lines=True)
        else:
            f.subfields = [Subfield(code=s.code, value=clean(s.value, lines=True)) for s in f.subfields]


def _sub(f: Field | None, code: str) -> str:
    return _clean(f.get(code)) if f is not None else ""


def _title_field_text(f: Field) -> str:
    parts = [_clean(v) for v in f.get_subfields("a", "b", "n", "p")]
    return " : ".join(p for p in parts[:2] if p) + "".join(f". {p}" for p in parts[2:] if p)


def _publication_field(record: Record) -> Field | None:
    for f in record.get_fields("264"):
        if f.indicator2 == "1":
            return f
    return record.get("260") or record.get("264")


def _class_field(record: Record) -> Field | None:
    clc = [f for f in record.get_fields("084") if (f.get("2") or "").strip().lower().startswith("clc")]
    order = (clc, record.get_fields("082"), record.get_fields("084"))
    if library_settings.settings().call_numbers == "dewey":
        order = (record.get_fields("082"), clc, record.get_fields("084"))
    for fields in order:
        for f in fields:
            if _sub(f, "a"):
                return f
    return None


def _author_field(record: Record) -> tuple[Field | None, str]:
    for tag in ("100", "110", "111"):
        f = record.get(tag)
        if f is not None and _sub(f, "a"):
            return f, "a"
    f = record.get("245")
    return (f, "c") if f is not None and _sub(f, "c") else (None, "")


def _fixed(record: Record) -> str:
    f = record.get("008")
    return (f.data or "") if f is not None else ""


def describe(record: Record) -> dict:
    """The catalogue's fields of a record (the same names as Biblio's columns)."""
    title_field = record.get("245")
    title = _title_field_text(title_field) if title_field is not None else ""
    author_field, code = _author_field(record)
    publication = _publication_field(record)
    fixed = _fixed(record)
    year_text = _YEAR.search(publication.get("c") or "") if publication is not None else None
    year = int(year_text.group(1)) if year_text else (int(fixed[7:11]) if fixed[7:11].isdigit() else None)
    isbn = None
    for f in record.get_fields("020"):
        for value in f.get_subfields("a"):
            isbn = duplicates.normalise_isbn((value.split() or [""])[0])
            if isbn:
                break
        if isbn:
            break
    issn = None
    for f in record.get_fields("022"):
        value = (f.get("a") or "").split()
        if value and stdnum_issn.is_valid(value[0]):
            issn = stdnum_issn.compact(value[0])
            break
    language = fixed[35:38].strip() if len(fixed) >= 38 else ""
    if not language.isalpha():
        language = _sub(record.get("041"), "a")[:3]
    class_field = _class_field(record)
    subjects = []
    for f in record.get_fields(*SUBJECT_TAGS):
        words = [_clean(v) for v in f.get_subfields("a", "x", "y", "z", "v")]
        heading = " -- ".join(w for w in words if w)
        if heading and heading not in subjects:
            subjects.append(heading)
    return {
        "title": title, "author": _sub(author_field, code) if author_field is not None else "",
        "edition": _sub(record.get("250"), "a"), "publisher": _sub(publication, "b"), "year": year,
        "isbn": isbn, "issn": issn, "language": language.lower(),
        "classification": _sub(class_field, "a"), "book_number": _sub(class_field, "b"),
        "subjects": "; ".join(subjects),
    }


@dataclass
class CopyIn:
    barcode: str
    call_number: str
    location: str
    item_type: str
    price: int | None
    acquired_on: date | None
    source: str
    volume: str


def copies_in(record: Record, number: int, item_types: dict[str, int], default_type: str,
              report: ImportReport) -> list[CopyIn]:
    """The record's 952 fields as copies; the bad ones go to the report."""
    rules = library_settings.settings().barcodes
    currency = library_settings.settings().currency
    copies = []
    for f in record.get_fields("952"):
        raw = (f.get("p") or "").strip()
        if not raw:
            report.copies_rejected.append((number, "", "no barcode (952 $p)"))
            continue
        scan = classify(raw, rules)
        if scan.kind is Kind.INVALID:
            report.copies_rejected.append((number, raw[:30], scan.problem or "not a barcode"))
            continue
        if scan.kind in (Kind.PATRON, Kind.ISBN, Kind.SERIAL):
            what = {Kind.PATRON: "a reader's card number", Kind.ISBN: "an ISBN",
                    Kind.SERIAL: "a periodical's barcode"}[scan.kind]
            report.copies_rejected.append((number, scan.code, f"that is {what}, not a copy's barcode"))
            continue
        if (f.get("0") or "0").strip() not in ("", "0"):
            report.copies_rejected.append((number, scan.code, "withdrawn in the old system (952 $0)"))
            continue
        type_code = (f.get("y") or "").strip()
        code = type_code if type_code in item_types else next(
            (c for c in item_types if c.lower() == type_code.lower()), default_type)
        if type_code and code != type_code and code == default_type:
            note = f"item type {type_code!r} is not one of this library's: copies filed as {default_type!r}"
            if (0, note) not in report.notes:
                report.notes.append((0, note))
        price = None
        amount = _AMOUNT.search(f.get("g") or f.get("v") or "")
        if amount:
            try:
                price = parse_money(amount.group(0).replace(",", "."), currency)
            except ValueError:
                price = None
        acquired = None
        if f.get("d"):
            try:
                acquired = date.fromisoformat(f.get("d").strip()[:10])
            except ValueError:
                report.notes.append((number, f"copy {scan.code}: acquired date {f.get('d')!r} is not a date"))
        copies.append(CopyIn(barcode=scan.code, call_number=" ".join((f.get("o") or "").split()),
                             location=(f.get("c") or f.get("a") or "").strip()[:60], item_type=code,
                             price=price, acquired_on=acquired, source=(f.get("e") or "").strip()[:60],
                             volume=(f.get("h") or "").strip()[:20]))
    return copies


def stored_marc(record: Record) -> bytes | None:
    """The record as UTF-8 ISO 2709 without its 952 fields (the copies live in the item table)."""
    kept = Record(force_utf8=True, leader=str(record.leader))
    kept.fields = [f for f in record.fields if f.tag != "952"]
    data = kept.as_marc()
    return data if len(data) <= MAX_ISO_RECORD else None


# ---- import --------------------------------------------------------------------------------------

@dataclass
class _Entry:
    number: int
    values: dict
    marc: bytes | None
    copies: list[CopyIn]
    control: tuple[str, str] | None = None  # (003, 001): the record's number in the catalogue it came from


class _FileRecords:
    """Records of the file taken in as new titles so far, for the within-file duplicate check.

    Two records that carry different control numbers (001, with 003) are two records of
    the catalogue the file came from and are kept apart as it kept them, however alike;
    otherwise the library's rule decides (see duplicates.TitleSet). Records with a
    control number are indexed for the similar-title search only if a record without one
    asks: an export of a library system never pays for it.
    """

    def __init__(self) -> None:
        self.taken: list[tuple[int, tuple[str, str] | None, tuple]] = []  # number, control, _book(values)
        self.loose = duplicates.TitleSet()  # records without a control number
        self.controlled = duplicates.TitleSet()
        self.by_control: dict[tuple[str, str], list[int]] = {}  # control -> positions in `taken`
        self.position_of: dict[int, int] = {}  # record number -> position in `taken`

    def add(self, number: int, control: tuple[str, str] | None, book: tuple) -> None:
        position = len(self.taken)
        self.taken.append((number, control, book))
        self.position_of[number] = position
        (self.loose if control is None else self.controlled).add(position, *book)
        if control is not None:
            self.by_control.setdefault(control, []).append(position)

    def extend(self, other: _FileRecords) -> None:
        for number, control, book in other.taken:
            self.add(number, control, book)

    def book(self, number: int) -> tuple | None:
        position = self.position_of.get(number)
        return None if position is None else self.taken[position][2]

    def find(self, book: tuple, control: tuple[str, str] | None, similar: bool) -> list[tuple[int, str]]:
        """(record number, reason) of the earlier records this one duplicates, earliest first."""
        sets = [self.loose]
        if control is None:
            sets.append(self.controlled)
        elif self.by_control.get(control):  # the same record again (or one numbered alike)
            same_number = duplicates.TitleSet()
            for position in self.by_control[control]:
                same_number.add(position, *self.taken[position][2])
            sets.append(same_number)
        found = {position: reason for titles in sets if len(titles)
                 for position, reason in titles.find(*book, similar=similar)}
        return [(self.taken[p][0], reason) for p, reason in sorted(found.items())]


def _book(values: dict) -> tuple:
    """What the within-file check keeps of a record: title, author, ISBN, year, edition."""
    return values["title"], values["author"], values["isbn"], values["year"], values["edition"]


@dataclass
class _State:
    """What the import has seen so far in this file; changed only after a batch is committed."""
    records: _FileRecords = field(default_factory=_FileRecords)
    barcodes: set[str] = field(default_factory=set)
    biblio_of: dict[int, int | None] = field(default_factory=dict)  # record number -> biblio id
    match: str = "isbn-or-title"
    before: int = 0  # the highest title number when the import began: the library it is checked against


def import_marc(actor: Staff, path_or_bytes: str | Path | bytes, *, dry_run: bool = False,
                policy: str = "skip", status: str = "available", match: str = "isbn-or-title",
                progress: Progress | None = None, source: str | None = None,
                now: datetime | None = None) -> ImportReport:
    """Import a MARC 21 file (ISO 2709 or MARCXML, found from its first byte); returns the report.

    Cataloguers and the curator only (a dry run too: it shows the library's duplicates).
    `policy` is what to do with a duplicate: skip, add-copies or new. `status` of new
    copies: "available" (holdings migrated from another system are already on the shelf)
    or "in-processing" (new books that still go through a transfer batch). `match`: what
    makes a duplicate of a title in the library (see MATCHES).
    """
    now = now or utc_now()
    access.require(actor, "import MARC records", *ROLES)
    if policy not in POLICIES:
        raise Refusal(f"The duplicate policy is one of {', '.join(POLICIES)}, not {policy!r}.")
    if status not in COPY_STATUSES:
        raise Refusal(f"New copies are {' or '.join(COPY_STATUSES)}, not {status!r}.")
    if match not in MATCHES:
        raise Refusal(f"Duplicates are matched by {' or '.join(MATCHES)}, not {match!r}.")
    if isinstance(path_or_bytes, bytes):
        data, name = path_or_bytes, source or "(data)"
    else:
        data, name = read_bytes(path_or_bytes), source or str(Path(path_or_bytes).expanduser())
    fmt = file_format(data)
    report = ImportReport(source=name, format=fmt, dry_run=dry_run, policy=policy, status=status, match=match)
    tell = progress or (lambda done, total: None)
    if fmt == "marcxml":
        items: Sequence = marcxml_records(data)
    else:
        items = iso2709_records(data)
    total = report.read = len(items)
    tell(0, total)
    if not total:
        return report
    item_types = dict(db.execute("SELECT code, id FROM item_type").fetchall())
    if not item_types:
        raise Refusal("The library has no item types yet; add one before importing copies.")
    default_type = "book" if "book" in item_types else sorted(item_types)[0]
    # The file's records are checked against the library as it was before the import and
    # against each other by the file's rule (_FileRecords), in a dry run as in the import:
    # the dry run's answer is the import's.
    state = _State(match=match, before=db.execute("SELECT MAX(id) FROM biblio").fetchone()[0] or 0)
    for start in range(0, total, BATCH):
        entries = []
        for offset, item in enumerate(items[start:start + BATCH]):
            number = start + offset + 1
            entry = _entry(number, item, fmt, item_types, default_type, report)
            if entry is not None:
                entries.append(entry)
        if entries:
            _write_batch(actor, entries, state, report, item_types, policy, status, dry_run, name, now)
        tell(min(start + BATCH, total), total)
    report.rejected.sort()
    return report


def _entry(number: int, item, fmt: str, item_types: dict[str, int], default_type: str,
           report: ImportReport) -> _Entry | None:
    """One record of the file checked on its own: an entry to write, or None (rejected, reported)."""
    try:
        if fmt == "marcxml":
            if isinstance(item, Rejected):
                raise item
            record, note, heard = item, "", ""
        else:
            record, note, heard = parse_iso2709(*item)
        without_control_codes(record)
        values = describe(record)
        if not values["title"]:
            raise Rejected("no title (field 245 $a is missing or empty)")
        marc = stored_marc(record)
        if marc is None:
            report.notes.append((number, "the record is over 99,999 bytes: its MARC is not kept"))
    except Rejected as exc:
        report.rejected.append((number, str(exc)))
        return None
    except Exception as exc:  # whatever else a damaged record does to pymarc: that record only
        report.rejected.append((number, f"the record cannot be read ({type(exc).__name__}: {exc})"))
        return None
    if note:
        report.notes.append((number, note))
    if heard:
        report.warnings.append((number, heard))
    values["title"] = values["title"][:2000]
    values["edition"] = values["edition"][:250]
    values["publisher"] = values["publisher"][:250]
    values["classification"] = values["classification"][:60]
    values["book_number"] = values["book_number"][:60]
    copies = copies_in(record, number, item_types, default_type, report)
    return _Entry(number=number, values=values, marc=marc, copies=copies, control=_control_number(record))


def _control_number(record: Record) -> tuple[str, str] | None:
    """(003, 001) when the record has a control number; 003 may be blank."""
    number = record.get("001")
    if number is None or not (number.data or "").strip():
        return None
    agency = record.get("003")
    return ((agency.data or "").strip() if agency is not None else "", number.data.strip())


def _write_batch(actor: Staff, entries: list[_Entry], state: _State, report: ImportReport,
                 item_types: dict[str, int], policy: str, status: str, dry_run: bool, name: str,
                 now: datetime) -> None:
    def attempt(group: list[_Entry]) -> None:
        outcome = _Outcome()
        if dry_run:
            _apply(group, state, outcome, item_types, policy, status, actor, now, write=False)
        else:
            def work() -> None:
                outcome.clear()
                _apply(group, state, outcome, item_types, policy, status, actor, now, write=True)
                if outcome.biblios or outcome.copies:
                    audit.record(actor, "marc.import", "biblio", None, now, new={
                        "file": name, "records": f"{group[0].number}..{group[-1].number}",
                        "new_records": outcome.biblios, "copies": outcome.copies,
                        "duplicates": len(outcome.duplicates), "policy": policy, "status": status})
            db.write(work)
        outcome.commit(state, report)

    try:
        attempt(entries)
    except Refusal:
        raise
    except Exception:  # the database refused something in the batch: find which record, one by one
        for entry in entries:
            try:
                attempt([entry])
            except Refusal:
                raise
            except Exception as exc:
                report.rejected.append((entry.number, f"the database refused it ({type(exc).__name__}: "
                                                      f"{str(exc).splitlines()[0] if str(exc) else ''})"))


@dataclass
class _Outcome:
    """What one attempt at a batch did; merged into the state and report once it is committed."""
    imported: list[tuple[int, int | None, str]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    copies_rejected: list[tuple[int, str, str]] = field(default_factory=list)
    records: _FileRecords = field(default_factory=_FileRecords)
    barcodes: set[str] = field(default_factory=set)
    biblio_of: dict[int, int | None] = field(default_factory=dict)
    biblios: int = 0
    copies: int = 0

    def clear(self) -> None:
        self.__init__()

    def commit(self, state: _State, report: ImportReport) -> None:
        state.records.extend(self.records)
        state.barcodes |= self.barcodes
        state.biblio_of.update(self.biblio_of)
        report.imported += self.imported
        report.duplicates += self.duplicates
        report.copies_rejected += self.copies_rejected
        report.copies_added += self.copies


def _apply(entries: list[_Entry], state: _State, out: _Outcome, item_types: dict[str, int], policy: str,
           status: str, actor: Staff, now: datetime, write: bool) -> None:
    """Decide each entry (duplicate or not, which copies) and, when `write`, write them."""
    barcodes = [c.barcode for e in entries for c in e.copies]
    in_library = set()
    for i in range(0, len(barcodes), 500):
        chunk = barcodes[i:i + 500]
        if chunk:
            in_library |= {r[0] for r in db.execute(
                f"SELECT barcode FROM item WHERE barcode IN ({', '.join('?' * len(chunk))})", *chunk).fetchall()}
    at = now.isoformat(sep=" ")
    today = local_date(now, library_settings.settings().timezone)
    scheme = library_settings.settings().call_numbers
    state_of = COPY_STATUSES[status]
    cursor = db.database.cursor() if write else None
    biblio_sql = db.sql("INSERT INTO biblio (title, author, edition, publisher, year, isbn, issn, language, "
                        "classification, subjects, marc, created_at, book_number, created_by_id) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
    item_sql = db.sql("INSERT INTO item (barcode, accession_number, biblio_id, call_number, call_sort, location, "
                      "item_type_id, price, acquired_on, source, status, condition, volume, status_since, "
                      "catalogued_at, catalogued_by_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                      "RETURNING id")
    accessions = []
    numbers = iter(())
    if write:
        numbers = iter(_take_accession_numbers(sum(len(e.copies) for e in entries)))
    similar = state.match == "isbn-or-title"
    for entry in entries:
        v = entry.values
        target: int | None = None  # the biblio id the copies go to
        matched = reason = ""
        book = _book(v)
        earlier = state.records.find(book, entry.control, similar) + out.records.find(book, entry.control, similar)
        if earlier:
            number, reason = next((e for e in earlier if e[1] == duplicates.SAME_ISBN), earlier[0])
            if reason == duplicates.SIMILAR and _same_words(book, state.records.book(number) or
                                                            out.records.book(number)):
                reason = "same title and author"
            matched = f"record {number} of this file"
            target = state.biblio_of.get(number, out.biblio_of.get(number))
        else:
            candidates = _in_library(v, state.match, state.before)
            if candidates:
                first = candidates[0]
                matched, reason, target = f"title {first.biblio_id} \"{_short(first.title, 30)}\"", first.reason, \
                    first.biblio_id
        duplicate = bool(matched)
        if duplicate and policy == "skip":
            out.duplicates.append(Duplicate(entry.number, v["title"], matched, reason, "skipped"))
            continue
        new_record = not duplicate or policy == "new" or (target is None and write)
        # copies of this record that can go in
        good: list[CopyIn] = []
        for copy in entry.copies:
            if copy.barcode in in_library or copy.barcode in state.barcodes or copy.barcode in out.barcodes:
                where = "in the library" if copy.barcode in in_library else "on an earlier record of this file"
                out.copies_rejected.append((entry.number, copy.barcode, f"barcode already {where}"))
                continue
            out.barcodes.add(copy.barcode)
            good.append(copy)
        if duplicate:
            action = ("imported as a new record" if new_record else
                      f"{_count(len(good), 'copy', 'copies')} added to it")
            out.duplicates.append(Duplicate(entry.number, v["title"], matched, reason, action))
        biblio_id = None if new_record else target
        if new_record and write:
            cursor.execute(biblio_sql, (
                v["title"], v["author"], v["edition"], v["publisher"], v["year"], v["isbn"], v["issn"],
                v["language"], v["classification"], v["subjects"], entry.marc, at, v["book_number"],
                actor.id))
            biblio_id = cursor.fetchone()[0]  # psycopg2's execute returns None: fetch from the cursor
            out.biblios += 1
        if new_record:
            out.imported.append((entry.number, biblio_id, v["title"]))
            out.records.add(entry.number, entry.control, book)
        out.biblio_of[entry.number] = biblio_id
        for copy in good:
            out.copies += 1
            if not write:
                continue
            number = next(numbers)
            call = copy.call_number or _composed_call_number(v, copy.volume)
            acquired = copy.acquired_on or today
            cursor.execute(item_sql, (
                copy.barcode, number, biblio_id, call, call_numbers.sort_key(call, scheme), copy.location,
                item_types[copy.item_type], copy.price, acquired.isoformat(), copy.source, state_of, "",
                copy.volume, at, at, actor.id))
            item_id = cursor.fetchone()[0]
            accessions.append((number, item_id, acquired.isoformat(), copy.source or "transfer", copy.price or 0,
                               at, actor.id))
    if write and accessions:
        cursor.executemany(db.sql("INSERT INTO accession (number, item_id, received_on, source, price, at, staff_id) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?)"), accessions)


def _same_words(book: tuple, earlier: tuple) -> bool:
    """Whether two records have the same title and author once normalised."""
    return all(duplicates.normalise_text(a) == duplicates.normalise_text(b) for a, b in zip(book[:2], earlier[:2]))


def _in_library(values: dict, match: str, before: int) -> list[duplicates.Candidate]:
    """Titles of the library as it was when the import began (ids up to `before`) that this record duplicates."""
    if not before:
        return []  # an empty library: nothing to duplicate
    if match == "isbn-or-title":
        return duplicates.find_duplicates(values["title"], values["author"], values["isbn"], year=values["year"],
                                          edition=values["edition"], before=before)
    if not values["isbn"]:
        return []
    rows = db.execute("SELECT id, title, author, isbn, year FROM biblio WHERE isbn = ? AND id <= ? ORDER BY id "
                      "LIMIT 50", values["isbn"], before).fetchall()
    return [duplicates.Candidate(*row, duplicates.SAME_ISBN) for row in rows
            if not duplicates.different_volumes(values["title"], row[1])][:1]


def _composed_call_number(values: dict, volume: str) -> str:
    """A copy's call number when its 952 has none, from the record's class and book number.

    The import gives no book numbers of its own: a record without one keeps its class
    (and volume), to be numbered later."""
    if not call_numbers.normal_class(values["classification"] or ""):
        return ""
    if values["book_number"]:
        return call_numbers.compose(values["classification"], values["book_number"], volume)[0]
    return "/".join(p for p in (values["classification"], volume) if p)


def _take_accession_numbers(count: int) -> range:
    """`count` accession numbers in a row, after any a copy or register line has. In a write.

    The "accession_number" series row is locked on PostgreSQL (SQLite holds the file
    lock), so two imports or receipts never take one number twice.
    """
    if not count:
        return range(0)
    row = db.execute_locked("SELECT n.last FROM number_series n WHERE n.name = ?", "n",
                            "accession_number").fetchone()
    highest = db.execute("SELECT MAX(n) FROM (SELECT MAX(accession_number) AS n FROM item "
                         "UNION ALL SELECT MAX(number) AS n FROM accession) AS both_tables").fetchone()[0] or 0
    first = max(row[0] if row else 0, highest) + 1
    last = first + count - 1
    if row is None:
        db.execute("INSERT INTO number_series (name, last) VALUES (?, ?)", "accession_number", last)
    else:
        db.execute("UPDATE number_series SET last = ? WHERE name = ?", last, "accession_number")
    return range(first, last + 1)


# ---- export --------------------------------------------------------------------------------------

def find_titles(term: str, limit: int = 200) -> list[tuple[int, str, str, str]]:
    """Titles to export: (id, title, author, isbn) by ISBN, or title or author containing the term."""
    term = " ".join((term or "").split())
    if not term:
        return []
    isbn = duplicates.normalise_isbn(term)
    if isbn:
        rows = db.execute("SELECT id, title, author, isbn FROM biblio WHERE isbn = ? ORDER BY id", isbn).fetchall()
    elif term.isdigit():
        rows = db.execute("SELECT id, title, author, isbn FROM biblio WHERE id = ?", int(term)).fetchall()
    else:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        op = "LIKE" if db.is_sqlite() else "ILIKE"
        rows = db.execute(f"SELECT id, title, author, isbn FROM biblio WHERE title {op} ? ESCAPE '\\' "
                          f"OR author {op} ? ESCAPE '\\' ORDER BY title, id LIMIT ?", pattern, pattern,
                          limit).fetchall()
    return [(r[0], r[1], r[2], r[3] or "") for r in rows]


def export_marc(actor: Staff, path: str | Path, fmt: str = "iso2709", biblio_ids: Iterable[int] | None = None,
                progress: Progress | None = None, force: bool = False) -> ExportResult:
    """Write the given titles (all of them when None) with their copies to a MARC file. Reads only.

    A file already at `path` is written over only with `force` (--force, or the desk's question);
    a database, device, FIFO or folder never (services/files.py)."""
    access.require(actor, "export MARC records", *ROLES)
    if fmt not in FORMATS:
        raise Refusal(f"The format is {' or '.join(FORMATS)}, not {fmt!r}.")
    path = files.check_target(Path(path).expanduser(), force=force, unwritten="nothing was exported")
    if biblio_ids is None:
        ids = [r[0] for r in db.execute("SELECT id FROM biblio ORDER BY id").fetchall()]
    else:
        ids = list(dict.fromkeys(biblio_ids))
    if not ids:
        raise Refusal("There are no titles to export.")
    tell = progress or (lambda done, total: None)
    left_out: list[tuple[int, str]] = []
    written = [0, 0]  # records, copies

    def write(scratch: Path) -> None:
        with open(scratch, "wb") as out:
            writer = XMLWriter(out) if fmt == "marcxml" else None
            for start in range(0, len(ids), BATCH):
                chunk = ids[start:start + BATCH]
                for biblio_id, record, n_copies in _records_for(chunk):
                    if writer is not None:
                        writer.write(record)
                    else:
                        data = record.as_marc()
                        if len(data) > MAX_ISO_RECORD:
                            left_out.append((biblio_id, f"title {biblio_id} is over 99,999 bytes in ISO 2709: "
                                                        "export it as MARCXML"))
                            continue
                        out.write(data)
                    written[0] += 1
                    written[1] += n_copies
                tell(min(start + BATCH, len(ids)), len(ids))
            if writer is not None:
                writer.close(close_fh=False)

    write_atomically(path, write, force=force, unwritten="nothing was exported")
    return ExportResult(str(path), fmt, written[0], written[1], tuple(left_out))


_BIBLIO_COLUMNS = ("id", "title", "author", "edition", "publisher", "year", "isbn", "issn", "language",
                   "classification", "subjects", "marc", "created_at", "book_number")


def _records_for(ids: Sequence[int]) -> Iterable[tuple[int, Record, int]]:
    marks = ", ".join("?" * len(ids))
    rows = db.execute(f"SELECT {', '.join(_BIBLIO_COLUMNS)} FROM biblio WHERE id IN ({marks})", *ids).fetchall()
    by_id = {r[0]: dict(zip(_BIBLIO_COLUMNS, r)) for r in rows}
    copies: dict[int, list[dict]] = {}
    item_columns = ("biblio_id", "barcode", "call_number", "location", "code", "price", "acquired_on", "source",
                    "volume", "accession_number", "status")
    for row in db.execute("SELECT i.biblio_id, i.barcode, i.call_number, i.location, t.code, i.price, i.acquired_on, "
                          f"i.source, i.volume, i.accession_number, i.status FROM item i JOIN item_type t "
                          f"ON t.id = i.item_type_id WHERE i.biblio_id IN ({marks}) AND i.status <> 'withdrawn' "
                          "ORDER BY i.accession_number", *ids).fetchall():
        copies.setdefault(row[0], []).append(dict(zip(item_columns, row)))
    for biblio_id in ids:
        biblio = by_id.get(biblio_id)
        if biblio is None:
            continue
        record = record_of(biblio, copies.get(biblio_id, []))
        yield biblio_id, record, len(copies.get(biblio_id, []))


def record_of(biblio: dict, copies: Sequence[dict]) -> Record:
    """The MARC record of a title: its stored record brought up to date, or one built from its fields."""
    record = None
    marc = biblio.get("marc")
    if marc:
        try:
            record = Record(data=bytes(marc), to_unicode=True, force_utf8=True, hide_utf8_warnings=True)
        except Exception:
            record = None
    if record is None:
        record = Record(force_utf8=True, leader="00000nam a2200000 i 4500")
        record.add_field(Field(tag="001", data=str(biblio["id"])))
    record.force_utf8 = True
    _update(record, biblio)
    for f in record.get_fields("952"):
        record.remove_field(f)
    currency = library_settings.settings().currency
    for copy in copies:
        subfields = [Subfield("p", copy["barcode"])]
        if copy["location"]:
            subfields.append(Subfield("c", copy["location"]))
        if copy["call_number"]:
            subfields.append(Subfield("o", copy["call_number"]))
        subfields.append(Subfield("y", copy["code"]))
        if copy["volume"]:
            subfields.append(Subfield("h", copy["volume"]))
        if copy["price"] is not None:
            subfields.append(Subfield("g", _plain_amount(copy["price"], currency.digits)))
        if copy["acquired_on"]:
            subfields.append(Subfield("d", str(copy["acquired_on"])[:10]))
        if copy["source"]:
            subfields.append(Subfield("e", copy["source"]))
        subfields.append(Subfield("i", str(copy["accession_number"])))  # Koha's inventory number
        record.add_field(Field(tag="952", indicators=Indicators(" ", " "), subfields=subfields))
    return record


def _plain_amount(minor: int, digits: int) -> str:
    if not digits:
        return str(minor)
    whole, fraction = divmod(minor, 10 ** digits)
    return f"{whole}.{fraction:0{digits}d}"


def _set(f: Field, code: str, value: str) -> None:
    """One `code` subfield with `value` where the first one was (or at the end); none when empty."""
    kept, placed = [], False
    for sub in f.subfields:
        if sub.code != code:
            kept.append(sub)
        elif not placed and value:
            kept.append(Subfield(code, value))
            placed = True
    if value and not placed:
        kept.append(Subfield(code, value))
    f.subfields = kept


def _data_field(tag: str, ind1: str = " ", ind2: str = " ", **subfields: str) -> Field:
    return Field(tag=tag, indicators=Indicators(ind1, ind2),
                 subfields=[Subfield(code, value) for code, value in subfields.items() if value])


def _update(record: Record, biblio: dict) -> None:
    """Rewrite the fields whose catalogue value differs from what the record says."""
    now = describe(record)

    def differs(name: str) -> bool:
        return (biblio.get(name) or None) != (now.get(name) or None)

    if differs("title"):
        old = record.get("245")
        fresh = _data_field("245", old.indicator1 if old else "1", old.indicator2 if old else "0",
                            a=biblio["title"], c=old.get("c") if old else "")
        if old is not None:
            record.remove_field(old)
        record.add_ordered_field(fresh)
    if differs("author"):
        f, code = _author_field(record)
        if f is not None:
            _set(f, code, biblio["author"])
        elif biblio["author"]:
            record.add_ordered_field(_data_field("100", "1", " ", a=biblio["author"]))
    if differs("edition"):
        for f in record.get_fields("250"):
            record.remove_field(f)
        if biblio["edition"]:
            record.add_ordered_field(_data_field("250", a=biblio["edition"]))
    if differs("publisher") or differs("year"):
        f = _publication_field(record)
        if f is None:
            f = _data_field("264", " ", "1")
            record.add_ordered_field(f)
        _set(f, "b", biblio["publisher"] or "")
        _set(f, "c", str(biblio["year"]) if biblio["year"] else "")
        if not biblio["year"]:
            _set_fixed(record, 7, "    ")
    if differs("isbn"):
        for f in record.get_fields("020"):
            record.remove_field(f)
        if biblio["isbn"]:
            record.add_ordered_field(_data_field("020", a=biblio["isbn"]))
    if differs("issn"):
        for f in record.get_fields("022"):
            record.remove_field(f)
        if biblio["issn"]:
            record.add_ordered_field(_data_field("022", a=biblio["issn"]))
    if differs("language"):
        _set_fixed(record, 35, (biblio["language"] or "")[:3].ljust(3))
        for f in record.get_fields("041"):
            record.remove_field(f)
    if differs("classification") or differs("book_number"):
        f = _class_field(record)
        if f is None:
            if library_settings.settings().call_numbers == "dewey":
                f = _data_field("082", "0", "4")
            else:
                f = _data_field("084", **{"2": "clc"})
            record.add_ordered_field(f)
        _set(f, "a", biblio["classification"] or "")
        _set(f, "b", biblio["book_number"] or "")
        if not f.subfields or not f.get("a"):
            record.remove_field(f)
    if differs("subjects"):
        for f in record.get_fields(*SUBJECT_TAGS):
            record.remove_field(f)
        for heading in [h.strip() for h in (biblio["subjects"] or "").split(";") if h.strip()]:
            words = heading.split(" -- ")
            subfields = [Subfield("a", words[0])] + [Subfield("x", w) for w in words[1:]]
            record.add_ordered_field(Field(tag="650", indicators=Indicators(" ", "4"), subfields=subfields))
    if record.get("008") is None or differs("year"):
        _set_fixed(record, 7, str(biblio["year"]) if biblio["year"] else "    ")


def _set_fixed(record: Record, position: int, text: str) -> None:
    f = record.get("008")
    if f is None:
        blank = list(" " * 40)
        blank[0:6] = datetime.now().strftime("%y%m%d")
        blank[6] = "s"
        blank[15:18] = "xx "
        blank[39] = "d"
        f = Field(tag="008", data="".join(blank))
        record.add_ordered_field(f)
    data = list((f.data or "").ljust(40))
    data[position:position + len(text)] = text
    f.data = "".join(data)
