"""Cases (督办事项) in the insights: the dashboard's panel, the burden ledger's column, the reports and exports.

The history, made with the rules engine (``sweep`` gathers the cases) and the case
services, then dated with plain UPDATEs; ``dept`` is D1-EDU, ``d2`` and ``s2`` the
district and street of tree.conftest acting as source departments:

    case  source  period  burdened   what became of it                               opened → closed
    K9    dept    Feb     A          closed by itself: its flag cleared              02-03 10:00 → 02-15 10:00 (12 d)
    K1    dept    Mar     A, A       open, deadline yesterday: overdue
    K3    d2      Mar     A          resolved by the city                             03-21 23:30 → 03-31 23:30 (10 d)
    SOLO  —       Mar     B          open (no department named: a case of its own)
    K4    s2      Mar     C          reminder (03-03) by S2, resolved by S2           03-01 10:00 → 03-05 10:00 (4 d)
    K2    dept    Apr     B          replied, deadline yesterday: not overdue
    K8    d2      Apr     B          waived by the city                               04-10 10:00 → 04-20 10:00
    K5    dept    May     A          reminder (05-05) by S1, notice (05-12) by D1,   05-01 10:00 → 05-21 10:00 (20 d)
                                     resolved by D1
    K6    dept    Jun     B          open, deadline today: not overdue (the boundary)
    K10   s2      Jun     C          open, deadline yesterday: overdue

The street supervisor of S1 sees everything but K4 and K10 (community C is in S2);
the city admin sees all. d2's meetings are long and crowded, so d2 leads the ledger
by hours and dept by cases.
"""

import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from burden.insights.rollups import rollups_rebuild
from burden.models import Case, CaseEvent, Membership, Unit
from burden.review.cases import case_escalate, case_reply, case_transition
from burden.rules.engine import sweep
from meetings.models import Meeting
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.record_factories.meetings import MeetingFactory
from tests.test_translations import CJK, visible_text

D = datetime.date
LONG = "MTG-DURATION"  # one flag per meeting longer than 90 minutes
R = Membership.Role
HALF_YEAR = {"start": "2026-01", "end": "2026-06"}


def at(month, day, hour=10, minute=0):
    return timezone.make_aware(datetime.datetime(2026, month, day, hour, minute))


def person(unit, role, name):
    return MembershipFactory(user=UserFactory(username=name), unit=unit, role=role).user


def long_meeting(unit, source, day, **fields):
    return MeetingFactory(unit=unit, source_unit=source, date=day, duration_minutes=120, **fields)


def crowded_meeting(unit, source, day):
    return long_meeting(unit, source, day, attendees=20, travel_minutes=60)


def gather():
    sweep(timezone.localdate(), codes=[LONG])


def dated(case, opened, closed=None):
    Case.objects.filter(pk=case.pk).update(opened_at=opened, closed_at=closed)


def step_on(case, step, when):
    CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STEP, step=step).update(at=when)


@dataclass
class People:
    street: object  # supervisor of S1
    other_street: object  # supervisor of S2
    district: object  # supervisor of D1
    bureau: object  # staff of D1-EDU
    admin: object  # admin of the city


@dataclass
class History:
    people: People
    cases: dict[str, Case]


@pytest.fixture
def people(tree) -> People:
    return People(
        street=person(tree.s1, R.SUPERVISOR, "street_supervisor"),
        other_street=person(tree.s2, R.SUPERVISOR, "other_street_supervisor"),
        district=person(tree.d1, R.SUPERVISOR, "district_supervisor"),
        bureau=person(tree.dept, R.STAFF, "bureau_staff"),
        admin=person(tree.city, R.ADMIN, "city_admin"),
    )


