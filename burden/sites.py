"""The admin site class; apart from ``admin.py`` so that Django can import it while loading apps."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import scoping
from .scoping import scope_for


class BurdenAdminSite(admin.AdminSite):
    """The admin site, open to superusers, staff users and holders of an admin membership."""

    site_header = _("Grassroots Burden Tracker administration")
    site_title = _("Grassroots Burden Tracker")
    index_title = _("Administration")

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_staff or scope_for(user).primary_role == scoping.ADMIN)
