from burden import scoping
from burden.record_admin import RecordAdmin, register

from .models import Document


@register(Document)
class DocumentAdmin(RecordAdmin):
    list_display = ["title", "number", "received_on", "unit", "source_unit", "kind", "pages", "burden_hours"]
    list_filter = [
        "kind",
        "labelled_as",
        "special_task",
        "demands_report_back",
        "sets_veto_or_pledge",
        "substantive",
        "has_local_content",
        "received_on",
    ]
    search_fields = [*RecordAdmin.search_fields, "number", "matter"]
    autocomplete_fields = [*RecordAdmin.autocomplete_fields, "parent"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Document.objects.for_user(request.user, min_role=scoping.ADMIN)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
