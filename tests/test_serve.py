"""Desks in a browser: only from the library's own page, a limit on desks, a password at every
tab, and no database address on a desk's command line."""
from __future__ import annotations

import asyncio
import os
import sys

import pytest
from aiohttp.test_utils import TestClient, TestServer

from counter_tui import cli, serving
from counter_tui.config import ENV_DB

PUBLIC = "https://library.example.org/desk"


async def served(max_desks=1, command=f"{sys.executable} -c 'import time; time.sleep(30)'"):
    server = serving.library_server(command, host="127.0.0.1", port=8000, title="Test", public_url=PUBLIC,
                                    max_desks=max_desks)
    client = TestClient(TestServer(await server._make_app()))
    await client.start_server()
    return server, client


async def test_a_page_from_another_site_cannot_open_a_desk():
    server, client = await served()
    try:
        for origin in ("https://evil.example.com", "http://library.example.org", None):
            headers = {"Origin": origin} if origin else {}
            response = await client.get("/ws", headers=headers)
            assert response.status == 403, origin
        assert server.desks == 0
    finally:
        await client.close()


async def test_desks_beyond_the_limit_are_refused_with_a_sentence():
    server, client = await served(max_desks=1)
    try:
        first = await client.ws_connect("/ws", headers={"Origin": "https://library.example.org"})
        assert server.desks == 1
        second = await client.get("/ws", headers={"Origin": "https://library.example.org"})
        assert second.status == 503 and "All 1 desks of this server are open" in await second.text()
        await first.close()
        for _ in range(100):  # the desk process ends with its tab
            if server.desks == 0:
                break
            await asyncio.sleep(0.05)
        assert server.desks == 0
    finally:
        await client.close()


def test_the_desk_command_carries_no_database_address_and_never_trusts_the_login(monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 5000 10.0.0.1 22")
    monkeypatch.delenv(cli.SERVED_ENV, raising=False)
    secret = "postgresql://clerk:s3cret@db.example.org/library"
    serving.desk_environment(secret)
    try:
        assert "s3cret" not in serving.desk_command()
        assert os.environ[ENV_DB] == secret and os.environ[cli.SERVED_ENV] == "1"
        assert "SSH_CONNECTION" not in os.environ  # and trusted_login() says None for a served desk
    finally:
        for name in (ENV_DB, cli.SERVED_ENV):
            os.environ.pop(name, None)


@pytest.mark.parametrize("host, public_url, words", [
    ("0.0.0.0", None, "needs TLS"),
    ("192.0.2.7", "http://library.example.org", "needs TLS"),
    ("127.0.0.1", "ftp://x", "is not a web address"),
])
def test_serving_beyond_this_machine_without_tls_is_refused(host, public_url, words):
    with pytest.raises(serving.ServeRefused, match=words):
        serving.check_address(host, 8000, public_url)
    assert serving.check_address("0.0.0.0", 8000, "https://library.example.org/desk/") == PUBLIC
