"""Sign-in attempts (what the sign-in guard counts) and API tokens (stored hashed, one per device)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class SignInAttempt(models.Model):
    """One try at signing in, at any door: what the pause after failures counts, and a sign-in log.

    Kept in the database rather than the cache so that the guard holds when Redis is away and
    so that the attempts can be audited; ``login_guard`` prunes them after
    ``LOGIN_ATTEMPT_RETENTION_DAYS``.
    """

    class Door(models.TextChoices):
        PAGE = "page", _("Sign-in page")
        ADMIN = "admin", _("Administration sign-in")
        API = "api", _("API token")

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", _("Signed in")
        FAILED = "failed", _("Wrong username or password")
        PAUSED = "paused", _("Refused during a pause")

    # As typed (lower-cased): the guard must count guesses at accounts that do not exist too.
    username = models.CharField(_("username"), max_length=150)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    door = models.CharField(_("door"), max_length=8, choices=Door.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    at = models.DateTimeField(_("attempted at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        indexes = [
            models.Index(fields=["username", "at"], name="signin_username_at"),
            models.Index(fields=["address", "at"], name="signin_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(AbstractAuthToken):
    """An API token for one device of one person (django-rest-knox's model, swapped in).

    Only a SHA-512 digest of the token is stored, with its first 15 characters for the
    lookup; the token itself is shown once, when it is issued.
    """

    device = models.CharField(_("device"), max_length=100, blank=True)
    address = models.GenericIPAddressField(_("issued to address"), null=True, blank=True)
    user_agent = models.CharField(_("client program"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.device or self.token_key}"
