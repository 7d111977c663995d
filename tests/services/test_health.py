"""/health/ reports the database and the broker, for load balancers and monitoring."""

import pytest

pytestmark = pytest.mark.django_db

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def health(client):
    response = client.get("/health/")
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
