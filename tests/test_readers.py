"""Registering, editing, finding and blocking readers through the services."""
from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest

from counter_tui.domain.barcodes import library_barcode
from counter_tui.domain.calendar import local_date
from counter_tui.domain.reader_fields import ReaderFields, parse_day
from counter_tui.models import AuditEvent, CardEvent, Fee, Loan, NumberSeries, Patron
from counter_tui.services.readers import cards, patrons, registration
from counter_tui.services.circulation import lending
from counter_tui.services.admin import staff
from counter_tui.services.errors import PermissionDenied, Refusal
from tests.conftest import NOW, ZONE

TODAY = local_date(NOW, ZONE)  # 2026-11-25


def snapshot():
    """Everything a refused reader or card operation must leave alone."""
    return (
        sorted(Patron.select().tuples()),
        sorted(CardEvent.select().tuples()),
        sorted(Fee.select().tuples()),
        sorted(NumberSeries.select().tuples()),
        sorted(Loan.select(Loan.id, Loan.returned_at, Loan.due_at, Loan.renewals).tuples()),
        AuditEvent.select().count(),
    )


@pytest.fixture
def office(lib):
    return staff.add_staff(None, "office1", "Office Clerk", "a good password", ["office"], NOW)


@pytest.fixture
def curator(lib):
    return staff.add_staff(None, "head", "Head Librarian", "a good password", ["curator"], NOW)


def student(name="Zhang San", **more) -> ReaderFields:
    return ReaderFields(name=name, category="student", **more)


# -- registering ---------------------------------------------------------------------------

def test_register_gives_the_next_card_of_the_series_after_the_ones_printed(lib, office):
    lib.patron(), lib.patron(name="Han Meimei")  # cards 1 and 2 of the series already out
    first = registration.register(office, student(department="Class 3", id_number="S2026001"), now=NOW)
    second = registration.register(office, student("Li Si"), now=NOW)
    assert first.card == library_barcode("21234", 3) and second.card == library_barcode("21234", 4)
    assert first.expires_on == date(2027, 11, 25)  # a student's card lasts one year
    assert NumberSeries.get(NumberSeries.name == cards.SERIES).last == 4
    issued = CardEvent.get(CardEvent.card == first.card)
    assert issued.kind == "issued" and issued.expires_on == first.expires_on and issued.staff_id == office.id
    event = AuditEvent.get(AuditEvent.action == "reader.register", AuditEvent.record_id == first.id)
    assert '"S2026001"' in event.new and first.card in event.new and event.staff_id == office.id


def test_series_goes_on_from_its_last_number_and_skips_cards_already_out(lib, office):
    NumberSeries.create(name=cards.SERIES, last=10)  # as the demo library leaves it
    lib.patron(card=library_barcode("21234", 11))  # a pre-printed card of the series, handed out
    assert registration.register(office, student(), now=NOW).card == library_barcode("21234", 12)


def test_teacher_card_lasts_three_years(lib, office):
    reader = registration.register(office, ReaderFields(name="Wang Laoshi", category="teacher"), now=NOW)
    assert reader.expires_on == date(2029, 11, 25) and reader.category_name == "Teacher"


def test_register_with_a_pre_printed_card_scanned_in(lib, office):
    code = library_barcode("21234", 777)
    reader = registration.register(office, student(), card=f"A{code}B", now=NOW)  # Codabar start/stop letters
    assert reader.card == code
    assert NumberSeries.select().count() == 0  # no number of the series was taken


