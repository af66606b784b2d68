"""Shelf order of CLC (Chinese Library Classification) call numbers.

A call number is a class number, "/", then a book number and maybe volume or
copy: "I247.57/123/2". Class numbers are compared character by character with
the dot ignored (TP3 < TP31 < TP311 < TP311.1 < TP312 < TP39 < TQ); book numbers
and volumes are compared as whole numbers (28 < 123, v.2 < v.10).

The sort key is stored in an indexed column and ordered by the database, so it
uses only the characters 0-9 and A-Z and relies only on "0" < "9" < "A" < "Z".
That holds in SQLite's and PostgreSQL's C collation and also in the usual
locale collations, which ignore punctuation and case.

Key encoding:
  class part   each character becomes two: "1" + symbol rank (auxiliary symbol),
               "2" + the digit, "3" + the letter, or "4" + six hex digits for any
               other character; the dot is dropped; "0" ends the class part.
  rest         runs of digits become "1" + their length in base 36 + the digits
               (leading zeros dropped), runs of letters become "2" + the letters,
               other characters become "3" + six hex digits; "/", spaces and
               punctuation only separate runs.
Example: "TP311.1/12" -> "3T3P23212121" + "0" + "1212".
"""

from __future__ import annotations

from collections.abc import Iterable

# CLC auxiliary symbols file before digits; their mutual order is local practice.
AUXILIARY_SYMBOLS = '-()="<>:'
_UNKNOWN_SYMBOL_RANK = str(len(AUXILIARY_SYMBOLS))
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Chinese input methods type full-width "／", "．" and curly quotes in call numbers.
_ASCII_FORMS = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_ASCII_FORMS.update({0x3000: " ", 0x201C: '"', 0x201D: '"', 0x3002: "."})


def clc_sort_key(call_number: str) -> str:
    text = call_number.translate(_ASCII_FORMS).strip().upper()
    class_part, _, rest = _split_class(text)
    return "".join(_class_char(ch) for ch in class_part if ch != ".") + "0" + _rest_key(rest)


def shelf_order(call_numbers: Iterable[str]) -> list[str]:
    # The text itself breaks ties ("v.2" and "V2" share a key) so the order is stable.
    return sorted(call_numbers, key=lambda number: (clc_sort_key(number), number))


def _split_class(text: str) -> tuple[str, str, str]:
    """Class number up to the first "/" or space (spine labels often use a space)."""
    for index, ch in enumerate(text):
        if ch == "/" or ch.isspace():
            return text[:index], ch, text[index + 1 :]
    return text, "", ""


def _class_char(ch: str) -> str:
    if "0" <= ch <= "9":
        return "2" + ch
    if "A" <= ch <= "Z":
        return "3" + ch
    if ch in AUXILIARY_SYMBOLS:
        return "1" + str(AUXILIARY_SYMBOLS.index(ch))
    if ch.isascii():
        return "1" + _UNKNOWN_SYMBOL_RANK
    return "4" + _hex(ch)


def _rest_key(rest: str) -> str:
    parts: list[str] = []
    index = 0
    while index < len(rest):
        ch = rest[index]
        if "0" <= ch <= "9":
            end = _run_end(rest, index, "0123456789")
            digits = rest[index:end].lstrip("0")
            parts.append("1" + _BASE36[min(len(digits), 35)] + digits)
        elif "A" <= ch <= "Z":
            end = _run_end(rest, index, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            parts.append("2" + rest[index:end])
        else:
            end = index + 1
            if not ch.isascii():
                parts.append("3" + _hex(ch))
        index = end
    return "".join(parts)


def _run_end(text: str, start: int, alphabet: str) -> int:
    end = start
    while end < len(text) and text[end] in alphabet:
        end += 1
    return end


def _hex(ch: str) -> str:
    return f"{ord(ch):06X}"
