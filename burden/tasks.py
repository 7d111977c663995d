"""Celery tasks of the core app. Tasks stay thin: fetch by id, call a service."""

from celery import shared_task

from .models import Unit


@shared_task
def units_count() -> int:
    """Count the units in the database; proves a worker reaches the broker and the database."""
    return Unit.objects.count()


@shared_task(acks_late=True)
def ledger_import(job_id: int) -> None:
    """Import an uploaded ledger (see ``burden.ledger.jobs``)."""
    from .ledger.jobs import import_job_run

    import_job_run(job_id)
