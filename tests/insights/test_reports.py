"""Monthly summaries and quarterly briefings: numbers, flags, secondments, scoping, the spreadsheet and its jobs.

The data: ``burden`` (tests/insights/conftest.py) plus, on the supervisor's units in
early 2024, a document in February, a data request in March, secondments around the
end of March and flags raised in February and March with known outcomes. Burden
numbers are checked against ``recompute.cells_from_records`` (Python over the
records, independent of the roll-ups' SQL); flag outcomes against a walk over each
flag's timeline.
"""

import datetime
import io
import re
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from burden.costs import cost
from burden.insights.forms import Period, report_period, report_period_default
from burden.insights.models import IncreaseExplanation, ReductionTarget, ReportJob
from burden.insights.report_jobs import report_job_run
from burden.insights.rollups import rollups_rebuild
from burden.models import CostParameters, Membership, Unit, Violation, ViolationEvent
from tests.factories import UnitFactory
from tests.record_factories.datarequests import DataRequestFactory
from tests.record_factories.documents import DocumentFactory
from tests.record_factories.secondments import ExtensionFactory, SecondmentFactory

from .conftest import s2_issues_more_inspections
from .recompute import cells_from_records
from .test_pages import _more_burden


@pytest.fixture(autouse=True)
def _english(client):
    """These tests read English words; tests/test_translations.py checks the Chinese pages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


MARCH = {"kind": "monthly", "period": "2024-03"}
Q1 = {"kind": "quarterly", "period": "2024-Q1"}
Q2 = {"kind": "quarterly", "period": "2024-Q2"}


def at(month, day, hour=10, minute=0, year=2024):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def flag(unit, rule, seen, *steps, record_id):
    """A flag first seen at ``seen`` whose timeline then moves through ``steps`` ((status, when) pairs)."""
    status = steps[-1][0] if steps else Violation.Status.OPEN
    violation = Violation.objects.create(
        rule=rule,
        record_kind="meeting",
        record_id=record_id,
        unit=unit,
        status=status,
        last_seen=seen,
        occurred_on=timezone.localdate(seen),
    )
    Violation.objects.filter(pk=violation.pk).update(first_seen=seen)
    previous = ""
    for to_status, when in [(Violation.Status.OPEN, seen), *steps]:
        event = ViolationEvent.objects.create(violation=violation, from_status=previous, to_status=to_status)
        ViolationEvent.objects.filter(pk=event.pk).update(at=when)
        previous = to_status
    return violation


@pytest.fixture
def reports(tree, burden):
    """The report data set on top of ``burden`` (see the module docstring)."""
    DocumentFactory(unit=tree.a, source_unit=tree.d2, received_on=datetime.date(2024, 2, 12), handling_minutes=30)
    DataRequestFactory(unit=tree.b, source_unit=tree.dept, date=datetime.date(2024, 3, 14))
    day = datetime.date
    # Away on 31 March: A1 and A2 (extended) until April, A3 overdue since 15 March, B2 until May.
    SecondmentFactory(person_name="A1", unit=tree.a, start_date=day(2024, 2, 1), planned_end_date=day(2024, 4, 15))
    a2 = SecondmentFactory(
        person_name="A2", unit=tree.a, start_date=day(2024, 1, 15), planned_end_date=day(2024, 3, 25)
    )
    ExtensionFactory(secondment=a2, new_end_date=day(2024, 4, 20), approved_on=day(2024, 3, 20))
    SecondmentFactory(person_name="A3", unit=tree.a, start_date=day(2024, 1, 2), planned_end_date=day(2024, 3, 15))
    SecondmentFactory(
        person_name="B1",
        unit=tree.b,
        start_date=day(2024, 1, 10),
        planned_end_date=day(2024, 3, 20),
        returned_on=day(2024, 3, 20),
    )
    SecondmentFactory(person_name="B2", unit=tree.b, start_date=day(2024, 3, 1), planned_end_date=day(2024, 5, 31))
    SecondmentFactory(person_name="C1", unit=tree.c, start_date=day(2024, 3, 1), planned_end_date=day(2024, 4, 10))
    S = Violation.Status
    # Ids no record of the fixtures can have: PostgreSQL's sequences are not reset between
    # tests, so a small id could be a real meeting whose own flag the rules already wrote.
    flag(tree.a, "MTG-DURATION", at(3, 5), record_id=900_000_901)
    acknowledged = flag(tree.b, "MTG-DURATION", at(3, 6), (S.ACKNOWLEDGED, at(3, 10)), record_id=900_000_902)
    comment = ViolationEvent.objects.create(violation=acknowledged, note="on it")  # a comment moves nothing
    ViolationEvent.objects.filter(pk=comment.pk).update(at=at(3, 12))
    flag(tree.a, "MTG-DURATION", at(3, 7), (S.ACKNOWLEDGED, at(3, 8)), (S.RESOLVED, at(3, 20)), record_id=900_000_903)
    flag(tree.a, "TRACE-BANNED", at(3, 9), (S.WAIVED, at(3, 25)), record_id=900_000_904)
    # Raised in the last minutes of March, resolved in the first of April: open when March ends.
    flag(tree.b, "TRACE-BANNED", at(3, 31, 23, 30), (S.RESOLVED, at(4, 1, 0, 10)), record_id=900_000_905)
    flag(tree.a, "DOC-LENGTH", at(3, 11), (S.CLEARED, at(3, 15)), record_id=900_000_906)
    flag(tree.a, "DOC-LENGTH", at(2, 28), record_id=900_000_907)  # February: in the first quarter, not in March
    flag(tree.c, "MTG-DURATION", at(3, 5), record_id=900_000_908)  # outside the supervisor's units
    rollups_rebuild()


def report_get(client, user, language="en", **params):
    client.force_login(user)
    return client.get(reverse("insights:report_view"), params, HTTP_ACCEPT_LANGUAGE=language)


# --- recomputations, from the records and the timelines -------------------------------------


def burden_from_records(unit: Unit, period: Period) -> dict[str, dict]:
    """Hours, cost and records per kind (and "total") on ``unit``'s subtree in ``period``, from the records."""
    params = CostParameters.current()
    units = {pk: (path, level) for pk, path, level in Unit.objects.values_list("pk", "path", "level")}
    sums = defaultdict(lambda: {"hours": Decimal(0), "cost": Decimal(0), "records": 0})
    for (unit_id, _source, kind, month), cell in cells_from_records().items():
        path, level = units[unit_id]
        if path.startswith(unit.path) and month in period:
            for key in (kind, "total"):
                sums[key]["hours"] += cell["hours"]
                sums[key]["cost"] += cost(cell["hours"], params.tariff_for(level))
                sums[key]["records"] += cell["records"]
    return sums


