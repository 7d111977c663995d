"""The document pages: the list found by number and filtered by kind; the form's questions."""

import re

import pytest
from django.urls import reverse

from burden.models import Violation
from documents.models import Document
from tests.record_factories.documents import DocumentFactory


@pytest.fixture
def listed(client, personas):
    client.force_login(personas.supervisor)

    def listed(**params):
        return set(client.get(reverse("documents:document_list"), params).context["object_list"])

    return listed


def test_the_list_finds_a_document_by_its_number(tree, listed):
    wanted = DocumentFactory(unit=tree.a, number="东教〔2026〕7号")
    DocumentFactory(unit=tree.a, number="东教〔2026〕8号")
    assert listed(q="7号") == {wanted}


def test_the_list_filters_by_kind(tree, listed):
    notice = DocumentFactory(unit=tree.a, kind=Document.Kind.NOTICE)
    forwarding = DocumentFactory(unit=tree.b, kind=Document.Kind.FORWARDING)
    assert listed(kind="forwarding") == {forwarding}
    assert listed() == {notice, forwarding}


def test_the_detail_page_names_the_document_supplemented(client, tree, personas):
    first = DocumentFactory(unit=tree.a, title="关于开展安全检查的通知")
    supplement = DocumentFactory(unit=tree.a, parent=first, kind=Document.Kind.SUPPLEMENTARY)
    client.force_login(personas.staff_a)
    response = client.get(supplement.get_absolute_url())
    assert "关于开展安全检查的通知" in response.content.decode()


def test_a_supplement_is_logged_through_the_form(client, tree, personas):
    first = DocumentFactory(unit=tree.a)
    client.force_login(personas.staff_a)
    response = client.post(
        reverse("documents:document_create"),
        {
            "title": "补充通知",
            "received_on": "2026-03-03",
            "unit": tree.a.pk,
            "source_unit": "D1-EDU",
            "kind": "supplementary",
            "parent": first.pk,
            "length_chars": 300,
            "pages": 1,
            "substantive": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    supplement = Document.objects.get(title="补充通知")
    assert supplement.parent == first
    assert supplement.source_unit == tree.dept
    assert supplement.burden_hours == supplement.compute_burden_hours_now()


def test_an_admin_opens_a_document_in_the_admin(client, tree, personas):
    supplement = DocumentFactory(unit=tree.a, parent=DocumentFactory(unit=tree.a))
    client.force_login(personas.admin)
    assert client.get(reverse("admin:documents_document_change", args=[supplement.pk])).status_code == 200
    assert client.get(reverse("admin:documents_document_changelist")).status_code == 200


def _document_post(tree, **changes):
    return {
        "title": "关于做好防汛工作的通知",
        "received_on": "2026-03-03",
        "unit": tree.a.pk,
        "source_unit": "D1-EDU",
        "kind": "notice",
        "length_chars": 300,
        "pages": 1,
        **changes,
    }


def test_a_new_documents_questions_start_unanswered(client, tree, personas):
    client.force_login(personas.staff_a)
    page = client.get(reverse("documents:document_create")).content.decode()
    for name in ("substantive", "has_local_content"):
        radios = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert len(radios) == 2, radios
        assert not any("checked" in radio for radio in radios), radios


def test_a_document_not_said_to_have_substance_is_asked_and_nothing_is_saved(client, tree, personas):
    client.force_login(personas.staff_a)
    response = client.post(reverse("documents:document_create"), _document_post(tree))
    assert response.status_code == 200
    assert "substantive" in response.context["form"].errors
    assert not Document.objects.exists()


def test_answering_no_is_what_doc_empty_flags(client, tree, personas, django_capture_on_commit_callbacks):
    client.force_login(personas.staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:document_create"), _document_post(tree, substantive="False"))
    assert response.status_code == 302, response.context["form"].errors
    document = Document.objects.get()
    assert document.substantive is False and document.has_local_content is True  # not forwarded: not asked
    assert Violation.objects.filter(rule="DOC-EMPTY", record_id=document.pk).exists()


def test_a_forwarded_document_must_say_whether_it_adds_anything_local(client, tree, personas):
    client.force_login(personas.staff_a)
    unanswered = client.post(
        reverse("documents:document_create"), _document_post(tree, kind="forwarding", substantive="True")
    )
    assert "has_local_content" in unanswered.context["form"].errors
    answered = client.post(
        reverse("documents:document_create"),
        _document_post(tree, kind="forwarding", substantive="True", has_local_content="False"),
    )
    assert answered.status_code == 302, answered.context["form"].errors
    assert Document.objects.get().has_local_content is False


def test_an_edited_document_shows_its_answers(client, tree, personas):
    document = DocumentFactory(unit=tree.a, substantive=False)
    client.force_login(personas.staff_a)
    page = client.get(reverse("documents:document_update", args=[document.pk])).content.decode()
    [no] = [radio for radio in re.findall(r'<input[^>]*name="substantive"[^>]*>', page) if 'value="False"' in radio]
    assert "checked" in no
