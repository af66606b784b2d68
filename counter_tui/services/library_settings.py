"""The running library's settings, set once at start-up by the command line or a test."""
from __future__ import annotations

from counter_tui.config import Settings

_settings = Settings()


def configure(settings: Settings) -> None:
    global _settings
    _settings = settings


def settings() -> Settings:
    return _settings


def money(minor: int) -> str:
    from counter_tui.domain.money import format_money
    return format_money(minor, _settings.currency)
