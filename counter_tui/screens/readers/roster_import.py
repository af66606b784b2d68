"""Roster import: type or paste a CSV file's path, Enter for the dry run, one key to import.

The dry run and the import run in thread workers (a 20,000-row file takes a second or
two); the worker posts messages, the progress bar follows them, and nothing waits on
the event loop while the import holds the database's write lock.
"""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Input, ProgressBar, Static

from counter_tui.screens.file_import import FileImportScreen
from counter_tui.services import access, files
from counter_tui.services.readers import roster
from counter_tui.services.errors import Refusal
from counter_tui.widgets.key_bar import KeyBar
from counter_tui.widgets.row_table import row_table
from counter_tui.domain.plurals import counted

SHOWN = 500  # bad rows, and names that change, listed on screen; the command line's dry run lists them all


class RosterImportScreen(FileImportScreen):
    TITLE = "Roster import"
    DEFAULT_CSS = """
    RosterImportScreen #title { height: 1; background: $primary; color: $text; padding: 0 1; }
    RosterImportScreen #fields { height: auto; }
    RosterImportScreen #path { width: 1fr; }
    RosterImportScreen #category { width: 24; }
    RosterImportScreen #summary { height: auto; max-height: 4; padding: 0 1; }
    RosterImportScreen #progress { height: 1; padding: 0 1; }
    RosterImportScreen #bad { height: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "import_all", "Import", id="roster.import"),
        Binding("ctrl+g", "import_good", "Import good rows only", id="roster.import_good"),
        Binding("escape", "close", "Back", id="roster.close"),
    ]

    class Planned(Message):
        def __init__(self, plan: roster.ImportPlan | None, sentence: str = "") -> None:
            super().__init__()
            self.plan, self.sentence = plan, sentence

    class Imported(Message):
        def __init__(self, result: roster.ImportResult | None, sentence: str = "") -> None:
            super().__init__()
            self.result, self.sentence = result, sentence

    def __init__(self) -> None:
        super().__init__()
        self.plan: roster.ImportPlan | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Static(f"[b]{self.TITLE}[/]  {self.app.settings.library_name}", id="title")
        with Horizontal(id="fields"):
            yield Input(placeholder="Path of the CSV file, then Enter for a dry run", id="path")
            yield Input(placeholder="Category if none given", id="category")
        yield Static("A CSV of students or teachers, UTF-8 or GB18030, with a header line "
                     "(name/姓名, id/学号/工号, class/班级, category/类别, phone/电话, email/邮箱).", id="summary")
        yield ProgressBar(id="progress", show_eta=False)
        table = row_table("bad", (("Line", 5), ("Name", 10), ("Identity no.", 12)))
        table.add_column("Why the row is bad, or the name that changes")  # as wide as the longest; it scrolls
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()
        if not access.may(self.app.actor, access.OFFICE, access.CURATOR):
            self.say("Checking and importing a roster takes office staff or the curator.", "yellow")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("import_all", "import_good"):
            if not access.may(self.app.actor, access.OFFICE, access.CURATOR):
                return False  # not this role's work: the keys are not shown
            return None if self.busy or self.plan is None else True  # shown dimmed until a dry run
        if action == "close" and self.busy:
            return None
        return True

    # ---- dry run ---------------------------------------------------------------------------

    @on(Input.Submitted)
    def start_dry_run(self) -> None:
        if self.busy:
            return
        path = self.query_one("#path", Input).value.strip().strip("'\"")  # a dragged file comes quoted
        if not path:
            self.say("Type the path of the CSV file, then Enter.", "yellow")
            return
        category = self.query_one("#category", Input).value.strip() or None
        self.plan = None
        self._set_busy(True)
        self.query_one("#bad", DataTable).clear()
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.say(f"Checking {path}...")
        self.dry_run(path, category)

    @work(thread=True, exit_on_error=False, group="roster")
    def dry_run(self, path: str, category: str | None) -> None:
        try:
            files.readable_file(path)  # a regular file: never a device, a FIFO or a folder
            self.post_message(self.Planned(roster.plan_import(self.app.actor, path, default_category=category)))
        except Refusal as refusal:
            self.post_message(self.Planned(None, refusal.sentence))
        except Exception as exc:  # a bug must reach the clerk as a sentence, not a traceback
            self.post_message(self.Planned(None, f"The file could not be checked: {exc}"))

    @on(Planned)
    def show_plan(self, message: Planned) -> None:
        self._set_busy(False)
        if message.plan is None:
            self.say(message.sentence, "red")
            self.app.bell()
            return
        plan = self.plan = message.plan
        table = self.query_one("#bad", DataTable)
        table.clear()
        table.add_rows([(str(b.line), b.name, b.id_number, b.reason) for b in plan.bad[:SHOWN]])
        table.add_rows([(str(r.line), r.new, r.id_number, f"renames {r.old} -> {r.new}") for r in plan.renamed[:SHOWN]])
        self.query_one(ProgressBar).update(total=max(plan.new + plan.updated, 1), progress=0)
        more = f" (the first {SHOWN} are listed)" if len(plan.bad) > SHOWN else ""
        counts = plan.summary.removesuffix(".") + more + "."
        if plan.renamed:  # a garbled name shows before it reaches the readers
            listed = f", the first {SHOWN} listed" if len(plan.renamed) > SHOWN else ", listed"
            counts += f" {counted(len(plan.renamed), 'known reader')} would get a new name{listed}: check them."
        self.refresh_bindings()
        if not plan.good:
            self.say(f"{counts} No row can be imported: fix the file and press Enter again.", "red")
            self.app.bell()
        elif plan.bad:
            self.say(f"{counts} Fix the file and press Enter again, or Ctrl+G imports the good rows only.",
                     "yellow")
            self.app.bell()
            table.focus()
        else:
            self.say(f"{counts} Ctrl+S imports them.", "green")

    # ---- import ----------------------------------------------------------------------------

    def action_import_all(self) -> None:
        if self.plan is not None and self.plan.bad:
            self.say(f"{counted(len(self.plan.bad), 'row')} {'is' if len(self.plan.bad) == 1 else 'are'} bad, so nothing would be imported: fix the file, "
                     "or Ctrl+G imports the good rows only.", "red")
            self.app.bell()
            return
        self._start_import(good_rows_only=False)

    def action_import_good(self) -> None:
        self._start_import(good_rows_only=True)

    def _start_import(self, good_rows_only: bool) -> None:
        if self.busy or self.plan is None:
            return
        self._set_busy(True)
        self.say("Importing...")
        self.import_rows(self.plan, good_rows_only)

    @work(thread=True, exit_on_error=False, group="roster-write")
    def import_rows(self, plan: roster.ImportPlan, good_rows_only: bool) -> None:
        try:
            result = roster.run_import(self.app.actor, plan, good_rows_only=good_rows_only,
                                       progress=lambda done, total: self.post_message(self.Progress(done, total)))
        except Refusal as refusal:
            self.post_message(self.Imported(None, refusal.sentence))
        except Exception as exc:  # the transaction rolled back: say so, in a sentence
            self.post_message(self.Imported(None, f"The import failed ({exc}); nothing was imported."))
        else:
            self.post_message(self.Imported(result))

    @on(Imported)
    def show_result(self, message: Imported) -> None:
        self._set_busy(False)
        result = message.result
        if result is None:
            self.say(message.sentence, "red")
            self.app.bell()
            return
        self.plan = None  # imported: a second key press must not import it again
        self.refresh_bindings()
        bar = self.query_one(ProgressBar)
        bar.update(total=max(bar.total or 1, 1), progress=bar.total or 1)
        self.say(result.summary, "green")