@pytest.mark.parametrize("case", ["belongs", "old_card", "item", "isbn", "check_digit", "garbage"])
def test_a_pre_printed_card_must_be_a_free_readers_card(lib, office, case):
    holder = lib.patron(name="Han Meimei")
    card, expected = {
        "belongs": (holder.card, "already belongs to Han Meimei"),
        "old_card": (library_barcode("21234", 500), "was Han Meimei's card before"),
        "item": (library_barcode("31234", 5), "is not a reader's card"),
        "isbn": ("9780306406157", "is not a reader's card"),
        "check_digit": (library_barcode("21234", 9)[:-1] + "0", "check digit"),
        "garbage": ("\x00\x1b[2J" * 20, "not a barcode"),
    }[case]
    CardEvent.create(patron=holder, kind="replaced", card=library_barcode("21234", 500), at=NOW)
    before = snapshot()
    with pytest.raises(Refusal, match=expected):
        registration.register(office, student(), card=card, now=NOW)
    assert snapshot() == before


BAD_FIELDS = [
    ("name", "", "needs a name"),
    ("name", "   \t ", "needs a name"),
    ("name", "12345", "no letters"),
    ("name", "Li\x1b[31mLei", "cannot be printed"),
    ("name", "Li " * 60, "at most 100"),
    ("category", "", "Choose the reader's category"),
    ("category", "wizard", "no reader category 'wizard'"),
    ("department", "x" * 101, "at most 100"),
    ("department", "Class\x003", "cannot be printed"),
    ("id_number", "12 34!", "not an identity number"),
    ("id_number", "9" * 41, "not an identity number"),
    ("id_number", "ID-TAKEN", "already Han Meimei's"),
    ("phone", "call me", "not a phone number"),
    ("phone", "12", "not a phone number"),
    ("email", "nobody", "not an e-mail address"),
    ("email", "a@b", "not an e-mail address"),
    ("email", "two@at@signs.org", "not an e-mail address"),
    ("notes", "bad\x07bell", "cannot be printed"),
    ("notes", "n" * 2001, "at most 2000"),
]


@pytest.mark.parametrize("field,value,expected", BAD_FIELDS)
def test_bad_input_in_every_field_is_refused_and_changes_nothing(lib, office, field, value, expected):
    other = lib.patron(name="Han Meimei", id_number="ID-TAKEN")
    reader = lib.patron(name="Li Lei")
    fields = ReaderFields(**{"name": "Zhang San", "category": "student", field: value})
    before = snapshot()
    with pytest.raises(Refusal, match=expected):
        registration.register(office, fields, now=NOW)
    with pytest.raises(Refusal, match=expected):
        registration.edit(office, reader.id, fields, now=NOW)
    assert snapshot() == before
    assert other.id  # the other reader is untouched, by the snapshot


def test_fields_are_tidied_before_they_are_stored(lib, office):
    reader = registration.register(office, ReaderFields(
        name="  Wang   Fang ", category="student", department=" Class  3 ", id_number=" １１０１０１ 19900307451x ",
        phone=" +86 138-0000-0000 ", email=" wang.fang@example.edu.cn ", notes="  prefers e-mail\nthanks  "),
        now=NOW)
    assert (reader.name, reader.department, reader.id_number) == ("Wang Fang", "Class 3", "11010119900307451X")
    assert (reader.phone, reader.email, reader.notes) == ("+86 138-0000-0000", "wang.fang@example.edu.cn",
                                                           "prefers e-mail\nthanks")


def test_identity_number_is_unique_whatever_its_spelling(lib, office):
    registration.register(office, student(id_number="s2026001"), now=NOW)
    before = snapshot()
    with pytest.raises(Refusal, match="already Zhang San's"):
        registration.register(office, student("Li Si", id_number="Ｓ2026001"), now=NOW)
    assert snapshot() == before


def test_edit_keeps_old_and_new_values_of_what_changed(lib, office):
    reader = lib.patron(name="Li Lei", phone="123456")
    changed = registration.edit(office, reader.id, ReaderFields(
        name="Li Lei", category="teacher", phone="654321", email="li@example.org"), now=NOW)
    assert (changed.category, changed.phone, changed.email) == ("teacher", "654321", "li@example.org")
    assert changed.card == reader.card and changed.expires_on == reader.expires_on
    event = AuditEvent.get(AuditEvent.action == "reader.edit")
    assert event.old == '{"category": "student", "email": "", "phone": "123456"}'
    assert event.new == '{"category": "teacher", "email": "li@example.org", "phone": "654321"}'
    before = snapshot()
    registration.edit(office, reader.id, changed.fields(), now=NOW)  # nothing changed: nothing written
    assert snapshot() == before


