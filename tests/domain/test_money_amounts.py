"""Money in integer minor units: what the desk shows and what a clerk may type."""

import pytest

from counter_tui.domain.money import Currency, format_money, parse_money

YEN = Currency(code="JPY", symbol="¥", digits=0)
DOLLAR = Currency(code="USD", symbol="$", digits=2)


@pytest.mark.parametrize(("minor", "shown"), [
    (1250, "¥12.50"), (-300, "-¥3.00"), (0, "¥0.00"), (5, "¥0.05"), (-5, "-¥0.05"),
    (100000, "¥1000.00"),
])
def test_format_yuan(minor, shown):
    assert format_money(minor) == shown


def test_format_without_minor_units():
    assert format_money(1250, YEN) == "¥1250"
    assert format_money(-3, YEN) == "-¥3"


def test_format_other_currency():
    assert format_money(199, DOLLAR) == "$1.99"


@pytest.mark.parametrize("bad", [12.5, "1250", True, None])
def test_format_refuses_anything_but_an_integer(bad):
    with pytest.raises(TypeError):
        format_money(bad)


@pytest.mark.parametrize(("text", "minor"), [
    ("12.5", 1250), ("12.50", 1250), ("¥3", 300), ("3", 300), (" 0.05 ", 5), (".5", 50),
    ("12.", 1200), ("0", 0), ("1,200", 120000), ("1,234,567.89", 123456789),
    ("CNY 4", 400), ("4 cny", 400), ("￥１２．５", 1250), ("¥ 7.25", 725),
])
def test_parse_yuan(text, minor):
    assert parse_money(text) == minor


def test_parse_round_trips_format():
    for minor in (0, 1, 99, 1250, 123456):
        assert parse_money(format_money(minor)) == minor


def test_parse_without_minor_units():
    assert parse_money("1250", YEN) == 1250
    with pytest.raises(ValueError, match="no decimal places"):
        parse_money("12.5", YEN)


def test_parse_never_goes_through_float():
    # float("0.29") * 100 is 28.999999999999996.
    assert parse_money("0.29") == 29
    assert parse_money("1.15") == 115


@pytest.mark.parametrize(("text", "words"), [
    ("", "Type an amount"),
    ("   ", "Type an amount"),
    ("¥", "Type an amount"),
    ("abc", "is not an amount of money"),
    ("12,50", "is not an amount of money"),
    ("1.2.3", "is not an amount of money"),
    ("1e3", "is not an amount of money"),
    ("+3", "is not an amount of money"),
    ("$3", "is not an amount of money"),
    ("nan", "is not an amount of money"),
    ("-3", "cannot be negative"),
    ("-¥3.00", "cannot be negative"),
    ("¥-3", "cannot be negative"),
    ("1.234", "at most 2 decimal places"),
    ("99999999999999", "too large"),
])
def test_parse_refuses_with_a_plain_sentence(text, words):
    with pytest.raises(ValueError, match=words) as caught:
        parse_money(text)
    message = str(caught.value)
    assert message.endswith(".")
    assert "Traceback" not in message and "invalid literal" not in message


def test_currency_with_too_many_digits_is_refused():
    with pytest.raises(ValueError):
        Currency(digits=7)
