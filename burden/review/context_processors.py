"""The notification bell's count, for the navigation of every page."""

from django.utils.functional import SimpleLazyObject

from .selectors import bell_count, watch_for


def review_bell(request):
    """How many cases are news to the viewer since they last looked; read lazily, only if the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"review_bell": SimpleLazyObject(lambda: bell_count(watch_for(user)))}
