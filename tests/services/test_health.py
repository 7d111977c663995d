"""/health/ (and /health/ready/) reports the database and the broker; /health/live/ only that the process answers."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def health(client, path="/health/"):
    response = client.get(path)
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_health_is_ok_with_the_embedded_default_of_eager_tasks(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = "memory://"

    status, body = health(client)

    assert (status, body) == (200, {"status": "ok", "database": "ok", "broker": "eager"})


def test_health_reports_an_unreachable_broker_with_503(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER

    status, body = health(client)

    assert (status, body) == (503, {"status": "error", "database": "ok", "broker": "error"})


def test_health_needs_no_login_and_is_never_cached(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = client.get("/health/")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.services
def test_health_reports_a_reachable_redis_broker_as_ok(client, settings, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url

    status, body = health(client)

    assert (status, body) == (200, {"status": "ok", "database": "ok", "broker": "ok"})


@pytest.mark.parametrize("path", ["/health/", "/health/ready/"])
def test_readiness_is_503_while_the_broker_is_unreachable_and_ok_once_it_is_eager(client, settings, path):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    assert health(client, path) == (503, {"status": "error", "database": "ok", "broker": "error"})

    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert health(client, path) == (200, {"status": "ok", "database": "ok", "broker": "eager"})


def test_readiness_is_503_while_the_database_is_unreachable(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with mock.patch("burden.views.connection.cursor", side_effect=OperationalError("server closed the connection")):
        status, body = health(client, "/health/ready/")
    assert (status, body) == (503, {"status": "error", "database": "error", "broker": "eager"})


def test_liveness_asks_neither_the_database_nor_the_broker(client, settings, django_assert_num_queries):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    with (
        django_assert_num_queries(0),
        mock.patch("burden.views.connection.cursor", side_effect=OperationalError("down")),
    ):
        status, body = health(client, "/health/live/")
    assert (status, body) == (200, {"status": "ok"})
    assert "no-cache" in client.get("/health/live/")["Cache-Control"]


@pytest.mark.parametrize("path", ["/health/", "/health/live/", "/health/ready/"])
def test_health_is_not_redirected_to_https_in_production(client, settings, path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^health/((live|ready)/)?$"]  # burden/settings.py, read with DEBUG=False
    assert client.get(path).status_code == 200
    assert client.get("/accounts/login/").status_code == 301
