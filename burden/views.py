"""Core pages: home, units, health."""

import redis
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.db.models import Count
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from . import scoping
from .filters import UnitFilterSet
from .models import Membership, TaskFailure, Unit, User
from .records.registry import kinds
from .scoping import scope_for


class HomeView(LoginRequiredMixin, TemplateView):
    """Tells each role what to do next, with the units that role reaches."""

    template_name = "burden/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = scope_for(user)
        role = scope.primary_role
        context["role"] = role
        context["memberships"] = user.memberships.select_related("unit").order_by("unit__path")
        if role in (scoping.SUPERVISOR, scoping.ADMIN):
            counts = dict(
                Unit.objects.for_user(user, min_role=scoping.SUPERVISOR)
                .order_by()  # the default ordering would split the groups
                .values("level")
                .annotate(n=Count("pk"))
                .values_list("level", "n")
            )
            context["unit_counts"] = [(label, counts[value]) for value, label in Unit.Level.choices if value in counts]
            context["units_total"] = sum(counts.values())
        if role == scoping.STAFF:
            context["recent_records"] = recent_records(user)
        if role == scoping.ADMIN:
            context["failed_tasks"] = TaskFailure.objects.filter(resolved=False).count()
            context["people_total"] = User.objects.filter(is_active=True).count()
            context["people_without_unit"] = User.objects.filter(is_active=True, memberships__isnull=True).count()
        return context


def recent_records(user, limit: int = 5) -> list:
    """The last ``limit`` records logged in the user's units, newest first, of every kind with pages.

    One query per kind, however many records there are; each record carries its kind as ``kind``.
    """
    found = []
    for kind in kinds():
        if not kind.pages:
            continue
        for record in kind.model.objects.for_user(user).select_related("unit").order_by("-created_at")[:limit]:
            record.kind = kind
            found.append(record)
    found.sort(key=lambda record: record.created_at, reverse=True)
    return found[:limit]


class QueryStringMixin:
    """Puts the current filters (without the page number) in ``query_string`` for pagination links."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["query_string"] = params.urlencode()
        return context


def ordering_from(sort: str, fields, default, *, tiebreak: str = "pk") -> list[str]:
    """The ordering a list's ``?sort=`` asks for: a name of ``fields`` (``-`` for descending), then ``tiebreak``.

    ``fields`` maps the names a page offers to what they sort by (a list: each name
    sorts by itself). Anything else, a tampered or stale link included, gives ``default``.
    """
    fields = fields if isinstance(fields, dict) else {name: name for name in fields}
    descending = sort.startswith("-")
    field = fields.get(sort.removeprefix("-"))
    if field is None:
        return list(default)
    return [f"-{field}" if descending else field, f"-{tiebreak}" if descending else tiebreak]


class UnitListView(LoginRequiredMixin, QueryStringMixin, FilterView):
    """Every unit the viewer may see, filterable and paginated."""

    filterset_class = UnitFilterSet
    template_name = "burden/unit_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Unit.objects.for_user(self.request.user).select_related("parent")


class UnitDetailView(LoginRequiredMixin, DetailView):
    """One unit: where it sits, what is below it and, for its supervisors, who belongs to it."""

    template_name = "burden/unit_detail.html"
    slug_field = "code"
    slug_url_kwarg = "code"
    context_object_name = "unit"
    children_shown = 100

    def get_queryset(self):
        return Unit.objects.for_user(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        user = self.request.user
        scope = scope_for(user)
        ancestors = Unit.objects.filter(code__in=unit.ancestor_codes).order_by("depth")
        context["ancestors"] = [(a, scope.role_at(a) is not None) for a in ancestors]
        children = unit.children.for_user(user).order_by("path")
        context["children"] = children[: self.children_shown]
        context["children_total"] = children.count()
        context["viewer_role"] = scope.role_at(unit)
        if scope.has_role_at(unit, scoping.SUPERVISOR):
            context["members"] = Membership.objects.filter(unit=unit).select_related("user").order_by("role")
        return context


@never_cache
def health(request):
    """Readiness: database and broker status as JSON, 503 when either is down (no login).

    ``/health/ready/`` and ``/health/`` answer the same, for a load balancer deciding whether
    to send this process traffic and for the monitoring that polled ``/health/`` before.
    The broker is checked only when one is configured (``REDIS_URL``). A Redis outage makes
    a process "not ready" although it still serves sign-ins and saves (burden/queueing.py):
    a balancer with every process not ready should keep sending to all of them.
    """
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(state in ("ok", "eager") for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@never_cache
def health_live(request):
    """Liveness: the process answers requests. No database, no broker: restarting the web
    process would not bring either back, so neither may fail this check."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "error"
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"  # no broker configured: tasks run in the web process
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError:
        return "error"
    return "ok"
