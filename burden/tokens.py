"""API tokens: issued per device at sign-in, ended by a revocation, a password change or a deactivation.

The tokens are django-rest-knox's (``Authorization: Token <token>``; only a digest is
stored; knox refuses an expired token or an inactive person's at once). What knox leaves
to the project is here: naming the device, a cap per person, and ending a person's tokens
when their password changes or they are deactivated, by whichever door (the API, the
admin, the password page): the signals below watch the user row itself.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .auth_models import ApiToken
from .net import client_address

logger = logging.getLogger(__name__)
User = get_user_model()


def api_token_issue(*, user, device: str = "", request=None) -> tuple[ApiToken, str]:
    """A new token for ``user`` on ``device``: the token row and the token itself (shown once).

    Signing in again from a named device replaces that device's token; unnamed sign-ins
    each get their own. Past ``API_TOKEN_LIMIT_PER_USER`` tokens the oldest are revoked,
    so that a script that signs in on every run cannot pile them up.
    """
    device = device.strip()[:100]
    user_agent = (request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:200]
    with transaction.atomic():
        if device:
            ApiToken.objects.filter(user=user, device=device).delete()
        token, key = ApiToken.objects.create(
            user=user,
            expiry=timedelta(hours=settings.API_TOKEN_TTL_HOURS),
            device=device,
            address=client_address(request) or None,
            user_agent=user_agent,
        )
        kept = ApiToken.objects.filter(user=user).order_by("-created").values_list("digest", flat=True)
        ApiToken.objects.filter(user=user).exclude(digest__in=list(kept[: settings.API_TOKEN_LIMIT_PER_USER])).delete()
    return token, key


def api_tokens_end(*, user) -> int:
    """Revoke every token of ``user``; returns how many there were."""
    count, _by_model = ApiToken.objects.filter(user=user).delete()
    return count


@receiver(pre_save, sender=User, dispatch_uid="burden.tokens.note_credential_change")
def _note_credential_change(sender, instance, update_fields=None, raw=False, **kwargs):
    # Compare with the stored row: set_password() and is_active=False reach the database
    # through save() from several doors, and this is the one place they all pass.
    instance._ends_tokens = False
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. the last_login update on every sign-in: no extra query
    stored = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    # check_password() re-hashes a right password when the hasher's settings change and saves
    # only that field, with Django's own "password set" marker cleared: not a new password.
    rehashed = update_fields is not None and set(update_fields) == {"password"} and instance._password is None
    new_password = stored["password"] != instance.password and not rehashed
    instance._ends_tokens = new_password or (stored["is_active"] and not instance.is_active)


@receiver(post_save, sender=User, dispatch_uid="burden.tokens.end_tokens_on_credential_change")
def _end_tokens_on_credential_change(sender, instance, created=False, raw=False, **kwargs):
    if getattr(instance, "_ends_tokens", False):
        instance._ends_tokens = False
        ended = api_tokens_end(user=instance)
        if ended:
            logger.info("Revoked %d API token(s) of %s after a password change or deactivation.", ended, instance)
