"""Barcode normalising and classifying (standards.md sections 1 and 2)."""

import pytest
from stdnum import issn

from counter_tui.domain.barcodes import (
    BarcodeRules,
    Kind,
    Scan,
    classify,
    library_barcode,
    normalize,
)

# standards.md 1.1: payload, check digit, full barcode
LIBRARY_VECTORS = [
    ("3023400051786", "1", "30234000517861"),  # JerseyCat example
    ("3319100010586", "4", "33191000105864"),  # Dynix example
    ("2123400000001", "8", "21234000000018"),
    ("3123400000001", "6", "31234000000016"),
    ("3000100000001", "0", "30001000000010"),
]


@pytest.mark.parametrize(("payload", "check", "full"), LIBRARY_VECTORS)
def test_good_library_barcodes(payload, check, full):
    scan = classify(full)
    assert scan.kind is (Kind.PATRON if full.startswith("2") else Kind.ITEM)
    assert scan.code == full
    assert scan.problem is None
    assert full == payload + check


@pytest.mark.parametrize("code", ["30234000517816", "33191000105846"])
def test_adjacent_swap_is_refused_in_desk_words(code):
    scan = classify(code)
    assert scan.kind is Kind.INVALID
    assert scan.problem == (
        f"The check digit of {code} is wrong: scan it again or type it carefully."
    )


@pytest.mark.parametrize("code", ["35555000012349", "22390000027896", "39990000192148"])
def test_vendor_samples_that_fail_luhn(code):
    assert classify(code).kind is Kind.INVALID
    unchecked = classify(code, BarcodeRules(check="none"))
    assert unchecked.kind is (Kind.PATRON if code.startswith("2") else Kind.ITEM)


@pytest.mark.parametrize(
    "raw",
    [
        "30234000517861",
        "A30234000517861B",
        "a30234000517861b",
        "C30234000517861D",
        "t30234000517861n",
        "*30234000517861e",
        "\x1130234000517861\x12",  # DC1..DC4 start/stop
        "3 0234 00051 7861",  # CLSI editing
        " 30234000517861\r\n",  # suffix left on by the scanner
        "\t30234000517861\t",
    ],
)
def test_scanner_spellings_give_one_barcode(raw):
    assert normalize(raw) == "30234000517861"
    assert classify(raw).kind is Kind.ITEM


def test_azerty_digit_row_is_mapped_back_to_digits():
    # 30234000517861 typed by a US-layout scanner on a French keyboard.
    azerty = "\"àé\"'ààà(&è_-&"
    assert normalize(azerty) == "30234000517861"
    assert classify(azerty).kind is Kind.ITEM
    assert normalize("&é\"'(-è_çà") == "1234567890"


def test_azerty_characters_mixed_with_other_text_are_left_alone():
    assert normalize("ITEM-0042") == "ITEM-0042"
    assert normalize("3-4") == "3-4"


def test_full_width_digits_from_a_chinese_input_method():
    assert normalize("３０２３４０００５１７８６１") == "30234000517861"


def test_codabar_letters_are_kept_when_the_rest_is_not_digits():
    assert normalize("a123b4") == "A123B4"
    assert normalize("ABC") == "ABC"
    assert normalize("A30234000517861") == "A30234000517861"  # no stop letter


def test_lower_case_is_upper_cased():
    assert normalize("item-0042") == "ITEM-0042"
    assert normalize("019431510x") == "019431510X"


def test_legacy_codes_are_looked_up_as_typed():
    scan = classify("item-0042")
    assert scan == Scan("item-0042", "ITEM-0042", Kind.LEGACY)
    # 13 digits with the item prefix: a dropped digit or an old numbering.
    assert classify("3023400051786").kind is Kind.LEGACY


def test_legacy_codes_refused_when_the_library_says_so():
    scan = classify("ITEM-0042", BarcodeRules(accept_legacy=False))
    assert scan.kind is Kind.INVALID
    assert scan.problem == "ITEM-0042 is not a barcode this library uses."


def test_prefix_and_length_come_from_the_rules():
    rules = BarcodeRules(patron_prefix="8", item_prefix="9", length=10)
    assert classify("8000000003", rules).kind is Kind.PATRON  # Luhn-valid
    assert classify("9000000001", rules).kind is Kind.ITEM
    assert classify("9000000004", rules).kind is Kind.INVALID
    assert classify("30234000517861", rules).kind is Kind.LEGACY


def test_isbn10_that_fails_the_library_check_is_still_an_isbn():
    # 10-digit item barcodes starting 3 collide with German ISBN-10s.
    rules = BarcodeRules(item_prefix="3", length=10)
    scan = classify("3866801920", rules)  # ISBN 3-86680-192-0, fails Luhn
    assert scan.kind is Kind.ISBN
    assert scan.code == "9783866801929"
    # Passing both checks, the library's own rule wins.
    assert classify("3596294193", rules).kind is Kind.ITEM


@pytest.mark.parametrize("bad", [{"check": "mod7"}, {"item_prefix": "A"}, {"length": 1}])
def test_nonsense_rules_are_refused(bad):
    with pytest.raises(ValueError):
        BarcodeRules(**bad)


# standards.md 2.1
ISBN_VECTORS = [
    ("0-306-40615-2", "9780306406157"),
    ("0-8044-2957-X", "9780804429573"),
    ("7-02-000220-X", "9787020002207"),
    ("99921-58-10-7", "9789992158104"),
    ("0-19-431510-X", "9780194315104"),
]


@pytest.mark.parametrize(("isbn10", "isbn13"), ISBN_VECTORS)
def test_isbn10_is_converted_to_isbn13(isbn10, isbn13):
    scan = classify(isbn10.replace("-", ""))
    assert (scan.kind, scan.code, scan.addon) == (Kind.ISBN, isbn13, None)


