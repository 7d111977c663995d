"""The one scoping gate: which units a person may see and act on.

Every queryset a person or token can reach starts from ``Model.objects.for_user(user)``
(``ScopedQuerySet``); nothing is filtered by hand in a view. A superuser sees
everything; a supervisor or admin membership opens the unit's whole subtree; a staff
membership opens that one unit. The memberships are read once per user object and
cached on it, so a page pays one query for them however many querysets it scopes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

STAFF, SUPERVISOR, ADMIN = "staff", "supervisor", "admin"
ROLE_RANK = {STAFF: 1, SUPERVISOR: 2, ADMIN: 3}


@dataclass(frozen=True)
class Grant:
    """One membership, reduced to what scoping needs."""

    unit_id: int
    path: str
    role: str

    @property
    def covers_subtree(self) -> bool:
        return self.role != STAFF

    def covers(self, unit) -> bool:
        if self.covers_subtree:
            return unit.path.startswith(self.path)
        return unit.pk == self.unit_id


@dataclass(frozen=True)
class Scope:
    """What one person may reach; build it with :func:`scope_for`."""

    everything: bool = False
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.grants

    @property
    def primary_role(self) -> str | None:
        """The highest role the person holds anywhere (superusers are admins)."""
        if self.everything:
            return ADMIN
        return max((g.role for g in self.grants), key=ROLE_RANK.__getitem__, default=None)

    def role_at(self, unit) -> str | None:
        """The highest role the person holds over ``unit`` (directly or from above)."""
        if self.everything:
            return ADMIN
        roles = [g.role for g in self.grants if g.covers(unit)]
        return max(roles, key=ROLE_RANK.__getitem__, default=None)

    def has_role_at(self, unit, min_role: str) -> bool:
        role = self.role_at(unit)
        return role is not None and ROLE_RANK[role] >= ROLE_RANK[min_role]

    def q(self, unit_field: str = "", min_role: str = STAFF) -> Q:
        """A filter on ``unit_field`` (``""`` for the Unit model itself) matching the reachable units."""
        if self.everything:
            return Q()
        prefix = f"{unit_field}__" if unit_field else ""
        wanted = [g for g in self.grants if ROLE_RANK[g.role] >= ROLE_RANK[min_role]]
        paths = _outermost(sorted(g.path for g in wanted if g.covers_subtree))
        ids = sorted({g.unit_id for g in wanted if not g.covers_subtree and not _under(g.path, paths)})
        query = Q(**{f"{prefix}pk__in": []})  # matches nothing; Django skips the query
        if ids:
            query = Q(**{f"{prefix}pk__in": ids})
        for path in paths:
            query |= Q(**{f"{prefix}path__startswith": path})
        return query


def _under(path: str, prefixes: list[str]) -> bool:
    return any(path.startswith(p) for p in prefixes)


def _outermost(paths: list[str]) -> list[str]:
    """Drop the paths that lie inside another one (sorted input keeps parents first)."""
    kept: list[str] = []
    for path in paths:
        if not _under(path, kept):
            kept.append(path)
    return kept


def scope_for(user) -> Scope:
    """The user's scope, read once and cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_burden_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(everything=True)
    else:
        rows = user.memberships.values_list("unit_id", "unit__path", "role")
        scope = Scope(grants=tuple(Grant(unit_id, path, role) for unit_id, path, role in rows))
    user._burden_scope = scope
    return scope


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows which field holds its unit (``""`` means the row *is* a unit)."""

    unit_field = "unit"

    def for_user(self, user, min_role: str = STAFF):
        """Rows in the units ``user`` may reach with at least ``min_role``; none for strangers."""
        scope = scope_for(user)
        if scope.is_empty:
            return self.none()
        return self.filter(scope.q(self.unit_field, min_role))
