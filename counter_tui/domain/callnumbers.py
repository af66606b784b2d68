"""Shelf order of CLC (Chinese Library Classification) and Dewey call numbers.

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

Dewey call numbers ("813.54 C372 v.2", "REF 005.133 W29", "YR DVD 800.1") are
[prefix words] class number [Cutter mark] [volume, copy, year...]. Their key is
  prefix       the words before the class number, as in the rest part, then "0"
  class        as a CLC class part (character by character, dot ignored: 813 <
               813.54 < 813.6), prime marks ("005.13/3") dropped, then "0"
  Cutter       the first word after the class, also character by character, so its
               digits compare as a decimal fraction (C372 < C38) and a work mark
               follows the bare mark (C372 < C372a), then "0"
  rest         as for CLC: volumes, copies and years compare as numbers (v.2 < v.10).
A call number without a prefix files before every prefixed one (Koha does the same).
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


SCHEMES = ("clc", "dewey")


def dewey_sort_key(call_number: str) -> str:
    """The shelf-order key of a Dewey call number (see the module docstring)."""
    text = call_number.translate(_ASCII_FORMS).strip().upper()
    words = _dewey_words(text)
    start = next((i for i, word in enumerate(words) if word[:1].isdigit()), None)
    if start is None:  # no class number at all: "FIC SMITH", "BIOGRAPHY"
        return "0" + _rest_key(" ".join(words))
    prefix, class_number, tail = words[:start], words[start], words[start + 1 :]
    key = _rest_key(" ".join(prefix)) + "0"
    key += "".join(_class_char(ch) for ch in class_number if ch not in "./'") + "0"
    if tail and tail[0][:1].isalpha():
        key += "".join(_class_char(ch) for ch in tail[0] if ch != ".") + "0"
        tail = tail[1:]
    else:
        key += "0"
    return key + _rest_key(" ".join(tail))


def sort_key(call_number: str, scheme: str = "clc") -> str:
    """The shelf-order key of a call number in this scheme ("clc" or "dewey")."""
    if scheme == "dewey":
        return dewey_sort_key(call_number)
    if scheme == "clc":
        return clc_sort_key(call_number)
    raise ValueError(f"Unknown classification {scheme!r}: use 'clc' or 'dewey'.")


def shelf_order(call_numbers: Iterable[str], scheme: str = "clc") -> list[str]:
    # The text itself breaks ties ("v.2" and "V2" share a key) so the order is stable.
    return sorted(call_numbers, key=lambda number: (sort_key(number, scheme), number))


def compose(class_number: str, book_number: str, volume: str = "", scheme: str = "clc") -> str:
    """The call number as written on the spine and in the catalogue.

    CLC: class "/" book number, a volume as ":2" (or "/v.2" when it has letters):
    "I247.5/123", "I247.5/123:2". Dewey: class, Cutter mark and volume separated by
    spaces: "813.54 C372 v.2".
    """
    class_number, book_number, volume = class_number.strip(), book_number.strip(), volume.strip()
    if scheme == "dewey":
        return " ".join(part for part in (class_number, book_number, volume) if part)
    if scheme != "clc":
        raise ValueError(f"Unknown classification {scheme!r}: use 'clc' or 'dewey'.")
    number = f"{class_number}/{book_number}" if book_number else class_number
    if volume:
        number += f":{volume}" if volume.isdigit() else f"/{volume}"
    return number


def spine_lines(call_number: str, scheme: str = "clc") -> list[str]:
    """The call number split over the lines of a spine label, top to bottom.

    CLC "I247.5/123:2" -> ["I247.5", "123", ":2"]; Dewey "REF 813.54 C372 v.2" ->
    ["REF", "813.54", "C372", "v.2"].
    """
    text = call_number.translate(_ASCII_FORMS).strip()
    if scheme == "dewey":
        return _dewey_words(text)
    class_part, _, rest = _split_class(text)
    lines = [class_part] if class_part else []
    for chunk in rest.replace(" ", "/").split("/"):
        if not chunk:
            continue
        head, colon, volume = chunk.partition(":")
        lines.extend(part for part in (head, colon + volume if colon else "") if part)
    return lines


def _dewey_words(text: str) -> list[str]:
    """Words split at spaces and at a "/" that is not a prime mark between digits."""
    out = []
    for index, ch in enumerate(text):
        between_digits = 0 < index < len(text) - 1 and text[index - 1].isdigit() and text[index + 1].isdigit()
        out.append(" " if ch.isspace() or (ch == "/" and not between_digits) else ch)
    return "".join(out).split()


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


# ---- Cutter marks ------------------------------------------------------------------------------
# The Library of Congress Cutter table (LC Classification and Shelflisting Manual G 60): the
# first letter, then one digit for the second letter by the row of the first, then digits for
# the following letters by the expansion row, three digits at most. A letter that is not in
# a row takes the number of the nearest listed letter before it (2 when there is none).
_AFTER_VOWEL = {"B": 2, "D": 3, "L": 4, "M": 4, "N": 5, "P": 6, "R": 7, "S": 8, "T": 8,
                "U": 9, "V": 9, "W": 9, "X": 9, "Y": 9}
_AFTER_S = {"A": 2, "C": 3, "E": 4, "H": 5, "I": 5, "M": 6, "N": 6, "O": 6, "P": 6, "T": 7,
            "U": 8, "W": 9, "X": 9, "Y": 9, "Z": 9}
_AFTER_QU = {"A": 3, "E": 4, "I": 5, "O": 6, "R": 7, "T": 8, "Y": 9}
_AFTER_CONSONANT = {"A": 3, "E": 4, "I": 5, "O": 6, "R": 7, "U": 8, "Y": 9}
_EXPANSION = {"A": 3, "B": 3, "C": 3, "D": 3, "E": 4, "F": 4, "G": 4, "H": 4, "I": 5, "J": 5,
              "K": 5, "L": 5, "M": 6, "N": 6, "O": 6, "P": 7, "Q": 7, "R": 7, "S": 7, "T": 8,
              "U": 8, "V": 8, "W": 9, "X": 9, "Y": 9, "Z": 9}


def cutter(surname: str, digits: int = 3) -> str:
    """A Cutter mark for a surname (Latin letters only): "Chekhov" -> "C445", "Smith" -> "S65".

    Returns "" when the name has no Latin letter; at most `digits` digits.
    """
    letters = "".join(ch for ch in surname.upper() if "A" <= ch <= "Z")
    if not letters:
        return ""
    first, rest = letters[0], letters[1:]
    if first == "Q" and rest[:1] == "U":
        table, rest = _AFTER_QU, rest[1:]
    elif first == "Q":
        # Qa-Qt: 2-29 in the table; the second letter's place in the alphabet is close enough
        table = {ch: 2 + (ord(ch) - ord("A")) * 7 // 26 for ch in "ABCDEFGHIJKLMNOPQRSTVWXYZ"}
    elif first in "AEIOU":
        table = _AFTER_VOWEL
    elif first == "S":
        table = _AFTER_S
    else:
        table = _AFTER_CONSONANT
    out = []
    if rest:
        if first == "S" and rest.startswith("CH"):
            out.append("3")
            rest = rest[2:]
        else:
            out.append(str(_row_number(table, rest[0])))
            rest = rest[1:]
    for ch in rest[: max(0, digits - len(out))]:
        out.append(str(_EXPANSION[ch]))
    return first + "".join(out)


def _row_number(table: dict[str, int], letter: str) -> int:
    listed = [key for key in table if key <= letter]
    return table[max(listed)] if listed else 2
