"""The admin site class; apart from ``admin.py`` so that Django can import it while loading apps."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import login_guard
from .forms import GuardedSignInMixin
from .scoping import scope_for


def may_use_admin(user) -> bool:
    """Superusers, staff users and holders of an admin membership."""
    return user.is_active and (user.is_staff or scope_for(user).is_admin_somewhere)


class AdminLoginForm(GuardedSignInMixin, AdminAuthenticationForm):
    """The admin's sign-in, behind the same pause after failures as the sign-in page and the API."""

    door = login_guard.Door.ADMIN

    def confirm_login_allowed(self, user):
        # Whoever the site lets in may sign in here (the stock form wants is_staff only).
        AuthenticationForm.confirm_login_allowed(self, user)
        if not may_use_admin(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class BurdenAdminSite(admin.AdminSite):
    """The admin site, open to superusers, staff users and holders of an admin membership."""

    site_header = _("Grassroots Burden Tracker administration")
    site_title = _("Grassroots Burden Tracker")
    index_title = _("Administration")
    login_form = AdminLoginForm

    def has_permission(self, request):
        return may_use_admin(request.user)
