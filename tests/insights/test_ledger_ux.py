"""The burden ledger's relabelled records, its exports and print head; the dashboard's key figures.

Most tests give a kind its own ``relabelled()`` (``monkeypatch``) over a field every
record has, so the ledger is exercised through the registry and each model's hook
whatever a kind's real one reads; one test reads the real ones (a memo, a 挂职).
"""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from burden.insights import selectors
from burden.insights.rollups import rollups_rebuild
from burden.records import registry
from tests.factories import UnitFactory
from tests.record_factories.documents import DocumentFactory
from tests.record_factories.secondments import SecondmentFactory

from .conftest import PERIOD, day
from .test_pages import get


@pytest.fixture
def no_relabelling(monkeypatch):
    """No kind can be relabelled."""
    for model in registry.record_models().values():
        monkeypatch.setattr(model, "relabelled", classmethod(lambda cls: None))


@pytest.fixture
def relabelling(no_relabelling, monkeypatch):
    """Documents whose title starts with "便笺" and secondments to a host called "挂职" count as relabelled."""
    document, secondment = registry.model_for("document"), registry.model_for("secondment")
    monkeypatch.setattr(document, "relabelled", classmethod(lambda cls: Q(title__startswith="便笺")))
    monkeypatch.setattr(secondment, "relabelled", classmethod(lambda cls: Q(host_name="挂职")))


def rows_of(response) -> dict:
    return {row.source.code: row for row in response.context["ranking"]}


def test_no_kind_can_relabel_so_the_ledger_has_no_such_column(client, personas, burden, no_relabelling):
    response = get(client, personas.supervisor, "insights:source_ranking")
    assert response.context["relabelled_kinds"] == []
    assert 'data-column="relabelled"' not in response.content.decode()


def test_the_real_kinds_relabelled_records_are_counted_beside_their_kind(client, personas, tree, burden):
    DocumentFactory(unit=tree.a, source_unit=tree.d2, received_on=day(2024, 5, 6), labelled_as="memo")
    DocumentFactory(unit=tree.a, source_unit=tree.d2, received_on=day(2024, 5, 7), labelled_as="red_head")
    rollups_rebuild()
    response = get(client, personas.supervisor, "insights:source_ranking")
    kinds = {kind for kind, _label in response.context["relabelled_kinds"]}
    assert {"document", "inspection", "secondment"} <= kinds
    assert rows_of(response)["D2"].relabelled["document"].records == 1


def test_the_ledger_counts_relabelled_records_beside_their_kind(client, personas, tree, burden, relabelling):
    d2 = {"source_unit": tree.d2, "title": "便笺：报送材料"}
    DocumentFactory(unit=tree.a, received_on=day(2024, 5, 6), handling_minutes=90, **d2)
    DocumentFactory(unit=tree.b, received_on=day(2024, 6, 6), handling_minutes=30, **d2)
    # Outside the period, and outside the supervisor's units: neither is counted.
    DocumentFactory(unit=tree.a, source_unit=tree.d2, received_on=day(2023, 5, 6), title="便笺：去年")
    DocumentFactory(unit=tree.c, source_unit=tree.d2, received_on=day(2024, 5, 6), title="便笺：别处")
    rollups_rebuild()
    response = get(client, personas.supervisor, "insights:source_ranking")
    assert {kind for kind, _label in response.context["relabelled_kinds"]} == {"document", "secondment"}
    rows = rows_of(response)
    relabelled = rows["D2"].relabelled["document"]
    assert (relabelled.records, relabelled.hours) == (2, Decimal("2.00"))
    assert rows["D2"].by_kind["document"].records == 4  # still documents, for every count
    assert rows["D2"].relabelled_total.records == 2
    assert "document" not in rows["D1-EDU"].relabelled
    html = response.content.decode()
    assert 'data-relabelled="2" data-relabelled-hours="2.00"' in html
    assert 'data-column="relabelled" data-records="2" data-hours="2.00"' in html


def test_relabelled_hours_of_a_kind_spread_over_months_count_only_the_periods(
    client, personas, tree, burden, relabelling
):
    """A "挂职" from D1 of A over May and June 2024, counted in a period of June alone: June's working days only."""
    SecondmentFactory(
        unit=tree.a,
        source_unit=tree.d1,
        host_name="挂职",
        start_date=datetime.date(2024, 5, 1),
        planned_end_date=datetime.date(2024, 6, 30),
        returned_on=None,
    )
    rollups_rebuild()
    june = get(client, personas.supervisor, "insights:source_ranking", start="2024-06", end="2024-06")
    row = rows_of(june)["D1"]
    relabelled = row.relabelled["secondment"]
    assert relabelled.records == 0  # dated in May, so counted in May
    assert relabelled.hours == row.by_kind["secondment"].hours > 0  # June's hours, as the roll-ups have them
    may = rows_of(get(client, personas.supervisor, "insights:source_ranking", start="2024-05", end="2024-05"))["D1"]
    assert may.relabelled["secondment"].records == 1
    assert may.relabelled["secondment"].hours == may.by_kind["secondment"].hours


