"""Roster import rate: a generated 20,000-row roster into a fresh library.

Prints rows per second for the dry run (read, check) and for the import (check again,
write readers, cards, card events and the audit event in one transaction), then for a
second import of the same file with some rows changed (updates by identity number).

    .venv/bin/python benchmarks/bench_roster.py                  # SQLite, in a temp folder
    .venv/bin/python benchmarks/bench_roster.py --rows 100000 --encoding gb18030
    .venv/bin/python benchmarks/bench_roster.py --db postgresql://postgres@127.0.0.1:54329/bench

With --bounds it prints instead the time and the peak memory (each case in a process of its own)
of rosters that once grew without bound: 20,000 rows repeating one identity number, the largest
roster taken (200,000 rows, with every column and with two), a 50 MB file and an 18 MB file of
1,200,000 short rows, both refused. Each file is written before its process starts, so the peak
is the dry run's and the import's own (and the imported modules'):

    .venv/bin/python benchmarks/bench_roster.py --bounds
"""
from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from counter_tui import db  # noqa: E402
from counter_tui.config import Settings  # noqa: E402
from counter_tui.models import ALL_MODELS, Patron  # noqa: E402
from counter_tui.services import library_settings
from counter_tui.services.readers import roster
from counter_tui.services.admin import schema, setup, staff

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
CLASSES = ["计算机科学与技术", "汉语言文学", "数学与应用数学", "物理学", "英语", "历史学"]


def roster_csv(rows: int, seed: int, changed: float = 0.0) -> str:
    """Students and teachers, Chinese headers; `changed` of them with a new class or phone."""
    rand, change = random.Random(seed), random.Random(seed + 1)  # the same readers, whatever changes
    lines = ["姓名,学号,班级,类别,电话,邮箱"]
    for n in range(rows):
        teacher = n % 10 == 0
        name = rand.choice(SURNAMES) + "".join(rand.choice(GIVEN) for _ in range(rand.randint(1, 2)))
        number = f"T{n:07d}" if teacher else f"2024{n:06d}"
        group = f"{rand.choice(CLASSES)}{'系' if teacher else ' 2024级1班'}"
        phone = f"1{rand.choice('3578')}{rand.randrange(10**9):09d}"
        if change.random() < changed:
            group, phone = group + "（转）", f"1{change.choice('3578')}{change.randrange(10**9):09d}"
        lines.append(f"{name},{number},{group},{'教师' if teacher else '学生'},{phone},r{n:06d}@example.edu.cn")
    return "\n".join(lines) + "\n"


def fresh_library(url: str, username: str = "office", full_name: str = "Office Clerk", role: str = "office"):
    """An empty library at `url` (its tables dropped first) and one member of staff to act."""
    library_settings.configure(Settings(db_url=url, timezone=ZoneInfo("Asia/Shanghai"), library_name="Bench Library"))
    db.connect(url)
    if schema.current_version() is not None:
        db.database.drop_tables(list(reversed(ALL_MODELS)))
    schema.create_schema()
    db.write(setup.seed_standard_rows)
    return staff.add_staff(None, username, full_name, "bench-password", [role])


def timed(label: str, rows: int, fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label:<34} {rows:>7} rows  {seconds:6.2f} s  {rows / seconds:>9,.0f} rows/s")
    return result


