"""A loan by any name (抽调, 跟班学习, 挂职) in the ledger and on the pages: kept, shown, judged as a secondment."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from burden.models import ImportJob, Violation
from secondments.models import Secondment
from tests.record_factories.secondments import SecondmentFactory

HEADERS = ["person_name", "host_name", "arrangement", "unit", "source_unit", "start_date", "planned_end_date"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def csv_file(rows) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile("ledger.csv", buffer.getvalue().encode())


def test_an_imported_four_month_attachment_post_from_a_community_is_flagged(
    client, personas, tree, django_capture_on_commit_callbacks
):
    client.force_login(personas.staff_a)
    rows = [
        ["王芳", "区创文专班", "Attachment post", "A", "D1-EDU", "2026-03-02", "2026-07-02"],
        ["李强", "区防汛指挥部", "", "A", "D1-EDU", "2026-03-02", "2026-04-02"],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("secondments:secondment_import"), {"file": csv_file(rows)})
    job = ImportJob.objects.latest("pk")
    assert job.status == "done", job.errors
    attachment = Secondment.objects.get(person_name="王芳")
    assert attachment.arrangement == Secondment.Arrangement.ATTACHMENT
    assert Secondment.objects.get(person_name="李强").arrangement == Secondment.Arrangement.SECONDMENT
    flagged = set(
        Violation.objects.filter(record_id=attachment.pk, record_kind="secondment").values_list("rule", flat=True)
    )
    assert {"SEC-TERM", "SEC-GRASSROOTS"} <= flagged


def test_the_list_shows_the_arrangement_and_filters_by_it(client, personas, tree):
    shadowing = SecondmentFactory(unit=tree.a, person_name="跟班人员", arrangement=Secondment.Arrangement.SHADOWING)
    SecondmentFactory(unit=tree.a, person_name="借调人员")
    client.force_login(personas.staff_a)
    page = client.get(
        reverse("secondments:secondment_list"), {"arrangement": "shadowing"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert shadowing.person_name in page and "借调人员" not in page
    assert "Shadowing" in page


def test_the_form_offers_a_secondment_by_default(client, personas, tree):
    client.force_login(personas.staff_a)
    form = client.get(reverse("secondments:secondment_create")).context["form"]
    assert form["arrangement"].value() == Secondment.Arrangement.SECONDMENT
    assert form["specially_approved"].value() is False