def test_the_ledger_reads_the_relabelled_in_one_query_per_kind_whatever_the_rows(
    client, personas, tree, burden, relabelling
):
    def count() -> int:
        client.force_login(personas.supervisor)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("insights:source_ranking"), PERIOD).status_code == 200
        return len(captured)

    before = count()
    for number in range(8):
        source = UnitFactory(code=f"DX{number}", parent=tree.d1)
        DocumentFactory(unit=tree.a, source_unit=source, received_on=day(2024, 2, 5), title=f"便笺 {number}")
        DocumentFactory(unit=tree.b, source_unit=source, received_on=day(2024, 3, 5))
    rollups_rebuild()
    assert count() == before
    assert len(rows_of(get(client, personas.supervisor, "insights:source_ranking"))) == 3 + 8


def test_without_relabelling_the_ledger_runs_fewer_queries(client, personas, burden, no_relabelling, monkeypatch):
    """The relabelled cost one query per kind that can have any: none when no kind can."""

    def count() -> int:
        client.force_login(personas.supervisor)
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("insights:source_ranking"), PERIOD)
        return len(captured)

    plain = count()
    document = registry.model_for("document")
    monkeypatch.setattr(document, "relabelled", classmethod(lambda cls: Q(title__startswith="便笺")))
    assert count() == plain + 1


# --- exports and print --------------------------------------------------------------------------


