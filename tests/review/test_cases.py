"""Cases (督办事项): open flags gathered by source department x rule x month, and what people do with them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from burden.models import Case, CaseEvent, CaseLetter, CasePolicy, Membership, Unit, Violation
from burden.review.cases import (
    case_add_evidence,
    case_escalate,
    case_reply,
    case_transition,
    cases_gather,
    common_path,
    interview_minutes_record,
    notice_issue,
)
from burden.rules.engine import evaluate_record, sweep
from meetings.models import Meeting
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.record_factories.meetings import MeetingFactory

D = datetime.date
TODAY = D(2026, 6, 30)
LONG = "MTG-DURATION"  # a record rule: one flag per meeting longer than 90 minutes
R = Membership.Role


def long_meeting(unit, source, day=None, minutes=120, **fields):
    day = day or D(2026, 3, 2)
    return MeetingFactory(unit=unit, source_unit=source, date=day, duration_minutes=minutes, **fields)


def run():
    sweep(TODAY, codes=[LONG])


def cases():
    return list(Case.objects.order_by("period", "rule", "key"))


def person(unit, role, name):
    return MembershipFactory(user=UserFactory(username=name), unit=unit, role=role).user


@pytest.fixture
def city_dept(tree):
    return UnitFactory(
        code="CITY-STAT",
        name="市统计局",
        name_en="City Statistics Bureau",
        level=Unit.Level.DEPARTMENT,
        parent=tree.city,
        is_grassroots=False,
    )


# --- gathering --------------------------------------------------------------------------------


def test_one_departments_flags_of_one_rule_and_month_are_one_case(tree):
    long_meeting(tree.a, tree.dept)
    long_meeting(tree.b, tree.dept, day=D(2026, 3, 20))
    long_meeting(tree.a, tree.dept, day=D(2026, 4, 1))  # April: a case of its own
    run()
    march, april = cases()
    assert (march.rule, march.source_unit, march.period) == (LONG, tree.dept, D(2026, 3, 1))
    assert (march.flags, march.units) == (2, 2)
    assert (april.period, april.flags, april.units) == (D(2026, 4, 1), 1, 1)
    assert set(Violation.objects.values_list("case_id", flat=True)) == {march.pk, april.pk}


def test_each_rule_is_its_own_case_unless_the_policy_gathers_them(tree):
    long_meeting(tree.a, tree.dept, top_leader_required=True, essential=False)  # MTG-DURATION and MTG-LEADER
    sweep(TODAY, codes=[LONG, "MTG-LEADER"])
    assert sorted(case.rule for case in cases()) == ["MTG-DURATION", "MTG-LEADER"]

    Case.objects.all().delete()
    CasePolicy.objects.create(pk=1, by_rule=False)
    Violation.objects.update(case=None)
    cases_gather(today=TODAY)
    (case,) = cases()
    assert (case.rule, case.flags) == ("", 2)


def test_a_quarter_policy_gathers_three_months(tree):
    CasePolicy.objects.create(pk=1, period=CasePolicy.Period.QUARTER)
    for day in (D(2026, 1, 5), D(2026, 2, 5), D(2026, 3, 31), D(2026, 4, 1)):
        long_meeting(tree.a, tree.dept, day=day)
    run()
    assert [(case.period, case.flags) for case in cases()] == [(D(2026, 1, 1), 3), (D(2026, 4, 1), 1)]


def test_a_flag_with_no_source_unit_is_a_case_of_its_own(tree):
    first, second = long_meeting(tree.a, None), long_meeting(tree.a, None)
    run()
    assert sorted(case.key for case in cases()) == sorted(
        f"flag-{Violation.objects.get(record_id=meeting.pk).pk}" for meeting in (first, second)
    )
    assert {case.owner_unit for case in cases()} == {tree.s1}  # the community's street reviews it


def test_new_flags_join_the_open_case_and_a_case_whose_flags_all_clear_closes_itself(tree):
    first = long_meeting(tree.a, tree.dept)
    run()
    (case,) = cases()
    second = long_meeting(tree.b, tree.dept, day=D(2026, 3, 9))
    evaluate_record("meeting", second.pk, TODAY)
    case.refresh_from_db()
    assert (case.flags, case.units, len(cases())) == (2, 2, 1)

    for meeting in (first, second):
        Meeting.objects.filter(pk=meeting.pk).update(duration_minutes=90)  # at the limit: no flag
        evaluate_record("meeting", meeting.pk, TODAY)
    case.refresh_from_db()
    assert (case.status, case.flags) == (Case.Status.CLOSED, 0)
    assert case.events.filter(kind=CaseEvent.Kind.CLOSED).count() == 1

    # The flag comes back: the closed case stays closed, a new one takes it.
    Meeting.objects.filter(pk=first.pk).update(duration_minutes=91)
    evaluate_record("meeting", first.pk, TODAY)
    active = Case.objects.active().get()
    assert active.pk != case.pk and active.flags == 1


def test_the_numbers_hours_and_weight_follow_the_flags(tree):
    long_meeting(tree.a, tree.dept, attendees=4)
    long_meeting(tree.a, tree.dept, attendees=2, day=D(2026, 3, 3))
    run()
    (case,) = cases()
    hours = sum(meeting.burden_hours for meeting in Meeting.objects.all())
    assert case.hours == hours > 0
    assert case.severity == "low"
    assert case.weight == 1 * hours


@pytest.mark.parametrize(
    ("burdened", "source", "owner"),
    [
        ("a", "dept", "d1"),  # a community and its district's bureau: the district owns it
        ("c", "dept", "city"),  # a community of another district: only the city holds both
        ("a", "s1", "s1"),  # the street itself burdened its community
    ],
)
def test_the_owner_is_the_nearest_unit_holding_the_burdened_units_and_the_department(tree, burdened, source, owner):
    long_meeting(getattr(tree, burdened), getattr(tree, source))
    run()
    (case,) = cases()
    assert case.owner_unit == getattr(tree, owner)


def test_a_city_departments_case_over_two_districts_is_owned_by_the_city(tree, city_dept):
    long_meeting(tree.a, city_dept)
    long_meeting(tree.c, city_dept, day=D(2026, 3, 4))
    run()
    (case,) = cases()
    assert (case.owner_unit, case.units) == (tree.city, 2)


def test_common_path():
    assert common_path(["/C/D/A/", "/C/D/B/"]) == "/C/D/"
    assert common_path(["/C/D/A/", "/C/E/"]) == "/C/"
    assert common_path(["/C/D/", "/C/D/A/"]) == "/C/D/"
    assert common_path(["/X/", "/Y/"]) == ""


def test_gathering_takes_the_same_statements_for_three_flags_or_three_hundred(tree, city_dept):
    def statements(unit, count):
        Meeting.objects.bulk_create(
            [MeetingFactory.build(unit=unit, source_unit=city_dept, duration_minutes=120) for _ in range(count)]
        )
        sweep(TODAY, codes=[LONG])  # the flags, and their first gathering
        Violation.objects.update(case=None)
        Case.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            cases_gather(today=TODAY)
        return len(captured)

    few = statements(tree.a, 3)
    many = statements(tree.c, 300)
    assert few == many
    assert Case.objects.get().flags == 303


# --- what people do ----------------------------------------------------------------------------


@pytest.fixture
def case(tree):
    long_meeting(tree.a, tree.dept)
    long_meeting(tree.b, tree.dept, day=D(2026, 3, 9))
    run()
    return Case.objects.get()


@pytest.fixture
def people(tree):
    return {
        "bureau": person(tree.dept, R.STAFF, "bureau_staff"),
        "street": person(tree.s1, R.SUPERVISOR, "street_supervisor"),
        "district": person(tree.d1, R.SUPERVISOR, "district_supervisor"),
        "other_street": person(tree.s2, R.SUPERVISOR, "other_street_supervisor"),
        "community": person(tree.a, R.STAFF, "community_staff"),
    }


def visible(user):
    return set(Case.objects.for_user(user).values_list("pk", flat=True))


def test_who_sees_a_case(case, people):
    for name in ("bureau", "street", "district", "community"):
        assert visible(people[name]) == {case.pk}, name
    assert visible(people["other_street"]) == set()
    assert visible(UserFactory(username="nobody")) == set()


def test_the_department_replies_and_no_one_else_may(case, people):
    for name in ("street", "community", "other_street"):
        with pytest.raises(PermissionDenied):
            case_reply(case=case, user=people[name], note="done")
    with pytest.raises(ValidationError) as error:
        case_reply(case=case, user=people["bureau"], note="  ")
    assert "note" in error.value.message_dict
    case_reply(case=case, user=people["bureau"], note="Merged the two meetings; next month one at most.")
    case.refresh_from_db()
    assert case.status == Case.Status.REPLIED
    assert case.events.get(kind=CaseEvent.Kind.REPLY).actor == people["bureau"]


def test_the_ladder_reminder_notice_interview_with_numbered_letters(case, people):
    assert case.owner_unit.code == "D1"
    # The street may send the reminder, in its own name; the notice is the district's.
    reminder = case_escalate(case=case, user=people["street"], note="Please rectify.", today=TODAY)
    assert (reminder.step, reminder.number, reminder.issuing_unit.code) == ("reminder", 1, "S1")
    assert reminder.deadline == TODAY + datetime.timedelta(days=10)
    with pytest.raises(PermissionDenied):
        case_escalate(case=case, user=people["street"], today=TODAY)
    notice = case_escalate(case=case, user=people["district"], today=TODAY)
    assert (notice.step, notice.number, notice.issuing_unit.code) == ("notice", 1, "D1")
    with pytest.raises(ValidationError) as error:
        case_escalate(case=case, user=people["district"], today=TODAY)
    assert "interview_on" in error.value.message_dict
    interview = case_escalate(
        case=case, user=people["district"], interview_on=TODAY + datetime.timedelta(days=3), today=TODAY
    )
    assert interview.deadline == TODAY + datetime.timedelta(days=3 + 15)
    with pytest.raises(ValidationError):
        case_escalate(case=case, user=people["district"], today=TODAY)  # no step after the interview
    case.refresh_from_db()
    assert (case.step, case.deadline) == ("interview", interview.deadline)
    assert list(case.events.filter(kind=CaseEvent.Kind.STEP).values_list("step", flat=True)) == [
        "reminder",
        "notice",
        "interview",
    ]


def test_letters_are_numbered_per_issuer_step_and_year(tree, people):
    long_meeting(tree.a, tree.dept)
    long_meeting(tree.a, tree.dept, day=D(2026, 4, 9))
    run()
    numbers = [case_escalate(case=case, user=people["district"], today=TODAY).number for case in cases()]
    assert numbers == [1, 2]
    assert CaseLetter.objects.filter(year=2026, step="reminder").count() == 2


def test_resolving_a_case_resolves_its_flags_and_reopening_brings_them_back(case, people):
    with pytest.raises(PermissionDenied):
        case_transition(case=case, user=people["street"], status="resolved", note="ok")
    case_transition(case=case, user=people["district"], status="resolved", note="Rectified.")
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
    assert set(case.violations.values_list("status", flat=True)) == {"resolved"}
    case_transition(case=case, user=people["district"], status="open", note="Came back.")
    case.refresh_from_db()
    assert (case.status, case.flags) == (Case.Status.OPEN, 2)
    assert set(case.violations.values_list("status", flat=True)) == {"open"}


def test_waiving_needs_a_note_and_moves_no_flag_without_one(case, people):
    with pytest.raises(ValidationError):
        case_transition(case=case, user=people["district"], status="waived", note="")
    assert set(case.violations.values_list("status", flat=True)) == {"open"}
    case_transition(case=case, user=people["district"], status="waived", note="A one-off emergency.")
    assert set(case.violations.values_list("status", flat=True)) == {"waived"}


def test_all_or_none_a_flag_that_may_not_move_keeps_every_flag(case, people, tree):
    # The district supervisor created one of the meetings: they may not waive their own record.
    Meeting.objects.filter(unit=tree.a).update(created_by=people["district"])
    with pytest.raises(ValidationError):
        case_transition(case=case, user=people["district"], status="waived", note="Why not.")
    assert set(case.violations.values_list("status", flat=True)) == {"open"}
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_lower_supervisors_add_evidence_and_staff_may_not(case, people):
    case_add_evidence(case=case, user=people["street"], note="Photos of the second meeting's sign-in sheet.")
    assert case.events.filter(kind=CaseEvent.Kind.EVIDENCE).count() == 1
    for name in ("community", "other_street"):
        with pytest.raises(PermissionDenied):
            case_add_evidence(case=case, user=people[name], note="x")


# --- a circulated notice over several cases ------------------------------------------------------


@pytest.fixture
def reminded(tree, people):
    """Two departments' cases in March, owned by D1 and reminded; and a third case of April not reminded."""
    health = UnitFactory(
        code="D1-HEALTH", name="东区卫健局", level=Unit.Level.DEPARTMENT, parent=tree.d1, is_grassroots=False
    )
    long_meeting(tree.a, tree.dept)
    long_meeting(tree.b, health)
    long_meeting(tree.a, tree.dept, day=D(2026, 4, 9))
    run()
    edu, edu_april, health_case = (
        Case.objects.get(source_unit=tree.dept, period=D(2026, 3, 1)),
        Case.objects.get(source_unit=tree.dept, period=D(2026, 4, 1)),
        Case.objects.get(source_unit=health),
    )
    for case in (edu, health_case):
        case_escalate(case=case, user=people["district"], today=TODAY)
    return edu, health_case, edu_april


