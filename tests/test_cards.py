"""Library cards: renew, report lost, replace, cancel, the history, and old cards at the desk."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from counter_tui.domain.barcodes import library_barcode
from counter_tui.models import AuditEvent, CardEvent, Fee, Loan, Patron, PatronCategory
from counter_tui.services.readers import cards, patrons, registration
from counter_tui.services.circulation import lending
from counter_tui.services.errors import NotFound, PermissionDenied, Refusal
from tests.conftest import NOW
from tests.test_readers import TODAY, curator, office, snapshot  # noqa: F401 (fixtures)


def kinds(patron_id: int) -> list[tuple[str, str]]:
    return [(e.kind, e.card) for e in CardEvent.select().where(CardEvent.patron == patron_id)
            .order_by(CardEvent.at, CardEvent.id)]


# -- renewing ------------------------------------------------------------------------------

def test_renew_counts_from_today_by_default(lib, office):
    reader = lib.patron(expires_on=TODAY + timedelta(days=30))
    result = cards.renew(office, reader.id, NOW)
    assert result.expires_on == date(2027, 11, 25) == Patron.get_by_id(reader.id).expires_on
    assert kinds(reader.id) == [("renewed", reader.card)]
    event = AuditEvent.get(AuditEvent.action == "card.renew")
    assert event.old == '{"expires_on": "2026-12-25"}' and "2027-11-25" in event.new


def test_renew_from_the_old_expiry_when_the_category_says_so(lib, office):
    PatronCategory.update(renew_from_expiry=True).where(PatronCategory.code == "teacher").execute()
    early = lib.patron(category="teacher", expires_on=date(2027, 2, 28))
    late = lib.patron(category="teacher", expires_on=date(2025, 6, 30), name="Han Meimei")
    assert cards.renew(office, early.id, NOW).expires_on == date(2030, 2, 28)
    # a card that has already run out counts from today: a renewal never leaves it expired
    assert cards.renew(office, late.id, NOW).expires_on == date(2029, 11, 25)


def test_a_leap_day_expiry_renews_to_the_28th(lib, office):
    PatronCategory.update(renew_from_expiry=True).where(PatronCategory.code == "student").execute()
    reader = lib.patron(expires_on=date(2028, 2, 29))
    assert cards.renew(office, reader.id, NOW).expires_on == date(2029, 2, 28)


@pytest.mark.parametrize("status,expected", [("cancelled", "has been cancelled; it cannot be renewed"),
                                             ("card lost", "was reported lost: replace it instead")])
def test_renew_refusals_change_nothing(lib, office, status, expected):
    reader = lib.patron(status=status)
    before = snapshot()
    with pytest.raises(Refusal, match=expected):
        cards.renew(office, reader.id, NOW)
    assert snapshot() == before


def test_renewing_twice_the_same_day_gains_nothing(lib, office):
    reader = lib.patron()
    cards.renew(office, reader.id, NOW)
    before = snapshot()
    with pytest.raises(Refusal, match="already runs until 2027-11-25"):
        cards.renew(office, reader.id, NOW)
    assert snapshot() == before


def test_an_expired_card_renewed_may_borrow_again(lib, office):
    reader, book = lib.patron(expires_on=TODAY - timedelta(days=3)), lib.item()
    with pytest.raises(Refusal, match="card expired"):
        lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    cards.renew(office, reader.id, NOW)
    assert lending.checkout(lib.clerk, reader.id, book.barcode, NOW).patron.blocks == ()


# -- lost and replaced cards ----------------------------------------------------------------

def test_replace_a_lost_card_charges_the_fee_and_keeps_the_old_number(lib, office):
    reader = lib.patron()  # card 1 of the series
    old = reader.card
    result = cards.replace(office, reader.id, now=NOW)
    assert result.old_card == old and result.card == library_barcode("21234", 2)
    assert result.fee == 500 and result.status == "active"
    stored = Patron.get_by_id(reader.id)
    assert stored.card == result.card and stored.expires_on == reader.expires_on
    assert kinds(reader.id) == [("reported lost", old), ("replaced", old), ("issued", result.card)]
    fee = Fee.get(Fee.patron == reader.id)
    assert (fee.kind, fee.amount) == ("card", 500) and result.card in fee.note
    assert patrons.balance(reader.id) == 500
    # the old card, scanned again anywhere a card is looked up
    with pytest.raises(Refusal) as refused:
        patrons.find_by_card(old)
    assert str(refused.value) == f"This card was reported lost on 2026-11-25; the reader now has card {result.card}."
    assert not isinstance(refused.value, NotFound)
    assert patrons.find_by_card(result.card).id == reader.id


def test_the_old_card_names_the_newest_card_after_two_replacements(lib, office):
    reader = lib.patron()
    first = cards.replace(office, reader.id, now=NOW)
    second = cards.replace(office, reader.id, lost=False, now=NOW + timedelta(days=40))
    with pytest.raises(Refusal, match=f"reported lost on 2026-11-25; the reader now has card {second.card}"):
        patrons.find_by_card(first.old_card)
    with pytest.raises(Refusal, match=f"was replaced on 2027-01-04; the reader now has card {second.card}"):
        patrons.find_by_card(first.card)


def test_replace_with_a_pre_printed_card_and_no_fee_for_the_category(lib, office):
    PatronCategory.update(card_fee=0).where(PatronCategory.code == "student").execute()
    reader = lib.patron()
    code = library_barcode("21234", 900)
    result = cards.replace(office, reader.id, card=code, lost=False, now=NOW)
    assert result.card == code and result.fee == 0 and Fee.select().count() == 0
    assert kinds(reader.id) == [("replaced", reader.card), ("issued", code)]


@pytest.mark.parametrize("case", ["in_use", "not_a_card", "cancelled", "gone"])
def test_replace_refusals_change_nothing(lib, office, case):
    reader, other = lib.patron(), lib.patron(name="Han Meimei")
    card, patron_id, expected = "", reader.id, ""
    if case == "in_use":
        card, expected = other.card, "already belongs to Han Meimei"
    elif case == "not_a_card":
        card, expected = "9780306406157", "not a reader's card"
    elif case == "cancelled":
        Patron.update(status="cancelled").where(Patron.id == reader.id).execute()
        expected = "cancelled; it cannot be replaced"
    else:
        patron_id, expected = 9999, "no longer exists"
    before = snapshot()
    with pytest.raises(Refusal, match=expected):
        cards.replace(office, patron_id, card=card, now=NOW)
    assert snapshot() == before


def test_report_lost_stops_lending_until_a_new_card_is_made(lib, office):
    reader, book = lib.patron(), lib.item()
    cards.report_lost(office, reader.id, NOW)
    assert Patron.get_by_id(reader.id).status == "card lost"
    with pytest.raises(Refusal, match="may not borrow: This card was reported lost"):
        lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    before = snapshot()
    with pytest.raises(Refusal, match="already reported lost"):
        cards.report_lost(office, reader.id, NOW)
    assert snapshot() == before
    result = cards.replace(office, reader.id, now=NOW)
    assert result.status == "active"
    assert kinds(reader.id) == [("reported lost", reader.card), ("replaced", reader.card), ("issued", result.card)]
    assert lending.checkout(lib.clerk, reader.id, book.barcode, NOW).loan_id


def test_a_blocked_reader_stays_blocked_with_a_new_card(lib, office):
    reader = lib.patron()
    registration.block(office, reader.id, "damaged a book", None, NOW)
    assert cards.replace(office, reader.id, now=NOW).status == "blocked"
    assert patrons.summary(reader.id, NOW).blocks == ("Blocked: damaged a book.",)


# -- cancelling ----------------------------------------------------------------------------

def test_cancel_a_card_with_nothing_outstanding(lib, office):
    reader, book = lib.patron(), lib.item()
    result = cards.cancel(office, reader.id, now=NOW)
    assert result.status == "cancelled" and kinds(reader.id) == [("cancelled", reader.card)]
    with pytest.raises(Refusal, match="This card has been cancelled"):
        lending.checkout(lib.clerk, reader.id, book.barcode, NOW)
    before = snapshot()
    with pytest.raises(Refusal, match="already cancelled"):
        cards.cancel(office, reader.id, confirmed=True, now=NOW)
    assert snapshot() == before


def test_cancel_with_loans_or_a_balance_needs_the_clerks_word(lib, office):
    reader, book = lib.patron(), lib.item(title="Kept book")
    lib.loan(book, reader, TODAY - timedelta(5), TODAY + timedelta(20))
    Fee.create(patron=reader, kind="overdue", amount=300, at=NOW)
    before = snapshot()
    with pytest.raises(Refusal) as refused:
        cards.cancel(office, reader.id, now=NOW)
    assert str(refused.value) == (
        "Li Lei still has 1 book on loan and owes ¥3.00. Cancel only once you have agreed with the reader "
        "what happens: the loans stay on the account and must still be returned, and the balance stays as it is.")
    assert snapshot() == before
    cards.cancel(office, reader.id, confirmed=True, now=NOW)
    assert Patron.get_by_id(reader.id).status == "cancelled"
    assert Loan.get(Loan.item == book.id).returned_at is None and patrons.balance(reader.id) == 300
    lending.checkin(lib.clerk, book.barcode, NOW)  # the book still comes back
    assert "1 book still out" in CardEvent.get(CardEvent.kind == "cancelled").note


def test_cancel_with_only_a_credit_asks_too(lib, office):
    reader = lib.patron()
    Fee.create(patron=reader, kind="refund", amount=-200, at=NOW)
    with pytest.raises(Refusal, match="^Li Lei is still owed ¥2.00 by the library. Cancel only once"):
        cards.cancel(office, reader.id, now=NOW)


def test_renewing_or_replacing_a_cancelled_card_is_refused(lib, office):
    reader = lib.patron()
    cards.cancel(office, reader.id, now=NOW)
    before = snapshot()
    with pytest.raises(Refusal, match="cancelled"):
        cards.renew(office, reader.id, NOW)
    with pytest.raises(Refusal, match="cancelled"):
        cards.report_lost(office, reader.id, NOW)
    assert snapshot() == before


# -- who may, and the history ---------------------------------------------------------------

def test_only_office_and_curator_may_handle_cards(lib, office, curator):
    reader = lib.patron()
    before = snapshot()
    for attempt in (lambda: cards.renew(lib.clerk, reader.id, NOW),
                    lambda: cards.replace(lib.clerk, reader.id, now=NOW),
                    lambda: cards.report_lost(lib.clerk, reader.id, NOW),
                    lambda: cards.cancel(lib.clerk, reader.id, confirmed=True, now=NOW)):
        with pytest.raises(PermissionDenied, match="Only office staff or the curator may"):
            attempt()
    assert snapshot() == before
    assert cards.renew(curator, reader.id, NOW).expires_on == date(2027, 11, 25)


def test_card_history_oldest_first_with_staff_and_fees(lib, office):
    reader = registration.register(office, registration.ReaderFields(name="Zhang San", category="student"), now=NOW)
    cards.replace(office, reader.id, now=NOW + timedelta(days=1))
    cards.renew(office, reader.id, NOW + timedelta(days=200))
    lines = cards.history(lib.clerk, reader.id)  # circulation may look
    assert [line.kind for line in lines] == ["issued", "reported lost", "replaced", "issued", "renewed"]
    assert lines[0].staff == "Office Clerk" and lines[2].fee == 500 and lines[4].expires_on == date(2028, 6, 13)
    assert registration.reader_record(office, reader.id, NOW).cards == lines


def test_a_lost_card_scanned_at_check_out_is_refused_with_the_new_card(lib, office):
    reader = lib.patron()
    new = cards.replace(office, reader.id, now=NOW)
    with pytest.raises(Refusal, match=f"reported lost on 2026-11-25; the reader now has card {new.card}"):
        patrons.find_by_card(f"A{reader.card}B")
