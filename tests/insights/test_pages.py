"""The dashboard, the burden ledger and the department pages: scoping, numbers, charts and query counts."""

import datetime
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from burden.insights.rollups import rollups_rebuild
from burden.models import MonthlyRollup, Violation
from tests.factories import UnitFactory
from tests.record_factories.datarequests import DataRequestFactory
from tests.record_factories.documents import DocumentFactory
from tests.record_factories.meetings import MeetingFactory
from tests.record_factories.secondments import SecondmentFactory
from tests.test_translations import CJK, visible_text

from .conftest import PERIOD, s2_issues_more_inspections


def get(client, user, name, *args, language="en", **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), {**PERIOD, **params}, HTTP_ACCEPT_LANGUAGE=language)


class Tables(HTMLParser):
    """The charts' JSON (json_script) and the cells of the tables under them, from the page's HTML."""

    def __init__(self):
        super().__init__()
        self.charts: dict[str, dict] = {}
        self.cells: dict[str, dict] = {}
        self._script = None
        self._table = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/json":
            self._script = attrs["id"].removeprefix("chart-data-")
        if tag == "table" and "data-chart-table" in attrs:
            self._table = attrs["data-chart-table"]
            self.cells[self._table] = {}
        if tag == "td" and self._table and "data-series" in attrs:
            key = (attrs["data-series"], attrs["data-category"])
            self.cells[self._table][key] = float(attrs["data-value"])

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script:
            self.charts[self._script] = json.loads(data)


def tables(response) -> Tables:
    parser = Tables()
    parser.feed(response.content.decode())
    return parser


def ranking_order(response) -> list[str]:
    return re.findall(r'<tr data-source="([^"]+)"', response.content.decode())


# --- scoping -----------------------------------------------------------------------------


def test_the_supervisor_dashboard_counts_only_their_subtree(client, personas, burden):
    response = get(client, personas.supervisor, "insights:dashboard")
    assert response.context["unit"].code == "S1"  # their own top unit by default
    assert response.context["current"].hours == burden.supervisor_hours
    assert response.context["current"].records == 4
    assert response.context["previous"].hours == burden.supervisor_previous_hours
    assert [p.record.unit.code for p in response.context["people"]] == ["B", "A"]  # the overdue one first
    assert [p.days_left for p in response.context["people"]] == [-5, 20]


def test_an_admin_sees_the_whole_city_and_staff_only_their_unit(client, personas, burden):
    assert get(client, personas.admin, "insights:dashboard").context["current"].hours == burden.city_hours
    staff = get(client, personas.staff_a, "insights:dashboard")
    assert staff.context["unit"].code == "A"
    assert staff.context["current"].hours == burden.staff_a_hours
    assert [p.record.unit.code for p in staff.context["people"]] == ["A"]


@pytest.mark.parametrize(
    ("persona", "code"), [("supervisor", "C"), ("supervisor", "D1"), ("staff_a", "B"), ("staff_a", "S1")]
)
@pytest.mark.parametrize("name", ["insights:dashboard", "insights:source_ranking"])
def test_a_unit_outside_ones_own_is_not_found(client, personas, burden, persona, code, name):
    assert get(client, getattr(personas, persona), name, unit=code).status_code == 404


def test_a_supervisor_can_narrow_to_a_unit_below_them(client, personas, burden):
    response = get(client, personas.supervisor, "insights:dashboard", unit="B")
    assert response.context["current"].hours == Decimal("15.50")


def test_a_department_page_counts_only_the_viewers_units(client, personas, tree, burden):
    supervisor = get(client, personas.supervisor, "insights:source_detail", "D1-EDU")
    assert supervisor.context["total"].hours == Decimal("4.00")
    assert re.findall(r'data-unit="([^"]+)"', supervisor.content.decode()) == ["A"]
    admin = get(client, personas.admin, "insights:source_detail", "D1-EDU")
    assert admin.context["total"].hours == Decimal("17.50")
    assert re.findall(r'data-unit="([^"]+)"', admin.content.decode()) == ["C", "A"]
    assert get(client, personas.staff_b, "insights:source_detail", "D1-EDU").context["total"].hours == 0


def test_a_department_outside_the_viewers_units_shows_its_name_and_only_their_burden(client, personas, burden):
    response = get(client, personas.supervisor, "insights:source_detail", "S2")
    assert response.context["total"].hours == Decimal("13.50")
    assert "Second Street" in response.content.decode()


# --- the ledger ------------------------------------------------------------------------------


def test_the_ledger_ranks_departments_by_the_hours_they_imposed(client, personas, burden):
    assert ranking_order(get(client, personas.supervisor, "insights:source_ranking")) == ["S2", "D1-EDU", "D2"]
    assert ranking_order(get(client, personas.admin, "insights:source_ranking")) == ["D1-EDU", "S2", "D2"]
    assert ranking_order(get(client, personas.staff_a, "insights:source_ranking")) == ["D1-EDU", "D2"]


