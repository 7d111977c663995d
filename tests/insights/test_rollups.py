"""The roll-ups stay equal to the records, whatever is written, moved, deleted or restored."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from burden.insights.models import FlagRollup, MonthlyRollup
from burden.insights.rollups import (
    Region,
    rollups_flags_queue,
    rollups_flags_refresh,
    rollups_rebuild,
    rollups_refresh,
)
from burden.ledger.importer import LedgerImport
from burden.models import CostParameters, Violation
from burden.record_views import record_configs
from burden.services import cost_parameters_update, record_delete, record_restore, record_save
from documents.models import Document
from meetings.models import Meeting
from secondments.models import Secondment
from secondments.services import extension_delete, secondment_extend
from tests.record_factories.datarequests import DataRequestFactory
from tests.record_factories.documents import DocumentFactory
from tests.record_factories.inspections import InspectionFactory
from tests.record_factories.meetings import MeetingFactory
from tests.record_factories.secondments import SecondmentFactory

from .recompute import cells_from_records, cells_in_rollups, flags_from_violations, flags_in_rollups

FACTORIES = [MeetingFactory, DocumentFactory, InspectionFactory, SecondmentFactory, DataRequestFactory]
TRACES = ["photo", "checkin", "material"]


@pytest.fixture
def write(django_capture_on_commit_callbacks):
    """Run a service as the request would: its after-commit work (evaluation, roll-ups) runs at the end."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


