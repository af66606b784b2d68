"""A desk process that lends, returns, renews and takes payments at random.

Used by tests/test_two_desks.py and benchmarks/bench_desks.py. It reports every operation
the desk was told succeeded, so the caller can look for each one in the database.
"""
from __future__ import annotations

import json
import random
import sys
import time
from zoneinfo import ZoneInfo

from counter_tui import db
from counter_tui.config import Settings
from counter_tui.services.circulation import lending
from counter_tui.services.fees import payments
from counter_tui.services import library_settings
from counter_tui.services.readers import patrons
from counter_tui.services.errors import Refusal


def run_desk(url: str, seconds: float, seed: int, barcodes: list[str], patron_ids: list[int],
             pace: float = 0.0, min_ops: int = 50) -> dict:
    """Work for `seconds` and at least `min_ops` operations; `pace`: seconds between them."""
    library_settings.configure(Settings(db_url=url, timezone=ZoneInfo("Asia/Shanghai"), desk=f"load{seed}"))
    db.connect(url)
    from counter_tui.models import Staff
    clerk = Staff.get(Staff.username == "clerk")
    rng = random.Random(seed)
    done = {"checkout": [], "checkin": [], "renew": [], "payment": []}
    result = {"refused": 0, "errors": [], "latencies_ms": [], "done": done}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline or len(result["latencies_ms"]) < min_ops:
        barcode, patron_id = rng.choice(barcodes), rng.choice(patron_ids)
        action = rng.choice(("checkout", "checkout", "checkin", "checkin", "renew", "payment"))
        started = time.perf_counter()
        try:
            if action == "checkout":
                done["checkout"].append(lending.checkout(clerk, patron_id, barcode).loan_id)
            elif action == "checkin":
                back = lending.checkin(clerk, barcode)
                if not back.was_on_loan:
                    result["refused"] += 1
                    continue
                done["checkin"].append(barcode)
            elif action == "renew":
                renewed = lending.renew(clerk, barcode)
                done["renew"].append([renewed.loan_id, renewed.renewals])
            else:
                owed = patrons.balance(patron_id)
                if owed <= 0:
                    continue
                paid = payments.pay(clerk, patron_id, rng.randint(1, owed), receipt=False)
                done["payment"].append(paid.fee_id)
        except Refusal:
            result["refused"] += 1
        except Exception as exc:  # anything else would reach a clerk: the caller fails on it
            result["errors"].append(repr(exc))
        else:
            result["latencies_ms"].append((time.perf_counter() - started) * 1000)
        if pace:
            time.sleep(pace)
    return result


def start_desks(url: str, n: int, seconds: float, barcodes: list[str], patron_ids: list[int],
                pace: float = 0.0) -> list[dict]:
    """Run `n` desk processes at once and return what each reports (raises if one fails)."""
    import subprocess
    from pathlib import Path
    setup = json.dumps({"barcodes": barcodes, "patrons": patron_ids})
    root = Path(__file__).resolve().parent.parent
    procs = [subprocess.Popen([sys.executable, "-m", "benchmarks.desk_load", url, str(seconds), str(seed), str(pace)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=root) for seed in range(n)]
    for proc in procs:
        proc.stdin.write(setup)
        proc.stdin.close()
    results = []
    for proc in procs:
        out, err = proc.stdout.read(), proc.stderr.read()
        if proc.wait(timeout=seconds + 120) != 0:
            raise RuntimeError(f"a desk process failed: {err}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


if __name__ == "__main__":
    url, seconds, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    pace = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    setup = json.loads(sys.stdin.read())
    print(json.dumps(run_desk(url, seconds, seed, setup["barcodes"], setup["patrons"], pace)))
