"""Readers and their cards: categories, names, departments, identity numbers and each card's history."""
from __future__ import annotations

from bisect import bisect
from datetime import date, timedelta

from stdnum.cn import ric

from counter_tui.demo.bulk_load import CHUNK, cumulative
from counter_tui.demo.clock import DAY
from counter_tui.demo.numbering import CARD_PREFIX, barcode_run
from counter_tui.demo.word_lists import (BLOCK_REASONS, CATEGORY_WEIGHTS, EN_FIRST, EN_LAST, EXTERNAL_GROUPS,
                                         FACULTIES_EN, FACULTIES_ZH, MAJORS, OFFICES, REGIONS, ZH_AUTHOR_ROLES,
                                         ZH_DOUBLE_SURNAMES, ZH_GIVEN, ZH_SURNAMES)
from counter_tui.models import CardEvent, Patron
from counter_tui.services import library_settings


class ReadersAndCards:
    """The builder's readers: plans who they are, then writes them and their cards (mixed into builder.Builder)."""

    def _plan_readers(self) -> None:
        """Each reader's category, card expiry and status."""
        rand, below = self.rand, self._below
        cat_cum = cumulative(w for _, w in CATEGORY_WEIGHTS)
        self.reader_category: list[int] = []  # index into category_codes
        self.reader_expires: list[int] = []
        self.reader_status: list[str] = []
        for _ in range(self.scale.readers):
            cat = bisect(cat_cum, rand() * cat_cum[-1])
            years = self.categories[self.category_codes[cat]].card_years
            if rand() < 0.03:
                expires = self.today - 1 - below(300)
            else:
                expires = self.today + 20 + below(365 * years - 20)
            roll = rand()
            status = "blocked" if roll < 0.01 else "card lost" if roll < 0.013 else "active"
            self.reader_category.append(cat)
            self.reader_expires.append(expires)
            self.reader_status.append(status)

    def _word_pools(self) -> None:
        """Names and author statements drawn once; titles and readers pick from them."""
        size = min(6000, 100 + self.scale.titles + self.scale.readers)
        self.zh_names = [self._chinese_name() for _ in range(size)]
        self.en_names = [f"{self._choice(EN_FIRST)} {self._choice(EN_LAST)}" for _ in range(size // 2)]
        self.zh_authors = []
        for _ in range(size):
            role = self._choice(ZH_AUTHOR_ROLES)
            name = self._chinese_name()
            if role == "编著" and self.rand() < 0.5:
                name += "，" + self._chinese_name()
            self.zh_authors.append(f"{name} {role}")
        self.en_authors = [self._choice(self.en_names) if self.rand() < 0.8 else
                           f"{self._choice(self.en_names)} and {self._choice(self.en_names)}" for _ in range(size // 2)]

    def _chinese_name(self) -> str:
        rand = self.rand
        if rand() < 0.01:
            surname = self._choice(ZH_DOUBLE_SURNAMES)
        else:  # the common surnames are at the front of the list
            surname = ZH_SURNAMES[min(int(self.rng.expovariate(1 / 18)), len(ZH_SURNAMES) - 1)]
        given = self._choice(ZH_GIVEN)
        if rand() < 0.7:
            given += self._choice(ZH_GIVEN)
        return surname + given

    def _readers(self) -> None:
        self._word_pools()
        rand, below, choice, text = self.rand, self._below, self._choice, self.clock.text
        n = self.scale.readers
        cards = barcode_run(CARD_PREFIX, 1, n, library_settings.settings().barcodes)
        table = self._table(Patron, (Patron.id, Patron.card, Patron.name, Patron.category, Patron.department,
                                     Patron.id_number, Patron.phone, Patron.email, Patron.expires_on,
                                     Patron.status, Patron.block_reason, Patron.notes, Patron.created_at))
        events = self._table(CardEvent, (CardEvent.patron, CardEvent.kind, CardEvent.card, CardEvent.at,
                                         CardEvent.staff, CardEvent.fee, CardEvent.expires_on, CardEvent.note))
        ids_used: set[str] = set()
        this_year = date.fromordinal(self.today).year
        base = self.patron_base
        for index in range(n):
            number = index + 1
            code = self.category_codes[self.reader_category[index]]
            english = rand() < (0.12 if code == "student" else 0.2)
            name = choice(self.en_names) if english else choice(self.zh_names)
            if code == "student":
                enrolled = this_year - below(4)
                department = (f"International Programme {enrolled}" if english else
                              f"{choice(MAJORS)} {enrolled}级{1 + below(4)}班")
                id_number = f"{enrolled}{number:08d}"
            elif code == "teacher":
                department = choice(FACULTIES_EN if english else FACULTIES_ZH)
                id_number = f"T{number:08d}"
            elif code == "staff":
                department = choice(OFFICES)
                id_number = f"E{number:08d}"
            else:
                department = choice(EXTERNAL_GROUPS)
                id_number = self._identity_card(ids_used)
            status = self.reader_status[index]
            email = (f"{name.lower().replace(' ', '.')}{number}@example.edu" if english
                     else f"r{number:06d}@example.edu.cn")
            expires = date.fromordinal(self.reader_expires[index]).isoformat()
            created = text(self.now_ts - (800 + below(1200)) * DAY)
            table.add(base + index, cards[index], name, self.categories[code].id, department, id_number,
                      f"1{choice('3578')}{below(10**9):09d}", email, expires, status,
                      choice(BLOCK_REASONS) if status == "blocked" else "", "", created)
            # the card's history: issued when the reader joined (with the expiry it has now)
            events.add(base + index, "issued", cards[index], created, self.clerk_id, 0, expires, "")
            if status == "card lost":
                events.add(base + index, "reported lost", cards[index], text(self.now_ts - (1 + below(90)) * DAY),
                           self.clerk_id, 0, None, "")
            if len(table.flat) >= CHUNK * table.width:
                table.flush(final=True)  # the readers first: their events refer to them
                events.flush(final=True)
        table.flush(final=True)
        events.flush(final=True)
        self.counts["readers"] = table.written
        self.counts["card_events"] = events.written

    def _identity_card(self, used: set[str]) -> str:
        """A resident identity card number with a valid check digit (python-stdnum)."""
        while True:
            born = date(1950, 1, 1) + timedelta(days=self._below(55 * 365))
            payload = f"{self._choice(REGIONS)}{born:%Y%m%d}{self._below(1000):03d}"
            number = payload + ric.calc_check_digit(payload + "0")
            if number not in used:
                used.add(number)
                return number
