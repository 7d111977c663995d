"""Re-applying a rule after a threshold change: the run, its progress, its outcome and who sees it."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from burden.models import RuleChange, RuleOverride, RuleRun, TaskFailure, Violation
from burden.rules.engine import Progress, sweep
from burden.rules.runs import rule_run_execute
from tests.record_factories.meetings import MeetingFactory

URL = reverse("rule_detail", args=["MTG-DURATION"])
RUN_URL = reverse("rule_run", args=["MTG-DURATION"])


@pytest.fixture
def flagged(tree):
    """A meeting of community A over the default 90 minutes, flagged by a sweep."""
    meeting = MeetingFactory(unit=tree.a, duration_minutes=120)
    sweep(codes=["MTG-DURATION"])
    return meeting


def post_change(client, user, data, capture):
    client.force_login(user)
    with capture(execute=True):
        response = client.post(URL, data)
    assert response.status_code == 302
    return response


def test_a_threshold_change_is_re_applied_by_a_run_that_records_its_counts(
    client, personas, flagged, django_capture_on_commit_callbacks
):
    post_change(
        client,
        personas.admin,
        {"enabled": "on", "param_max_minutes": "150", "reason": "试点"},
        django_capture_on_commit_callbacks,
    )
    run = RuleRun.objects.get()
    assert (run.rule, run.status, run.triggered_by, run.change) == (
        "MTG-DURATION",
        "done",
        personas.admin,
        RuleChange.objects.get(),
    )
    assert (run.opened, run.cleared, run.reopened) == (0, 1, 0)
    assert run.started_at <= run.finished_at
    assert run.steps_total > 0 and run.steps_done == run.steps_total
    assert Violation.objects.get().status == "cleared"

    post_change(
        client,
        personas.admin,
        {"enabled": "on", "param_max_minutes": "90", "reason": "恢复"},
        django_capture_on_commit_callbacks,
    )
    latest = RuleRun.objects.first()
    assert (latest.opened, latest.cleared, latest.reopened, latest.findings) == (0, 0, 1, 1)
    assert RuleRun.objects.count() == 2


def test_disabling_a_rule_is_a_run_too(client, personas, flagged, django_capture_on_commit_callbacks):
    post_change(
        client, personas.admin, {"param_max_minutes": "90", "reason": "停用"}, django_capture_on_commit_callbacks
    )
    run = RuleRun.objects.get()
    assert (run.status, run.cleared, run.findings) == ("done", 1, 0)


def test_saving_the_same_thresholds_starts_no_run(client, personas, flagged, django_capture_on_commit_callbacks):
    post_change(
        client,
        personas.admin,
        {"enabled": "on", "param_max_minutes": "90", "reason": "x"},
        django_capture_on_commit_callbacks,
    )
    assert not RuleRun.objects.exists()


def test_setting_and_removing_an_override_are_runs(client, personas, tree, django_capture_on_commit_callbacks):
    MeetingFactory(unit=tree.a, duration_minutes=80)
    post_change(
        client,
        personas.admin,
        {"action": "override", "unit": "D1", "param_max_minutes": "60", "reason": "东区从严"},
        django_capture_on_commit_callbacks,
    )
    set_run = RuleRun.objects.get()
    assert (set_run.status, set_run.opened, set_run.change.unit) == ("done", 1, tree.d1)
    # Two groups of units (D1 and the rest) read, then the writing and the orphans: four steps.
    assert (set_run.steps_done, set_run.steps_total) == (4, 4)

    override = RuleOverride.objects.get()
    post_change(
        client,
        personas.admin,
        {"action": "remove_override", "override": override.pk, "reason": "试点结束"},
        django_capture_on_commit_callbacks,
    )
    removed = RuleRun.objects.first()
    assert (removed.status, removed.cleared, removed.triggered_by) == ("done", 1, personas.admin)


def test_a_run_that_fails_is_recorded_as_failed(client, personas, flagged, django_capture_on_commit_callbacks):
    with mock.patch("burden.rules.engine.sweep", side_effect=RuntimeError("database on fire")):
        post_change(
            client,
            personas.admin,
            {"enabled": "on", "param_max_minutes": "150", "reason": "x"},
            django_capture_on_commit_callbacks,
        )
    run = RuleRun.objects.get()
    assert run.status == "failed"
    assert run.finished_at is not None
    assert "database on fire" in run.error
    assert Violation.objects.get().status == "open"  # nothing was re-applied

    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "the daily sweep of every rule will apply it" in page
    assert "database on fire" in page
    client.force_login(personas.staff_a)
    page = client.get(RUN_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "the daily sweep of every rule will apply it" in page
    assert "database on fire" not in page


def test_a_worker_whose_run_fails_keeps_it_with_the_failed_tasks(personas, flagged):
    from burden.tasks import rule_reapply

    run = RuleRun.objects.create(rule="MTG-DURATION", triggered_by=personas.admin)
    with mock.patch("burden.rules.engine.sweep", side_effect=RuntimeError("database on fire")):
        result = rule_reapply.apply(args=[run.pk], throw=False)  # as a worker runs it
    assert result.failed()
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "RuntimeError: database on fire")
    failure = TaskFailure.objects.get()
    assert failure.task == "burden.tasks.rule_reapply"
    assert "database on fire" in failure.error


def test_with_the_broker_down_the_change_is_saved_and_its_run_says_it_did_not_start(
    client, personas, flagged, django_capture_on_commit_callbacks
):
    with mock.patch("burden.tasks.rule_reapply.delay", side_effect=ConnectionError("redis is down")):
        post_change(
            client,
            personas.admin,
            {"enabled": "on", "param_max_minutes": "150", "reason": "x"},
            django_capture_on_commit_callbacks,
        )
    run = RuleRun.objects.get()
    assert (run.status, run.started_at) == ("failed", None)
    assert "redis is down" in run.error
    assert RuleChange.objects.exists()
    assert 'data-testid="reapplying"' not in client.get(reverse("rule_list")).content.decode()


def test_a_run_is_executed_once(personas, flagged):
    run = RuleRun.objects.create(rule="MTG-DURATION", triggered_by=personas.admin)
    assert rule_run_execute(run.pk).status == "done"
    with mock.patch("burden.rules.engine.sweep") as swept:
        assert rule_run_execute(run.pk) is None
    swept.assert_not_called()


def test_progress_moves_with_each_batch_of_findings_and_each_step(tree, monkeypatch):
    from burden.rules import sync

    MeetingFactory.create_batch(5, unit=tree.a, duration_minutes=120)
    monkeypatch.setattr(sync, "BATCH", 2)
    seen = []
    sweep(codes=["MTG-DURATION"], progress=Progress(lambda p: seen.append((p.steps_done, p.steps_total, p.findings))))
    # Announced (3 steps: the group read, the writing, the orphans), then batches of 2 findings
    # loaded as they are read (the group is read through before the last one is loaded).
    assert seen == [(0, 3, 0), (0, 3, 2), (0, 3, 4), (1, 3, 4), (1, 3, 5), (2, 3, 5), (3, 3, 5)]


def fragment(client, user):
    client.force_login(user)
    response = client.get(RUN_URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_an_unfinished_run_polls_and_shows_how_far_it_got(client, personas):
    run = RuleRun.objects.create(rule="MTG-DURATION", triggered_by=personas.admin)
    html = fragment(client, personas.staff_a)
    assert 'data-status="queued"' in html
    assert f'hx-get="{RUN_URL}"' in html
    assert "Waiting for a worker to start" in html

    RuleRun.objects.filter(pk=run.pk).update(status="running", steps_done=2, steps_total=4, findings=12345)
    html = fragment(client, personas.staff_a)
    assert f'hx-get="{RUN_URL}"' in html
    assert "Step 2 of 4; 12,345 findings read so far" in html
    assert 'aria-valuenow="50"' in html
    assert 'Started by <span translate="no">admin_city</span>' in html


def test_a_finished_run_stops_polling_and_shows_the_counts_to_those_who_set_thresholds(client, personas):
    RuleRun.objects.create(
        rule="MTG-DURATION", triggered_by=personas.admin, status="done", opened=1200, cleared=3, reopened=0
    )
    RuleRun.objects.create(rule="DOC-LENGTH", status="running")  # another rule's run is not this page's
    html = fragment(client, personas.admin)
    assert 'data-status="done"' in html
    assert "hx-get" not in html
    assert "Across the city: 1,200 flags opened, 3 cleared, 0 reopened." in html
    for persona in ("staff_a", "supervisor", "outsider"):
        html = fragment(client, getattr(personas, persona))
        assert "was applied to every record the rule covers" in html
        assert "1,200" not in html


def test_the_rule_page_shows_the_run_and_the_list_badges_rules_still_re_applying(client, personas):
    RuleRun.objects.create(rule="MTG-DURATION", status="running", steps_total=3, steps_done=1)
    RuleRun.objects.create(rule="DOC-LENGTH", status="done", opened=0, cleared=0, reopened=0)
    client.force_login(personas.staff_a)
    page = client.get(URL).content.decode()
    assert 'data-testid="rule-run"' in page and f'hx-get="{RUN_URL}"' in page
    listing = client.get(reverse("rule_list"))
    assert [row["rule"].code for row in listing.context["rows"] if row["reapplying"]] == ["MTG-DURATION"]
    assert listing.content.decode().count('data-testid="reapplying"') == 1


def test_the_rule_list_reads_the_runs_in_one_query_however_many(client, personas):
    client.force_login(personas.staff_a)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("rule_list"))
        return len(captured)

    RuleRun.objects.create(rule="MTG-DURATION", status="running")
    few = queries()
    RuleRun.objects.bulk_create([RuleRun(rule=code, status="queued") for code in ("DOC-LENGTH", "SEC-TERM") * 20])
    assert queries() == few


def test_a_run_without_a_run_yet_renders_empty_and_an_unknown_rule_is_not_found(client, personas):
    html = fragment(client, personas.staff_a)
    assert 'data-testid="rule-run"' in html and "data-status" not in html
    assert client.get(reverse("rule_run", args=["NO-SUCH"])).status_code == 404
    client.logout()
    response = client.get(RUN_URL)
    assert response.status_code == 302 and "login" in response["Location"]
