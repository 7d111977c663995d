"""Running an import job: the Celery task's body, and its progress in the cache."""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import ImportJob
from ..records.registry import kind_for

logger = logging.getLogger(__name__)
PROGRESS_SECONDS = 24 * 3600


def progress_key(job_id: int) -> str:
    return f"ledger-import:{job_id}:progress"


def job_progress(job: ImportJob) -> dict:
    """{"phase", "done"} while running; rows already validated or written."""
    return _progress_cache("get", progress_key(job.pk)) or {"phase": "validating", "done": 0}


def _progress_cache(method: str, *args):
    """The cache's ``method``, or None when the cache (Redis) is unreachable.

    Progress is only shown, never needed: an import goes on, and its page still answers
    (with no count), while Redis is down.
    """
    try:
        return getattr(cache, method)(*args)
    except Exception:  # the cache backend's own errors have no common base
        logger.warning("import progress skipped: the cache is unreachable")
        return None


def config_for(kind: str):
    """The ledger's config (columns, form) of the kind ``kind``, a ``record_kind`` code; ``LookupError`` if none."""
    # The importer needs the kind's pages config (columns, form, extras), not only its model.
    return kind_for(kind).page_config


def import_job_run(job_id: int) -> None:
    """Import one job's file; claims the job first so two workers never run it twice."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)

    def progress(phase: str, done: int) -> None:
        _progress_cache("set", progress_key(job_id), {"phase": phase, "done": done}, PROGRESS_SECONDS)

    with translation.override(job.language):
        job = _run(job, progress)
    job.finished_at = timezone.now()
    job.save()
    _progress_cache("delete", progress_key(job_id))
    if job.status == ImportJob.Status.DONE and (job.created or job.updated):
        _evaluate_kind(job.kind)


def _evaluate_kind(kind: str) -> None:
    """The imported rows are checked by a sweep of their kind's rules (set-based, not row by row)."""
    from ..queueing import task_send
    from ..rules.engine import rules_for
    from ..rules.tasks import sweep_rules

    codes = [rule.code for rule in rules_for(kind)]
    if not task_send(sweep_rules, None, codes):
        logger.warning("the imported rows wait for the scheduled sweep")


def _run(job: ImportJob, progress) -> ImportJob:
    from .importer import LedgerImport

    try:
        importer = LedgerImport(
            config_for(job.kind), user=job.user, open_file=lambda: job.file.open("rb"), progress=progress
        )
        result = importer.run()
    except Exception:
        logger.exception("ledger import %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.message = _("The import stopped on an unexpected error. Nothing was saved; the error has been logged.")
        return job
    job.status = ImportJob.Status.DONE if result.ok else ImportJob.Status.REJECTED
    job.rows, job.created, job.updated = result.rows, result.created, result.updated
    job.unchanged, job.error_count = result.unchanged, result.error_count
    job.errors = [asdict(error) for error in result.errors]
    return job
