"""Catalogue search at 300,000 titles: median and p99 of `titles.search_page`, one page of 20.

Latin queries (one or two words, or part of a word, typed in lower case), Chinese queries
of three or four characters (the trigram index) and of two characters (shorter than a
trigram: LIKE, a page at a time), words that match nothing, a deep page reached by keyset
cursors, an ISBN scan, a call-number class, and the duplicate check of the record form and
the MARC import. The first page of every search also counts the matches (up to 1,000).

The LARGE library is reused (built by make_large_library.py if missing); the search index
is created in it if it is not there yet (the time to build it is printed).

    .venv/bin/python benchmarks/bench_catalogue_search.py [--db PATH] [--runs 200]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_reader_search import report as reader_search_report  # noqa: E402
from make_large_library import DEFAULT_DB, ensure_large_library, open_library  # noqa: E402

from counter_tui import db  # noqa: E402
from counter_tui.models import Staff  # noqa: E402
from counter_tui.services.catalogue import duplicates, titles
from counter_tui.services.catalogue.search_index import FTS_TABLE, create_search_index  # noqa: E402

READER_DESK = Staff(username="bench", full_name="Bench", roles="circulation", active=True)


def timed(fn, inputs) -> tuple[list[float], list]:
    times, results = [], []
    for value in inputs:
        started = time.perf_counter()
        results.append(fn(value))
        times.append((time.perf_counter() - started) * 1000)
    return times, results


def report(label: str, times: list[float], found: str = "") -> None:
    reader_search_report(label, times, found, width=40)


def found(pages) -> str:
    hits = sum(1 for p in pages if p.rows)
    totals = sorted(p.total for p in pages if p.total is not None)
    if not totals:
        return f"{hits}/{len(pages)} found (not counted)"
    uncounted = f", {len(pages) - len(totals)} not counted" if len(totals) < len(pages) else ""
    return f"{hits}/{len(pages)} found, median {statistics.median(totals):,.0f} matches{uncounted}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"SQLite file (default {DEFAULT_DB})")
    parser.add_argument("--runs", type=int, default=200, help="searches of each kind")
    args = parser.parse_args(argv)
    path = ensure_large_library(args.db.resolve())
    open_library(path)
    if not db.database.table_exists(FTS_TABLE):
        started = time.perf_counter()
        with db.database.atomic():
            create_search_index()
        print(f"built the trigram search index in {time.perf_counter() - started:.1f} s")
    rand = random.Random(7)
    count = db.execute("SELECT COUNT(*) FROM biblio").fetchone()[0]
    titles = [r[0] for r in db.execute("SELECT title FROM biblio ORDER BY RANDOM() LIMIT ?", args.runs * 4)]
    latin = [t for t in titles if t.isascii()]
    chinese = [t for t in titles if any("\u4e00" <= ch <= "\u9fff" for ch in t)]
    print(f"{count:,} titles in {path}; {args.runs} searches of each kind, a page of 20")

    def words(title: str) -> list[str]:
        return [w for w in title.lower().replace(":", " ").split() if len(w) >= 3 and w not in ("the", "and")]

    def one_word(title: str) -> str:
        return rand.choice(words(title) or [title.lower()])

    def two_words(title: str) -> str:
        ws = words(title)
        return " ".join(rand.sample(ws, 2)) if len(ws) >= 2 else one_word(title)

    def part_of_word(title: str) -> str:
        w = max(words(title) or [title.lower()], key=len)
        return w[: max(3, len(w) - 3)]

    def han_run(title: str, n: int) -> str:
        han = "".join(ch for ch in title if "\u4e00" <= ch <= "\u9fff")
        if len(han) < n:
            return han
        i = rand.randrange(0, len(han) - n + 1)
        return han[i:i + n]

    def search(text: str, after=None):
        return titles.search_page(READER_DESK, text, after, 20)

    runs = args.runs
    cases = [
        ("Latin, one word", [one_word(t) for t in latin[:runs]]),
        ("Latin, two words", [two_words(t) for t in latin[:runs]]),
        ("Latin, part of a word", [part_of_word(t) for t in latin[:runs]]),
        ("Chinese, 3-4 characters (trigrams)", [han_run(t, rand.choice((3, 4))) for t in chinese[:runs]]),
        ("Chinese, 2 characters (LIKE)", [han_run(t, 2) for t in chinese[:runs]]),
        ("Chinese, 1 character (LIKE)", [han_run(t, 1) for t in chinese[:runs]]),
        ("Nothing matches, Latin", [f"zq{rand.randrange(10**6)}x" for _ in range(runs)]),
        ("Nothing matches, Chinese 3 chars", ["".join(rand.choice("齉龘靐爨癵") for _ in range(3))
                                              for _ in range(runs)]),
    ]
    for label, queries in cases:
        times, pages = timed(search, queries)
        report(label, times, found(pages))

    # a deep page: the 20th page of a broad word, reached by following the cursors
    broad = search("the")
    cursor, page = broad.next, None
    for _ in range(18):
        cursor = search("the", cursor).next
    times, pages = timed(lambda c: search("the", c), [cursor] * runs)
    report("Latin, 20th page of 'the'", times, f"{broad.total:,}{'+' if broad.total_capped else ''} matches")

    isbns = [r[0] for r in db.execute("SELECT isbn FROM biblio WHERE isbn IS NOT NULL ORDER BY RANDOM() LIMIT ?",
                                      runs)]
    times, pages = timed(search, isbns)
    report("ISBN scan (EAN-13)", times, found(pages))
    classes = [r[0].split("/")[0] for r in db.execute(
        "SELECT call_number FROM item WHERE call_number <> '' ORDER BY RANDOM() LIMIT ?", runs)]
    times, pages = timed(search, classes)
    report("Call number class (e.g. I247.5)", times, found(pages))

    sample = db.execute("SELECT title, author, isbn FROM biblio ORDER BY RANDOM() LIMIT ?", runs).fetchall()
    times, results = timed(lambda r: duplicates.find_duplicates(r[0], r[1], None), sample)
    report("Duplicate check, title and author", times,
           f"{sum(1 for r in results if r)}/{len(results)} found their own record")
    times, results = timed(lambda r: duplicates.find_duplicates(r[0] + " (2nd ed.)", r[1], r[2]), sample)
    report("Duplicate check, ISBN and altered title", times, f"{sum(1 for r in results if r)}/{len(results)} found")


if __name__ == "__main__":
    main()
