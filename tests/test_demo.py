"""The demo library: the counts asked for, valid codes, and the invariants the desk relies on."""
from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime

import pytest
from stdnum import isbn

from counter_tui import db
from counter_tui.config import Settings
from counter_tui.domain.barcodes import Kind, classify
from counter_tui.domain.calendar import end_of_local_day_utc, local_date
from counter_tui.domain.callnumbers import clc_sort_key
from counter_tui.domain.fines import overdue_fine
from counter_tui.models import (AuditEvent, Biblio, CardEvent, ClosedDay, Fee, Item, ItemType, Loan,
                                NumberSeries, Patron, PatronCategory, Staff)
from counter_tui.services.circulation import lending, rules
from counter_tui import demo
from counter_tui.services import library_settings
from counter_tui.services.readers import patrons
from counter_tui.services.admin import schema, setup, staff
from counter_tui.services.errors import Refusal
from tests.conftest import NOW, ZONE

TODAY = local_date(NOW, ZONE)
CLC_CLASSES = set("ABCDEFGHIJKNOPQRSTUVXZ")


@pytest.fixture
def built(clerk):
    """The DEMO scale built into the test's library file, as of NOW."""
    return demo.build_library(demo.DEMO, now=NOW)


def test_counts_codes_and_catalogue(built):
    scale = demo.DEMO
    assert {k: built[k] for k in ("titles", "copies", "readers", "past_loans", "open_loans", "overdue_loans")} == {
        "titles": scale.titles, "copies": scale.copies, "readers": scale.readers,
        "past_loans": scale.past_loans, "open_loans": scale.open_loans, "overdue_loans": scale.overdue_loans}
    assert (Biblio.select().count(), Item.select().count(), Patron.select().count()) == (
        scale.titles, scale.copies, scale.readers)
    assert Loan.select().where(Loan.returned_at.is_null()).count() == scale.open_loans
    assert Loan.select().where(Loan.returned_at.is_null(False)).count() == scale.past_loans

    items = list(Item.select(Item.barcode, Item.accession_number, Item.call_number, Item.call_sort).tuples())
    assert all(classify(code).kind is Kind.ITEM for code, *_ in items)
    assert sorted(n for _, n, *_ in items) == list(range(1, scale.copies + 1))
    assert all(sort == clc_sort_key(number) for _, _, number, sort in items)
    assert all(classify(card).kind is Kind.PATRON for (card,) in Patron.select(Patron.card).tuples())
    assert Patron.select(Patron.id_number).distinct().count() == scale.readers

    isbns = [code for (code,) in Biblio.select(Biblio.isbn).where(Biblio.isbn.is_null(False)).tuples()]
    assert len(isbns) > scale.titles * 0.9 and all(isbn.is_valid(code) for code in isbns)
    assert len(set(isbns)) == len(isbns)
    assert all(code.startswith("9787") for (code,) in Biblio.select(Biblio.isbn)
               .where(Biblio.isbn.is_null(False) & (Biblio.language == "chi")).tuples())
    assert all(code[:4] in ("9780", "9781") for (code,) in Biblio.select(Biblio.isbn)
               .where(Biblio.isbn.is_null(False) & (Biblio.language == "eng")).tuples())
    chinese = [t for (t,) in Biblio.select(Biblio.title).tuples() if any("\u4e00" <= ch <= "\u9fff" for ch in t)]
    assert len(chinese) > scale.titles // 3
    assert {c[0] for (c,) in Biblio.select(Biblio.classification).tuples()} >= CLC_CLASSES

    types = Counter(code for (code,) in Item.select(ItemType.code).join(ItemType).tuples())
    assert types["book"] > scale.copies * 0.8 and min(types["reference"], types["periodical"], types["av"]) > 0
    categories = Counter(code for (code,) in Patron.select(PatronCategory.code).join(PatronCategory).tuples())
    assert categories.most_common(1)[0][0] == "student" and len(categories) == 4
    assert Patron.select().where(Patron.status == "blocked").exists()
    assert Patron.select().where(Patron.expires_on < TODAY).exists()
    assert {s.name: s.last for s in NumberSeries.select()} == {
        demo.SERIES_CARD: scale.readers, demo.SERIES_ITEM: scale.copies, demo.SERIES_ACCESSION: scale.copies}

    sundays = [d for (d,) in ClosedDay.select(ClosedDay.day).tuples() if d.weekday() == 6]
    assert len(sundays) >= 104 and ClosedDay.select().count() > len(sundays)
    assert AuditEvent.select().where(AuditEvent.action == "library.demo").count() == 1
    assert CardEvent.select().where(CardEvent.kind == "issued").count() == scale.readers
    if db.is_sqlite():  # the build writes with foreign keys unchecked: every reference must hold
        assert list(db.database.execute_sql("PRAGMA foreign_key_check").fetchall()) == []

    with pytest.raises(Refusal):  # never on top of an existing catalogue
        demo.build_library(demo.DEMO, now=NOW)


