from burden.record_admin import RecordAdmin, register

from .models import WorkApp


@register(WorkApp)
class WorkAppAdmin(RecordAdmin):
    list_display = [
        "name",
        "app_kind",
        "unit",
        "source_unit",
        "start_date",
        "end_date",
        "people_required",
        "burden_hours",
    ]
    list_filter = ["app_kind", "security_or_emergency", "start_date"]
    search_fields = ["name", "matter", "notes", "external_id", "unit__code", "unit__name"]
