"""CLC call numbers in shelf order (standards.md 5.4)."""

import random
import re
import sqlite3

from counter_tui.domain.callnumbers import clc_sort_key, shelf_order

SHELF = (
    "A81/1 < H31/45 < I247.5/28 < I247.5/28/2 < I247.5/123 < I247.57/3 < I247.7/1 < I25/9 "
    "< O1/7 < O13/2 < O4/1 < T/1 < TB/4 < TP3/1 < TP31/1 < TP311/1 < TP311.1/1 < TP311.13/5 "
    "< TP311.138/2 < TP312/1 < TP39/1 < TQ/1 < Z228/3"
).split(" < ")


def test_standard_vector_from_any_starting_order():
    assert sorted(SHELF) != SHELF  # a plain string sort gets it wrong
    assert shelf_order(reversed(SHELF)) == SHELF
    shuffled = SHELF[:]
    random.Random(5).shuffle(shuffled)
    assert shelf_order(shuffled) == SHELF


def test_keys_are_strictly_increasing_along_the_shelf():
    keys = [clc_sort_key(number) for number in SHELF]
    assert all(a < b for a, b in zip(keys, keys[1:]))


def test_book_numbers_compare_as_whole_numbers():
    assert clc_sort_key("I247.5/28") < clc_sort_key("I247.5/123")


def test_volumes_compare_as_whole_numbers():
    assert shelf_order(["TP311/1/v.10", "TP311/1/v.2", "TP311/1/v.1"]) == [
        "TP311/1/v.1", "TP311/1/v.2", "TP311/1/v.10",
    ]


def test_auxiliary_symbols_file_before_digits():
    assert shelf_order(["TP31", "TP3:G4", "TP3(2)", "TP3-62", "TP3"]) == [
        "TP3", "TP3-62", "TP3(2)", "TP3:G4", "TP31",
    ]


def test_dot_is_ignored_in_the_class_number():
    assert clc_sort_key("TB484.5/1") == clc_sort_key("TB4845/1")


def test_spellings_of_the_same_call_number_share_a_key():
    key = clc_sort_key("I247.57/123")
    assert clc_sort_key("i247.57/123") == key
    assert clc_sort_key(" I247.57 123 ") == key  # spine label with a space
    assert clc_sort_key("I247．57／123") == key  # full-width, typed with a Chinese IME
    assert clc_sort_key("I247.57/0123") == key


def test_documented_encoding():
    assert clc_sort_key("TP311.1/12") == "3T3P23212121" + "0" + "1212"


def test_keys_use_only_digits_and_capital_letters():
    for number in SHELF + ["TP3-62", "K825.6=76/12", 'D633"C"/1', "I247.5/金庸", "", "  "]:
        assert re.fullmatch("[0-9A-Z]+", clc_sort_key(number)), number


def test_empty_call_number_files_first():
    assert shelf_order(["A81/1", ""]) == ["", "A81/1"]


def test_sqlite_order_by_gives_shelf_order(tmp_path):
    connection = sqlite3.connect(tmp_path / "shelf.db")
    try:
        connection.execute("CREATE TABLE item (call_number TEXT, cn_sort TEXT)")
        connection.execute("CREATE INDEX item_cn_sort ON item (cn_sort)")
        connection.executemany(
            "INSERT INTO item VALUES (?, ?)",
            [(number, clc_sort_key(number)) for number in reversed(SHELF)],
        )
        rows = connection.execute("SELECT call_number FROM item ORDER BY cn_sort").fetchall()
    finally:
        connection.close()
    assert [row[0] for row in rows] == SHELF
