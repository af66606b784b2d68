"""What reaches the terminal: every line every widget draws, without control characters.

Titles, names, notes and reasons are shown by tables, status lines, records, dialogs and
notifications alike; one stored with escape codes (before the services cleaned text at the
door, or written into the database some other way) would reach the terminal from any of
them and act there (OSC 52 writes the clipboard, CSI 2J clears the screen). So the
cleaning is done once, where Textual turns widgets into lines: a line filter, which Textual
applies to every line of every widget (Widget.get_line_filters asks the app), takes out the
control characters (domain/text.without_controls). Each of them takes no cell, so nothing
on the screen moves; what was between ESC and its end shows as the plain text it is.

CounterApp.get_line_filters adds FILTER after Textual's own filters (colours, NO_COLOR).
"""
from __future__ import annotations

from rich.segment import Segment
from textual.filter import LineFilter

from counter_tui.domain.text import without_controls


class NoControlCodes(LineFilter):
    """Takes every control character out of the text of a line's segments (styles are Textual's own)."""

    def apply(self, segments: list[Segment], background) -> list[Segment]:
        if all(without_controls(segment.text) is segment.text for segment in segments):
            return segments
        return [Segment(without_controls(text), style, control) for text, style, control in segments]


FILTER = NoControlCodes()
