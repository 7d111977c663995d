"""Django admin for units, memberships and people, scoped like every other page.

Superusers manage everything. A person with an *admin* membership manages the units,
memberships and people of that unit's subtree, and nothing above it: every queryset,
every choice in a form and every object permission goes through the scoping gate.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from . import scoping
from .models import CostParameters, Membership, TaskFailure, Unit, User
from .scoping import scope_for
from .services import cost_parameters_update


def is_unit_admin(request, obj=None) -> bool:
    scope = scope_for(request.user)
    if scope.everything:
        return True
    if obj is None:
        return scope.primary_role == scoping.ADMIN
    unit = obj if isinstance(obj, Unit) else obj.unit
    return scope.has_role_at(unit, scoping.ADMIN)


def users_for(user):
    """People an admin may manage: members of their subtree, and people with no unit yet."""
    if user.is_superuser:
        return User.objects.all()
    members = Membership.objects.for_user(user, min_role=scoping.ADMIN).values("user_id")
    # Superusers stay out of reach, or a unit admin could reset their password.
    return (User.objects.filter(pk__in=members) | User.objects.filter(memberships__isnull=True)).filter(
        is_superuser=False
    )


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
            kwargs["queryset"] = users_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(ScopedAdminMixin, admin.TabularInline):
    """Memberships under a unit or a person; only those in the viewer's subtree are shown."""

    model = Membership
    extra = 0
    autocomplete_fields = ["user", "unit"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, min_role=scoping.ADMIN)

    # On a person's page ``obj`` is the person, not a unit: the rows are scoped instead.
    def has_view_permission(self, request, obj=None):
        return is_unit_admin(request, obj if isinstance(obj, Unit) else None)

    has_change_permission = has_delete_permission = has_view_permission

    def has_add_permission(self, request, obj=None):
        return is_unit_admin(request)


class UnitAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "name_en", "level", "parent", "headcount", "is_grassroots"]
    list_filter = ["level", "is_grassroots"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    readonly_fields = ["path"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, min_role=scoping.ADMIN)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser:
            # Only a superuser may create a new root; everyone else builds under their units.
            form.base_fields["parent"].required = True
        return form


class MembershipAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["user", "unit", "role", "created_at"]
    list_filter = ["role", "unit__level"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__code", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, min_role=scoping.ADMIN)


class UserAdmin(DjangoUserAdmin):
    """People who sign in, with their units and roles inline."""

    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_superuser"]

    def get_queryset(self, request):
        return users_for(request.user).distinct()

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

    def has_view_permission(self, request, obj=None):
        return is_unit_admin(request)

    has_add_permission = has_module_permission
    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission


admin.site.register(Unit, UnitAdmin)
admin.site.register(Membership, MembershipAdmin)
admin.site.register(User, UserAdmin)


@admin.register(CostParameters)
class CostParametersAdmin(SimpleHistoryAdmin):
    """The tariffs and defaults of the burden hours; saving recomputes the stored hours."""

    readonly_fields = ["updated_at"]

    def has_module_permission(self, request):
        return can_set_cost_parameters(request.user)

    def has_view_permission(self, request, obj=None):
        return can_set_cost_parameters(request.user)

    def has_change_permission(self, request, obj=None):
        return can_set_cost_parameters(request.user)

    def has_add_permission(self, request):
        return can_set_cost_parameters(request.user) and not CostParameters.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changed = cost_parameters_update(params=obj, user=request.user)
        total = sum(changed.values())
        self.message_user(
            request, _("Saved. The burden hours of %(count)s records were recomputed.") % {"count": total}
        )


def can_set_cost_parameters(user) -> bool:
    """City-wide settings: superusers and admins of a top-level unit."""
    scope = scope_for(user)
    return scope.everything or any(g.role == scoping.ADMIN and g.path.count("/") == 2 for g in scope.grants)


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin):
    """Background tasks that failed after their retries; an admin marks them dealt with."""

    list_display = ["task", "failed_at", "resolved", "error"]
    list_filter = ["resolved", "task"]
    readonly_fields = ["task", "arguments", "error", "failed_at"]

    def has_module_permission(self, request):
        return can_set_cost_parameters(request.user)

    def has_view_permission(self, request, obj=None):
        return can_set_cost_parameters(request.user)

    def has_change_permission(self, request, obj=None):
        return can_set_cost_parameters(request.user)

    def has_add_permission(self, request):
        return False
