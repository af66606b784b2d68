"""An input line for barcode scanners that never merges or drops a scan.

The stock Input treats Enter as a binding that runs only after the key has bubbled up
to the App, while the characters of the next scan are inserted at once; two scans that
arrive in one read (a fast scanner, ssh coalescing keys) are then submitted as one.
Here the terminator is handled in the key handler itself: take the value, clear it,
post the scan, all before the next key is looked at.
"""
from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input

# Enter (CR), LF (arrives as ctrl+j), and Tab from scanners set to a Tab suffix.
TERMINATORS = frozenset({"enter", "ctrl+j", "ctrl+m"})

# Input's editing keys (Backspace, Ctrl+U, arrows...) are bindings, and a binding runs only
# when its key has bubbled up to the App, after the keys typed behind it have been inserted:
# "abc", Backspace, "d" typed in one read would give "abc". Handled in the key handler,
# they run in their turn.
EDITING = {key.strip(): binding.action for binding in Input.BINDINGS
           for key in binding.key.split(",") if binding.action != "submit"}


class ScanInput(Input):
    """Posts `ScanInput.Scanned` once per scan, in the order the scans were typed."""

    class Scanned(Message):
        def __init__(self, scan_input: "ScanInput", text: str) -> None:
            super().__init__()
            self.scan_input = scan_input
            self.text = text

    class Blank(Message):
        """Enter on an empty line: a list screen opens its highlighted line (Down, Enter in one burst)."""

    def __init__(self, placeholder: str = "Scan or type, then Enter", **kwargs) -> None:
        super().__init__(placeholder=placeholder, **kwargs)

    async def _on_key(self, event: events.Key) -> None:
        ends_scan = event.key in TERMINATORS or (event.key == "tab" and self.value)
        if ends_scan:
            event.stop()
            event.prevent_default()  # Input's own handler must not see it
            self._submit_scan()
        elif event.key in EDITING:
            event.stop()
            event.prevent_default()
            await self.run_action(EDITING[event.key])
        elif event.key == "question_mark" and not self.value:
            # '?' on an empty line is help; scanners never send it
            event.stop()
            event.prevent_default()
            await self.app.run_action("help")

    def _on_paste(self, event: events.Paste) -> None:
        """A paste with line breaks is several scans; the last part stays in the line."""
        if "\n" not in event.text and "\r" not in event.text:
            return
        event.stop()
        event.prevent_default()
        parts = event.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.insert_text_at_cursor(parts[0])
        self._submit_scan()
        for part in parts[1:-1]:
            self.post_message(self.Scanned(self, part))
        self.value = parts[-1]
        self.cursor_position = len(self.value)

    def _submit_scan(self) -> None:
        text = self.value
        self.value = ""
        if text.strip():
            self.post_message(self.Scanned(self, text))
        else:
            self.post_message(self.Blank())
