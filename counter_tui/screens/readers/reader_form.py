"""Forms of the Readers screen: labelled one-line fields, Enter moves on, Ctrl+S saves, Esc cancels.

The form calls its `save` function itself (on the database thread), so a refusal is
shown under the fields and the form stays open with what the clerk typed; nothing is
saved until the service accepts it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from counter_tui.widgets.fields_dialog import Field, FieldForm

__all__ = ["Field", "FormScreen"]


class FormScreen(FieldForm):
    """A form with each label to the left of its field; moving, selecting and saving are
    FieldForm's (widgets/fields_dialog.py), the same in every form."""

    STATUS_ID = "form-status"
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical { width: 78; max-width: 100%; height: auto; max-height: 100%;
                            border: thick $accent; background: $surface; padding: 0 1; }
    FormScreen .row { height: 1; margin-bottom: 1; }
    FormScreen .row Label { width: 17; }
    FormScreen .row Input, FormScreen .row Select { width: 1fr; }
    FormScreen .row Input { background: $boost; }
    FormScreen .row Input:focus { background: $primary 30%; }
    FormScreen #form-title { text-style: bold; margin-bottom: 1; }
    FormScreen #form-status { height: auto; min-height: 1; }
    FormScreen #form-hint { color: $text-muted; }
    """

    def __init__(self, title: str, fields: list[Field], save: Callable[[dict[str, str]], Any]) -> None:
        """`save(values)` runs on the database thread; it returns the result or raises a Refusal."""
        super().__init__(title, fields, save=save)
        self.form_title = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.form_title, id="form-title")
            for field in self.fields:
                with Horizontal(classes="row"):
                    yield Label(field.label)
                    yield self.make_field(field, compact=True)
            yield Static("", id="form-status")
            lists = " · Down opens a list" if any(f.options for f in self.fields) else ""
            yield Static(f"Enter/Down next · Up back{lists} · Ctrl+S save · Esc cancel", id="form-hint")
