"""Every request has an id: on the response, on every log line it writes, on its tasks, on the 500 page."""

import json
import logging
import types

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from burden import queueing, requestid
from burden.logs import JsonFormatter, RequestContextFilter, TextFormatter, _user_id

pytestmark = pytest.mark.django_db

log = logging.getLogger("tests.ops")


def _logging_home(monkeypatch, message="home served"):
    def get(self, request, *args, **kwargs):
        log.info(message)
        return HttpResponse("ok")

    monkeypatch.setattr("burden.views.HomeView.get", get)


def _failing_home(monkeypatch):
    def get(self, request, *args, **kwargs):
        log.warning("about to fail")
        raise RuntimeError("boom")

    monkeypatch.setattr("burden.views.HomeView.get", get)


# --- the id itself -----------------------------------------------------------------------


def test_a_request_gets_a_new_id_on_its_response_and_its_log_lines(client, personas, monkeypatch, log_lines):
    _logging_home(monkeypatch)
    client.force_login(personas.staff_a)

    first = client.get("/")
    second = client.get("/")

    ids = [first.headers[requestid.HEADER], second.headers[requestid.HEADER]]
    assert all(requestid.valid(value) and len(value) == 32 for value in ids)
    assert ids[0] != ids[1]
    lines = log_lines.of("tests.ops")
    assert [line["request_id"] for line in lines] == ids
    # The user, known because the page asked who it was; no query was made for the log's sake.
    assert {line["user"] for line in lines} == {personas.staff_a.pk}


def test_lines_outside_any_request_carry_no_id(log_lines):
    log.info("at start-up")

    (line,) = log_lines.of("tests.ops")
    assert line["request_id"] is None and line["user"] is None and line["task"] is None
    assert requestid.current() is None


def test_an_anonymous_request_logs_no_user(client, monkeypatch, log_lines):
    def dispatch(self, request, *args, **kwargs):
        log.info("served to nobody in particular")
        return HttpResponse()

    monkeypatch.setattr("burden.views.HomeView.dispatch", dispatch)

    response = client.get("/")

    (line,) = log_lines.of("tests.ops")
    assert line["request_id"] == response.headers[requestid.HEADER]
    assert line["user"] is None


def test_the_api_s_own_authentication_names_the_user_too(personas):
    request = RequestFactory().get("/api/v1/")
    request.user = personas.staff_b  # as DRF's Request sets it on the request it wraps
    assert _user_id(request) == personas.staff_b.pk
    anonymous = RequestFactory().get("/")
    assert _user_id(anonymous) is None


@pytest.mark.parametrize("trusted", [True, False])
def test_a_proxy_s_id_is_kept_only_when_trusted(client, settings, trusted):
    settings.REQUEST_ID_TRUST_HEADER = trusted

    response = client.get("/health/live/", headers={"X-Request-ID": "lb-7f3a.2026:01-ab_c"})

    kept = response.headers[requestid.HEADER] == "lb-7f3a.2026:01-ab_c"
    assert kept is trusted


@pytest.mark.parametrize(
    "offered",
    [
        "",
        "a" * 65,  # one past the longest kept (64)
        "bad id",
        "id\nFAKE LINE",
        '"},{"level":"ERROR',
        "-starts-with-a-dash",
        "标识",
    ],
)
def test_a_malformed_id_is_replaced_even_when_trusted(client, settings, offered):
    settings.REQUEST_ID_TRUST_HEADER = True

    response = client.get("/health/live/", headers={"X-Request-ID": offered})

    got = response.headers[requestid.HEADER]
    assert got != offered and len(got) == 32 and requestid.valid(got)


def test_the_longest_id_kept_is_sixty_four_characters(client, settings):
    settings.REQUEST_ID_TRUST_HEADER = True

    response = client.get("/health/live/", headers={"X-Request-ID": "a" * 64})

    assert response.headers[requestid.HEADER] == "a" * 64


