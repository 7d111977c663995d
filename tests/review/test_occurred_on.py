"""The burden's date (``occurred_on``): the record's date or its group's, in reports, the queue and the API.

``first_seen`` says when the rules engine found a flag; ``occurred_on`` when the burden
fell, so a record dated in November and entered in December is November's.
"""

import datetime
import importlib

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from burden.insights.forms import report_period
from burden.insights.reports import report_build
from burden.models import Violation
from burden.review.selectors import day_start
from burden.rules.engine import evaluate_record, sweep
from burden.services import record_save
from meetings.models import Meeting
from tests.factories import ViolationFactory
from tests.record_factories.datarequests import DataRequestFactory
from tests.record_factories.documents import DocumentFactory
from tests.record_factories.inspections import InspectionFactory
from tests.record_factories.meetings import MeetingFactory
from tests.record_factories.secondments import SecondmentFactory

D = datetime.date
TODAY = D(2026, 12, 31)


def flag(rule, record):
    """The one violation of ``rule`` the record takes part in (its own, or its group's)."""
    return Violation.objects.filter(rule=rule).touching(record.record_kind, record.pk).get()


# --- what the rules engine writes -----------------------------------------------------------


def test_a_record_rules_flag_is_dated_by_its_records_date_for_every_kind(tree):
    photos = {"unit": tree.a, "trace_requirements": ["photo"]}
    records = [
        MeetingFactory(date=D(2025, 11, 3), **photos),
        DocumentFactory(received_on=D(2025, 11, 4), **photos),
        InspectionFactory(date=D(2025, 11, 5), **photos),
        SecondmentFactory(start_date=D(2025, 11, 6), **photos),
        DataRequestFactory(date=D(2025, 11, 7), **photos),
    ]
    sweep(TODAY, codes=["TRACE-BANNED"])
    assert {record.record_kind: flag("TRACE-BANNED", record).occurred_on for record in records} == {
        "meeting": D(2025, 11, 3),
        "document": D(2025, 11, 4),
        "inspection": D(2025, 11, 5),
        "secondment": D(2025, 11, 6),
        "data_request": D(2025, 11, 7),
    }
    assert all(timezone.localdate(flag("TRACE-BANNED", r).first_seen) == timezone.localdate() for r in records)


