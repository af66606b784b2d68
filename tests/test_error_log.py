"""One error log (issue 20, item 12): an unexpected error at the desk or in a command leaves its
traceback, the desk and the staff member in a rotating log in the library's data folder, and the
sentence on the screen (or the command line) says where it is."""
from __future__ import annotations

import os
import stat

import pytest

from counter_tui import cli
from counter_tui.services.admin import error_log
from tests.test_desk_screens import burst, settle, status


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_an_error_at_the_desk_goes_to_the_log_and_the_sentence_says_where(lib, settings, tmp_path,
                                                                                monkeypatch):
    from counter_tui.app import CounterApp
    from counter_tui.services.circulation import lending
    settings.files_folder = str(tmp_path / "library")
    settings.desk = "branch-1/pts/7"
    reader, book = lib.patron(name="Li Lei"), lib.item()

    def broken(*args, **kwargs):
        raise RuntimeError("the disk said no")

    monkeypatch.setattr(lending, "checkout", broken)
    app = CounterApp(settings, lib.clerk)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        burst(app, reader.card, book.barcode)
        await settle(pilot, lambda: screen.lines == 1)
        log = tmp_path / "library" / "logs" / "errors.log"
        said = " ".join(status(screen).split())
        assert f"Something went wrong with {book.barcode}: the disk said no. The details are in {log}." == said
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "RuntimeError: the disk said no" in text
    assert "desk branch-1/pts/7; staff clerk" in text and "a scan at CheckoutScreen" in text
    assert reader.card not in text and "Li Lei" not in text  # nothing of the reader's
    assert mode(log) == 0o600 and mode(log.parent) == 0o700


def test_an_error_in_a_command_is_one_sentence_and_the_traceback_is_in_the_log(lib, cataloguer, settings, tmp_path,
                                                                                monkeypatch):
    from counter_tui.services.catalogue import labels
    config = tmp_path / "settings.toml"
    config.write_text(f'files_folder = "{tmp_path / "library"}"\n')
    monkeypatch.setenv("COUNTER_TUI_CONFIG", str(config))
    monkeypatch.setenv(cli.PASSWORD_ENV, "correct horse")
    copy = lib.item()

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(labels, "print_labels", broken)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["labels", copy.barcode, "--output", str(tmp_path / "l.pdf"), "--as", "cat", "--db", settings.db_url])
    log = tmp_path / "library" / "logs" / "errors.log"
    assert stopped.value.code == (f"counter-tui labels stopped on an unexpected error (KeyError: 'a bug'). "
                                  f"The details are in {log}.")
    text = log.read_text()
    assert "counter-tui labels;" in text and "staff cat" in text and "KeyError: 'a bug'" in text
    assert "Traceback (most recent call last)" in text


def test_the_log_rotates_and_every_file_of_it_stays_private(settings, tmp_path, monkeypatch):
    settings.files_folder = str(tmp_path / "library")
    monkeypatch.setattr(error_log, "MAX_BYTES", 2_000)
    for n in range(40):
        try:
            raise ValueError(f"error number {n}")
        except ValueError as exc:
            path = error_log.record(exc, "a test")
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["errors.log"] + [f"errors.log.{n}" for n in range(1, error_log.KEPT + 1)]
    assert all(mode(p) == 0o600 for p in path.parent.iterdir())
    assert "error number 39" in path.read_text()


def test_a_log_that_cannot_be_written_does_not_hide_the_first_error(settings, tmp_path):
    (tmp_path / "library").write_text("a file where the folder should be")
    settings.files_folder = str(tmp_path / "library")
    try:
        raise RuntimeError("first")
    except RuntimeError as exc:
        assert error_log.record(exc, "a test") is None
    assert error_log.where_said(None) == "The error log could not be written."


async def test_an_error_nothing_caught_stops_the_desk_with_one_sentence_and_the_log(lib, settings, tmp_path,
                                                                                    capsys):
    from counter_tui.app import CounterApp
    settings.files_folder = str(tmp_path / "library")
    reader = lib.patron(name="Li Lei")
    app = CounterApp(settings, lib.clerk)

    def bug(card=reader.card):
        raise ZeroDivisionError("nothing caught this")

    with pytest.raises(ZeroDivisionError):
        async with app.run_test(size=(80, 24)) as pilot:
            app.call_later(bug)
            await pilot.pause()
    log = tmp_path / "library" / "logs" / "errors.log"
    assert "the desk, which stopped" in log.read_text() and "ZeroDivisionError: nothing caught this" in log.read_text()
    shown = capsys.readouterr()
    said = shown.out + shown.err + " ".join(str(r) for r in app._exit_renderables)
    assert reader.card not in said and "Traceback" not in said  # Textual's traceback prints local variables