def test_loans_and_fees_keep_the_desk_invariants(built):
    open_per_item = Counter(item for (item,) in Loan.select(Loan.item).where(Loan.returned_at.is_null()).tuples())
    assert max(open_per_item.values()) == 1
    checked_out = {i for (i,) in Item.select(Item.id).where(Item.status == "checked out").tuples()}
    assert checked_out == set(open_per_item)
    assert not (ItemType.select().join(Item).where(Item.id.in_(list(checked_out)) & ~ItemType.loanable).exists())

    now = NOW.replace(tzinfo=None)
    assert Loan.select().where(Loan.returned_at.is_null() & (Loan.due_at < now)).count() == demo.DEMO.overdue_loans
    closed = {d for (d,) in ClosedDay.select(ClosedDay.day).tuples()}
    history: dict[int, list[tuple[datetime, datetime]]] = {}
    for loan in Loan.select():
        due = local_date(loan.due_at, ZONE)
        assert loan.due_at == end_of_local_day_utc(due, ZONE) and due not in closed
        assert loan.out_at < loan.due_at and loan.out_at < now
        assert loan.returned_at is None or loan.out_at < loan.returned_at < now
        history.setdefault(loan.item_id, []).append((loan.out_at, loan.returned_at or datetime.max))
    for spans in history.values():  # a copy is never lent twice at once
        spans.sort()
        assert all(back <= out for (_, back), (out, _) in zip(spans, spans[1:]))

    # every overdue fee is the fine the rules give for its loan (the build reckons fines in bulk)
    fees = list(Fee.select(Fee, Loan, Item, Patron).join(Loan).join(Item).switch(Loan).join(Patron)
                .where(Fee.kind == "overdue"))
    assert len(fees) > 50
    for fee in fees:
        loan, item = fee.loan, fee.loan.item
        rule = rules.rule_for(loan.patron.category_id, item.item_type_id, item.location)
        due, back = local_date(loan.due_at, ZONE), local_date(loan.returned_at, ZONE)
        expected = overdue_fine(due, back, rules.fine_policy(rule), rules.closed_days(due, back), price=item.price)
        assert fee.amount == expected.amount > 0 and fee.patron_id == loan.patron_id
    payments = [a for (a,) in Fee.select(Fee.amount).where(Fee.kind == "payment").tuples()]
    assert payments and all(a < 0 for a in payments)
    owing = [p for p in Patron.select(Patron.id) if patrons.balance(p.id) > 0]
    assert owing  # some fines are still unpaid, so balances show at the desk


def test_demo_clerk_signs_in_and_lends(built):
    member = staff.sign_in(demo.DEMO_USERNAME, demo.DEMO_PASSWORD, NOW)
    assert member.full_name == "Demo Clerk" and {"circulation", "curator"} <= member.role_set

    reader = next(p for p in Patron.select().where(Patron.status == "active").order_by(Patron.id)
                  if not patrons.summary(p.id, NOW).blocks and patrons.summary(p.id, NOW).loans_out == 0)
    book = (Item.select().join(ItemType).where((Item.status == "available") & ItemType.loanable)
            .order_by(Item.id).first())
    result = lending.checkout(member, reader.id, book.barcode, NOW)
    assert result.due > TODAY and result.patron.loans_out == 1
    assert Item.get_by_id(book.id).status == "checked out"

    late = (Loan.select().where(Loan.returned_at.is_null() & (Loan.due_at < NOW)).order_by(Loan.due_at).first())
    returned = lending.checkin(member, late.item.barcode, NOW)
    assert returned.was_on_loan and returned.days_late > 0 and returned.fine > 0  # fines appear at check-in


def test_helper_processes_build_the_same_library(tmp_path, monkeypatch):
    """The big-build path (helper processes, scratch files) gives the same rows as the small one."""
    def build(name: str) -> dict[str, str]:
        url = f"sqlite:///{tmp_path / name}"
        library_settings.configure(Settings(db_url=url, library_name="Test Library", timezone=ZONE))
        database = db.connect(url)
        try:
            schema.create_schema()
            db.write(setup.seed_standard_rows)
            scale = demo.Scale(titles=300, copies=600, readers=80, past_loans=900, open_loans=60, overdue_loans=9)
            demo.build_library(scale, now=NOW)
            digests = {}
            for model in (Biblio, Item, Patron, CardEvent, Loan, Fee, ClosedDay):
                rows = database.execute_sql(f'SELECT * FROM "{model._meta.table_name}" ORDER BY id').fetchall()
                digests[model.__name__] = hashlib.sha256(repr(rows).encode()).hexdigest()
            assert Staff.select().where(Staff.username == "demo").exists()
            return digests
        finally:
            database.close()

    inline = build("inline.db")
    monkeypatch.setattr(demo, "HELPER_PROCESSES_FROM", 1)
    assert build("helpers.db") == inline
