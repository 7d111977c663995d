"""Celery tasks of the core app. Tasks stay thin: fetch by id, call a service."""

from celery import shared_task

from .models import Unit


@shared_task
def units_count() -> int:
    """Count the units in the database; proves a worker reaches the broker and the database."""
    return Unit.objects.count()
