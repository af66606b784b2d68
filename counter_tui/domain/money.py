"""Money as integer minor units (fen, cents): formatting and reading what a clerk types."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Keeps amounts well inside a 64-bit database integer.
MAX_WHOLE_DIGITS = 12

_AMOUNT = re.compile(r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<fraction>[0-9]*))?")


@dataclass(frozen=True)
class Currency:
    code: str = "CNY"
    symbol: str = "¥"
    digits: int = 2  # minor-unit digits: 2 for fen and cents, 0 for yen or won

    def __post_init__(self) -> None:
        if not 0 <= self.digits <= 4:
            raise ValueError("A currency has between 0 and 4 decimal places.")


def format_money(minor: int, currency: Currency = Currency()) -> str:
    """1250 -> "¥12.50"; -300 -> "-¥3.00"."""
    # bool is an int, and a float here means money was computed wrongly upstream.
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise TypeError(f"Money must be an integer number of minor units, not {minor!r}.")
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**currency.digits)
    if currency.digits == 0:
        return f"{sign}{currency.symbol}{whole}"
    return f"{sign}{currency.symbol}{whole}.{fraction:0{currency.digits}d}"


def parse_money(text: str, currency: Currency = Currency()) -> int:
    """What a clerk typed ("12.5", "¥3", "1,200") as minor units; ValueError in plain words."""
    # NFKC turns a Chinese keyboard's "￥１２．５" into "¥12.5".
    cleaned = "".join(unicodedata.normalize("NFKC", text).split())
    shown = text.strip()[:30]
    for mark in (currency.symbol, currency.code, currency.code.lower()):
        if mark and cleaned.startswith(mark):
            cleaned = cleaned[len(mark):]
        elif mark and cleaned.endswith(mark):
            cleaned = cleaned[: -len(mark)]
    if not cleaned:
        raise ValueError(f"Type an amount, for example {format_money(1250, currency)}.")
    if cleaned.startswith("-"):
        raise ValueError(f"An amount cannot be negative here: {shown}.")
    match = _AMOUNT.fullmatch(cleaned)
    if not match or not (match["whole"] or match["fraction"]):
        raise ValueError(
            f"{shown} is not an amount of money: type digits with a dot before the "
            f"decimals, for example "
            f"{format_money(1250, currency)}."
        )
    whole = match["whole"].replace(",", "") or "0"
    fraction = match["fraction"] or ""
    if len(fraction) > currency.digits:
        places = "no decimal places"
        if currency.digits:
            places = f"at most {currency.digits} decimal places"
        raise ValueError(f"{currency.code} amounts have {places}: {shown}.")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        raise ValueError(f"{shown} is too large to be an amount at this desk.")
    return int(whole) * 10**currency.digits + int(fraction.ljust(currency.digits, "0") or "0")
