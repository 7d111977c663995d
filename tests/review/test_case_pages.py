"""The case pages: the queue's cases, a case's page and its actions, its letters, and the record pages' flags.

The cases are gathered from real records by the rules engine (``sweep``), or from
flags made here (``cases_gather``). Who is who, besides the personas of
``tests/conftest.py``: ``dept_staff`` works in the East Education Bureau (D1-EDU, the
department the cases are against), ``district`` supervises district D1 (the owner
of a case of D1-EDU against community A), ``supervisor_s2`` supervises the other
street.
"""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from burden.models import Case, CaseEvent, CaseLetter, Membership, Violation, ViolationRecord
from burden.review.cases import cases_gather
from burden.rules.engine import sweep
from documents.models import Document
from meetings.models import Meeting
from tests.factories import MembershipFactory, UnitFactory, UserFactory, ViolationFactory
from tests.record_factories.documents import DocumentFactory
from tests.record_factories.meetings import MeetingFactory
from tests.test_translations import CJK, LATIN_WORD, visible_text

R = Membership.Role
TODAY = timezone.localdate()
MARCH = datetime.date(2026, 3, 2)
QUEUE = reverse("review:case_list")


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    """Pages in English unless a test asks for Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def people(tree, personas):
    """The personas, with the department's staff, the district's supervisor and the other street's."""
    personas.dept_staff = MembershipFactory(user=UserFactory(username="dept_staff"), unit=tree.dept, role=R.STAFF).user
    personas.district = MembershipFactory(user=UserFactory(username="district"), unit=tree.d1, role=R.SUPERVISOR).user
    personas.supervisor_s2 = MembershipFactory(
        user=UserFactory(username="supervisor_s2"), unit=tree.s2, role=R.SUPERVISOR
    ).user
    return personas


def long_meeting(unit, source_unit, day=MARCH, **fields):
    """A 150-minute training meeting: MTG-DURATION flags it, and nothing else."""
    fields = {"duration_minutes": 150, "category": Meeting.Category.TRAINING, **fields}
    return MeetingFactory(unit=unit, source_unit=source_unit, date=day, **fields)


@pytest.fixture
def case_a(tree, people):
    """D1-EDU's case for two long meetings it called community A to in March; owned by district D1."""
    long_meeting(tree.a, tree.dept, MARCH)
    long_meeting(tree.a, tree.dept, MARCH + datetime.timedelta(days=14))
    sweep(TODAY, codes=["MTG-DURATION"])
    return Case.objects.get(rule="MTG-DURATION", source_unit=tree.dept)


def page(client, user, name, *args, language="en", **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params, HTTP_ACCEPT_LANGUAGE=language)


def act(client, user, case, action, language="en", **fields):
    """Post one of the case page's forms: its fields carry the action's prefix."""
    client.force_login(user)
    data = {"action": action, **{f"{action}-{name}": value for name, value in fields.items()}}
    return client.post(reverse("review:case_detail", args=[case.pk]), data, HTTP_ACCEPT_LANGUAGE=language)


def listed(response) -> set[int]:
    return {case.pk for case in response.context["rows"]}


# --- The queue lists cases first ------------------------------------------------------------


def test_the_queue_opens_on_the_cases_and_single_flags_are_a_tab_away(client, people, case_a):
    response = page(client, people.district, "review:case_list")
    assert listed(response) == {case_a.pk}
    html = response.content.decode()
    assert f'href="{reverse("review:case_detail", args=[case_a.pk])}"' in html
    assert f'href="{reverse("review:violation_list")}"' in html
    row = response.context["rows"][0]
    assert (row.flags, row.units, row.hours) == (2, 1, case_a.hours)
    assert row.owner_unit.code == "D1" and row.source_unit.code == "D1-EDU"
    flags = page(client, people.district, "review:violation_list")
    assert {v.pk for v in flags.context["rows"]} == set(case_a.violations.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("dept_staff", True),  # the cases against it
        ("district", True),  # the owner
        ("supervisor", True),  # its communities feed the case
        ("staff_a", True),  # community A's burden feeds it
        ("staff_b", False),
        ("supervisor_s2", False),
    ],
)
def test_each_role_sees_the_cases_of_its_units_only(client, people, case_a, persona, sees):
    response = page(client, getattr(people, persona), "review:case_list")
    assert listed(response) == ({case_a.pk} if sees else set())


