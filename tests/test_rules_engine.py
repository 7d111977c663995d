"""The rules engine end to end: evaluation on save, clearing, reopening, sweeps, thresholds, pages."""

import datetime
import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from burden.models import PendingEvaluation, RuleChange, RuleSetting, Violation
from burden.rules import all_rules, get_rule
from burden.rules.engine import sweep
from tests.record_factories.meetings import MeetingFactory
from tests.test_records import form_data


@pytest.fixture
def meeting_post(tree):
    from meetings.views import config

    def build(minutes):
        built = MeetingFactory.build(unit=tree.a, source_unit=tree.dept, duration_minutes=minutes)
        return form_data(config, built)

    return build


def save_meeting(client, user, data, capture):
    client.force_login(user)
    with capture(execute=True):
        response = client.post(reverse("meetings:meeting_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    return response


def test_saving_a_meeting_that_breaks_a_rule_flags_it_and_fixing_it_clears_the_flag(
    client, personas, meeting_post, django_capture_on_commit_callbacks
):
    response = save_meeting(client, personas.staff_a, meeting_post(120), django_capture_on_commit_callbacks)
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    flags = [flag for flag in page.context["flags"] if flag.rule == "MTG-DURATION"]
    assert [flag.status for flag in flags] == ["open"]
    assert "Lasted 120 minutes, over the limit of 90 minutes" in page.content.decode()
    assert not PendingEvaluation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:meeting_update", args=[flags[0].record_id]), meeting_post(90))
    violation = Violation.objects.get(rule="MTG-DURATION")
    assert violation.status == "cleared"
    assert [event.to_status for event in violation.events.all()] == ["open", "cleared"]


def test_a_flag_that_comes_back_is_reopened_not_duplicated(tree):
    meeting = MeetingFactory(unit=tree.a, duration_minutes=120)
    sweep(codes=["MTG-DURATION"])
    meeting.duration_minutes = 60
    meeting.save()
    sweep(codes=["MTG-DURATION"])
    meeting.duration_minutes = 100
    meeting.save()
    sweep(codes=["MTG-DURATION"])
    violation = Violation.objects.get()
    assert violation.status == "open"
    assert violation.details["minutes"] == 100
    assert [event.to_status for event in violation.events.all()] == ["open", "cleared", "open"]


def test_sweeping_twice_changes_nothing(tree):
    MeetingFactory(unit=tree.a, duration_minutes=120, trace_requirements=["photo"])
    sweep(codes=["MTG-DURATION", "TRACE-BANNED"])
    before = list(Violation.objects.values_list("pk", "status", "rule"))
    assert {rule for _pk, _status, rule in before} == {"MTG-DURATION", "TRACE-BANNED"}
    second = sweep(codes=["MTG-DURATION", "TRACE-BANNED"])
    assert all(result == {"opened": 0, "reopened": 0, "cleared": 0} for result in second.values())
    assert list(Violation.objects.values_list("pk", "status", "rule")) == before


def test_the_sweep_issues_the_same_number_of_statements_for_more_records(tree):
    """Once findings are recorded, a sweep reads and refreshes in a fixed number of statements.

    (Opening or clearing violations adds batched writes in proportion to what changed.)
    """
    from meetings.models import Meeting

    codes = ["MTG-DURATION", "TRACE-BANNED"]

    def steady_sweep():
        sweep(datetime.date(2026, 6, 1), codes)
        with CaptureQueriesContext(connection) as captured:
            sweep(datetime.date(2026, 6, 1), codes)
        return len(captured)

    MeetingFactory.create_batch(5, unit=tree.a, duration_minutes=120, trace_requirements=["photo"])
    few = steady_sweep()
    Meeting.objects.bulk_create(
        [MeetingFactory.build(unit=tree.b, duration_minutes=120, trace_requirements=["photo"]) for _ in range(300)]
    )
    assert steady_sweep() == few
    assert Violation.objects.open().count() == 2 * 305


def test_with_the_broker_down_the_save_succeeds_and_the_sweep_evaluates_later(
    client, personas, meeting_post, django_capture_on_commit_callbacks
):
    with mock.patch("burden.tasks.evaluate_record.delay", side_effect=ConnectionError("redis is down")):
        response = save_meeting(client, personas.staff_a, meeting_post(150), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert PendingEvaluation.objects.count() == 1
    assert not Violation.objects.exists()
    call_command("evaluate_rules", stdout=io.StringIO())
    assert Violation.objects.filter(rule="MTG-DURATION", status="open").count() == 1
    assert not PendingEvaluation.objects.exists()


def test_deleting_a_record_clears_its_flags(client, personas, meeting_post, django_capture_on_commit_callbacks):
    response = save_meeting(client, personas.staff_a, meeting_post(120), django_capture_on_commit_callbacks)
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:meeting_delete", args=[pk]))
    assert Violation.objects.get(rule="MTG-DURATION").status == "cleared"


def test_an_admin_raises_a_threshold_and_the_flags_clear_then_lowering_reopens_them(
    client, personas, tree, django_capture_on_commit_callbacks
):
    MeetingFactory(unit=tree.a, duration_minutes=120)
    sweep(codes=["MTG-DURATION"])
    client.force_login(personas.admin)
    url = reverse("rule_detail", args=["MTG-DURATION"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"enabled": "on", "param_max_minutes": "150", "reason": "试点放宽"})
    assert response.status_code == 302
    assert Violation.objects.get().status == "cleared"
    change = RuleChange.objects.get()
    assert (change.old["params"], change.new["params"], change.changed_by) == (
        {"max_minutes": 90},
        {"max_minutes": 150},
        personas.admin,
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"enabled": "on", "param_max_minutes": "90", "reason": "恢复"})
    assert Violation.objects.get().status == "open"


def test_a_disabled_rule_clears_its_flags(client, personas, tree, django_capture_on_commit_callbacks):
    MeetingFactory(unit=tree.a, duration_minutes=120)
    sweep(codes=["MTG-DURATION"])
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rule_detail", args=["MTG-DURATION"]), {"param_max_minutes": "90", "reason": "停用"})
    assert RuleSetting.objects.get().enabled is False
    assert Violation.objects.get().status == "cleared"


@pytest.mark.parametrize("value", ["0", "-5", "abc", ""])
def test_an_invalid_threshold_is_refused_and_nothing_changes(client, personas, value):
    client.force_login(personas.admin)
    response = client.post(
        reverse("rule_detail", args=["MTG-DURATION"]),
        {"enabled": "on", "param_max_minutes": value, "reason": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "param_max_minutes" in response.context["form"].errors
    assert not RuleSetting.objects.exists()
    assert not RuleChange.objects.exists()


def test_a_change_needs_a_reason(client, personas):
    client.force_login(personas.admin)
    response = client.post(reverse("rule_detail", args=["MTG-DURATION"]), {"param_max_minutes": "100"})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["staff_a", "supervisor"])
def test_only_admins_change_thresholds(client, personas, persona):
    client.force_login(getattr(personas, persona))
    url = reverse("rule_detail", args=["MTG-DURATION"])
    assert client.get(url).context["form"] is None
    response = client.post(url, {"enabled": "on", "param_max_minutes": "150", "reason": "x"})
    assert response.status_code == 403
    assert not RuleSetting.objects.exists()


def test_an_unknown_rule_is_not_found(client, personas):
    client.force_login(personas.staff_a)
    assert client.get(reverse("rule_detail", args=["NO-SUCH"])).status_code == 404


def test_the_flags_filter_and_column_of_a_list(client, personas, tree):
    flagged = MeetingFactory(unit=tree.a, duration_minutes=120)
    clean = MeetingFactory(unit=tree.a, duration_minutes=60)
    sweep(codes=["MTG-DURATION"])
    client.force_login(personas.staff_a)
    url = reverse("meetings:meeting_list")
    assert list(client.get(url, {"flagged": "true"}).context["object_list"]) == [flagged]
    assert list(client.get(url, {"flagged": "false"}).context["object_list"]) == [clean]
    listed = {meeting.pk: meeting.open_flags for meeting in client.get(url).context["object_list"]}
    assert listed == {flagged.pk: 1, clean.pk: 0}


def test_every_rule_is_documented_and_has_valid_defaults():
    for rule in all_rules():
        assert rule.code and rule.clause and str(rule.title) and str(rule.description), rule
        assert rule.clean_params(rule.defaults()) is not None
        assert rule.__doc__, rule.code
    assert get_rule("MTG-DURATION").clean_params({}) == {"max_minutes": 90}


def test_the_message_follows_the_readers_language(tree):
    from django.utils import translation

    MeetingFactory(unit=tree.a, duration_minutes=120, trace_requirements=["photo", "material"])
    sweep(codes=["TRACE-BANNED"])
    trace = Violation.objects.get(rule="TRACE-BANNED")
    with translation.override("zh-hans"):
        assert "照片" in trace.message
    with translation.override("en"):
        assert "Photos" in trace.message


@pytest.fixture
def broker_down():
    """The Celery app pointed at a closed port, as when Redis is stopped."""
    from kombu import pools

    from burden.celery import app

    saved = app.conf.task_always_eager, app.conf.broker_url

    def forget_connections():
        pools.reset()
        app._pool = None
        if "amqp" in app.__dict__:
            app.amqp._producer_pool = None

    forget_connections()
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    yield app
    app.conf.task_always_eager, app.conf.broker_url = saved
    forget_connections()


def test_with_redis_stopped_saves_go_on_and_every_record_is_evaluated_once_it_is_back(
    client, personas, meeting_post, django_capture_on_commit_callbacks, broker_down
):
    for minutes in (120, 130, 140):
        response = save_meeting(client, personas.staff_a, meeting_post(minutes), django_capture_on_commit_callbacks)
        assert response.status_code == 302
    assert PendingEvaluation.objects.count() == 3
    assert not Violation.objects.exists()

    from burden.tasks import evaluate_pending

    assert evaluate_pending() == 3  # the broker is back: the five-minute task runs
    assert Violation.objects.filter(rule="MTG-DURATION", status="open").count() == 3
    assert not PendingEvaluation.objects.exists()


def test_a_district_can_be_stricter_than_the_city_and_the_nearest_override_wins(tree):
    from burden.models import RuleOverride

    in_d1 = MeetingFactory(unit=tree.a, duration_minutes=80)  # community A, under S1 under D1
    in_d2 = MeetingFactory(unit=tree.c, duration_minutes=80)  # community C, under D2
    RuleOverride.objects.create(rule="MTG-DURATION", unit=tree.d1, params={"max_minutes": 60})
    sweep(codes=["MTG-DURATION"])
    assert list(Violation.objects.open().values_list("record_id", flat=True)) == [in_d1.pk]
    assert Violation.objects.get().details["max_minutes"] == 60

    RuleOverride.objects.create(rule="MTG-DURATION", unit=tree.s1, params={"max_minutes": 120})
    sweep(codes=["MTG-DURATION"])
    assert not Violation.objects.open().exists()  # the street's own, nearer threshold applies
    assert in_d2.pk not in Violation.objects.values_list("record_id", flat=True)


def test_an_admin_sets_and_removes_an_override_through_the_rule_page(
    client, personas, tree, django_capture_on_commit_callbacks
):
    from burden.models import RuleOverride

    MeetingFactory(unit=tree.a, duration_minutes=80)
    url = reverse("rule_detail", args=["MTG-DURATION"])
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "override", "unit": "D1", "param_max_minutes": "60", "reason": "东区从严"}
        )
    assert response.status_code == 302
    assert Violation.objects.get().status == "open"
    override = RuleOverride.objects.get()
    assert RuleChange.objects.get().unit == tree.d1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "remove_override", "override": override.pk, "reason": "试点结束"})
    assert not RuleOverride.objects.exists()
    assert Violation.objects.get().status == "cleared"


