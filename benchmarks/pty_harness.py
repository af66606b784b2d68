"""Run a command under a real pseudo-terminal and time what it paints.

A scan-to-screen or start-up figure means something only when it includes the whole
path a clerk sees: key bytes into a terminal, the app's input parser, its handler,
Textual's refresh, and the escape codes coming back out of the terminal. `pilot`
cannot measure that (it waits for idle after every key), so this module starts the
program on the slave side of an `os.openpty()` pair, writes bytes to the master,
and records every chunk the program writes back with the time it arrived.

    with PtyProcess([".venv/bin/counter-tui", "demo"]) as term:
        term.wait_for(b"Check out", timeout=10)
        mark = term.mark()
        sent = term.write(b"31234000000017\\r")
        seen = term.wait_for(re.compile(rb"31234000000017\\s+Dream"), after=mark, strip=True)
        print((seen - sent) / 1e6, "ms")

Times are `time.perf_counter_ns()` values. Nothing is stripped from the stored
output; `strip=True` matches against a copy with the escape sequences removed, and
maps the match back to the raw byte that completed it to find when it arrived.

Run this file to see it work: `python benchmarks/pty_harness.py -- COMMAND ...`
prints the first second of a program's raw output.
"""
from __future__ import annotations

import argparse
import bisect
import errno
import fcntl
import os
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Sequence

__all__ = ["PtyProcess", "PtyTimeout", "strip_ansi", "python_env", "summarize_ms", "percentile"]

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/APC/PM/SOS strings, other ESC pairs,
# and bare C0 controls other than LF (Textual moves the cursor instead of writing newlines).
_ANSI = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    rb"|\x1b[PX^_][^\x1b]*\x1b\\"
    rb"|\x1b[@-Z\\-_]"
    rb"|[\x00-\x09\x0b-\x1f\x7f]"
)

CTRL_Q = b"\x11"


class PtyTimeout(TimeoutError):
    """The pattern did not appear in time; `tail` is the end of the output, for the report."""

    def __init__(self, message: str, tail: bytes) -> None:
        super().__init__(message)
        self.tail = tail


def strip_ansi(data: bytes) -> bytes:
    """The output with every escape sequence and control byte (but LF) removed."""
    return _ANSI.sub(b"", data)


def _strip_with_map(data: bytes) -> tuple[bytes, list[int], list[int]]:
    """Stripped bytes plus a segment map: stripped offset -> raw offset."""
    out = bytearray()
    seg_stripped: list[int] = []
    seg_raw: list[int] = []
    pos = 0
    for m in _ANSI.finditer(data):
        if m.start() > pos:
            seg_stripped.append(len(out))
            seg_raw.append(pos)
            out += data[pos:m.start()]
        pos = m.end()
    if pos < len(data):
        seg_stripped.append(len(out))
        seg_raw.append(pos)
        out += data[pos:]
    return bytes(out), seg_stripped, seg_raw


