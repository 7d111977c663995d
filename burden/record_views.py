"""The browser pages every record app shares: list, detail, create, edit, delete, estimate.

A record app declares a :class:`RecordConfig` (model, form, filters, list columns),
includes ``config.urls()`` and names the config when it registers its kind
(``Kind.pages`` in ``burden.records.registry``); it writes no view code of its own.
URL names follow ``<app>:<model>_<action>``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DeleteView, DetailView, UpdateView
from django_filters.views import FilterView

from . import scoping
from .concurrency import StaleWrite, stale_form_refresh
from .ledger import views as ledger_views
from .models import CostParameters, Unit, Violation, ViolationRecord
from .record_display import field_rows, history_rows
from .records.registry import kinds
from .scoping import scope_for
from .services import record_delete, record_restore, writable_units
from .views import QueryStringMixin, ordering_from


@dataclass
class RecordConfig:
    """What a record app declares; everything else is shared."""

    model: type
    form_class: type
    filterset_class: type
    columns: list[str]
    sort_fields: list[str] = field(default_factory=list)
    #: Template included on the detail page under the fields (a secondment's clock...).
    detail_extra_template: str | None = None
    #: Form fields whose change refreshes the live burden estimate.
    estimate_fields: list[str] = field(default_factory=list)
    list_related: list[str] = field(default_factory=lambda: ["unit", "source_unit"])
    #: Bootstrap icon for the navigation.
    icon: str = "journal-text"
    #: Ledger columns that are not model fields (``burden.ledger.columns.ExtraColumn``).
    ledger_extras: list = field(default_factory=list)

    @property
    def ledger_extra_names(self) -> set[str]:
        return {extra.name for extra in self.ledger_extras}

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    def url_name(self, action: str) -> str:
        return f"{self.app_label}:{self.model_name}_{action}"

    def urls(self) -> list:
        name = self.model_name
        views = {
            "list": ("", RecordListView),
            "create": ("new/", RecordCreateView),
            "estimate": ("estimate/", RecordEstimateView),
            "deleted": ("deleted/", RecordDeletedView),
            "detail": ("<int:pk>/", RecordDetailView),
            "update": ("<int:pk>/edit/", RecordUpdateView),
            "delete": ("<int:pk>/delete/", RecordDeleteView),
            "restore": ("deleted/<int:history_id>/restore/", RecordRestoreView),
            "import": ("import/", ledger_views.LedgerImportView),
            "import_job": ("import/<int:job_id>/", ledger_views.LedgerJobView),
            "export": ("export/", ledger_views.LedgerExportView),
            "template": ("template.xlsx", ledger_views.LedgerTemplateView),
        }
        return [
            path(route, view.as_view(config=self), name=f"{name}_{action}") for action, (route, view) in views.items()
        ]


def record_configs() -> list[RecordConfig]:
    """Every record kind's pages, in the registry's order (``Kind.pages`` names each one)."""
    return [kind.page_config for kind in kinds() if kind.pages]


class RecordMixin(LoginRequiredMixin):
    config: RecordConfig = None

    @property
    def model(self):
        return self.config.model

    def get_queryset(self):
        return self.config.model.objects.for_user(self.request.user).select_related(*self.config.list_related)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        config = self.config
        context["config"] = config
        context["opts"] = config.model._meta
        context["urls"] = {
            action: reverse(config.url_name(action))
            for action in ("list", "create", "estimate", "deleted", "import", "export", "template")
        }
        context["viewer_is_admin"] = scope_for(self.request.user).is_admin_somewhere
        return context


class RecordListView(RecordMixin, QueryStringMixin, FilterView):
    template_name = "records/list.html"
    paginate_by = 25

    def get_filterset_class(self):
        return self.config.filterset_class

    def get_ordering(self):
        sort = self.request.GET.get("sort", "")
        return ordering_from(sort, self.config.sort_fields, self.config.model._meta.ordering)

    def get_queryset(self):
        return super().get_queryset().order_by(*self.get_ordering())

    def get_paginator(self, queryset, per_page, **kwargs):
        """The paginator takes its count from the totals, so the rows are counted once, not twice."""
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = self.totals["count"]  # a cached_property: set, it is not queried
        return paginator

    def get_context_data(self, **kwargs):
        # The count and hours of every row the filters let through: one scan, shared with the paginator.
        self.totals = self.object_list.order_by().aggregate(count=Count("pk"), hours=Sum("burden_hours"))
        context = super().get_context_data(**kwargs)
        opts = self.config.model._meta
        context["columns"] = [(name, opts.get_field(name).verbose_name) for name in self.config.columns]
        context["object_list"] = rows = list(context["object_list"])
        if context.get("page_obj") is not None:
            context["page_obj"].object_list = rows
        attach_open_flags(rows, self.config.model.record_kind, self.request.user)
        context["sort"] = self.request.GET.get("sort", "")
        context["totals"] = self.totals
        params = self.request.GET.copy()
        params.pop("sort", None)
        params.pop("page", None)
        context["sort_query"] = params.urlencode()
        context["source_unit_options"] = self.config.form_class.source_unit_options()
        context["unit_options"] = Unit.objects.for_user(self.request.user).options()
        return context


def attach_open_flags(records: list, kind: str, user) -> None:
    """Set ``open_flags`` on each record of a page: the open flags it takes part in, its own and its groups'.

    Two indexed queries for the page, whatever the table holds: counted for the rows
    shown, never for the rows an OFFSET skips.
    """
    ids = [record.pk for record in records]
    flags: dict[int, set[int]] = {pk: set() for pk in ids}
    if ids:
        visible = Violation.objects.for_user(user).open()
        own = visible.filter(record_kind=kind, record_id__in=ids).values_list("record_id", "pk")
        grouped = ViolationRecord.objects.filter(
            record_kind=kind, record_id__in=ids, violation__in=visible.values("pk")
        ).values_list("record_id", "violation_id")
        for record_id, violation_id in [*own, *grouped]:
            flags[record_id].add(violation_id)
    for record in records:
        record.open_flags = len(flags[record.pk])


class RecordDetailView(RecordMixin, DetailView):
    template_name = "records/detail.html"
    context_object_name = "record"
    history_shown = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        params = CostParameters.current()
        context["fields"] = field_rows(record, self.config.form_class)
        context["cost"] = record.burden_cost_with(params)
        context["tariff"] = params.tariff_for(record.unit.level)
        context["history"] = history_rows(record, limit=self.history_shown)
        # Its own flags and those of the groups it is one of (a day's documents), each with its group's size.
        context["flags"] = (
            Violation.objects.for_user(self.request.user)
            .touching(record.record_kind, record.pk)
            .annotate(group_size=Count("members"))
            .order_by("status", "-last_seen")
        )
        context["can_edit"] = scope_for(self.request.user).role_at(record.unit) is not None
        return context


class RecordFormMixin(RecordMixin):
    template_name = "records/form.html"

    def get_form_class(self):
        return self.config.form_class

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["source_unit_options"] = self.config.form_class.source_unit_options()
        context["estimate_fields"] = self.config.estimate_fields
        return context

    def form_valid(self, form):
        try:
            record = form.save_record(user=self.request.user)
        except StaleWrite as stale:
            # Someone saved it since this page was loaded: say what they changed, keep what was typed.
            form.add_error(None, stale)
            stale_form_refresh(form, stale)
            response = self.form_invalid(form)
            response.status_code = 409
            return response
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        self.object = record
        messages.success(self.request, self.success_text() % {"record": record})
        if "save_and_add" in self.request.POST:
            return HttpResponseRedirect(reverse(self.config.url_name("create")))
        return HttpResponseRedirect(record.get_absolute_url())


#: The session keeps the submission tokens of this many of a person's last saved forms.
SUBMISSIONS_KEPT = 50


class RecordCreateView(RecordFormMixin, CreateView):
    """A new record. Each form carries a token; a form sent again (back, then save) opens what it saved."""

    def dispatch(self, request, *args, **kwargs):
        # Someone with no unit has nothing to record for: say so instead of an empty form.
        if request.user.is_authenticated and not writable_units(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {**super().get_initial(), "submission": secrets.token_urlsafe(16)}

    def post(self, request, *args, **kwargs):
        token = request.POST.get("submission", "")
        saved = request.session.get("saved_submissions", {}).get(token) if token else None
        if saved:
            messages.info(request, _("This form was saved already; here is what it saved. Nothing was saved twice."))
            return HttpResponseRedirect(saved)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        token = form.cleaned_data.get("submission")
        if token and getattr(self, "object", None) is not None and self.object.pk:
            kept = self.request.session.get("saved_submissions", {})
            kept[token] = self.object.get_absolute_url()
            self.request.session["saved_submissions"] = dict(list(kept.items())[-SUBMISSIONS_KEPT:])
        return response

    def success_text(self):
        return _("Saved “%(record)s”.")


class RecordUpdateView(RecordFormMixin, UpdateView):
    def success_text(self):
        return _("Saved your changes to “%(record)s”.")


class RecordDeleteView(RecordMixin, DeleteView):
    template_name = "records/confirm_delete.html"
    context_object_name = "record"

    def form_valid(self, form):
        record = self.object
        label = str(record)
        record_delete(record=record, user=self.request.user)
        messages.success(self.request, _("Deleted “%(record)s”. An administrator can restore it.") % {"record": label})
        return HttpResponseRedirect(reverse(self.config.url_name("list")))


class RecordEstimateView(RecordMixin, View):
    """The burden hours of a form being filled in, as an htmx fragment (saves nothing)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = self.config.form_class(request.POST, user=request.user)
        form.full_clean()
        record = form.instance
        for name, value in form.cleaned_data.items():
            if name in self.config.estimate_fields:
                setattr(record, name, value)
        params = CostParameters.current()
        try:
            hours = record.compute_burden_hours(params)
        except (TypeError, ValueError, AttributeError):
            hours = None
        unit = form.cleaned_data.get("unit")
        cost = record.burden_cost_with(params, hours=hours, level=unit.level) if unit and hours is not None else None
        # What a new record's form would ask to confirm (a likely duplicate, implausible figures), said as
        # it is typed; only a new record's form carries a submission token (an edit is not a duplicate of itself).
        warnings = form.warnings if request.POST.get("submission") else []
        return TemplateResponse(request, "records/estimate.html", {"hours": hours, "cost": cost, "warnings": warnings})


