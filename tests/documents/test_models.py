"""Documents: burden hours from the handling time or the kind's default, and what a document may not be."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from burden.models import CostParameters
from documents.models import Document
from tests.record_factories.documents import DocumentFactory

MARCH_2 = datetime.date(2026, 3, 2)


@pytest.fixture
def document(tree):
    return DocumentFactory(unit=tree.a, source_unit=tree.dept, received_on=MARCH_2)


def errors_of(record) -> dict:
    """The field errors ``full_clean()`` raises, in English (messages are compared in some tests)."""
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


def test_the_logged_handling_time_is_the_burden(tree):
    document = DocumentFactory(unit=tree.a, kind=Document.Kind.NOTICE, handling_minutes=90)
    assert document.burden_hours == Decimal("1.50")


def test_without_a_handling_time_the_kinds_default_applies(tree):
    defaults = CostParameters.current()
    for kind in (Document.Kind.NOTICE, Document.Kind.FEEDBACK_REQUEST):
        document = DocumentFactory(unit=tree.a, kind=kind, handling_minutes=None)
        assert document.burden_hours == (defaults.minutes_for_document(kind) / 60).quantize(Decimal("0.01"))


def test_a_handling_time_of_zero_is_logged_not_replaced_by_the_default(tree):
    assert DocumentFactory(unit=tree.a, handling_minutes=0).burden_hours == Decimal(0)


def test_a_new_default_in_the_cost_parameters_applies_on_the_next_save(tree):
    document = DocumentFactory(unit=tree.a, kind=Document.Kind.OPINION, handling_minutes=None)
    logged = DocumentFactory(unit=tree.a, kind=Document.Kind.OPINION, handling_minutes=30)
    params = CostParameters.current()
    params.document_minutes = {**params.document_minutes, "opinion": 120}
    params.save()

    document.save()
    logged.save()
    assert document.burden_hours == Decimal("2.00")
    assert logged.burden_hours == Decimal("0.50")


def test_a_deadline_before_receipt_is_refused(document):
    document.response_deadline = MARCH_2 - datetime.timedelta(days=1)
    assert list(errors_of(document)) == ["response_deadline"]


def test_a_deadline_on_the_day_of_receipt_is_accepted(document):
    document.response_deadline = MARCH_2
    document.full_clean()


def test_no_deadline_at_all_is_accepted(document):
    document.response_deadline = None
    document.full_clean()


def test_a_document_cannot_supplement_itself(document):
    document.parent = document
    assert errors_of(document)["parent"] == ["A document cannot be its own ancestor."]


def test_a_loop_through_a_chain_of_three_is_refused(tree):
    first = DocumentFactory(unit=tree.a)
    second = DocumentFactory(unit=tree.a, parent=first, kind=Document.Kind.SUPPLEMENTARY)
    third = DocumentFactory(unit=tree.a, parent=second, kind=Document.Kind.SUPPLEMENTARY)
    first.parent = third
    assert errors_of(first)["parent"] == ["A document cannot be its own ancestor."]


def test_a_chain_of_three_without_a_loop_is_accepted(tree):
    first = DocumentFactory(unit=tree.a)
    second = DocumentFactory(unit=tree.a, parent=first, kind=Document.Kind.SUPPLEMENTARY)
    third = DocumentFactory.build(unit=tree.a, parent=second, kind=Document.Kind.SUPPLEMENTARY)
    third.full_clean()


def test_a_parent_of_another_unit_is_refused(tree):
    elsewhere = DocumentFactory(unit=tree.b)
    supplement = DocumentFactory.build(unit=tree.a, parent=elsewhere, kind=Document.Kind.SUPPLEMENTARY)
    assert list(errors_of(supplement)) == ["parent"]


def test_deleting_the_parent_keeps_its_supplements(tree):
    first = DocumentFactory(unit=tree.a)
    supplement = DocumentFactory(unit=tree.a, parent=first, kind=Document.Kind.SUPPLEMENTARY)
    first.delete()
    supplement.refresh_from_db()
    assert supplement.parent is None


@pytest.mark.parametrize("field", ["length_chars", "pages", "handling_minutes"])
def test_negative_counts_are_refused(document, field):
    setattr(document, field, -1)
    assert list(errors_of(document)) == [field]


def bad_update(document, **values):
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(**values)


def test_the_database_refuses_a_deadline_before_receipt(document):
    bad_update(document, response_deadline=MARCH_2 - datetime.timedelta(days=1))


def test_the_database_refuses_a_document_as_its_own_parent(document):
    bad_update(document, parent=document)


def test_the_database_refuses_a_negative_page_count(document):
    bad_update(document, pages=-1)


def test_a_document_bundles_one_matter_and_is_red_headed_unless_told_otherwise(document):
    assert (document.matters, document.labelled_as) == (1, Document.Label.RED_HEAD)
    assert not (document.special_task or document.demands_report_back or document.sets_veto_or_pledge)


def test_a_document_of_no_matter_at_all_is_refused(document):
    document.matters = 0
    assert list(errors_of(document)) == ["matters"]


def test_the_database_refuses_a_document_of_no_matter(document):
    bad_update(document, matters=0)


def test_the_matter_is_kept_with_its_spaces_tidied(document):
    document.matter = "  防汛   抗旱 "
    document.full_clean()
    assert document.matter == "防汛 抗旱"


def test_white_headed_documents_memos_and_notice_slips_are_the_relabelled_ones(tree):
    by_label = {label: DocumentFactory(unit=tree.a, labelled_as=label) for label in Document.Label.values}
    relabelled = set(Document.objects.filter(Document.relabelled()).values_list("pk", flat=True))
    assert relabelled == {by_label[label].pk for label in ("white_head", "memo", "other")}
