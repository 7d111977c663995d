"""The Django admin base for record models: scoped, and writing through the services."""

from django import forms
from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from . import scoping
from .admin import CurrentObjectHistoryMixin, ScopedAdminMixin
from .concurrency import VersionCheckedForm, VersionedAdmin, version_field
from .services import record_delete, record_save

register = admin.register


class RecordAdminForm(VersionCheckedForm, forms.ModelForm):
    """A record's admin form: a save from a page someone else's save overtook is refused."""

    version = version_field()


class RecordAdmin(VersionedAdmin, CurrentObjectHistoryMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    form = RecordAdminForm
    search_fields = ["title", "notes", "external_id", "unit__code", "unit__name"]
    autocomplete_fields = ["unit", "source_unit"]
    list_select_related = ["unit", "source_unit"]
    readonly_fields = ["burden_hours", "created_by", "created_at", "updated_by", "updated_at"]
    date_hierarchy = None

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, min_role=scoping.ADMIN)

    def save_model(self, request, obj, form, change):
        record_save(record=obj, user=request.user)

    def delete_model(self, request, obj):
        record_delete(record=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        # The bulk action too: its flags are cleared and its roll-ups follow, as for one record.
        for record in queryset:
            record_delete(record=record, user=request.user)
