"""Ledger pages of every record kind: upload, the job's progress, export, the blank template."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View

from ..models import ImportJob
from ..services import writable_units
from .columns import columns_for
from .exporter import csv_response, errors_csv_response, template_response, xlsx_response
from .jobs import job_progress
from .readers import ZIP_MAGIC, LedgerFileError, XlsxRefused, xlsx_check
from .uploads import upload_limit_exceeded


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Ledger file"),
        help_text=gettext_lazy("An .xlsx file, or a CSV in UTF-8 or GBK (as Chinese Excel saves it)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # The upload handler stopped the file while it streamed in, so there is no file
        # to require: the form says why instead.
        self.too_large = too_large
        if too_large:
            self.fields["file"].required = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if self.too_large or upload.size > settings.LEDGER_MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB. Split it and import the parts.")
                % {"size": settings.LEDGER_MAX_UPLOAD_MB}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        head = upload.read(len(ZIP_MAGIC))
        upload.seek(0)
        if head == ZIP_MAGIC:
            # Refused here, so nothing is stored; a file that is merely broken is left to
            # the import, whose page lists what is wrong with it.
            try:
                xlsx_check(upload)
            except XlsxRefused as error:
                raise forms.ValidationError(str(error)) from None
            except LedgerFileError:
                pass
            finally:
                upload.seek(0)
        return upload


def dispatch_import(job_id: int) -> None:
    """Send the import to the worker; if the broker is down the job waits and the page says so."""
    from ..queueing import task_send
    from .tasks import ledger_import

    task_send(ledger_import, job_id)  # not queued: the job stays pending, nothing is lost


class LedgerImportView(View):
    config = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('login')}?next={request.path}")
        if not writable_units(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def context(self, form):
        config = self.config
        return {
            "config": config,
            "opts": config.model._meta,
            "form": form,
            "columns": columns_for(config),
            "urls": {
                "list": reverse(config.url_name("list")),
                "template": reverse(config.url_name("template")),
            },
            "recent": ImportJob.objects.filter(user=self.request.user, kind=config.model.record_kind)[:5],
        }

    def get(self, request, *args, **kwargs):
        return TemplateResponse(request, "records/import.html", self.context(UploadForm()))

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES, too_large=upload_limit_exceeded(request))
        if not form.is_valid():
            return TemplateResponse(request, "records/import.html", self.context(form), status=400)
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            kind=self.config.model.record_kind,
            file=upload,
            original_name=upload.name[:255],
            user=request.user,
            language=get_language(),
        )
        transaction.on_commit(lambda: dispatch_import(job.pk))
        return HttpResponseRedirect(reverse(self.config.url_name("import_job"), args=[job.pk]))


class LedgerJobView(View):
    """The job's page; while it runs, htmx reloads its progress fragment every second."""

    config = None

    def get(self, request, job_id, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('login')}?next={request.path}")
        jobs = ImportJob.objects.filter(kind=self.config.model.record_kind)
        if not request.user.is_superuser:
            jobs = jobs.filter(user=request.user)
        job = get_object_or_404(jobs, pk=job_id)
        if request.GET.get("format") == "csv" and job.finished:
            return errors_csv_response(job)
        context = {
            "config": self.config,
            "opts": self.config.model._meta,
            "job": job,
            "progress": None if job.finished else job_progress(job),
            "urls": {
                "list": reverse(self.config.url_name("list")),
                "import": reverse(self.config.url_name("import")),
            },
        }
        template = "records/import_progress.html" if request.headers.get("HX-Request") else "records/import_job.html"
        return TemplateResponse(request, template, context)


class LedgerExportView(View):
    """The list's current filters, exported whole (not just the page) as CSV or XLSX."""

    config = None

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('login')}?next={request.path}")
        config = self.config
        queryset = config.model.objects.for_user(request.user)
        filterset = config.filterset_class(request.GET or None, queryset=queryset, request=request)
        records = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
        if request.GET.get("format") == "xlsx":
            return xlsx_response(config, records)
        return csv_response(config, records)


class LedgerTemplateView(View):
    config = None

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('login')}?next={request.path}")
        return template_response(self.config)