def test_the_flag_moves_with_the_records_date_even_once_waived(tree, personas, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(unit=tree.a, date=D(2025, 11, 28), duration_minutes=120)
    evaluate_record("meeting", meeting.pk)
    assert flag("MTG-DURATION", meeting).occurred_on == D(2025, 11, 28)
    Violation.objects.update(status=Violation.Status.WAIVED)

    meeting = Meeting.objects.get(pk=meeting.pk)
    meeting.date = D(2025, 12, 2)
    with django_capture_on_commit_callbacks(execute=True):
        record_save(record=meeting, user=personas.staff_a)
    violation = flag("MTG-DURATION", meeting)
    assert (violation.occurred_on, violation.status) == (D(2025, 12, 2), "waived")


def test_a_unit_days_documents_are_dated_by_that_day(tree):
    documents = [DocumentFactory(unit=tree.a, received_on=D(2025, 11, 14)) for _ in range(11)]
    sweep(TODAY, codes=["DOC-DAILY"])
    assert {flag("DOC-DAILY", document).occurred_on for document in documents} == {D(2025, 11, 14)}


def test_visits_beyond_the_limit_are_dated_by_their_quarter(tree):
    InspectionFactory(unit=tree.a, source_unit=tree.dept, date=D(2025, 11, 5))
    second = InspectionFactory(unit=tree.a, source_unit=tree.dept, date=D(2025, 12, 20))
    sweep(TODAY, codes=["INS-FREQUENCY"])
    assert flag("INS-FREQUENCY", second).occurred_on == D(2025, 10, 1)


def test_accompanying_attendances_beyond_the_limit_are_dated_by_their_year(tree):
    MeetingFactory(unit=tree.a, date=D(2025, 3, 1), attendees=51, accompanying=50)
    over = MeetingFactory(unit=tree.a, date=D(2025, 11, 3), attendees=2, accompanying=1)
    sweep(TODAY, codes=["MTG-ACCOMPANY"])
    assert flag("MTG-ACCOMPANY", over).occurred_on == D(2025, 1, 1)


def test_too_large_a_share_seconded_is_dated_by_the_busiest_day(tree):
    # Community A has 12 staff: 4 away at once (from 10 November) is more than a quarter.
    away = [
        SecondmentFactory(unit=tree.a, start_date=start, planned_end_date=D(2026, 1, 31))
        for start in (D(2025, 11, 1), D(2025, 11, 3), D(2025, 11, 5), D(2025, 11, 10))
    ]
    sweep(TODAY, codes=["SEC-SHARE"])
    assert {flag("SEC-SHARE", secondment).occurred_on for secondment in away} == {D(2025, 11, 10)}


def test_a_person_not_back_is_dated_by_the_first_day_past_the_term(tree):
    secondment = SecondmentFactory(unit=tree.a, start_date=D(2025, 8, 1), planned_end_date=D(2025, 10, 31))
    sweep(TODAY, codes=["SEC-OVERDUE"])
    assert flag("SEC-OVERDUE", secondment).occurred_on == D(2025, 11, 1)


# --- reports ---------------------------------------------------------------------------------


def test_a_record_dated_in_november_and_entered_in_december_is_novembers(tree, personas):
    # Entered (and found) on 2 December; held on 30 November. Another one held on 1 December.
    november = MeetingFactory(unit=tree.a, date=D(2025, 11, 30), duration_minutes=120)
    december = MeetingFactory(unit=tree.a, date=D(2025, 12, 1), duration_minutes=120)
    sweep(TODAY, codes=["MTG-DURATION"])
    found = day_start(D(2025, 12, 2)) + datetime.timedelta(hours=9)
    Violation.objects.update(first_seen=found, last_seen=found)
    for violation in Violation.objects.all():
        violation.events.update(at=found)

    def counted(month):
        report = report_build(personas.supervisor, tree.s1, "monthly", report_period("monthly", month))
        return {flags.rule: dict(flags.by_status) for flags in report.flags}

    assert flag("MTG-DURATION", november).occurred_on == D(2025, 11, 30)
    assert counted("2025-11") == {"MTG-DURATION": {"open": 1}}
    assert counted("2025-12") == {"MTG-DURATION": {"open": 1}}
    Meeting.objects.filter(pk=december.pk).update(date=D(2026, 1, 2))
    sweep(TODAY, codes=["MTG-DURATION"])
    assert counted("2025-12") == {}
    assert counted("2026-01") == {"MTG-DURATION": {"open": 1}}


# --- the queue and the flag's page -------------------------------------------------------------


def test_the_queue_filters_and_sorts_by_the_burdens_date_and_shows_it(client, tree, personas):
    old = ViolationFactory(record=MeetingFactory(unit=tree.a, date=D(2025, 10, 31)))
    new = ViolationFactory(record=MeetingFactory(unit=tree.a, date=D(2025, 11, 1)))
    client.force_login(personas.supervisor)
    url = reverse("review:violation_list")

    def rows(**params):
        return [row.pk for row in client.get(url, params).context["rows"]]

    assert rows(occurred_from="2025-11-01") == [new.pk]
    assert rows(occurred_to="2025-10-31") == [old.pk]
    assert rows(occurred_from="2025-10-01", occurred_to="2025-11-30", sort="occurred_on") == [old.pk, new.pk]
    assert rows(sort="-occurred_on") == [new.pk, old.pk]
    page = client.get(reverse("review:violation_detail", args=[new.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Occurred on" in page.content.decode()
    assert page.context["violation"].occurred_on == D(2025, 11, 1)


# --- the API ---------------------------------------------------------------------------------


def test_the_api_gives_the_burdens_date_and_filters_by_it(tree, personas):
    old = ViolationFactory(record=MeetingFactory(unit=tree.a, date=D(2025, 10, 31)))
    new = ViolationFactory(record=MeetingFactory(unit=tree.a, date=D(2025, 11, 1)))
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user=personas.supervisor)
    body = client.get(f"/api/v1/violations/{new.pk}/").json()
    assert body["occurred_on"] == "2025-11-01"

    def ids(**params):
        return [row["id"] for row in client.get("/api/v1/violations/", params).json()["results"]]

    assert ids(occurred_from="2025-11-01") == [new.pk]
    assert ids(occurred_to="2025-10-31") == [old.pk]
    assert sorted(ids(occurred_from="2025-10-31", occurred_to="2025-11-01")) == [old.pk, new.pk]
    assert client.get("/api/v1/violations/", {"occurred_from": "soon"}).status_code == 400


def test_the_schema_documents_the_field_and_the_filters(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    violation = schema["components"]["schemas"]["Violation"]["properties"]["occurred_on"]
    assert (violation["type"], violation["format"], violation["readOnly"]) == ("string", "date", True)
    listing = schema["paths"]["/api/v1/violations/"]["get"]["parameters"]
    assert {"occurred_from", "occurred_to"} <= {parameter["name"] for parameter in listing}


# --- the migration -----------------------------------------------------------------------------


def test_the_migration_dates_existing_flags_by_their_records_and_groups(tree):
    from django.apps import apps

    fill = importlib.import_module("burden.migrations.0015_violation_occurred_on").occurred_on_fill
    meeting = MeetingFactory(unit=tree.a, date=D(2025, 11, 30))
    document = DocumentFactory(unit=tree.a, received_on=D(2025, 11, 4))
    visit = InspectionFactory(unit=tree.a, date=D(2025, 11, 20))
    secondment = SecondmentFactory(unit=tree.a, start_date=D(2025, 8, 1))
    wrong = D(2000, 1, 1)
    made = {
        "meeting": ViolationFactory(record=meeting, occurred_on=wrong),
        "document": ViolationFactory(record=document, rule="DOC-LENGTH", occurred_on=wrong),
        "quarter": ViolationFactory(record=visit, rule="INS-FREQUENCY", occurred_on=wrong),
        "year": ViolationFactory(record=meeting, rule="MTG-ACCOMPANY", occurred_on=wrong),
        "share": ViolationFactory(
            record=secondment, rule="SEC-SHARE", details={"day": "2025-09-03"}, occurred_on=wrong
        ),
        "overdue": ViolationFactory(
            record=secondment, rule="SEC-OVERDUE", details={"end": "2025-10-31"}, occurred_on=wrong
        ),
    }
    fill(apps, None)
    dates = {name: Violation.objects.get(pk=violation.pk).occurred_on for name, violation in made.items()}
    assert dates == {
        "meeting": D(2025, 11, 30),
        "document": D(2025, 11, 4),
        "quarter": D(2025, 10, 1),
        "year": D(2025, 1, 1),
        "share": D(2025, 9, 3),
        "overdue": D(2025, 11, 1),
    }


@pytest.mark.parametrize("sort", ["occurred_on", "-occurred_on"])
def test_the_queue_sorted_by_date_costs_the_same_for_two_flags_or_thirty(client, tree, personas, sort):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.supervisor)
    url = reverse("review:violation_list")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"sort": sort, "occurred_from": "2025-01-01"}).status_code == 200
        return len(captured)

    for _ in range(2):
        ViolationFactory(record=MeetingFactory(unit=tree.a, date=D(2025, 11, 1)))
    few = queries()
    for _ in range(28):
        ViolationFactory(record=MeetingFactory(unit=tree.b, date=D(2025, 11, 2)))
    assert queries() == few
