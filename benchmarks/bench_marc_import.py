"""MARC import rate: a generated 100,000-record ISO 2709 file into a fresh library.

Generates (once, cached in benchmarks/out/) a UTF-8 ISO 2709 file of realistic
records: 001, 008, 020 ISBN, 084 CLC, 100 author, 245 title (a third in Chinese), 250,
264 publisher and year, 300, 650 subjects, and one to three Koha 952 copies each with a
barcode, call number, item type, price and acquired date. Then imports it into a fresh
SQLite file through services/marc.py (duplicate check, copies, accession numbers and
register lines, 500 records a transaction; `--match isbn` checks the library's
titles by ISBN only, not by similar title and author) and prints records per second and copies per
second, for a dry run and for the import.

    .venv/bin/python benchmarks/bench_marc_import.py                      # 100,000 records
    .venv/bin/python benchmarks/bench_marc_import.py --records 10000
    .venv/bin/python benchmarks/bench_marc_import.py --db postgresql://postgres@127.0.0.1:54329/bench
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_roster import fresh_library  # noqa: E402
from pymarc import Field, Indicators, Record, Subfield  # noqa: E402
from stdnum import ean  # noqa: E402

from counter_tui import db  # noqa: E402
from counter_tui.domain.barcodes import library_barcode  # noqa: E402
from counter_tui.services.catalogue import marc

OUT = ROOT / "benchmarks" / "out"
# A catalogue's vocabulary is large: Chinese titles draw on the 3,500 common characters
# (here a block of CJK unified ideographs), English ones on thousands of words.
CHINESE = "".join(chr(0x4E00 + i * 5) for i in range(3500))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
_SYLLABLES = [c + v for c in "bcdfghklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou", "ea")]
WORDS = sorted({a + b + c for a in _SYLLABLES[:40] for b in _SYLLABLES[40:80] for c in ("", "n", "r", "s", "th")})
CLASSES = ["I242.4", "I247.5", "TP311.1", "TP312", "O13", "K207", "F12", "G40", "H31", "B22", "D61", "J21"]
PUBLISHERS = ["人民文学出版社", "商务印书馆", "中华书局", "高等教育出版社", "Penguin", "Oxford University Press"]
TYPES = ["book", "book", "book", "reference"]


def make_file(path: Path, records: int, seed: int = 7) -> None:
    rand = random.Random(seed)
    barcode = 0
    with open(path, "wb") as out:
        for n in range(records):
            chinese = n % 3 == 0
            if chinese:
                title = "".join(rand.choice(CHINESE) for _ in range(rand.randint(4, 12)))
                author = rand.choice(SURNAMES) + "".join(rand.choice(GIVEN) for _ in range(rand.randint(1, 2)))
                lang = "chi"
            else:
                title = " ".join(rand.choice(WORDS) for _ in range(rand.randint(2, 6))).capitalize()
                author = f"{rand.choice(WORDS).capitalize()}, {rand.choice('ABCDEFGHJKLMNPRSTW')}."
                lang = "eng"
            year = rand.randint(1950, 2025)
            isbn = "978" + f"{(n * 7919) % 10**9:09d}"  # unique below 126,000 records
            isbn += ean.calc_check_digit(isbn)
            cls = rand.choice(CLASSES)
            r = Record(force_utf8=True, leader="00000nam a2200000 i 4500")
            r.add_field(Field(tag="001", data=f"bench{n:07d}"))
            r.add_field(Field(tag="008", data=f"240101s{year}    cc            000 0 {lang} d"))
            r.add_field(Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", isbn)]))
            r.add_field(Field(tag="084", indicators=Indicators(" ", " "),
                              subfields=[Subfield("a", cls), Subfield("2", "clc")]))
            r.add_field(Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", author)]))
            r.add_field(Field(tag="245", indicators=Indicators("1", "0"),
                              subfields=[Subfield("a", title + " /"), Subfield("c", author + ".")]))
            if rand.random() < 0.3:
                r.add_field(Field(tag="250", indicators=Indicators(" ", " "),
                                  subfields=[Subfield("a", f"{rand.randint(2, 5)}th ed.")]))
            r.add_field(Field(tag="264", indicators=Indicators(" ", "1"), subfields=[
                Subfield("a", "北京 :"), Subfield("b", rand.choice(PUBLISHERS) + ","), Subfield("c", f"{year}.")]))
            r.add_field(Field(tag="300", indicators=Indicators(" ", " "),
                              subfields=[Subfield("a", f"{rand.randint(80, 900)} p. ;"), Subfield("c", "21 cm")]))
            for _ in range(rand.randint(1, 3)):
                r.add_field(Field(tag="650", indicators=Indicators(" ", "7"),
                                  subfields=[Subfield("a", rand.choice(WORDS)), Subfield("2", "local")]))
            for copy in range(rand.randint(1, 3)):
                barcode += 1
                r.add_field(Field(tag="952", indicators=Indicators(" ", " "), subfields=[
                    Subfield("a", "MAIN"), Subfield("c", "Stacks"), Subfield("o", f"{cls}/{n % 500 + 1}"),
                    Subfield("p", library_barcode("35678", barcode)), Subfield("y", rand.choice(TYPES)),
                    Subfield("g", f"{rand.randint(10, 150)}.{rand.randint(0, 99):02d}"),
                    Subfield("d", f"{rand.randint(2000, 2024)}-0{rand.randint(1, 9)}-1{rand.randint(0, 9)}"),
                    Subfield("e", "purchase")]))
            out.write(r.as_marc())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file in a temp folder)")
    parser.add_argument("--skip-dry-run", action="store_true")
    parser.add_argument("--match", choices=marc.MATCHES, default="isbn-or-title",
                        help="duplicates by ISBN or similar title and author (default), or by ISBN only")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"marc_{args.records}.mrc"
    if not path.exists():
        started = time.perf_counter()
        make_file(path, args.records)
        print(f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        actor = fresh_library(url, "cat", "Cataloguer", "cataloging")
        runs = [("dry run", True)] if not args.skip_dry_run else []
        for label, dry in runs + [("import", False)]:
            started = time.perf_counter()
            report = marc.import_marc(actor, path, dry_run=dry, match=args.match)
            seconds = time.perf_counter() - started
            print(f"{label}: {report.summary}")
            print(f"  {seconds:.1f} s: {len(report.imported) / seconds:,.0f} records/s, "
                  f"{report.copies_added / seconds:,.0f} copies/s "
                  f"({report.read / seconds:,.0f} records read/s)")
        db.database.close()


if __name__ == "__main__":
    main()
