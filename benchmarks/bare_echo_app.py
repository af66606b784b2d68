"""A bare Textual app with the desk's shape and no database: the floor for scan-to-screen.

A title line, a three-line panel where the desk shows the reader, the desk's ScanInput
(Enter handled in its own key handler, so bursts are never merged), a status line, a
DataTable with the check-out desk's columns and a footer: the table gets as many rows as
the desk's.
Each scan is echoed as a table row `BARCODE  Echo BARCODE` and in the status line. With
`--via-thread` each scan goes through an asyncio queue and a one-thread executor first,
as the desk does, to separate the cost of that hop from Textual's own refresh.

    python benchmarks/bare_echo_app.py [--via-thread]

Its first paint shows "Bare echo desk"; ctrl+n empties the table; ctrl+q quits.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual import on  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.binding import Binding  # noqa: E402
from textual.widgets import DataTable, Footer, Static  # noqa: E402

from counter_tui.widgets.scan_input import ScanInput  # noqa: E402

COLUMNS = (("Barcode", 15), ("Title", 34), ("Call number", 13), ("Due", 10))
TITLE_TEXT = "Bare echo desk"


class BareEchoApp(App):
    CSS = """
    #title { height: 1; background: $primary; color: $text; padding: 0 1; }
    #panel { height: 3; padding: 0 1; background: $boost; }
    #status { height: 1; padding: 0 1; }
    #lines { height: 1fr; }
    """
    BINDINGS = [Binding("ctrl+q", "quit", "Quit"), Binding("ctrl+n", "clear", "Clear")]

    def __init__(self, via_thread: bool = False) -> None:
        super().__init__()
        self.via_thread = via_thread
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")

    def compose(self) -> ComposeResult:
        yield Static(f"[b]{TITLE_TEXT}[/]  no database", id="title")
        yield Static("No reader here: the same height as the desk's reader panel,\n"
                     "so the table shows as many rows as the check-out desk's.", id="panel")
        yield ScanInput("Scan anything, then Enter", id="scan")
        yield Static("", id="status")
        table = DataTable(id="lines", cursor_type="row", zebra_stripes=True)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ScanInput).focus()
        if self.via_thread:
            self.run_worker(self._drain(), group="scans")

    @on(ScanInput.Scanned)
    def scanned(self, message: ScanInput.Scanned) -> None:
        if self.via_thread:
            self.queue.put_nowait(message.text)
        else:
            self.echo(message.text)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            text = await self.queue.get()
            text = await loop.run_in_executor(self.executor, str.strip, text)
            self.echo(text)

    def echo(self, text: str) -> None:
        table = self.query_one("#lines", DataTable)
        table.add_row(text, f"Echo {text}", "", "")
        table.move_cursor(row=table.row_count - 1)
        self.query_one("#status", Static).update(f"Echoed: {text}.")

    def action_clear(self) -> None:
        """Like the desk's "next reader": empty the table."""
        self.query_one("#lines", DataTable).clear()
        self.query_one("#status", Static).update("Cleared.")

    def on_unmount(self) -> None:
        self.executor.shutdown(wait=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--via-thread", action="store_true",
                        help="pass each scan through a queue and a one-thread executor, like the desk")
    args = parser.parse_args()
    BareEchoApp(via_thread=args.via_thread).run()


if __name__ == "__main__":
    main()
