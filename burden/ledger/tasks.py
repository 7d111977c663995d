"""The ledger's Celery task. Thin: fetch by id, call the import.

It keeps the name it had when every task lived in ``burden.tasks`` (``name=``), which
queued messages and the failed tasks' list know it by.
"""

from celery import shared_task


@shared_task(name="burden.tasks.ledger_import", acks_late=True)
def ledger_import(job_id: int) -> None:
    """Import an uploaded ledger (see ``burden.ledger.jobs``)."""
    from .jobs import import_job_run

    import_job_run(job_id)
