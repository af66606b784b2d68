"""Desks in a web browser (`counter-tui serve`), on textual-serve, with the library's guards.

Every browser tab gets a desk process of its own, which asks who is there (never a
trusted sign-in); pages from another site cannot open desks (the websocket's Origin must
be the public address's); a server runs at most `max_desks` desks at once; and nothing
secret goes on a desk's command line, where `ps` shows it: the database's address reaches
the desk in its environment.
"""
from __future__ import annotations

import os
import shlex
import sys
from ipaddress import ip_address
from urllib.parse import urlsplit

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class ServeRefused(ValueError):
    """`serve` would be unsafe or cannot start as asked; the sentence says why."""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(host: str, port: int, public_url: str | None) -> str:
    """The public address browsers use, checked; refuses a plain-http desk off this machine."""
    if not 0 < port < 65536:
        raise ServeRefused(f"--port {port} is not a port (1 to 65535).")
    url = public_url or f"http://{host}:{port}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServeRefused(f"--public-url {url!r} is not a web address like https://library.example.org/desk.")
    if not is_loopback(host) and parts.scheme != "https":
        raise ServeRefused(f"Serving desks on {host} to the network needs TLS: put counter-tui behind the "
                           "library's web server (reverse proxy with https) and give --public-url https://...")
    return url.rstrip("/")


def desk_command() -> str:
    """What each tab runs: the desk, with no database address on the command line."""
    return " ".join(shlex.quote(part) for part in (sys.executable, "-m", "counter_tui"))


def desk_environment(db_url: str) -> None:
    """What each tab's desk inherits (textual-serve copies this process's environment)."""
    from counter_tui.cli import SERVED_ENV
    from counter_tui.config import ENV_DB
    os.environ[ENV_DB] = db_url  # not in argv, where every user of the machine can read it
    os.environ[SERVED_ENV] = "1"  # a visitor of the page is no operating-system user: always ask
    os.environ.pop("SSH_CONNECTION", None)


def library_server(command: str, *, host: str, port: int, title: str, public_url: str,
                   max_desks: int, allowed_origins: tuple[str, ...] = ()):
    """A textual-serve server that checks each desk's origin and counts the desks."""
    from aiohttp import web
    from textual_serve.server import Server

    class LibraryServer(Server):
        def __init__(self) -> None:
            super().__init__(command, host=host, port=port, title=title, public_url=public_url)
            self.max_desks = max_desks
            self.allowed = {origin_of(public_url), *(origin_of(o) for o in allowed_origins)}
            self.desks = 0

        async def handle_websocket(self, request):
            origin = (request.headers.get("Origin") or "").lower()
            if origin not in self.allowed:
                raise web.HTTPForbidden(text=f"Desks open only from {', '.join(sorted(self.allowed))}.")
            if self.desks >= self.max_desks:
                raise web.HTTPServiceUnavailable(
                    text=f"All {self.max_desks} desks of this server are open; close one, or start "
                         f"counter-tui serve with a larger --max-desks.")
            self.desks += 1
            try:
                return await super().handle_websocket(request)
            finally:
                self.desks -= 1

    return LibraryServer()
