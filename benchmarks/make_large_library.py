"""Build the LARGE demo library (300,000 titles, a million copies, two million loans) into a SQLite file.

    .venv/bin/python benchmarks/make_large_library.py [--db PATH] [--force]

An existing library at PATH is reused unless --force is given. Prints the time of each
stage (wall clock, and CPU of this process), the total, and the rows in each table.
The other benchmarks call `ensure_large_library()`.
"""
from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from counter_tui import db
from counter_tui.config import Settings
from counter_tui.models import ALL_MODELS, Biblio
from counter_tui import demo
from counter_tui.services import library_settings
from counter_tui.services.admin import schema, setup

DEFAULT_DB = Path(__file__).resolve().parent / "out" / "large.db"
ZONE = ZoneInfo("Asia/Shanghai")


def settings_for(path: Path) -> Settings:
    return Settings(db_url=f"sqlite:///{path}", library_name="Large Library (benchmark)", timezone=ZONE)


def open_library(path: Path):
    """Connect to the library at `path` with the benchmark's settings."""
    settings = settings_for(path)
    library_settings.configure(settings)
    return db.connect(settings.db_url)


def row_counts() -> dict[str, int]:
    return {model._meta.table_name: model.select().count() for model in ALL_MODELS}


def is_built(path: Path) -> bool:
    if not path.exists():
        return False
    database = open_library(path)
    try:
        return schema.current_version() is not None and Biblio.select().exists()
    finally:
        database.close()


def build(path: Path, quiet: bool = False) -> dict[str, int]:
    """Make a new file at `path` (an old one is removed) and fill it with the LARGE scale."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(f"{path}{suffix}"):
            os.remove(f"{path}{suffix}")
    say = (lambda *a: None) if quiet else print
    database = open_library(path)
    try:
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        schema.create_schema()
        db.write(setup.seed_standard_rows)
        marks: list[tuple[str, float, float]] = [("schema", time.perf_counter(), time.process_time())]

        def progress(stage: str) -> None:
            marks.append((stage, time.perf_counter(), time.process_time()))

        counts = demo.build_library(demo.LARGE, progress=progress)
        marks.append(("(end)", time.perf_counter(), time.process_time()))
        total_wall, total_cpu = marks[-1][1] - started_wall, marks[-1][2] - started_cpu
        helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
        say(f"Built the LARGE library into {path}")
        say(f"{'stage':<14}{'wall s':>9}{'cpu s':>9}")
        say(f"{'schema':<14}{marks[0][1] - started_wall:>9.2f}{marks[0][2] - started_cpu:>9.2f}")
        for (stage, wall, cpu), (_, next_wall, next_cpu) in zip(marks[1:], marks[2:]):
            say(f"{stage:<14}{next_wall - wall:>9.2f}{next_cpu - cpu:>9.2f}")
        say(f"{'total':<14}{total_wall:>9.2f}{total_cpu:>9.2f}   "
            f"(+ {helpers.ru_utime + helpers.ru_stime:.2f} s CPU in helper processes)")
        say("build_library counts: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        return counts
    finally:
        database.close()


def ensure_large_library(path: Path = DEFAULT_DB, force: bool = False) -> Path:
    """The LARGE library at `path`, built if it is missing (or if `force`)."""
    if force or not is_built(path):
        build(path)
    return path


def build_postgres(url: str, fraction: float) -> None:
    """The same build on a PostgreSQL database (wiped first), optionally at a fraction of the scale."""
    import dataclasses
    settings = Settings(db_url=url, library_name="Large Library (benchmark)", timezone=ZONE)
    library_settings.configure(settings)
    database = db.connect(url)
    scale = dataclasses.replace(demo.LARGE, **{f.name: max(1, int(getattr(demo.LARGE, f.name) * fraction))
                                              for f in dataclasses.fields(demo.LARGE)})
    database.drop_tables(list(reversed(ALL_MODELS)), safe=True, cascade=True)
    started = time.perf_counter()
    schema.create_schema()
    db.write(setup.seed_standard_rows)
    counts = demo.build_library(scale, progress=lambda stage: print(f"  {stage} at {time.perf_counter() - started:.1f} s"))
    print(f"Built {fraction:g} of the LARGE library on PostgreSQL in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    database.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"SQLite file (default {DEFAULT_DB})")
    parser.add_argument("--force", action="store_true", help="build again even if the file holds a library")
    parser.add_argument("--postgres", metavar="URL", help="build on this PostgreSQL database instead (wiped first)")
    parser.add_argument("--fraction", type=float, default=1.0, help="with --postgres: this share of the LARGE scale")
    args = parser.parse_args(argv)
    if args.postgres:
        build_postgres(args.postgres, args.fraction)
        return
    path = args.db.resolve()
    if not args.force and is_built(path):
        print(f"Reusing the library in {path} (--force to build it again)")
    else:
        build(path)
    database = open_library(path)
    try:
        print(f"{'table':<18}{'rows':>12}")
        for table, count in row_counts().items():
            print(f"{table:<18}{count:>12,}")
        print(f"file size: {path.stat().st_size / 1e6:,.0f} MB")
    finally:
        database.close()


if __name__ == "__main__":
    main()
