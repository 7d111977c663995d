"""Secondments and their extensions in the REST API.

``unit`` is the person's home unit, ``source_unit`` the borrowing unit. Extensions
are written through ``secondment_extend`` like the browser's extension form, which
re-saves the secondment (hours, history, rule evaluation).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from burden.api import strict
from burden.api.errors import as_drf_error
from burden.api.records import RECORD_FIELDS, RECORD_READ_ONLY, RecordSerializer, RecordViewSet

from .filters import SecondmentFilterSet
from .models import Extension, Secondment
from .services import secondment_extend


class ExtensionSerializer(strict.ModelSerializer):
    class Meta:
        model = Extension
        fields = ["id", "new_end_date", "approved_by", "approved_on", "created_at"]
        read_only_fields = ["id", "created_at"]


class SecondmentSerializer(RecordSerializer):
    extensions = ExtensionSerializer(many=True, read_only=True)

    class Meta:
        model = Secondment
        fields = [
            *RECORD_FIELDS,
            "person_name",
            "host_name",
            "arrangement",
            "start_date",
            "planned_end_date",
            "returned_on",
            "approved_by",
            "approved_on",
            "hr_filed_on",
            "specially_approved",
            "extensions",
            *RECORD_READ_ONLY,
        ]


class SecondmentViewSet(RecordViewSet):
    model = Secondment
    serializer_class = SecondmentSerializer
    filterset_class = SecondmentFilterSet
    prefetch_related = ("extensions",)

    @extend_schema(
        request=ExtensionSerializer, responses={200: ExtensionSerializer(many=True), 201: ExtensionSerializer}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=ExtensionSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def extensions(self, request, pk=None):
        """The secondment's extensions; POST extends its term (re-approval is recorded)."""
        secondment = self.get_object()
        if request.method == "GET":
            return Response(ExtensionSerializer(secondment.extensions.all(), many=True).data)
        given = ExtensionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                extension = secondment_extend(secondment=secondment, user=request.user, **given.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        except DjangoPermissionDenied:
            raise exceptions.PermissionDenied from None
        return Response(ExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)


ROUTES = [("secondments", SecondmentViewSet, "secondment")]
