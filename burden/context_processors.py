"""Template context shared by every page."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .scoping import scope_for


def navigation(request):
    """The viewer's highest role and the record kinds, for the navigation.

    Read lazily, so pages that do not show the navigation pay nothing.
    """
    user = getattr(request, "user", None)
    return {
        "nav_role": SimpleLazyObject(lambda: scope_for(user).primary_role or ""),
        "nav_records": _record_nav,
    }


def _record_nav():
    from .record_views import record_configs

    return [
        {
            "app": config.app_label,
            "url": reverse(config.url_name("list")),
            "label": config.model._meta.verbose_name_plural,
            "icon": config.icon,
        }
        for config in record_configs()
    ]
