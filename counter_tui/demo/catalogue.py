"""The catalogue's titles and copies: what each title is and is called, its copies, barcodes and accession lines."""
from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from stdnum import ean, issn

from counter_tui import db
from counter_tui.demo.bulk_load import CHUNK, columns, cumulative
from counter_tui.demo.clock import DAY
from counter_tui.demo.numbering import ITEM_PREFIX, barcode_run
from counter_tui.demo.word_lists import (BOOK_LOCATIONS, CLASSES, EN_EDITIONS, EN_REFERENCE_FORMS, EN_TOPIC_FORMS,
                                         EN_WORK_FORMS, JOURNALS, PUBLISHERS_EN, PUBLISHERS_ZH, TYPE_LOCATION,
                                         TYPE_WEIGHTS, ZH_EDITIONS, ZH_REFERENCE_FORMS, ZH_TOPIC_FORMS,
                                         ZH_WORK_FORMS)
from counter_tui.domain.barcodes import BarcodeRules
from counter_tui.domain.callnumbers import clc_sort_key
from counter_tui.domain.item_status import ItemStatus
from counter_tui.models import Accession, Biblio, Item

if TYPE_CHECKING:
    from counter_tui.demo.parallel_build import Sink

ITEM_FIELDS = (Item.id, Item.barcode, Item.accession_number, Item.biblio, Item.call_number, Item.call_sort,
               Item.location, Item.item_type, Item.price, Item.acquired_on, Item.source, Item.status,
               Item.condition)


@dataclass
class CopiesPlan:
    count: int
    seed: str
    item_title: list[int]
    item_kind: list[int]
    item_acquired: list[int]  # day ordinals
    item_status: list[str]
    title_call: list[str]
    title_price: list[int]
    kind_type: list[int]  # kind -> ItemType id
    kind_location: list[str]
    biblio_base: int
    item_base: int


def copy_barcodes(early: tuple[int, BarcodeRules]) -> list[str]:
    """Early work of the copies: every barcode, by the domain's `library_barcode`."""
    count, rules_ = early
    return barcode_run(ITEM_PREFIX, 1, count, rules_)


def write_copies(plan: CopiesPlan, sink: Sink, barcodes: list[str]) -> int:
    """The copies, with their barcodes and the shelf-order keys of `clc_sort_key`."""
    rand = random.Random(plan.seed).random
    sort_keys = [clc_sort_key(number) for number in plan.title_call]
    out = sink.rows(Item._meta.table_name, columns(ITEM_FIELDS))
    put = out.flat.extend
    sources = ("purchase",) * 8 + ("donation", "exchange")
    day_text = {d: date.fromordinal(d).isoformat() for d in set(plan.item_acquired)}
    item_title, item_kind, item_acquired, item_status = (plan.item_title, plan.item_kind,
                                                         plan.item_acquired, plan.item_status)
    title_call, title_price, kind_type, kind_location = (plan.title_call, plan.title_price,
                                                         plan.kind_type, plan.kind_location)
    base, biblio_base = plan.item_base, plan.biblio_base
    for first in range(0, plan.count, CHUNK):
        for index in range(first, min(first + CHUNK, plan.count)):
            title, kind = item_title[index], item_kind[index]
            put((base + index, barcodes[index], index + 1, biblio_base + title, title_call[title],
                 sort_keys[title], kind_location[kind], kind_type[kind], title_price[title],
                 day_text[item_acquired[index]], sources[int(rand() * 10)], item_status[index], ""))
        out.flush()
    out.flush(final=True)
    return out.written



