"""The dashboard, the burden ledger of source departments and its department pages, reduction targets.

Every page reads roll-ups (plus open flags, cases and current secondments on the
dashboard) in a fixed number of queries, and every number it shows links down to the
record list (or the review queue's case list) behind it. URL names:
``insights:dashboard``, ``insights:source_ranking``, ``insights:source_detail``,
``insights:source_explain``, ``insights:target_list``, ``insights:target_delete``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import scoping
from ..models import Unit
from ..records import TraceRequirement, registry
from ..scoping import scope_for
from . import ledger_export, selectors
from .charts import Chart, Series, burden_chart, month_label, record_list_link, record_list_urls
from .forms import MONTH_FORMAT, IncreaseExplanationForm, InsightFilterForm, Period, ReductionTargetForm
from .models import ReductionTarget
from .services import increase_explanation_save, reduction_target_delete, reduction_target_set

HOURS = gettext_lazy("Burden hours")
YUAN = gettext_lazy("Yuan")
SAME_MONTHS_LAST_YEAR = gettext_lazy("Same months a year earlier")
RANKING_CHART_SIZE = 15


def _month_end(month):
    return month + relativedelta(months=1) - relativedelta(days=1)


def case_list_link(**filters) -> str:
    """The review queue's case list (open and replied cases, heaviest first) with ``filters``."""
    url = reverse("review:case_list")
    return f"{url}?{urlencode(filters)}" if filters else url


class InsightView(LoginRequiredMixin, TemplateView):
    """A unit (with its subtree) and a period from the query string; a unit outside the viewer's is a 404."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = InsightFilterForm(self.request.GET)
        period = form.period
        code = form.unit_code
        if code:
            unit = Unit.objects.for_user(user).filter(code=code).first()
            if unit is None:
                raise Http404
        else:
            unit = selectors.default_unit(user)
        context.update(form=form, period=period, unit=unit, unit_options=selectors.unit_options(user))
        if unit is None:
            context["no_units"] = True
            return context
        shown = {
            "unit": unit.code,
            "start": period.start.strftime(MONTH_FORMAT),
            "end": period.end.strftime(MONTH_FORMAT),
        }
        if form.is_valid():
            context["form"] = InsightFilterForm(shown)  # what the page is about, defaults included
        context["filters"] = urlencode(shown)
        context["printed_at"] = timezone.localtime()
        self.urls = record_list_urls()
        context.update(self.insights(unit, period))
        return context

    def insights(self, unit: Unit, period: Period) -> dict:
        raise NotImplementedError

    def link(self, kind, unit, month=None, period=None, **filters):
        """The record list of ``kind`` for the unit's subtree in a month or a period."""
        first, last = (month, _month_end(month)) if month else (period.start, period.last_day)
        return record_list_link(
            self.urls, kind, unit=unit.code, date_from=first.isoformat(), date_to=last.isoformat(), **filters
        )


class DashboardView(InsightView):
    """The burden on a unit's subtree in a period; ``?format=xlsx`` downloads its numbers."""

    template_name = "insights/dashboard.html"

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get("format") == "xlsx" and not context.get("no_units"):
            return ledger_export.dashboard_xlsx_response(
                context["unit"], context["period"], context["summary"], context["flags"]
            )
        return super().render_to_response(context, **response_kwargs)

    def insights(self, unit, period):
        user = self.request.user
        today = timezone.localdate()
        summary = selectors.burden_summary(user, unit, period)
        flags = selectors.open_flags_by_rule(user, unit)
        people, people_total = selectors.secondments_out(user, unit, today)
        current, previous = summary.total(), summary.total(previous=True)
        cases = selectors.case_summary(user, unit, period, today)
        return {
            "summary": summary,
            "current": current,
            "previous": previous,
            "hours_change": selectors.change_percent(current.hours, previous.hours),
            "hours_multiple": selectors.change_multiple(current.hours, previous.hours),
            "hours_chart": burden_chart(
                "hours",
                _("Burden hours by kind and month"),
                summary,
                "hours",
                links=lambda kind, month: self.link(kind, unit, month),
                value_label=HOURS,
                previous_name=SAME_MONTHS_LAST_YEAR,
            ),
            "cost_chart": burden_chart(
                "cost",
                _("Cost by kind and month"),
                summary,
                "cost",
                links=lambda kind, month: self.link(kind, unit, month),
                value_label=YUAN,
                number="money",
                previous_name=SAME_MONTHS_LAST_YEAR,
            ),
            "flags": flags,
            "flags_chart": self.flags_chart(unit, flags),
            "flags_total": sum(flag.count for flag in flags),
            "traces_chart": self.traces_chart(unit, summary),
            "people": people,
            "people_total": people_total,
            "people_chart": self.people_chart(people),
            "targets": selectors.targets_progress(unit, summary),
            "can_set_targets": scope_for(user).is_admin_somewhere,
            "cases": cases,
            "case_sources": [
                {
                    "row": row,
                    "link": case_list_link(source_unit=row.source.code),
                    "overdue_link": case_list_link(source_unit=row.source.code, overdue="true"),
                }
                for row in cases.by_source
            ],
            "cases_link": case_list_link(),
            "overdue_link": case_list_link(overdue="true"),
        }

    def flags_chart(self, unit, flags) -> Chart:
        labels = dict(selectors.kinds())
        several = {flag.rule for flag in flags if sum(other.rule == flag.rule for other in flags) > 1}
        categories = [
            (
                f"{flag.rule}:{flag.record_kind}",
                f"{flag.title} ({labels.get(flag.record_kind, flag.record_kind)})"
                if flag.rule in several
                else flag.title,
            )
            for flag in flags
        ]
        links = [record_list_link(self.urls, flag.record_kind, unit=unit.code, flagged="true") for flag in flags]
        series = [Series("open", _("Open flags"), [flag.count for flag in flags], links)]
        return Chart("flags", _("Open flags by rule"), categories, series, kind="horizontal", number="count")

    def traces_chart(self, unit, summary) -> Chart:
        totals = {kind: summary.kind_total(kind) for kind, _label in summary.kinds}
        links = [self.link(kind, unit, period=summary.period) for kind, _label in summary.kinds]
        series = [
            Series(trace, name, [getattr(totals[kind], trace) for kind, _label in summary.kinds], links)
            for trace, name in TraceRequirement.choices
        ]
        return Chart(
            "traces", _("Trace-keeping demanded, by kind"), summary.kinds, series, kind="stacked", number="count"
        )

    def people_chart(self, people) -> Chart:
        categories = [
            (str(person.record.pk), f"{person.record.person_name} · {person.record.unit.label}") for person in people
        ]
        links = [person.record.get_absolute_url() for person in people]
        series = [Series("days_left", _("Days until the term ends"), [p.days_left for p in people], links)]
        return Chart("people", _("People seconded out now"), categories, series, kind="horizontal", number="count")


