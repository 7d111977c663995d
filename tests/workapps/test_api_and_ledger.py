"""Work apps through the API and the ledger: demands as a list, in both directions."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from burden.ledger.exporter import csv_response
from burden.ledger.jobs import import_job_run
from burden.models import ImportJob
from tests.record_factories.workapps import WorkAppFactory
from workapps.models import WorkApp
from workapps.views import config

pytestmark = pytest.mark.django_db
URL = "/api/v1/work-apps/"


def test_the_api_creates_a_group_with_its_demands_and_flags_its_check_in(
    api, tree, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_(personas.staff_a).post(
            URL,
            {
                "unit": "A",
                "source_unit": "D1-EDU",
                "name": "创文打卡群",
                "app_kind": "group",
                "start_date": "2026-03-02",
                "end_date": "2026-03-31",
                "people_required": 3,
                "minutes_per_day": 10,
                "demands": ["checkin", "reply_chain", "checkin"],
                "security_or_emergency": False,
                "matter": "文明城市创建",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["demands"] == ["checkin", "reply_chain"]
    assert body["burden_hours"] == 11  # 10 min x 3 people x 22 working days
    flags = api.get(f"{URL}{body['id']}/").json()["violations"]
    assert [flag["rule"] for flag in flags] == ["APP-BANNED-FUNCTION"]
    assert WorkApp.objects.get().demands == ["checkin", "reply_chain"]


def test_the_api_refuses_an_unknown_demand(api, tree, personas):
    response = api.as_(personas.staff_a).post(
        URL,
        {"unit": "A", "name": "群", "start_date": "2026-03-02", "demands": ["likes"]},
        format="json",
    )
    assert response.status_code == 400
    assert "demands" in response.json()


def test_the_api_filters_by_demand(api, tree, personas):
    checkin = WorkAppFactory(unit=tree.a, demands=["checkin"])
    WorkAppFactory(unit=tree.a, demands=["form_filling"])
    response = api.as_(personas.staff_a).get(URL, {"demand": "checkin"})
    assert [row["id"] for row in response.json()["results"]] == [checkin.pk]


def _import(client, user, content: bytes) -> ImportJob:
    client.force_login(user)
    upload = SimpleUploadedFile("ledger.csv", content, content_type="text/csv")
    assert client.post("/work-apps/import/", {"file": upload}).status_code == 302
    job = ImportJob.objects.latest("pk")
    import_job_run(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_export_imports_back_unchanged_in_either_language(client, tree, personas, language):
    app = WorkAppFactory(unit=tree.a, source_unit=tree.dept, demands=["checkin", "photo_upload", "reply_chain"])
    with translation.override(language):
        response = csv_response(config, WorkApp.objects.filter(pk=app.pk))
        content = b"".join(response.streaming_content) if response.streaming else response.content
    job = _import(client, personas.staff_a, content)
    assert (job.status, job.unchanged, job.errors) == ("done", 1, [])


def test_a_ledger_in_chinese_logs_work_groups(client, tree, personas):
    rows = [
        ["名称", "单位", "来源单位", "要求事项", "要求使用起始日期", "每人每天分钟数", "要求人数"],
        ["创文打卡群", "A", "D1-EDU", "打卡签到、接龙", "2026-03-02", "10", "2"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    job = _import(client, personas.staff_a, buffer.getvalue().encode("utf-8"))
    assert (job.status, job.created, job.errors) == ("done", 1, [])
    app = WorkApp.objects.get()
    assert (app.demands, app.start_date, app.end_date) == (["checkin", "reply_chain"], datetime.date(2026, 3, 2), None)


@pytest.mark.parametrize(
    ("code", "clause"),
    [
        ("APP-BANNED-FUNCTION", "the list of prohibitions"),
        ("APP-ZOMBIE", "III"),
        ("APP-DUPLICATE", "III"),
        ("APP-COUNT", "V"),
    ],
)
def test_the_rules_api_gives_each_work_app_rule_its_clause_as_text(api, personas, code, clause):
    body = api.as_(personas.staff_a).get(f"/api/v1/rules/{code}/").json()
    assert (body["code"], body["record_kind"], body["clause"]) == (code, "work_app", clause)


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [
        ("minutes_per_day", 1440, 201),
        ("minutes_per_day", 1441, 400),
        ("people_required", 10_000, 201),
        ("people_required", 10_001, 400),
    ],
)
def test_minutes_and_people_are_bounded_so_the_hours_always_fit(api, tree, personas, field, value, status):
    body = {
        "unit": "A",
        "name": "打卡群",
        "app_kind": "group",
        "start_date": "2026-03-02",
        "end_date": "2026-03-06",
        "people_required": 1,
        "minutes_per_day": 10,
        field: value,
    }
    response = api.as_(personas.staff_a).post("/api/v1/work-apps/", body, format="json")
    assert response.status_code == status, response.json()