def test_editing_a_reader_that_is_gone_says_so(lib, office):
    with pytest.raises(Refusal, match="no longer exists"):
        registration.edit(office, 9999, student(), now=NOW)


# -- who may -------------------------------------------------------------------------------

def test_circulation_staff_may_look_readers_up_but_not_change_them(lib):
    reader = lib.patron()
    clerk = lib.clerk  # circulation only
    before = snapshot()
    for attempt in (lambda: registration.register(clerk, student(), now=NOW),
                    lambda: registration.edit(clerk, reader.id, student(), now=NOW),
                    lambda: registration.block(clerk, reader.id, "noisy", now=NOW),
                    lambda: registration.unblock(clerk, reader.id, now=NOW)):
        with pytest.raises(PermissionDenied, match="Only office staff or the curator may"):
            attempt()
    assert snapshot() == before
    assert registration.reader_record(clerk, reader.id, NOW).details.name == "Li Lei"
    assert registration.search_page(clerk, "Li").rows[0].id == reader.id


def test_the_curator_may_register(lib, curator):
    assert registration.register(curator, student(), now=NOW).name == "Zhang San"


def test_other_posts_may_not_look_readers_up(lib):
    reader = lib.patron()
    cataloguer = staff.add_staff(None, "cat1", "Cataloguer", "a good password", ["cataloging"], NOW)
    with pytest.raises(PermissionDenied, match="may look readers up"):
        registration.reader_record(cataloguer, reader.id, NOW)
    with pytest.raises(PermissionDenied, match="may look readers up"):
        registration.search_page(cataloguer, "Li")
    with pytest.raises(PermissionDenied):
        registration.search_page(None, "Li")


# -- the record, and who sees past loans ------------------------------------------------------

def test_the_record_has_details_blocks_cards_loans_and_fees(lib, office):
    reader = lib.patron(name="Li Lei", department="Class 3", notes="prefers large print")
    book, old = lib.item(title="Out now"), lib.item(title="Read before")
    lib.loan(book, reader, TODAY - timedelta(30), TODAY - timedelta(2))
    lib.loan(old, reader, TODAY - timedelta(60), TODAY - timedelta(40))
    lending.checkin(lib.clerk, old.barcode, NOW)
    registration.block(office, reader.id, "lost two books", TODAY + timedelta(10), NOW)
    record = registration.reader_record(office, reader.id, NOW)
    assert record.details.notes == "prefers large print" and record.details.block_reason == "lost two books"
    assert record.summary.blocks[0] == "Blocked until 2026-12-05: lost two books."
    assert [line.title for line in record.loans] == ["Out now"] and record.loans[0].overdue_days == 2
    assert [line.title for line in record.history] == ["Read before"]
    assert record.balance == record.summary.balance > 0 and record.fees[0].kind == "overdue"


def test_past_loans_are_shown_only_to_circulation_and_office(lib, office, curator):
    reader, book = lib.patron(), lib.item()
    lib.loan(book, reader, TODAY - timedelta(10), TODAY + timedelta(10))
    lending.checkin(lib.clerk, book.barcode, NOW)
    assert len(registration.reader_record(lib.clerk, reader.id, NOW).history) == 1
    assert len(registration.reader_record(office, reader.id, NOW).history) == 1
    hidden = registration.reader_record(curator, reader.id, NOW)
    assert hidden.history is None and hidden.details.name == "Li Lei"


# -- searching -----------------------------------------------------------------------------