@pytest.mark.parametrize(("isbn10", "isbn13"), ISBN_VECTORS)
def test_isbn13_is_a_catalogue_lookup(isbn10, isbn13):
    scan = classify(isbn13)
    assert (scan.kind, scan.code) == (Kind.ISBN, isbn13)


def test_isbn_translate_scanner_with_lower_case_x():
    scan = classify("019431510x")
    assert (scan.kind, scan.code) == (Kind.ISBN, "9780194315104")


def test_979_isbn_without_an_isbn10():
    scan = classify("9791090636071")
    assert (scan.kind, scan.code) == (Kind.ISBN, "9791090636071")


def test_correctly_hyphenated_isbn_typed_by_hand():
    assert classify("978-0-306-40615-7").code == "9780306406157"
    assert classify("0-8044-2957-X").code == "9780804429573"
    # Hyphens in the wrong places are someone's legacy code, not an ISBN.
    assert classify("9780-306-40615-7").kind is Kind.LEGACY


@pytest.mark.parametrize("code", ["9780306406158", "9791090636072", "9770378595003"])
def test_wrong_ean_check_digit_is_refused(code):
    scan = classify(code)
    assert scan.kind is Kind.INVALID
    assert code in scan.problem
    assert "check digit" in scan.problem


def test_wrong_isbn10_check_digit_is_not_an_isbn():
    assert classify("0306406153").kind is Kind.LEGACY
    assert classify("0306406153", BarcodeRules(accept_legacy=False)).kind is Kind.INVALID


def test_book_with_a_price_add_on():
    scan = classify("978030640615751995")
    assert (scan.kind, scan.code, scan.addon) == (Kind.ISBN, "9780306406157", "51995")


def test_add_on_sent_after_a_space():
    scan = classify("9780306406157 51995")
    assert (scan.code, scan.addon) == ("9780306406157", "51995")


# standards.md 2.2: ISSN -> serial EAN-13 (variant 00)
SERIAL_VECTORS = [
    ("0378-5955", "9770378595002"),
    ("0317-8471", "9770317847001"),
    ("1050-124X", "9771050124008"),
    ("2049-3630", "9772049363002"),
    ("0028-0836", "9770028083002"),
]


@pytest.mark.parametrize(("issn_number", "ean13"), SERIAL_VECTORS)
def test_serial_ean_is_a_serial(issn_number, ean13):
    assert issn.is_valid(issn_number)
    assert issn.to_ean(issn_number) == ean13
    scan = classify(ean13)
    assert (scan.kind, scan.code, scan.addon) == (Kind.SERIAL, ean13, None)


def test_serial_with_variant_digits():
    assert classify("9770378595033").kind is Kind.SERIAL


def test_serial_with_two_digit_issue_add_on():
    scan = classify("977037859500203")
    assert (scan.kind, scan.code, scan.addon) == (Kind.SERIAL, "9770378595002", "03")


def test_serial_with_five_digit_add_on():
    scan = classify("977103501400424017")
    assert scan.kind is Kind.INVALID  # 9771035014004 is not a valid EAN
    scan = classify("977105012400824017")
    assert (scan.kind, scan.code, scan.addon) == (Kind.SERIAL, "9771050124008", "24017")


def test_add_on_after_a_bad_ean_is_refused():
    assert classify("977037859500303").kind is Kind.INVALID


@pytest.mark.parametrize("raw", ["", "   ", "\r\n", "\t", "\u3000"])
def test_empty_scan(raw):
    scan = classify(raw)
    assert (scan.kind, scan.code, scan.problem) == (Kind.EMPTY, "", None)


@pytest.mark.parametrize(
    "raw",
    ["3023\x0040005\x1b17861", "\x07", "bücher", "30234000517861\x7f", "书名", "ﬁ"],
)
def test_characters_a_scanner_does_not_send(raw):
    scan = classify(raw)
    assert scan.kind is Kind.INVALID
    assert scan.problem == "That is not a barcode: it contains characters a scanner does not send."


def test_garbage_pasted_into_the_field_is_too_long():
    scan = classify("Dear reader, your book is overdue " * 3)
    assert scan.kind is Kind.INVALID
    assert "at most 40" in scan.problem
    assert classify("1" * 40).kind is Kind.LEGACY
    assert classify("1" * 41).kind is Kind.INVALID


def test_scan_keeps_what_was_typed():
    assert classify(" a30234000517861b ").raw == " a30234000517861b "


def test_kind_compares_as_text():
    assert Kind.ITEM == "item"


@pytest.mark.parametrize(("prefix", "sequence", "expected"), [
    ("31234", 1, "31234000000016"),
    ("21234", 1, "21234000000018"),
    ("30234", 51786, "30234000517861"),
    ("33191", 10586, "33191000105864"),
])
def test_new_library_barcodes_match_the_vectors(prefix, sequence, expected):
    code = library_barcode(prefix, sequence)
    assert code == expected
    assert classify(code).kind in (Kind.ITEM, Kind.PATRON)


def test_new_barcode_without_check_digit():
    assert library_barcode("3", 42, BarcodeRules(check="none", length=8)) == "30000042"


@pytest.mark.parametrize(("prefix", "sequence"), [
    ("31234", 100_000_000), ("3123412345678", 1), ("3" * 14, 0), ("3A", 1), ("3", -1),
])
def test_new_barcode_that_does_not_fit(prefix, sequence):
    with pytest.raises(ValueError):
        library_barcode(prefix, sequence)


def test_largest_sequence_that_fits():
    assert library_barcode("31234", 99_999_999).startswith("3123499999999")
