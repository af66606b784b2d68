"""What a slip that others may see says of its reader: the card's last four digits, the name shortened.

A hold slip sits on the public hold shelf and a fee receipt is left on counters; the card
number is enough to borrow on the account, so every slip shows only its last four digits.
The name is shortened as the library's `slip_name` setting says: "full" keeps it; "initial"
(the default) shortens the given name, as libraries do on hold shelves: a Chinese name keeps
its surname (欧阳 and the other two-character surnames whole) and stars the rest, 王芳 -> 王*;
a Latin name keeps its last word (the surname) and gives the others' first letters,
Jim Green -> J. Green, or, written surname first with a comma, Green, Jim -> Green, J.
"""
from __future__ import annotations

from counter_tui.domain.chinese import has_han

# Two-character surnames, in simplified and traditional characters: the common ones.
COMPOUND_SURNAMES = frozenset((
    "欧阳 歐陽 司马 司馬 诸葛 諸葛 上官 东方 東方 皇甫 尉迟 尉遲 公孙 公孫 慕容 长孙 長孫 宇文 司徒 夏侯 "
    "轩辕 軒轅 令狐 钟离 鍾離 端木 南宫 南宮 独孤 獨孤 呼延 赫连 赫連 西门 西門 司空 澹台 澹臺 公羊 闻人 聞人 "
    "太史 申屠 万俟 拓跋 百里 东郭 東郭 第五").split())


def masked_card(card: str) -> str:
    """Only the card's last four digits: 21234000000012 -> **********0012."""
    return "*" * max(0, len(card) - 4) + card[-4:]


def shortened_name(name: str, how: str = "initial") -> str:
    """The name as a slip prints it (see the module's words); `how` is "full" or "initial"."""
    name = " ".join((name or "").split())
    if how == "full" or not name:
        return name
    if has_han(name):
        joined = name.replace(" ", "")
        surname = joined[:2] if joined[:2] in COMPOUND_SURNAMES else joined[:1]
        return surname + "*"
    if "," in name:
        surname, _, given = (part.strip() for part in name.partition(","))
        return f"{surname}, {_initials(given.split())}" if given else surname
    words = name.split()
    return " ".join([_initials(words[:-1]), words[-1]]).strip()


def _initials(words: list[str]) -> str:
    return " ".join(f"{word[0]}." for word in words if word)