def test_search_by_name_prefix_any_case_card_old_card_and_identity_number(lib, office):
    fang = lib.patron(name="Wang Fang", id_number="110101199003074518")
    wei = lib.patron(name="Wang Wei")
    lib.patron(name="Li Lei")
    for text in ("Wang", "wang", "WANG", "wang "):
        page = registration.search_page(office, text)
        assert [r.name for r in page.rows] == ["Wang Fang", "Wang Wei"] and page.how == "prefix"
        assert page.total == 2 and page.next is None
    assert [r.id for r in registration.search_page(office, "wang w").rows] == [wei.id]
    by_card = registration.search_page(office, fang.card)
    assert [(r.id, r.matched) for r in by_card.rows] == [(fang.id, "card")]
    assert registration.search_page(office, "110101199003074518").rows[0].matched == "identity number"
    replaced = cards.replace(office, wei.id, now=NOW)
    old = registration.search_page(office, replaced.old_card).rows
    assert [(r.id, r.matched, r.card) for r in old] == [(wei.id, "old card", replaced.card)]


def test_search_falls_back_to_names_containing_the_text(lib, office):
    lib.patron(name="王芳")
    lib.patron(name="李芳芳")
    lib.patron(name="Fang%Odd")
    page = registration.search_page(office, "芳")
    assert [r.name for r in page.rows] == ["李芳芳", "王芳"] and page.how == "contains"
    assert [r.name for r in registration.search_page(office, "g%O").rows] == ["Fang%Odd"]
    assert registration.search_page(office, "n%d").rows == ()  # % is a character here, not a wildcard
    assert registration.search_page(office, "nobody at all").rows == () and registration.search_page(
        office, "nobody at all").how == "none"
    assert registration.search_page(office, "12345").how == "none"  # a number is no name: no search of names


def test_search_survives_garbage(lib, office):
    lib.patron(name="Li Lei")
    for text in ("\x00\x1b[31m", "'; DROP TABLE patron; --", "\udfff" * 3, "\ud7ff", "x" * 5000, ""):
        registration.search_page(office, text)  # no error
    assert Patron.select().count() == 1


def test_pages_cover_every_match_once_in_name_order(lib, office):
    names = [f"Wang {chr(65 + i % 7)}{i // 7}" for i in range(45)] + ["Wang B0"] * 4  # ties across pages
    made = [lib.patron(name=n) for n in names]
    lib.patron(name="Wanh Not"), lib.patron(name="Wan Not")
    expected = sorted((p.name, p.id) for p in made)
    seen, after, pages = [], None, 0
    while True:
        page = registration.search_page(office, "wang", after=after, page_size=10)
        if after is None:
            assert page.total == 49 and not page.total_capped
        seen += [(r.name, r.id) for r in page.rows]
        pages += 1
        if page.next is None:
            break
        after = page.next
    assert seen == expected and pages == 5


def test_browsing_every_reader_counts_up_to_the_cap(lib, office, monkeypatch):
    from counter_tui.services.readers import reader_search
    monkeypatch.setattr(reader_search, "COUNT_CAP", 5)
    for i in range(8):
        lib.patron(name=f"Reader {i}")
    page = registration.search_page(office, "", page_size=3)
    assert page.how == "all" and page.total == 5 and page.total_capped
    second = registration.search_page(office, "", after=page.next, page_size=3)
    assert [r.name for r in second.rows] == ["Reader 3", "Reader 4", "Reader 5"]


def test_desk_name_search_still_finds_readers(lib):
    lib.patron(name="Wang Fang")
    assert [m.name for m in patrons.search("wang")] == ["Wang Fang"]
    assert patrons.search("   ") == []


# -- blocks --------------------------------------------------------------------------------

