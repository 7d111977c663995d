"""``violations_sync`` in SQL: what people set is kept, the timeline is complete, the cost is fixed."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from burden.models import Violation
from burden.review.services import violation_transition
from burden.rules import Finding, get_rule
from burden.rules.engine import evaluate_record, sweep
from burden.rules.sync import violations_sync
from meetings.models import Meeting
from tests.record_factories.documents import DocumentFactory
from tests.record_factories.meetings import MeetingFactory

RULE = "MTG-DURATION"


def timeline(violation):
    return [(event.from_status, event.to_status) for event in violation.events.all()]


def test_a_waived_flag_stays_waived_its_details_follow_and_its_last_seen_stays(tree):
    meeting = MeetingFactory(unit=tree.a, duration_minutes=120)
    sweep(codes=[RULE])
    Violation.objects.update(status="waived", last_seen=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    meeting.duration_minutes = 130
    meeting.save()
    assert sweep(codes=[RULE])[f"{RULE}:meeting"] == {"opened": 0, "reopened": 0, "cleared": 0}
    violation = Violation.objects.get()
    assert (violation.status, violation.details["minutes"]) == ("waived", 130)
    assert violation.last_seen == datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

    meeting.duration_minutes = 60
    meeting.save()
    sweep(codes=[RULE])
    assert Violation.objects.get().status == "waived"  # the system does not clear what people settled


def test_an_acknowledged_flag_that_goes_away_is_cleared_from_acknowledged(tree):
    meeting = MeetingFactory(unit=tree.a, duration_minutes=120)
    sweep(codes=[RULE])
    Violation.objects.update(status="acknowledged")
    Meeting.objects.filter(pk=meeting.pk).update(duration_minutes=60)
    assert sweep(codes=[RULE])[f"{RULE}:meeting"] == {"opened": 0, "reopened": 0, "cleared": 1}
    violation = Violation.objects.get()
    assert violation.status == "cleared"
    assert timeline(violation) == [("", "open"), ("acknowledged", "cleared")]


def test_a_flag_follows_its_record_to_another_unit(tree):
    meeting = MeetingFactory(unit=tree.a, duration_minutes=120)
    sweep(codes=[RULE])
    Meeting.objects.filter(pk=meeting.pk).update(unit=tree.b)
    sweep(codes=[RULE])
    assert Violation.objects.get().unit == tree.b


def test_the_flags_of_records_removed_behind_the_services_back_are_cleared(tree):
    kept, removed = MeetingFactory(unit=tree.a, duration_minutes=120), MeetingFactory(unit=tree.a, duration_minutes=120)
    sweep(codes=[RULE])
    Meeting.objects.filter(pk=removed.pk)._raw_delete(connection.alias)
    sweep(codes=[RULE])
    statuses = dict(Violation.objects.values_list("record_id", "status"))
    assert statuses == {kept.pk: "open", removed.pk: "cleared"}
    assert timeline(Violation.objects.get(record_id=removed.pk)) == [("", "open"), ("open", "cleared")]


def test_a_finding_given_twice_is_one_violation_the_last_one_winning(tree, monkeypatch):
    from burden.rules import sync

    monkeypatch.setattr(sync, "BATCH", 2)  # the repeats fall in the same batch and in another one
    meetings = MeetingFactory.create_batch(3, unit=tree.a, duration_minutes=120)

    def finding(meeting, minutes):
        return Finding(meeting.pk, tree.a.pk, None, {"minutes": minutes})

    findings = [finding(meetings[0], 1), finding(meetings[0], 2), finding(meetings[1], 3), finding(meetings[0], 4)]
    scope = Meeting.objects.filter(pk__in=[m.pk for m in meetings])
    result = violations_sync(get_rule(RULE), "meeting", findings, scope, {"max_minutes": 90})
    assert result == {"opened": 2, "reopened": 0, "cleared": 0}
    assert dict(Violation.objects.values_list("record_id", "details__minutes")) == {
        meetings[0].pk: 4,
        meetings[1].pk: 3,
    }
    assert Violation.objects.get(record_id=meetings[0].pk).details == {"max_minutes": 90, "minutes": 4}
    assert all(timeline(violation) == [("", "open")] for violation in Violation.objects.all())


def test_opening_and_clearing_take_the_same_statements_for_five_flags_or_three_hundred(tree):
    def statements(meetings, minutes):
        Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(duration_minutes=minutes)
        with CaptureQueriesContext(connection) as captured:
            result = sweep(datetime.date(2026, 6, 1), [RULE])[f"{RULE}:meeting"]
        return len(captured), result

    MeetingFactory(unit=tree.c, duration_minutes=200)  # always flagged: there is always something found
    sweep(datetime.date(2026, 6, 1), [RULE])
    few = MeetingFactory.create_batch(5, unit=tree.a, duration_minutes=60)
    many = Meeting.objects.bulk_create([MeetingFactory.build(unit=tree.b, duration_minutes=60) for _ in range(300)])
    for minutes, change in ((120, "opened"), (60, "cleared"), (120, "reopened")):
        for_few, result = statements(few, minutes)
        assert result[change] == 5
        for_many, result = statements(many, minutes)
        assert result[change] == 300
        assert for_many == for_few, change


def test_an_acknowledged_group_keeps_its_status_and_id_as_records_join_and_leave_and_each_member_finds_it(
    tree, personas
):
    day, today = datetime.date(2026, 3, 2), datetime.date(2026, 6, 30)
    received = [DocumentFactory(unit=tree.a, received_on=day) for _ in range(11)]
    sweep(today, codes=["DOC-DAILY"])
    group = Violation.objects.get(rule="DOC-DAILY")
    violation_transition(violation=group, user=personas.supervisor, status="acknowledged", note="已知悉")

    joining = DocumentFactory(unit=tree.a, received_on=day)
    evaluate_record("document", joining.pk, today)
    (violation,) = Violation.objects.filter(rule="DOC-DAILY")
    assert (violation.pk, violation.status) == (group.pk, "acknowledged")
    assert {member.record_id for member in violation.members.all()} == {d.pk for d in [*received, joining]}
    assert timeline(violation) == [("", "open"), ("open", "acknowledged")]

    for member in (joining, received[5]):  # neither is the anchor
        assert member.pk != violation.record_id
        assert list(Violation.objects.touching("document", member.pk)) == [violation]

    # A record leaving a group that still holds leaves the review as it was too.
    leaving = received[5]
    leaving.received_on = day + datetime.timedelta(days=1)
    leaving.save()
    evaluate_record("document", leaving.pk, today)
    violation = Violation.objects.get(rule="DOC-DAILY")
    assert (violation.pk, violation.status) == (group.pk, "acknowledged")
    assert timeline(violation) == [("", "open"), ("open", "acknowledged")]
    assert not Violation.objects.touching("document", leaving.pk).filter(rule="DOC-DAILY").exists()


def test_an_acknowledged_group_keeps_its_violation_when_its_first_record_changes(tree, personas):
    """An earlier visit entered later, and the first document moved away: the same burden, the same violation."""
    from tests.record_factories.inspections import InspectionFactory

    today = datetime.date(2026, 6, 30)
    visits = [
        InspectionFactory(unit=tree.a, source_unit=tree.dept, date=datetime.date(2026, 2, day)) for day in (10, 20)
    ]
    sweep(today, codes=["INS-FREQUENCY"])
    group = Violation.objects.get(rule="INS-FREQUENCY")
    assert group.record_id == visits[0].pk
    violation_transition(violation=group, user=personas.supervisor, status="acknowledged", note="已知悉")

    earlier = InspectionFactory(unit=tree.a, source_unit=tree.dept, date=datetime.date(2026, 1, 10))
    evaluate_record("inspection", earlier.pk, today)
    (violation,) = Violation.objects.filter(rule="INS-FREQUENCY")
    assert (violation.pk, violation.status, violation.record_id) == (group.pk, "acknowledged", earlier.pk)
    assert {member.record_id for member in violation.members.all()} == {earlier.pk, *(v.pk for v in visits)}

    # The anchor moves to another quarter: the group of the two left still holds, and keeps the violation.
    earlier.date = datetime.date(2026, 4, 1)
    earlier.save()
    evaluate_record("inspection", earlier.pk, today)
    (violation,) = Violation.objects.filter(rule="INS-FREQUENCY")
    assert (violation.pk, violation.status, violation.record_id) == (group.pk, "acknowledged", visits[0].pk)
    assert timeline(violation) == [("", "open"), ("open", "acknowledged")]


def test_two_groups_merging_keep_the_older_violation_and_clear_the_other(tree):
    """Two runs of meetings joined by one between them: one run, the first run's violation."""
    today = datetime.date(2026, 6, 30)

    def meeting(day):
        return MeetingFactory(unit=tree.a, source_unit=tree.dept, date=datetime.date(2026, 3, day))

    first_run, second_run = [meeting(1), meeting(5)], [meeting(19), meeting(25)]  # 14 days apart
    sweep(today, codes=["MTG-MERGE"])
    older, newer = Violation.objects.filter(rule="MTG-MERGE").order_by("pk")
    bridge = meeting(12)  # 7 days after the first run, 7 before the second
    evaluate_record("meeting", bridge.pk, today)
    kept = Violation.objects.get(rule="MTG-MERGE", status="open")
    assert kept.pk == older.pk
    assert {m.record_id for m in kept.members.all()} == {m.pk for m in [*first_run, bridge, *second_run]}
    assert Violation.objects.get(pk=newer.pk).status == "cleared"
