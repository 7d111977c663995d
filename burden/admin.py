"""Django admin for units, memberships and people, scoped like every other page.

Superusers manage everything. A person with an *admin* membership manages the units and
memberships of that unit's subtree, and nothing above it, and the people whose every seat
lies in it (``Scope.manages_person``): every queryset, every choice in a form and every
object permission goes through the scoping gate, and every save, delete, bulk delete and
history revert through the services, which check again.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from . import scoping
from .concurrency import VersionCheckedForm, VersionedAdmin, version_field
from .models import CostParameters, Membership, TaskFailure, Unit, User
from .scoping import people_managed_by, scope_for
from .services import (
    cost_parameters_update,
    membership_delete,
    membership_save,
    unit_delete,
    unit_save,
    user_delete,
    user_save,
)


def is_unit_admin(request, obj=None) -> bool:
    scope = scope_for(request.user)
    if scope.everything:
        return True
    if obj is None:
        return scope.is_admin_somewhere
    unit = obj if isinstance(obj, Unit) else obj.unit
    return scope.has_role_at(unit, scoping.ADMIN)


class ScopedAdminMixin:
    """Object permissions and form choices limited to the units the viewer administers."""

    def has_module_permission(self, request):
        return is_unit_admin(request)

    def has_view_permission(self, request, obj=None):
        return is_unit_admin(request, obj)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return is_unit_admin(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_unit_admin(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Unit:
            kwargs["queryset"] = Unit.objects.for_user(request.user, min_role=scoping.ADMIN)
        elif db_field.related_model is User:
            kwargs["queryset"] = people_managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CurrentObjectHistoryMixin:
    """History pages of an object the viewer may reach as it stands now, not as it once was.

    simple_history checks its pages against an old version (a unit where it used to
    sit, a seat as it once was), so an object that has since left the viewer's reach
    is a 404 here. A revert saves through ``save_model``, and so through the service.
    """

    def _out_of_reach(self, request, object_id) -> bool:
        pk = unquote(object_id)
        try:
            stored = self.model._default_manager.filter(pk=pk)
            return stored.exists() and not self.get_queryset(request).filter(pk=pk).exists()
        except (ValueError, TypeError, ValidationError):
            return True

    def history_view(self, request, object_id, extra_context=None):
        if self._out_of_reach(request, object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self._out_of_reach(request, object_id):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class MembershipInline(ScopedAdminMixin, admin.TabularInline):
    """Memberships under a unit or a person: only the seats the viewer may change are shown."""

    model = Membership
    extra = 0
    autocomplete_fields = ["user", "unit"]

    def get_queryset(self, request):
        return membership_rows_for(request.user, super().get_queryset(request))

    # On a person's page ``obj`` is the person, not a unit: the rows are scoped instead.
    def has_view_permission(self, request, obj=None):
        return is_unit_admin(request, obj if isinstance(obj, Unit) else None)

    has_change_permission = has_delete_permission = has_view_permission

    def has_add_permission(self, request, obj=None):
        return is_unit_admin(request)


def membership_rows_for(user, memberships):
    """The seats ``user`` may see and change: in their admin subtrees, of people they manage."""
    return memberships.for_user(user, min_role=scoping.ADMIN).filter(user__in=people_managed_by(user))


class MembershipsThroughServices:
    """Inline memberships are granted, changed and taken away through the services, as everywhere."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        changed = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership_delete(membership=membership, user=request.user)
        for membership in changed:
            membership_save(membership=membership, user=request.user)


class UnitAdminForm(VersionCheckedForm, forms.ModelForm):
    version = version_field()  # a save from a page someone else's save overtook is refused

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            # A history row carries the path it had then; a move is checked against the tree as it stands.
            current = Unit.objects.filter(pk=self.instance.pk).values_list("path", "depth").first()
            if current is not None:
                self.instance.path, self.instance.depth = current
        return cleaned


