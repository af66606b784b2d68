"""One build of a demo library: the plan of who and what, then the rows table by table, in one transaction."""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import peewee

from counter_tui import db
from counter_tui.demo.bulk_load import BULK_MODELS, Rows, SqliteBulkLoad, columns, next_id
from counter_tui.demo.calendar_and_rules import CalendarAndRules
from counter_tui.demo.catalogue import TitlesAndCopies
from counter_tui.demo.clock import Clock
from counter_tui.demo.fees import FinesAndPayments
from counter_tui.demo.loans import LoanHistory
from counter_tui.demo.numbering import move_id_sequences, set_number_series
from counter_tui.demo.parallel_build import Helpers
from counter_tui.demo.readers import ReadersAndCards
from counter_tui.demo.scale import DEMO, Scale
from counter_tui.demo.staff_accounts import DEMO_MARK, add_demo_accounts
from counter_tui.domain.calendar import local_date, utc_now
from counter_tui.models import Biblio, CardEvent, Item, Loan, Fee, Patron
from counter_tui.services import audit, library_settings
from counter_tui.services.errors import Refusal


def build(scale: Scale, now: datetime | None, seed: int, progress: Callable[[str], None] | None,
          helper_processes_from: int) -> dict[str, int]:
    """demo.build_library: the staff accounts, then every other row in one transaction."""
    now = (now or utc_now()).replace(microsecond=0)
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    say = progress or (lambda stage: None)
    if Biblio.select().exists() or Item.select().exists() or Patron.select().exists():
        raise Refusal("This library already has titles or readers; build the demo into a new database.")

    say("staff")
    clerk = add_demo_accounts(now)

    use_helpers = scale.copies >= helper_processes_from and db.is_sqlite()
    with Helpers(use_helpers) as helpers, SqliteBulkLoad():
        builder = Builder(scale, now, seed, clerk.id, say, helpers)
        try:
            with db.database.atomic():
                counts = builder.build()
                audit.record(clerk, DEMO_MARK, "library", None, now, new=counts)
                say("commit")
        finally:
            helpers.detach()
    if scale is DEMO:  # a few queues and a hold shelf to see at F7 and at check-in
        from counter_tui.services.circulation import holds
        counts["holds"] = holds.demo_holds(clerk, now, seed)
    return counts


class Builder(CalendarAndRules, TitlesAndCopies, ReadersAndCards, LoanHistory, FinesAndPayments):
    """One build: first a plan of who and what (cheap), then the rows, table by table.

    Days are ordinals and times integer seconds until they are written. Each subject's
    part (calendar and rules, titles and copies, readers, loans, fees) is a class of its
    own module, mixed in here; they share the plan through this object's attributes.
    """

    def __init__(self, scale: Scale, now: datetime, seed: int, clerk_id: int, say: Callable[[str], None],
                 helpers: Helpers):
        self.scale, self.now, self.seed, self.clerk_id, self.say = scale, now, seed, clerk_id, say
        self.helpers = helpers
        self.rng = random.Random(f"{seed}:plan")
        self.rand = self.rng.random
        self.tz = library_settings.settings().timezone
        self.now_ts = Clock.seconds(now)
        self.today = local_date(now, self.tz).toordinal()
        self.clock = Clock(self.tz, self.today)
        self.counts: dict[str, int] = {}

    def _below(self, n: int) -> int:
        return int(self.rand() * n)

    def _choice(self, seq: Sequence):
        return seq[int(self.rand() * len(seq))]

    def _table(self, model: type[peewee.Model], fields: Sequence[peewee.Field]) -> Rows:
        return Rows(self.cursor, model._meta.table_name, columns(fields), db.database.param)

    def build(self) -> dict[str, int]:
        self.cursor = self.helpers.cursor = db.database.cursor()
        # The barcodes need only their number: a helper can start on them at once.
        copies = self.helpers.start("copies", (self.scale.copies, library_settings.settings().barcodes), niceness=1)
        for model in BULK_MODELS:
            model._schema.drop_indexes()
        self.say("calendar")
        self._calendar()
        self._rules()
        self.say("plan")
        self._plan_titles()
        self._plan_readers()
        self._plan_copies()
        self._plan_open_loans()
        self.biblio_base, self.patron_base = next_id(Biblio), next_id(Patron)
        self.item_base, self.loan_base = next_id(Item), next_id(Loan)
        copies.provide(self._copies_plan())
        past_loans = [self.helpers.start("past_loans", niceness=8).provide(plan) for plan in self._past_loan_plans()]
        self.rng = random.Random(f"{self.seed}:text")  # the words come from a stream of their own
        self.rand = self.rng.random
        self.say("readers")
        self._readers()
        self.say("titles")
        self._titles()
        # Complete tables are indexed while the helpers may still be at work.
        self.say("indexes")
        for model in (Biblio, Patron, CardEvent):
            model._schema.create_indexes()
        self.say("copies")
        self.counts["copies"] = copies.result()
        Item._schema.create_indexes()
        self._accessions()
        self.say("loans")
        self._open_loans()
        self.late_returns = []
        self.counts["past_loans"] = 0
        for share in past_loans:
            written, late = share.result()
            self.counts["past_loans"] += written
            self.late_returns.extend(late)
        self.say("fees")
        self._fees()
        self.say("loan indexes")
        for model in (Loan, Fee):
            model._schema.create_indexes()
        set_number_series(self.scale.readers, len(self.item_title))
        move_id_sequences()
        return self.counts
