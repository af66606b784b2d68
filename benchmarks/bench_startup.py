"""Cold start to first screen, in a real pseudo-terminal, and where import time goes.

Each target is started afresh under a pty (100x30, xterm-256color) and timed from the
spawn to the arrival of its first screen's text on the terminal:

  desk      `counter-tui --db LIBRARY`     until the sign-in screen ("sign in")
  demo      `counter-tui demo --db DEMO`   until the check-out desk ("Check out")
  bare      benchmarks/bare_echo_app.py    until its title ("Bare echo desk")
  python    `python -c pass`               until it exits (the interpreter's own floor)
  desk, no .pyc written                    the desk again with PYTHONDONTWRITEBYTECODE=1

Python children get a bytecode cache in benchmarks/out/pycache (PYTHONPYCACHEPREFIX),
as an installed app has, even where PYTHONDONTWRITEBYTECODE=1 is set; one more row
starts the desk without it, compiling the app's own modules on every start.

Runs are interleaved (desk, demo, bare, python, desk, ...) after one untimed warm-up
each, so a busy moment on a shared machine spreads over all targets. Then
`python -X importtime -c "import counter_tui.app"` is run a few times and the biggest
imports (cumulative, and of those outside Textual and Rich) are listed by their median.

Prints tables and a one-line summary; writes benchmarks/out/startup.json. Nothing is
asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from bench_scan_to_screen import library_copy  # noqa: E402
from pty_harness import PtyProcess, PtyTimeout, python_env, strip_ansi, summarize_ms  # noqa: E402

VENV_BIN = Path(sys.executable).parent
COUNTER_TUI = str(VENV_BIN / "counter-tui")
DEFAULT_DB = OUT / "large.db"
FALLBACK_DB = OUT / "small50k.db"
PYCACHE = OUT / "pycache"


def first_paint_ms(argv: list[str], marker: bytes, env: dict[str, str], cols: int, rows: int,
                   timeout: float) -> float:
    term = PtyProcess(argv, cols=cols, rows=rows, cwd=str(ROOT), env=env)
    try:
        seen = term.wait_for(marker, timeout=timeout, strip=True)
        return (seen - term.spawned_ns) / 1e6
    except PtyTimeout as exc:
        print(f"\n{argv[-1]!r}: {exc}\n{strip_ansi(exc.tail).decode(errors='replace')[-800:]}")
        raise
    finally:
        term.close()


def python_floor_ms(env: dict[str, str]) -> float:
    started = time.perf_counter_ns()
    subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)
    return (time.perf_counter_ns() - started) / 1e6


_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_profile(module: str, runs: int, env: dict[str, str]) -> dict[str, tuple[float, float, int]]:
    """module -> (median self ms, median cumulative ms, depth) over `runs` fresh interpreters."""
    samples: dict[str, list[tuple[int, int]]] = {}
    depth: dict[str, int] = {}
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                              capture_output=True, text=True, cwd=ROOT, check=True, env=env)
        for line in proc.stderr.splitlines():
            m = _IMPORT_LINE.match(line)
            if m:
                name = m.group(4)
                samples.setdefault(name, []).append((int(m.group(1)), int(m.group(2))))
                depth[name] = (len(m.group(3)) - 1) // 2
    return {name: (statistics.median(s for s, _ in v) / 1000, statistics.median(c for _, c in v) / 1000,
                   depth[name]) for name, v in samples.items()}


def print_imports(title: str, rows: list[tuple[str, tuple[float, float, int]]]) -> None:
    print(title)
    print(f"  {'module':<44} {'cumulative ms':>14} {'self ms':>9} {'depth':>6}")
    for name, (self_ms, cum_ms, depth) in rows:
        print(f"  {name:<44} {cum_ms:>14.1f} {self_ms:>9.1f} {depth:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Cold start to first paint of the desk, the demo and a bare "
                                                 "Textual app in a real pty, and the import-time profile.")
    parser.add_argument("--db", type=Path, default=None,
                        help=f"library for the sign-in start (default {DEFAULT_DB.relative_to(ROOT)}, "
                             f"else {FALLBACK_DB.relative_to(ROOT)})")
    parser.add_argument("--demo-db", type=Path, default=OUT / "demo.db",
                        help="demo library (made afresh by `counter-tui demo --fresh` on the warm-up run)")
    parser.add_argument("--runs", type=int, default=12, help="timed runs per target (default 12)")
    parser.add_argument("--import-runs", type=int, default=5, help="importtime runs to take medians of")
    parser.add_argument("--top", type=int, default=10, help="how many imports to list (default 10)")
    parser.add_argument("--no-demo", action="store_true", help="skip `counter-tui demo`")
    parser.add_argument("--no-uncached", action="store_true",
                        help="skip the desk run without a bytecode cache (PYTHONDONTWRITEBYTECODE=1)")
    parser.add_argument("--cols", type=int, default=100)
    parser.add_argument("--rows", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--json", type=Path, default=OUT / "startup.json")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)

    source = args.db or (DEFAULT_DB if DEFAULT_DB.exists() else FALLBACK_DB)
    if not source.exists():
        raise SystemExit(f"No library at {source}: make one (benchmarks/make_large_library.py, or run "
                         f"bench_scan_to_screen.py --db {FALLBACK_DB.relative_to(ROOT)}) or pass --db.")
    db = OUT / "startup.db"  # a copy at this program's schema; the original is left alone
    migrated = library_copy(source, db)
    cached = python_env(PYCACHE)
    targets: dict[str, tuple[list[str], bytes, dict[str, str]]] = {
        "desk (sign-in screen)": ([COUNTER_TUI, "--db", str(db)], b"sign in", cached),
        "demo (check-out desk)": ([COUNTER_TUI, "demo", "--db", str(args.demo_db)], b"Check out", cached),
        "bare Textual app": ([sys.executable, str(HERE / "bare_echo_app.py")], b"Bare echo desk", cached),
        "desk, no .pyc written": ([COUNTER_TUI, "--db", str(db)], b"sign in", python_env(None)),
    }
    if args.no_demo:
        del targets["demo (check-out desk)"]
    if args.no_uncached:
        del targets["desk, no .pyc written"]

    print(f"Library {source} (copied to {db}{migrated}); terminal {args.cols}x{args.rows}; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f}.")
    for name, (argv, marker, env) in list(targets.items()):  # warm-up: .pyc files, page cache, the demo db
        if argv[1:2] == ["demo"]:
            argv = argv + ["--fresh"]  # a demo library made by this version of the program
        try:
            first_paint_ms(argv, marker, env, args.cols, args.rows, timeout=max(args.timeout, 600))
        except PtyTimeout:
            print(f"  {name}: skipped, it never showed {marker!r}.")
            del targets[name]
    python_floor_ms(cached)

    times: dict[str, list[float]] = {name: [] for name in targets}
    times["python -c pass (exit)"] = []
    for _ in range(args.runs):
        for name, (argv, marker, env) in targets.items():
            times[name].append(first_paint_ms(argv, marker, env, args.cols, args.rows, args.timeout))
        times["python -c pass (exit)"].append(python_floor_ms(cached))

    print()
    print(f"Spawn -> first screen's text on the terminal, {args.runs} runs each")
    print(f"  {'':<26} {'median':>8} {'min':>8} {'p90':>8} {'max':>8}   (ms)")
    for name, values in times.items():
        s = summarize_ms(values)
        print(f"  {name:<26} {s['median']:>8.0f} {s['min']:>8.0f} {s['p90']:>8.0f} {s['max']:>8.0f}")
    bare = statistics.median(times["bare Textual app"])
    desk = statistics.median(times["desk (sign-in screen)"])
    print(f"  desk - bare: {desk - bare:+.0f} ms ({desk / bare:.2f}x)")

    profile = import_profile("counter_tui.app", args.import_runs, cached)
    by_cum = sorted(profile.items(), key=lambda kv: kv[1][1], reverse=True)
    print()
    print_imports(f"import counter_tui.app: the {args.top} biggest cumulative imports "
                  f"(median of {args.import_runs} runs)", by_cum[:args.top])
    own = [kv for kv in by_cum if not kv[0].split(".")[0] in ("textual", "rich", "asyncio", "encodings")
           and kv[0] != "counter_tui.app"]
    print()
    print_imports("... of those outside textual, rich and asyncio (what the app chooses to import)",
                  own[:args.top])
    by_self = sorted(profile.items(), key=lambda kv: kv[1][0], reverse=True)
    print()
    print_imports(f"... the {args.top} biggest by self time", by_self[:args.top])
    total = profile["counter_tui.app"][1]
    textual_app = profile.get("textual.app", (0, 0, 0))[1]

    summary = (f"SUMMARY first paint: desk sign-in {desk:.0f} ms, "
               + (f"demo desk {statistics.median(times['demo (check-out desk)']):.0f} ms, "
                  if "demo (check-out desk)" in times else "")
               + f"bare app {bare:.0f} ms, "
                 f"python alone {statistics.median(times['python -c pass (exit)']):.0f} ms; "
                 f"import counter_tui.app {total:.0f} ms of which textual.app {textual_app:.0f} ms")
    print()
    print(summary)
    args.json.write_text(json.dumps({"first_paint_ms": times, "imports": profile, "summary": summary}, indent=1))


if __name__ == "__main__":
    main()