def sources_from_records(unit: Unit, period: Period) -> list[tuple[str, Decimal, int]]:
    """(source code, hours, records) of each department on ``unit``'s subtree in ``period``, most hours first."""
    units = {pk: (code, path) for pk, code, path in Unit.objects.values_list("pk", "code", "path")}
    sums = defaultdict(lambda: [Decimal(0), 0])
    for (unit_id, source_id, _kind, month), cell in cells_from_records().items():
        if source_id and units[unit_id][1].startswith(unit.path) and month in period:
            sums[units[source_id][0]][0] += cell["hours"]
            sums[units[source_id][0]][1] += cell["records"]
    ranked = sorted(sums.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return [(code, hours, records) for code, (hours, records) in ranked if hours or records]


def flags_from_timelines(unit: Unit, period: Period) -> dict[str, dict[str, int]]:
    """Rule -> status at the period's end -> flags whose burden fell in it, walking each timeline in Python."""
    end = timezone.make_aware(datetime.datetime.combine(period.last_day, datetime.time.max))
    counts = defaultdict(lambda: defaultdict(int))
    for violation in Violation.objects.filter(unit__path__startswith=unit.path).prefetch_related("events"):
        if not period.start <= violation.occurred_on <= period.last_day:
            continue
        status = "open"
        for event in sorted(violation.events.all(), key=lambda event: (event.at, event.pk)):
            if event.at <= end and event.to_status:
                status = event.to_status
        counts[violation.rule][status] += 1
    return {rule: dict(statuses) for rule, statuses in counts.items()}


def as_decimal(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "code"), [("supervisor", "S1"), ("supervisor", "B"), ("admin", "CITY"), ("staff_a", "A")]
)
@pytest.mark.parametrize("params", [MARCH, Q1, Q2], ids=["march", "q1", "q2"])
def test_the_burden_equals_the_records_in_the_period_the_one_before_and_a_year_earlier(
    client, personas, tree, reports, persona, code, params
):
    report = report_get(client, getattr(personas, persona), unit=code, **params).context["report"]
    unit = Unit.objects.get(code=code)
    period = report_period(params["kind"], params["period"])
    assert report.period == period
    expected = {
        "current": burden_from_records(unit, period),
        "preceding": burden_from_records(unit, period.preceding),
        "last_year": burden_from_records(unit, period.previous),
    }
    assert expected["current"]["total"]["hours"] > 0  # something to compare in every case
    for item in [*report.burden, report.total]:
        for measure in ("hours", "cost", "records"):
            comparison = item.compare(measure)
            for column, sums in expected.items():
                wanted = sums[item.kind][measure] if item.kind in sums else 0
                assert as_decimal(getattr(comparison, column)) == as_decimal(wanted), (item.kind, measure, column)


