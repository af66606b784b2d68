"""What a scanned or typed code is: a patron card, an item, a book's ISBN, a serial.

Scanners send the same barcode in many spellings (Codabar start/stop letters,
spaces, a French keyboard layout), so every code is normalised before it is
classified or looked up. Check digits come from python-stdnum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from stdnum import ean, isbn, luhn
from stdnum.exceptions import InvalidChecksum, ValidationError

MAX_LENGTH = 40

# A US-layout scanner typing into a French AZERTY host gives the unshifted digit row.
_AZERTY_KEYS = "&é\"'(-è_çà"
_AZERTY_ROW = str.maketrans(_AZERTY_KEYS, "1234567890")
# Some settings send Codabar start/stop as DC1-DC4 instead of letters.
_CODABAR_ENDS = frozenset("ABCDabcdTtNnEe*\x11\x12\x13\x14")
# A Chinese input method in full-width mode turns "3" into "３".
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = re.compile(r"[0-9]+")
_PUBLISHER_PREFIXES = {"977": "serial", "978": "isbn", "979": "isbn"}


@dataclass(frozen=True)
class BarcodeRules:
    patron_prefix: str = "2"
    item_prefix: str = "3"
    length: int = 14
    check: str = "luhn"  # "luhn" or "none"
    accept_legacy: bool = True  # codes that fit no rule are looked up as typed

    def __post_init__(self) -> None:
        if self.check not in ("luhn", "none"):
            raise ValueError(f"Unknown barcode check {self.check!r}: use 'luhn' or 'none'.")
        for prefix in (self.patron_prefix, self.item_prefix):
            if not _DIGITS.fullmatch(prefix):
                raise ValueError(f"A barcode prefix must be digits, not {prefix!r}.")
        if not 2 <= self.length <= MAX_LENGTH:
            raise ValueError(f"A barcode length must be between 2 and {MAX_LENGTH}.")


class Kind(str, Enum):
    PATRON = "patron"
    ITEM = "item"
    ISBN = "isbn"
    SERIAL = "serial"
    LEGACY = "legacy"
    INVALID = "invalid"
    EMPTY = "empty"


@dataclass(frozen=True)
class Scan:
    raw: str
    code: str
    kind: Kind
    problem: str | None = None
    addon: str | None = None  # EAN 2- or 5-digit add-on: issue number or book price


def normalize(raw: str) -> str:
    """One spelling per barcode, whatever the scanner or keyboard sent."""
    code = "".join(raw.translate(_FULL_WIDTH).split())
    if code and all(ch in _AZERTY_KEYS for ch in code):
        code = code.translate(_AZERTY_ROW)
    if (
        len(code) > 2
        and code[0] in _CODABAR_ENDS
        and code[-1] in _CODABAR_ENDS
        and _DIGITS.fullmatch(code[1:-1])
    ):
        code = code[1:-1]
    # ASCII only: str.upper() would turn pasted "ﬁ" into a plausible "FI".
    return code.translate(_ASCII_UPPER)


def classify(raw: str, rules: BarcodeRules = BarcodeRules()) -> Scan:
    code = normalize(raw)
    if not code:
        return Scan(raw, code, Kind.EMPTY)
    if len(code) > MAX_LENGTH:
        return _invalid(
            raw, code,
            f"That is not a barcode: it is {len(code)} characters long "
            f"and a barcode has at most {MAX_LENGTH}.",
        )
    if not all("!" <= ch <= "~" for ch in code):
        return _invalid(
            raw, code, "That is not a barcode: it contains characters a scanner does not send."
        )
    return (
        _publisher_code(raw, code)
        or _library_code(raw, code, rules)
        or _isbn10(raw, code)
        or _hyphenated_isbn(raw, code)
        or _unknown(raw, code, rules)
    )


def library_barcode(prefix: str, sequence: int, rules: BarcodeRules = BarcodeRules()) -> str:
    """A new card or item barcode: prefix, zero-padded sequence, check digit."""
    if not _DIGITS.fullmatch(prefix):
        raise ValueError(f"A barcode prefix must be digits, not {prefix!r}.")
    if sequence < 0:
        raise ValueError("A barcode sequence number cannot be negative.")
    check_digits = 1 if rules.check == "luhn" else 0
    width = rules.length - check_digits - len(prefix)
    number = str(sequence)
    if width < 1 or len(number) > width:
        raise ValueError(
            f"Sequence {sequence} does not fit a {rules.length}-digit barcode "
            f"after prefix {prefix}."
        )
    payload = prefix + number.zfill(width)
    return payload + luhn.calc_check_digit(payload) if check_digits else payload


def _invalid(raw: str, code: str, problem: str) -> Scan:
    return Scan(raw, code, Kind.INVALID, problem=problem)


def _publisher_code(raw: str, code: str) -> Scan | None:
    """EAN-13 printed by the publisher (978/979 book, 977 serial), maybe with an add-on."""
    if not _DIGITS.fullmatch(code) or len(code) not in (13, 15, 18):
        return None
    kind = _PUBLISHER_PREFIXES.get(code[:3])
    if kind is None:
        return None
    main, addon = code[:13], code[13:] or None
    if not ean.is_valid(main):
        return _invalid(raw, code, _wrong_check_digit("ISBN" if kind == "isbn" else "periodical barcode", main))
    return Scan(raw, main, Kind.ISBN if kind == "isbn" else Kind.SERIAL, addon=addon)


def _wrong_check_digit(what: str, code: str) -> str:
    return f"The check digit of {what} {code} is wrong: scan it again or type it carefully."


def wrong_isbn_check_digit(text: str) -> str | None:
    """The check-digit sentence for text that is an ISBN in every way but its check digit:
    13 digits from 978 or 979, or 9 digits and a digit or X, with or without hyphens and
    spaces. None for anything else, a valid ISBN included."""
    code = isbn.compact(normalize(text))
    if not re.fullmatch(r"97[89]\d{10}|\d{9}[\dX]", code):
        return None
    try:
        isbn.validate(code)
    except InvalidChecksum:
        return _wrong_check_digit("ISBN", code)
    except ValidationError:
        return None
    return None


def _library_code(raw: str, code: str, rules: BarcodeRules) -> Scan | None:
    if len(code) != rules.length or not _DIGITS.fullmatch(code):
        return None
    if code.startswith(rules.patron_prefix):
        kind = Kind.PATRON
    elif code.startswith(rules.item_prefix):
        kind = Kind.ITEM
    else:
        return None
    if rules.check == "luhn" and not luhn.is_valid(code):
        # A 10-digit rule can collide with an ISBN-10 from an "ISBN translate" scanner.
        return _isbn10(raw, code) or _invalid(
            raw, code,
            f"The check digit of {code} is wrong: scan it again or type it carefully.",
        )
    return Scan(raw, code, kind)


def _isbn10(raw: str, code: str) -> Scan | None:
    if len(code) != 10 or not isbn.is_valid(code):
        return None
    return Scan(raw, isbn.to_isbn13(code), Kind.ISBN)


def _hyphenated_isbn(raw: str, code: str) -> Scan | None:
    """A hand-typed ISBN counts only with its hyphens exactly where the ISBN ranges put them."""
    if "-" not in code or not isbn.is_valid(code):
        return None
    compact = isbn.compact(code)
    if isbn.format(compact) != code:
        return None
    return Scan(raw, isbn.to_isbn13(compact), Kind.ISBN)


def _unknown(raw: str, code: str, rules: BarcodeRules) -> Scan:
    if rules.accept_legacy:
        return Scan(raw, code, Kind.LEGACY)
    return _invalid(raw, code, f"{code} is not a barcode this library uses.")
