"""The locked desk: an idle shared desk asks for the password again, its state kept below."""
from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from counter_tui.domain.barcodes import Kind, classify
from counter_tui.domain.plurals import counted
from counter_tui.services.admin import staff
from counter_tui.services.errors import Refusal
from counter_tui.widgets.scan_input import ScanInput


class LockScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background 90%; }
    LockScreen > Vertical { width: 60; max-width: 100%; height: auto; border: thick $warning; padding: 1 2; }
    LockScreen #lock-status { height: 2; color: $error; }
    """
    BINDINGS = [Binding("escape", "switch_user", "Someone else", id="lock.switch_user")]

    def __init__(self, idle: bool = False, why: str = "") -> None:
        """`idle`: locked by the clock after idle_lock_minutes without a key; `why`: another reason
        (the account was disabled); else by hand (Ctrl+L)."""
        super().__init__()
        self.idle = idle
        self.why = why

    def compose(self) -> ComposeResult:
        who = self.app.actor
        why = self.why or (f"after {counted(self.app.settings.idle_lock_minutes, 'idle minute')}" if self.idle
                           else "by hand")
        with Vertical():
            yield Static(f"[b]Desk locked[/] {why}.\n"
                         f"{who.full_name} ({who.username}): password, then Enter. Esc: someone else signs in.")
            yield ScanInput("Password", password=True, id="lock-password")
            yield Static("", id="lock-status")

    @on(ScanInput.Scanned)
    def entered(self, message: ScanInput.Scanned) -> None:
        message.stop()
        kind = classify(message.text, self.app.settings.barcodes).kind
        if kind in (Kind.PATRON, Kind.ITEM, Kind.ISBN):
            # a scan is not a password guess: never count it as a failed sign-in
            self.query_one("#lock-status", Static).update("The desk is locked: sign in first. That scan was not used.")
            self.app.bell()
            return
        self.unlock(message.text)

    @work(exclusive=True, group="unlock")
    async def unlock(self, password: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self.app.db_executor, staff.sign_in, self.app.actor.username, password)
        except Refusal as refusal:
            self.query_one("#lock-status", Static).update(refusal.sentence)
            self.app.bell()
            return
        self.app.locked = False
        self.dismiss(None)

    def action_switch_user(self) -> None:
        """Someone else signs in over the lock; Esc there comes back here, never to the desk."""
        from counter_tui.screens.login import LoginScreen
        self.app.push_screen(LoginScreen())