class PtyProcess:
    """A child process on a pseudo-terminal, its output recorded with arrival times."""

    # When polling, new output is searched together with this many bytes of the old, so a
    # match split across reads is still found. Patterns must span fewer raw bytes than this.
    OVERLAP = 16384

    def __init__(self, argv: Sequence[str], *, cols: int = 100, rows: int = 30,
                 env: dict[str, str] | None = None, cwd: str | None = None) -> None:
        self.argv = list(argv)
        self.cols, self.rows = cols, rows
        master, slave = os.openpty()
        winsize = struct.pack("HHHH", rows, cols, 0, 0)
        fcntl.ioctl(slave, termios.TIOCSWINSZ, winsize)
        full_env = dict(os.environ if env is None else env)
        full_env.update(TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        full_env.pop("TEXTUAL", None)  # no devtools, no debug logging in a timed run

        def make_controlling_tty() -> None:  # runs in the child, between fork and exec
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self._buf = bytearray()
        self._chunk_ends: list[int] = []   # raw offset just after each chunk
        self._chunk_times: list[int] = []  # perf_counter_ns when it was read
        self._cond = threading.Condition()
        self._eof = False
        self.spawned_ns = time.perf_counter_ns()
        self.proc = subprocess.Popen(self.argv, stdin=slave, stdout=slave, stderr=slave, env=full_env,
                                     cwd=cwd, close_fds=True, preexec_fn=make_controlling_tty)
        os.close(slave)
        self.master = master
        self._reader = threading.Thread(target=self._read_loop, name="pty-reader", daemon=True)
        self._reader.start()

    # -- reading --------------------------------------------------------------------------

    def _read_loop(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError as exc:  # EIO: every slave fd is closed, the child is gone
                if exc.errno not in (errno.EIO, errno.EBADF):
                    raise
                chunk = b""
            now = time.perf_counter_ns()
            with self._cond:
                if not chunk:
                    self._eof = True
                    self._cond.notify_all()
                    return
                self._buf += chunk
                self._chunk_ends.append(len(self._buf))
                self._chunk_times.append(now)
                self._cond.notify_all()

    def mark(self) -> int:
        """An offset into the output: pass it as `after=` to look only at what comes later."""
        with self._cond:
            return len(self._buf)

    def output(self, start: int = 0, end: int | None = None) -> bytes:
        with self._cond:
            return bytes(self._buf[start:end])

    def _time_of(self, offset: int) -> int:
        """Arrival time of the raw byte at `offset`. Call with the lock held."""
        return self._chunk_times[bisect.bisect_right(self._chunk_ends, offset)]

    def _search(self, pattern: re.Pattern[bytes], after: int, strip: bool) -> tuple[int, int] | None:
        """(raw offset just after the match, arrival time of its last byte), or None.

        Searches from `after`; callers that poll pass a later `after` (overlapping what
        was searched before by OVERLAP bytes) so a long wait does not rescan megabytes.
        """
        data = bytes(self._buf[after:])
        if not strip:
            m = pattern.search(data)
            if m is None:
                return None
            end = after + m.end()
        else:
            stripped, seg_s, seg_r = _strip_with_map(data)
            m = pattern.search(stripped)
            if m is None:
                return None
            last = m.end() - 1  # stripped offset of the match's last byte
            i = bisect.bisect_right(seg_s, last) - 1
            end = after + seg_r[i] + (last - seg_s[i]) + 1
        return end, self._time_of(end - 1)

    def wait_for(self, pattern: bytes | str | re.Pattern[bytes], timeout: float = 10.0, *,
                 after: int = 0, strip: bool = False) -> int:
        """Block until `pattern` appears in the output after offset `after`.

        `pattern` is literal bytes (or str, encoded as UTF-8) or a compiled bytes regex.
        With `strip=True` the search runs on the output with escape sequences removed.
        Returns the perf_counter_ns at which the byte completing the match was read.
        Raises PtyTimeout (with the output's tail) after `timeout` seconds or at EOF.
        """
        if isinstance(pattern, str):
            pattern = pattern.encode()
        if isinstance(pattern, bytes):
            pattern = re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        searched_to = -1
        start = after
        with self._cond:
            while True:
                if len(self._buf) != searched_to:
                    if searched_to > after:
                        start = max(after, searched_to - self.OVERLAP)
                    searched_to = len(self._buf)
                    found = self._search(pattern, start, strip)
                    if found is not None:
                        self.last_match_end = found[0]
                        return found[1]
                remaining = deadline - time.monotonic()
                if self._eof or remaining <= 0:
                    tail = bytes(self._buf[-3000:])
                    why = "the program ended" if self._eof else f"{timeout:.1f} s passed"
                    raise PtyTimeout(f"{pattern.pattern!r} did not appear: {why}", tail)
                self._cond.wait(remaining)

    def wait_quiet(self, quiet: float = 0.05, timeout: float = 2.0) -> bool:
        """Wait until no output has arrived for `quiet` seconds; False if it never settled."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                last = self._chunk_times[-1] if self._chunk_times else self.spawned_ns
                idle = (time.perf_counter_ns() - last) / 1e9
                if idle >= quiet:
                    return True
                if self._eof or time.monotonic() >= deadline:
                    return False
                self._cond.wait(quiet - idle)

    # -- writing and ending ---------------------------------------------------------------

    def write(self, data: bytes | str) -> int:
        """Write all of `data` to the terminal; returns perf_counter_ns taken just before."""
        if isinstance(data, str):
            data = data.encode()
        started = time.perf_counter_ns()
        view = memoryview(data)
        while view:
            n = os.write(self.master, view)
            view = view[n:]
        return started

    def resize(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGWINCH)

    def close(self, timeout: float = 5.0, quit_bytes: bytes = CTRL_Q) -> int:
        """Ask the program to quit (ctrl+q), then terminate, then kill. Returns its exit code."""
        if self.proc.poll() is None and quit_bytes:
            try:
                self.write(quit_bytes)
            except OSError:
                pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self._reader.join(2.0)
        try:
            os.close(self.master)
        except OSError:
            pass
        return self.proc.returncode

    def __enter__(self) -> "PtyProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def python_env(pycache_dir: str | os.PathLike[str] | None) -> dict[str, str]:
    """The environment for a Python child, with its bytecode cache on or off.

    With a folder, `.pyc` files are written and reused there (PYTHONPYCACHEPREFIX), as an
    installed program's would be, even where PYTHONDONTWRITEBYTECODE=1 is set (as on the
    development machines): without a cache every start compiles the app's modules again.
    With None, no `.pyc` is written (PYTHONDONTWRITEBYTECODE=1): modules that have none
    (an editable install's own code) are compiled on every start; installed packages
    still use the `.pyc` files pip wrote.
    """
    env = dict(os.environ)
    if pycache_dir is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.fspath(pycache_dir)
    return env


# -- small statistics helpers shared by the benchmarks ------------------------------------

def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of already sorted values."""
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def summarize_ms(values_ms: Sequence[float]) -> dict[str, float]:
    s = sorted(values_ms)
    return {"n": len(s), "min": s[0] if s else float("nan"), "median": percentile(s, 50),
            "p90": percentile(s, 90), "p99": percentile(s, 99), "max": s[-1] if s else float("nan")}


def _main() -> None:
    parser = argparse.ArgumentParser(description="Start a command in a pseudo-terminal and dump "
                                                 "its raw output (a check of this harness).")
    parser.add_argument("--seconds", type=float, default=1.0, help="how long to record (default 1)")
    parser.add_argument("--cols", type=int, default=100)
    parser.add_argument("--rows", type=int, default=30)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args()
    command = [c for c in args.command if c != "--"] or [sys.executable, "-c", "print('hello from a pty')"]
    term = PtyProcess(command, cols=args.cols, rows=args.rows)
    time.sleep(args.seconds)
    data = term.output()
    term.close()
    print(f"{len(data)} bytes in {args.seconds:.1f} s; stripped text:")
    print(strip_ansi(data).decode(errors="replace")[:4000])


if __name__ == "__main__":
    _main()
