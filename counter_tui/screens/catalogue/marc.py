"""MARC import and export (F9 back office): a file's path, a dry run or the import, the report.

Import: type or paste the path of an ISO 2709 or MARCXML file; Enter checks it (a dry
run: nothing written), Ctrl+S imports it. Ctrl+T chooses what happens to a duplicate
(skip it, add its copies to the record already here, or import it as a new record),
Ctrl+N the status of the new copies, Ctrl+R whether a title in the library matches by
ISBN or similar title and author, or by ISBN only. The import runs in a thread worker; the progress
bar follows its messages, and the report (every rejected record with its number and
reason, every duplicate with the record it matched, every copy left out, pymarc's
warnings about a record it mended) fills the scrolling view and is saved in the library's
reports folder as FILE.report.txt; nothing of pymarc's reaches the terminal under the screen.

Export: the name of the file to write (.xml for MARCXML, anything else ISO 2709) and
a search (an ISBN, a title number, words of the title or author; empty for the whole
catalogue); Enter in either writes it. A bare name goes in the library's exports folder;
a path must lie inside the library's own folder (services/files.desk_path). A file that is
already there is written over only when the cataloguer says so with one key (Y).
"""
from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Log, ProgressBar, Static

from counter_tui.screens.file_import import FileImportScreen
from counter_tui.services import access, files
from counter_tui.services.catalogue import marc
from counter_tui.services.errors import Refusal
from counter_tui.widgets.decision import Decision
from counter_tui.widgets.key_bar import KeyBar

POLICY_WORDS = {"skip": "skip them", "add-copies": "add their copies to the record here",
                "new": "import them as new records"}
MATCH_WORDS = {"isbn-or-title": "same ISBN, or similar title and author", "isbn": "same ISBN only (faster)"}
STATUS_WORDS = {"available": "available (on the shelves already)", "in-processing": "in processing"}


