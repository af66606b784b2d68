"""The App: one mode per desk, the global keys, the database thread."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from textual.app import App
from textual.binding import Binding

from counter_tui.config import Settings
from counter_tui.screens.login import LoginScreen


# Each desk's module is imported when the desk is first opened, not at start-up.
def _checkout():
    from counter_tui.screens.checkout import CheckoutScreen
    return CheckoutScreen()


def _checkin():
    from counter_tui.screens.checkin import CheckinScreen
    return CheckinScreen()


def _renew():
    from counter_tui.screens.renew import RenewScreen
    return RenewScreen()


def _account():
    from counter_tui.screens.account import AccountScreen
    return AccountScreen()


class CounterApp(App):
    TITLE = "counter_tui"
    MODES = {"checkout": _checkout, "checkin": _checkin, "renew": _renew, "account": _account}
    BINDINGS = [
        Binding("f2", "desk('checkout')", "Check out", id="desk.checkout"),
        Binding("f3", "desk('checkin')", "Check in", id="desk.checkin"),
        Binding("f4", "desk('renew')", "Renew", id="desk.renew"),
        Binding("f5", "account", "Readers", id="desk.account"),
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", show=False),
    ]

    def __init__(self, settings: Settings, actor=None) -> None:
        super().__init__()
        self.settings = settings
        self.actor = actor
        # One database thread: the desk's writes happen in the order they were scanned,
        # and the event loop never waits on the database.
        self.db_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")

    def on_mount(self) -> None:
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        if self.actor is None:
            self.push_screen(LoginScreen())
        else:
            self.switch_mode("checkout")

    def signed_in(self, member) -> None:
        self.actor = member
        self.pop_screen()
        self.switch_mode("checkout")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing but signing in (and quitting) before someone has signed in.
        if self.actor is None and action not in ("quit",):
            return False
        return True

    async def action_desk(self, mode: str) -> None:
        if self.current_mode == mode and mode == "checkout":
            self.screen.action_next_reader()  # F2 on the checkout desk: next reader
            return
        await self.switch_mode(mode)

    async def action_account(self) -> None:
        """Readers (F5); from the checkout desk it opens the current reader's account."""
        patron = getattr(self.screen, "patron", None)
        await self.switch_mode("account")
        if patron is not None:
            await self.screen.show_patron(patron.id)

    def action_help(self) -> None:
        from counter_tui.screens.help import HelpScreen
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def on_unmount(self) -> None:
        self.db_executor.shutdown(wait=True)  # let a write in flight finish
