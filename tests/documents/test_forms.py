"""The document form: the parent select offers only documents the person can see, newest first."""

import datetime

from documents import forms
from documents.forms import DocumentForm
from tests.record_factories.documents import DocumentFactory


def parent_options(form) -> list:
    return list(form.fields["parent"].queryset)


def test_the_parent_select_offers_only_documents_of_ones_own_units(tree, personas):
    own = DocumentFactory(unit=tree.a)
    DocumentFactory(unit=tree.b)
    assert parent_options(DocumentForm(user=personas.staff_a)) == [own]


def test_the_parent_select_lists_the_newest_first_by_number_and_title(tree, personas):
    older = DocumentFactory(unit=tree.a, received_on=datetime.date(2026, 1, 5), number="东教〔2026〕1号", title="通知")
    newer = DocumentFactory(unit=tree.a, received_on=datetime.date(2026, 2, 5), number="", title="补充通知")
    field = DocumentForm(user=personas.staff_a).fields["parent"]
    assert list(field.queryset) == [newer, older]
    assert [field.label_from_instance(d) for d in field.queryset] == ["补充通知", "东教〔2026〕1号 通知"]


def test_a_document_is_not_offered_as_its_own_parent(tree, personas):
    document = DocumentFactory(unit=tree.a)
    other = DocumentFactory(unit=tree.a)
    assert parent_options(DocumentForm(user=personas.staff_a, instance=document)) == [other]


def test_the_parent_select_stays_short_but_keeps_the_current_parent(tree, personas, monkeypatch):
    monkeypatch.setattr(forms, "PARENT_CHOICES", 2)
    oldest = DocumentFactory(unit=tree.a, received_on=datetime.date(2026, 1, 1))
    middle = DocumentFactory(unit=tree.a, received_on=datetime.date(2026, 1, 2))
    newest = DocumentFactory(unit=tree.a, received_on=datetime.date(2026, 1, 3))
    supplement = DocumentFactory(unit=tree.a, received_on=datetime.date(2026, 1, 4), parent=oldest)
    assert parent_options(DocumentForm(user=personas.staff_a)) == [supplement, newest]
    assert parent_options(DocumentForm(user=personas.staff_a, instance=supplement)) == [newest, middle, oldest]


def test_the_regulations_fields_are_folded_and_the_fold_stays_shut_at_their_defaults(tree, personas):
    layout = DocumentForm(user=personas.staff_a).layout()
    (fold,) = layout["folds"]
    assert [field.name for field in fold["fields"]] == [
        "labelled_as",
        "matters",
        "special_task",
        "demands_report_back",
        "sets_veto_or_pledge",
    ]
    assert not fold["open"]
    assert {field.name for field in layout["fields"]}.isdisjoint(field.name for field in fold["fields"])
    assert "matter" in {field.name for field in layout["fields"]}


def test_the_fold_opens_for_a_memo_or_a_bundle(tree, personas):
    memo = DocumentFactory(unit=tree.a, labelled_as="memo")
    bundle = DocumentFactory(unit=tree.a, matters=2)
    for document in (memo, bundle):
        assert DocumentForm(user=personas.staff_a, instance=document).layout()["folds"][0]["open"]


def test_the_fold_opens_on_an_error_in_it(tree, personas):
    form = DocumentForm(
        user=personas.staff_a,
        data={"title": "通知", "received_on": "2026-03-02", "unit": tree.a.pk, "kind": "notice", "matters": "x"},
    )
    assert not form.is_valid()
    assert form.layout()["folds"][0]["open"]


def test_a_post_without_the_folded_fields_keeps_their_defaults(tree, personas):
    form = DocumentForm(
        user=personas.staff_a,
        data={
            "title": "通知",
            "received_on": "2026-03-02",
            "unit": tree.a.pk,
            "kind": "notice",
            "pages": 1,
            "length_chars": 100,
            "substantive": "True",  # a question, not a folded default: it is always answered
        },
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["labelled_as"], form.cleaned_data["matters"]) == ("red_head", 1)
