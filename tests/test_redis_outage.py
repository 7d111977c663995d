"""Redis stopped, with ``REDIS_URL`` set: people still sign in and save, and nothing is lost.

Both of Redis' jobs point at a closed port: the cache (the API's rate limits, import
progress) and the Celery broker and result store (task dispatch after a commit). The
rate limits stay on. Every request answers as it would with Redis up; a saved record's
evaluation waits in its pending row and the catch-up task (every five minutes, on beat)
flags it once the broker is back.
"""

import types
from unittest import mock

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from burden.celery import app as celery_app
from burden.models import PendingEvaluation, SignInAttempt, Violation
from meetings.models import Meeting
from tests.services.conftest import _drop_celery_connections

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"
PASSWORD = "pw-for-tests-1"  # tests/factories.py


@pytest.fixture
def redis_down(settings):
    """The cache, the broker and the result store all on a port nothing listens on."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED_PORT
    conf = celery_app.conf
    names = ("task_always_eager", "broker_url", "result_backend")
    previous = {name: conf[name] for name in names}
    _drop_celery_connections(celery_app)
    conf.task_always_eager = False
    conf.broker_url = CLOSED_PORT
    conf.result_backend = CLOSED_PORT
    yield
    _drop_celery_connections(celery_app)
    for name, value in previous.items():
        conf[name] = value


def test_the_cache_really_is_unreachable(redis_down):
    from django.core.cache import cache

    with pytest.raises(Exception, match="127.0.0.1:1"):
        cache.get("anything")


def test_the_sign_in_page_answers_and_signs_people_in(client, personas, redis_down):
    assert client.get(reverse("login")).status_code == 200

    response = client.post(reverse("login"), {"username": personas.staff_a.username, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200  # the session (in the database) holds
    assert SignInAttempt.objects.filter(door="page", outcome="succeeded").count() == 1


def test_a_wrong_password_is_refused_and_counted_by_the_guard(client, personas, redis_down):
    response = client.post(reverse("login"), {"username": personas.staff_a.username, "password": "wrong"})

    assert response.status_code == 200  # the form again, with its error
    assert SignInAttempt.objects.filter(door="page", outcome="failed").count() == 1


def test_an_api_meeting_is_saved_with_201_and_evaluated_once_the_broker_is_back(
    personas, tree, redis_down, django_capture_on_commit_callbacks
):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    signed_in = api.post(
        "/api/v1/auth/token/", {"username": personas.staff_a.username, "password": PASSWORD}, format="json"
    )
    assert signed_in.status_code == 200  # the token endpoint's own rate limit fails open too
    api.credentials(HTTP_AUTHORIZATION=f"Token {signed_in.json()['token']}")
    body = {"title": "部署会", "date": "2026-03-02", "duration_minutes": 150, "attendees": 2, "mode": "in_person"}

    with (
        mock.patch.object(type(celery_app.backend), "on_task_call") as on_task_call,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = api.post("/api/v1/meetings/", {**body, "unit": tree.a.code}, format="json")

    assert response.status_code == 201, response.content
    assert callbacks  # the dispatch ran, and failed quietly
    on_task_call.assert_not_called()  # no wait on the result store (it retried for 20 s, then raised)
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert PendingEvaluation.objects.filter(record_kind="meeting", record_id=meeting.pk).exists()
    assert not Violation.objects.exists()

    from burden.tasks import evaluate_pending

    assert evaluate_pending() == 1  # what beat sends every five minutes, once Redis is back
    assert Violation.objects.filter(rule="MTG-DURATION", record_id=meeting.pk, status="open").count() == 1
    assert not PendingEvaluation.objects.exists()


def test_an_import_jobs_progress_reads_as_not_started_rather_than_failing(redis_down):
    from burden.ledger.jobs import job_progress

    assert job_progress(types.SimpleNamespace(pk=1)) == {"phase": "validating", "done": 0}


def test_a_rule_run_that_cannot_be_queued_is_failed_with_the_reason(personas, redis_down):
    from burden.models import RuleRun
    from burden.rules.runs import _dispatch

    run = RuleRun.objects.create(rule="MTG-DURATION", triggered_by=personas.admin)

    _dispatch(run.pk)

    run.refresh_from_db()
    assert run.status == "failed"
    assert "127.0.0.1:1" in run.error


@pytest.mark.parametrize("name", ["AnonRateThrottle", "UserRateThrottle", "ScopedRateThrottle"])
def test_every_rate_limit_lets_the_request_through_while_the_cache_is_down(rf, personas, redis_down, name, caplog):
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.request import Request

    from burden.api import throttling

    request = Request(rf.post("/api/v1/anything/"))
    request.user = AnonymousUser() if name == "AnonRateThrottle" else personas.staff_a  # anon counts only those
    view = types.SimpleNamespace(throttle_scope="auth")

    assert getattr(throttling, name)().allow_request(request, view) is True
    assert f"Rate limit {name} skipped: the cache is unreachable." in caplog.text  # it did ask the cache
