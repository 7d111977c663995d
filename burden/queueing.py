"""Sending a task to the worker without making Redis a dependency of the request that sends it.

Every task the web process sends goes through ``task_send`` (or ``job_send`` for a job
row people follow). When the broker cannot take the task (Redis stopped, unreachable or
refusing), the request must still succeed: the failure is logged, never raised, and the
caller does what keeps the work from being lost — the evaluation's pending row waits for
the next sweep, a roll-up is recomputed in this process, a job is marked as not started.
Nothing waits for a task's result (``CELERY_TASK_IGNORE_RESULT``), so a dispatch never
subscribes to the result store either: with Redis down that subscription retried for
twenty seconds and then raised, which turned every save into a 500.

With tasks run eagerly (no ``REDIS_URL``: the embedded default, and the tests) the task
runs here; its own failure is logged with its traceback and handled the same way.

A task sent while a request is served carries the request's id in its message headers
(``carry_request_id``, connected to Celery's ``before_task_publish`` in ``burden.celery``,
so a task sent by a task on the worker carries it on too); the worker puts it back on the
task's log lines (``burden.requestid``).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def carry_request_id(headers=None, **extra) -> None:
    """Before a task message leaves: add the current request's id to its headers (Celery lets them be changed here)."""
    from .requestid import task_headers

    if headers is not None:
        for name, value in task_headers().items():
            headers.setdefault(name, value)


def _send(task, args, kwargs) -> Exception | None:
    try:
        task.delay(*args, **kwargs)
    except Exception as error:  # kombu's, redis' and the socket's errors have no common base
        if task.app.conf.task_always_eager:
            logger.exception("task %s failed in this process", task.name)
        else:
            logger.warning("could not queue %s (broker unreachable): %s: %s", task.name, type(error).__name__, error)
        return error
    return None


def task_send(task, *args, **kwargs) -> bool:
    """Queue ``task(*args, **kwargs)``; False (logged, never raised) when it was not queued."""
    return _send(task, args, kwargs) is None


def job_send(task, model, job_id: int) -> bool:
    """Queue ``task(job_id)`` for a job row with a status; a job nobody will pick up is marked failed.

    A queued job that is never sent must not look as if it were waiting: it is failed
    with the reason. When tasks run eagerly the job ran here and its own failure is
    already recorded on it (``job_fail_if_queued`` leaves a job that left the queue alone).
    """
    from .progress import job_fail_if_queued

    error = _send(task, (job_id,), {})
    if error is None:
        return True
    job_fail_if_queued(model, job_id, error)
    return False