class UnitAdmin(
    VersionedAdmin, MembershipsThroughServices, CurrentObjectHistoryMixin, ScopedAdminMixin, SimpleHistoryAdmin
):
    """Units of the viewer's admin subtrees; creating, moving and deleting go through the unit services."""

    form = UnitAdminForm
    list_display = ["code", "name", "name_en", "level", "parent", "headcount", "is_grassroots"]
    list_filter = ["level", "is_grassroots"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    readonly_fields = ["tree_path"]
    inlines = [MembershipInline]

    # The model field has no verbose name (adding one is a migration), so Django would label it
    # "Path" in every language.
    @admin.display(description=gettext_lazy("Path in the unit tree"))
    def tree_path(self, obj):
        return obj.path

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, min_role=scoping.ADMIN)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not scope_for(request.user).may_move(obj):
            fields.append("parent")  # the top of an admin's subtree stays where it is
        return fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "parent" in form.base_fields:
            # Only a superuser may create a new root; everyone else builds under their units.
            form.base_fields["parent"].required = True
        return form

    def save_model(self, request, obj, form, change):
        unit_save(unit=obj, user=request.user)

    def delete_model(self, request, obj):
        unit_delete(unit=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for unit in queryset.order_by("-depth"):
            unit_delete(unit=unit, user=request.user)


class MembershipAdmin(CurrentObjectHistoryMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Seats in the viewer's admin subtrees of people they manage; every write goes through the services."""

    list_display = ["user", "unit", "role", "created_at"]
    list_filter = ["role", "unit__level"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__code", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]

    def get_queryset(self, request):
        return membership_rows_for(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return is_unit_admin(request)
        return scope_for(request.user).manages_membership(obj)

    has_change_permission = has_delete_permission = has_view_permission

    def save_model(self, request, obj, form, change):
        membership_save(membership=obj, user=request.user)

    def delete_model(self, request, obj):
        membership_delete(membership=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for membership in queryset:
            membership_delete(membership=membership, user=request.user)


class PersonChangeForm(VersionCheckedForm, UserChangeForm):
    version = version_field()  # a save from a page someone else's save overtook is refused


class UserAdmin(VersionedAdmin, MembershipsThroughServices, DjangoUserAdmin):
    """People who sign in, with their units and roles inline.

    A unit admin reaches only the people they manage (``people_managed_by``): others
    are not listed and their pages, the password page among them, are not found.
    Every page of a person asks ``Scope.manages_person``; saving, deleting (one or in
    bulk) and the inline seats go through the services.
    """

    form = PersonChangeForm
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_superuser"]
    readonly_fields = ["created_by"]
    # Django's sections (and their translations), with who created the person beside the dates.
    fieldsets = [
        *DjangoUserAdmin.fieldsets[:-1],
        (DjangoUserAdmin.fieldsets[-1][0], {"fields": [*DjangoUserAdmin.fieldsets[-1][1]["fields"], "created_by"]}),
    ]

    def get_queryset(self, request):
        return people_managed_by(request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # A unit admin manages people, never their system-wide powers.
        hidden = {"is_staff", "is_superuser", "groups", "user_permissions"}
        return [
            (title, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]}) for title, opts in fieldsets
        ]

    def has_module_permission(self, request):
        return is_unit_admin(request)

    has_add_permission = has_module_permission

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return is_unit_admin(request)
        return scope_for(request.user).manages_person(obj)

    has_change_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.pk == request.user.pk:
            return False
        return self.has_view_permission(request, obj)

    def save_model(self, request, obj, form, change):
        user_save(person=obj, password=None, user=request.user)

    def delete_model(self, request, obj):
        user_delete(person=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for person in queryset:
            user_delete(person=person, user=request.user)


admin.site.register(Unit, UnitAdmin)
admin.site.register(Membership, MembershipAdmin)
admin.site.register(User, UserAdmin)


@admin.register(CostParameters)
class CostParametersAdmin(SimpleHistoryAdmin):
    """The tariffs and defaults of the burden hours; saving recomputes the stored hours."""

    readonly_fields = ["updated_at"]

    def has_module_permission(self, request):
        return scope_for(request.user).sets_city_settings

    def has_view_permission(self, request, obj=None):
        return scope_for(request.user).sets_city_settings

    def has_change_permission(self, request, obj=None):
        return scope_for(request.user).sets_city_settings

    def has_add_permission(self, request):
        return scope_for(request.user).sets_city_settings and not CostParameters.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changed = cost_parameters_update(params=obj, user=request.user)
        total = sum(changed.values())
        self.message_user(
            request, _("Saved. The burden hours of %(count)s records were recomputed.") % {"count": total}
        )


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin):
    """Background tasks that failed after their retries; an admin marks them dealt with."""

    list_display = ["task", "failed_at", "resolved", "error"]
    list_filter = ["resolved", "task"]
    readonly_fields = ["task", "arguments", "error", "failed_at"]

    def has_module_permission(self, request):
        return scope_for(request.user).sets_city_settings

    def has_view_permission(self, request, obj=None):
        return scope_for(request.user).sets_city_settings

    def has_change_permission(self, request, obj=None):
        return scope_for(request.user).sets_city_settings

    def has_add_permission(self, request):
        return False
