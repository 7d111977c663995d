from burden.record_admin import RecordAdmin, register

from .models import Meeting


@register(Meeting)
class MeetingAdmin(RecordAdmin):
    list_display = ["title", "date", "unit", "source_unit", "mode", "category", "attendees", "burden_hours"]
    list_filter = ["mode", "category", "comprehensive", "called_by_deputy", "date"]