def test_a_departments_staff_get_the_cases_against_them(client, tree, people, case_a):
    long_meeting(tree.b, tree.s1)  # the street's own demand on community B: a case against the street
    sweep(TODAY, codes=["MTG-DURATION"])
    against_street = Case.objects.get(source_unit=tree.s1)
    response = page(client, people.dept_staff, "review:case_list", against="us")
    assert listed(response) == {case_a.pk}
    assert 'data-testid="tab-against-us"' in response.content.decode()
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="cases-against-us"' in home and f"{QUEUE}?against=us" in home
    # The street's supervisor sees both cases, and only the one against the street as "against us".
    assert listed(page(client, people.supervisor, "review:case_list")) == {case_a.pk, against_street.pk}
    assert listed(page(client, people.supervisor, "review:case_list", against="us")) == {against_street.pk}
    # A community's staff answer for no case: no such tab, and nothing is against them.
    staff = page(client, people.staff_a, "review:case_list", against="us")
    assert listed(staff) == set()
    assert 'data-testid="tab-against-us"' not in staff.content.decode()
    assert 'data-testid="cases-against-us"' not in client.get(reverse("home")).content.decode()


def test_the_heaviest_case_comes_first(client, tree, people):
    light = ViolationFactory(record=long_meeting(tree.a, tree.dept))
    heavy = ViolationFactory(record=long_meeting(tree.a, tree.s1), severity="high")
    cases_gather(today=TODAY)
    heavy.refresh_from_db()
    light.refresh_from_db()
    response = page(client, people.district, "review:case_list")
    assert [case.pk for case in response.context["rows"]] == [heavy.case_id, light.case_id]


def _gathered(tree, count, **fields):
    """``count`` flags on long meetings of A, one a month back from March 2026: one case each."""
    for n in range(count):
        month = 2026 * 12 + 2 - n  # March 2026, February, ...
        day = datetime.date(month // 12, month % 12 + 1, 2)
        ViolationFactory(record=long_meeting(tree.a, tree.dept, day), **fields)
    cases_gather(today=TODAY)


def test_the_filters_narrow_the_cases(client, tree, people):
    _gathered(tree, 3)
    cases = list(Case.objects.order_by("period"))
    Case.objects.filter(pk=cases[0].pk).update(deadline=TODAY - datetime.timedelta(days=1))
    Case.objects.filter(pk=cases[1].pk).update(deadline=TODAY, step=Case.Step.REMINDER)
    Case.objects.filter(pk=cases[2].pk).update(status=Case.Status.RESOLVED)
    user = people.district
    assert listed(page(client, user, "review:case_list")) == {cases[0].pk, cases[1].pk}
    assert listed(page(client, user, "review:case_list", status="any")) == {c.pk for c in cases}
    assert listed(page(client, user, "review:case_list", status="resolved")) == {cases[2].pk}
    # Overdue from the day after the deadline: yesterday's is, today's is not yet.
    assert listed(page(client, user, "review:case_list", overdue="true")) == {cases[0].pk}
    assert listed(page(client, user, "review:case_list", overdue="false")) == {cases[1].pk}
    assert listed(page(client, user, "review:case_list", step="reminder")) == {cases[1].pk}
    month = cases[1].period.strftime("%Y-%m")
    assert listed(page(client, user, "review:case_list", period=month, status="any")) == {cases[1].pk}
    assert listed(page(client, user, "review:case_list", source_unit="S1")) == set()
    assert listed(page(client, user, "review:case_list", source_unit="D1-EDU")) == {cases[0].pk, cases[1].pk}
    assert listed(page(client, user, "review:case_list", rule="MTG-LEADER")) == {cases[0].pk, cases[1].pk}
    assert listed(page(client, user, "review:case_list", rule="DOC-DAILY")) == set()
    response = page(client, user, "review:case_list")
    assert response.context["overdue_total"] == 1
    assert response.content.decode().count('data-testid="overdue"') == 2  # its row in the table and its phone card


def test_the_cases_paginate(client, tree, people):
    _gathered(tree, 27)
    assert len(page(client, people.district, "review:case_list").context["rows"]) == 25
    assert len(page(client, people.district, "review:case_list", page=2).context["rows"]) == 2


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_case_list_runs_the_same_queries_for_2_or_20_cases(client, tree, people):
    client.force_login(people.district)
    _gathered(tree, 2)
    client.get(QUEUE)
    few = _queries(client, QUEUE)
    Violation.objects.update(case=None)
    Case.objects.all().delete()
    _gathered(tree, 20)
    assert Case.objects.count() == 20
    assert _queries(client, QUEUE) == few


# --- A case's page -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "forms"),
    [
        ("dept_staff", 200, {"reply"}),
        ("district", 200, {"reply", "escalate", "resolve", "waive", "evidence"}),  # above the department, too
        ("supervisor", 200, {"evidence", "escalate"}),  # a burdened street may send the reminder
        ("staff_a", 200, set()),
        ("staff_b", 404, None),
        ("supervisor_s2", 404, None),
        ("outsider", 404, None),
    ],
)
def test_the_case_page_answers_each_role_with_what_it_may_do(client, people, case_a, persona, status, forms):
    response = page(client, getattr(people, persona), "review:case_detail", case_a.pk)
    assert response.status_code == status
    if forms is not None:
        assert set(response.context["forms"]) == forms