class RandomWriter:
    """Random creates, edits, moves, deletes, restores and extensions, all through the services."""

    def __init__(self, rng, tree, user, write):
        self.rng, self.user, self.write = rng, user, write
        self.units = [tree.a, tree.b, tree.c, tree.s1]
        self.sources = [tree.dept, tree.d2, tree.s2, None]
        self.live: list = []
        self.deleted: list = []

    def day(self) -> datetime.date:
        # Two years, so records move between years and months.
        return datetime.date(self.rng.choice([2025, 2026]), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def place(self, record) -> None:
        record.unit = self.rng.choice(self.units)
        record.source_unit = self.rng.choice(self.sources)
        record.trace_requirements = self.rng.sample(TRACES, self.rng.randint(0, 2))
        start = self.day()
        setattr(record, record.date_field, start)
        if isinstance(record, Secondment):
            record.planned_end_date = start + datetime.timedelta(days=self.rng.randint(10, 150))
            record.returned_on = self.rng.choice([None, start + datetime.timedelta(days=self.rng.randint(0, 40))])
        for deadline in ("deadline", "response_deadline"):
            if hasattr(record, deadline):
                setattr(record, deadline, start + datetime.timedelta(days=10))
        if isinstance(record, Meeting):
            record.duration_minutes = self.rng.choice([45, 90, 150])  # over 90 minutes is flagged
        if isinstance(record, Document):
            record.handling_minutes = self.rng.choice([None, 20, 75])
            record.matters = self.rng.choice([1, 1, 3])  # a bundle counts as each of its matters

    def create(self) -> None:
        record = self.rng.choice(FACTORIES).build()
        self.place(record)
        self.live.append(self.write(record_save, record=record, user=self.user))

    def edit(self) -> None:
        stored = self.rng.choice(self.live)
        record = type(stored).objects.get(pk=stored.pk)
        self.place(record)
        self.write(record_save, record=record, user=self.user)

    def delete(self) -> None:
        record = self.live.pop(self.rng.randrange(len(self.live)))
        self.write(record_delete, record=type(record).objects.get(pk=record.pk), user=self.user)
        self.deleted.append(record)

    def restore(self) -> None:
        record = self.deleted.pop(self.rng.randrange(len(self.deleted)))
        historical = type(record).history.filter(id=record.pk, history_type="-").latest("history_date")
        self.live.append(self.write(record_restore, historical=historical, user=self.user))

    def extend_or_shorten(self) -> None:
        secondments = [r for r in self.live if isinstance(r, Secondment)]
        if not secondments:
            return
        secondment = Secondment.objects.get(pk=self.rng.choice(secondments).pk)
        extension = secondment.extensions.order_by("-new_end_date").first()
        if extension is not None and self.rng.random() < 0.5:
            self.write(extension_delete, extension=extension, user=self.user)
            return
        new_end = secondment.effective_end_date + datetime.timedelta(days=self.rng.randint(20, 70))
        self.write(secondment_extend, secondment=secondment, new_end_date=new_end, user=self.user)

    def step(self) -> None:
        choices = ["create"] * 3 + (["edit", "edit", "delete", "extend_or_shorten"] if self.live else [])
        choices += ["restore"] if self.deleted else []
        getattr(self, self.rng.choice(choices))()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_a_recomputation_after_random_writes(tree, personas, write, seed):
    writer = RandomWriter(random.Random(seed), tree, personas.superuser, write)
    for _ in range(60):
        writer.step()
    expected = cells_from_records()
    assert Violation.objects.open().exists(), "the series should have flagged something"
    assert any(cell["flagged"] for cell in expected.values())
    assert cells_in_rollups() == expected
    assert flags_in_rollups() == flags_from_violations()
    rollups_rebuild()
    assert cells_in_rollups() == expected
    assert flags_in_rollups() == flags_from_violations()


def test_a_moved_record_leaves_its_old_cell(tree, personas, write):
    meeting = MeetingFactory.build(unit=tree.a, source_unit=tree.dept, date=datetime.date(2026, 3, 2))
    write(record_save, record=meeting, user=personas.staff_a)
    assert list(MonthlyRollup.objects.values_list("unit__code", "month", "records")) == [
        ("A", datetime.date(2026, 3, 1), 1)
    ]
    meeting.unit, meeting.date = tree.b, datetime.date(2026, 4, 20)
    write(record_save, record=meeting, user=personas.supervisor)
    assert list(MonthlyRollup.objects.values_list("unit__code", "month", "records", "hours")) == [
        ("B", datetime.date(2026, 4, 1), 1, Decimal("4.00"))
    ]


def test_flag_counts_follow_the_rules(tree, personas, write):
    meeting = MeetingFactory.build(unit=tree.a, duration_minutes=150, trace_requirements=["photo"])
    write(record_save, record=meeting, user=personas.staff_a)
    cell = MonthlyRollup.objects.get()
    assert (cell.records, cell.flagged, cell.photo) == (1, 1, 1)
    meeting.duration_minutes, meeting.trace_requirements = 60, []
    write(record_save, record=meeting, user=personas.staff_a)
    cell = MonthlyRollup.objects.get()
    assert (cell.records, cell.flagged, cell.photo) == (1, 0, 0)


def test_a_document_bundling_matters_counts_as_each_of_them_whatever_its_label(tree, personas, write):
    bundle = DocumentFactory.build(unit=tree.a, matters=3, labelled_as="memo", trace_requirements=["photo"])
    write(record_save, record=bundle, user=personas.staff_a)
    write(record_save, record=DocumentFactory.build(unit=tree.a, labelled_as="white_head"), user=personas.staff_a)
    cell = MonthlyRollup.objects.get()
    assert (cell.records, cell.photo) == (4, 3)
    assert cells_in_rollups() == cells_from_records()
    bundle.matters = 1
    write(record_save, record=bundle, user=personas.staff_a)
    assert MonthlyRollup.objects.get().records == 2


def test_a_secondments_hours_fall_in_the_months_it_lasts_and_follow_its_extensions(tree, personas, write):
    secondment = SecondmentFactory.build(
        unit=tree.a, start_date=datetime.date(2026, 3, 30), planned_end_date=datetime.date(2026, 4, 3)
    )
    write(record_save, record=secondment, user=personas.staff_a)
    by_month = dict(MonthlyRollup.objects.values_list("month", "hours"))
    # Mon 30 and Tue 31 March, Wed 1 to Fri 3 April: 2 and 3 working days of 8 hours.
    assert by_month == {datetime.date(2026, 3, 1): Decimal("16.00"), datetime.date(2026, 4, 1): Decimal("24.00")}
    extension = write(
        secondment_extend, secondment=secondment, new_end_date=datetime.date(2026, 5, 1), user=personas.staff_a
    )
    assert set(MonthlyRollup.objects.values_list("month", flat=True)) == {
        datetime.date(2026, 3, 1),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 5, 1),
    }
    write(extension_delete, extension=extension, user=personas.staff_a)
    assert dict(MonthlyRollup.objects.values_list("month", "hours")) == by_month
    assert MonthlyRollup.objects.get(month=datetime.date(2026, 3, 1)).records == 1
    assert MonthlyRollup.objects.get(month=datetime.date(2026, 4, 1)).records == 0


