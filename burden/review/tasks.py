"""The review's scheduled tasks (django-celery-beat schedules made by migration 0008_review).

Thin, as every task here: the work is in ``services`` and ``digest``.
"""

from celery import shared_task


@shared_task(acks_late=True)
def waivers_expire() -> int:
    """Daily: reopen the waived flags whose waiver has expired (set-based)."""
    from .services import waivers_expire as run

    return run()


@shared_task(acks_late=True)
def review_digests_send() -> int:
    """Daily: e-mail each person who asked for it their review digest; returns how many were sent."""
    from .digest import review_digests_send as run

    return run()