def test_the_header_is_trusted_by_default_only_behind_a_proxy():
    from tests.test_settings import DEVELOPMENT, settings_value

    assert settings_value("settings.REQUEST_ID_TRUST_HEADER", **DEVELOPMENT) == "False"
    assert settings_value("settings.REQUEST_ID_TRUST_HEADER", TRUSTED_PROXY_COUNT="1", **DEVELOPMENT) == "True"


def test_redirects_and_static_files_carry_the_id_too(client):
    # The middleware is first: a redirect made by another middleware or the login guard has the id.
    response = client.get("/units/")
    assert response.status_code == 302 and requestid.valid(response.headers[requestid.HEADER])


# --- 500 ---------------------------------------------------------------------------------


def test_a_500_logs_the_id_and_the_page_shows_it(client, personas, monkeypatch, log_lines):
    _failing_home(monkeypatch)
    client.raise_request_exception = False
    client.force_login(personas.staff_a)

    response = client.get("/", headers={"Accept-Language": "en"})

    assert response.status_code == 500
    request_id = response.headers[requestid.HEADER]
    page = response.content.decode()
    assert "quote this reference" in page
    assert f'<code class="user-select-all" translate="no">{request_id}</code>' in page
    (error,) = log_lines.of("django.request")
    assert error["level"] == "ERROR" and error["status_code"] == 500
    assert error["request_id"] == request_id and error["user"] == personas.staff_a.pk
    assert "RuntimeError: boom" in error["exception"]
    assert [line["request_id"] for line in log_lines.of("tests.ops")] == [request_id]


def test_the_500_page_speaks_chinese(client, personas, monkeypatch):
    _failing_home(monkeypatch)
    client.raise_request_exception = False
    client.force_login(personas.staff_a)

    response = client.get("/", headers={"Accept-Language": "zh-hans"})

    assert response.status_code == 500
    assert "如需反映此问题，请提供以下编号" in response.content.decode()


def test_an_api_500_is_json_with_the_id_in_its_header(client, personas, monkeypatch, log_lines):
    def fail(*args, **kwargs):
        raise RuntimeError("api boom")

    monkeypatch.setattr("burden.api.views.UnitViewSet.list", fail, raising=False)
    client.raise_request_exception = False
    client.force_login(personas.staff_a)

    response = client.get("/api/v1/units/")

    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("application/json")
    (error,) = log_lines.of("django.request")
    assert error["request_id"] == response.headers[requestid.HEADER]


# --- tasks ---------------------------------------------------------------------------------


def test_a_task_sent_during_a_request_carries_its_id_in_the_headers():
    request = RequestFactory().get("/")
    seen = {}

    def view(request):
        headers = {"id": "task-1"}
        queueing.carry_request_id(headers=headers)
        seen.update(headers)
        return HttpResponse()

    response = requestid.RequestIdMiddleware(view)(request)

    assert seen == {"id": "task-1", requestid.TASK_HEADER: response.headers[requestid.HEADER]}


def test_a_task_sent_outside_any_request_carries_no_id():
    headers = {}
    queueing.carry_request_id(headers=headers)
    assert headers == {}
    queueing.carry_request_id(headers=None)  # Celery may send none: nothing to add to


def _worker_task(headers: dict, eager=False):
    """A task as the worker's signals see it: its request holds the message's headers as attributes."""
    request = types.SimpleNamespace(is_eager=eager, **headers)
    return types.SimpleNamespace(name="burden.tasks.units_count", request=request)


def test_the_worker_restores_the_id_for_the_task_s_lines_and_then_forgets_it(log_lines):
    task = _worker_task({requestid.TASK_HEADER: "0123456789abcdef"})

    requestid.task_started(task_id="t-1", task=task)
    log.info("inside the task")
    requestid.task_finished(task_id="t-1", task=task)
    log.info("between tasks")

    inside, between = log_lines.of("tests.ops")
    assert (inside["request_id"], inside["task"], inside["task_id"]) == (
        "0123456789abcdef",
        "burden.tasks.units_count",
        "t-1",
    )
    assert (between["request_id"], between["task"], between["task_id"]) == (None, None, None)


