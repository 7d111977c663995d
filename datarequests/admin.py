from simple_history.admin import SimpleHistoryAdmin

from burden import scoping
from burden.admin import CurrentObjectHistoryMixin, ScopedAdminMixin, is_unit_admin
from burden.record_admin import RecordAdmin, RecordAdminForm, register

from .forms import ItemsField
from .models import CatalogueItem, DataRequest
from .services import data_request_save


class DataRequestAdminForm(RecordAdminForm):
    items = ItemsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("items", self.instance.item_values())


@register(DataRequest)
class DataRequestAdmin(RecordAdmin):
    form = DataRequestAdminForm
    list_display = ["title", "date", "unit", "source_unit", "kind", "frequency", "channel", "item_count"]
    list_filter = ["kind", "frequency", "channel", "date"]
    readonly_fields = [*RecordAdmin.readonly_fields, "item_count"]

    def save_model(self, request, obj, form, change):
        data_request_save(record=obj, items=form.cleaned_data["items"], user=request.user)


@register(CatalogueItem)
class CatalogueItemAdmin(CurrentObjectHistoryMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """The approved data list; a unit admin keeps the items that units of their subtree hold."""

    list_display = ["code", "name", "owner_unit"]
    search_fields = ["code", "name", "owner_unit__code", "owner_unit__name"]
    autocomplete_fields = ["owner_unit"]
    list_select_related = ["owner_unit"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, min_role=scoping.ADMIN)

    def has_view_permission(self, request, obj=None):
        return is_unit_admin(request, obj.owner_unit if obj else None)

    has_change_permission = has_delete_permission = has_view_permission