def test_one_notice_names_the_cases_of_two_departments_and_moves_each_to_the_notice_step(reminded, people):
    edu, health, _ = reminded
    notice = notice_issue(cases=[health, edu], user=people["district"], note="Not rectified.", today=TODAY)
    assert (notice.step, notice.number, notice.issuing_unit.code) == ("notice", 1, "D1")
    assert set(notice.cases.all()) == {edu, health}
    assert notice.deadline == TODAY + datetime.timedelta(days=CasePolicy.current().notice_days)
    for case in (edu, health):
        case.refresh_from_db()
        assert (case.step, case.status, case.deadline) == ("notice", "open", notice.deadline)
        assert case.events.filter(kind=CaseEvent.Kind.STEP, step="notice", letter=notice).count() == 1
    # Each case then climbs on its own: to its interview.
    interview = case_escalate(case=edu, user=people["district"], interview_on=TODAY, today=TODAY)
    assert interview.step == "interview"


def test_a_notice_refuses_the_whole_bundle_for_one_case_that_does_not_fit(reminded, people):
    edu, health, not_reminded = reminded
    with pytest.raises(ValidationError) as error:
        notice_issue(cases=[edu, health, not_reminded], user=people["district"], today=TODAY)
    assert len(error.value.message_dict["cases"]) == 1 and str(not_reminded.pk) in error.value.message_dict["cases"][0]
    assert not CaseLetter.objects.filter(step="notice").exists()
    assert set(Case.objects.filter(pk__in=[edu.pk, health.pk]).values_list("step", flat=True)) == {"reminder"}
    with pytest.raises(ValidationError):
        notice_issue(cases=[], user=people["district"], today=TODAY)
    case_transition(case=health, user=people["district"], status="resolved")
    with pytest.raises(ValidationError) as error:
        notice_issue(cases=[edu, health], user=people["district"], today=TODAY)
    assert "no longer open" in error.value.message_dict["cases"][0]


