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
