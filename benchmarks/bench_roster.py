"""Roster import rate: a generated 20,000-row roster into a fresh library.

Prints rows per second for the dry run (read, check) and for the import (check again,
write readers, cards, card events and the audit event in one transaction), then for a
second import of the same file with some rows changed (updates by identity number).

    .venv/bin/python benchmarks/bench_roster.py                  # SQLite, in a temp folder
    .venv/bin/python benchmarks/bench_roster.py --rows 100000 --encoding gb18030
    .venv/bin/python benchmarks/bench_roster.py --db postgresql://postgres@127.0.0.1:54329/bench
"""
from __future__ import annotations

import argparse
import random
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temp folder)")
    parser.add_argument("--encoding", default="utf-8-sig", help="utf-8, utf-8-sig (with BOM) or gb18030")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{folder}/roster_bench.db"
        clerk = fresh_library(url)
        path = Path(folder) / "roster.csv"
        path.write_bytes(roster_csv(args.rows, seed=1).encode(args.encoding))
        print(f"{args.rows} rows, {path.stat().st_size / 1e6:.1f} MB, {args.encoding}, "
              f"{'SQLite' if db.is_sqlite() else 'PostgreSQL'}")
        plan = timed("dry run (new library)", args.rows, lambda: roster.plan_import(path))
        assert plan.new == args.rows and not plan.bad, (plan.new, plan.bad[:3])
        result = result_first = timed("import, all new", args.rows, lambda: roster.run_import(clerk, plan))
        assert result.new == args.rows and Patron.select().count() == args.rows
        path.write_bytes(roster_csv(args.rows, seed=1, changed=0.2).encode(args.encoding))
        plan = timed("dry run (every reader known)", args.rows, lambda: roster.plan_import(path))
        result = timed(f"import, {plan.updated} updated", args.rows, lambda: roster.run_import(clerk, plan))
        assert result.updated == plan.updated and result.new == 0
        print(f"cards issued {result_first.first_card}..{result_first.last_card}")
        db.database.close()


if __name__ == "__main__":
    main()
