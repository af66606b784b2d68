"""Every sentence in two languages: the catalogues are complete, and the desk speaks the person's."""
from __future__ import annotations

import pytest

from counter_tui import i18n
from counter_tui.i18n import catalogues


@pytest.mark.parametrize("domain", catalogues.DOMAINS)
def test_every_sentence_of_the_wing_is_in_its_catalogue_translated_with_its_places(domain):
    assert catalogues.problems(domain) == []


def test_a_module_takes_its_wings_catalogue():
    assert i18n.domain_of("counter_tui.services.circulation.lending") == "circulation"
    assert i18n.domain_of("counter_tui.screens.catalogue.catalogue_desk") == "catalogue"
    assert i18n.domain_of("counter_tui.screens.scan_desk") == "common"
    assert i18n.domain_of("counter_tui.app") == "common"


def test_the_language_follows_the_desk_and_printed_matter_the_library():
    try:
        i18n.use(i18n.CHINESE)
        assert i18n.current() == i18n.CHINESE
        with i18n.printing_in(i18n.ENGLISH):
            assert i18n.current() == i18n.ENGLISH
        assert i18n.current() == i18n.CHINESE
    finally:
        i18n.use(i18n.ENGLISH)


@pytest.mark.parametrize("code, language", [("zh_CN.UTF-8", "zh_CN"), ("zh-CN", "zh_CN"), ("zh_TW", "zh_CN"),
                                            ("en_GB.UTF-8", "en"), ("C", "en"), ("", "en")])
def test_the_command_line_follows_the_locale(monkeypatch, code, language):
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", code)
    assert i18n.locale_language() == language


async def test_a_clerk_switches_the_desk_to_chinese_and_it_is_kept_with_the_account(lib, settings):
    from counter_tui.app import CounterApp
    from counter_tui.models import Staff
    from counter_tui.screens.back_office import BackOffice
    from counter_tui.widgets.key_bar import KeyBar
    from tests.test_desk_screens import settle
    app = CounterApp(settings, lib.clerk)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            bar = app.screen.query_one(KeyBar)
            assert "Check in" in str(bar.render())
            await app.run_action("language('zh_CN')")
            await settle(pilot, lambda: "归还" in str(bar.render()))
            assert "借出" in str(app.screen.query_one("#title").render())
            await pilot.press("f9")
            await settle(pilot, lambda: isinstance(app.screen, BackOffice))
            assert "超期与预约到书通知" in str(app.screen.query_one("OptionList").get_option("notices").prompt)
        assert Staff.get_by_id(lib.clerk.id).language == "zh_CN"  # kept with the account
        app = CounterApp(settings, Staff.get_by_id(lib.clerk.id))  # the next sign-in speaks it at once
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert "归还" in str(app.screen.query_one(KeyBar).render())
            await app.run_action("language('en')")
            await settle(pilot, lambda: "Check in" in str(app.screen.query_one(KeyBar).render()))
    finally:
        i18n.use(i18n.ENGLISH)


def test_the_language_is_one_the_desk_speaks(lib):
    from counter_tui.services.admin import staff
    from counter_tui.services.errors import Refusal
    with pytest.raises(Refusal, match="speaks en or zh_CN"):
        staff.set_language(lib.clerk, "fr")


async def test_in_chinese_the_key_bar_still_fits_80_columns(lib, settings):
    from rich.cells import cell_len

    from counter_tui.app import CounterApp
    from counter_tui.widgets.key_bar import KeyBar
    from tests.test_desk_screens import settle
    app = CounterApp(settings, lib.clerk)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await app.run_action("language('zh_CN')")
            bar = app.screen.query_one(KeyBar)
            await settle(pilot, lambda: "归还" in str(bar.render()))
            lines = str(bar.render()).splitlines()
            assert all(cell_len(line) <= 78 for line in lines) and "帮助" in lines[-1]
    finally:
        i18n.use(i18n.ENGLISH)
