"""Core forms."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import login_guard


class GuardedSignInMixin:
    """Mix into an ``AuthenticationForm``: the password is checked behind the sign-in guard.

    ``door`` names the sign-in door in the log of attempts.
    """

    door = login_guard.Door.PAGE

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = login_guard.authenticate(
                    self.request, username=username, password=password, door=self.door
                )
            except login_guard.SignInPaused as paused:
                raise ValidationError(paused.message, code="locked") from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginForm(GuardedSignInMixin, AuthenticationForm):
    """The stock login form, with the browser hints a phone keyboard needs and a pause after failures."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocapitalize": "none", "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
