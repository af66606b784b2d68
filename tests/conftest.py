"""Fixtures: a real SQLite library file per test (never :memory:, which threads do not share)."""
from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from counter_tui import db
from counter_tui.config import Settings
from counter_tui.domain.barcodes import library_barcode
from counter_tui.domain.calendar import end_of_local_day_utc
from counter_tui.models import (Accession, Biblio, CirculationRule, ClosedDay, Item, ItemType, Loan, Patron,
                                PatronCategory, Staff)
from counter_tui.services import library_settings
from counter_tui.services.admin import schema, setup, staff

ZONE = ZoneInfo("Asia/Shanghai")
# A Wednesday morning, local time, as naive UTC like everything stored.
NOW = datetime(2026, 11, 25, 2, 0, 0)


class LibraryBuilder:
    """Makes readers and copies for a test, with valid barcodes from running numbers."""

    def __init__(self, clerk: Staff):
        self.clerk = clerk
        self._next_card = 1
        self._next_item = 1

    def patron(self, name="Li Lei", category="student", expires_on=date(2027, 7, 31), **fields) -> Patron:
        card = fields.pop("card", None) or library_barcode("21234", self._next_card)
        self._next_card += 1
        cat = PatronCategory.get(PatronCategory.code == category)
        return Patron.create(card=card, name=name, category=cat, expires_on=expires_on,
                             created_at=NOW, **fields)

    def item(self, title="Dream of the Red Chamber", item_type="book", call_number="I242.47/1",
             price=4500, status="available", **fields) -> Item:
        while Item.select().where((Item.accession_number == self._next_item)  # taken by services/copies.py
                                  | (Item.barcode == library_barcode("31234", self._next_item))).exists():
            self._next_item += 1
        barcode = fields.pop("barcode", None) or library_barcode("31234", self._next_item)
        biblio = Biblio.create(title=title, author="Cao Xueqin", created_at=NOW)
        it = ItemType.get(ItemType.code == item_type)
        item = Item.create(barcode=barcode, accession_number=self._next_item, biblio=biblio,
                           call_number=call_number, item_type=it, price=price, status=status,
                           location=fields.pop("location", "Stacks"), **fields)
        # every copy has its line in the accession register (services/check.py proves it)
        Accession.create(number=item.accession_number, item=item, received_on=NOW.date(), source="purchase",
                         price=price or 0, at=NOW, staff=self.clerk)
        self._next_item += 1
        return item

    def loan(self, item: Item, patron: Patron, out: date, due: date) -> Loan:
        loan = Loan.create(item=item, patron=patron, out_at=datetime.combine(out, datetime.min.time()),
                           due_at=end_of_local_day_utc(due, ZONE), staff_out=self.clerk)
        Item.update(status="checked out").where(Item.id == item.id).execute()
        return loan

    def closed(self, *days: date) -> None:
        for day in days:
            ClosedDay.create(day=day, reason="closed")

    def rule(self, **fields) -> CirculationRule:
        """Change the default rule (category and type empty)."""
        rule = CirculationRule.get(CirculationRule.category.is_null() & CirculationRule.item_type.is_null())
        for key, value in fields.items():
            setattr(rule, key, value)
        rule.save()
        return rule


# Set to a PostgreSQL server's URL (scripts/start-postgres prints one) to run the whole
# suite on PostgreSQL; each test then gets a database of its own on that server.
PG_ADMIN_URL = os.environ.get("COUNTER_TUI_TEST_PG", "")


def _pg_admin(sql: str) -> None:
    import psycopg2
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    try:
        conn.cursor().execute(sql)
    finally:
        conn.close()


@pytest.fixture
def db_url(tmp_path):
    if not PG_ADMIN_URL:
        yield f"sqlite:///{tmp_path / 'library.db'}"
        return
    name = f"counter_test_{uuid.uuid4().hex[:12]}"
    _pg_admin(f"CREATE DATABASE {name}")
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    db.database.close()
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def settings(db_url) -> Settings:
    s = Settings(db_url=db_url, library_name="Test Library", timezone=ZONE)
    library_settings.configure(s)
    return s


@pytest.fixture
def empty_db(settings):
    database = db.connect(settings.db_url)
    yield database
    database.close()


@pytest.fixture
def clerk(empty_db) -> Staff:
    schema.create_schema()
    db.write(setup.seed_standard_rows)
    return staff.add_staff(None, "clerk", "Desk Clerk", "correct horse", ["circulation"], NOW)


@pytest.fixture
def lib(clerk) -> LibraryBuilder:
    return LibraryBuilder(clerk)


@pytest.fixture
def cataloguer(clerk) -> Staff:
    return staff.add_staff(None, "cat", "Cataloguer", "correct horse", ["cataloging"], NOW)


@pytest.fixture(autouse=True)
def fresh_machine_fonts(monkeypatch):
    """Print as on a fresh machine, whatever fonts this one has: no named font, no system font,
    only the one that comes with the install (tests of the order put the others back)."""
    from counter_tui.services.printing import sheets
    monkeypatch.delenv(sheets.FONT_ENV, raising=False)
    monkeypatch.setattr(sheets, "system_font", lambda: None)


@pytest.fixture
def property_documents(tmp_path, monkeypatch):
    """Write-off certificates, transfer lists and bulletins go to a folder of the test's own."""
    from counter_tui.services.property import accessions
    monkeypatch.setenv(accessions.ENV_DOCUMENTS, str(tmp_path / "docs"))
    return tmp_path / "docs"


def days(n: int) -> timedelta:
    return timedelta(days=n)
