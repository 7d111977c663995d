"""The one scoping gate: which units a person may see and act on.

Every queryset a person or token can reach starts from ``Model.objects.for_user(user)``
(``ScopedQuerySet``); nothing is filtered by hand in a view. A superuser sees
everything; a supervisor or admin membership opens the unit's whole subtree; a staff
membership opens that one unit. The memberships are read once per user object and
cached on it, so a page pays one query for them however many querysets it scopes.

People are managed by one rule, :meth:`Scope.manages_person` for one person and
:func:`people_managed_by` for a queryset of them: an admin manages a person only when
*every* seat the person holds lies inside the admin's own admin subtrees, so a seat in
one's street never opens an account that also holds power above or beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Exists, OuterRef, Q

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

    @property
    def depth(self) -> int:
        """The seat's unit's depth in the tree (0 for a top-level unit), as ``Unit.depth`` counts it."""
        return self.path.count("/") - 2  # paths are "/CODE/…/", as Unit.build_path writes them

    def covers(self, unit) -> bool:
        if self.covers_subtree:
            return unit.path.startswith(self.path)
        return unit.pk == self.unit_id


@dataclass(frozen=True)
class Scope:
    """What one person may reach; build it with :func:`scope_for`."""

    everything: bool = False
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    # Whose scope this is: a person with no seat yet is managed by the admin who created them.
    user_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.grants

    @property
    def admin_paths(self) -> list[str]:
        """The outermost subtrees this person administers (an admin seat always covers its subtree)."""
        return _outermost(sorted(g.path for g in self.grants if g.role == ADMIN))

    def administers(self, path: str) -> bool:
        """Whether the unit at ``path`` lies in one of this person's admin subtrees."""
        return self.everything or _under(path, self.admin_paths)

    def manages_person(self, person) -> bool:
        """Whether this admin may change, deactivate, delete, reset the password of or list the seats of ``person``.

        ``person`` is read as stored: their seats come from the database (one query).
        Superusers manage everyone; people with system-wide powers (superuser or staff
        status) only superusers manage. Anyone else is managed where every seat they hold
        lies inside this admin's own admin subtrees, and a person with no seat by the
        admin who created them. :func:`people_managed_by` is the same rule as a queryset.
        """
        if self.everything:
            return True
        if person.is_superuser or person.is_staff or not self.admin_paths:
            return False
        seats = list(person.memberships.values_list("unit__path", flat=True)) if person.pk else []
        if not seats:
            return self.user_id is not None and person.created_by_id == self.user_id
        return all(self.administers(path) for path in seats)

    def may_grant(self, unit, role: str) -> bool:
        """Whether this person may give someone ``role`` at ``unit``: as admin there, never above their own role."""
        own = self.role_at(unit)
        return self.administers(unit.path) and own is not None and ROLE_RANK[role] <= ROLE_RANK[own]

    def may_move(self, unit) -> bool:
        """Whether this person may move ``unit`` (as stored): they administer the parent it would leave.

        The top of an admin's subtree therefore stays put, and only superusers move a
        root. Where it goes must be theirs too (``administers(new_parent.path)``).
        """
        if self.everything:
            return True
        return unit.parent_id is not None and self.administers(unit.parent.path)

    def manages_membership(self, membership) -> bool:
        """Whether this person may change or remove ``membership`` (as stored): its seat and its person are theirs."""
        return self.may_grant(membership.unit, membership.role) and self.manages_person(membership.user)

    @property
    def primary_role(self) -> str | None:
        """The highest role the person holds anywhere (superusers are admins)."""
        if self.everything:
            return ADMIN
        return max((g.role for g in self.grants), key=ROLE_RANK.__getitem__, default=None)

    @property
    def is_admin_somewhere(self) -> bool:
        """An admin of some unit (superusers are)."""
        return self.everything or any(g.role == ADMIN for g in self.grants)

    @property
    def reviews_somewhere(self) -> bool:
        """A supervisor or an admin of some unit (superusers are): the review queue's people."""
        return self.everything or any(ROLE_RANK[g.role] >= ROLE_RANK[SUPERVISOR] for g in self.grants)

    @property
    def sets_city_settings(self) -> bool:
        """Whether the person sets what holds city-wide: cost parameters, rule thresholds, review
        deadlines, the case policy. Superusers and the admins of a top-level unit."""
        return self.everything or any(g.role == ADMIN and g.depth == 0 for g in self.grants)

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
        scope = Scope(everything=True, user_id=user.pk)
    else:
        rows = user.memberships.values_list("unit_id", "unit__path", "role")
        grants = tuple(Grant(unit_id, path, role) for unit_id, path, role in rows)
        scope = Scope(grants=grants, user_id=user.pk)
    user._burden_scope = scope
    return scope


def people_managed_by(user):
    """The people ``user`` manages, by the rule of :meth:`Scope.manages_person`, as one query.

    A person is left out as soon as one of their seats lies outside the caller's admin
    subtrees (a ``NOT EXISTS`` subquery), so the list never shows, and no lookup ever
    finds, an account that holds power elsewhere.
    """
    from django.contrib.auth import get_user_model

    from .models import Membership

    people = get_user_model().objects
    scope = scope_for(user)
    if scope.everything:
        return people.all()
    if not scope.admin_paths:
        return people.none()
    seats = Membership.objects.filter(user=OuterRef("pk"))
    seat_elsewhere = seats.exclude(scope.q("unit", min_role=ADMIN))
    created_here = Q(created_by_id=scope.user_id) if scope.user_id else Q(pk__in=[])
    return people.filter(is_superuser=False, is_staff=False).filter(
        ~Exists(seat_elsewhere), Exists(seats) | created_here
    )


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows which field holds its unit (``""`` means the row *is* a unit)."""

    unit_field = "unit"

    def for_user(self, user, min_role: str = STAFF):
        """Rows in the units ``user`` may reach with at least ``min_role``; none for strangers."""
        scope = scope_for(user)
        if scope.is_empty:
            return self.none()
        return self.filter(scope.q(self.unit_field, min_role))
