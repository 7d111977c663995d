"""The review pages: the queue (with bulk actions), a flag's page, notifications, preferences, deadlines.

Supervisors and admins act on the flags of every unit below them; staff see their own
units' flags read-only and explain them. Every queryset starts at the scoping gate: a
flag outside one's units is a 404 like one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django_filters.views import FilterView

from .. import scoping
from ..models import Unit, Violation
from ..scoping import scope_for
from ..views import QueryStringMixin
from .filters import ViolationFilterSet
from .forms import BulkTransitionForm, CommentForm, DeadlinesForm, PreferencesForm, TransitionForm, add_service_error
from .models import NotificationPreference, ReviewDeadlines
from .selectors import decorate, notification_sections, overdue_q, review_queue, watch_for
from .services import (
    ALLOWED_MOVES,
    can_set_deadlines,
    notifications_mark_seen,
    review_deadlines_update,
    violation_comment,
    violation_transition,
    violations_transition,
)


def reviews_anything(user) -> bool:
    """Whether ``user`` is a supervisor or admin anywhere (or a superuser)."""
    scope = scope_for(user)
    return scope.everything or any(
        scoping.ROLE_RANK[g.role] >= scoping.ROLE_RANK[scoping.SUPERVISOR] for g in scope.grants
    )


class ViolationListView(LoginRequiredMixin, QueryStringMixin, FilterView):
    """The queue: every flag of the viewer's units, filtered, sorted, paginated; bulk actions for reviewers."""

    template_name = "review/list.html"
    filterset_class = ViolationFilterSet
    paginate_by = 25
    sort_fields = {
        "occurred_on": "occurred_on",
        "first_seen": "first_seen",
        "last_seen": "last_seen",
        "severity": "severity_rank",
        "rule": "rule",
        "status": "status",
        "unit": "unit__path",
    }
    default_ordering = ["-is_overdue", "first_seen", "pk"]
    bulk_form = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_for(request.user).is_empty:
            raise PermissionDenied(_("You do not belong to any unit yet."))
        self.deadlines = ReviewDeadlines.current()
        self.today = timezone.localdate()
        return super().dispatch(request, *args, **kwargs)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "deadlines": self.deadlines, "today": self.today}

    def get_ordering(self):
        sort = self.request.GET.get("sort", "")
        field = self.sort_fields.get(sort.lstrip("-"))
        if field is None:
            return self.default_ordering
        return [f"-{field}" if sort.startswith("-") else field, "pk"]

    def get_queryset(self):
        return review_queue(self.request.user, deadlines=self.deadlines, today=self.today).order_by(
            *self.get_ordering()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = scope_for(user)
        context["rows"] = decorate(list(context["object_list"]), self.deadlines)
        for violation in context["rows"]:
            violation.can_review = scope.has_role_at(violation.unit, scoping.SUPERVISOR)
        context["overdue_total"] = self.object_list.order_by().aggregate(
            n=Count("pk", filter=overdue_q(self.deadlines, self.today))
        )["n"]
        context["sort"] = self.request.GET.get("sort", "")
        params = self.request.GET.copy()
        params.pop("sort", None)
        params.pop("page", None)
        context["sort_query"] = params.urlencode()
        context["can_review"] = reviews_anything(user)
        if context["can_review"]:
            context["bulk_form"] = self.bulk_form or BulkTransitionForm(user=user)
            context["selected"] = set(self.request.POST.getlist("violations"))
        context["can_set_deadlines"] = can_set_deadlines(user)
        units = Unit.objects.for_user(user).order_by("path").values_list("code", "name", "name_en")
        context["unit_options"] = units[:500]
        context["source_unit_options"] = Unit.objects.order_by("path").values_list("code", "name", "name_en")[:500]
        return context

    def post(self, request, *args, **kwargs):
        """The bulk action: every selected flag moves, or none does and the page says why."""
        if not reviews_anything(request.user):
            raise PermissionDenied(_("Only supervisors and admins can change a flag's status."))
        form = BulkTransitionForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                events = violations_transition(
                    violations=data["violations"],
                    user=request.user,
                    status=data["status"],
                    note=data["note"],
                    expires_on=data["expires_on"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
            else:
                count = len(events)
                messages.success(
                    request, ngettext("%(count)s flag updated.", "%(count)s flags updated.", count) % {"count": count}
                )
                return HttpResponseRedirect(request.get_full_path())
        self.bulk_form = form
        response = self.get(request, *args, **kwargs)
        response.status_code = 400
        return response


class ViolationDetailView(LoginRequiredMixin, View):
    """One flag: what it says, its record, its deadline, its timeline; the forms the viewer may use."""

    def get_violation(self, request, pk) -> Violation:
        deadlines = ReviewDeadlines.current()
        queryset = review_queue(request.user, deadlines=deadlines, today=timezone.localdate())
        violation = get_object_or_404(queryset, pk=pk)
        decorate([violation], deadlines)
        return violation

    def render(self, request, violation, *, transition_form=None, comment_form=None, status=200):
        can_review = scope_for(request.user).has_role_at(violation.unit, scoping.SUPERVISOR)
        if can_review and transition_form is None and ALLOWED_MOVES.get(violation.status):
            transition_form = TransitionForm(violation=violation)
        labels = dict(Violation.Status.choices)
        events = list(violation.events.select_related("actor"))
        for event in events:
            event.from_label, event.to_label = labels.get(event.from_status, ""), labels.get(event.to_status, "")
        context = {
            "violation": violation,
            "events": events,
            "can_review": can_review,
            "transition_form": transition_form if can_review else None,
            "comment_form": comment_form or CommentForm(),
        }
        return TemplateResponse(request, "review/detail.html", context, status=status)

    def get(self, request, pk):
        return self.render(request, self.get_violation(request, pk))

    def post(self, request, pk):
        violation = self.get_violation(request, pk)
        if request.POST.get("action") == "comment":
            form = CommentForm(request.POST)
            if form.is_valid():
                try:
                    violation_comment(violation=violation, user=request.user, note=form.cleaned_data["note"])
                except ValidationError as error:
                    add_service_error(form, error)
                else:
                    messages.success(request, _("Your explanation was added."))
                    return HttpResponseRedirect(reverse("review:violation_detail", args=[violation.pk]))
            return self.render(request, violation, comment_form=form, status=400)
        if not scope_for(request.user).has_role_at(violation.unit, scoping.SUPERVISOR):
            raise PermissionDenied(_("Only supervisors and admins of the flag's unit can change its status."))
        form = TransitionForm(request.POST, violation=violation)
        if form.is_valid():
            data = form.cleaned_data
            try:
                violation_transition(
                    violation=violation,
                    user=request.user,
                    status=data["status"],
                    note=data["note"],
                    expires_on=data["expires_on"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The flag is now %(status)s.") % {"status": violation.get_status_display()})
                return HttpResponseRedirect(reverse("review:violation_detail", args=[violation.pk]))
        return self.render(request, violation, transition_form=form, status=400)


class NotificationListView(LoginRequiredMixin, View):
    """What is news about the viewer's flags, by category; "mark as seen" quiets the bell."""

    def get(self, request):
        sections = notification_sections(watch_for(request.user))
        return TemplateResponse(request, "review/notifications.html", {"sections": sections})

    def post(self, request):
        notifications_mark_seen(user=request.user)
        messages.success(request, _("Marked as seen."))
        return HttpResponseRedirect(reverse("review:notification_list"))


class NotificationPreferencesView(LoginRequiredMixin, View):
    """Which notifications the viewer wants, the daily e-mail and its language."""

    def form(self, request, data=None):
        instance = NotificationPreference.objects.filter(user=request.user).first()
        if instance is None:
            instance = NotificationPreference(user=request.user, language=request.LANGUAGE_CODE)
        return PreferencesForm(data, instance=instance)

    def get(self, request):
        return TemplateResponse(request, "review/preferences.html", {"form": self.form(request)})

    def post(self, request):
        form = self.form(request, request.POST)
        if not form.is_valid():
            return TemplateResponse(request, "review/preferences.html", {"form": form}, status=400)
        form.save()
        messages.success(request, _("Your notification preferences were saved."))
        return HttpResponseRedirect(reverse("review:notification_list"))


class DeadlineSettingsView(LoginRequiredMixin, View):
    """Days to resolve a flag of each severity, for city-wide admins; every change audited."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_set_deadlines(request.user):
            raise PermissionDenied(_("Only city-wide administrators can change the review deadlines."))
        return super().dispatch(request, *args, **kwargs)

    def render(self, request, form, status=200):
        history = ReviewDeadlines.history.select_related("history_user").order_by("-history_date")[:20]
        return TemplateResponse(request, "review/deadlines.html", {"form": form, "history": history}, status=status)

    def get(self, request):
        return self.render(request, DeadlinesForm(instance=ReviewDeadlines.current()))

    def post(self, request):
        form = DeadlinesForm(request.POST, instance=ReviewDeadlines.current())
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = review_deadlines_update(
                    user=request.user,
                    days_low=data["days_low"],
                    days_medium=data["days_medium"],
                    days_high=data["days_high"],
                    reason=data["reason"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if row is None:
                    messages.info(request, _("Nothing changed."))
                else:
                    messages.success(request, _("Saved. Every flag's deadline follows the new days at once."))
                return HttpResponseRedirect(reverse("review:deadline_settings"))
        return self.render(request, form, status=400)