class TitlesAndCopies:
    """The builder's catalogue: plans the titles and copies, then writes them (mixed into builder.Builder)."""

    def _plan_titles(self) -> None:
        """Each title's type, language, class and call number, year, price, ISBN or ISSN."""
        rand, below = self.rand, self._below
        n = self.scale.titles
        type_codes = [code for code, _ in TYPE_WEIGHTS]
        type_cum = cumulative(w for _, w in TYPE_WEIGHTS)
        cls_cum = cumulative(entry[1] for entry in CLASSES)
        expovariate = self.rng.expovariate
        latest_year = date.fromordinal(self.today).year - 1
        prices = {"book": (15, 75), "reference": (80, 320), "av": (20, 60), "periodical": (30, 130)}
        running: dict[str, int] = {}
        isbn_seq: dict[str, int] = {}
        self.title_type: list[str] = []
        self.title_chinese: list[bool] = []
        self.title_class: list[int] = []  # index into CLASSES, or -1 - journal for a periodical
        self.title_call: list[str] = []
        self.title_year: list[int] = []
        self.title_price: list[int] = []
        self.title_publisher: list[str] = []
        self.title_isbn: list[str | None] = []  # first twelve digits; the check digit comes later
        for _ in range(n):
            kind = type_codes[bisect(type_cum, rand() * type_cum[-1])]
            chinese = rand() < 0.62
            year = latest_year - min(int(expovariate(1 / 9)), 45)
            if kind == "periodical":
                journal = below(len(JOURNALS))
                name, cls, lang = JOURNALS[journal]
                chinese, class_index = lang == "chi", -1 - journal
                publisher, isbn_ = (name if chinese else ""), None
            else:
                class_index = bisect(cls_cum, rand() * cls_cum[-1])
                cls, _, zh_topics, en_topics, zh_works, en_works = CLASSES[class_index]
                if chinese and not (zh_topics or zh_works):
                    chinese = False
                elif not chinese and not (en_topics or en_works):
                    chinese = True
                publisher, isbn_ = self._isbn_payload(PUBLISHERS_ZH if chinese else PUBLISHERS_EN, isbn_seq)
            low, span = prices[kind]
            price = (low + below(span)) * 100 + (0, 0, 50, 80, 90)[below(5)]
            if not chinese:
                price = price * 2 + 900
            running[cls] = number = running.get(cls, 0) + 1
            self.title_type.append(kind)
            self.title_chinese.append(chinese)
            self.title_class.append(class_index)
            self.title_call.append(f"{cls}/{number}")
            self.title_year.append(year)
            self.title_price.append(price)
            self.title_publisher.append(publisher)
            self.title_isbn.append(isbn_)

    def _isbn_payload(self, publishers, seq: dict[str, int]) -> tuple[str, str]:
        """A publisher and the first twelve digits of the next unused ISBN-13 in its range."""
        start = self._below(len(publishers))
        for step in range(len(publishers)):
            name, prefix = publishers[(start + step) % len(publishers)]
            width = 12 - len(prefix)
            number = seq.get(prefix, 0) + 1
            if number < 10 ** width:
                seq[prefix] = number
                return name, prefix + str(number).zfill(width)
        raise ValueError("The demo's publishers have run out of ISBNs.")

    def _plan_copies(self) -> None:
        """Each copy's title, kind (type and location), acquisition day and status."""
        rand = self.rand
        titles, title_type = self.scale.titles, self.title_type
        per_title = [1] * titles
        for _ in range(self.scale.copies - titles):
            t = int(rand() * titles)
            if title_type[t] != "book":  # popular books get the extra copies
                t = int(rand() * titles)
            per_title[t] += 1
        loc_cum = cumulative(w for _, w in BOOK_LOCATIONS)
        loc_total = loc_cum[-1]
        book_kinds = [self.kind_index[("book", location)] for location, _ in BOOK_LOCATIONS]
        fixed_kind = {code: self.kind_index[(code, location)] for code, location in TYPE_LOCATION.items()}
        earliest, latest = self.today - 15 * 365, self.today - 7
        first_day = {year: max(date(year, 1, 1).toordinal(), earliest) for year in set(self.title_year)}
        self.item_title = item_title = []
        self.item_kind = item_kind = []
        self.item_acquired = item_acquired = []  # day ordinal: no copy is lent before it
        for title, count in enumerate(per_title):
            start = first_day[self.title_year[title]]
            span = max(latest - start, 1)
            fixed = fixed_kind.get(title_type[title])
            for _ in range(count):
                item_title.append(title)
                item_kind.append(book_kinds[bisect(loc_cum, rand() * loc_total)] if fixed is None else fixed)
                item_acquired.append(start + int(rand() * span))
        count = len(item_title)
        self.item_status = ["available"] * count
        for _ in range(count // 250):
            self.item_status[int(rand() * count)] = ItemStatus.IN_REPAIR.value
            self.item_status[int(rand() * count)] = ItemStatus.MISSING.value

    def _copies_plan(self) -> CopiesPlan:
        return CopiesPlan(
            count=len(self.item_title), seed=f"{self.seed}:copies",
            item_title=self.item_title, item_kind=self.item_kind, item_acquired=self.item_acquired,
            item_status=self.item_status, title_call=self.title_call, title_price=self.title_price,
            kind_type=[self.types[code].id for code, _ in self.kinds],
            kind_location=[location for _, location in self.kinds],
            biblio_base=self.biblio_base, item_base=self.item_base)

    def _title_words(self, kind: str, chinese: bool, class_index: int, year: int) -> tuple[str, str]:
        """A title and its subject."""
        choice = self._choice
        if class_index < 0:
            name = JOURNALS[-1 - class_index][0]
            return (f"{name} {year}年合订本" if chinese else f"{name}, vol. {year - 1900} ({year})"), name
        _, _, zh_topics, en_topics, zh_works, en_works = CLASSES[class_index]
        topics, works = (zh_topics, zh_works) if chinese else (en_topics, en_works)
        if kind == "reference":
            subject = choice(topics or works)
            if chinese:
                return subject + choice(ZH_REFERENCE_FORMS), subject
            return choice(EN_REFERENCE_FORMS).format(subject), subject
        if works and (not topics or self.rand() < 0.5):
            subject = choice(works)
            title = subject + choice(ZH_WORK_FORMS) if chinese else choice(EN_WORK_FORMS).format(subject)
        else:
            subject = choice(topics)
            title = subject + choice(ZH_TOPIC_FORMS) if chinese else choice(EN_TOPIC_FORMS).format(subject)
        if kind == "av":
            title += "（DVD）" if chinese else " [DVD]"
        return title, subject

    def _titles(self) -> None:
        rand, below, choice, text = self.rand, self._below, self._choice, self.clock.text
        journal_issn = [self._issn(i) for i in range(len(JOURNALS))]
        created_from, created_span = self.now_ts - 6 * 365 * DAY, 6 * 365 * DAY - DAY
        base = self.biblio_base
        table = self._table(Biblio, (Biblio.id, Biblio.title, Biblio.author, Biblio.edition, Biblio.publisher,
                                     Biblio.year, Biblio.isbn, Biblio.issn, Biblio.language,
                                     Biblio.classification, Biblio.subjects, Biblio.created_at))
        self.title_text: list[str] = []
        for index in range(self.scale.titles):
            kind, chinese, class_index = self.title_type[index], self.title_chinese[index], self.title_class[index]
            year = self.title_year[index]
            title, subject = self._title_words(kind, chinese, class_index, year)
            if class_index < 0:
                author, edition, issn_, cls = "", "", journal_issn[-1 - class_index], JOURNALS[-1 - class_index][1]
            else:
                author = choice(self.zh_authors if chinese else self.en_authors)
                edition = "" if rand() >= 0.12 else choice(ZH_EDITIONS if chinese else EN_EDITIONS)
                issn_, cls = None, CLASSES[class_index][0]
            payload = self.title_isbn[index]  # the check digit comes from python-stdnum
            isbn_ = payload + ean.calc_check_digit(payload) if payload else None
            table.add(base + index, title, author, edition, self.title_publisher[index], year,
                      isbn_, issn_, "chi" if chinese else "eng", cls, subject,
                      text(created_from + below(created_span)))
            self.title_text.append(title)
            table.maybe_flush()
        table.flush(final=True)
        self.counts["titles"] = table.written

    @staticmethod
    def _issn(index: int) -> str:
        payload = f"{1000 + index * 37:04d}{index * 113 % 1000:03d}"
        return payload + issn.calc_check_digit(payload)

    def _accessions(self) -> None:
        """The accession register: one line per copy, its number, day, source and price (one statement)."""
        self.say("accessions")
        at = "acquired_on || ' 01:00:00'" if db.is_sqlite() else "acquired_on + TIME '01:00'"
        Accession._schema.drop_indexes()  # built once from all the rows, like the bulk tables'
        self.cursor.execute(
            'INSERT INTO "accession" ("number", "item_id", "received_on", "source", "price", "at", "staff_id") '
            f'SELECT "accession_number", "id", "acquired_on", "source", COALESCE("price", 0), {at}, '
            f'{db.database.param} FROM "item" WHERE "id" >= {db.database.param}', (self.clerk_id, self.item_base))
        Accession._schema.create_indexes()
        self.counts["accessions"] = self.counts["copies"]
        # the last two months' copies were catalogued on the day they came: the new-books
        # bulletin and the processing statistics have something to show
        since = date.fromordinal(self.today - 60).isoformat()
        self.cursor.execute(
            f'UPDATE "item" SET "catalogued_at" = {at}, "catalogued_by_id" = {db.database.param} '
            f'WHERE "acquired_on" >= {db.database.param} AND "id" >= {db.database.param}',
            (self.clerk_id, since, self.item_base))