def test_a_block_with_an_end_date_stops_lending_and_renewing_until_that_day_is_over(lib, office):
    reader, book, other = lib.patron(), lib.item(), lib.item()
    lib.rule(renew_overdue_days=0)
    lib.loan(other, reader, TODAY - timedelta(5), TODAY + timedelta(20))
    registration.block(office, reader.id, "damaged a book", TODAY + timedelta(2), NOW)
    last_day = NOW + timedelta(days=2)
    for when in (NOW, last_day):
        before = snapshot()
        with pytest.raises(Refusal, match="may not borrow: Blocked until 2026-11-27: damaged a book"):
            lending.checkout(lib.clerk, reader.id, book.barcode, when)
        with pytest.raises(Refusal, match="Cannot renew for Li Lei: Blocked until"):
            lending.renew(lib.clerk, other.barcode, when)
        assert snapshot() == before
    day_after = NOW + timedelta(days=3)
    assert patrons.summary(reader.id, day_after).blocks == ()
    lending.checkout(lib.clerk, reader.id, book.barcode, day_after)
    assert lending.renew(lib.clerk, other.barcode, day_after).renewals == 1


def test_a_block_without_an_end_lasts_until_lifted(lib, office):
    reader, book = lib.patron(), lib.item()
    registration.block(office, reader.id, "unpaid fine", None, NOW)
    with pytest.raises(Refusal, match="may not borrow: Blocked: unpaid fine"):
        lending.checkout(lib.clerk, reader.id, book.barcode, NOW + timedelta(days=400))
    lifted = registration.unblock(office, reader.id, NOW)
    assert lifted.status == "active" and lifted.block_reason == "" and lifted.block_until is None
    lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions[-3:] == ["reader.block", "reader.unblock", "checkout"]


def test_an_expired_card_stops_lending_and_renewing(lib):
    reader, book, other = lib.patron(expires_on=TODAY - timedelta(days=1)), lib.item(), lib.item()
    lib.loan(other, reader, TODAY - timedelta(5), TODAY + timedelta(20))
    before = snapshot()
    with pytest.raises(Refusal, match="card expired on 2026-11-24"):
        lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    with pytest.raises(Refusal, match="Cannot renew for Li Lei: The card expired"):
        lending.renew(lib.clerk, other.barcode, NOW)
    assert snapshot() == before


@pytest.mark.parametrize("reason,until,status,expected", [
    ("", None, "active", "Say why"),
    ("   ", None, "active", "Say why"),
    ("bad\x1bthing", None, "active", "ordinary characters"),
    ("x" * 201, None, "active", "at most 200"),
    ("late", date(2026, 11, 24), "active", "2026-11-24 has already passed"),
    ("late", None, "cancelled", "is cancelled"),
    ("late", None, "card lost", "is reported lost"),
])
def test_block_refusals_change_nothing(lib, office, reason, until, status, expected):
    reader = lib.patron(status=status)
    before = snapshot()
    with pytest.raises(Refusal, match=expected):
        registration.block(office, reader.id, reason, until, NOW)
    assert snapshot() == before


def test_lifting_a_block_that_is_not_there_is_refused(lib, office):
    reader = lib.patron()
    before = snapshot()
    with pytest.raises(Refusal, match="not blocked by hand"):
        registration.unblock(office, reader.id, NOW)
    assert snapshot() == before


def test_typed_block_end_dates(lib):
    assert parse_day("2026-12-31") == parse_day("2026/12/31") == parse_day("20261231") == date(2026, 12, 31)
    assert parse_day(" ２０２６-１２-３１ ") == date(2026, 12, 31)
    assert parse_day("  ") is None
    for text, expected in [("tomorrow", "year-month-day"), ("2026-02-30", "not a day on the calendar"),
                           ("31/12/2026", "year-month-day")]:
        with pytest.raises(ValueError, match=expected):
            parse_day(text)


def test_reader_services_do_not_import_textual():
    code = ("import sys, counter_tui.services.readers.registration, counter_tui.services.readers.cards; "
            "sys.exit(1 if any(m == 'textual' or m.startswith('textual.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