def test_an_override_only_within_the_units_one_administers(client, personas, tree):
    from burden.models import Membership, RuleOverride
    from tests.factories import MembershipFactory, UserFactory

    district_admin = MembershipFactory(user=UserFactory(username="adm_d2"), unit=tree.d2, role=Membership.Role.ADMIN)
    client.force_login(district_admin.user)
    url = reverse("rule_detail", args=["MTG-DURATION"])
    response = client.post(url, {"action": "override", "unit": "D1", "param_max_minutes": "60", "reason": "x"})
    assert response.status_code == 400
    assert "unit" in response.context["override_form"].errors
    assert client.post(url, {"enabled": "on", "param_max_minutes": "10", "reason": "x"}).status_code == 403
    assert (
        client.post(url, {"action": "override", "unit": "D2", "param_max_minutes": "60", "reason": "x"}).status_code
        == 302
    )
    assert RuleOverride.objects.get().unit == tree.d2
    client.force_login(personas.staff_a)
    assert (
        client.post(url, {"action": "override", "unit": "A", "param_max_minutes": "1", "reason": "x"}).status_code
        == 403
    )


def test_a_task_that_fails_for_good_is_shown_to_admins(client, personas):
    from burden.models import TaskFailure
    from burden.tasks import sweep_rules

    with mock.patch("burden.rules.engine.sweep", side_effect=RuntimeError("database on fire")):
        result = sweep_rules.apply(throw=False)
    assert result.failed()
    failure = TaskFailure.objects.get()
    assert failure.task == "burden.tasks.sweep_rules"
    assert "database on fire" in failure.error
    client.force_login(personas.admin)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 background task failed after its retries." in page
    client.force_login(personas.supervisor)
    assert "background task" not in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