class RecordDeletedView(RecordMixin, QueryStringMixin, View):
    """Deleted records of the admin's units, newest first, each with a restore button."""

    def get(self, request, *args, **kwargs):
        if not scope_for(request.user).is_admin_somewhere:
            raise PermissionDenied
        history = self.config.model.history.model
        deleted = (
            history.objects.filter(history_type="-")
            .filter(scope_for(request.user).q("unit", min_role=scoping.ADMIN))
            .exclude(id__in=self.config.model.objects.values("pk"))  # already restored
            .select_related("unit", "history_user")
            .order_by("-history_date")[:100]
        )
        context = {
            "config": self.config,
            "opts": self.config.model._meta,
            "deleted": deleted,
            "urls": {"list": reverse(self.config.url_name("list"))},
        }
        return TemplateResponse(request, "records/deleted.html", context)


class RecordRestoreView(RecordMixin, View):
    http_method_names = ["post"]

    def post(self, request, history_id, *args, **kwargs):
        history = self.config.model.history.model
        scoped = history.objects.filter(scope_for(request.user).q("unit", min_role=scoping.ADMIN))
        historical = get_object_or_404(scoped, history_id=history_id, history_type="-")
        try:
            record = record_restore(historical=historical, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse(self.config.url_name("deleted")))
        messages.success(request, _("Restored “%(record)s”.") % {"record": record})
        return HttpResponseRedirect(record.get_absolute_url())
