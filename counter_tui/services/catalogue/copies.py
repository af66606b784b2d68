"""Copies: a title's physical copies, received into the accession register.

Every copy gets the next accession number of the library's "accession_number" series
(sequential, never reused, never edited) and a line in the accession register with its
date, source and price; its barcode is the next of the "item_barcode" series (14 digits,
the item prefix, a Luhn check digit, from domain/barcodes.py) or a pre-printed label
scanned in. A new copy is "in processing" until a transfer batch hands it to circulation
(services/transfers.py).

Every copy is received from one of the known sources (domain/acquisition_sources.py) and
with a call number: a title without a class number gets no copies until it is classified
(a title catalogued before book numbers were kept lends its copies' call number). Copies
left without one by older versions or imports get theirs from `give_call_numbers`.

Two ways in:
- `receive_copies(actor, biblio_id, count, ...)`: the use case (role check, its own
  transaction; inside another write it becomes part of that one).
- `add_copy(actor, biblio, ...)`: one copy, for a caller that already runs a write
  transaction and has checked the role (the MARC import): it writes the Item, the
  Accession line and the audit event, and returns the Item.
Numbers are taken inside the transaction, so a refused receipt burns none.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from counter_tui import db
from counter_tui.domain import acquisition_sources
from counter_tui.domain.barcodes import Kind, classify, library_barcode
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.domain.item_status import ItemStatus
from counter_tui.domain.text import clean
from counter_tui.models import Accession, Biblio, Item, ItemType, Staff
from counter_tui.services import access, audit, library_settings
from counter_tui.services.catalogue import call_numbers
from counter_tui.services.errors import NotFound, Refusal

SERIES_ACCESSION = "accession_number"
SERIES_BARCODE = "item_barcode"
LIBRARY_CODE = "1234"  # after the item prefix: this library's block of item barcodes
ROLES = (access.CATALOGING, access.CURATOR)
SOURCES = acquisition_sources.SOURCES
MAX_COPIES = 200  # one receipt


@dataclass(frozen=True)
class CopyLine:
    item_id: int
    barcode: str
    accession_number: int
    call_number: str
    location: str
    item_type: str
    price: int | None
    source: str
    status: str
    acquired_on: date | None
    volume: str


# -- numbers ------------------------------------------------------------------------------

def next_in_series(name: str, highest: str) -> int:
    """The next number of a series; a missing series starts after `highest` (SQL). In a write."""
    if db.execute("SELECT last FROM number_series WHERE name = ?", name).fetchone() is None:
        start = db.execute(highest).fetchone()[0] or 0
        db.execute("INSERT INTO number_series (name, last) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                   name, start)
    return db.execute("UPDATE number_series SET last = last + 1 WHERE name = ? RETURNING last",
                      name).fetchone()[0]


def next_accession_number() -> int:
    """The next accession number; never one a copy or register line already has. In a write."""
    highest = ("SELECT MAX(n) FROM (SELECT MAX(accession_number) AS n FROM item "
               "UNION ALL SELECT MAX(number) AS n FROM accession) AS both_tables")
    while True:
        number = next_in_series(SERIES_ACCESSION, highest)
        taken = db.execute("SELECT 1 FROM item WHERE accession_number = ? UNION ALL "
                           "SELECT 1 FROM accession WHERE number = ?", number, number).fetchone()
        if taken is None:
            return number


def barcode_prefix() -> str:
    return library_settings.settings().barcodes.item_prefix + LIBRARY_CODE


def _highest_barcode_sql() -> str:
    rules = library_settings.settings().barcodes
    prefix = barcode_prefix()
    width = rules.length - len(prefix) - (1 if rules.check == "luhn" else 0)
    row = db.execute("SELECT barcode FROM item WHERE barcode >= ? AND barcode < ? AND LENGTH(barcode) = ? "
                     "ORDER BY barcode DESC LIMIT 1", prefix, prefix + ":", rules.length).fetchone()
    digits = row[0][len(prefix):len(prefix) + width] if row else ""
    return f"SELECT {int(digits) if digits.isdigit() else 0}"


def next_barcode() -> str:
    """The next free item barcode of the library's series. In a write."""
    rules = library_settings.settings().barcodes
    while True:
        number = next_in_series(SERIES_BARCODE, _highest_barcode_sql())
        try:
            code = library_barcode(barcode_prefix(), number, rules)
        except ValueError:
            raise Refusal("The library's item barcode series is used up; scan pre-printed labels instead.",
                          field="labels") from None
        if db.execute("SELECT 1 FROM item WHERE barcode = ?", code).fetchone() is None:
            return code  # a pre-printed label of the series may already be on a copy


