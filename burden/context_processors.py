"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

from .scoping import scope_for


def navigation(request):
    """The viewer's highest role, for the navigation; read lazily so anonymous pages pay nothing."""
    user = getattr(request, "user", None)
    return {"nav_role": SimpleLazyObject(lambda: scope_for(user).primary_role or "")}