def test_the_ledger_counts_kinds_and_flags_per_hundred_records(client, personas, burden):
    response = get(client, personas.supervisor, "insights:source_ranking")
    rows = {row.source.code: row for row in response.context["ranking"]}
    assert rows["D2"].by_kind["document"].records == 2
    assert rows["D2"].total.hours == Decimal("3.00")
    flagged = Violation.objects.open().filter(record_kind="meeting", unit__code="A").values("record_id").distinct()
    assert rows["D1-EDU"].total.flagged == flagged.count() == 1  # the photo demanded
    assert rows["D1-EDU"].total.flags_per_hundred == Decimal("100.0")
    assert rows["D2"].total.flags_per_hundred == Decimal("0.0")


def test_a_department_that_issued_more_than_a_year_earlier_is_marked(client, personas, tree, burden):
    s2_issues_more_inspections(tree)
    response = get(client, personas.supervisor, "insights:source_ranking")
    rows = {row.source.code: row for row in response.context["ranking"]}
    assert rows["S2"].increased == ["inspection"]  # 2 inspections against 1
    assert rows["D2"].increased == []  # 2 documents against 3
    assert rows["D1-EDU"].increased == []  # 1 meeting against 1: the base, exactly, and no more
    assert [row.without_base for row in rows.values()] == [[], [], []]
    html = response.content.decode()
    assert 'data-increase="inspection"' in html
    assert "data-no-base" not in html
    # The supervisor does not speak for S2, outside their units: no way to explain it from here.
    assert reverse("insights:source_explain", args=["S2"]) not in html
    admin = get(client, personas.admin, "insights:source_ranking", unit="S1").content.decode()
    assert reverse("insights:source_explain", args=["S2"]) in admin


def test_a_department_with_no_base_a_year_earlier_is_not_marked_but_shown_without_one(client, personas, burden):
    """S2's inspection in 2024 against none in 2023: no base, neither "more" nor "no explanation yet"."""
    response = get(client, personas.supervisor, "insights:source_ranking")
    rows = {row.source.code: row for row in response.context["ranking"]}
    assert rows["S2"].increased == []
    assert rows["S2"].without_base == ["inspection"]
    html = response.content.decode()
    assert 'data-no-base="inspection"' in html
    assert "data-increase" not in html
    assert "no explanation yet" not in html
    zh = get(client, personas.supervisor, "insights:source_ranking", language="zh-hans").content.decode()
    assert "无上年基数" in zh and "尚未说明" not in zh
    detail = get(client, personas.supervisor, "insights:source_detail", "S2").content.decode()
    assert 'data-no-base="inspection"' in detail and "table-warning" not in detail


def test_a_higher_minimum_base_leaves_a_small_base_without_a_mark(client, personas, tree, burden, monkeypatch):
    from burden.insights import selectors

    s2_issues_more_inspections(tree)
    monkeypatch.setattr(selectors, "INCREASE_MIN_BASE", 2)
    response = get(client, personas.supervisor, "insights:source_ranking")
    rows = {row.source.code: row for row in response.context["ranking"]}
    assert rows["S2"].increased == [] and rows["S2"].without_base == ["inspection"]  # a base of 1 is below 2
    assert rows["D2"].without_base == []  # a base of 3 is enough


def test_burden_with_no_source_is_shown_apart(client, personas, tree, burden):
    DocumentFactory(unit=tree.a, source_unit=None, received_on=datetime.date(2024, 2, 1), handling_minutes=30)
    rollups_rebuild()
    response = get(client, personas.staff_a, "insights:source_ranking")
    assert response.context["unknown"].total.hours == Decimal("0.50")
    assert ranking_order(response) == ["D1-EDU", "D2"]


# --- charts and tables ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "charts"),
    [
        ("insights:dashboard", [], {"hours", "cost", "flags", "traces", "people"}),
        ("insights:source_ranking", [], {"ranking"}),
        ("insights:source_detail", ["D1-EDU"], {"source_hours"}),
    ],
)
def test_every_chart_draws_the_numbers_of_its_table(client, personas, burden, name, args, charts):
    page = tables(get(client, personas.supervisor, name, *args))
    assert set(page.charts) == charts
    for key, chart in page.charts.items():
        categories = [category for _series, category in page.cells[key]][:: len(chart["series"])]
        assert len(categories) == len(chart["categories"])
        series_keys = [series for series, _category in page.cells[key]][: len(chart["series"])]
        for index, series in enumerate(chart["series"]):
            from_table = [page.cells[key][(series_keys[index], category)] for category in categories]
            assert from_table == series["values"], (key, series["name"])


