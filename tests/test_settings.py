"""Settings are read into a typed structure: a mistyped key or value is refused at start, with the key."""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from counter_tui import cli, config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, words", [
    ('lost_fine = "Keep"', "lost_fine is 'Keep', which is not one of keep, waive"),
    ('lost_refund = "prices"', "lost_refund is 'prices', which is not one of price, all, none"),
    ('call_numbers = "Dewey"', "call_numbers is 'Dewey', which is not one of clc, dewey"),
    ('lost_refundd = "price"', "there is no setting `lost_refundd`"),
    ('idle_lock_minutes = "ten"', "idle_lock_minutes: Expected `float`, got `str`"),
    ('shelving_minutes = -5', "shelving_minutes: Expected `float` >= 0"),
    ('timezone = "Mars/Olympus"', "timezone 'Mars/Olympus' is not a time zone"),
    ('[currency]\ndigits = 9', "currency.digits: Expected `int` <= 4"),
    ('[barcodes]\ncheck = "mod10"', "barcodes.check is 'mod10', which is not one of luhn, none"),
    ('slip_name = "surname"', "slip_name is 'surname', which is not one of full, initial"),
    ('library_name = "unclosed', "is not valid TOML"),
])
def test_a_mistyped_setting_is_refused_with_the_file_and_the_key(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(config.SettingsError) as refused:
        config.load_settings(path=path)
    assert words in str(refused.value) and str(path) in str(refused.value)


def test_the_command_line_says_the_sentence_and_starts_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(config.ENV_CONFIG, str(write(tmp_path, 'lost_fine = "Keep"')))
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--db", str(tmp_path / "lib.db")])
    assert "lost_fine is 'Keep'" in str(stopped.value.code)
    assert not (tmp_path / "lib.db").exists()


def test_a_good_file_is_read_whole(tmp_path):
    path = write(tmp_path, 'library_name = "江城大学图书馆"\ntimezone = "America/Argentina/Buenos_Aires"\n'
                           'lost_fine = "waive"\nidle_lock_minutes = 0\nslip_name = "full"\n'
                           '[keys]\n"desk.checkout" = "f2,ctrl+g"\n')
    settings = config.load_settings(path=path)
    assert settings.library_name == "江城大学图书馆" and settings.lost_fine == "waive"
    assert settings.slip_name == "full" and config.Settings().slip_name == "initial"
    assert settings.timezone == ZoneInfo("America/Argentina/Buenos_Aires")  # three-part zone names too
    assert settings.keymap == {"desk.checkout": "f2,ctrl+g"} and settings.source == path


def test_the_machines_zone_keeps_a_three_part_name(monkeypatch):
    import tzlocal
    monkeypatch.setenv("TZ", "America/Argentina/Buenos_Aires")
    tzlocal.reload_localzone()  # it caches the zone, as a process that keeps its zone may
    assert config.local_zone() == ZoneInfo("America/Argentina/Buenos_Aires")
