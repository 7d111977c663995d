"""The review's rules: who may move a flag where, waivers, comments, bulk moves, expiry, deadlines."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from burden.models import ReviewDeadlines, Violation, ViolationEvent
from burden.review.services import (
    review_deadlines_update,
    violation_comment,
    violation_transition,
    violations_transition,
    waivers_expire,
)
from tests.factories import ViolationFactory
from tests.record_factories.meetings import MeetingFactory

S = Violation.Status
TOMORROW = datetime.timedelta(days=1)

ALLOWED = [
    (S.OPEN, S.ACKNOWLEDGED),
    (S.OPEN, S.RESOLVED),
    (S.OPEN, S.WAIVED),
    (S.ACKNOWLEDGED, S.RESOLVED),
    (S.ACKNOWLEDGED, S.WAIVED),
    (S.ACKNOWLEDGED, S.OPEN),
    (S.RESOLVED, S.OPEN),
    (S.WAIVED, S.OPEN),
]
REFUSED = [
    (S.OPEN, S.OPEN),
    (S.ACKNOWLEDGED, S.ACKNOWLEDGED),
    (S.RESOLVED, S.ACKNOWLEDGED),
    (S.RESOLVED, S.WAIVED),
    (S.RESOLVED, S.RESOLVED),
    (S.WAIVED, S.ACKNOWLEDGED),
    (S.WAIVED, S.RESOLVED),
    (S.WAIVED, S.WAIVED),
    (S.CLEARED, S.OPEN),
    (S.CLEARED, S.ACKNOWLEDGED),
    (S.CLEARED, S.RESOLVED),
    (S.CLEARED, S.WAIVED),
]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_a_supervisor_makes_every_allowed_move_and_the_timeline_keeps_it(meeting_a, personas, current, target):
    flag = ViolationFactory(record=meeting_a, status=current)
    event = violation_transition(violation=flag, user=personas.supervisor, status=target, note="checked with A")
    flag.refresh_from_db()
    assert flag.status == target
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        current,
        target,
        personas.supervisor,
        "checked with A",
    )
    assert list(flag.events.values_list("from_status", "to_status")) == [(current, target)]


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_moves_outside_the_allowed_ones_are_refused_as_a_status_error(meeting_a, personas, current, target):
    flag = ViolationFactory(record=meeting_a, status=current)
    with pytest.raises(ValidationError) as refused:
        violation_transition(violation=flag, user=personas.supervisor, status=target, note="why not")
    assert list(refused.value.message_dict) == ["status"]
    flag.refresh_from_db()
    assert flag.status == current
    assert not flag.events.exists()


@pytest.mark.parametrize("current", [S.OPEN, S.ACKNOWLEDGED, S.RESOLVED, S.WAIVED, S.CLEARED])
def test_nobody_may_ask_for_cleared_which_only_the_system_sets(meeting_a, personas, current):
    flag = ViolationFactory(record=meeting_a, status=current)
    with pytest.raises(ValidationError) as refused:
        violation_transition(violation=flag, user=personas.admin, status=S.CLEARED)
    assert refused.value.message_dict == {
        "status": ["Only the system clears a flag, when its condition no longer holds."]
    }


def test_an_unknown_status_is_a_status_error(flag_a, personas):
    with pytest.raises(ValidationError) as refused:
        violation_transition(violation=flag_a, user=personas.supervisor, status="done")
    assert list(refused.value.message_dict) == ["status"]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("staff_a", False),
        ("staff_b", False),
        ("outsider", False),
        ("supervisor", True),
        ("admin", True),
        ("superuser", True),
    ],
)
def test_only_supervisors_and_admins_of_the_unit_may_transition(flag_a, personas, persona, allowed):
    user = getattr(personas, persona)
    if allowed:
        violation_transition(violation=flag_a, user=user, status=S.ACKNOWLEDGED)
        assert Violation.objects.get(pk=flag_a.pk).status == S.ACKNOWLEDGED
    else:
        with pytest.raises(PermissionDenied) as refused:
            violation_transition(violation=flag_a, user=user, status=S.ACKNOWLEDGED)
        assert str(refused.value) == "Only supervisors and admins of the flag's unit can change its status."
        assert Violation.objects.get(pk=flag_a.pk).status == S.OPEN
        assert not flag_a.events.exists()


def test_a_supervisor_cannot_transition_a_flag_of_another_subtree(flag_c, personas):
    with pytest.raises(PermissionDenied):
        violation_transition(violation=flag_c, user=personas.supervisor, status=S.RESOLVED)
    violation_transition(violation=flag_c, user=personas.admin, status=S.RESOLVED)
    assert Violation.objects.get(pk=flag_c.pk).status == S.RESOLVED


def test_the_role_is_checked_before_the_request(flag_a, personas):
    # Staff asking for a waiver without a note learn they may not, not what the note lacks.
    with pytest.raises(PermissionDenied):
        violation_transition(violation=flag_a, user=personas.staff_a, status=S.WAIVED)


def test_nobody_waives_a_flag_on_a_record_they_created(tree, personas):
    record = MeetingFactory(unit=tree.a, created_by=personas.supervisor)
    flag = ViolationFactory(record=record)
    with pytest.raises(PermissionDenied) as refused:
        violation_transition(violation=flag, user=personas.supervisor, status=S.WAIVED, note="it was needed")
    assert str(refused.value) == "You cannot waive a flag on a record you created yourself."
    assert Violation.objects.get(pk=flag.pk).status == S.OPEN
    # They may still acknowledge or resolve it, and someone else may waive it.
    violation_transition(violation=flag, user=personas.supervisor, status=S.ACKNOWLEDGED)
    violation_transition(violation=flag, user=personas.admin, status=S.WAIVED, note="it was needed")
    assert Violation.objects.get(pk=flag.pk).status == S.WAIVED


@pytest.mark.parametrize("note", ["", "   \n "])
def test_a_waiver_needs_a_note(flag_a, personas, note):
    with pytest.raises(ValidationError) as refused:
        violation_transition(violation=flag_a, user=personas.supervisor, status=S.WAIVED, note=note)
    assert refused.value.message_dict == {"note": ["Say why the flag is waived."]}
    assert Violation.objects.get(pk=flag_a.pk).status == S.OPEN


@pytest.mark.parametrize("days", [0, -1, -30])
def test_a_waiver_expiry_must_be_after_today(flag_a, personas, today, days):
    with pytest.raises(ValidationError) as refused:
        violation_transition(
            violation=flag_a,
            user=personas.supervisor,
            status=S.WAIVED,
            note="seasonal",
            expires_on=today + datetime.timedelta(days=days),
        )
    assert refused.value.message_dict == {"expires_on": ["The waiver's expiry date must be after today."]}


def test_a_waiver_keeps_its_expiry_and_a_reopen_drops_it(flag_a, personas, today):
    expiry = today + TOMORROW
    event = violation_transition(
        violation=flag_a, user=personas.supervisor, status=S.WAIVED, note="seasonal", expires_on=expiry
    )
    assert (flag_a.status, flag_a.waiver_expires_on, event.expires_on) == (S.WAIVED, expiry, expiry)
    violation_transition(violation=flag_a, user=personas.supervisor, status=S.OPEN, note="not seasonal after all")
    flag_a.refresh_from_db()
    assert (flag_a.status, flag_a.waiver_expires_on) == (S.OPEN, None)


def test_only_a_waiver_has_an_expiry(flag_a, personas, today):
    with pytest.raises(ValidationError) as refused:
        violation_transition(violation=flag_a, user=personas.supervisor, status=S.RESOLVED, expires_on=today + TOMORROW)
    assert list(refused.value.message_dict) == ["expires_on"]


def test_the_service_reads_the_status_afresh_not_from_the_callers_copy(flag_a, personas):
    stale = Violation.objects.get(pk=flag_a.pk)
    violation_transition(violation=flag_a, user=personas.supervisor, status=S.RESOLVED)
    with pytest.raises(ValidationError):
        violation_transition(violation=stale, user=personas.admin, status=S.ACKNOWLEDGED)
    assert Violation.objects.get(pk=flag_a.pk).status == S.RESOLVED


# --- Comments ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff_a", "supervisor", "admin"])
def test_staff_and_those_above_explain_a_flag_without_changing_it(flag_a, personas, persona):
    user = getattr(personas, persona)
    event = violation_comment(violation=flag_a, user=user, note="  The organizer insisted.  ")
    assert (event.from_status, event.to_status, event.actor, event.note) == ("", "", user, "The organizer insisted.")
    assert Violation.objects.get(pk=flag_a.pk).status == S.OPEN


@pytest.mark.parametrize("persona", ["staff_b", "outsider"])
def test_others_cannot_explain_a_flag(flag_a, personas, persona):
    with pytest.raises(PermissionDenied):
        violation_comment(violation=flag_a, user=getattr(personas, persona), note="not mine")
    assert not flag_a.events.exists()


def test_an_explanation_needs_words(flag_a, personas):
    with pytest.raises(ValidationError) as refused:
        violation_comment(violation=flag_a, user=personas.staff_a, note="  ")
    assert list(refused.value.message_dict) == ["note"]


# --- Bulk ---------------------------------------------------------------------------------


def test_a_bulk_move_changes_every_selected_flag(tree, personas):
    flags = [ViolationFactory(unit=unit) for unit in (tree.a, tree.a, tree.b)]
    events = violations_transition(violations=flags, user=personas.supervisor, status=S.ACKNOWLEDGED, note="seen")
    assert len(events) == 3
    assert set(Violation.objects.values_list("status", flat=True)) == {S.ACKNOWLEDGED}
    assert ViolationEvent.objects.filter(to_status=S.ACKNOWLEDGED, actor=personas.supervisor).count() == 3


def test_a_bulk_move_is_all_or_nothing(tree, personas, flag_c):
    allowed = [ViolationFactory(unit=tree.a), ViolationFactory(unit=tree.b)]
    resolved = ViolationFactory(unit=tree.b, status=S.RESOLVED)
    with pytest.raises(ValidationError) as refused:
        violations_transition(violations=[*allowed, resolved, flag_c], user=personas.supervisor, status=S.ACKNOWLEDGED)
    problems = refused.value.message_dict["violations"]
    assert len(problems) == 2
    assert any(str(resolved.pk) in problem and "cannot be changed" in problem for problem in problems)
    assert any(str(flag_c.pk) in problem and "Only supervisors" in problem for problem in problems)
    assert set(Violation.objects.values_list("status", flat=True)) == {S.OPEN, S.RESOLVED}
    assert not ViolationEvent.objects.exists()


def test_a_bulk_waiver_refuses_the_flags_on_ones_own_records_and_moves_none(tree, personas):
    own = ViolationFactory(record=MeetingFactory(unit=tree.a, created_by=personas.supervisor))
    other = ViolationFactory(record=MeetingFactory(unit=tree.a, created_by=personas.staff_a))
    with pytest.raises(ValidationError) as refused:
        violations_transition(violations=[own, other], user=personas.supervisor, status=S.WAIVED, note="fine")
    assert len(refused.value.message_dict["violations"]) == 1
    assert set(Violation.objects.values_list("status", flat=True)) == {S.OPEN}


def test_a_bulk_waiver_without_a_note_is_a_note_error(tree, personas):
    flags = [ViolationFactory(unit=tree.a)]
    with pytest.raises(ValidationError) as refused:
        violations_transition(violations=flags, user=personas.supervisor, status=S.WAIVED)
    assert list(refused.value.message_dict) == ["note"]


def test_a_bulk_move_takes_a_fixed_number_of_queries(tree, personas):
    def queries(count):
        flags = [ViolationFactory(unit=tree.a) for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            violations_transition(violations=flags, user=personas.supervisor, status=S.RESOLVED)
        return len(captured)

    queries(1)  # the supervisor's memberships are read once and kept
    assert queries(2) == queries(20)


# --- Waiver expiry ----------------------------------------------------------------------------


def _waived(unit, expires_on):
    return ViolationFactory(unit=unit, status=S.WAIVED, waiver_expires_on=expires_on)


def test_expired_waivers_reopen_with_a_waiver_expired_timeline_row(tree, today):
    day = datetime.timedelta(days=1)
    long_ago, due_today, later = _waived(tree.a, today - 5 * day), _waived(tree.b, today), _waived(tree.c, today + day)
    forever = _waived(tree.a, None)
    resolved = ViolationFactory(unit=tree.a, status=S.RESOLVED, waiver_expires_on=today - day)

    assert waivers_expire(today=today) == 2

    statuses = dict(Violation.objects.values_list("pk", "status"))
    assert statuses == {
        long_ago.pk: S.OPEN,
        due_today.pk: S.OPEN,
        later.pk: S.WAIVED,
        forever.pk: S.WAIVED,
        resolved.pk: S.RESOLVED,
    }
    events = ViolationEvent.objects.order_by("violation_id")
    assert [(e.violation_id, e.from_status, e.to_status, e.actor_id, e.reason) for e in events] == [
        (long_ago.pk, S.WAIVED, S.OPEN, None, "waiver_expired"),
        (due_today.pk, S.WAIVED, S.OPEN, None, "waiver_expired"),
    ]
    assert events[0].get_reason_display() == "Waiver expired"
    assert Violation.objects.get(pk=long_ago.pk).waiver_expires_on is None
    assert waivers_expire(today=today) == 0  # idempotent
    assert ViolationEvent.objects.count() == 2


def test_waiver_expiry_is_set_based(tree, today):
    def queries(count):
        for _ in range(count):
            _waived(tree.a, today)
        with CaptureQueriesContext(connection) as captured:
            assert waivers_expire(today=today) == count
        return [query["sql"].split()[0].upper() for query in captured]

    few, many = queries(2), queries(40)
    assert few == many
    # One SELECT of the distinct (kind, unit) pairs whose dashboard flag counts follow, then the move.
    assert [verb for verb in few if verb in ("INSERT", "UPDATE", "SELECT")] == ["SELECT", "INSERT", "UPDATE"]


def test_the_schedule_task_reopens_expired_waivers(tree, today):
    from burden.tasks import waivers_expire as task

    flag = _waived(tree.a, today)
    assert task.delay().get() == 1
    assert Violation.objects.get(pk=flag.pk).status == S.OPEN


# --- Deadlines ---------------------------------------------------------------------------------


def test_an_admin_changes_the_deadlines_with_a_reason_kept_in_the_history(personas):
    row = review_deadlines_update(user=personas.admin, days_low=20, days_medium=10, days_high=3, reason="Faster")
    assert ReviewDeadlines.current().days == {"low": 20, "medium": 10, "high": 3}
    entry = row.history.latest()
    assert (entry.history_user, entry.history_change_reason) == (personas.admin, "Faster")
    again = review_deadlines_update(user=personas.admin, days_low=20, days_medium=10, days_high=3, reason="Same")
    assert again is None
    assert row.history.count() == 1


@pytest.mark.parametrize("persona", ["staff_a", "supervisor", "outsider"])
def test_only_city_wide_admins_change_the_deadlines(personas, persona):
    with pytest.raises(PermissionDenied):
        review_deadlines_update(user=getattr(personas, persona), days_low=1, days_medium=1, days_high=1, reason="x")
    assert not ReviewDeadlines.objects.exists()


@pytest.mark.parametrize(("days", "field"), [((0, 14, 7), "days_low"), ((30, 14, 400), "days_high")])
def test_deadlines_must_be_between_one_day_and_a_year(personas, days, field):
    low, medium, high = days
    with pytest.raises(ValidationError) as refused:
        review_deadlines_update(user=personas.admin, days_low=low, days_medium=medium, days_high=high, reason="x")
    assert field in refused.value.message_dict


def test_a_deadline_change_needs_a_reason(personas):
    with pytest.raises(ValidationError) as refused:
        review_deadlines_update(user=personas.admin, days_low=9, days_medium=9, days_high=9, reason=" ")
    assert list(refused.value.message_dict) == ["reason"]


def test_a_review_decision_moves_the_dashboards_flag_counts(tree, personas, django_capture_on_commit_callbacks):
    from burden.insights.models import FlagRollup
    from burden.insights.rollups import rollups_flags_refresh
    from burden.rules.engine import evaluate_record
    from tests.record_factories.meetings import MeetingFactory

    meeting = MeetingFactory(unit=tree.a, duration_minutes=150, created_by=personas.staff_a)
    evaluate_record("meeting", meeting.pk)
    rollups_flags_refresh()
    assert FlagRollup.objects.get(unit=tree.a, rule="MTG-DURATION").open_flags == 1
    flag = Violation.objects.get(rule="MTG-DURATION", record_id=meeting.pk)
    with django_capture_on_commit_callbacks(execute=True):
        violation_transition(violation=flag, user=personas.supervisor, status=S.RESOLVED, note="shortened")
    assert not FlagRollup.objects.filter(unit=tree.a, rule="MTG-DURATION", open_flags__gt=0).exists()
