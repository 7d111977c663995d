"""The reports' Celery task. Thin: fetch the job by id, build its spreadsheet.

It keeps the name it had when every task lived in ``burden.tasks`` (``name=``), which
queued messages and the failed tasks' list know it by.
"""

from celery import shared_task


@shared_task(name="burden.tasks.report_generate", acks_late=True)
def report_generate(job_id: int) -> None:
    """Build the spreadsheet of a large report, its progress kept on the job (``burden.insights.report_jobs``)."""
    from .report_jobs import report_job_run

    report_job_run(job_id)