def test_a_monthly_summary_compares_with_the_month_before_and_the_same_month_a_year_earlier(client, personas, reports):
    report = report_get(client, personas.supervisor, **MARCH).context["report"]
    assert (report.period_label, report.preceding_label, report.last_year_label) == (
        "March 2024",
        "February 2024",
        "March 2023",
    )
    documents = next(item for item in report.burden if item.kind == "document")
    # 1 h in March 2024 (A), 0.5 h in February, none in March 2023 (three in April 2023).
    assert (documents.hours.current, documents.hours.preceding, documents.hours.last_year) == (
        Decimal("1.00"),
        Decimal("0.50"),
        0,
    )
    assert documents.hours.change_preceding == Decimal("100.0")
    assert documents.hours.change_last_year is None
    meetings = next(item for item in report.burden if item.kind == "meeting")
    assert (meetings.records.current, meetings.records.last_year, meetings.records.change_last_year) == (1, 1, 0)


def test_a_quarterly_briefing_compares_with_the_quarter_before_and_the_same_quarter_a_year_earlier(
    client, personas, reports
):
    report = report_get(client, personas.supervisor, **Q2).context["report"]
    assert report.period == Period(datetime.date(2024, 4, 1), datetime.date(2024, 6, 1))
    assert (report.period_label, report.preceding_label, report.last_year_label, report.following_label) == (
        "Q2 2024",
        "Q1 2024",
        "Q2 2023",
        "Q3 2024",
    )
    documents = next(item for item in report.burden if item.kind == "document")
    assert (documents.records.current, documents.records.preceding, documents.records.last_year) == (1, 2, 3)
    assert documents.records.change_preceding == Decimal("-50.0")
    assert documents.records.change_last_year == Decimal("-66.7")


def test_the_page_shows_the_numbers_of_the_report(client, personas, reports):
    response = report_get(client, personas.supervisor, **Q1)
    report, cells = response.context["report"], burden_cells(response)
    for item in [*report.burden, report.total]:
        comparison = item.compare("hours")
        assert cells["hours"][item.kind]["current"] == comparison.current
        assert cells["hours"][item.kind]["last_year"] == comparison.last_year
        change = comparison.change_preceding
        assert cells["hours"][item.kind]["change_preceding"] == ("" if change is None else change)
    assert cells["records"]["total"]["current"] == report.total.records.current > 0


def test_trace_demands_are_counted_by_kind(client, personas, reports):
    report = report_get(client, personas.supervisor, **MARCH).context["report"]
    meetings = next(item for item in report.traces if item.kind == "meeting")
    assert (meetings.current.photo, meetings.current.traces) == (1, 1)  # the photo demanded in March
    assert report.traces[-1].kind == "total"
    assert report.traces[-1].current.traces == 1


def test_the_departments_are_ranked_by_the_hours_they_imposed_with_counts_by_kind(client, personas, tree, reports):
    for params in (MARCH, Q2):
        report = report_get(client, personas.supervisor, **params).context["report"]
        period = report_period(params["kind"], params["period"])
        shown = [(row.source.code, row.total.hours, row.total.records) for row in report.sources]
        assert shown == sources_from_records(tree.s1, period)
    report = report_get(client, personas.supervisor, **Q2).context["report"]
    assert [row.source.code for row in report.sources] == ["S2", "D2"]
    s2 = report.sources[0]
    assert dict(zip([kind for kind, _label in report_kinds()], s2.kind_records, strict=True))["inspection"] == 1


def report_kinds():
    from burden.insights.selectors import kinds

    return kinds()