#: The burden ledger's orders (``?sort=``): by hours imposed (the default), or by cases against the department.
LEDGER_SORTS = ("hours", "cases")


def ledger_order(row) -> tuple:
    """Most open cases first, then most cases of the period, then most hours."""
    return (-row.cases_open, -row.cases_total, -row.total.hours, row.source.code)


class SourceRankingView(InsightView):
    """The burden ledger: source departments ranked by the hours they put on the unit's subtree, or by cases.

    ``?format=csv`` or ``?format=xlsx`` downloads the table as the page shows it.
    """

    template_name = "insights/source_ranking.html"

    def render_to_response(self, context, **response_kwargs):
        export = self.request.GET.get("format")
        if export in ledger_export.FORMATS and not context.get("no_units"):
            write = ledger_export.ledger_csv_response if export == "csv" else ledger_export.ledger_xlsx_response
            relabelling = {kind for kind, _label in context["relabelled_kinds"]}
            return write(context["unit"], context["period"], context["ranking"], context["kinds"], relabelling)
        return super().render_to_response(context, **response_kwargs)

    def insights(self, unit, period):
        ranking, unknown = selectors.source_ranking(self.request.user, unit, period)
        sort = self.request.GET.get("sort")
        sort = sort if sort in LEDGER_SORTS else LEDGER_SORTS[0]
        kinds = selectors.kinds()
        labels = dict(kinds)
        relabelled_kinds = selectors.relabelled_kinds()
        relabelling = {kind for kind, _label in relabelled_kinds}
        for row in ranking:
            row.links = {
                kind: self.link(kind, unit, period=period, source_unit=row.source.code) for kind, _label in kinds
            }
            row.cells = [
                {
                    "kind": kind,
                    "measures": row.by_kind.get(kind) or selectors.Measures(),
                    "link": row.links[kind],
                    "flag_link": self.link(kind, unit, period=period, source_unit=row.source.code, flagged="true"),
                    "relabelling": kind in relabelling,
                    "relabelled": row.relabelled.get(kind) or selectors.Measures(),
                }
                for kind, _label in kinds
            ]
            row.no_base = [{"kind": kind, "label": labels[kind]} for kind in row.without_base]
            row.increases = [
                {"kind": kind, "label": labels[kind], "explanation": row.explanations.get(kind)}
                for kind in row.increased
            ]
            # The case list takes one month: a longer period links to every case against the department.
            month = {"period": period.start.strftime(MONTH_FORMAT)} if period.start == period.end else {}
            row.cases_link = case_list_link(source_unit=row.source.code, **month)
            row.all_cases_link = case_list_link(source_unit=row.source.code, status="any", **month)
        top = ranking[:RANKING_CHART_SIZE]
        series = [
            Series(
                kind,
                label,
                [row.by_kind[kind].hours if kind in row.by_kind else 0 for row in top],
                [row.links[kind] for row in top],
            )
            for kind, label in kinds
        ]
        chart = Chart(
            "ranking",
            _("Hours imposed, by department and kind"),
            [(row.source.code, row.source.label) for row in top],
            series,
            kind="horizontal",
            value_label=HOURS,
        )
        # The chart stays the hours' top; the table follows the chosen order.
        rows = sorted(ranking, key=ledger_order) if sort == "cases" else ranking
        return {
            "ranking": rows,
            "unknown": unknown,
            "kinds": kinds,
            "relabelled_kinds": relabelled_kinds,
            "ranking_chart": chart,
            "sort": sort,
        }


