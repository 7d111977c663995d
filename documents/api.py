"""Documents in the REST API: fields only; the rest is the shared record API."""

from rest_framework import serializers

from burden.api.records import RECORD_FIELDS, RECORD_READ_ONLY, RecordSerializer, RecordViewSet

from .filters import DocumentFilterSet
from .models import Document


class ParentDocumentField(serializers.PrimaryKeyRelatedField):
    """The document this one forwards or supplements, among those the caller may see."""

    def get_queryset(self):
        return Document.objects.for_user(self.context["request"].user)


class DocumentSerializer(RecordSerializer):
    parent = ParentDocumentField(required=False, allow_null=True)

    class Meta:
        model = Document
        fields = [
            *RECORD_FIELDS,
            "title",
            "number",
            "received_on",
            "kind",
            "length_chars",
            "pages",
            "substantive",
            "has_local_content",
            "parent",
            "response_deadline",
            "handling_minutes",
            "matter",
            "special_task",
            "demands_report_back",
            "sets_veto_or_pledge",
            "labelled_as",
            "matters",
            *RECORD_READ_ONLY,
        ]


class DocumentViewSet(RecordViewSet):
    model = Document
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilterSet


ROUTES = [("documents", DocumentViewSet, "document")]