def test_departments_that_issued_more_than_a_year_earlier_are_listed_with_their_explanation(
    client, personas, tree, reports
):
    s2_issues_more_inspections(tree)
    unexplained = report_get(client, personas.supervisor, **Q2)
    assert "no explanation yet" in unexplained.content.decode()
    IncreaseExplanation.objects.create(
        source_unit=tree.s2, record_kind="inspection", year=2024, explanation="A safety campaign"
    )
    response = report_get(client, personas.supervisor, **Q2)
    report = response.context["report"]
    assert [(row.source.code, row.increased) for row in report.increases] == [("S2", ["inspection"])]
    (item,) = report.increases[0].increases
    assert (item["records"], item["previous_records"]) == (2, 1)
    assert 'data-source="S2" data-kind="inspection"' in response.content.decode()
    assert "A safety campaign" in response.content.decode()
    # In March, D1-EDU asked for data and D2 sent a document, neither of which they did in March 2023:
    # with no base a year earlier, neither is listed as "more".
    march = report_get(client, personas.supervisor, **MARCH)
    assert march.context["report"].increases == []
    rows = {row.source.code: row.without_base for row in march.context["report"].sources}
    assert rows["D1-EDU"] == ["data_request"] and rows["D2"] == ["document"]


# --- flags ------------------------------------------------------------------------------------


def test_flags_raised_in_the_month_are_counted_by_how_they_stood_at_its_end(client, personas, reports):
    report = report_get(client, personas.supervisor, **MARCH).context["report"]
    counts = {flags.rule: dict(flags.by_status) for flags in report.flags}
    assert counts == {
        "MTG-DURATION": {"open": 1, "acknowledged": 1, "resolved": 1},
        # One more open: the sweep found the March meeting's photos today; its burden is March's.
        "TRACE-BANNED": {"waived": 1, "open": 2},
        "DOC-LENGTH": {"cleared": 1},
    }
    assert [flags.rule for flags in report.flags] == ["MTG-DURATION", "TRACE-BANNED", "DOC-LENGTH"]
    assert report.flags_total.counts == [3, 1, 1, 1, 1]  # open, acknowledged, resolved, waived, cleared
    assert report.flags_total.total == 7


@pytest.mark.parametrize(("persona", "code"), [("supervisor", "S1"), ("admin", "CITY"), ("staff_a", "A")])
@pytest.mark.parametrize("params", [MARCH, Q1, Q2], ids=["march", "q1", "q2"])
def test_flag_outcomes_equal_a_walk_over_each_timeline(client, personas, reports, persona, code, params):
    report = report_get(client, getattr(personas, persona), unit=code, **params).context["report"]
    period = report_period(params["kind"], params["period"])
    expected = flags_from_timelines(Unit.objects.get(code=code), period)
    assert {flags.rule: dict(flags.by_status) for flags in report.flags} == expected


def test_the_flags_table_shows_the_counts(client, personas, reports):
    html = report_get(client, personas.supervisor, **Q1).content.decode()
    row = re.search(r'<tr data-rule="DOC-LENGTH">(.*?)</tr>', html, re.S)[1]
    assert re.findall(r'data-value="(\d+)"', row) == ["1", "0", "0", "0", "1", "2"]  # February's is still open


# --- secondments and targets ------------------------------------------------------------------


def test_secondments_list_who_is_out_at_the_end_and_whose_term_ends_next(client, personas, reports):
    report = report_get(client, personas.supervisor, **MARCH).context["report"]
    assert [person.record.person_name for person in report.people_out] == ["A3", "A1", "A2", "B2"]
    assert [person.days_left for person in report.people_out] == [-16, 15, 20, 61]
    assert report.people_out_count == 4
    assert [person.record.person_name for person in report.people_ending] == ["A1", "A2"]  # in April
    assert report.people_ending_count == 2
    quarter = report_get(client, personas.supervisor, **Q1).context["report"]
    assert [person.record.person_name for person in quarter.people_ending] == ["A1", "A2", "B2"]  # in Q2
    admin = report_get(client, personas.admin, unit="CITY", **MARCH).context["report"]
    assert "C1" in [person.record.person_name for person in admin.people_ending]


def test_progress_against_the_reduction_targets_compares_with_a_year_earlier(client, personas, tree, reports):
    ReductionTarget.objects.create(unit=tree.s1, record_kind="document", year=2024, reduction_percent=30)
    (progress,) = report_get(client, personas.supervisor, **Q2).context["report"].targets
    assert (progress.current, progress.previous, str(progress.change), progress.met) == (1, 3, "-66.7", True)
    (progress,) = report_get(client, personas.supervisor, **MARCH).context["report"].targets
    assert (progress.current, progress.previous, progress.change, progress.met) == (1, 0, None, None)