def scanned_label(raw: str) -> str:
    """A pre-printed item label scanned in, as its barcode; refused when unusable or on a copy."""
    rules = library_settings.settings().barcodes
    scan = classify(raw, rules)
    if scan.kind is Kind.INVALID:
        raise Refusal(scan.problem or f"{raw.strip()[:20]} is not a barcode.", field="labels")
    if scan.kind is not Kind.ITEM:
        raise Refusal(f"{scan.code[:20]} is not an item label: an item barcode has {rules.length} digits "
                      f"and starts with {rules.item_prefix}.", field="labels")
    owner = db.execute("SELECT accession_number FROM item WHERE barcode = ?", scan.code).fetchone()
    if owner is not None:
        raise Refusal(f"Label {scan.code} is already on the copy with accession number {owner[0]}.", field="labels")
    return scan.code


# -- call numbers -------------------------------------------------------------------------

def call_number_of(biblio: Biblio, volume: str = "") -> tuple[str, str]:
    """The copy's call number and shelf sort key: class / book number [/ volume]. In a write.

    services/call_numbers.py composes it in the library's scheme and gives the title its
    book number (the next in its class) when it has none yet.
    """
    if not volume and not (biblio.book_number or "").strip() and getattr(biblio, "id", None):
        # a title catalogued before book numbers were kept on it: new copies join the old ones
        row = db.execute("SELECT call_number, call_sort FROM item WHERE biblio_id = ? AND call_number <> '' "
                         "ORDER BY accession_number DESC LIMIT 1", biblio.id).fetchone()
        if row is not None:
            return row[0], row[1]
    return call_numbers.call_number_for(biblio, volume=volume)


def _short(title: str) -> str:
    return title if len(title) <= 40 else title[:39] + "…"


def no_call_number(biblio: Biblio, volume: str = "") -> str:
    """Why a copy of this title would get no call number from `call_number_of` ("" when it gets one)."""
    if call_numbers.normal_class(biblio.classification or ""):
        return ""
    if (not volume and not (biblio.book_number or "").strip() and getattr(biblio, "id", None)
            and db.execute("SELECT 1 FROM item WHERE biblio_id = ? AND call_number <> ''",
                           biblio.id).fetchone() is not None):
        return ""  # new copies join the old ones' call number
    return (f"\"{_short(biblio.title or '')}\" has no class number, so a copy would have no call number: "
            "classify the title first (Ctrl+E on its record).")


def call_number_problem(biblio_id: int) -> str:
    """Why no copies can be added to this title ("" when they can), for a screen to say up front."""
    biblio = Biblio.get_or_none(Biblio.id == biblio_id)
    if biblio is None:
        return "That title no longer exists."
    return no_call_number(biblio)


def source_of(text: str | None) -> str:
    """The source of acquisition as registered; a Refusal naming the choices for anything else."""
    try:
        return acquisition_sources.source_of(text)
    except ValueError as exc:
        raise Refusal(str(exc), field="source") from None


# -- writing ------------------------------------------------------------------------------

def item_type_of(code: str) -> ItemType:
    item_type = ItemType.get_or_none(ItemType.code == (code or "").strip())
    if item_type is None:
        known = ", ".join(t.code for t in ItemType.select(ItemType.code).order_by(ItemType.code))
        raise Refusal(f"There is no item type '{(code or '').strip()}'; use one of: {known}.", field="item_type")
    return item_type


def add_copy(actor: Staff | None, biblio: Biblio, *, item_type: ItemType | str, price: int | None,
             location: str, source: str = "purchase", label: str = "", received_on: date | None = None,
             volume: str = "", call_number: str | None = None, now: datetime | None = None) -> Item:
    """One copy of `biblio`, received into the register. Call inside a write; the caller checks the role.

    `label` is a pre-printed barcode scanned in ("" takes the next of the series);
    `price` is in minor units (None: unknown, registered as 0); `call_number` overrides
    the one composed from the biblio. Raises Refusal (and the caller's transaction is
    rolled back) on a bad label, a negative price, an unknown item type or source, or
    when the copy would have no call number.
    """
    now = now or utc_now()
    if isinstance(item_type, str):
        item_type = item_type_of(item_type)
    if price is not None and price < 0:
        raise Refusal("A price cannot be negative.", field="price")
    source = source_of(source)
    location = clean(location)[:60]
    volume = clean(volume)[:20]
    day = received_on or local_date(now, library_settings.settings().timezone)
    if call_number is None and no_call_number(biblio, volume):
        raise Refusal(no_call_number(biblio, volume))
    barcode = scanned_label(label) if (label or "").strip() else next_barcode()
    number = next_accession_number()
    if call_number is None:
        call, sort = call_number_of(biblio, volume)
    else:
        call = clean(call_number)
        sort = call_numbers.sort_key(call)
    if not call:
        raise Refusal("A copy needs a call number.")
    item = Item.create(barcode=barcode, accession_number=number, biblio=biblio.id, call_number=call,
                       call_sort=sort, location=location, item_type=item_type.id, price=price,
                       acquired_on=day, source=source, status=ItemStatus.IN_PROCESSING.value,
                       volume=volume, status_since=now, catalogued_at=now,
                       catalogued_by=actor.id if actor else None)
    Accession.create(number=number, item=item.id, received_on=day, source=source, price=price or 0,
                     at=now, staff=actor.id if actor else None)
    audit.record(actor, "copy.add", "item", item.id, now,
                 new={"barcode": barcode, "accession_number": number, "biblio": biblio.id,
                      "price": price, "source": source, "location": location, "item_type": item_type.code})
    return item