class SourceDetailView(InsightView):
    """One department's burden on the unit's subtree: by kind, by month, on which units."""

    template_name = "insights/source_detail.html"

    def get(self, request, *args, **kwargs):
        if scope_for(request.user).is_empty:
            raise Http404
        # Any unit can impose burden, inside the viewer's units or not; only its burden on theirs is counted.
        self.source = get_object_or_404(Unit, code=kwargs["code"])
        return super().get(request, *args, **kwargs)

    def insights(self, unit, period):
        source = self.source
        detail = selectors.source_detail(self.request.user, unit, period, source)
        summary = detail.summary
        chart = burden_chart(
            "source_hours",
            _("Hours imposed by kind and month"),
            summary,
            "hours",
            links=lambda kind, month: self.link(kind, unit, month, source_unit=source.code),
            value_label=HOURS,
            previous_name=SAME_MONTHS_LAST_YEAR,
        )
        by_kind = []
        for kind, label in summary.kinds:
            now, before = summary.kind_total(kind), summary.kind_total(kind, previous=True)
            by_kind.append(
                {
                    "kind": kind,
                    "label": label,
                    "now": now,
                    "before": before,
                    "change": selectors.change_percent(now.records, before.records),
                    "increased": before.records >= selectors.INCREASE_MIN_BASE and now.records > before.records,
                    "explanation": detail.explanations.get(kind),
                    "link": self.link(kind, unit, period=period, source_unit=source.code),
                    "flag_link": self.link(kind, unit, period=period, source_unit=source.code, flagged="true"),
                }
            )
        return {
            "source": source,
            "detail": detail,
            "summary": summary,
            "total": summary.total(),
            "previous": summary.total(previous=True),
            "by_kind": by_kind,
            "source_chart": chart,
            "can_explain": scope_for(self.request.user).role_at(source) is not None,
            "month_labels": {month: month_label(month) for month in period.months},
        }


class SourceExplainView(LoginRequiredMixin, FormView):
    """The department (or those above it) says why it imposed more of a kind than the year before."""

    template_name = "insights/explanation_form.html"
    form_class = IncreaseExplanationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.source = get_object_or_404(Unit, code=kwargs["code"])
            if scope_for(request.user).role_at(self.source) is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        kind = self.request.GET.get("kind", "")
        year = self.request.GET.get("year", "")
        return {
            "record_kind": kind if registry.is_kind(kind) else "",
            "year": int(year) if year.isdigit() else timezone.localdate().year,
        }

    def get_context_data(self, **kwargs):
        came_from = self.request.GET.get("back", "") or self.request.POST.get("back", "")
        return {
            **super().get_context_data(**kwargs),
            "source": self.source,
            "back": self._back(),
            "came_from": came_from,
        }

    def _back(self) -> str:
        """The department's page, with the unit and period the person came from (and nothing else)."""
        came_from = QueryDict(self.request.GET.get("back", "") or self.request.POST.get("back", ""))
        query = urlencode({name: came_from[name] for name in ("unit", "start", "end") if came_from.get(name)})
        url = reverse("insights:source_detail", args=[self.source.code])
        return f"{url}?{query}" if query else url

    def form_valid(self, form):
        increase_explanation_save(source_unit=self.source, user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The explanation is saved."))
        return HttpResponseRedirect(self._back())


class TargetListView(LoginRequiredMixin, FormView):
    """Admins set a cut per kind for a unit and its subtree; the dashboard shows the progress."""

    template_name = "insights/targets.html"
    form_class = ReductionTargetForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope_for(request.user).is_admin_somewhere:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["targets"] = (
            ReductionTarget.objects.for_user(user, min_role=scoping.ADMIN)
            .select_related("unit", "set_by")
            .order_by("-year", "unit__path", "record_kind")[:500]
        )
        context["unit_options"] = list(Unit.objects.for_user(user, min_role=scoping.ADMIN).options())
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        reduction_target_set(
            unit=data["unit"],
            record_kind=data["record_kind"],
            year=data["year"],
            measure=data["measure"],
            reduction_percent=data["reduction_percent"],
            user=self.request.user,
        )
        messages.success(self.request, _("The target is set."))
        return HttpResponseRedirect(reverse("insights:target_list"))


class TargetDeleteView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        targets = ReductionTarget.objects.for_user(request.user, min_role=scoping.ADMIN)
        target = get_object_or_404(targets, pk=pk)
        reduction_target_delete(target=target, user=request.user)
        messages.success(request, _("The target is removed."))
        return HttpResponseRedirect(reverse("insights:target_list"))
