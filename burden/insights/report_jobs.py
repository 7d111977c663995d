"""A report's spreadsheet built by a worker when the unit's subtree is large, with its progress.

``report_job_start`` records a queued job and sends it to the worker once the
transaction commits; the task calls ``report_job_run``, which claims the job (a
conditional UPDATE, so two workers never both build it), reads the report and writes
its sheets as the requester (their scope, their language), saving its progress on
the job as it goes, and stores the file under MEDIA_ROOT. Small reports are not
jobs: the page sends their spreadsheet at once.
"""

from __future__ import annotations

import contextlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone, translation

from ..models import Unit
from .forms import Period
from .models import ReportJob
from .report_xlsx import report_filename, report_workbook, sheets
from .reports import SECTIONS, report_build


def report_in_background(user, unit: Unit) -> bool:
    """Whether the unit's subtree (as ``user`` sees it) holds more units than a report builds in a request."""
    return Unit.objects.for_user(user).filter(path__startswith=unit.path).count() > settings.REPORT_BACKGROUND_UNITS


def report_job_start(*, user, unit: Unit, kind: str, period: Period, language: str) -> ReportJob:
    """A queued job for the report's spreadsheet, sent to the worker when the current transaction commits.

    The same request again while a job for it is still unfinished returns that job.
    """
    pending = ReportJob.objects.of(user).filter(
        unit=unit, kind=kind, period_start=period.start, language=language, status__in=ReportJob.UNFINISHED
    )
    job = pending.first()
    if job is not None:
        return job
    job = ReportJob(user=user, unit=unit, kind=kind, period_start=period.start, period_end=period.end)
    job.language = language
    job.full_clean(exclude=["file"])
    job.save()
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _dispatch(job_id: int) -> None:
    from ..queueing import job_send
    from .report_tasks import report_generate

    job_send(report_generate, ReportJob, job_id)


def report_job_run(job_id: int) -> ReportJob | None:
    """Build a queued job's spreadsheet; None when it was not queued (taken by another worker, or done).

    Side effects: the job moves to running, its steps move on, then it is done with its
    file saved under MEDIA_ROOT — or failed with the error, which is raised again so the
    task fails and is kept with the failed background tasks.
    """
    claimed = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).update(
        status=ReportJob.Status.RUNNING,
        started_at=timezone.now(),
        steps_total=len(SECTIONS) + len(sheets()) + 1,
        steps_done=0,
    )
    if not claimed:
        return None
    job = ReportJob.objects.select_related("user", "unit").get(pk=job_id)

    def save_progress(done: int) -> None:
        ReportJob.objects.filter(pk=job_id).update(steps_done=done)

    try:
        with translation.override(job.language):
            report = report_build(job.user, job.unit, job.kind, job.period, progress=save_progress)
            workbook = report_workbook(report, progress=lambda done: save_progress(len(SECTIONS) + done))
            buffer = io.BytesIO()
            workbook.save(buffer)
            job.file.save(report_filename(job.kind, job.unit, job.period), ContentFile(buffer.getvalue()), save=False)
    except Exception as error:
        # The database itself may be what failed: then the task failure alone says why.
        with contextlib.suppress(DatabaseError):
            ReportJob.objects.filter(pk=job_id).update(
                status=ReportJob.Status.FAILED,
                finished_at=timezone.now(),
                error=f"{type(error).__name__}: {error}"[:4000],
            )
        raise
    ReportJob.objects.filter(pk=job_id).update(
        status=ReportJob.Status.DONE, finished_at=timezone.now(), file=job.file.name, steps_done=F("steps_total")
    )
    job.refresh_from_db()
    return job
