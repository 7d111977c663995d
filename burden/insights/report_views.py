"""Monthly summaries and quarterly briefings: the chooser, the printable page, its spreadsheet and its jobs.

URL names: ``insights:report_index`` (choose a unit, a report and a period),
``insights:report_view`` (the printable report), ``insights:report_xlsx`` (its
spreadsheet: sent at once, or for a large subtree built by a worker after a POST),
``insights:report_job`` (that job's progress, polled by htmx) and
``insights:report_job_file`` (its file). A unit outside the viewer's units is a 404,
as on the dashboard; people without a unit get the dashboard's "no units" page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views import View
from django.views.generic import TemplateView

from ..models import Unit
from ..records import TraceRequirement
from ..rules.models import Violation
from . import selectors
from .forms import ReportForm, report_period_default, report_period_label, report_period_value
from .models import ReportJob, ReportKind
from .report_jobs import report_in_background, report_job_start
from .report_xlsx import XLSX_TYPE, report_filename, report_xlsx_response
from .reports import report_build
from .selectors import FLAG_OUTCOMES

RECENT_MONTHS = 12
RECENT_QUARTERS = 8


class ReportMixin(LoginRequiredMixin):
    """The unit (with its subtree), the kind of report and the period from the query string."""

    def choice(self):
        """(form, unit or None, kind, period); a unit outside the viewer's units is a 404."""
        user = self.request.user
        form = ReportForm(self.request.GET)
        code = form.unit_code
        if code:
            unit = Unit.objects.for_user(user).filter(code=code).first()
            if unit is None:
                raise Http404
        else:
            unit = selectors.default_unit(user)
        return form, unit, form.chosen_kind, form.chosen_period

    @staticmethod
    def query(unit, kind, period) -> str:
        return urlencode({"unit": unit.code, "kind": kind, "period": report_period_value(kind, period)})


class ReportIndexView(ReportMixin, TemplateView):
    """Choose a unit, a monthly summary or a quarterly briefing, and a period; the recent ones are listed."""

    template_name = "insights/report_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, unit, kind, period = self.choice()
        context.update(form=form, unit=unit, unit_options=selectors.unit_options(self.request.user))
        if unit is None:
            context["no_units"] = True
            return context
        last_month = report_period_default(ReportKind.MONTHLY)
        last_quarter = report_period_default(ReportKind.QUARTERLY)
        context["recent"] = [
            (ReportKind.MONTHLY.label, self._recent(unit, ReportKind.MONTHLY, last_month, RECENT_MONTHS)),
            (ReportKind.QUARTERLY.label, self._recent(unit, ReportKind.QUARTERLY, last_quarter, RECENT_QUARTERS)),
        ]
        return context

    def _recent(self, unit, kind, latest, count) -> list[dict]:
        url = reverse("insights:report_view")
        periods = [latest]
        while len(periods) < count:
            periods.append(periods[-1].preceding)
        return [
            {"label": report_period_label(kind, period), "url": f"{url}?{self.query(unit, kind, period)}"}
            for period in periods
        ]


class ReportView(ReportMixin, TemplateView):
    """The report, laid out to be printed: one section a page, no navigation."""

    template_name = "insights/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form, unit, kind, period = self.choice()
        context.update(form=form, unit=unit)
        if unit is None:
            context["no_units"] = True
            return context
        report = report_build(user, unit, kind, period)
        statuses = dict(Violation.Status.choices)
        context.update(
            report=report,
            query=self.query(unit, kind, period),
            in_background=report_in_background(user, unit),
            trace_labels=[label for _value, label in TraceRequirement.choices],
            outcome_labels=[statuses[status] for status in FLAG_OUTCOMES],
            kinds=selectors.kinds(),
        )
        return context


class ReportXlsxView(ReportMixin, View):
    """The report's spreadsheet: sent at once, or for a large subtree built by a worker (POST) with its progress."""

    def get(self, request, *args, **kwargs):
        _form, unit, kind, period = self.choice()
        if unit is None:
            raise Http404
        if report_in_background(request.user, unit):
            # Too large to build within a request: the report page offers to have it prepared.
            return HttpResponseRedirect(f"{reverse('insights:report_view')}?{self.query(unit, kind, period)}#download")
        return report_xlsx_response(report_build(request.user, unit, kind, period))

    def post(self, request, *args, **kwargs):
        _form, unit, kind, period = self.choice()
        if unit is None:
            raise Http404
        if not report_in_background(request.user, unit):
            return report_xlsx_response(report_build(request.user, unit, kind, period))
        job = report_job_start(user=request.user, unit=unit, kind=kind, period=period, language=get_language())
        return HttpResponseRedirect(reverse("insights:report_job", args=[job.pk]))


class ReportJobView(LoginRequiredMixin, View):
    """A job's page; while it runs, htmx reloads its progress every second."""

    def get(self, request, pk, *args, **kwargs):
        job = get_object_or_404(ReportJob.objects.of(request.user).select_related("unit"), pk=pk)
        context = {
            "job": job,
            "period_label": report_period_label(job.kind, job.period),
            "report_url": f"{reverse('insights:report_view')}?{ReportMixin.query(job.unit, job.kind, job.period)}",
            "now": timezone.now(),
        }
        template = "insights/_report_job.html" if request.headers.get("HX-Request") else "insights/report_job.html"
        return TemplateResponse(request, template, context)


class ReportJobFileView(LoginRequiredMixin, View):
    """A finished job's spreadsheet, to the person who asked for it while they may still see the unit."""

    def get(self, request, pk, *args, **kwargs):
        jobs = ReportJob.objects.of(request.user).select_related("unit")
        job = get_object_or_404(jobs, pk=pk, status=ReportJob.Status.DONE)
        if not job.file:
            raise Http404
        name = report_filename(job.kind, job.unit, job.period)
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=name, content_type=XLSX_TYPE)
