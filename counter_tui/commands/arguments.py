"""Kinds of command-line values that the commands share, checked where argparse reads them.

A value out of range is answered by argparse ("argument --batch: ...", exit status 2) before
anything is opened or asked, never by an OverflowError from the database or the calendar.
"""
from __future__ import annotations

import argparse

# the largest number a PostgreSQL integer column holds (a record's number, a batch's number)
LARGEST_NUMBER = 2_147_483_647


def whole_number(least: int, most: int, unit: str):
    """An argparse `type`: a whole number from `least` to `most`; `unit` says what it counts."""
    def parse(text: str) -> int:
        try:
            value = int(text.strip().replace(",", "").replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"give a whole number ({unit}), not {text!r}") from None
        if not least <= value <= most:
            raise argparse.ArgumentTypeError(f"give a whole number from {least:,} to {most:,} ({unit}), not {text}")
        return value

    return parse
