"""A desk process that lends and returns at random, for the many-desks tests."""
from __future__ import annotations

import json
import random
import sys
import time
from zoneinfo import ZoneInfo

from counter_tui import db
from counter_tui.config import Settings
from counter_tui.services import circulation, library
from counter_tui.services.errors import Refusal


def run_desk(url: str, seconds: float, seed: int, barcodes: list[str], patron_ids: list[int]) -> dict:
    library.configure(Settings(db_url=url, timezone=ZoneInfo("Asia/Shanghai")))
    db.connect(url)
    from counter_tui.models import Staff
    clerk = Staff.get(Staff.username == "clerk")
    rng = random.Random(seed)
    counts = {"checkout": 0, "checkin": 0, "renew": 0, "refused": 0, "errors": [], "acknowledged": []}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        barcode = rng.choice(barcodes)
        action = rng.choice(("checkout", "checkout", "checkin", "renew"))
        try:
            if action == "checkout":
                result = circulation.checkout(clerk, rng.choice(patron_ids), barcode)
                counts["acknowledged"].append(["checkout", result.loan_id])
            elif action == "checkin":
                result = circulation.checkin(clerk, barcode)
                if not result.was_on_loan:
                    counts["refused"] += 1
                    continue
            else:
                result = circulation.renew(clerk, barcode)
            counts[action] += 1
        except Refusal:
            counts["refused"] += 1
        except Exception as exc:  # anything else reached the clerk: the test fails on it
            counts["errors"].append(repr(exc))
    return counts


if __name__ == "__main__":
    url, seconds, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    setup = json.loads(sys.stdin.read())
    print(json.dumps(run_desk(url, seconds, seed, setup["barcodes"], setup["patrons"])))
