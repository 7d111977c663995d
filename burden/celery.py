"""The Celery application: configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "burden.settings")

app = Celery("burden")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(**kwargs):
    """The worker and beat log as the web does (``LOGGING``: JSON lines in production), not in Celery's format.

    A receiver of this signal stops Celery from configuring logging itself; Django
    already applied ``LOGGING`` when it started.
    """
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def _connect_request_ids() -> None:
    """A task sent during a request carries its id; the worker's lines for it carry the id too."""
    from . import queueing, requestid

    signals.before_task_publish.connect(queueing.carry_request_id, weak=False)
    signals.task_prerun.connect(requestid.task_started, weak=False)
    signals.task_postrun.connect(requestid.task_finished, weak=False)


_connect_request_ids()


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
