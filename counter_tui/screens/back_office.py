"""The back office (F9): the tools of the posts behind the counter, as the role allows."""
from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from counter_tui.services import access


def _staff() -> Screen:
    from counter_tui.screens.admin.staff import StaffScreen
    return StaffScreen()


def _roster() -> Screen:
    from counter_tui.screens.readers.roster_import import RosterImportScreen
    return RosterImportScreen()


def _audit() -> Screen:
    from counter_tui.screens.admin.audit import AuditScreen
    return AuditScreen()


def _notices() -> Screen:
    from counter_tui.screens.circulation.notices import NoticesScreen
    return NoticesScreen()


def _shelf_list() -> Screen:
    from counter_tui.screens.catalogue.shelf_list import ShelfListScreen
    return ShelfListScreen()


def _labels() -> Screen:
    from counter_tui.screens.catalogue.labels import LabelsScreen
    return LabelsScreen()


def _rules() -> Screen:
    from counter_tui.screens.circulation.rules import RulesScreen
    return RulesScreen()


def _shelving() -> Screen:
    from counter_tui.screens.circulation.shelving import ShelvingScreen
    return ShelvingScreen()


def _repairs() -> Screen:
    from counter_tui.screens.circulation.repairs import RepairsScreen
    return RepairsScreen()


def _tool(module: str, name: str) -> Callable[[], Screen]:
    def make() -> Screen:
        import importlib
        return getattr(importlib.import_module(f"counter_tui.screens.{module}"), name)()
    return make


_CATALOGUERS = (access.CATALOGING, access.CURATOR)
CATALOGUE_OFFICE_TOOLS = [
    ("register", "Accession register and balance", _CATALOGUERS, _tool("register", "RegisterScreen")),
    ("writeoff", "Write off copies (certificate)", _CATALOGUERS, _tool("writeoff", "WriteOffScreen")),
    ("transfer", "Transfer new books to circulation", _CATALOGUERS, _tool("transfer", "TransferScreen")),
    ("bulletin", "New-books bulletin", _CATALOGUERS, _tool("bulletin", "BulletinScreen")),
    ("processing", "Processing statistics", _CATALOGUERS, _tool("processing", "ProcessingScreen")),
    ("marc", "MARC import and export", _CATALOGUERS, _tool("marc", "MarcScreen")),
]

# id, label, roles that may open it, screen factory
TOOLS: list[tuple[str, str, tuple[str, ...], Callable[[], Screen]]] = [
    ("staff", "Staff accounts and roles", (access.CURATOR,), _staff),
    ("audit", "Audit trail", (access.CURATOR,), _audit),
    ("rules", "Circulation rules and calendar", (access.CURATOR,), _rules),
    ("roster", "Import a roster of readers", (access.OFFICE, access.CURATOR), _roster),
    ("notices", "Overdue and hold notices", (access.CIRCULATION, access.CURATOR), _notices),
    ("shelving", "Shelving cart and in-house use", (access.CIRCULATION, access.READING_ROOM), _shelving),
    ("repairs", "Repair queue and withdrawal proposals", (access.CIRCULATION, access.CATALOGING, access.CURATOR),
     _repairs),
    ("shelf_list", "Shelf list by call number", access.ROLES, _shelf_list),
    ("labels", "Spine and barcode labels", (access.CATALOGING, access.CIRCULATION), _labels),
    *CATALOGUE_OFFICE_TOOLS,
]


class BackOffice(ModalScreen[None]):
    DEFAULT_CSS = """
    BackOffice { align: center middle; }
    BackOffice > Vertical { width: 50; height: auto; max-height: 90%; border: thick $accent; background: $surface; }
    BackOffice OptionList { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape,f9", "close", "Close", id="back_office.close")]

    def compose(self) -> ComposeResult:
        allowed = [Option(label, id=tool_id) for tool_id, label, roles, _ in TOOLS
                   if access.may(self.app.actor, *roles)]
        with Vertical():
            yield Static(" [b]Back office[/]: arrows and Enter; Esc closes")
            if allowed:
                yield OptionList(*allowed)
            else:
                yield Static(" Nothing here for your role.")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        factory = next(make for tool_id, _, _, make in TOOLS if tool_id == event.option.id)
        self.dismiss(None)
        self.app.push_screen(factory())

    def action_close(self) -> None:
        self.dismiss(None)