@pytest.fixture
def history(tree, people) -> History:
    dept, d2, s2 = tree.dept, tree.d2, tree.s2
    february = long_meeting(tree.a, dept, D(2026, 2, 3))
    long_meeting(tree.a, dept, D(2026, 3, 2))
    long_meeting(tree.a, dept, D(2026, 3, 9))
    crowded_meeting(tree.a, d2, D(2026, 3, 20))
    long_meeting(tree.b, None, D(2026, 3, 12))
    long_meeting(tree.c, s2, D(2026, 3, 1))
    long_meeting(tree.b, dept, D(2026, 4, 2))
    crowded_meeting(tree.b, d2, D(2026, 4, 8))
    long_meeting(tree.a, dept, D(2026, 5, 1))
    long_meeting(tree.b, dept, D(2026, 6, 3))
    long_meeting(tree.c, s2, D(2026, 6, 4))
    gather()

    def case(source, month):
        return Case.objects.get(source_unit=source, period=D(2026, month, 1))

    cases = {
        "K9": case(dept, 2),
        "K1": case(dept, 3),
        "K3": case(d2, 3),
        "SOLO": Case.objects.get(source_unit__isnull=True),
        "K4": case(s2, 3),
        "K2": case(dept, 4),
        "K8": case(d2, 4),
        "K5": case(dept, 5),
        "K6": case(dept, 6),
        "K10": case(s2, 6),
    }
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    Case.objects.update(deadline=today + datetime.timedelta(days=30))

    # K9: its only flag clears, so the case closes itself.
    Meeting.objects.filter(pk=february.pk).update(duration_minutes=90)
    gather()
    cases["K9"].refresh_from_db()
    assert cases["K9"].status == Case.Status.CLOSED
    dated(cases["K9"], at(2, 3), at(2, 15))

    case_transition(case=cases["K3"], user=people.admin, status="resolved", note="Merged.")
    dated(cases["K3"], at(3, 21, 23, 30), at(3, 31, 23, 30))

    case_escalate(case=cases["K4"], user=people.other_street, today=D(2026, 3, 3))
    step_on(cases["K4"], "reminder", at(3, 3))
    case_transition(case=cases["K4"], user=people.other_street, status="resolved", note="Done.")
    dated(cases["K4"], at(3, 1), at(3, 5))

    case_reply(case=cases["K2"], user=people.bureau, note="One meeting a month from now on.")
    case_transition(case=cases["K8"], user=people.admin, status="waived", note="An emergency drill.")
    dated(cases["K8"], at(4, 10), at(4, 20))

    case_escalate(case=cases["K5"], user=people.street, note="Please rectify.", today=D(2026, 5, 5))
    step_on(cases["K5"], "reminder", at(5, 5))
    case_escalate(case=cases["K5"], user=people.district, today=D(2026, 5, 12))
    step_on(cases["K5"], "notice", at(5, 12))
    case_transition(case=cases["K5"], user=people.district, status="resolved", note="Rectified.")
    dated(cases["K5"], at(5, 1), at(5, 21))

    for name, deadline in (("K1", yesterday), ("K2", yesterday), ("K6", today), ("K10", yesterday)):
        Case.objects.filter(pk=cases[name].pk).update(deadline=deadline)
    rollups_rebuild()  # the factories write past the services
    for case in cases.values():
        case.refresh_from_db()
    return History(people, cases)


def get(client, user, name, language="en", **params):
    client.force_login(user)
    return client.get(reverse(name), params, HTTP_ACCEPT_LANGUAGE=language)


