from django.contrib import admin

from burden.admin import ScopedAdminMixin, is_unit_admin
from burden.record_admin import RecordAdmin, register
from burden.services import record_save

from .models import Extension, Secondment


class ExtensionInline(ScopedAdminMixin, admin.TabularInline):
    model = Extension
    extra = 0
    fields = ["new_end_date", "approved_by", "approved_on", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]

    # ``obj`` is the secondment: whoever administers its unit manages its extensions.
    def has_add_permission(self, request, obj=None):
        return is_unit_admin(request, obj)


@register(Secondment)
class SecondmentAdmin(RecordAdmin):
    list_display = [
        "person_name",
        "host_name",
        "arrangement",
        "unit",
        "source_unit",
        "start_date",
        "planned_end_date",
        "returned_on",
    ]
    list_filter = ["arrangement", "specially_approved", "start_date", "returned_on"]
    search_fields = ["person_name", "host_name", "notes", "external_id", "unit__code", "unit__name"]
    inlines = [ExtensionInline]

    def save_formset(self, request, form, formset, change):
        for extension in formset.save(commit=False):
            if extension.pk is None:
                extension.created_by = request.user
            extension.save()
        for extension in formset.deleted_objects:
            extension.delete()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            # The inline moved the end after save_model stored the hours: store them again.
            record_save(record=form.instance, user=request.user)
