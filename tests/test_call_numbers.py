"""Call numbers: CLC and Dewey shelf order (standards.md 5.4), book numbers, composition."""
from __future__ import annotations

import random
import threading

import pytest

from counter_tui import db
from counter_tui.domain.callnumbers import (clc_sort_key, compose, cutter, dewey_sort_key, shelf_order,
                                            sort_key, spine_lines)
from counter_tui.models import AuditEvent, Biblio, Item
from counter_tui.services.catalogue import call_numbers
from counter_tui.services import library_settings
from counter_tui.services.errors import Refusal
from tests.conftest import NOW

CLC_SHELF = (
    "A81/1 < H31/45 < I247.5/28 < I247.5/28/2 < I247.5/123 < I247.57/3 < I247.7/1 < I25/9 "
    "< O1/7 < O13/2 < O4/1 < T/1 < TB/4 < TP3/1 < TP31/1 < TP311/1 < TP311.1/1 < TP311.13/5 "
    "< TP311.138/2 < TP312/1 < TP39/1 < TQ/1 < Z228/3"
).split(" < ")

# Dewey: class numbers as decimal fractions (813 < 813.54 < 813.6), Cutter marks too
# (C372 < C38), a work mark after the bare mark, volumes as numbers (v.2 < v.10, where
# Koha's key gets it wrong), prime marks ignored, prefixed call numbers after the rest
# (Koha's `YR DVD 800.1` < `YR DVD 900`), and Koha's `971/P23w/v.1-2/pt.8` < `971.01 P23w ...`.
DEWEY_SHELF = (
    "005.13/3 A1 < 005.133 C372 < 005.133 C38 < 005.133 C38 v.2 < 005.133 C38 v.10 < 005.74 A1 "
    "< 100 Z9 < 813 A1 < 813.54 C372 < 813.54 C372 v.2 < 813.54 C372 v.10 < 813.54 C372a "
    "< 813.6 B1 < 971/P23w/v.1-2/pt.8 < 971.01 P23w v.1-2 pt.7 < REF 005.133 A1 < YR DVD 800.1 < YR DVD 900"
).split(" < ")


@pytest.mark.parametrize("scheme,shelf", [("clc", CLC_SHELF), ("dewey", DEWEY_SHELF)])
def test_standard_vectors_from_any_order(scheme, shelf):
    for seed in range(5):
        shuffled = shelf[:]
        random.Random(seed).shuffle(shuffled)
        assert shelf_order(shuffled, scheme) == shelf
    keys = [sort_key(number, scheme) for number in shelf]
    assert keys == sorted(keys)  # the stored key alone orders them, as the database does
    assert all(key.isalnum() and key.isascii() and key == key.upper() for key in keys)


def test_the_named_pairs_of_the_standard():
    assert clc_sort_key("TP311/1") < clc_sort_key("TP311.1/1")
    assert clc_sort_key("I247.5/28") < clc_sort_key("I247.5/123")
    assert clc_sort_key("TP311/1/v.2") < clc_sort_key("TP311/1/v.10")
    assert dewey_sort_key("813.54 C372 v.2") < dewey_sort_key("813.54 C372 v.10")
    assert dewey_sort_key("813.54 C372") < dewey_sort_key("813.54 C38")
    assert dewey_sort_key("005.13/3 A1") == dewey_sort_key("005.133 A1")


def test_compose_and_spine_lines():
    assert compose("I247.5", "123") == "I247.5/123"
    assert compose("I247.5", "123", "2") == "I247.5/123:2"
    assert compose("I247.5", "123", "v.2") == "I247.5/123/v.2"
    assert compose("813.54", "C372", "v.2", "dewey") == "813.54 C372 v.2"
    assert spine_lines("I247.5/123:2") == ["I247.5", "123", ":2"]
    assert spine_lines("TP311.1/12/v.3") == ["TP311.1", "12", "v.3"]
    assert spine_lines("REF 813.54 C372 v.2", "dewey") == ["REF", "813.54", "C372", "v.2"]
    assert clc_sort_key("I247.5/28:2") < clc_sort_key("I247.5/28:10") < clc_sort_key("I247.5/123")


def test_cutter_marks_follow_the_lc_table():
    assert cutter("Chekhov") == "C445"
    assert cutter("Adams") == "A336"
    assert cutter("Schmidt") == "S365"
    assert cutter("Quinn") == "Q566"
    assert cutter("曹雪芹") == ""


def _title(title="Ordinary World", classification="I247.5", author="Lu Yao", **fields):
    return Biblio.create(title=title, classification=classification, author=author, created_at=NOW, **fields)


def test_running_numbers_follow_the_highest_in_the_class(lib, cataloguer):
    lib.item(call_number="I247.5/41", call_sort=clc_sort_key("I247.5/41"))
    lib.item(call_number="I247.5/7:2", call_sort=clc_sort_key("I247.5/7:2"))
    lib.item(call_number="I247.57/900", call_sort=clc_sort_key("I247.57/900"))  # another class
    lib.item(call_number="I247.5/LY", call_sort=clc_sort_key("I247.5/LY"))  # an author mark files last
    lib.item(call_number="I247.5/9", call_sort=clc_sort_key("I247.5/9"))
    _title(title="Old", book_number="39")
    first = _title()
    second = _title(title="Life")
    assert db.write(lambda: call_numbers.call_number_for(first))[0] == "I247.5/42"
    assert db.write(lambda: call_numbers.call_number_for(second, "2")) == (
        "I247.5/43:2", clc_sort_key("I247.5/43:2"))
    # the title keeps its number: a second copy or a volume shares it
    assert db.write(lambda: call_numbers.call_number_for(first, "v.3"))[0] == "I247.5/42/v.3"
    assert Biblio.get_by_id(first.id).book_number == "42"
    other = _title(classification="I247.57")
    assert db.write(lambda: call_numbers.call_number_for(other))[0] == "I247.57/901"


