"""Counts said in sentences: "1 copy", "2 copies", "1,204 titles", never "1 copies".

Every screen, command and printed line that says how many of something there are goes
through `counted` (or `plural` when the number stands apart from its noun), so the
English is right in one place and a translation has one place to hook into.
"""
from __future__ import annotations

# Nouns whose plural the rules below would get wrong.
_IRREGULAR = {"person": "people", "child": "children", "copy in processing": "copies in processing"}


def plural(noun: str, n: int = 2) -> str:
    """`noun` as it reads after the number `n`: "copy" for 1, "copies" otherwise."""
    if n == 1:
        return noun
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    if noun.endswith("y") and len(noun) > 1 and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"  # copy, library, entry, category
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"  # class, box, match
    return noun + "s"


def counted(n: int | float, noun: str, plural_form: str | None = None) -> str:
    """The number and its noun: counted(1, "copy") is "1 copy", counted(1204, "title") "1,204 titles",
    counted(0.5, "minute") "0.5 minutes", counted(10.0, "minute") "10 minutes".

    `plural_form` for a noun the rules do not know ("1 person", "3 people" is known)."""
    word = noun if n == 1 else (plural_form or plural(noun, n))
    number = f"{n:,}" if isinstance(n, int) else f"{n:,g}"
    return f"{number} {word}"
