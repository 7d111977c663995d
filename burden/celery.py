"""The Celery application: configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "burden.settings")

app = Celery("burden")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_failure.connect
def remember_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None, **extra):
    """A task that failed for good (no retry left) is kept for the admins to see."""
    from django.db import DatabaseError

    try:
        from burden.models import TaskFailure

        TaskFailure.objects.create(
            task=getattr(sender, "name", str(sender)),
            arguments=repr((args, kwargs))[:2000],
            error=f"{type(exception).__name__}: {exception}"[:4000],
        )
    except DatabaseError:  # the database itself may be what failed; the worker's log has it
        pass
