"""What a slip others may see says of its reader: the card's last four digits, the name shortened."""
import pytest

from counter_tui.domain.slip_privacy import masked_card, shortened_name


def test_only_the_last_four_digits_of_a_card_show():
    assert masked_card("21234000000012") == "**********0012"
    assert masked_card("L123") == "L123" and masked_card("") == ""


@pytest.mark.parametrize("name, short", [
    ("王芳", "王*"), ("欧阳娜娜", "欧阳*"), ("歐陽修", "歐陽*"), ("诸葛亮", "诸葛*"), ("王", "王*"),
    ("阿依古丽·买买提", "阿*"), ("王 芳", "王*"),  # a Chinese name keeps its surname
    ("Jim Green", "J. Green"), ("Mary Jane Watson", "M. J. Watson"), ("Han  Meimei", "H. Meimei"),
    ("Green, Jim", "Green, J."), ("Watson, Mary Jane", "Watson, M. J."), ("Madonna", "Madonna"),
    ("", ""),
])
def test_initial_shortens_the_given_name(name, short):
    assert shortened_name(name, "initial") == short
    assert shortened_name(name) == short  # the library's default


def test_full_keeps_the_name():
    assert shortened_name("王芳", "full") == "王芳" and shortened_name("Jim  Green", "full") == "Jim Green"
