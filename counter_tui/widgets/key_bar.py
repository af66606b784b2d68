"""The keys of the screen at the bottom: its own keys first, then the desks', on as many
lines as the width needs (at most two), so at 80x24 no key is cut off the end.

Textual's Footer is one line that scrolls sideways: at 80 columns the check-out desk lost
F7, F9 and F1 off its end.
"""
from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content

from counter_tui.i18n import label
from textual.widgets import Static


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: auto; max-height: 2; width: 1fr; padding: 0 1;
             background: $footer-background; color: $footer-description-foreground; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self._redraw())
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def keys(self) -> list[tuple[str, str]]:
        """(key as shown, description) of every key to show, the screen's own first."""
        shown, seen = [], set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or not binding.description or not active.enabled or binding.action in seen:
                continue  # one action bound to several keys shows once
            seen.add(binding.action)
            shown.append((active.node is self.app, self.app.get_key_display(binding), label(binding.description)))
        shown.sort(key=lambda k: k[0])  # stable: the screen's keys, then the app's, each in their order
        return [(key, description) for _, key, description in shown]

    def _redraw(self) -> None:
        width = max(20, (self.size.width or self.app.size.width) - 2)
        lines: list[list[tuple[str, str]]] = [[]]
        used = 0
        for key, description in self.keys():
            cost = cell_len(key) + 1 + cell_len(description)  # a Chinese character takes two columns
            if lines[-1] and used + 2 + cost > width:
                lines.append([])
                used = 0
            used += cost + (2 if lines[-1] else 0)
            lines[-1].append((key, description))
        self.update(self._content(lines))

    @staticmethod
    def _content(lines: list[list[tuple[str, str]]]) -> Content:
        parts: list[Content] = []
        for n, line in enumerate(lines):
            if n:
                parts.append(Content("\n"))
            for i, (key, description) in enumerate(line):
                if i:
                    parts.append(Content("  "))
                parts.append(Content.from_markup("[b]$key[/] $description", key=key, description=description))
        return Content("").join(parts) if parts else Content("")
