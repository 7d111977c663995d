"""The Django admin base for record models: scoped, and writing through the services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import scoping
from .admin import ScopedAdminMixin
from .services import record_delete, record_save

register = admin.register


class RecordAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
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
