"""Sources of acquisition: how a copy came to the library, as its accession register line says.

The one list. The add-copies form names it, the copies service refuses anything else,
the register's totals and its filter go by it, `counter-tui check` reports register lines
outside it, and anything that brings copies in (MARC import, the demo) should use it.
A library that receives copies some other way adds the word here, in one place.
"""
from __future__ import annotations

SOURCES = ("purchase", "gift", "donation", "exchange", "legal deposit", "transfer")
DEFAULT = "purchase"


def choices() -> str:
    """The sources as a sentence says them: "purchase, gift, ..., legal deposit or transfer"."""
    return ", ".join(SOURCES[:-1]) + f" or {SOURCES[-1]}"


def known_source(text: str | None) -> str | None:
    """The source as the register writes it, or None when `text` is not one of SOURCES.

    Case, extra spaces, hyphens and underscores do not matter: "Legal-Deposit" is "legal deposit".
    """
    words = " ".join((text or "").replace("_", " ").replace("-", " ").split()).lower()
    return words if words in SOURCES else None


def source_of(text: str | None) -> str:
    """The source as registered; ValueError with a sentence naming the choices otherwise."""
    source = known_source(text)
    if source is not None:
        return source
    shown = " ".join((text or "").split())[:30]
    if not shown:
        raise ValueError(f"Say where the copies came from: {choices()}.")
    raise ValueError(f"'{shown}' is not a source of acquisition: use {choices()}.")


def order(source: str) -> int:
    """Where a source stands in the list (unknown ones after every known one), for sorting."""
    return SOURCES.index(source) if source in SOURCES else len(SOURCES)