def test_a_case_with_no_department_offers_no_letter(client, tree, people):
    """Nobody to write to: the street decides the lone flag's case, and an escalation posted anyway is refused."""
    long_meeting(tree.a, None)
    sweep(TODAY, codes=["MTG-DURATION"])
    case = Case.objects.get(source_unit=None)
    response = page(client, people.supervisor, "review:case_detail", case.pk)
    assert set(response.context["forms"]) == {"evidence", "resolve", "waive"}
    refused = act(client, people.supervisor, case, "escalate", note="x")
    assert refused.status_code == 403 and not case.letters.exists()


def test_the_case_page_needs_a_sign_in(client, case_a):
    response = client.get(reverse("review:case_detail", args=[case_a.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_evidence_lists_the_flags_and_the_records_behind_a_group(client, tree, people):
    documents = [DocumentFactory(unit=tree.a, source_unit=tree.dept, received_on=MARCH) for _ in range(11)]
    sweep(TODAY, codes=["DOC-DAILY"])
    case = Case.objects.get(rule="DOC-DAILY")
    response = page(client, people.supervisor, "review:case_detail", case.pk)
    [flag] = response.context["flags"]
    assert [ref.record_id for ref in flag.records] == sorted(d.pk for d in documents)
    html = response.content.decode()
    for document in documents:
        assert f'href="{reverse("documents:document_detail", args=[document.pk])}"' in html
    assert f"{reverse('review:violation_list')}?case={case.pk}&amp;status=any" in html
    # The department sees the same evidence; the records' pages are community A's, not its own to open.
    department = page(client, people.dept_staff, "review:case_detail", case.pk)
    [flag] = department.context["flags"]
    assert [ref.record.pk for ref in flag.records] == sorted(d.pk for d in documents)
    html = department.content.decode()
    assert documents[0].title in html
    assert reverse("documents:document_detail", args=[documents[0].pk]) not in html
    assert "?case=" not in html


@pytest.mark.parametrize(
    ("persona", "units"),
    [
        ("staff_a", {"A"}),
        ("supervisor", {"A", "B"}),
        ("supervisor_s2", {"C"}),  # the city's case, fed by its street too
        ("dept_staff", {"A", "B", "C"}),  # every flag it caused
        ("admin", {"A", "B", "C"}),
    ],
)
def test_the_evidence_leaves_out_the_flags_outside_the_viewers_units(client, tree, people, persona, units):
    for unit in (tree.a, tree.b, tree.c):
        ViolationFactory(record=long_meeting(unit, tree.dept))
    cases_gather(today=TODAY)
    case = Case.objects.get()
    assert (case.flags, case.owner_unit.code) == (3, "CITY")
    shown = page(client, getattr(people, persona), "review:case_detail", case.pk).context["flags"]
    assert {flag.unit.code for flag in shown} == units


def _case_page_queries(client, case) -> int:
    return _queries(client, reverse("review:case_detail", args=[case.pk]))


def test_the_case_page_runs_the_same_queries_for_2_or_20_flags(client, tree, people):
    def flags(count):
        for n in range(count):
            meeting = long_meeting(tree.a, tree.dept, MARCH + datetime.timedelta(days=n % 20))
            flag = ViolationFactory(record=meeting)
            others = [long_meeting(tree.a, tree.dept, MARCH) for _ in range(2)]
            ViolationRecord.objects.bulk_create(
                [ViolationRecord(violation=flag, record_kind="meeting", record_id=m.pk) for m in [meeting, *others]]
            )
        cases_gather(today=TODAY)

    client.force_login(people.district)
    flags(2)
    case = Case.objects.get()
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.EVIDENCE, actor=people.supervisor, note="first")
    client.get(reverse("review:case_detail", args=[case.pk]))
    few = _case_page_queries(client, case)
    flags(18)
    CaseEvent.objects.bulk_create(
        [CaseEvent(case=case, kind=CaseEvent.Kind.EVIDENCE, actor=people.supervisor, note=f"{n}") for n in range(10)]
    )
    assert Case.objects.get().flags == 20
    assert _case_page_queries(client, case) == few


# --- Acting on a case ---------------------------------------------------------------------------


def test_the_department_replies_with_its_rectification(client, people, case_a):
    response = act(client, people.dept_staff, case_a, "reply", note="已取消重复会议", measures="今后会议不超过90分钟")
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Case.Status.REPLIED
    reply = case_a.events.get(kind=CaseEvent.Kind.REPLY)
    assert reply.actor == people.dept_staff
    assert (reply.note, reply.measures) == ("已取消重复会议", "今后会议不超过90分钟")
    timeline = page(client, people.staff_a, "review:case_detail", case_a.pk).content.decode()
    assert "今后会议不超过90分钟" in timeline


def test_a_reply_without_a_note_comes_back_with_what_was_typed_and_a_translated_error(client, people, case_a):
    response = act(
        client, people.dept_staff, case_a, "reply", language="zh-hans", note="", measures="今后会议不超过90分钟"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "今后会议不超过90分钟" in html
    assert "该字段是必填项。" in html
    assert Case.objects.get(pk=case_a.pk).status == Case.Status.OPEN


@pytest.mark.parametrize(
    ("persona", "action", "fields"),
    [
        ("staff_a", "reply", {"note": "x"}),
        ("supervisor", "reply", {"note": "x"}),
        ("dept_staff", "escalate", {}),
        ("supervisor", "resolve", {}),
        ("dept_staff", "waive", {"note": "x"}),
        ("staff_a", "evidence", {"note": "x"}),
        ("dept_staff", "evidence", {"note": "x"}),
    ],
)
def test_a_role_that_may_not_act_is_refused_and_nothing_changes(client, people, case_a, persona, action, fields):
    response = act(client, getattr(people, persona), case_a, action, **fields)
    assert response.status_code == 403
    case = Case.objects.get(pk=case_a.pk)
    assert (case.status, case.step) == (Case.Status.OPEN, Case.Step.NONE)
    assert not case.events.exclude(kind=CaseEvent.Kind.OPENED).exists()


def test_a_case_outside_ones_units_is_a_404_for_a_post_too(client, people, case_a):
    assert act(client, people.supervisor_s2, case_a, "evidence", note="x").status_code == 404


def test_a_lower_supervisor_adds_evidence(client, people, case_a):
    assert act(client, people.supervisor, case_a, "evidence", note="社区反映每月两次").status_code == 302
    assert case_a.events.get(kind=CaseEvent.Kind.EVIDENCE).note == "社区反映每月两次"
    assert Case.objects.get(pk=case_a.pk).status == Case.Status.OPEN


def test_a_burdened_streets_supervisor_sends_the_reminder_in_the_streets_name_and_no_more(client, people, case_a):
    response = act(client, people.supervisor, case_a, "escalate", note="请区教育局整改")
    assert response.status_code == 302
    letter = CaseLetter.objects.get()
    assert (letter.step, letter.number, letter.issuing_unit.code) == (Case.Step.REMINDER, 1, "S1")
    assert "escalate" not in page(client, people.supervisor, "review:case_detail", case_a.pk).context["forms"]
    assert act(client, people.supervisor, case_a, "escalate").status_code == 403
    assert CaseLetter.objects.count() == 1
    assert act(client, people.district, case_a, "escalate").status_code == 302
    assert CaseLetter.objects.get(step=Case.Step.NOTICE).issuing_unit.code == "D1"


def test_escalating_numbers_each_steps_letters_in_the_owners_sequence(client, tree, people, case_a):
    long_meeting(tree.a, tree.dept, datetime.date(2026, 4, 6))
    sweep(TODAY, codes=["MTG-DURATION"])
    april = Case.objects.get(period=datetime.date(2026, 4, 1))
    first = act(client, people.district, case_a, "escalate", note="请尽快整改")
    letter = CaseLetter.objects.get(cases=case_a)
    assert first.status_code == 302 and first["Location"] == reverse("review:case_letter", args=[letter.pk])
    assert (letter.step, letter.number, letter.issuing_unit.code) == (Case.Step.REMINDER, 1, "D1")
    act(client, people.district, april, "escalate")
    assert CaseLetter.objects.get(cases=april).number == 2
    act(client, people.district, case_a, "escalate")
    notice = CaseLetter.objects.get(cases=case_a, step=Case.Step.NOTICE)
    assert notice.number == 1  # each step has its own sequence
    case_a.refresh_from_db()
    assert (case_a.step, case_a.deadline) == (Case.Step.NOTICE, notice.deadline)
    response = page(client, people.dept_staff, "review:case_detail", case_a.pk)
    assert [letter.number for letter in response.context["letters"]] == [1, 1]


def test_the_interview_needs_its_date_and_keeps_the_note_typed(client, people, case_a):
    Case.objects.filter(pk=case_a.pk).update(step=Case.Step.NOTICE)
    form = page(client, people.district, "review:case_detail", case_a.pk).context["forms"]["escalate"]
    assert "interview_on" in form.fields
    response = act(client, people.district, case_a, "escalate", note="第三次督办")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the date of the interview." in html and "第三次督办" in html
    assert not CaseLetter.objects.exists()
    day = TODAY + datetime.timedelta(days=3)
    assert act(client, people.district, case_a, "escalate", interview_on=day.isoformat()).status_code == 302
    assert CaseLetter.objects.get().interview_on == day
    # The last step: nothing more to climb.
    assert "escalate" not in page(client, people.district, "review:case_detail", case_a.pk).context["forms"]


def test_resolving_a_case_resolves_its_flags_and_reopening_opens_them(client, people, case_a):
    flags = case_a.violations.all()
    assert act(client, people.district, case_a, "resolve", note="已整改").status_code == 302
    assert Case.objects.get(pk=case_a.pk).status == Case.Status.RESOLVED
    assert set(flags.values_list("status", flat=True)) == {Violation.Status.RESOLVED}
    forms = page(client, people.district, "review:case_detail", case_a.pk).context["forms"]
    assert set(forms) == {"reopen", "evidence"}
    assert act(client, people.district, case_a, "reopen", note="又发生了").status_code == 302
    assert Case.objects.get(pk=case_a.pk).status == Case.Status.OPEN
    assert set(flags.values_list("status", flat=True)) == {Violation.Status.OPEN}


def test_waiving_needs_a_reason(client, people, case_a):
    response = act(client, people.district, case_a, "waive", note="")
    assert response.status_code == 400
    assert "Say what was done, or why." in response.content.decode()
    assert Case.objects.get(pk=case_a.pk).status == Case.Status.OPEN
    assert act(client, people.district, case_a, "waive", note="市里统一部署").status_code == 302
    assert Case.objects.get(pk=case_a.pk).status == Case.Status.WAIVED
    assert set(case_a.violations.values_list("status", flat=True)) == {Violation.Status.WAIVED}


def test_closing_forms_ask_before_they_are_sent(client, people, case_a):
    html = page(client, people.district, "review:case_detail", case_a.pk).content.decode()
    for testid in ("resolve-form", "waive-form", "escalate-form"):
        form = html.split(f'data-testid="{testid}"')[1].split(">")[0]
        assert "data-confirm=" in form, testid


def test_an_unknown_action_changes_nothing(client, people, case_a):
    assert act(client, people.district, case_a, "delete").status_code == 400
    assert Case.objects.get(pk=case_a.pk).status == Case.Status.OPEN


# --- Letters ------------------------------------------------------------------------------------


@pytest.fixture
def reminder(client, people, case_a):
    act(client, people.district, case_a, "escalate", note="请于期限内整改")
    client.logout()
    return CaseLetter.objects.get()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("dept_staff", 200),
        ("district", 200),
        ("supervisor", 200),
        ("staff_a", 200),
        ("staff_b", 404),
        ("supervisor_s2", 404),
        ("outsider", 404),
    ],
)
def test_a_letter_is_read_by_those_who_see_one_of_its_cases(client, people, reminder, persona, status):
    assert page(client, getattr(people, persona), "review:case_letter", reminder.pk).status_code == status


@pytest.mark.parametrize(
    ("language", "issuer", "addressee", "rule_title"),
    [
        ("en", "East District", "East Education Bureau", "Meeting too long"),
        ("zh-hans", "东区", "东区教育局", "会议时间过长"),
    ],
)
def test_the_letter_says_who_writes_to_whom_about_what_and_by_when(
    client, people, case_a, reminder, language, issuer, addressee, rule_title
):
    response = page(client, people.dept_staff, "review:case_letter", reminder.pk, language=language)
    html = response.content.decode()
    text = visible_text(html)
    with translation.override(language):
        reference, deadline = reminder.reference, date_format(reminder.deadline, "DATE_FORMAT")
    assert reference in text
    assert html.split('data-testid="issuer">')[1].startswith(issuer)
    assert addressee in html.split('data-testid="addressee">')[1].split("</p>")[0]
    assert rule_title in text
    assert deadline in html.split('data-testid="letter-deadline">')[1].split("</p>")[0]
    assert "请于期限内整改" in text
    examples = response.context["cases"][0].examples
    assert len(examples) == 2 and all(flag.record_ref.record is not None for flag in examples)
    if language == "en":
        assert [char for char in CJK.findall(text) if char not in "请于期限内整改工作部署会"] == []
    else:
        day = reminder.deadline
        assert deadline == f"{day.year}年{day.month}月{day.day}日"
        assert "提示函" in reference  # the step, named in the letter's number


def test_an_interview_letter_gives_its_date(client, people, case_a):
    Case.objects.filter(pk=case_a.pk).update(step=Case.Step.NOTICE)
    day = TODAY + datetime.timedelta(days=5)
    act(client, people.district, case_a, "escalate", interview_on=day.isoformat())
    letter = CaseLetter.objects.get()
    html = page(client, people.dept_staff, "review:case_letter", letter.pk).content.decode()
    with translation.override("en"):
        assert date_format(day, "DATE_FORMAT") in html.split('data-testid="interview-on">')[1].split("</p>")[0]


def test_a_bundled_notice_shows_a_reader_only_the_cases_they_may_see(client, tree, people):
    from burden.review.cases import letter_issue

    ViolationFactory(record=long_meeting(tree.a, tree.dept))
    ViolationFactory(record=long_meeting(tree.c, tree.s2))
    cases_gather(today=TODAY)
    letter = letter_issue(
        cases=list(Case.objects.all()),
        step=Case.Step.NOTICE,
        issuing_unit=tree.city,
        user=people.admin,
        note="",
        today=TODAY,
    )
    response = page(client, people.supervisor, "review:case_letter", letter.pk)
    assert [case.source_unit.code for case in response.context["cases"]] == ["D1-EDU"]
    assert "Second Street" not in response.content.decode()
    both = page(client, people.admin, "review:case_letter", letter.pk)
    assert {case.source_unit.code for case in both.context["cases"]} == {"D1-EDU", "S2"}


def test_the_letter_page_runs_the_same_queries_for_1_or_6_cases(client, tree, people):
    from burden.review.cases import letter_issue

    def bundle(count):
        Violation.objects.update(case=None)
        CaseLetter.objects.all().delete()
        Case.objects.all().delete()
        for n in range(count):
            source = UnitFactory(code=f"DEPT{count}-{n}", parent=tree.d1, level="department")
            for _ in range(3):
                ViolationFactory(record=long_meeting(tree.a, source))
        cases_gather(today=TODAY)
        letter = letter_issue(
            cases=list(Case.objects.all()),
            step=Case.Step.NOTICE,
            issuing_unit=tree.d1,
            user=people.district,
            note="",
            today=TODAY,
        )
        return reverse("review:case_letter", args=[letter.pk])

    client.force_login(people.district)
    url = bundle(1)
    client.get(url)
    few = _queries(client, url)
    url = bundle(6)
    assert _queries(client, url) == few


def test_the_letter_prints_without_the_pages_navigation():
    # The browser test (tests/browser/test_cases.py) prints it; this holds where no browser runs.
    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text(encoding="utf-8")
    printed = css.split("@media print")[1]
    assert ".app-navbar" in printed and "body > footer" in printed


# --- A circulated notice over cases chosen in the queue, and an interview's minutes --------------------


NOTICE = reverse("review:notice_new")


def _reminded(tree, count):
    """``count`` cases of A, all reminded by their owner D1."""
    _gathered(tree, count)
    Case.objects.update(step=Case.Step.REMINDER)
    return list(Case.objects.order_by("period"))


def test_the_queue_offers_its_owner_to_choose_reminded_cases_for_one_notice(client, tree, people):
    cases = _reminded(tree, 2)
    Case.objects.filter(pk=cases[1].pk).update(step=Case.Step.NONE)  # not reminded yet: not offered
    html = page(client, people.district, "review:case_list").content.decode()
    assert 'data-testid="notice-form"' in html and 'data-select-all="case"' in html
    assert f'name="case" value="{cases[0].pk}"' in html
    assert f'name="case" value="{cases[1].pk}"' not in html
    # A burdened street's supervisor sees the cases but owns none: nothing to choose.
    street = page(client, people.supervisor, "review:case_list")
    assert listed(street) and 'data-testid="notice-form"' not in street.content.decode()


def test_the_notice_page_shows_the_chosen_cases_and_says_why_some_are_left_out(client, tree, people):
    cases = _reminded(tree, 3)
    Case.objects.filter(pk=cases[2].pk).update(step=Case.Step.NOTICE)
    client.force_login(people.district)
    response = client.get(NOTICE, {"case": [c.pk for c in cases] + [999999, "x"]})
    assert response.status_code == 200
    assert [c.pk for c in response.context["ready"]] == [cases[0].pk, cases[1].pk]
    assert [c.pk for c in response.context["left_out"]] == [cases[2].pk]
    assert "a notice follows a reminder" in response.content.decode()
    assert not CaseLetter.objects.exists()


def test_issuing_the_notice_numbers_one_letter_naming_every_chosen_case(client, tree, people):
    cases = _reminded(tree, 2)
    client.force_login(people.district)
    response = client.post(NOTICE, {"case": [c.pk for c in cases], "note": "未按期整改"})
    letter = CaseLetter.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("review:case_letter", args=[letter.pk])
    assert (letter.step, letter.number, letter.issuing_unit, letter.note) == ("notice", 1, tree.d1, "未按期整改")
    assert set(letter.cases.values_list("pk", flat=True)) == {c.pk for c in cases}
    assert set(Case.objects.values_list("step", flat=True)) == {"notice"}
    printed = page(client, people.district, "review:case_letter", letter.pk)
    assert len(printed.context["cases"]) == 2 and 'data-step="notice"' in printed.content.decode()


def test_a_notice_of_cases_one_does_not_own_issues_nothing_and_keeps_the_note(client, tree, people):
    cases = _reminded(tree, 1)
    client.force_login(people.supervisor)  # the street sees A's case, D1 owns it
    response = client.post(NOTICE, {"case": [cases[0].pk], "note": "我写的理由"})
    assert response.status_code == 400 and not CaseLetter.objects.exists()
    assert [c.pk for c in response.context["left_out"]] == [cases[0].pk]
    client.force_login(people.supervisor_s2)  # another street: the case is not there at all
    response = client.post(NOTICE, {"case": [cases[0].pk], "note": "x"})
    assert response.status_code == 400 and response.context["left_out"] == [] and response.context["ready"] == []
    assert set(Case.objects.values_list("step", flat=True)) == {"reminder"}


def test_the_notice_page_runs_the_same_queries_for_2_or_20_cases(client, tree, people):
    client.force_login(people.district)
    cases = _reminded(tree, 2)
    url = f"{NOTICE}?" + "&".join(f"case={c.pk}" for c in cases)
    client.get(url)
    few = _queries(client, url)
    Violation.objects.update(case=None)
    Case.objects.all().delete()
    cases = _reminded(tree, 20)
    url = f"{NOTICE}?" + "&".join(f"case={c.pk}" for c in cases)
    assert _queries(client, url) == few


@pytest.fixture
def interviewed(client, people, case_a):
    for _ in range(2):
        act(client, people.district, case_a, "escalate", note="x")
    act(client, people.district, case_a, "escalate", note="x", interview_on=TODAY.isoformat())
    case_a.refresh_from_db()
    assert case_a.step == Case.Step.INTERVIEW
    return case_a


def test_the_owner_records_the_interview_minutes_and_the_letter_prints_them(client, people, interviewed):
    response = page(client, people.district, "review:case_detail", interviewed.pk)
    assert "minutes" in response.context["forms"]
    assert "minutes" not in page(client, people.dept_staff, "review:case_detail", interviewed.pk).context["forms"]
    done = act(
        client, people.district, interviewed, "minutes", held_on=TODAY.isoformat(), minutes="局长到场，承诺合并会议。"
    )
    assert done.status_code == 302
    interview = interviewed.letters.get(step="interview")
    assert interview.minutes == "局长到场，承诺合并会议。" and interview.minutes_by == people.district
    printed = page(client, people.dept_staff, "review:case_letter", interview.pk).content.decode()
    assert 'data-testid="minutes"' in printed and "局长到场，承诺合并会议。" in printed
    again = page(client, people.district, "review:case_detail", interviewed.pk)
    assert again.context["forms"]["minutes"].initial["minutes"] == "局长到场，承诺合并会议。"


def test_minutes_dated_in_the_future_come_back_with_what_was_typed(client, people, interviewed):
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = act(
        client, people.district, interviewed, "minutes", language="zh-hans", held_on=tomorrow, minutes="已记录的内容"
    )
    assert response.status_code == 400
    form = response.context["forms"]["minutes"]
    assert form.errors["held_on"] and form["minutes"].value() == "已记录的内容"
    assert CJK.search(str(form.errors["held_on"]))
    assert interviewed.letters.get(step="interview").minutes == ""


# --- The record pages show the flags a record takes part in ---------------------------------------


def test_a_records_page_shows_the_group_flags_it_is_one_of_and_links_their_case(client, tree, people):
    documents = [DocumentFactory(unit=tree.a, source_unit=tree.dept, received_on=MARCH) for _ in range(11)]
    DocumentFactory(unit=tree.a, source_unit=tree.dept, received_on=MARCH + datetime.timedelta(days=1))
    sweep(TODAY, codes=["DOC-DAILY"])
    flag = Violation.objects.get(rule="DOC-DAILY")
    member = next(d for d in documents if d.pk != flag.record_id)  # not the group's anchor
    response = page(client, people.staff_a, "documents:document_detail", member.pk)
    assert [f.pk for f in response.context["flags"]] == [flag.pk]
    html = response.content.decode()
    assert f'href="{reverse("review:case_detail", args=[flag.case_id])}"' in html
    listing = page(client, people.staff_a, "documents:document_list")
    counts = {record.pk: record.open_flags for record in listing.context["object_list"]}
    assert {pk for pk, count in counts.items() if count} == {d.pk for d in documents}
    assert set(counts.values()) == {0, 1}


def test_a_record_list_counts_a_records_own_flag_and_its_groups_once_each(client, tree, people):
    documents = [DocumentFactory(unit=tree.a, source_unit=tree.dept, received_on=MARCH) for _ in range(11)]
    long_one = documents[5]
    Document.objects.filter(pk=long_one.pk).update(length_chars=9000)  # DOC-LENGTH: a flag of its own
    sweep(TODAY, codes=["DOC-DAILY", "DOC-LENGTH"])
    assert Violation.objects.filter(rule="DOC-LENGTH").count() == 1
    listing = page(client, people.staff_a, "documents:document_list")
    counts = {record.pk: record.open_flags for record in listing.context["object_list"]}
    assert counts[long_one.pk] == 2
    assert {counts[d.pk] for d in documents if d.pk != long_one.pk} == {1}


def test_a_flags_page_links_its_case(client, people, case_a):
    flag = case_a.violations.first()
    html = page(client, people.staff_a, "review:violation_detail", flag.pk).content.decode()
    assert f'href="{reverse("review:case_detail", args=[case_a.pk])}"' in html


# --- Both languages ------------------------------------------------------------------------------


def test_the_case_pages_leave_no_english_on_chinese_pages(client, people, case_a, reminder):
    pages = [
        ("review:case_list", []),
        ("review:case_detail", [case_a.pk]),
        ("review:case_letter", [reminder.pk]),
    ]
    for persona in ("dept_staff", "district", "staff_a"):
        for name, args in pages:
            text = visible_text(
                page(client, getattr(people, persona), name, *args, language="zh-hans").content.decode()
            )
            leftover = [word for word in LATIN_WORD.findall(text) if word not in {"MTG", "DURATION", "D1"}]
            assert leftover == [], (persona, name, leftover)
