"""Serializer fields for the keys the API uses: units by code, people by username."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from burden.models import Unit


class UnitCodeField(serializers.SlugRelatedField):
    """A unit given and shown by its code.

    ``min_role`` limits the choice to the units the caller holds that role over; an
    unknown code and one outside those units get the same message, so the error never
    tells whether a unit exists.
    """

    default_error_messages = {
        "does_not_exist": _("No unit with the code “{value}” that you may use here."),
        "invalid": _("Enter a unit code."),
    }

    def __init__(self, *, min_role: str | None = None, **kwargs):
        self.min_role = min_role
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Unit.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.min_role is None:
            return queryset
        return queryset.for_user(self.context["request"].user, min_role=self.min_role)