class MarcScreen(FileImportScreen):
    TITLE = "MARC import and export"
    DEFAULT_CSS = """
    MarcScreen #title { height: 1; background: $primary; color: $text; padding: 0 1; }
    MarcScreen #path { width: 1fr; margin: 1 1 0 1; }
    MarcScreen #options { height: 3; padding: 0 1; color: $text-muted; }
    MarcScreen #progress { height: 1; padding: 0 1; }
    MarcScreen #summary { height: auto; max-height: 3; padding: 0 1; }
    MarcScreen #report { height: 1fr; border: round $primary-darken-2; }
    MarcScreen #export { height: 1; margin: 0 1 1 1; }
    MarcScreen #out { width: 1fr; margin-right: 1; }
    MarcScreen #term { width: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "import_file", "Import", id="marc.import"),
        Binding("ctrl+t", "policy", "Duplicates", id="marc.duplicates"),
        Binding("ctrl+n", "status", "Copy status", id="marc.status"),
        Binding("ctrl+r", "match", "Match by", id="marc.match"),
        Binding("escape", "close", "Back", id="marc.close"),
    ]

    class Finished(Message):
        def __init__(self, lines: list[str], sentence: str, style: str) -> None:
            super().__init__()
            self.lines, self.sentence, self.style = lines, sentence, style

    def __init__(self) -> None:
        super().__init__()
        self.policy = "skip"
        self.status = "available"
        self.match = "isbn-or-title"
        self.busy = False
        self.last_report: marc.ImportReport | None = None

    def compose(self) -> ComposeResult:
        yield Static(f"[b]{self.TITLE}[/]  {self.app.settings.library_name}", id="title")
        yield Input(placeholder="MARC file to import (ISO 2709 or MARCXML): Enter = dry run, Ctrl+S = import",
                    id="path", compact=True)
        yield Static(id="options")
        yield ProgressBar(id="progress", show_eta=False)
        yield Static("Records in MARC-8 or UTF-8; Koha 952 fields become copies with accession numbers.",
                     id="summary")
        yield Log(id="report", highlight=False)
        with Horizontal(id="export"):
            yield Input(placeholder="Export to file (.xml = MARCXML), Enter", id="out", compact=True)
            yield Input(placeholder="Search (empty = all titles)", id="term", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()
        self._show_options()
        if not access.may(self.app.actor, *marc.ROLES):
            self.say("Importing and exporting MARC records takes a cataloguer or the curator.", "yellow")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("import_file", "policy", "status", "match"):
            if not access.may(self.app.actor, *marc.ROLES):
                return False
            return None if self.busy else True
        if action == "close" and self.busy:
            return None
        return True

    def _show_options(self) -> None:
        self.query_one("#options", Static).update(
            f"Duplicates (Ctrl+T): [b]{POLICY_WORDS[self.policy]}[/]\n"
            f"Matched by (Ctrl+R): [b]{MATCH_WORDS[self.match]}[/]\n"
            f"New copies (Ctrl+N): [b]{STATUS_WORDS[self.status]}[/]")

    def action_policy(self) -> None:
        self.policy = marc.POLICIES[(marc.POLICIES.index(self.policy) + 1) % len(marc.POLICIES)]
        self._show_options()

    def action_match(self) -> None:
        self.match = marc.MATCHES[(marc.MATCHES.index(self.match) + 1) % len(marc.MATCHES)]
        self._show_options()

    def action_status(self) -> None:
        names = list(marc.COPY_STATUSES)
        self.status = names[(names.index(self.status) + 1) % len(names)]
        self._show_options()

    # ---- import ---------------------------------------------------------------------------

    def _path(self, widget_id: str) -> str:
        return self.query_one(widget_id, Input).value.strip().strip("'\"")  # a dragged file comes quoted

    @on(Input.Submitted, "#path")
    def dry_run(self) -> None:
        self._start_import(dry_run=True)

    def action_import_file(self) -> None:
        self._start_import(dry_run=False)

    def _start_import(self, dry_run: bool) -> None:
        if self.busy:
            return
        path = self._path("#path")
        if not path:
            self.say("Type the path of the MARC file first.", "yellow")
            self.query_one("#path", Input).focus()
            return
        self._set_busy(True)
        self.query_one("#report", Log).clear()
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.say(f"{'Checking' if dry_run else 'Importing'} {path}...")
        self.run_import(path, dry_run, self.policy, self.status, self.match)

    @work(thread=True, exit_on_error=False, group="marc")
    def run_import(self, path: str, dry_run: bool, policy: str, status: str, match: str) -> None:
        def progress(done: int, total: int) -> None:
            self.post_message(self.Progress(done, total))
        try:
            files.readable_file(path)  # a regular file: never a device, a FIFO or a folder
            report = marc.import_marc(self.app.actor, path, dry_run=dry_run, policy=policy, status=status,
                                      match=match, progress=progress)
        except Refusal as refusal:
            self.post_message(self.Finished([], refusal.sentence, "red"))
            return
        except Exception as exc:  # a bug reaches the cataloguer as a sentence, not a traceback
            where = self.app.log_error(exc, "the MARC import")
            self.post_message(self.Finished([], f"The import stopped ({exc}); batches already "
                                                f"written stay, the rest was not imported. {where}", "red"))
            return
        self.last_report = report
        saved = save_report(report, path)
        style = "red" if report.nothing_read else ("yellow" if report.rejected or report.copies_rejected
                                                   or report.duplicates else "green")
        where = f" The report is in {saved}." if saved else ""
        self.post_message(self.Finished(report.lines(), report.summary + where, style))

    @on(Finished)
    def show_report(self, message: Finished) -> None:
        self._set_busy(False)
        log = self.query_one("#report", Log)
        log.clear()
        log.write_lines(message.lines)
        log.scroll_home(animate=False)
        self.say(message.sentence, message.style)
        if message.style == "red":
            self.app.bell()

    # ---- export ---------------------------------------------------------------------------

    @on(Input.Submitted, "#out")
    @on(Input.Submitted, "#term")
    def export(self) -> None:
        if self.busy:
            return
        out = self._path("#out")
        if not out:
            self.say("Type the name of the file to export to, then Enter.", "yellow")
            self.query_one("#out", Input).focus()
            return
        self._set_busy(True)
        self._export(out, self.query_one("#term", Input).value.strip())

    @work(exclusive=True, group="marc-export", exit_on_error=False)
    async def _export(self, typed: str, term: str) -> None:
        """The file in the library's folder; one key (Y) before writing over a file that is there."""
        force = False
        try:
            out = files.desk_path(typed, "exports")
            files.check_target(out, unwritten="nothing was exported")
        except files.AlreadyExists as there:
            answer = await self.app.push_screen_wait(Decision(
                f"{there.path} already exists. Write the export over it?",
                {"y": ("yes", "write over it"), "n": ("no", "keep it")}, lambda _scan: None, cancel="no"))
            if answer != "yes":
                self._set_busy(False)
                self.say(f"Nothing was exported; {there.path} is as it was.", "yellow")
                return
            out, force = there.path, True
        except Refusal as refusal:
            self._set_busy(False)
            self.say(refusal.sentence, "red")
            self.app.bell()
            return
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.say(f"Exporting to {out}...")
        self.run_export(str(out), term, force)

    @work(thread=True, exit_on_error=False, group="marc")
    def run_export(self, out: str, term: str, force: bool = False) -> None:
        fmt = "marcxml" if out.lower().endswith(".xml") else "iso2709"
        try:
            ids = None
            lines: list[str] = []
            if term:
                found = marc.find_titles(term, limit=100_000)
                if not found:
                    self.post_message(self.Finished([], f"No title matches {term!r}; nothing was exported.", "red"))
                    return
                ids = [row[0] for row in found]
                lines = [f"  {biblio_id}  {title}" + (f" / {author}" if author else "")
                         for biblio_id, title, author, _ in found[:200]]
            result = marc.export_marc(self.app.actor, out, fmt, ids, force=force,
                                      progress=lambda done, total: self.post_message(self.Progress(done, total)))
        except Refusal as refusal:
            self.post_message(self.Finished([], refusal.sentence, "red"))
            return
        except Exception as exc:
            where = self.app.log_error(exc, "the MARC export")
            self.post_message(self.Finished([], f"The export failed ({exc}). {where}", "red"))
            return
        head = [result.summary] + ([f"Titles matching {term!r}:"] + lines if lines else [])
        head += [f"  {why}" for _, why in result.left_out]
        self.post_message(self.Finished(head, result.summary, "yellow" if result.left_out else "green"))



def save_report(report: marc.ImportReport, path: str) -> str:
    """The report in the library's reports folder, as FILE.report.txt (FILE.report-2.txt when that is
    taken: nothing is written over); "" when it cannot be written."""
    stem = Path(path).expanduser().name + (".dry-run" if report.dry_run else "") + ".report"
    try:
        target = files.fresh_path(files.library_folder("reports"), stem, ".txt")
        files.write_text(target, report.text(), unwritten="the report was not saved")
    except (Refusal, OSError):
        return ""
    return str(target)
