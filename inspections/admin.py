from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from burden import scoping
from burden.admin import CurrentObjectHistoryMixin, ScopedAdminMixin, is_unit_admin
from burden.record_admin import RecordAdmin, register

from .models import Inspection, InspectionPlan


@register(Inspection)
class InspectionAdmin(RecordAdmin):
    list_display = ["title", "date", "unit", "source_unit", "purpose", "plan", "emergency", "burden_hours"]
    list_filter = [
        "purpose",
        "unannounced",
        "emergency",
        "comprehensive",
        "principal_required",
        "data_already_held",
        "date",
    ]
    list_select_related = [*RecordAdmin.list_select_related, "plan__inspecting_unit"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plan":
            # Plans are public and few: every one is offered, whoever the inspecting unit.
            kwargs["queryset"] = InspectionPlan.objects.select_related("inspecting_unit")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(InspectionPlan)
class InspectionPlanAdmin(CurrentObjectHistoryMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Plans of the inspecting units the viewer administers."""

    list_display = ["inspecting_unit", "year", "approved_on", "quota"]
    list_filter = ["year"]
    search_fields = ["inspecting_unit__code", "inspecting_unit__name", "year"]
    autocomplete_fields = ["inspecting_unit"]
    list_select_related = ["inspecting_unit"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, min_role=scoping.ADMIN)

    # A plan's unit is its inspecting unit; ScopedAdminMixin would look for ``obj.unit``.
    def has_view_permission(self, request, obj=None):
        return is_unit_admin(request, obj.inspecting_unit if obj else None)

    has_change_permission = has_delete_permission = has_view_permission