def test_running_numbers_skip_a_number_typed_by_hand(lib, cataloguer):
    first = _title()
    assert db.write(lambda: call_numbers.call_number_for(first))[0] == "I247.5/1"
    lib.item(call_number="I247.5/2", call_sort=clc_sort_key("I247.5/2"))  # catalogued by hand meanwhile
    _title(title="Typed", book_number="3")
    second = _title(title="Next")
    assert db.write(lambda: call_numbers.call_number_for(second))[0] == "I247.5/4"


def test_two_writers_never_share_a_book_number(lib, cataloguer):
    biblios = [_title(title=f"Book {n}", classification="TP311.1").id for n in range(40)]
    halves = [biblios[0::2], biblios[1::2]]
    got: list[str] = []
    errors: list[Exception] = []
    start = threading.Barrier(2)

    def desk(ids):
        try:
            start.wait()
            for biblio_id in ids:
                number = db.write(lambda: call_numbers.book_number_for(Biblio.get_by_id(biblio_id))[0])
                got.append(number)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            db.database.close()

    threads = [threading.Thread(target=desk, args=(half,)) for half in halves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(got, key=int) == [str(n) for n in range(1, 41)]
    stored = [b.book_number for b in Biblio.select().where(Biblio.classification == "TP311.1")]
    assert len(set(stored)) == 40


def test_dewey_gives_cutter_marks_with_work_marks(lib, cataloguer, settings):
    settings.call_numbers = "dewey"
    library_settings.configure(settings)
    one = _title(title="The Three Sisters", classification="891.72", author="Chekhov, Anton")
    two = _title(title="Three Years", classification="891.72", author="Anton Chekhov")
    chinese = _title(title="红楼梦", classification="895.13", author="曹雪芹")
    assert db.write(lambda: call_numbers.call_number_for(one, "v.2")) == (
        "891.72 C445t v.2", dewey_sort_key("891.72 C445t v.2"))
    assert db.write(lambda: call_numbers.call_number_for(two))[0] == "891.72 C445t2"
    lib.item(call_number="895.13 12 v.3", call_sort=dewey_sort_key("895.13 12 v.3"))
    lib.item(call_number="895.13 9", call_sort=dewey_sort_key("895.13 9"))
    lib.item(call_number="895.13 C2", call_sort=dewey_sort_key("895.13 C2"))
    # no Latin name: a running number, after the highest of the class
    assert db.write(lambda: call_numbers.call_number_for(chinese))[0] == "895.13 13"
    # a copy catalogued by hand with the next mark is seen too
    lib.item(call_number="891.72 C445t3 v.1", call_sort=dewey_sort_key("891.72 C445t3 v.1"))
    three = _title(title="The Tale", classification="891.72", author="Chekhov, A.")
    assert db.write(lambda: call_numbers.call_number_for(three))[0] == "891.72 C445t4"


def test_key_ranges_hold_exactly_the_keys_with_the_prefix():
    from counter_tui.services.catalogue.call_numbers import _key_range
    assert _key_range("3I2224272501212") == ("3I2224272501212", "3I2224272501213")
    assert _key_range("AB9") == ("AB9", "ABA")
    assert _key_range("AZZ") == ("AZZ", "B")
    low, high = _key_range(clc_sort_key("I247.5/12"))
    inside = [clc_sort_key(n) for n in ("I247.5/12", "I247.5/12:2", "I247.5/12/v.10")]
    outside = [clc_sort_key(n) for n in ("I247.5/123", "I247.5/13", "I247.5/1", "I247.51/12")]
    assert all(low <= k < high for k in inside) and not any(low <= k < high for k in outside)


def test_assign_call_number_is_audited_and_refusals_change_nothing(lib, cataloguer, clerk):
    item = lib.item(call_number="")
    Biblio.update(classification="I247.5").where(Biblio.id == item.biblio_id).execute()
    with pytest.raises(Refusal):
        call_numbers.assign_call_number(clerk, item.id, "2", now=NOW)  # circulation may not
    assert Item.get_by_id(item.id).call_number == ""
    result = call_numbers.assign_call_number(cataloguer, item.id, "2", now=NOW)
    assert result.text == "I247.5/1:2" and result.assigned
    stored = Item.get_by_id(item.id)
    assert (stored.call_number, stored.call_sort, stored.volume) == ("I247.5/1:2", clc_sort_key("I247.5/1:2"), "2")
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.staff == cataloguer.id,
                                                            AuditEvent.action != "staff.add")]
    assert actions == ["item.call_number", "biblio.book_number"]

    unclassified = lib.item(title="No class", call_number="")
    with pytest.raises(Refusal, match="no class number"):
        call_numbers.assign_call_number(cataloguer, unclassified.id, now=NOW)
    assert Biblio.get_by_id(unclassified.biblio_id).book_number == ""
    assert Item.get_by_id(unclassified.id).call_number == ""