def test_only_the_owners_supervisors_circulate_a_notice(reminded, people):
    edu, health, _ = reminded
    for name in ("street", "bureau", "community", "other_street"):
        with pytest.raises(PermissionDenied):
            notice_issue(cases=[edu, health], user=people[name], today=TODAY)
    assert not CaseLetter.objects.filter(step="notice").exists()


def test_a_notice_is_issued_by_one_owner(reminded, people, tree, city_dept):
    edu, _, _ = reminded
    long_meeting(tree.c, city_dept)  # West district's street: owned by the city
    long_meeting(tree.a, city_dept, day=D(2026, 3, 3))
    run()
    city_case = Case.objects.get(source_unit=city_dept)
    mayor = person(tree.city, R.SUPERVISOR, "city_supervisor")
    case_escalate(case=city_case, user=mayor, today=TODAY)
    with pytest.raises(ValidationError) as error:
        notice_issue(cases=[edu, city_case], user=mayor, today=TODAY)
    assert "different units" in error.value.message_dict["cases"][-1]
    assert not CaseLetter.objects.filter(step="notice").exists()


# --- the interview's minutes ---------------------------------------------------------------------


@pytest.fixture
def interviewed(case, people):
    case_escalate(case=case, user=people["district"], today=TODAY)
    case_escalate(case=case, user=people["district"], today=TODAY)
    interview = case_escalate(
        case=case, user=people["district"], interview_on=TODAY + datetime.timedelta(days=2), today=TODAY
    )
    return case, interview