def test_a_task_from_beat_or_with_a_forged_id_has_none(log_lines):
    for headers in ({}, {requestid.TASK_HEADER: "x\ny"}):
        task = _worker_task(headers)
        requestid.task_started(task_id="t-2", task=task)
        log.info("beat's task")
        requestid.task_finished(task_id="t-2", task=task)

    assert [(line["request_id"], line["task_id"]) for line in log_lines.of("tests.ops")] == [(None, "t-2")] * 2


def test_the_id_in_celery_s_own_headers_mapping_is_read_too(log_lines):
    task = types.SimpleNamespace(
        name="n", request=types.SimpleNamespace(is_eager=False, headers={requestid.TASK_HEADER: "abc12345"})
    )
    requestid.task_started(task_id="t-3", task=task)
    log.info("x")
    requestid.task_finished(task=task)

    assert log_lines.of("tests.ops")[0]["request_id"] == "abc12345"


def test_an_eager_task_keeps_the_sending_request_s_context(client, personas, monkeypatch, log_lines):
    """Tasks run in the request (no REDIS_URL, the tests): their lines are the request's."""
    from burden.celery import app

    @app.task(name="tests.ops.log_something")
    def log_something():
        log.info("from the eager task")

    def get(self, request, *args, **kwargs):
        queueing.task_send(log_something)
        log.info("after the task")
        return HttpResponse()

    monkeypatch.setattr("burden.views.HomeView.get", get)
    client.force_login(personas.staff_a)

    response = client.get("/")

    lines = log_lines.of("tests.ops")
    assert [line["message"] for line in lines] == ["from the eager task", "after the task"]
    assert {line["request_id"] for line in lines} == {response.headers[requestid.HEADER]}
    assert requestid.current() is None


# --- the formats ------------------------------------------------------------------------------


def _record(message="hello %s", args=("world",), **extra):
    record = logging.LogRecord("burden.x", logging.WARNING, __file__, 1, message, args, None)
    for name, value in extra.items():
        setattr(record, name, value)
    RequestContextFilter().filter(record)
    return record


def test_a_json_line_is_one_object_with_the_plain_extras_only():
    line = JsonFormatter().format(_record(status_code=404, request=object(), size=1.5, title="会议"))

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "hello world" and entry["level"] == "WARNING" and entry["logger"] == "burden.x"
    assert entry["time"].endswith("+00:00")
    assert entry["status_code"] == 404 and entry["size"] == 1.5 and entry["title"] == "会议"
    assert "request" not in entry and "args" not in entry and "msg" not in entry


def test_a_json_line_holds_the_traceback_on_its_one_line():
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        import sys

        record = _record(message="failed", args=())
        record.exc_info = sys.exc_info()

    line = JsonFormatter().format(record)

    assert line.count("\n") == 0
    assert "ValueError: bad\nvalue" in json.loads(line)["exception"]


def test_a_text_line_reads_as_a_sentence():
    record = _record()
    record.request_id, record.user, record.task = "abc", 7, "burden.tasks.units_count"

    line = TextFormatter().format(record)

    assert line.endswith("WARNING burden.x [abc user=7 burden.tasks.units_count] hello world")
    assert TextFormatter().format(_record()).endswith("[-] hello world")


def test_the_format_follows_debug_unless_told_and_a_wrong_one_is_refused():
    from tests.test_settings import DEVELOPMENT, run_manage, settings_value

    assert settings_value("settings.LOG_FORMAT", **DEVELOPMENT) == "text"
    assert settings_value("settings.LOG_FORMAT", LOG_FORMAT="JSON", **DEVELOPMENT) == "json"
    result = run_manage("check", LOG_FORMAT="xml", **DEVELOPMENT)
    assert result.returncode != 0 and "LOG_FORMAT='xml'" in result.stderr
    assert ImproperlyConfigured.__name__ in result.stderr
