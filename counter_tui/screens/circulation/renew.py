"""Renew (F4): scan a book to renew its loan."""
from __future__ import annotations

from rich.text import Text

from counter_tui.screens.scan_desk import ScanDesk
from counter_tui.services.circulation import lending
from counter_tui.services.library_settings import money


class RenewScreen(ScanDesk):
    TITLE = "Renew"
    PROMPT = "Scan each book to renew"
    COLUMNS = (("Barcode", 14), ("Title", 22), ("Reader", 10), ("Was due", 10), ("Now due", 10))

    async def handle_scan(self, text: str) -> None:
        result = await self.call(lending.renew, self.app.actor, text)
        self.add_line(result.barcode, result.title, result.patron_name, result.old_due.isoformat(),
                      Text(result.due.isoformat(), style="bold yellow" if result.due_note else "bold"))
        fine = f" Fine so far {money(result.fine)} charged." if result.fine else ""
        why = f": {result.due_note}" if result.due_note else ""  # the card's expiry set the date
        self.say(f"Renewed ({result.renewals} of {result.renewals_allowed}): {result.title}, "
                 f"now due {result.due.isoformat()}{why}.{fine}", "green")
