"""Pinyin keys and simplified characters, from the libraries made for them."""
import pytest

from counter_tui.domain.chinese import has_han, pinyin_keys, simplified


@pytest.mark.parametrize("name, full, initials", [
    ("王芳", "wangfang", "wf"), ("欧阳娜娜", "ouyangnana", "oynn"), ("李 雷", "lilei", "ll"),
    ("王芳芳", "wangfangfang", "wff"), ("Lucas Brown", "lucasbrown", "lb"), ("", "", ""),
    ("紅樓", "honglou", "hl"),  # traditional characters read as their simplified forms
])
def test_a_name_has_its_pinyin_and_initials(name, full, initials):
    assert pinyin_keys(name) == (full, initials)


def test_traditional_characters_become_simplified_and_other_text_stays():
    assert simplified("紅樓夢") == "红楼梦"
    assert simplified("红楼梦") == "红楼梦"
    assert simplified("Dream of the Red Chamber") == "Dream of the Red Chamber"
    assert has_han("红楼梦 vol. 2") and not has_han("Dune")