def test_a_ledger_import_updates_the_rollups(tree, personas, django_capture_on_commit_callbacks):
    existing = MeetingFactory(unit=tree.a, date=datetime.date(2026, 1, 5), external_id="L-1")
    rows = [
        "title,date,unit,source_unit,duration_minutes,attendees,mode,external_id",
        "moved,2026-02-02,A,D1-EDU,60,2,online,L-1",
        "new,2026-02-03,A,,30,1,online,L-2",
    ]
    content = "\n".join(rows).encode()
    config = next(config for config in record_configs() if config.model is Meeting)
    importer = LedgerImport(config, user=personas.staff_a, open_file=lambda: __import__("io").BytesIO(content))
    with django_capture_on_commit_callbacks(execute=True):
        result = importer.run()
    assert result.ok, result.errors
    assert Meeting.objects.get(pk=existing.pk).date == datetime.date(2026, 2, 2)
    assert cells_in_rollups() == cells_from_records()
    assert set(MonthlyRollup.objects.values_list("month", flat=True)) == {datetime.date(2026, 2, 1)}


def test_a_new_working_day_rebuilds_the_secondments_hours(tree, personas, write):
    secondment = SecondmentFactory.build(unit=tree.a, start_date=datetime.date(2026, 3, 2))
    write(record_save, record=secondment, user=personas.staff_a)
    params = CostParameters.current()
    params.hours_per_working_day = Decimal("7.5")
    write(cost_parameters_update, params=params, user=personas.superuser)
    assert cells_in_rollups() == cells_from_records()
    assert MonthlyRollup.objects.get(month=datetime.date(2026, 3, 1)).hours == Decimal("165.00")  # 22 days x 7.5


def test_a_sweep_recounts_flags_everywhere(tree, personas):
    meeting = MeetingFactory(unit=tree.a, duration_minutes=150)  # saved past the services: no roll-up yet
    rollups_rebuild()
    assert MonthlyRollup.objects.get().flagged == 0
    from burden.tasks import sweep_rules

    sweep_rules.delay()
    assert MonthlyRollup.objects.get().flagged == 1
    assert FlagRollup.objects.get(rule="MTG-DURATION").open_flags == 1
    Violation.objects.filter(record_id=meeting.pk).update(status=Violation.Status.WAIVED)
    rollups_flags_refresh()
    assert MonthlyRollup.objects.get().flagged == 0
    assert not FlagRollup.objects.exists()


def test_a_review_queues_a_recount_of_its_units(tree, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(unit=tree.a, duration_minutes=150)
    from burden.tasks import sweep_rules

    sweep_rules.delay()
    rollups_rebuild()
    assert MonthlyRollup.objects.get().flagged == 1
    flags = list(Violation.objects.filter(record_id=meeting.pk))
    with django_capture_on_commit_callbacks(execute=True):
        Violation.objects.filter(pk__in=[v.pk for v in flags]).update(status=Violation.Status.RESOLVED)
        rollups_flags_queue(flags)
    assert MonthlyRollup.objects.get().flagged == 0
    assert not FlagRollup.objects.exists()


def test_a_refresh_runs_the_same_statements_however_many_records_a_cell_has(tree):
    def statements() -> int:
        region = Region()
        region.add(Document, tree.a.pk, datetime.date(2026, 3, 2))
        region.add(Secondment, tree.a.pk, None)
        with CaptureQueriesContext(connection) as queries:
            rollups_refresh(region)
        return len(queries)

    DocumentFactory(unit=tree.a)
    SecondmentFactory(unit=tree.a)
    few = statements()
    DocumentFactory.create_batch(30, unit=tree.a, source_unit=tree.dept)
    SecondmentFactory.create_batch(10, unit=tree.a)
    assert statements() == few
    assert cells_in_rollups() == cells_from_records()


def test_an_evaluation_that_finishes_after_the_refresh_still_counts_its_flags(tree):
    # With a worker, the roll-up refresh and the evaluation run in either order.
    from burden.tasks import evaluate_record

    meeting = MeetingFactory(unit=tree.a, duration_minutes=150)
    rollups_rebuild()
    assert MonthlyRollup.objects.get().flagged == 0
    evaluate_record.delay("meeting", meeting.pk)
    assert MonthlyRollup.objects.get().flagged == 1