def data_value(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}"[^>]*data-value="([^"]*)"', html)[1]


# --- the dashboard --------------------------------------------------------------------------------


def test_the_dashboard_counts_open_and_overdue_cases_per_department(client, history, tree):
    response = get(client, history.people.street, "insights:dashboard", **HALF_YEAR)
    cases = response.context["cases"]
    # K1, K2 (replied), K6 and the lone flag; K1 alone is overdue (K2 replied, K6 is due today).
    assert (cases.open, cases.overdue) == (4, 1)
    assert [(row.source.code, row.open, row.overdue) for row in cases.by_source] == [("D1-EDU", 3, 1)]
    assert cases.sources_open == 1  # the lone flag names no department
    html = response.content.decode()
    assert (data_value(html, "cases-open"), data_value(html, "cases-overdue")) == ("4", "1")
    row = re.search(r'<tr data-source="D1-EDU">.*?</tr>', html, re.S)[0]
    case_list = reverse("review:case_list")
    assert f'href="{case_list}?source_unit=D1-EDU"' in row
    assert f'href="{case_list}?source_unit=D1-EDU&amp;overdue=true"' in row

    city = get(client, history.people.admin, "insights:dashboard", **HALF_YEAR).context["cases"]
    assert (city.open, city.overdue) == (5, 2)
    assert [(row.source.code, row.open, row.overdue) for row in city.by_source] == [("D1-EDU", 3, 1), ("S2", 1, 1)]


def test_the_case_list_the_dashboard_links_to_holds_the_departments_open_cases(client, history):
    client.force_login(history.people.street)
    response = client.get(reverse("review:case_list"), {"source_unit": "D1-EDU"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    shown = {case.pk for case in response.context["rows"]}
    assert shown == {history.cases[name].pk for name in ("K1", "K2", "K6")}


def test_the_median_days_to_rectify_counts_the_cases_rectified_in_the_period(client, history):
    street = get(client, history.people.street, "insights:dashboard", **HALF_YEAR).context["cases"]
    # K9 closed (12 days), K3 resolved (10), K5 resolved (20); K8 was waived, not rectified.
    assert (street.rectified, street.median_days) == (3, Decimal("12.0"))
    city = get(client, history.people.admin, "insights:dashboard", **HALF_YEAR).context["cases"]
    assert (city.rectified, city.median_days) == (4, Decimal("11.0"))  # and K4 (4): between 10 and 12


def test_a_case_resolved_in_the_last_minutes_of_a_month_counts_in_that_month(client, history):
    march = get(client, history.people.street, "insights:dashboard", start="2026-03", end="2026-03")
    assert (march.context["cases"].rectified, march.context["cases"].median_days) == (1, Decimal("10.0"))
    assert data_value(march.content.decode(), "cases-median") == "10.0"
    april = get(client, history.people.street, "insights:dashboard", start="2026-04", end="2026-04")
    assert (april.context["cases"].rectified, april.context["cases"].median_days) == (0, None)
    assert 'data-testid="cases-median" data-value="">—<' in april.content.decode()


def test_escalations_are_counted_by_step_in_the_period(client, history):
    def steps(user, **period):
        cases = get(client, user, "insights:dashboard", **period).context["cases"]
        return {step.step: step.count for step in cases.escalations}

    assert steps(history.people.street, **HALF_YEAR) == {"reminder": 1, "notice": 1, "interview": 0}
    assert steps(history.people.admin, **HALF_YEAR) == {"reminder": 2, "notice": 1, "interview": 0}
    assert steps(history.people.street, start="2026-05", end="2026-05") == {"reminder": 1, "notice": 1, "interview": 0}
    assert steps(history.people.street, start="2026-04", end="2026-04") == {"reminder": 0, "notice": 0, "interview": 0}


def test_another_streets_cases_are_never_counted(client, history, tree):
    other = get(client, history.people.other_street, "insights:dashboard", **HALF_YEAR).context["cases"]
    # S2's supervisor: K10 open and overdue, K4 rectified in 4 days and reminded once; nothing of S1's.
    assert (other.open, other.overdue, other.rectified, other.median_days) == (1, 1, 1, Decimal("4.0"))
    assert [row.source.code for row in other.by_source] == ["S2"]
    assert other.escalations_total == 1
    # Within S1, a community's staff count only the cases its own burden feeds.
    staff_b = person(tree.b, R.STAFF, "staff_of_b")
    b = get(client, staff_b, "insights:dashboard", **HALF_YEAR).context["cases"]
    assert (b.open, b.overdue) == (3, 0)  # SOLO, K2 and K6; K1 is A's
    assert b.escalations_total == 0


# --- the burden ledger ------------------------------------------------------------------------------


def ledger_rows(response) -> list[tuple[str, int, int]]:
    html = response.content.decode()
    return [
        (code, int(open_), int(total))
        for code, open_, total in re.findall(
            r'<tr data-source="([^"]+)">.*?data-column="cases" data-open="(\d+)" data-total="(\d+)"', html, re.S
        )
    ]


def test_the_ledger_shows_the_cases_against_each_department_and_sorts_by_them(client, history):
    by_hours = get(client, history.people.street, "insights:source_ranking", **HALF_YEAR)
    # dept: K9, K1, K2, K5, K6 of the half year, three of them open; d2: K3 and K8, both over.
    assert ledger_rows(by_hours) == [("D2", 0, 2), ("D1-EDU", 3, 5)]
    by_cases = get(client, history.people.street, "insights:source_ranking", sort="cases", **HALF_YEAR)
    assert ledger_rows(by_cases) == [("D1-EDU", 3, 5), ("D2", 0, 2)]
    html = by_cases.content.decode()
    assert 'aria-sort="descending"><a href="?unit=S1&amp;start=2026-01&amp;end=2026-06&amp;sort=cases"' in html
    assert '<input type="hidden" name="sort" value="cases">' in html  # "Show" keeps the order
    # The chart stays the hours' top.
    assert [code for code, _label in by_cases.context["ranking_chart"].categories] == ["D2", "D1-EDU"]
    # An order it does not know is the hours'.
    assert ledger_rows(get(client, history.people.street, "insights:source_ranking", sort="x", **HALF_YEAR)) == [
        ("D2", 0, 2),
        ("D1-EDU", 3, 5),
    ]


def test_the_ledger_counts_the_cases_of_the_period_by_their_month(client, history):
    # Case.period from March to April: dept K1 (open) and K2 (replied); d2 K3 and K8.
    spring = get(client, history.people.street, "insights:source_ranking", start="2026-03", end="2026-04")
    assert ledger_rows(spring) == [("D2", 0, 2), ("D1-EDU", 2, 2)]
    march = get(client, history.people.street, "insights:source_ranking", start="2026-03", end="2026-03")
    assert ledger_rows(march) == [("D2", 0, 1), ("D1-EDU", 1, 1)]
    row = re.search(r'<tr data-source="D1-EDU">.*?</tr>', march.content.decode(), re.S)[0]
    assert f'{reverse("review:case_list")}?source_unit=D1-EDU&amp;period=2026-03"' in row
    assert f'{reverse("review:case_list")}?source_unit=D1-EDU&amp;status=any&amp;period=2026-03"' in row


def test_the_ledger_of_the_city_counts_the_other_streets_cases_and_the_streets_does_not(client, history):
    city = {
        code: (open_, total)
        for code, open_, total in ledger_rows(get(client, history.people.admin, "insights:source_ranking", **HALF_YEAR))
    }
    assert city["S2"] == (1, 2)
    street = [
        code
        for code, *_counts in ledger_rows(get(client, history.people.street, "insights:source_ranking", **HALF_YEAR))
    ]
    assert "S2" not in street


# --- reports and their spreadsheet ----------------------------------------------------------------------


def report_cases(report) -> dict:
    return {
        (counts.source.code if counts.source else None): (counts.opened, counts.resolved, counts.waived, counts.closed)
        for counts in report.cases
    }


@pytest.mark.parametrize(
    ("period", "persona", "expected"),
    [
        # March: K1, K3 and the lone flag are March's; K3 resolved at 23:30 on the 31st.
        ("2026-03", "street", {"D2": (1, 1, 0, 0), "D1-EDU": (1, 0, 0, 0), None: (1, 0, 0, 0)}),
        # April: K2 and K8; K8 waived on the 20th; K3's resolution was March's.
        ("2026-04", "street", {"D1-EDU": (1, 0, 0, 0), "D2": (1, 0, 1, 0)}),
        # The city sees S2's K4 too, opened and resolved in March.
        (
            "2026-03",
            "admin",
            {"D2": (1, 1, 0, 0), "S2": (1, 1, 0, 0), "D1-EDU": (1, 0, 0, 0), None: (1, 0, 0, 0)},
        ),
    ],
)
def test_a_monthly_report_counts_the_cases_opened_and_ended_in_the_month(client, history, period, persona, expected):
    user = getattr(history.people, persona)
    unit = "S1" if persona == "street" else "CITY"
    report = get(client, user, "insights:report_view", unit=unit, kind="monthly", period=period).context["report"]
    # Most cases of the period first, then most resolved, then by code; the lone flags last.
    assert list(report_cases(report).items()) == list(expected.items())


def test_a_quarterly_report_counts_cases_closed_by_themselves(client, history):
    report = get(client, history.people.street, "insights:report_view", unit="S1", kind="quarterly", period="2026-Q1")
    cases = report.context["report"]
    assert report_cases(cases) == {"D1-EDU": (2, 0, 0, 1), "D2": (1, 1, 0, 0), None: (1, 0, 0, 0)}
    total = cases.cases_total
    assert (total.opened, total.resolved, total.waived, total.closed) == (4, 1, 0, 1)
    html = report.content.decode()
    assert 'data-section="cases"' in html
    footer = re.search(r'<tr class="fw-semibold" data-source="total">.*?</tr>', html, re.S)[0]
    assert re.findall(r'data-value="(\d+)"', footer) == ["4", "1", "0", "1"]


def test_a_report_lists_the_escalation_letters_of_the_period(client, history):
    q2 = get(client, history.people.street, "insights:report_view", unit="S1", kind="quarterly", period="2026-Q2")
    report = q2.context["report"]
    assert report.letters_count == 2
    assert [
        (row.letter.reference, row.letter.step, row.addressee, row.letter.issued_on, row.letter.deadline)
        for row in report.letters
    ] == [
        ("S1 · Reminder 2026-1", "reminder", "East Education Bureau", D(2026, 5, 5), D(2026, 5, 15)),
        ("D1 · Circulated notice 2026-1", "notice", "East Education Bureau", D(2026, 5, 12), D(2026, 5, 22)),
    ]
    html = q2.content.decode()
    assert data_value(html, "letters-count") == "2"
    letter = report.letters[0].letter
    assert f'href="{reverse("review:case_letter", args=[letter.pk])}"' in html


def test_a_report_names_no_letter_of_another_street(client, history):
    street = get(client, history.people.street, "insights:report_view", unit="S1", kind="monthly", period="2026-03")
    assert (street.context["report"].letters_count, street.context["report"].letters) == (0, [])
    assert "S2 · " not in street.content.decode()
    city = get(client, history.people.admin, "insights:report_view", unit="CITY", kind="monthly", period="2026-03")
    assert [(row.letter.reference, row.addressee) for row in city.context["report"].letters] == [
        ("S2 · Reminder 2026-1", "Second Street")
    ]


def workbook(client, user, language="en", **params):
    response = get(client, user, "insights:report_xlsx", language=language, **params)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_the_spreadsheet_holds_the_cases_and_the_letters(client, history):
    book = workbook(client, history.people.street, unit="S1", kind="quarterly", period="2026-Q2")
    cases = rows(book["Cases"])
    assert cases[0] == (
        "Code",
        "Department",
        "Cases of the period",
        "Resolved in the period",
        "Waived in the period",
        "Closed in the period, every flag cleared",
    )
    assert cases[1:] == [
        ("D1-EDU", "East Education Bureau", 3, 1, 0, 0),
        ("D2", "West District", 1, 0, 1, 0),
        (None, "All departments", 4, 1, 1, 0),
    ]
    letters = rows(book["Escalations"])
    assert letters[0] == ("Reference", "Step", "Addressed to", "Issued on", "Reply by")
    assert letters[1:] == [
        (
            "S1 · Reminder 2026-1",
            "Reminder",
            "East Education Bureau",
            datetime.datetime(2026, 5, 5),
            datetime.datetime(2026, 5, 15),
        ),
        (
            "D1 · Circulated notice 2026-1",
            "Circulated notice",
            "East Education Bureau",
            datetime.datetime(2026, 5, 12),
            datetime.datetime(2026, 5, 22),
        ),
    ]
    overview = {row[0]: row[1] for row in rows(book["Overview"]) if row and row[0]}
    assert overview["Cases of the period"] == 4
    assert overview["Resolved in the period"] == 1
    assert overview["Escalation letters issued in the period"] == 2


def test_the_spreadsheet_keeps_a_formula_like_department_name_as_text(client, history, tree):
    Unit.objects.filter(pk=tree.dept.pk).update(name_en='=HYPERLINK("http://x","y")')
    book = workbook(client, history.people.street, unit="S1", kind="quarterly", period="2026-Q2")
    for sheet, column in (("Cases", 2), ("Escalations", 3)):
        cell = book[sheet].cell(row=2, column=column)
        assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s", sheet
        assert cell.quotePrefix, sheet


def test_the_spreadsheet_and_the_report_speak_chinese(client, history):
    book = workbook(client, history.people.street, language="zh-hans", unit="S1", kind="quarterly", period="2026-Q2")
    assert "督办事项" in book.sheetnames
    cases = rows(book["督办事项"])
    assert cases[1][:2] == ("D1-EDU", "东区教育局")
    assert all(CJK.search(label) for label in cases[0][1:])
    letters = rows(book[book.sheetnames[book.sheetnames.index("督办事项") + 1]])
    assert letters[1][:3] == ("S1 · 提示函 2026-1", "提示函", "东区教育局")
    html = get(
        client,
        history.people.street,
        "insights:report_view",
        language="zh-hans",
        unit="S1",
        kind="quarterly",
        period="2026-Q2",
    ).content.decode()
    section = re.search(r'<section class="report-section" data-section="cases".*?</section>', html, re.S)[0]
    text = visible_text(section)
    assert "东区教育局" in text and "提示函" in text
    assert not re.search(r"\b(Cases|Resolved|Waived|Reference|Step|Addressed|letter)\b", text)


def test_the_dashboard_and_the_ledger_speak_chinese(client, history):
    for name, params in (
        ("insights:dashboard", HALF_YEAR),
        ("insights:source_ranking", {**HALF_YEAR, "sort": "cases"}),
    ):
        html = get(client, history.people.street, name, language="zh-hans", **params).content.decode()
        assert "督办事项" in visible_text(html), name
    dashboard = get(client, history.people.street, "insights:dashboard", language="zh-hans", **HALF_YEAR)
    panel = re.search(
        r'<section class="card shadow-sm mb-4" data-testid="cases".*?</section>', dashboard.content.decode(), re.S
    )[0]
    text = visible_text(panel)
    assert "东区教育局" in text and "约谈" in text
    assert not re.search(r"[A-Za-z]{4,}", text.replace("D1-EDU", ""))


# --- query counts -------------------------------------------------------------------------------------


def more_cases(tree, people, count):
    """``count`` more departments, each with a case on A in March: half reminded, a third resolved in March."""
    departments = [UnitFactory(level=Unit.Level.DEPARTMENT, parent=tree.d1, is_grassroots=False) for _ in range(count)]
    for department in departments:
        long_meeting(tree.a, department, D(2026, 3, 16))
        long_meeting(tree.b, department, D(2026, 3, 17))
    gather()
    for index, department in enumerate(departments):
        case = Case.objects.get(source_unit=department)
        if index % 2 == 0:
            case_escalate(case=case, user=people.street, today=D(2026, 3, 18))
        if index % 3 == 0:
            case_transition(case=case, user=people.district, status="resolved", note="Done.")
            dated(case, at(3, 16), at(3, 20 + index % 10))
    CaseEvent.objects.filter(kind=CaseEvent.Kind.STEP).update(at=at(3, 18))
    rollups_rebuild()


@pytest.mark.parametrize("persona", ["street", "admin"])
def test_the_pages_run_the_same_queries_for_2_cases_as_for_20(client, tree, people, persona):
    user = getattr(people, persona)
    unit = "S1" if persona == "street" else "CITY"
    requests = [
        ("insights:dashboard", {"unit": unit, "start": "2026-03", "end": "2026-03"}),
        ("insights:source_ranking", {"unit": unit, "start": "2026-03", "end": "2026-03", "sort": "cases"}),
        ("insights:report_view", {"unit": unit, "kind": "monthly", "period": "2026-03"}),
        ("insights:report_xlsx", {"unit": unit, "kind": "monthly", "period": "2026-03"}),
    ]

    def queries() -> list[int]:
        counts = []
        for name, params in requests:
            client.force_login(user)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse(name), params, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
            counts.append(len(captured))
        return counts

    more_cases(tree, people, 2)
    few = queries()
    more_cases(tree, people, 18)
    assert Case.objects.count() == 20
    client.force_login(user)
    dashboard = client.get(reverse("insights:dashboard"), requests[0][1]).context["cases"]
    assert (dashboard.open, dashboard.rectified, len(dashboard.by_source)) == (13, 7, 10)
    report = client.get(reverse("insights:report_view"), requests[2][1]).context["report"]
    assert (report.cases_total.opened, report.letters_count) == (20, 10)
    assert queries() == few