def test_the_hours_chart_stacks_kinds_by_month_beside_a_year_earlier(client, personas, burden):
    chart = tables(get(client, personas.supervisor, "insights:dashboard")).charts["hours"]
    by_name = {series["name"]: series for series in chart["series"]}
    assert chart["categories"][2] == "March 2024"
    assert by_name["Meetings"]["values"] == [0, 0, 4.0, 0, 0, 0]
    assert by_name["Inspections"]["values"] == [0, 0, 0, 0, 13.5, 0]
    assert by_name["Same months a year earlier"]["values"] == [0, 0, 4.0, 3.0, 0, 0]
    assert by_name["Same months a year earlier"]["line"] is True
    march_meetings = by_name["Meetings"]["links"][2]
    assert march_meetings == "/meetings/?unit=S1&date_from=2024-03-01&date_to=2024-03-31"


def test_a_number_links_to_the_records_behind_it(client, personas, burden):
    chart = tables(get(client, personas.supervisor, "insights:dashboard")).charts["hours"]
    link = next(s for s in chart["series"] if s["name"] == "Inspections")["links"][4]
    records = client.get(link).context["object_list"]
    assert [record.burden_hours for record in records] == [Decimal("13.50")]


def test_flags_are_counted_by_rule_with_translated_titles(client, personas, burden):
    flags = tables(get(client, personas.supervisor, "insights:dashboard", language="zh-hans")).charts["flags"]
    assert Violation.objects.open().filter(unit__code="C").exists()  # and none of them may be counted
    expected = Violation.objects.open().filter(unit__path__startswith="/CITY/D1/S1/").count()
    assert sum(flags["series"][0]["values"]) == expected > 0
    assert all(CJK.search(title) for title in flags["categories"])


def test_the_charts_speak_the_pages_language(client, personas, burden):
    page = get(client, personas.supervisor, "insights:dashboard", language="zh-hans").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "vendor/echarts/echarts.common.min.js" in page
    assert "js/insight-charts.js" in page
    assert "cdn" not in page.lower()


# --- query counts ------------------------------------------------------------------------------


def _more_burden(tree):
    """Many more records, units, sources, months and flags: the pages must not run more queries."""
    units = [UnitFactory(parent=tree.s1) for _ in range(4)]
    sources = [UnitFactory(parent=tree.d1, level="department") for _ in range(4)]
    for index in range(40):
        unit, source = units[index % 4], sources[index % 3]
        date = datetime.date(2024, 1 + index % 6, 1 + index % 27)
        MeetingFactory(unit=unit, source_unit=source, date=date, duration_minutes=150, trace_requirements=["checkin"])
        DocumentFactory(unit=unit, source_unit=source, received_on=date)
        DataRequestFactory(unit=unit, source_unit=source, date=date)
        SecondmentFactory(unit=unit, source_unit=source, start_date=datetime.date.today(), returned_on=None)
    from burden.tasks import sweep_rules

    sweep_rules.delay()
    rollups_rebuild()


PAGES = [
    ("insights:dashboard", []),
    ("insights:source_ranking", []),
    ("insights:source_detail", ["D1-EDU"]),
]


@pytest.mark.parametrize("persona", ["supervisor", "admin", "staff_a"])
def test_the_pages_run_the_same_queries_however_much_there_is(client, personas, tree, burden, persona):
    user = getattr(personas, persona)

    def queries() -> dict:
        counts = {}
        for name, args in PAGES:
            client.force_login(user)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse(name, args=args), PERIOD).status_code == 200
            counts[name] = len(captured)
        return counts

    before = queries()
    cells = MonthlyRollup.objects.count()
    _more_burden(tree)
    assert MonthlyRollup.objects.count() > 3 * cells
    assert queries() == before


@pytest.mark.parametrize("persona", ["supervisor", "admin", "staff_a", "outsider"])
@pytest.mark.parametrize(("name", "args"), [*PAGES, ("insights:target_list", [])])
def test_english_pages_have_no_chinese_left(client, personas, burden, persona, name, args):
    response = get(client, getattr(personas, persona), name, *args)
    if response.status_code in (403, 404):
        pytest.skip("outside this persona's units or role")
    assert CJK.findall(visible_text(response.content.decode())) == []


def test_someone_without_a_unit_is_told_so(client, personas, burden):
    response = get(client, personas.outsider, "insights:dashboard")
    assert 'data-testid="no-units"' in response.content.decode()
    assert "chart-data-" not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "months"),
    [
        ({"start": "2024-03", "end": "2024-03"}, ["2024-03"]),
        ({"start": "2024-03", "end": ""}, ["2024-03"]),
        ({"start": "", "end": "2024-02"}, ["2024-01", "2024-02"]),
    ],
)
def test_the_period_is_whole_months(client, personas, burden, params, months):
    response = get(client, personas.supervisor, "insights:dashboard", **params)
    assert [month.strftime("%Y-%m") for month in response.context["period"].months] == months


@pytest.mark.parametrize("params", [{"start": "2024-06", "end": "2024-01"}, {"start": "2020-01", "end": "2024-01"}])
def test_a_period_that_makes_no_sense_is_refused_and_this_year_shown(client, personas, burden, params):
    response = get(client, personas.supervisor, "insights:dashboard", **params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["period"].start.month == 1
    assert response.context["period"].start.year == timezone.localdate().year
