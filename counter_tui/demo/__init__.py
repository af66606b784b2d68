"""A demo library: titles, copies, readers, a calendar, rules, loans and fees to try the desk on.

`build_library` fills a freshly created library (schema and standard rows in place)
with made-up but plausible data: Chinese and English titles with valid ISBN-13s and
CLC call numbers, copies with Luhn-checked barcodes, readers with cards and card
histories, two years of returned loans, open loans (some overdue), fines paid and
unpaid, closed days and a few circulation rules. The same seed gives the same library.
The same code builds the benchmarks' large library (a million copies) in under a minute.

The package, by subject: scale (how big), staff_accounts, word_lists, calendar_and_rules,
catalogue (titles and copies), readers (and cards), loans, fees, numbering (barcodes and
series); the machinery: builder (the plan and the order of the tables), bulk_load (fast
multi-row INSERTs), clock (times as seconds), parallel_build (helper processes).

The invariants the services rely on hold on the result (tests/test_demo.py checks them):
at most one open loan per copy, a copy is "checked out" exactly when it has an open
loan, due dates fall on open days at the end of the local day, fines are what the rules
give, and no copy is ever lent twice at once.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from counter_tui.demo.numbering import SERIES_ACCESSION, SERIES_CARD, SERIES_ITEM
from counter_tui.demo.scale import DEMO, LARGE, Scale
from counter_tui.demo.staff_accounts import DEMO_FULL_NAME, DEMO_PASSWORD, DEMO_ROLES, DEMO_USERNAME

__all__ = ["DEMO", "DEMO_FULL_NAME", "DEMO_PASSWORD", "DEMO_ROLES", "DEMO_USERNAME", "HELPER_PROCESSES_FROM",
           "LARGE", "SERIES_ACCESSION", "SERIES_CARD", "SERIES_ITEM", "Scale", "build_library"]

# From this many copies on, barcodes and past loans are made by helper processes.
HELPER_PROCESSES_FROM = 200_000


def build_library(scale: Scale, now: datetime | None = None, seed: int = 7,
                  progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Fill a new library (schema and standard rows in place, no titles or readers yet).

    Returns the number of rows written per kind. Raises Refusal when the library
    already has titles, copies or readers: the demo never mixes with real data.
    `progress(stage)` is called as each stage starts.
    """
    from counter_tui.demo import builder  # loaded when a library is built, not by whoever imports the package
    return builder.build(scale, now, seed, progress, helper_processes_from=HELPER_PROCESSES_FROM)