def test_the_owner_records_and_corrects_the_minutes_of_the_interview(interviewed, people):
    case, interview = interviewed
    later = TODAY + datetime.timedelta(days=2)
    interview_minutes_record(
        case=case, user=people["district"], held_on=later, minutes="  Agreed: one meeting.  ", today=later
    )
    interview.refresh_from_db()
    assert (interview.held_on, interview.minutes, interview.minutes_by) == (
        later,
        "Agreed: one meeting.",
        people["district"],
    )
    interview_minutes_record(
        case=case, user=people["district"], held_on=later, minutes="Agreed: one a quarter.", today=later
    )
    interview.refresh_from_db()
    assert interview.minutes == "Agreed: one a quarter."
    assert list(case.events.filter(kind=CaseEvent.Kind.MINUTES).values_list("note", flat=True)) == [
        "Agreed: one meeting.",
        "Agreed: one a quarter.",
    ]


@pytest.mark.parametrize(
    ("held", "minutes", "field"),
    [
        (TODAY + datetime.timedelta(days=1), "x", "held_on"),  # tomorrow: not held yet
        (TODAY - datetime.timedelta(days=1), "x", "held_on"),  # before it was called
        (TODAY, "   ", "minutes"),
        (None, "x", "held_on"),
    ],
)
def test_minutes_refused_and_nothing_kept(interviewed, people, held, minutes, field):
    case, interview = interviewed
    with pytest.raises(ValidationError) as error:
        interview_minutes_record(case=case, user=people["district"], held_on=held, minutes=minutes, today=TODAY)
    assert field in error.value.message_dict
    interview.refresh_from_db()
    assert interview.minutes == "" and not case.events.filter(kind=CaseEvent.Kind.MINUTES).exists()


def test_minutes_on_the_exact_boundaries_are_kept(interviewed, people):
    case, interview = interviewed
    # Held the day it was called (the earliest) and recorded that same day (the latest).
    interview_minutes_record(case=case, user=people["district"], held_on=TODAY, minutes="Held at once.", today=TODAY)
    interview.refresh_from_db()
    assert interview.held_on == TODAY


def test_only_the_owner_records_minutes_and_only_of_an_interview(case, people, interviewed):
    case, _ = interviewed
    for name in ("street", "bureau", "community"):
        with pytest.raises(PermissionDenied):
            interview_minutes_record(case=case, user=people[name], held_on=TODAY, minutes="x", today=TODAY)


def test_no_minutes_without_an_interview(case, people):
    with pytest.raises(ValidationError) as error:
        interview_minutes_record(case=case, user=people["district"], held_on=TODAY, minutes="x", today=TODAY)
    assert "minutes" in error.value.message_dict
