"""Chinese names and titles as Chinese readers find them: pinyin keys, simplified characters.

Both conversions come from libraries made for them (pypinyin, OpenCC), loaded on first use:
they cost about 0.4 s and 0.04 s to load, which the desk pays once, when it first needs
them, never at start.
"""
from __future__ import annotations

from functools import cache


@cache
def _to_simplified():
    import opencc
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters as simplified (紅樓夢 -> 红楼梦); other text unchanged."""
    if not text or text.isascii():
        return text
    return _to_simplified().convert(text)


@cache
def _to_traditional():
    import opencc
    return opencc.OpenCC("s2t")


def spellings(word: str) -> list[str]:
    """A word as typed, in simplified and in traditional characters: a search for any of them
    finds the title however it was catalogued (紅樓夢 finds 红楼梦, and the reverse)."""
    if not has_han(word):
        return [word]
    return list(dict.fromkeys([word, simplified(word), _to_traditional().convert(word)]))


def has_han(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0002ffff" for ch in text)


def pinyin_keys(name: str) -> tuple[str, str]:
    """A name's full pinyin without tones or spaces, and its initials, both lower case:
    王芳 -> ("wangfang", "wf"); 欧阳娜娜 -> ("ouyangnana", "oynn"); Lucas Brown -> ("lucasbrown", "lb").
    A character with several readings takes pypinyin's usual one (单 as dan, not the surname shan)."""
    name = simplified(name.strip())
    if has_han(name):
        from pypinyin import Style, lazy_pinyin
        syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore") if s.isalpha()]
    else:
        syllables = "".join(ch.lower() if ch.isalnum() else " " for ch in name).split()
    return "".join(syllables), "".join(s[0] for s in syllables)
