"""Template context shared by every page."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .records.registry import kinds
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
    # The icon is part of the kind's pages config, the one thing here the registry only names.
    return [
        {
            "app": kind.app_label,
            "url": reverse(kind.url_name("list")),
            "label": kind.label_plural,
            "icon": kind.page_config.icon,
        }
        for kind in kinds()
        if kind.pages
    ]
