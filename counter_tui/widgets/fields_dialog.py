"""A small form in a dialog: labelled fields, Enter to the next, Enter on the last (or Ctrl+S) to finish.

It returns the values; the caller runs the service and, on a refusal, opens the dialog
again with the sentence and what was typed, so nothing typed is lost.
"""
from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    password: bool = False
    placeholder: str = ""


class FormInput(Input):
    """A field that moves on at Enter inside its own key handler, so keys typed ahead land
    in the field they were meant for.

    Keys come to a field through its own queue: those typed right after an Enter were
    queued here before the focus moved, and are handed on to the field that has it now."""

    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if focused is not self and isinstance(focused, FormInput):  # has_focus lags: it waits for Blur
            event.stop()
            event.prevent_default()
            await focused.take(event)
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.screen.advance_from(self)
            return
        await super()._on_key(event)

    async def take(self, event: events.Key) -> None:
        """A key typed ahead for this field while the one before still had it queued."""
        if event.key == "enter":
            self.screen.advance_from(self)
        elif event.key == "backspace":
            self.action_delete_left()
        elif event.is_printable and event.character:
            self.insert_text_at_cursor(event.character)


class FieldsDialog(ModalScreen[dict[str, str] | None]):
    DEFAULT_CSS = """
    FieldsDialog { align: center middle; }
    FieldsDialog > Vertical { width: 64; max-width: 100%; height: auto; max-height: 100%;
                              border: thick $accent; background: $surface; padding: 0 1; }
    FieldsDialog Input { margin: 0; }
    FieldsDialog #dialog-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
                Binding("ctrl+s", "finish", "Save", id="dialog.save")]

    def __init__(self, title: str, fields: list[Field], error: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]{self.title_text}[/]  (Enter: next field, Ctrl+S: save, Esc: cancel)")
            for field in self.fields:
                yield Label(field.label)
                yield FormInput(value=field.value, password=field.password, placeholder=field.placeholder,
                            id=f"field-{field.name}")
            yield Static(self.error, id="dialog-error")

    def on_mount(self) -> None:
        # back with a refusal: the cursor goes to the first field still to fill
        empty = [i for i in self.query(Input) if not i.value]
        (empty[0] if empty else self.query(Input).first()).focus()
        if self.error:
            self.app.bell()

    def advance_from(self, field: Input) -> None:
        """Enter: on to the next field now (not after the keys already typed), or finish."""
        inputs = list(self.query(Input))
        index = inputs.index(field)
        if index + 1 < len(inputs):
            self.set_focus(inputs[index + 1])
        else:
            self.action_finish()

    def action_finish(self) -> None:
        self.dismiss({f.name: self.query_one(f"#field-{f.name}", Input).value for f in self.fields})

    def action_cancel(self) -> None:
        self.dismiss(None)