def receive_copies(actor: Staff, biblio_id: int, count: int = 1, *, item_type: str = "book",
                   price: int | None = None, location: str = "", source: str = "purchase",
                   labels: Sequence[str] = (), received_on: date | None = None, volume: str = "",
                   now: datetime | None = None) -> list[CopyLine]:
    """Add `count` copies of a title (all or none), each with its register line.

    `labels`: pre-printed barcodes scanned in, used for the first copies; the rest take
    the next numbers of the series. `source` is one of acquisition_sources.SOURCES.
    Cataloguers and the curator only.
    """
    now = now or utc_now()
    access.require(actor, "add copies to the catalogue", *ROLES)
    labels = [label for label in labels if label and label.strip()]
    count = max(count, len(labels))
    if count < 1:
        raise Refusal("Say how many copies to add: at least one.", field="count")
    source = source_of(source)
    if count > MAX_COPIES:
        raise Refusal(f"Add at most {MAX_COPIES} copies at once.", field="count")
    if len({classify(label).code for label in labels}) != len(labels):
        raise Refusal("The same label was scanned twice.", field="labels")

    def work() -> list[CopyLine]:
        biblio = Biblio.get_or_none(Biblio.id == biblio_id)
        if biblio is None:
            raise NotFound("That title no longer exists.")
        if no_call_number(biblio, (volume or "").strip()[:20]):
            raise Refusal(no_call_number(biblio, (volume or "").strip()[:20]))
        kind = item_type_of(item_type)
        made = []
        for n in range(count):
            item = add_copy(actor, biblio, item_type=kind, price=price, location=location, source=source,
                            label=labels[n] if n < len(labels) else "", received_on=received_on,
                            volume=volume, now=now)
            made.append(_line(item, kind.code))
        return made

    return db.write(work)


def give_call_numbers(actor: Staff, biblio_id: int, now: datetime | None = None) -> list[CopyLine]:
    """Give the title's copies that have no call number theirs (all or none); withdrawn copies stay as they are.

    For copies received before a call number was required, or imported without one:
    the title must have a class number by now. Cataloguers and the curator only.
    """
    now = now or utc_now()
    access.require(actor, "give copies their call numbers", *ROLES)

    def work() -> list[CopyLine]:
        biblio = Biblio.get_or_none(Biblio.id == biblio_id)
        if biblio is None:
            raise NotFound("That title no longer exists.")
        items = list(Item.select(Item, ItemType.code).join(ItemType)
                     .where((Item.biblio == biblio_id) & (Item.status != ItemStatus.WITHDRAWN.value)
                            & ((Item.call_number == "") | Item.call_number.is_null()))
                     .order_by(Item.accession_number))
        if not items:
            raise Refusal("Every copy of this title has a call number.")
        done = []
        for item in items:
            problem = no_call_number(biblio, item.volume or "")
            if problem:
                raise Refusal(problem)
            call, sort = call_number_of(biblio, item.volume or "")
            Item.update(call_number=call, call_sort=sort).where(Item.id == item.id).execute()
            audit.record(actor, "item.call_number", "item", item.id, now,
                         old={"call_number": item.call_number or ""}, new={"call_number": call})
            item.call_number, item.call_sort = call, sort
            done.append(_line(item, item.item_type.code))
        return done

    return db.write(work)


def _line(item: Item, type_code: str) -> CopyLine:
    return CopyLine(item.id, item.barcode, item.accession_number, item.call_number, item.location, type_code,
                    item.price, item.source, item.status, item.acquired_on, item.volume)


def copies_of(biblio_id: int) -> list[CopyLine]:
    """The title's copies in accession order (a read; anyone signed in may look)."""
    query = (Item.select(Item, ItemType.code).join(ItemType).where(Item.biblio == biblio_id)
             .order_by(Item.accession_number))
    return [_line(item, item.item_type.code) for item in query]


def item_types() -> list[str]:
    return [t.code for t in ItemType.select(ItemType.code).order_by(ItemType.id)]
