"""Template context shared by every page."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .records.registry import kinds
from .scoping import scope_for

#: The navigation's groups, by the pages they hold: (group, app names, url names).
#: The record kinds' pages are found through the registry, not listed here.
_SECTIONS = [
    ("home", set(), {"home"}),
    ("records", set(), {"unit_list", "unit_detail"}),
    ("review", {"review"}, {"rule_list", "rule_detail", "rule_run"}),
    ("insights", {"insights"}, set()),
]
#: Pages of the review app that belong to the bell, not to the review group.
_BELL_PAGES = {"notification_list", "notification_preferences"}


def navigation(request):
    """The viewer's highest role, the record kinds and the group of the menu the page belongs to.

    Read lazily, so pages that do not show the navigation pay nothing.
    """
    user = getattr(request, "user", None)
    return {
        "nav_role": SimpleLazyObject(lambda: scope_for(user).primary_role or ""),
        "nav_records": _record_nav,
        "nav_section": SimpleLazyObject(lambda: _section(request)),
    }


def _record_nav():
    # The icon is part of the kind's pages config, the one thing here the registry only names.
    return [
        {
            "app": kind.app_label,
            "url": reverse(kind.url_name("list")),
            "create_url": reverse(kind.url_name("create")),
            "label": kind.label_plural,
            "label_singular": kind.label,
            "icon": kind.page_config.icon,
        }
        for kind in kinds()
        if kind.pages
    ]


def _section(request) -> str:
    """Which group of the menu (``home``, ``records``, ``review``, ``insights``) holds the page; "" for none."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.app_name in {kind.app_label for kind in kinds() if kind.pages}:
        return "records"
    if match.url_name in _BELL_PAGES:
        return ""
    for section, app_names, url_names in _SECTIONS:
        if match.app_name in app_names or (not match.app_name and match.url_name in url_names):
            return section
    return ""