# --- periods ------------------------------------------------------------------------------------


def test_the_default_is_the_last_complete_month_or_quarter(client, personas, reports):
    today = timezone.localdate()
    month = report_get(client, personas.supervisor).context["report"]
    assert month.kind == "monthly"
    assert month.period.start == (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    quarter = report_get(client, personas.supervisor, kind="quarterly").context["report"]
    assert quarter.period == report_period_default("quarterly", today)
    assert quarter.period.last_day < today
    assert quarter.period.following.start <= today


@pytest.mark.parametrize(
    ("kind", "value", "first", "last"),
    [
        ("monthly", "2024-03", "2024-03-01", "2024-03-01"),
        ("quarterly", "2024-Q1", "2024-01-01", "2024-03-01"),
        ("quarterly", "2024q4", "2024-10-01", "2024-12-01"),
        ("quarterly", "2024-05", "2024-04-01", "2024-06-01"),
    ],
)
def test_a_period_is_a_month_or_a_quarter(kind, value, first, last):
    period = report_period(kind, value)
    assert (period.start.isoformat(), period.end.isoformat()) == (first, last)


@pytest.mark.parametrize(
    "params", [{"period": "2024-Q1"}, {"period": "March"}, {"period": "2024-13"}, {"period": "2099-01"}]
)
def test_a_period_that_makes_no_sense_is_refused_and_the_last_month_shown(client, personas, reports, params):
    response = report_get(client, personas.supervisor, **params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["report"].period == report_period_default("monthly")
    assert 'data-testid="report-errors"' in response.content.decode()


# --- scoping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "code"), [("supervisor", "C"), ("supervisor", "D1"), ("staff_a", "B"), ("staff_a", "S1")]
)
def test_a_report_outside_ones_units_is_not_found_as_a_page_or_a_spreadsheet(client, personas, reports, persona, code):
    client.force_login(getattr(personas, persona))
    params = {"unit": code, **MARCH}
    assert client.get(reverse("insights:report_view"), params).status_code == 404
    assert client.get(reverse("insights:report_index"), params).status_code == 404
    assert client.get(reverse("insights:report_xlsx"), params).status_code == 404
    assert client.post(f"{reverse('insights:report_xlsx')}?unit={code}&kind=monthly&period=2024-03").status_code == 404
    assert not ReportJob.objects.exists()


def test_staff_see_their_own_units_report_and_supervisors_their_subtree(client, personas, reports):
    staff = report_get(client, personas.staff_a, **MARCH).context["report"]
    assert staff.unit.code == "A"
    assert [person.record.unit.code for person in staff.people_out] == ["A", "A", "A"]
    supervisor = report_get(client, personas.supervisor, **MARCH).context["report"]
    assert supervisor.unit.code == "S1"
    assert supervisor.total.hours.current > staff.total.hours.current


def test_people_without_a_unit_are_told_so_and_get_no_spreadsheet(client, personas, reports):
    client.force_login(personas.outsider)
    for name in ("insights:report_index", "insights:report_view"):
        response = client.get(reverse(name), MARCH)
        assert response.status_code == 200
        assert 'data-testid="no-units"' in response.content.decode()
    assert client.get(reverse("insights:report_xlsx"), MARCH).status_code == 404


def test_the_chooser_lists_the_recent_reports_of_the_viewers_unit(client, personas, reports):
    client.force_login(personas.supervisor)
    response = client.get(reverse("insights:report_index"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    last_month = report_period_default("monthly")
    assert f"unit=S1&amp;kind=monthly&amp;period={last_month.start:%Y-%m}" in html
    assert "unit=S1&amp;kind=quarterly&amp;period=" in html
    options = re.findall(r'<option value="([^"]+)">', html.split('id="insight-unit-options"')[1])
    assert options == ["S1", "A", "B"]


# --- the spreadsheet ------------------------------------------------------------------------------


class BurdenCells(HTMLParser):
    """measure -> kind -> column -> value, from the report page's burden tables."""

    def __init__(self):
        super().__init__()
        self.cells = defaultdict(lambda: defaultdict(dict))
        self.measure = self.kind = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        testid = attrs.get("data-testid", "")
        if tag == "table":
            self.measure = testid.removeprefix("burden-") if testid.startswith("burden-") else None
        if tag == "tr" and self.measure:
            self.kind = attrs.get("data-kind")
        if tag == "td" and self.measure and self.kind and "data-value" in attrs:
            value = attrs["data-value"]
            self.cells[self.measure][self.kind][attrs["data-column"]] = Decimal(value) if value else ""


def burden_cells(response) -> dict:
    parser = BurdenCells()
    parser.feed(response.content.decode())
    return parser.cells


def workbook_of(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def xlsx_get(client, user, language="en", **params):
    client.force_login(user)
    return client.get(reverse("insights:report_xlsx"), params, HTTP_ACCEPT_LANGUAGE=language)


def sheet_rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def assert_same_numbers(workbook, page) -> None:
    """The burden sheet holds the numbers of the page's burden tables, as numbers; flags and departments too."""
    cells = burden_cells(page)
    report = page.context["report"]
    labels = {item.label: item.kind for item in [*report.burden, report.total]}
    measures = {"Burden hours": "hours", "Cost (yuan)": "cost", "Records": "records"}
    rows = sheet_rows(workbook["Burden by kind"])
    assert rows[0][2:] == (
        report.period_label,
        report.preceding_label,
        "Change (%)",
        report.last_year_label,
        "Change (%)",
    )
    assert len(rows) == 1 + 3 * (len(report.burden) + 1)
    columns = ("current", "preceding", "change_preceding", "last_year", "change_last_year")
    for label, measure, *values in rows[1:]:
        on_page = cells[measures[measure]][labels[label]]
        for column, value in zip(columns, values, strict=True):
            assert isinstance(value, int | float | type(None)), (label, measure, column, value)
            expected = on_page[column]
            assert (None if expected == "" else pytest.approx(float(expected))) == value, (label, measure, column)
    flags = {row[0]: row[2:] for row in sheet_rows(workbook["Flags"])[1:]}
    for item in report.flags:
        assert flags[item.rule] == (*item.counts, item.total)
    departments = [(row[1], row[3], row[4]) for row in sheet_rows(workbook["Source departments"])[1:] if row[1]]
    assert departments == [(row.source.code, float(row.total.hours), row.total.records) for row in report.sources]


@pytest.mark.parametrize("params", [MARCH, Q1], ids=["march", "q1"])
def test_the_spreadsheet_opens_and_holds_the_numbers_of_the_page(client, personas, reports, params):
    response = xlsx_get(client, personas.supervisor, **params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="burden-{params["kind"]}-S1-{params["period"]}.xlsx"' in response["Content-Disposition"]
    workbook = workbook_of(response)
    assert workbook.sheetnames == [
        "Overview",
        "Burden by kind",
        "Trace demands",
        "Source departments",
        "Increases",
        "Flags",
        "Cases",
        "Escalations",
        "Secondments",
        "Reduction targets",
    ]
    assert_same_numbers(workbook, report_get(client, personas.supervisor, **params))


def test_the_spreadsheet_speaks_the_requesters_language(client, personas, reports):
    workbook = workbook_of(xlsx_get(client, personas.supervisor, language="zh-hans", **MARCH))
    burden_sheet = workbook.worksheets[1]
    assert burden_sheet["A1"].value == "记录类型"  # "Kind of record"
    assert burden_sheet["C1"].value == "2024年3月"


def test_the_spreadsheet_of_a_staff_member_holds_only_their_unit(client, personas, reports):
    workbook = workbook_of(xlsx_get(client, personas.staff_a, **MARCH))
    people = [row[0] for row in sheet_rows(workbook["Secondments"])]
    assert {"A1", "A2", "A3"} <= set(people)
    assert not {"B1", "B2", "C1"} & set(people)


# --- background jobs --------------------------------------------------------------------------------


@pytest.fixture
def large(settings, tmp_path):
    """Every subtree of more than two units counts as large; files go to a temporary MEDIA_ROOT."""
    settings.REPORT_BACKGROUND_UNITS = 2
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def start_job(client, user, django_capture_on_commit_callbacks, unit="S1", **params):
    client.force_login(user)
    query = f"unit={unit}&kind={params['kind']}&period={params['period']}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{reverse('insights:report_xlsx')}?{query}", HTTP_ACCEPT_LANGUAGE="en")
    return response


def test_a_large_report_is_built_in_the_background_and_served_from_media(
    client, personas, reports, large, django_capture_on_commit_callbacks
):
    client.force_login(personas.supervisor)
    # A plain download of a large report leads to the page that offers to prepare it.
    response = client.get(reverse("insights:report_xlsx"), {"unit": "S1", **MARCH})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("insights:report_view"))
    page = report_get(client, personas.supervisor, unit="S1", **MARCH).content.decode()
    assert 'data-testid="report-prepare"' in page
    assert 'data-testid="report-download"' not in page

    response = start_job(client, personas.supervisor, django_capture_on_commit_callbacks, **MARCH)
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("insights:report_job", args=[job.pk])
    assert (job.status, job.user, job.unit.code, job.kind, job.language) == (
        "done",
        personas.supervisor,
        "S1",
        "monthly",
        "en",
    )
    assert job.steps_done == job.steps_total > 0
    assert job.percent == 100
    assert (large / job.file.name).is_file()

    page = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page
    assert "hx-get" not in page
    download = client.get(reverse("insights:report_job_file", args=[job.pk]))
    assert download.status_code == 200
    assert 'filename="burden-monthly-S1-2024-03.xlsx"' in download["Content-Disposition"]
    assert_same_numbers(workbook_of(download), report_get(client, personas.supervisor, unit="S1", **MARCH))


def test_a_small_report_is_sent_at_once_even_when_posted(client, personas, reports, large):
    client.force_login(personas.staff_a)  # one unit: below the threshold
    response = client.post(f"{reverse('insights:report_xlsx')}?kind=monthly&period=2024-03")
    assert response.status_code == 200
    assert workbook_of(response).sheetnames[0] == "Overview"
    assert not ReportJob.objects.exists()


def test_asking_again_while_a_job_runs_returns_the_same_job(client, personas, tree, reports, large):
    queued = ReportJob.objects.create(
        user=personas.supervisor,
        unit=tree.s1,
        kind="monthly",
        period_start=datetime.date(2024, 3, 1),
        period_end=datetime.date(2024, 3, 1),
        language="en",
    )
    client.force_login(personas.supervisor)
    response = client.post(
        f"{reverse('insights:report_xlsx')}?unit=S1&kind=monthly&period=2024-03", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response["Location"] == reverse("insights:report_job", args=[queued.pk])
    assert ReportJob.objects.count() == 1


def test_an_unfinished_job_polls_its_progress(client, personas, tree, reports, large):
    job = ReportJob.objects.create(
        user=personas.supervisor,
        unit=tree.s1,
        kind="quarterly",
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 3, 1),
        language="en",
    )
    client.force_login(personas.supervisor)
    fragment = client.get(reverse("insights:report_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html
    assert 'data-status="queued"' in html
    assert f'hx-get="{reverse("insights:report_job", args=[job.pk])}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert client.get(reverse("insights:report_job_file", args=[job.pk])).status_code == 404  # not ready

    ReportJob.objects.filter(pk=job.pk).update(status="running", steps_total=14, steps_done=7)
    html = client.get(reverse("insights:report_job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "step 7 of 14" in html
    assert 'aria-valuenow="50"' in html

    ReportJob.objects.filter(pk=job.pk).update(status="queued")
    assert report_job_run(job.pk).status == "done"
    assert report_job_run(job.pk) is None  # claimed once: a second worker does nothing
    html = client.get(reverse("insights:report_job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert reverse("insights:report_job_file", args=[job.pk]) in html


def test_a_job_that_fails_says_so(client, personas, reports, large, monkeypatch, django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise RuntimeError("no roll-ups")

    monkeypatch.setattr("burden.insights.report_jobs.report_build", broken)
    start_job(client, personas.supervisor, django_capture_on_commit_callbacks, **MARCH)
    job = ReportJob.objects.get()
    assert (job.status, job.error) == ("failed", "RuntimeError: no roll-ups")
    assert not job.file
    page = client.get(reverse("insights:report_job", args=[job.pk])).content.decode()
    assert 'data-status="failed"' in page
    assert client.get(reverse("insights:report_job_file", args=[job.pk])).status_code == 404


def test_a_jobs_file_is_served_to_nobody_else_and_not_after_leaving_the_unit(
    client, personas, reports, large, django_capture_on_commit_callbacks
):
    start_job(client, personas.supervisor, django_capture_on_commit_callbacks, **MARCH)
    job = ReportJob.objects.get(status="done")
    urls = [reverse("insights:report_job", args=[job.pk]), reverse("insights:report_job_file", args=[job.pk])]
    # The city's admin may see S1, but the file holds what the supervisor's scope saw: it is theirs.
    for persona in ("admin", "staff_a", "staff_b", "outsider"):
        client.force_login(getattr(personas, persona))
        assert [client.get(url).status_code for url in urls] == [404, 404], persona
    client.force_login(personas.supervisor)
    assert [client.get(url).status_code for url in urls] == [200, 200]
    Membership.objects.filter(user=personas.supervisor).delete()
    client.force_login(personas.supervisor)
    assert [client.get(url).status_code for url in urls] == [404, 404]


def test_a_supervisor_cannot_start_a_job_on_another_subtree(
    client, personas, reports, large, django_capture_on_commit_callbacks
):
    response = start_job(client, personas.supervisor, django_capture_on_commit_callbacks, unit="S2", **MARCH)
    assert response.status_code == 404
    assert not ReportJob.objects.exists()


# --- the page -------------------------------------------------------------------------------------


def test_the_page_prints_without_navigation_one_section_a_page(client, personas, reports):
    html = report_get(client, personas.supervisor, **MARCH).content.decode()
    assert "css/report.css" in html
    assert "js/report.js" in html
    assert "data-print" in html
    assert 'data-testid="report-toolbar"' in html and "d-print-none" in html
    assert re.findall(r'<section class="report-section" data-section="(\w+)"', html) == [
        "burden",
        "sources",
        "flags",
        "cases",
        "secondments",
        "targets",
    ]
    from django.contrib.staticfiles import finders

    with open(finders.find("css/report.css")) as stylesheet:
        css = stylesheet.read()
    print_rules = css[css.index("@media print") :]
    assert ".app-navbar" in print_rules and "display: none" in print_rules
    assert "break-before: page" in print_rules


def test_the_navigation_links_to_the_reports(client, personas, reports):
    client.force_login(personas.staff_a)
    html = client.get(reverse("insights:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{reverse("insights:report_index")}"' in html
    page = report_get(client, personas.staff_a).content.decode()
    # The reports are an item of the insights group, which is marked too.
    active = re.findall(r'class="dropdown-item active" aria-current="page" href="([^"]+)"', page)
    assert active == [reverse("insights:report_index")]
    assert re.search(r'class="nav-link dropdown-toggle active"[^>]*data-testid="nav-insights"', page)


# --- query counts -----------------------------------------------------------------------------------


def _more_flags_and_people(tree):
    units = list(Unit.objects.filter(path__startswith=tree.s1.path))
    for index in range(30):
        unit = units[index % len(units)]
        S = Violation.Status
        steps = [(), ((S.ACKNOWLEDGED, at(3, 20)),), ((S.WAIVED, at(3, 21)),), ((S.RESOLVED, at(4, 2)),)][index % 4]
        flag(
            unit,
            ["MTG-DURATION", "DOC-LENGTH", "TRACE-BANNED", "DR-DEADLINE"][index % 4],
            at(3, 1 + index % 28),
            *steps,
            record_id=5000 + index,
        )
        SecondmentFactory(
            unit=unit,
            start_date=datetime.date(2024, 2, 1 + index % 28),
            planned_end_date=datetime.date(2024, 4, 1 + index % 28),
        )
    UnitFactory(parent=tree.s1)


@pytest.mark.parametrize("persona", ["supervisor", "admin", "staff_a"])
def test_a_report_runs_the_same_queries_however_much_there_is(client, personas, tree, reports, persona):
    user = getattr(personas, persona)
    requests = [
        ("insights:report_view", MARCH),
        ("insights:report_view", Q1),
        ("insights:report_xlsx", MARCH),
        ("insights:report_index", {}),
    ]

    def queries() -> list[int]:
        counts = []
        for name, params in requests:
            client.force_login(user)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse(name), params).status_code == 200
            counts.append(len(captured))
        return counts

    before = queries()
    records = Violation.objects.count()
    _more_burden(tree)
    _more_flags_and_people(tree)
    rollups_rebuild()
    assert Violation.objects.count() > 2 * records
    report = report_get(client, personas.admin, unit="S1", **Q1).context["report"]
    assert report.flags_total.total > 30 and report.people_out_count > 20 and report.sources_count > 3
    assert queries() == before