def peak_mb() -> float:
    """This process's peak resident memory: VmHWM, which starts afresh at exec (ru_maxrss keeps the
    peak of the parent it was forked from)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def short_rows(rows: int, name: str = "读者") -> str:
    return "姓名,学号\n" + "".join(f"{name}{n},S{n}\n" for n in range(rows))


# case -> (what it is, the file's text)
BOUND_CASES = {
    "repeated": ("20,000 rows, one identity number", lambda: "姓名,学号,类别\n" + "李雷,2024001,学生\n" * 20_000),
    "widest": ("200,000 rows, every column", lambda: roster_csv(200_000, seed=1)),
    "narrow": ("200,000 rows, name and id only", lambda: short_rows(200_000)),
    "50mb": ("a 50 MB roster", lambda: roster_csv(600_000, seed=1)),
    "many": ("1,200,000 short rows", lambda: short_rows(1_200_000, name="")),
}


def bound_case(case: str, url: str, path: Path) -> None:
    """One case, in this process: the dry run, then the import when the dry run took the file."""
    from counter_tui.services.errors import Refusal
    what = BOUND_CASES[case][0]
    clerk = fresh_library(url)
    size = path.stat().st_size / 2 ** 20
    start_mb = peak_mb()
    started = time.perf_counter()
    try:
        plan = roster.plan_import(clerk, path, default_category="student")
    except Refusal as refused:
        print(f"{what:<32} {size:5.1f} MB  refused in {time.perf_counter() - started:5.2f} s, "
              f"peak {peak_mb():5.0f} MB (at start {start_mb:.0f}): {refused.sentence}")
        return
    dry = time.perf_counter() - started
    longest = max((len(b.reason) for b in plan.bad), default=0)
    imported = ""
    if plan.good and not plan.bad:
        started = time.perf_counter()
        roster.run_import(clerk, plan)
        imported = f", import {time.perf_counter() - started:5.2f} s"
    print(f"{what:<32} {size:5.1f} MB  dry run {dry:5.2f} s{imported}, peak {peak_mb():5.0f} MB "
          f"(at start {start_mb:.0f}); {plan.summary} Longest reason: {longest} characters")


def bounds(url: str | None, folder: str) -> None:
    print(f"{'SQLite' if url is None else 'PostgreSQL'}; each case in a process of its own")
    for case, (_, text) in BOUND_CASES.items():
        path = Path(folder) / f"{case}.csv"
        path.write_text(text(), encoding="utf-8")
        subprocess.run([sys.executable, __file__, "--case", case, "--file", str(path),
                        "--db", url or f"sqlite:///{folder}/{case}.db"], check=True)
        path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temp folder)")
    parser.add_argument("--encoding", default="utf-8-sig", help="utf-8, utf-8-sig (with BOM) or gb18030")
    parser.add_argument("--bounds", action="store_true", help="time and memory of repeated, large and too large rosters")
    parser.add_argument("--case", choices=BOUND_CASES, help=argparse.SUPPRESS)  # one of --bounds, in a child
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)  # its roster
    args = parser.parse_args()
    if args.case:
        return bound_case(args.case, args.db, args.file)
    with tempfile.TemporaryDirectory() as folder:
        if args.bounds:
            return bounds(args.db, folder)
        url = args.db or f"sqlite:///{folder}/roster_bench.db"
        clerk = fresh_library(url)
        path = Path(folder) / "roster.csv"
        path.write_bytes(roster_csv(args.rows, seed=1).encode(args.encoding))
        print(f"{args.rows} rows, {path.stat().st_size / 1e6:.1f} MB, {args.encoding}, "
              f"{'SQLite' if db.is_sqlite() else 'PostgreSQL'}")
        plan = timed("dry run (new library)", args.rows, lambda: roster.plan_import(clerk, path))
        assert plan.new == args.rows and not plan.bad, (plan.new, plan.bad[:3])
        result = result_first = timed("import, all new", args.rows, lambda: roster.run_import(clerk, plan))
        assert result.new == args.rows and Patron.select().count() == args.rows
        path.write_bytes(roster_csv(args.rows, seed=1, changed=0.2).encode(args.encoding))
        plan = timed("dry run (every reader known)", args.rows, lambda: roster.plan_import(clerk, path))
        result = timed(f"import, {plan.updated} updated", args.rows, lambda: roster.run_import(clerk, plan))
        assert result.updated == plan.updated and result.new == 0
        print(f"cards issued {result_first.first_card}..{result_first.last_card}")
        db.database.close()


if __name__ == "__main__":
    main()
