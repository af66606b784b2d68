"""Scan to screen on one desk while eight other desks work the same database flat out.

A library of readers and copies is made (benchmarks/bench_desks.make_library); eight
desk processes (benchmarks/desk_load.py) lend, return, renew and take payments on half
of the copies; the real desk, on a pseudo-terminal, lends the other half one scan at a
time, and each scan is timed from writing `BARCODE\\r` to its row on the terminal.

    .venv/bin/python benchmarks/bench_scan_under_load.py [--db URL] [--scans 150] [--desks 8]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_desks import make_library  # noqa: E402
from benchmarks.pty_harness import PtyProcess, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temp folder); it is wiped")
    parser.add_argument("--scans", type=int, default=150)
    parser.add_argument("--desks", type=int, default=8)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{tmp.name}/load.db"
    barcodes, people = make_library(url, readers=200, copies=2 * args.scans + 400)
    mine, theirs = barcodes[: args.scans], barcodes[args.scans:]
    from counter_tui.domain.barcodes import library_barcode
    card = library_barcode("21234", 1)
    load = [subprocess.Popen([sys.executable, "-m", "benchmarks.desk_load", url, "3600", str(seed)],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             text=True, cwd=ROOT) for seed in range(args.desks)]
    for proc in load:  # the load never touches the reader or copies the timed desk uses
        proc.stdin.write(json.dumps({"barcodes": theirs, "patrons": people[1:]}))
        proc.stdin.close()
    env = dict(os.environ, COUNTER_TUI_CONFIG=f"{tmp.name}/none.toml")
    times = []
    try:
        with PtyProcess([str(Path(sys.executable).with_name("counter-tui")), "--db", url], env=env) as term:
            term.wait_for(b"Username", timeout=30, strip=True)
            term.write(b"clerk\rbench-password\r")
            term.wait_for(b"Check out", timeout=30, strip=True)
            term.write(card.encode() + b"\r")
            term.wait_for(b"Reader 1", timeout=30, strip=True)
            time.sleep(1.0)  # the load is running by now
            for n, code in enumerate(mine):
                if n and n % 10 == 0:
                    term.write(b"\x0e")  # ctrl+n, next reader: keep the table short, as at a counter
                    term.write(card.encode() + b"\r")
                    term.wait_for(b"scan the books", timeout=30, strip=True)
                mark = term.mark()
                sent = term.write(code.encode() + b"\r")
                seen = term.wait_for(re.compile(code.encode() + rb"\s+Benchmark"), after=mark, timeout=30, strip=True)
                times.append((seen - sent) / 1e6)
                time.sleep(0.05)
    finally:
        for proc in load:
            proc.kill()
    times.sort()
    print(f"{url.split(':')[0]}: scan to screen with {args.desks} other desks busy, {len(times)} scans")
    print(f"  median {percentile(times, 50):.1f} ms  p90 {percentile(times, 90):.1f}  "
          f"p99 {percentile(times, 99):.1f}  max {times[-1]:.1f}")


if __name__ == "__main__":
    main()