def test_the_ledger_downloads_as_csv_in_the_pages_order(client, personas, tree, burden, relabelling):
    DocumentFactory(unit=tree.a, source_unit=tree.d2, received_on=day(2024, 5, 6), title="便笺", handling_minutes=60)
    rollups_rebuild()
    response = get(client, personas.supervisor, "insights:source_ranking", format="csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="burden-ledger-S1-2024-01-2024-06.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    header, body = lines[0], lines[1:]
    assert header[:4] == ["Rank", "Department", "Code", "Burden hours (person-hours)"]
    assert "Documents: of them relabelled" in header and "Meetings: of them relabelled" not in header
    assert [line[2] for line in body] == ["S2", "D2", "D1-EDU"]
    d2 = dict(zip(header, body[1], strict=True))
    assert (d2["Documents: records"], d2["Documents: of them relabelled"]) == ("3", "1")
    assert d2["Documents: hours of the relabelled"] == "1.0"
    s2 = dict(zip(header, body[0], strict=True))
    assert (s2["More than a year earlier"], s2["No base a year earlier"]) == ("", "Inspections")


def test_the_ledger_downloads_as_a_workbook_with_a_formal_head(client, personas, burden):
    response = get(client, personas.supervisor, "insights:source_ranking", format="xlsx", sort="cases")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Burden ledger of the source departments"
    assert values[1][:2] == ["Unit", "First Street (S1)"]
    assert values[2][0] == "Period"
    header = values[5]
    rows = values[6:]
    assert header[1] == "Department"
    assert sorted(row[2] for row in rows) == ["D1-EDU", "D2", "S2"]
    hours = {row[2]: row[3] for row in rows}
    assert hours["S2"] == pytest.approx(13.5) and isinstance(hours["S2"], float)


def test_someone_without_a_unit_gets_the_page_not_a_file(client, personas, burden):
    response = get(client, personas.outsider, "insights:source_ranking", format="csv")
    assert response.status_code == 200 and 'data-testid="no-units"' in response.content.decode()


def test_a_unit_outside_ones_own_is_not_exported(client, personas, burden):
    assert get(client, personas.staff_a, "insights:source_ranking", format="xlsx", unit="C").status_code == 404


@pytest.mark.parametrize("name", ["insights:dashboard", "insights:source_ranking"])
def test_the_printed_pages_carry_a_formal_head(client, personas, burden, name):
    html = get(client, personas.supervisor, name, language="zh-hans").content.decode()
    head = html[html.index('data-testid="print-header"') :]
    head = head[: head.index("</header>")]
    assert "统计期间" in head and "打印时间" in head and "S1" in head
    assert "data-print" in html


# --- the dashboard's key figures ----------------------------------------------------------------


def test_the_key_figures_carry_units_and_thousands_separators(client, personas, tree, burden):
    DocumentFactory(unit=tree.a, source_unit=tree.d2, received_on=day(2024, 2, 1), handling_minutes=60 * 1500)
    rollups_rebuild()
    html = get(client, personas.supervisor, "insights:dashboard").content.decode()
    figure = html[html.index('data-testid="total-hours"') :]
    figure = figure[: figure.index("</div>")]
    assert "1,521" in figure and "person-hours" in figure  # 1,520.5 hours, to the hour
    zh = get(client, personas.supervisor, "insights:dashboard", language="zh-hans").content.decode()
    figure = zh[zh.index('data-testid="total-hours"') :]
    assert "人·小时" in figure[: figure.index("</div>")]
    assert "1,521" in figure[: figure.index("</div>")]  # grouped by thousands in Chinese too (burden/formats)


def test_a_change_against_an_empty_base_says_so(client, personas, tree):
    DocumentFactory(unit=tree.a, source_unit=tree.d2, received_on=day(2024, 2, 1))
    rollups_rebuild()
    response = get(client, personas.supervisor, "insights:dashboard", language="zh-hans")
    assert response.context["hours_change"] is None
    html = response.content.decode()
    change = html[html.index('data-testid="hours-change"') :]
    assert "无上年基数" in change[: change.index("</div>")]


def test_a_rise_of_more_than_ten_times_reads_as_a_multiple(client, personas, tree, burden):
    DocumentFactory(unit=tree.a, source_unit=tree.d2, received_on=day(2024, 2, 1), handling_minutes=60 * 8000)
    rollups_rebuild()
    response = get(client, personas.supervisor, "insights:dashboard")
    assert response.context["hours_change"] == Decimal("114478.6")  # 8,020.5 hours against 7
    assert response.context["hours_multiple"] == Decimal("1145.8")
    html = response.content.decode()
    change = html[html.index('data-testid="hours-change"') :]
    change = change[: change.index("</div>")]
    assert 'title="+114,478.6%"' in change and "1,145.8" in change and "times a year earlier" in change


@pytest.mark.parametrize(
    ("current", "previous", "multiple"),
    [
        (11, 1, Decimal("11.0")),  # +1,000.0 %: the threshold exactly
        (Decimal("10.999"), 1, None),  # +999.9 %
        (Decimal("10.9999"), 1, Decimal("11.0")),  # +1,000.0 % once rounded to a tenth
        (5, 0, None),  # no base
        (0, 5, None),
    ],
)
def test_a_change_becomes_a_multiple_from_a_thousand_per_cent(current, previous, multiple):
    assert selectors.change_multiple(current, previous) == multiple


def test_the_threshold_of_a_multiple_is_one_parameter(monkeypatch):
    monkeypatch.setattr(selectors, "CHANGE_AS_MULTIPLE", Decimal(100))
    assert selectors.change_multiple(2, 1) == Decimal("2.0")  # +100 %
    assert selectors.change_multiple(Decimal("1.99"), 1) is None  # +99 %


def test_the_dashboard_downloads_its_numbers_as_a_workbook(client, personas, burden):
    response = get(client, personas.supervisor, "insights:dashboard", format="xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "burden-dashboard-S1-2024-01-2024-06.xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Totals", "Burden hours by kind and month", "Open flags by rule"]
    totals = [list(row) for row in workbook["Totals"].iter_rows(values_only=True)]
    assert totals[0][0] == "Statistics of the burden on grassroots units"
    last = totals[-1]
    assert last[0] == "Totals" and last[1] == pytest.approx(20.5) and last[5] == pytest.approx(7.0)
    assert last[6] == pytest.approx(192.9)  # (20.5 - 7) / 7
    inspections = next(row for row in totals if row[0] == "Inspections")
    assert inspections[6] == "No base a year earlier"
    months = list(workbook["Burden hours by kind and month"].iter_rows(values_only=True))
    assert len(months) == 1 + 6
    assert sum(row[-1] for row in months[1:]) == pytest.approx(20.5)


def test_the_dashboards_workbook_is_scoped_like_the_page(client, personas, burden):
    assert get(client, personas.staff_a, "insights:dashboard", format="xlsx", unit="S1").status_code == 404
    response = get(client, personas.outsider, "insights:dashboard", format="xlsx")
    assert response.status_code == 200 and 'data-testid="no-units"' in response.content.decode()
