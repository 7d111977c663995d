"""One cause, one flag: MTG-NEGATIVE supersedes MTG-ONLINE, and each flag gives its true reason.

An in-person study-and-transmission meeting breaks the negative list and could have
been online, for one cause: it gets the negative-list flag only, which says both.
MTG-ONLINE comes back wherever MTG-NEGATIVE stops flagging a meeting that could have
been online: the rule turned off, the category changed, a repeat no longer a repeat.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from burden.models import RuleRun, RuleSetting, Violation
from burden.rules import Rule, all_rules, base, get_rule
from burden.rules.engine import evaluate_record, in_supersession_order, rules_for, sweep, with_superseded
from meetings.models import Meeting
from tests.record_factories.meetings import MeetingFactory

TODAY = datetime.date(2026, 6, 30)
NEGATIVE, ONLINE = "MTG-NEGATIVE", "MTG-ONLINE"
C = Meeting.Category


def open_flags(meeting) -> dict[str, str]:
    """The rule and message (in English: a request may have left another language on) of each open flag."""
    violations = Violation.objects.filter(
        record_kind="meeting", record_id=meeting.pk, status__in=Violation.OPEN_STATUSES
    )
    with translation.override("en"):
        return {violation.rule: violation.message for violation in violations}


def test_an_in_person_study_meeting_has_one_flag_which_names_both_reasons(tree):
    meeting = MeetingFactory(unit=tree.a, category=C.STUDY_TRANSMISSION, travel_minutes=30, duration_minutes=90)
    sweep(TODAY)
    assert open_flags(meeting) == {
        NEGATIVE: "A meeting of a kind on the negative list: Study and transmission; held in person with no "
        "decision needing a room, it could at most have been online"
    }
    assert not Violation.objects.filter(rule=ONLINE).exists()  # not even a cleared one


def test_saving_an_in_person_study_meeting_also_gives_it_one_flag(tree):
    meeting = MeetingFactory(unit=tree.a, category=C.STUDY_TRANSMISSION, travel_minutes=120, duration_minutes=90)
    evaluate_record("meeting", meeting.pk, TODAY)
    assert set(open_flags(meeting)) == {NEGATIVE}


def test_far_travel_alone_gives_the_travel_reason_and_not_the_category(tree):
    meeting = MeetingFactory(unit=tree.a, category=C.TRAINING, travel_minutes=90, duration_minutes=90)
    sweep(TODAY)
    assert open_flags(meeting) == {
        ONLINE: "Held in person with no decision needing a room, with 90 minutes of travel for a 90-minute meeting: "
        "at or over 100% of its length, the share from which it should be online"
    }


def test_an_online_category_alone_gives_the_category_reason_and_not_the_travel(tree):
    meeting = MeetingFactory(unit=tree.a, category=C.NOTIFICATION, travel_minutes=89, duration_minutes=90)
    sweep(TODAY)
    assert open_flags(meeting) == {
        ONLINE: "Held in person with no decision needing a room, though meetings of its category (Notification) "
        "can be held online"
    }


def test_an_acknowledged_negative_list_flag_still_stands_for_both(tree):
    meeting = MeetingFactory(unit=tree.a, category=C.STUDY_TRANSMISSION)
    sweep(TODAY)
    Violation.objects.filter(rule=NEGATIVE).update(status=Violation.Status.ACKNOWLEDGED)
    sweep(TODAY)
    assert set(open_flags(meeting)) == {NEGATIVE}


def test_an_online_flag_found_first_is_cleared_once_the_negative_list_flags_the_meeting(tree):
    meeting = MeetingFactory(unit=tree.a, category=C.STUDY_TRANSMISSION)
    sweep(TODAY, codes=[ONLINE])
    assert set(open_flags(meeting)) == {ONLINE}
    results = sweep(TODAY, codes=[NEGATIVE])  # brings the rule it supersedes along
    assert set(results) == {f"{NEGATIVE}:meeting", f"{ONLINE}:meeting"}
    assert set(open_flags(meeting)) == {NEGATIVE}
    assert Violation.objects.get(rule=ONLINE).status == Violation.Status.CLEARED


def test_turning_the_negative_list_off_brings_the_online_flag_back_and_on_again_takes_it(
    client, personas, tree, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(unit=tree.a, category=C.STUDY_TRANSMISSION)
    sweep(TODAY)
    client.force_login(personas.admin)
    categories = list(get_rule(NEGATIVE).defaults()["categories"])
    url = reverse("rule_detail", args=[NEGATIVE])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"param_categories": categories, "reason": "试点停用"})
    assert RuleSetting.objects.get(rule=NEGATIVE).enabled is False
    run = RuleRun.objects.get()
    assert (run.status, run.opened, run.cleared) == ("done", 1, 1)  # the online flag opened, the negative cleared
    assert open_flags(meeting) == {
        ONLINE: "Held in person with no decision needing a room, though meetings of its category (Study and "
        "transmission) can be held online"
    }

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"enabled": "on", "param_categories": categories, "reason": "恢复"})
    assert set(open_flags(meeting)) == {NEGATIVE}
    assert Violation.objects.get(rule=ONLINE).status == Violation.Status.CLEARED


@pytest.mark.parametrize(
    ("category", "travel", "online_reasons"),
    [
        (C.NOTIFICATION, 30, ["category"]),
        (C.TRAINING, 90, ["travel"]),  # travel exactly as long as the meeting
        (C.TRAINING, 89, None),  # a minute short: nothing left to flag
    ],
)
def test_a_category_changed_off_the_list_clears_the_negative_flag_and_opens_online_if_it_applies(
    tree, category, travel, online_reasons
):
    meeting = MeetingFactory(unit=tree.a, category=C.STUDY_TRANSMISSION, travel_minutes=travel, duration_minutes=90)
    evaluate_record("meeting", meeting.pk, TODAY)
    assert set(open_flags(meeting)) == {NEGATIVE}
    meeting.category = category
    meeting.save()
    evaluate_record("meeting", meeting.pk, TODAY)
    assert Violation.objects.get(rule=NEGATIVE).status == Violation.Status.CLEARED
    online = Violation.objects.filter(rule=ONLINE, record_id=meeting.pk, status=Violation.Status.OPEN).first()
    assert (online.details["reasons"] if online else None) == online_reasons


@pytest.mark.parametrize("change", ["recategorise", "delete"])
def test_a_repeat_that_stops_being_one_gets_its_online_flag_when_the_first_meeting_changes(tree, change):
    def deployment(day):
        return MeetingFactory(unit=tree.a, source_unit=tree.dept, category=C.DEPLOYMENT, date=day, travel_minutes=120)

    first, repeat = deployment(datetime.date(2026, 3, 2)), deployment(datetime.date(2026, 3, 9))
    sweep(TODAY)
    assert set(open_flags(repeat)) == {NEGATIVE}
    first_pk = first.pk
    if change == "delete":
        first.delete()
    else:
        first.category = C.COORDINATION
        first.save()
    evaluate_record("meeting", first_pk, TODAY)  # the repeat is another meeting than the one changed
    assert set(open_flags(repeat)) == {ONLINE}
    assert Violation.objects.get(rule=ONLINE, record_id=repeat.pk).details["reasons"] == ["travel"]


def test_superseding_rules_run_first_whatever_their_codes(monkeypatch):
    class Specific(Rule):
        code, record_kind = "ZZZ-SPECIFIC", "meeting"

    class General(Rule):
        code, record_kind, superseded_by = "AAA-GENERAL", "meeting", ("ZZZ-SPECIFIC",)

    monkeypatch.setitem(base.REGISTRY, Specific.code, Specific())
    monkeypatch.setitem(base.REGISTRY, General.code, General())
    general, specific = get_rule(General.code), get_rule(Specific.code)
    assert in_supersession_order([general, specific]) == [specific, general]
    assert with_superseded([Specific.code]) == {Specific.code, General.code}
    assert with_superseded([General.code]) == {General.code}


def test_every_rule_superseding_another_exists_reads_the_same_kind_and_runs_before_it():
    codes = [rule.code for rule in rules_for("meeting")]
    assert codes.index(NEGATIVE) < codes.index(ONLINE)
    for rule in all_rules():
        for code in rule.superseded_by:
            assert get_rule(code).record_kind == rule.record_kind, (rule.code, code)


def test_skipping_superseded_records_costs_the_same_queries_however_many_meetings(tree):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            sweep(TODAY, codes=[NEGATIVE])
        return len(captured)

    MeetingFactory.create_batch(2, unit=tree.a, category=C.STUDY_TRANSMISSION)
    MeetingFactory(unit=tree.a, category=C.NOTIFICATION)
    few = queries()
    MeetingFactory.create_batch(6, unit=tree.b, category=C.STUDY_TRANSMISSION)
    MeetingFactory.create_batch(3, unit=tree.b, category=C.NOTIFICATION)
    assert queries() == few
