"""The document list: found by number, filtered by kind."""

import pytest
from django.urls import reverse

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
