"""The bibliographic record form: one line per field, Enter moves on, Ctrl+S saves, Esc cancels.

Saving runs the duplicate check (services/duplicates.py, the same one the MARC import
uses). When the same ISBN or a close title by a compatible author is already
catalogued, the candidates are listed and the cataloguer answers with one key: N saves
a new record anyway, 1-9 (or O for the first) opens that record to add copies there,
S skips (nothing is saved), Esc goes back to the form.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from counter_tui.screens.readers.reader_form import Field, FormScreen
from counter_tui.services.catalogue import titles
from counter_tui.services.catalogue.titles import PossibleDuplicates, Record
from counter_tui.services.catalogue.duplicates import Candidate
from counter_tui.services.errors import Refusal

LABELS = (("title", "Title", ""), ("author", "Author", "statement of responsibility"),
          ("edition", "Edition", ""), ("publisher", "Publisher", ""), ("year", "Year", "like 2019"),
          ("isbn", "ISBN", "10 or 13 digits"), ("issn", "ISSN", "like 0317-8471"),
          ("language", "Language", "chi, eng ..."), ("classification", "Class number", "like I242.47"),
          ("subjects", "Subjects", "separated by ;"))


@dataclass(frozen=True)
class FormResult:
    action: str  # "created", "updated", "open" (an existing record chosen), "skipped"
    biblio_id: int | None


class BiblioForm(FormScreen):
    DEFAULT_CSS = """
    BiblioForm .row { margin-bottom: 0; }
    BiblioForm #form-title { margin-bottom: 0; }
    """

    def __init__(self, record: Record | None = None, values: dict[str, str] | None = None) -> None:
        """A new record (from `values`, if any, e.g. an ISBN just scanned) or `record` to edit."""
        shown = record.values() if record else dict(values or {})
        fields = [Field(key, label, shown.get(key, ""), placeholder=hint) for key, label, hint in LABELS]
        title = f"Edit record {record.id}" if record else "New catalogue record"
        super().__init__(title, fields, self._no_direct_save)
        self.biblio_id = record.id if record else None

    @staticmethod
    def _no_direct_save(values: dict[str, str]) -> None:
        raise AssertionError("BiblioForm saves through action_save")

    def action_save(self) -> None:
        self._save_record(self.values(), self.app.actor)

    @work(exclusive=True, group="form-save", exit_on_error=False)
    async def _save_record(self, values: dict[str, str], actor) -> None:
        confirmed = False
        while True:
            try:
                saved = await self.app.run_db(titles.save_biblio, actor, values, self.biblio_id,
                                              confirmed=confirmed)
            except PossibleDuplicates as found:
                choice = await self.app.push_screen_wait(DuplicateChoice(found.candidates))
                if choice == "new":
                    confirmed = True
                    continue
                if choice.startswith("open:"):
                    self.dismiss(FormResult("open", int(choice.split(":", 1)[1])))
                elif choice == "skip":
                    self.dismiss(FormResult("skipped", None))
                else:
                    self.say("Nothing saved yet: change the record, or Ctrl+S to choose again.", "yellow")
                return
            except Refusal as refusal:
                self.refused(refusal)
                return
            except Exception as exc:  # a bug must not lose what the cataloguer typed
                self.failed(exc)
                return
            self.dismiss(FormResult("created" if saved.created else "updated", saved.id))
            return


class DuplicateChoice(ModalScreen[str]):
    """The records this one may duplicate, and the cataloguer's one-key answer."""

    DEFAULT_CSS = """
    DuplicateChoice { align: center middle; }
    DuplicateChoice > Vertical { width: 76; max-width: 100%; height: auto; max-height: 100%;
                                 border: thick $warning; background: $surface; padding: 0 1; }
    DuplicateChoice .choices { margin-top: 1; color: $text-muted; }
    """
    SHOWN = 9

    def __init__(self, candidates: list[Candidate]) -> None:
        super().__init__()
        self.candidates = candidates[: self.SHOWN]
        self.more = len(candidates) - len(self.candidates)

    def compose(self) -> ComposeResult:
        lines = ["[b]This may already be in the catalogue:[/]"]
        for n, c in enumerate(self.candidates, 1):
            details = ", ".join(part for part in (c.author, str(c.year or ""), c.isbn or "") if part)
            lines.append(f" [b]{n}[/] {escape(c.title[:40])} ({escape(details[:30])}) "
                         f"record {c.biblio_id}: [i]{c.reason}[/]")
        if self.more:
            lines.append(f"   and {self.more} more")
        with Vertical():
            yield Static("\n".join(lines))
            opener = "[b]1[/]-[b]" + str(len(self.candidates)) + "[/]" if len(self.candidates) > 1 else "[b]O[/]"
            yield Static(f"[b]N[/] new record  {opener} open it, add copies there  [b]S[/] skip, save nothing  "
                         "[b]Esc[/] back", classes="choices")

    def on_mount(self) -> None:
        self.app.bell()

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        key = event.key.lower()
        if key == "n":
            self.dismiss("new")
        elif key == "s":
            self.dismiss("skip")
        elif key == "o":
            self.dismiss(f"open:{self.candidates[0].biblio_id}")
        elif key.isdigit() and 1 <= int(key) <= len(self.candidates):
            self.dismiss(f"open:{self.candidates[int(key) - 1].biblio_id}")
        elif key == "escape":
            self.dismiss("back")
